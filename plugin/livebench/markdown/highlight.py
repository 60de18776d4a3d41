"""`source` blocks coloured by the site's own Markdown configuration once, then kept with the page.

Left in the page as fences, they had Pygments compile the C, Rust and TOML lexers' rules again in
every build (about 0.04 s each here, a third of what a warm build spends on livebench's pages).
Converted here with the same ``markdown_extensions`` and ``mdx_configs`` the page uses, their HTML
goes into the page's block stash, and a warm build that recalls the page loads no lexer at all.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension


def _name(obj: Any) -> str:
    """A stable name for an extension instance or a callable in mdx_configs (their repr holds an address)."""
    kind = obj if isinstance(obj, type) else type(obj)
    if callable(obj) and hasattr(obj, "__qualname__"):
        return f"{getattr(obj, '__module__', '')}.{obj.__qualname__}"
    return f"{kind.__module__}.{kind.__qualname__}"


class SiteHighlighter:
    """``highlight(fence_lines)`` → the HTML the page's own conversion would give the fence, or None
    where a standalone conversion could differ from it (line-number anchors are numbered per page)."""

    def __init__(self, extensions: list[Any], configs: dict[str, Any], skip: tuple[Extension, ...] = ()) -> None:
        self.extensions = [e for e in extensions if not any(e is s for s in skip)]
        self.configs = configs
        self.md: Markdown | None = None
        import pygments  # the colours' version keys the kept pages too; the package itself is tiny
        names = [e if isinstance(e, str) else _name(e) for e in self.extensions]
        text = json.dumps({"extensions": names, "configs": configs, "pygments": pygments.__version__},
                          sort_keys=True, default=_name)
        self.key = "highlight:" + hashlib.sha256(text.encode()).hexdigest()[:16]

    def __call__(self, fenced: list[str]) -> str | None:
        if self.md is None:
            self.md = Markdown(extensions=self.extensions, extension_configs=self.configs)
        html = self.md.reset().convert("\n".join(fenced))
        if ' id="' in html or "<pre" not in html:
            return None
        return html
