"""Where, when and with what a table's numbers were measured: one line, the full list on demand."""
from __future__ import annotations

from .html import esc
from .labels import label

# The tools a reader asks about first; any other recorded tool follows in the spec's order.
FIRST_TOOLS = ("rustc", "cargo", "gcc", "musl", "musl-gcc", "docker")


def short_date(iso: str | None, lang: str = "en") -> str:
    """``2026-11-28T06:51:16+00:00`` → ``2026-11-28 06:51 UTC`` (Korean: ``2026년 11월 28일 06:51 UTC``)."""
    if not iso:
        return "?"
    day, _, rest = iso.partition("T")
    if lang == "ko" and len(day) == 10:
        y, m, d = day.split("-")
        day = f"{int(y)}년 {int(m)}월 {int(d)}일"
    return f"{day} {rest[:5]} UTC" if rest else day


def kernel_release(kernel: str | None) -> str:
    parts = (kernel or "").split(" ")
    return " ".join(parts[:2]) if len(parts) > 1 else (kernel or "?")


def engine_text(p: dict) -> str | None:
    e = p.get("engine") or {}
    if not e.get("version"):
        return None
    bits = [f"Docker Engine {e['version']}"]
    if e.get("api_version"):
        bits.append(f"API {e['api_version']}")
    if e.get("storage_driver"):
        bits.append(f"{e['storage_driver']}")
    if e.get("image_store"):
        bits.append(f"{e['image_store']} image store")
    if e.get("host") and e.get("host_from") not in (None, "default"):
        bits.append(f"at {e['host']}")  # a remote engine: its machine measured the images
    return ", ".join(bits)


def provenance_html(record: dict, lang: str) -> str:
    p = record.get("provenance") or {}
    L = lambda k, **f: esc(label(lang, k, **f))
    commit = (p.get("git_commit") or "")[:10]
    engine = p.get("engine") or {}
    where_bits = [p.get("arch") or "?", kernel_release(p.get("kernel"))]
    if engine.get("version"):
        where_bits.append(f"Docker {engine['version']}"
                          + (f" ({engine['storage_driver']})" if engine.get("storage_driver") else ""))
    elif p.get("backend"):
        where_bits.append(f"{p['backend']} backend")
    where_bits.append(short_date(p.get("date"), lang))
    if commit:
        where_bits.append(f"commit {commit}")
    summary = L("prov_summary", where=" · ".join(where_bits))

    rows: list[tuple[str, str]] = [(label(lang, "prov_date"), p.get("date") or "?")]
    if p.get("git_commit"):
        rows.append((label(lang, "prov_commit"),
                     p["git_commit"] + (f" ({label(lang, 'prov_dirty')})" if p.get("git_dirty") else "")))
    rows.append((label(lang, "prov_host"), " · ".join(x for x in (p.get("arch"), p.get("os")) if x) or "?"))
    rows.append((label(lang, "prov_kernel"), p.get("kernel") or "?"))
    if engine_text(p):
        rows.append((label(lang, "prov_engine"), engine_text(p) or ""))
    if p.get("backend"):
        rows.append((label(lang, "prov_backend"), p["backend"]))
    tools = p.get("tools") or {}
    order = [t for t in FIRST_TOOLS if t in tools] + [t for t in tools if t not in FIRST_TOOLS]
    for t in order:
        if t == "docker" and engine_text(p):
            continue  # already on the engine row
        rows.append((t, str(tools[t]).splitlines()[0] if tools[t] else "?"))
    rows.append((label(lang, "prov_livebench"),
                 f"{p.get('livebench', '?')} (Python {p.get('python', '?')})"))
    items = "".join(f"<dt>{esc(k)}</dt><dd><code>{esc(v)}</code></dd>" for k, v in rows)
    return (f'<details class="lb-provenance"><summary>{summary}</summary>'
            f'<dl class="lb-provenance__list">{items}</dl></details>')


def frozen_note_html(record: dict, lang: str, path: str) -> str:
    """The note on every page with directives when the site is built from a committed record."""
    p = record.get("provenance") or {}
    host = f"{p.get('arch') or '?'}, {kernel_release(p.get('kernel'))}"
    text = label(lang, "frozen_note", date=short_date(p.get("date"), lang), host=host,
                 commit=(p.get("git_commit") or "?")[:10], path=path)
    return (f'<div class="admonition note lb-frozen"><p class="admonition-title">{esc(label(lang, "frozen_title"))}'
            f'</p><p>{esc(text)}</p></div>')


def insert_after_title(markdown: str, html: str) -> str:
    """Put ``html`` right under the page's first ``# Title`` (or at the top if it has none near the top)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines[:10]):
        if line.startswith("# "):
            return "\n".join(lines[:i + 1] + ["", html, ""] + lines[i + 1:])
    return "\n".join([html, ""] + lines)
