"""⑥ The MkDocs adapter: ``plugins: - livebench`` (config.py is the schema, plugin.py the hooks)."""
from __future__ import annotations

from .plugin import LivebenchPlugin

__all__ = ["LivebenchPlugin"]
