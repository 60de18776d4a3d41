"""Rendered blocks put back inside Markdown's own run, so no later reader of the HTML sees a token.

Python-Markdown leaves raw HTML alone only at column 0, so a block indented in a tab, a list or an
admonition is handed to Markdown as a token and its HTML kept aside. Putting it back in
``on_page_content`` was too late: Material's blog renders excerpts, and the search plugin indexes
pages, from HTML made before that hook, and showed the token. A postprocessor runs inside every
conversion of the page's Markdown, the page's own and any excerpt's (which uses the same
``markdown_extensions``), so the HTML is complete wherever it is read.
"""
from __future__ import annotations

from markdown import Markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor

from ..render import restore_blocks

# After RawHtmlPostprocessor (30) has put Markdown's own stash back; our tokens are plain words.
PRIORITY = 25


class BlockSlots(Extension):
    """The blocks of one site build (token → HTML), and the extension that restores them."""

    def __init__(self) -> None:
        super().__init__()
        self.html: dict[str, str] = {}

    def extendMarkdown(self, md: Markdown) -> None:
        md.postprocessors.register(_Restore(md, self), "livebench-blocks", PRIORITY)


class _Restore(Postprocessor):
    def __init__(self, md: Markdown, slots: BlockSlots) -> None:
        super().__init__(md)
        self.slots = slots

    def run(self, text: str) -> str:
        return restore_blocks(text, self.slots.html)
