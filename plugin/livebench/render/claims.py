"""Claims on a page: a small ✓ next to the sentence a claim backs, a warning box where one is false.

The verdict is evaluated again from the record (a pure function of it), so a page shows exactly what
the run's ``claims`` entries say. A false claim is reported once by the run (record ``failures``),
never again here; only an unreadable claim is a page problem.
"""
from __future__ import annotations

from ..errors import ClaimSyntaxError, DirectiveError
from ..spec.claims import parse_expression
from ..spec.model import Claim
from ..verify.claims import evaluate
from .html import esc, inline_text
from .labels import label

MARKS = {True: ("✓", "ok"), False: ("✗", "false"), None: ("?", "unknown")}


def _claim(exprs: list[str], text: str = "") -> Claim:
    try:
        facts = tuple(parse_expression(e) for e in exprs)
    except ClaimSyntaxError as exc:
        raise DirectiveError(str(exc)) from None
    expr = " and ".join(exprs)
    return Claim(id=expr, text=text or expr, where="", facts=facts, source="page")


def _tooltip(entry: dict, lang: str) -> str:
    head = label(lang, "claim_ok" if entry["ok"] else ("claim_false" if entry["ok"] is False else "claim_unknown"))
    facts = "; ".join(f"{f['check']} — {label(lang, 'claim_measured')} {f['measured']}" for f in entry["facts"])
    return f"{head}: {facts}"


def warning_box(entry: dict, lang: str) -> str:
    """The admonition shown where a claim is false (warn mode publishes it; fail mode fails the build)."""
    items = "".join(
        f"<li><code>{esc(f['check'])}</code>: {esc(label(lang, 'claim_measured'))} {esc(f['measured'])}, "
        f"{esc(label(lang, 'claim_expected'))} {esc(f['expected'])}</li>"
        for f in entry["facts"] if f["ok"] is not True
    )
    return (f'<div class="admonition warning lb-problem lb-claim-box"><p class="admonition-title">'
            f'{esc(label(lang, "claim_false_title"))}</p>'
            + (f"<p>{esc(entry['text'])}</p>" if entry.get("text") and entry["text"] != entry["id"] else "")
            + f"<ul>{items}</ul><p>{esc(label(lang, 'claim_reproduce'))} <code>{esc(entry['reproduce'])}</code></p></div>")


def inline_claim(expr: str, record: dict, lang: str) -> tuple[str, str | None]:
    """``{lb-claim:EXPR}`` → (the inline mark, a warning box to put after the paragraph or None)."""
    entry = evaluate(_claim([expr]), record)
    mark, cls = MARKS[entry["ok"]]
    # This span sits inside a paragraph that Markdown parses after us, and Markdown finds code spans and
    # links before it stashes a tag: the tooltip (record text) must be inert to Markdown, not only escaped.
    tip = inline_text(_tooltip(entry, lang))
    html = f'<span class="lb-claim lb-claim--{cls}" title="{tip}" aria-label="{tip}">{mark}</span>'
    return html, (warning_box(entry, lang) if entry["ok"] is False else None)


def block_claim(opts: dict, record: dict, lang: str) -> str:
    """```livebench\\nclaim: [EXPR, ...]\\ntext: ...``` → a checked list, or a warning box if one is false."""
    value = opts.get("claim")
    exprs = value if isinstance(value, list) else [value]
    if not exprs or not all(isinstance(e, str) and e.strip() for e in exprs):
        raise DirectiveError(f"'claim' takes a claim or a list of claims such as "
                             f"'build.NAME.kind == static', got {value!r}")
    text = opts.get("text") if isinstance(opts.get("text"), str) else ""
    entry = evaluate(_claim([str(e) for e in exprs], text), record)
    if entry["ok"] is False:
        return warning_box(entry, lang)
    items = "".join(
        f'<li><span class="lb-claim lb-claim--{MARKS[f["ok"]][1]}">{MARKS[f["ok"]][0]}</span> '
        f'<code>{esc(f["check"])}</code> — {esc(label(lang, "claim_measured"))} {esc(f["measured"])}</li>'
        for f in entry["facts"]
    )
    title = f"<p>{esc(text)}</p>" if text else ""
    return (f'<div class="lb-claims" title="{esc(label(lang, "claim_ok"))}">{title}'
            f'<ul class="lb-claims__list">{items}</ul></div>')
