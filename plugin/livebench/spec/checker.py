"""Collects spec problems with file:line and key path, so one run reports them all."""
from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .model import Reference, display_path

REFERENCE_KEYS = {"value", "source"}
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # names of steps, builds and benchmarks (pages refer to them)


class Checker:
    """Collects problems so one run reports them all."""

    def __init__(self, path: Path, root: Path, lines: dict[str, int]):
        self.path, self.root, self.lines = path, root, lines
        self.problems: list[str] = []

    def add(self, key_path: str, message: str) -> None:
        line = self.lines.get(key_path)
        # fall back to the nearest parent key that has a line
        probe = key_path
        while line is None and ("." in probe or "[" in probe):
            parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe)
            if parent == probe:  # a key that itself ends in '.' or holds '[': no parent to strip
                break
            probe = parent
            line = self.lines.get(probe)
        where = display_path(self.path, self.root) + (f":{line}" if line else "")
        self.problems.append(f"{where}: {printable(key_path)}: {printable(message)}")

    def keys(self, key_path: str, value: dict[str, Any], allowed: set[str]) -> None:
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                tip = f" Did you mean '{hint[0]}'?" if hint else ""
                self.add(
                    f"{key_path}.{key}" if key_path else str(key),
                    f"unknown key.{tip} Allowed here: {', '.join(sorted(allowed))}.",
                )

    def mapping(self, key_path: str, value: Any, what: str) -> dict[Any, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(key_path, f"expected a mapping of {what}, got {kind_of(value)}.")
            return {}
        return value

    def string(self, key_path: str, value: Any, what: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.add(key_path, f"expected {what} (a non-empty string), got {kind_of(value)}.")
            return None
        if "\0" in value:  # no path, argv or environment can hold one: refuse it here, not mid-run
            self.add(key_path, f"expected {what}, got a string with a NUL character.")
            return None
        return value

    def strings(self, key_path: str, value: Any, what: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.add(key_path, f"expected a list of {what}, got {kind_of(value)}.")
            return ()
        out = []
        for i, item in enumerate(value):
            s = self.string(f"{key_path}[{i}]", item, what)
            if s is not None:
                out.append(s)
        return tuple(out)

    def number(self, key_path: str, value: Any, default: float) -> float:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
            self.add(key_path, f"expected a positive number of seconds, got {kind_of(value)}.")
            return default
        return float(value)

    def env(self, key_path: str, value: Any) -> dict[str, str]:
        env = self.mapping(key_path, value, "variable names to strings")
        out = {}
        for k, v in env.items():
            if not isinstance(v, (str, int, float)) or isinstance(v, bool):
                self.add(f"{key_path}.{k}", f"expected a string value, got {kind_of(v)}.")
                continue
            out[str(k)] = str(v)
        return out


def printable(text: str) -> str:
    """One readable line: control characters from keys or values (a stray CR, ESC) shown escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})" if value.strip() else "an empty string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__



def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest choice, or nothing."""
    hint = difflib.get_close_matches(str(word), sorted(map(str, choices)), n=1)
    return f" Did you mean '{hint[0]}'?" if hint else ""


def unknown(what: str, name: str, known: Mapping[str, Any]) -> str:
    hint = difflib.get_close_matches(name, list(known), n=1)
    tip = f" Did you mean '{hint[0]}'?" if hint else ""
    names = ", ".join(sorted(known)) or "none declared"
    return f"unknown {what} '{name}'.{tip} Declared: {names}."


def flag(c: Checker, kp: str, value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        c.add(kp, f"expected true or false, got {kind_of(value)}.")
        return False
    return value


def choice(c: Checker, kp: str, value: Any, choices: tuple[str, ...], what: str) -> str | None:
    """One of a fixed set of words, with "did you mean" (checked now, not after a build)."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in choices:
        c.add(kp, f"expected {what}: one of {', '.join(choices)}, got {kind_of(value)}."
                  f"{did_you_mean(str(value), choices)}")
        return None
    return value


def reference(c: Checker, kp: str, value: Any) -> Reference | None:
    """`reference: {value: "78.8 MB", source: "…"}`: a figure published elsewhere, shown labelled."""
    if value is None:
        return None
    entry = c.mapping(kp, value, "value and source")
    c.keys(kp, entry, REFERENCE_KEYS)
    shown = c.string(f"{kp}.value", entry.get("value"), "the figure as the source printed it")
    source = c.string(f"{kp}.source", entry.get("source"), "who measured it, and where it was published")
    if "value" not in entry or "source" not in entry:
        c.add(kp, "a reference needs both 'value' (e.g. '78.8 MB') and 'source' (who published it).")
    return Reference(shown, source) if shown and source else None
