"""A transcript as a terminal: the prompt and the command as shown, the output escaped, its ANSI colours
as colours, lines the author chose to hide replaced by a marker that counts them, long output folded.

Output options of the `transcript:` block (and `probe:`):

* ``hide: [REGEX, ...]`` — lines matching any pattern are left out; a marker line in their place
  says how many (nothing disappears silently);
* ``fold: N`` — output longer than N lines (default 40; 0 never folds) shows its first and last
  lines, the middle behind an expander.
"""
from __future__ import annotations

import html
import re
from typing import Any

from ..errors import DirectiveError
from .html import esc
from .labels import label

DEFAULT_FOLD = 40
KEEP = 12  # lines kept above and below a fold
_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_OTHER_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-ln-~]|\x1b\[[0-?]*[<=>:][0-?]*m|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
COLOURS = {0: "black", 1: "red", 2: "green", 3: "yellow", 4: "blue", 5: "magenta", 6: "cyan", 7: "white"}


def output_options(opts: dict) -> tuple[list[re.Pattern[str]], int]:
    hide = opts.get("hide", [])
    if isinstance(hide, str):
        hide = [hide]
    if not isinstance(hide, list) or not all(isinstance(h, str) and h for h in hide):
        raise DirectiveError(f"'hide' takes a list of regular expressions, got {hide!r}")
    patterns = []
    for h in hide:
        try:
            patterns.append(re.compile(h))
        except re.error as exc:
            raise DirectiveError(f"'hide': {h!r} is not a regular expression ({exc})") from None
    fold = opts.get("fold", DEFAULT_FOLD)
    if isinstance(fold, bool) or not isinstance(fold, int) or fold < 0:
        raise DirectiveError(f"'fold' takes a number of lines (0: never fold), got {fold!r}")
    return patterns, fold


def _hidden(lines: list[str], patterns: list[re.Pattern[str]], lang: str) -> list[str]:
    """Lines as HTML, the hidden ones replaced by one marker line (where the first of them was)."""
    if not patterns:
        return lines
    plain = [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in lines]
    hidden = [i for i, p in enumerate(plain) if any(r.search(p) for r in patterns)]
    if not hidden:
        return lines
    marker = f'<span class="lb-hidden">[{esc(label(lang, "lines_hidden", n=str(len(hidden))))}]</span>'
    gone = set(hidden)
    out = [line for i, line in enumerate(lines) if i not in gone]
    out.insert(hidden[0], marker)  # every line before the first hidden one is kept
    return out


def _folded(lines: list[str], fold: int, lang: str) -> str:
    if not fold or len(lines) <= max(fold, 2 * KEEP + 1):
        return "\n".join(lines)
    middle = lines[KEEP:-KEEP]
    summary = esc(label(lang, "lines_folded", n=str(len(middle))))
    # inline, with the newlines inside: closed it reads "…11 / ▸ 276 more lines / 288…", open every line
    return ("\n".join(lines[:KEEP]) + f'\n<details class="lb-fold"><summary>{summary}\n</summary>'
            + "\n".join(middle) + "\n</details>" + "\n".join(lines[-KEEP:]))


def ansi_html(text: str) -> str:
    """Terminal output as safe HTML: SGR colours and bold as spans, other escapes dropped, controls visible."""
    text = text.replace("\r\n", "\n")
    text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))  # a bare CR redraws the line
    text = _OTHER_ESCAPES.sub("", text)
    out: list[str] = []
    style: dict[str, Any] = {}
    pos = 0
    for m in _SGR.finditer(text):
        out.append(_span(text[pos:m.start()], style))
        style = _apply(style, m.group(1))
        pos = m.end()
    out.append(_span(text[pos:], style))
    return "".join(out)


def _span(chunk: str, style: dict[str, Any]) -> str:
    if not chunk:
        return ""
    body = esc(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", chunk))
    classes = [f"lb-fg-{style['fg']}"] if style.get("fg") else []
    if style.get("bold"):
        classes.append("lb-bold")
    if not classes:
        return body
    # one span per line, so a <details> fold never cuts a span in two
    return "\n".join(f'<span class="{" ".join(classes)}">{part}</span>' if part else "" for part in body.split("\n"))


def _apply(style: dict[str, Any], params: str) -> dict[str, Any]:
    style = dict(style)
    codes = [int(c) for c in params.split(";") if c.isdigit()] or [0]
    for c in codes:
        if c == 0:
            style = {}
        elif c == 1:
            style["bold"] = True
        elif c == 22:
            style.pop("bold", None)
        elif 30 <= c <= 37 or 90 <= c <= 97:
            style["fg"] = ("bright-" if c >= 90 else "") + COLOURS[c % 10]
        elif c == 39:
            style.pop("fg", None)
    return style


def terminal(entries: list[dict], prompt: str, title: str, lang: str, extra_class: str = "",
             opts: dict | None = None) -> str:
    patterns, fold = output_options(opts or {})
    lines: list[str] = []
    for e in entries:
        shown = e.get("shown") or e["command"]
        lines.append(f'<span class="lb-prompt">{esc(prompt)}</span> <span class="lb-cmd">{esc(shown)}</span>')
        output = (e.get("output") or "").rstrip("\n")
        if output:
            lines.append(_folded(_hidden(ansi_html(output).split("\n"), patterns, lang), fold, lang))
        if e.get("exit_code"):
            lines.append(f'<span class="lb-exit">[{esc(label(lang, "exit"))} {esc(e["exit_code"])}]</span>')
    return (
        f'<div class="lb-terminal {extra_class}" data-lb-title="{esc(title)}">'
        f'<div class="lb-terminal__bar"><span class="lb-dots"></span><span>{esc(title)}</span></div>'
        f'<pre class="lb-terminal__screen"><code>{chr(10).join(lines)}</code></pre></div>'
    )
