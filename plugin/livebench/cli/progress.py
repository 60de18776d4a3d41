"""What the CLI shows while it runs: log lines through rich on stderr, and a live status line."""
from __future__ import annotations

import logging
import sys
import threading
import time
from typing import Any


def make_logger(quiet: bool) -> logging.Logger:
    """Progress goes to stderr through rich, so stdout stays clean for --json."""
    logger = logging.getLogger("livebench.cli")
    logger.handlers.clear()
    if quiet:  # warnings only: a plain handler spares importing rich (~20 ms of a short run)
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
    else:
        from rich.console import Console
        from rich.logging import RichHandler

        handler = RichHandler(console=Console(stderr=True), show_path=False, show_level=False,
                              markup=False, log_time_format="[%X]")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    logger.propagate = False
    return logger


class LiveProgress:
    """A rich status line while builds run: what is running, for how long, how much is done."""

    def __init__(self, console: Any):
        self.console = console
        self.running: dict[str, float] = {}
        self.done = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._status = None

    def __enter__(self) -> LiveProgress:
        if self.console.is_terminal:
            self._status = self.console.status(self)  # rendered again on every refresh (elapsed times)
            self._status.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._status is not None:
            self._status.__exit__(*exc)

    def __call__(self, event: str, name: str, detail: str = "") -> None:
        with self._lock:
            if event == "start":
                self.running[name] = time.monotonic()
            elif event in ("done", "cached", "failed"):
                self.running.pop(name, None)
                self.done += 1
                self.failed += event == "failed"

    def __rich__(self) -> str:
        with self._lock:
            now = time.monotonic()
            items = [f"{n} {now - t:.0f}s" for n, t in sorted(self.running.items(), key=lambda kv: kv[1])]
            done, failed = self.done, self.failed
        head = f"livebench: {done} done" + (f", {failed} failed" if failed else "")
        return head + (" · running: " + ", ".join(items) if items else "")


def progress_for(logger: Any, quiet: bool) -> LiveProgress | None:
    """The status line, on the same console as the log lines (so they interleave cleanly)."""
    if quiet:
        return None
    for handler in getattr(logger, "handlers", []):
        console = getattr(handler, "console", None)
        if console is not None and console.is_terminal:
            return LiveProgress(console)
    return None
