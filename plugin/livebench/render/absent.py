"""The error for something a directive names that the record lacks: when this run tried to make it
and failed (or skipped it), say so and name that failure as the cause; else it is a typo."""
from __future__ import annotations

from ..errors import DirectiveError


def failure_of(record: dict, key: str) -> dict | None:
    return next((f for f in record.get("failures", []) if f.get("what") == key), None)


def _why(failure: dict, key: str) -> str:
    return failure["message"].split(f"{key}: ", 1)[-1].splitlines()[0]


def absent(record: dict, section: str, name: str, what: str, where: str = "") -> DirectiveError:
    """``what`` ("image 'x'") is not in ``record[section]``; ``where`` (" in '{lb:…}'") says where it was named."""
    key = f"{section}.{name}"
    failure = failure_of(record, key)
    if failure is not None:
        return DirectiveError(f"{what}{where} was not made in this run: {_why(failure, key)}", cause=key)
    known = ", ".join(sorted(record.get(section, {}))) or "none in the record"
    return DirectiveError(f"unknown {what}{where}. Known: {known}")


def failed_build(record: dict, name: str, message: str) -> DirectiveError:
    """A build that is in the record but failed: ``message`` says what has no value because of it."""
    key = f"builds.{name}"
    return DirectiveError(message, cause=key if failure_of(record, key) else None)


def absent_probe(record: dict, build: str, base: str) -> DirectiveError:
    key = f"probes.expect.{build}.{base}"
    failure = failure_of(record, key)
    if failure is not None:
        return DirectiveError(f"the probe of '{build}' in base '{base}' did not run: {_why(failure, key)}", cause=key)
    return DirectiveError(f"no probe of '{build}' in base '{base}' in the record")
