"""The one way a date is written into a record or a baseline: UTC, whole seconds, ISO 8601."""
from __future__ import annotations

import datetime as _dt


def utc_now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
