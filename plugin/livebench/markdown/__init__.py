"""⑤ Pages through Python-Markdown: the one render path of both hosts.

``page`` renders a page from a record; ``extension`` is ``markdown_extensions: - livebench`` (for
Zensical and plain Python-Markdown); ``slots`` puts blocks back inside Markdown's own run; ``assets``
is what a site serves besides its pages. The MkDocs plugin is an adapter over these.
"""
from __future__ import annotations

from .extension import LivebenchExtension, makeExtension

__all__ = ["LivebenchExtension", "makeExtension"]
