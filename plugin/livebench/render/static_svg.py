"""A chart drawn at build time as plain SVG, shown at once and replaced by Plotly's once it loads.

Parsing plotly.min.js (4.8 MB) takes about two seconds before the first interactive chart appears;
the static drawing appears with the page. It draws bar charts (vertical or horizontal; grouped,
stacked or overlaid; with a base, as the timeline's Gantt bars; linear or log value axis) and
heatmaps with their cell text, from the same figure Plotly gets. Other kinds get no drawing (None)
and wait for Plotly. Text nodes go through ``text`` (escaped and Markdown-inert); attributes carry
only numbers and colours.
"""
from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from typing import Any

W, PAD_L, PAD_R, PAD_T, PAD_B = 720, 150, 16, 44, 48
PALETTE = ("#5c6bc0", "#26a69a", "#ab47bc", "#ffa726", "#8d6e63", "#78909c")


_HEX = re.compile(r"^#[0-9a-fA-F]{3,8}$")


def _plain(value: object) -> str:
    """Plotly's text (escaped, with <br> and the like) as plain text for an SVG text node."""
    return html.unescape(re.sub(r"<[^>]*>", " ", str(value))).strip()


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _compact(v: float) -> str:
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:.3g}{suffix}"
    return f"{v:.3g}"


def _ticks(lo: float, hi: float, log: bool) -> list[float]:
    if log:
        return [10.0 ** e for e in range(math.floor(lo), math.ceil(hi) + 1)]
    step = 10 ** math.floor(math.log10(hi - lo or 1)) / 10
    for mult in (1, 2, 5, 10, 20, 50):
        if (hi - lo) / (step * mult) <= 5:
            step *= mult
            break
    return [lo + i * step for i in range(int((hi - lo) / step) + 1)]


def _color(trace: dict, i: int, k: int) -> str:
    c = (trace.get("marker") or {}).get("color")
    if isinstance(c, list):
        c = c[k] if k < len(c) else None
    return c if isinstance(c, str) and _HEX.match(c) else PALETTE[i % len(PALETTE)]


def svg(spec: dict, escape: Callable[[object], str]) -> str | None:
    def text(value: object) -> str:
        return escape(_plain(value))

    traces = [t for t in spec.get("data") or [] if isinstance(t, dict)]
    if any(t.get("xaxis", "x") != "x" for t in traces):
        return None  # a faceted chart's panels: Plotly draws them
    if traces and all(t.get("type") == "bar" for t in traces):
        return _bars(traces, spec.get("layout") or {}, text)
    if len(traces) == 1 and traces[0].get("type") == "heatmap":
        return _heatmap(traces[0], spec.get("layout") or {}, text)
    return None


def _frame(h: int, body: list[str], layout: dict, text: Callable[[object], str], legend: list[tuple[str, str]]) -> str:
    title = str(((layout.get("title") or {}).get("text")) or "")
    first = re.split(r"<br\s*/?>", title)[0]  # the title's first line: the rest is detail Plotly shows
    first = first if len(first) <= 96 else first[:95] + "…"
    keys, x = "", float(PAD_L)
    for name, colour in legend[:4]:  # laid out by an estimate of each name's width (11 px text)
        keys += f'<rect x="{x:.0f}" y="26" width="10" height="10" fill="{colour}"/><text x="{x + 14:.0f}" y="35">{text(name)}</text>'
        x += 34 + 6.2 * len(_plain(name))
    return (f'<svg class="lb-chart__static" viewBox="0 0 {W} {h}" role="presentation" font-size="11" '
            f'fill="currentColor"><text x="4" y="16" font-size="14">{text(first)}</text>{keys}{"".join(body)}</svg>')


