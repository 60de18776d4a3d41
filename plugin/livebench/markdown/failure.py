"""How a failure reaches the user of a site generator that only runs Markdown extensions.

Zensical (0.0.x) renders each page by calling Python-Markdown from Rust; an exception raised there
stops the build with exit 1, and its report is Python's: an outer traceback, the message wrapped as
``RuntimeError: Python error: …``, then the inner traceback last. The hook below shortens exactly
that report, and only for an exception carrying a message we raised, to our message; every other
exception reaches the previous hook unchanged.
"""
from __future__ import annotations

import sys
from types import TracebackType

from ..errors import PageError

_raised: list[str] = []  # the messages of failures we raised in this process
_installed = False


def fail(message: str) -> PageError:
    """The exception to raise for ``message``, with the process's report shortened to it."""
    _install()
    _raised.append(message)
    return PageError(message)


def _install() -> None:
    global _installed
    if _installed:
        return
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        text = str(exc)
        ours = next((m for m in _raised if m in text), None)
        if ours is None:
            previous(kind, exc, tb)
            return
        sys.stderr.flush()
        print(ours, file=sys.stderr)

    sys.excepthook = hook
    _installed = True
