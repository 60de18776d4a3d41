"""What a reader sees of this machine's folders in a transcript: neutral paths instead.

A transcript printed the clone's absolute folder, the cache's random staging folders and the home
folder of whoever built the site. None of them means anything to a reader, and two otherwise equal
runs differed by them. So, in commands and output alike, the project root is shown as
``display_root`` (default ``~/project``), a step's work and output folders as ``~/work/STEP`` and
``~/out/STEP``, a cache outside the project as ``~/.cache/livebench`` and the home folder as ``~``.
The command keeps its variables as the author wrote them in ``command``; ``shown`` puts the values a
reader cannot know in their place.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ROOT = "~/project"


def _forms(path: Path) -> list[str]:
    """The spellings of a folder a program may print: as given and resolved (symlinks), no trailing slash."""
    forms = {str(path).rstrip("/"), str(Path(os.path.realpath(path))).rstrip("/")}
    return [f for f in forms if f and f != "/"]


@dataclass(frozen=True)
class Display:
    replacements: tuple[tuple[str, str], ...] = ()  # (real prefix, shown), longest first
    values: Mapping[str, str] = field(default_factory=dict)  # variable -> shown value

    @classmethod
    def of(cls, root: Path, cache: Path, *, shown_root: str = DEFAULT_ROOT,
           folders: Mapping[Path, str] | None = None, values: Mapping[str, str] | None = None) -> Display:
        pairs: list[tuple[str, str]] = []
        for real, shown in (folders or {}).items():
            pairs += [(f, shown) for f in _forms(real)]
        inside = os.path.realpath(cache).startswith(os.path.realpath(root) + os.sep)
        if not inside:
            pairs += [(f, "~/.cache/livebench") for f in _forms(cache)]
        pairs += [(f, shown_root) for f in _forms(root)]
        home = os.environ.get("HOME")
        if home and home != "/":
            pairs += [(f, "~") for f in _forms(Path(home))]
        pairs.sort(key=lambda p: len(p[0]), reverse=True)
        return cls(tuple(pairs), dict(values or {}))

    def text(self, text: str) -> str:
        for real, shown in self.replacements:
            if real in text:
                text = re.sub(re.escape(real) + r"(?![\w.-])", lambda _m, s=shown: s, text)  # not /proj-old
        return text

    def command(self, command: str) -> str:
        """The command with ``$VAR``/``${VAR}`` of livebench's variables replaced by their shown values."""
        for var, value in self.values.items():
            command = re.sub(r"\$\{" + var + r"\}|\$" + var + r"\b", lambda _m, v=value: v, command)
        return self.text(command)

    def entry(self, entry: dict) -> dict:
        """A transcript entry made readable in place: ``output`` with neutral paths, ``shown`` the command."""
        entry["output"] = self.text(entry.get("output") or "")
        entry["shown"] = self.command(entry["command"])
        return entry
