"""One failure, one message: what could not be made or shown because something else failed is named
under that failure, not counted as a failure of its own.

A failure may carry ``cause``: the key path of the failure it follows from (an image skipped because
its base failed has ``cause: bases.NAME``). A page problem may name one too (a directive about an
image that was not made). Chains are followed to their root.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Folded:
    """Failures to report, each with what could not be done because of it."""

    lines: list[str] = field(default_factory=list)
    failures: int = 0  # root failures and problems of their own
    consequences: int = 0  # skipped or missing because of one of them

    def summary(self) -> str:
        more = f", and {self.consequences} thing(s) skipped or not shown because of it" if self.consequences else ""
        return f"{self.failures} failure(s){more}"

    def report(self, prefix: str = "livebench: ") -> str:
        return f"{prefix}{self.summary()}:\n  - " + "\n  - ".join(self.lines)


def _root(what: str, causes: dict[str, str]) -> str:
    seen = {what}
    while what in causes and causes[what] not in seen:
        what = causes[what]
        seen.add(what)
    return what


def fold(failures: Iterable[dict[str, Any]], problems: Iterable[tuple[str, str | None]] = ()) -> Folded:
    """Fold ``failures`` (record entries; claims' syntax errors left out, their pages report them) and
    ``problems`` (a page problem's text and the key path it follows from, if any) into report lines."""
    entries = [f for f in failures if not f.get("syntax")]
    causes = {f["what"]: f["cause"] for f in entries if f.get("cause")}
    roots = [f for f in entries if not f.get("cause")]
    root_whats = {f["what"] for f in roots}
    under: dict[str, list[str]] = {}
    orphans: list[str] = []  # a cause that is not itself reported: keep the whole message
    for f in entries:
        if f.get("cause"):
            root = _root(f["what"], causes)
            if root in root_whats:
                under.setdefault(root, []).append(f["what"])
            else:
                orphans.append(f["message"])
    own: list[str] = []
    for text, cause in problems:
        if cause and _root(cause, causes) in root_whats:
            under.setdefault(_root(cause, causes), []).append(text.split(": ", 1)[0])  # the page and line
        else:
            own.append(text)
    out = Folded()
    for f in roots:
        line = f["message"]
        if under.get(f["what"]):
            line += "\n      because of it, not made or not shown: " + ", ".join(under[f["what"]])
            out.consequences += len(under[f["what"]])
        out.lines.append(line)
    out.lines += orphans + own
    out.failures = len(roots) + len(orphans) + len(own)
    return out
