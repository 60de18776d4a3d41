"""One logging seam: the core logs through ``logger()``; an adapter installs its own with ``use_logger``.

As pypa/build does (``_ctx.py``), but process-wide rather than a ContextVar: builds and probes log
from worker threads, which would not see a context variable set by the adapter. The MkDocs adapter
hands in ``get_plugin_logger("livebench")`` (it adds the ``livebench:`` prefix), the CLI a rich one.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

Logger = logging.Logger | logging.LoggerAdapter  # type: ignore[type-arg]

_current: Logger = logging.getLogger("livebench")


def logger() -> Logger:
    """The installed logger (the adapter's, or ``logging.getLogger("livebench")``)."""
    return _current


def info(msg: str, *args: object) -> None:
    _current.info(msg, *args)


@contextlib.contextmanager
def use_logger(log: Logger) -> Iterator[None]:
    """Log through ``log`` while the block runs (one run per process at a time)."""
    global _current
    previous, _current = _current, log
    try:
        yield
    finally:
        _current = previous
