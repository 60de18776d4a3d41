"""HTML helpers: everything from builds, file names or probes is escaped before it reaches a page."""
from __future__ import annotations

import html
import re

# CSI / OSC escape sequences (colours, cursor moves, titles) that terminals interpret.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def terminal_text(text: str) -> str:
    """Output as a terminal would show it, safe for <pre>: escapes dropped, controls made visible."""
    text = _ANSI.sub("", text.replace("\r\n", "\n"))
    # A bare CR redraws the line (progress bars): keep what the terminal would end with.
    text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return esc(text)


def inline_text(text: object) -> str:
    """Escape for an inline value inside Markdown: HTML-escaped and inert to Markdown syntax."""
    out = esc(text)
    for ch, ent in (("_", "&#95;"), ("*", "&#42;"), ("|", "&#124;"), ("`", "&#96;"),
                    ("[", "&#91;"), ("]", "&#93;"), ("{", "&#123;"), ("}", "&#125;"), ("\\", "&#92;")):
        out = out.replace(ch, ent)
    return out


def status_mark(ok: bool) -> str:
    """A check or a cross drawn by CSS (livebench.css): no emoji, so no missing-glyph box without an emoji font.
    The word next to it carries the meaning; the mark is decoration."""
    return f'<span class="lb-mark lb-mark--{"ok" if ok else "fail"}" aria-hidden="true"></span>'