def _bars(traces: list[dict], layout: dict, text: Callable[[object], str]) -> str | None:
    horizontal = traces[0].get("orientation") == "h"
    cat_key, val_key = ("y", "x") if horizontal else ("x", "y")
    cats: list[str] = []
    for t in traces:
        for c in t.get(cat_key) or []:
            if str(c) not in cats:
                cats.append(str(c))
    if not cats:
        return None
    given = (layout.get("yaxis" if horizontal else "xaxis") or {}).get("categoryarray") or []
    cats = [c for c in map(str, given) if c in cats] + [c for c in cats if c not in map(str, given)]  # Plotly's order
    mode = layout.get("barmode") or "group"
    axis = layout.get("xaxis" if horizontal else "yaxis") or {}
    log = axis.get("type") == "log"
    bars: list[tuple[int, int, float, float, str]] = []  # (category, slot, start, end, colour)
    top: dict[int, float] = {}
    for i, t in enumerate(traces):
        bases = t.get("base") if isinstance(t.get("base"), list) else None
        for k, (c, v) in enumerate(zip(t.get(cat_key) or [], t.get(val_key) or [])):
            v = _num(v)
            if v is None:
                continue
            ci = cats.index(str(c))
            start = _num(bases[k]) if bases and k < len(bases) else 0.0
            if mode in ("stack", "relative"):
                start = top.get(ci, 0.0)
                top[ci] = start + v
            bars.append((ci, i if mode == "group" else 0, start or 0.0, (start or 0.0) + v, _color(t, i, k)))
    if not bars:
        return None
    hi = max(b[3] for b in bars)
    lo = min(min(b[2] for b in bars), 0.0)
    if log:
        positive = [b[3] for b in bars if b[3] > 0]
        if not positive:
            return None
        lo, hi = math.log10(min(positive)) - 0.3, math.log10(max(positive)) + 0.1
    hi = hi if hi > lo else lo + 1
    slots = len(traces) if mode == "group" else 1
    band = 26 if horizontal else 0
    h = int(layout.get("height") or (PAD_T + PAD_B + band * len(cats) if horizontal else 360))
    h = max(h, PAD_T + PAD_B + 60)
    span = (W - PAD_L - PAD_R) if horizontal else (h - PAD_T - PAD_B)
    along = (h - PAD_T - PAD_B) if horizontal else (W - PAD_L - PAD_R)
    step = along / len(cats)

    def at(v: float) -> float:
        if log:
            v = math.log10(v) if v > 0 else lo
        return (v - lo) / (hi - lo) * span

    body: list[str] = []
    for tick in _ticks(lo, hi, log) if not log else _ticks(lo, hi, True):
        p = at(tick)
        if not 0 <= p <= span + 0.5:
            continue
        if horizontal:
            x = PAD_L + p
            body.append(f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{h - PAD_B}" stroke="currentColor" '
                        f'stroke-opacity=".15"/><text x="{x:.1f}" y="{h - PAD_B + 14}" text-anchor="middle">'
                        f"{text(_compact(tick))}</text>")
        else:
            y = h - PAD_B - p
            body.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{W - PAD_R}" y2="{y:.1f}" stroke="currentColor" '
                        f'stroke-opacity=".15"/><text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">'
                        f"{text(_compact(tick))}</text>")
    for ci, cat in enumerate(cats):
        mid = (PAD_T if horizontal else PAD_L) + step * (ci + 0.5)
        if horizontal:
            body.append(f'<text x="{PAD_L - 6}" y="{mid + 4:.1f}" text-anchor="end">{text(_plain(cat)[:24])}</text>')
        else:
            body.append(f'<text x="{mid:.1f}" y="{h - PAD_B + 14}" text-anchor="middle">{text(_plain(cat)[:18])}</text>')
    width = step * 0.8 / slots
    for ci, slot, start, end, colour in bars:
        a, b = sorted((at(start) if not log else (at(start) if start > 0 else 0.0), at(end)))
        offset = (PAD_T if horizontal else PAD_L) + step * ci + step * 0.1 + width * slot
        if horizontal:
            body.append(f'<rect x="{PAD_L + a:.1f}" y="{offset:.1f}" width="{max(b - a, 1):.1f}" '
                        f'height="{width:.1f}" fill="{colour}"/>')
        else:
            body.append(f'<rect x="{offset:.1f}" y="{h - PAD_B - b:.1f}" width="{width:.1f}" '
                        f'height="{max(b - a, 1):.1f}" fill="{colour}"/>')
    legend = [(str(t.get("name")), _color(t, i, 0)) for i, t in enumerate(traces) if t.get("name")]
    return _frame(h, body, layout, text, legend if len(legend) > 1 else [])


def _heatmap(trace: dict, layout: dict, text: Callable[[object], str]) -> str | None:
    z = trace.get("z") or []
    xs, ys = [str(x) for x in trace.get("x") or []], [str(y) for y in trace.get("y") or []]
    if not z or not xs or not ys:
        return None
    scale = trace.get("colorscale") or [[0, PALETTE[0]], [1, PALETTE[1]]]
    values = [v for row in z for v in row if _num(v) is not None]
    lo, hi = (trace.get("zmin", min(values, default=0)), trace.get("zmax", max(values, default=1)))
    h = int(layout.get("height") or PAD_T + PAD_B + 34 * len(ys))
    cw, ch = (W - PAD_L - PAD_R) / len(xs), (h - PAD_T - PAD_B) / len(ys)
    labels = trace.get("text") or []
    body = []
    for r, row in enumerate(z):
        for c, v in enumerate(row):
            v = _num(v)
            if v is None:
                continue
            pos = (v - lo) / ((hi - lo) or 1)
            colour = min(scale, key=lambda stop: abs(float(stop[0]) - pos))[1]
            colour = colour if isinstance(colour, str) and _HEX.match(colour) else PALETTE[0]
            x, y = PAD_L + c * cw, PAD_T + r * ch
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{cw - 2:.1f}" height="{ch - 2:.1f}" fill="{colour}"/>')
            cell = _plain(labels[r][c]) if r < len(labels) and isinstance(labels[r], list) and c < len(labels[r]) else ""
            if cell:
                body.append(f'<text x="{x + cw / 2:.1f}" y="{y + ch / 2 + 4:.1f}" text-anchor="middle" '
                            f'fill="#fff">{text(cell)}</text>')
    for r, name in enumerate(ys):
        body.append(f'<text x="{PAD_L - 6}" y="{PAD_T + (r + 0.5) * ch + 4:.1f}" text-anchor="end">'
                    f"{text(_plain(name)[:24])}</text>")
    for c, name in enumerate(xs):
        body.append(f'<text x="{PAD_L + (c + 0.5) * cw:.1f}" y="{h - PAD_B + 14}" text-anchor="middle">'
                    f"{text(_plain(name)[:18])}</text>")
    return _frame(h, body, layout, text, [])
