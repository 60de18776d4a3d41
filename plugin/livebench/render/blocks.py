"""Block directives → HTML. Each takes the directive's options, the record and the language."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .._util.units import human_size
from ..errors import DirectiveError
from ..spec.checker import did_you_mean
from .absent import absent, absent_probe, failed_build
from .bench import block_benchmark
from .chart_kinds import ALL_OPTIONS as CHART_OPTIONS_ALL
from .claims import block_claim
from .html import esc, status_mark, terminal_text
from .labels import KIND_WORDS, label
from .machines import render_for_machines
from .measures import block_measurements
from .options import names as option_names
from .terminal import terminal


def _get(record: dict, section: str, name: str, what: str) -> dict:
    item = record.get(section, {}).get(name)
    if item is None:
        raise absent(record, section, name, f"{what} '{name}'")
    return item


def _ok_build(record: dict, name: str) -> dict:
    b = _get(record, "builds", name, "build")
    if not b.get("ok") or not b.get("linkage"):
        raise failed_build(record, name, f"build '{name}' failed or could not be inspected: "
                                         f"{b.get('error') or b.get('linkage_error')}")
    return b


def block_transcript(opts: dict, record: dict, lang: str) -> str:
    name = opts["transcript"]
    if not isinstance(name, str):
        raise DirectiveError(f"'transcript' takes one build or setup step name, got {name!r}")
    item = record.get("builds", {}).get(name) or record.get("setup", {}).get(name)
    if item is None:
        known = sorted(set(record.get("builds", {})) | set(record.get("setup", {})))
        raise DirectiveError(f"unknown build or setup step '{name}'. Known: {', '.join(known) or 'none'}")
    entries = item.get("transcript") or []
    if "commands" in opts:
        idx = opts["commands"]
        if not isinstance(idx, list) or not all(isinstance(i, int) and 0 <= i < len(entries) for i in idx):
            raise DirectiveError(f"'commands' must list command indexes 0..{len(entries) - 1}, got {idx!r}")
        entries = [entries[i] for i in idx]
    prompt = str(opts.get("prompt", "$"))
    note = label(lang, "cached") if item.get("cached") else label(lang, "measured")
    if item.get("incremental"):  # the author opted out of clean builds: the page says so
        note += f", {label(lang, 'incremental')}"
    title = str(opts.get("title") or f"{name} — {note}")
    cls = "lb-failed" if not item.get("ok") else ""
    return terminal(entries, prompt, title, lang, cls, opts)


def block_linkage(opts: dict, record: dict, lang: str) -> str:
    names = option_names(opts, "linkage")
    L = lambda k: esc(label(lang, k))
    head = "".join(f"<th>{L(k)}</th>" for k in ("build", "size", "kind", "libc", "interpreter", "needed", "stripped"))
    rows, listings = [], []
    for name in names:
        b = _ok_build(record, name)
        lk = b["linkage"]
        kind = KIND_WORDS.get(lang, {}).get(lk["kind"], lk["kind"])
        rows.append(
            "<tr>"
            f"<td><code>{esc(name)}</code></td>"
            f'<td title="{b["artifact"]["size"]:,} {L("bytes")}">{esc(human_size(b["artifact"]["size"]))}</td>'
            f"<td>{esc(kind)}</td><td>{esc(lk['libc'])}</td>"
            f"<td>{'<code>' + esc(lk['interpreter']) + '</code>' if lk.get('interpreter') else L('none')}</td>"
            f"<td>{', '.join('<code>' + esc(n) + '</code>' for n in lk.get('needed') or []) or L('none')}</td>"
            f"<td>{L('yes' if lk.get('stripped') else 'no')}</td>"
            "</tr>"
        )
        listing = lk.get("ldd") or ""
        listings.append(
            f'<details class="lb-ldd" open><summary>{esc(label(lang, "ldd_title", name=name))}</summary>'
            f'<pre><code>{terminal_text(listing.rstrip())}</code></pre></details>'
        )
    return (
        '<div class="lb-linkage"><table class="lb-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        + "".join(listings) + "</div>"
    )


def block_images(opts: dict, record: dict, lang: str) -> str:
    names = option_names(opts, "images")
    show_ref = bool(opts.get("reference"))
    L = lambda k: esc(label(lang, k))
    cols = ["image", "base", "uncompressed", "compressed", "engine", "layers"]
    if show_ref:
        cols.append("reference")
    head = "".join(f"<th>{L(c)}</th>" for c in cols)
    rows = []
    for name in names:
        im = _get(record, "images", name, "image")
        size = im.get("size") or {}
        layers = " + ".join(  # "base 73.8 MB + app 934.8 kB", in the page's language
            f'{esc(label(lang, "layer_word_" + ("app" if l.get("role") == "app" else "base")))} '
            f'{esc(human_size(l.get("size")))}' for l in im.get("layers") or []
        )
        cells = [
            f"<td><code>{esc(name)}</code></td>",
            f"<td>{esc(im.get('base', ''))}</td>",
            f'<td title="{size.get("uncompressed", 0):,} {L("bytes")}">{esc(human_size(size.get("uncompressed")))}</td>',
            f'<td title="{size.get("compressed", 0):,} {L("bytes")}">{esc(human_size(size.get("compressed")))}</td>',
            f"<td>{esc(human_size(size.get('engine'))) if size.get('engine') is not None else '–'}</td>",
            f'<td class="lb-wrap">{layers}</td>',
        ]
        if show_ref:
            ref = im.get("reference")  # published elsewhere; the spec says by whom (never measured here)
            shown = esc(ref["value"]) + " <small>(" + esc(ref["source"]) + ")</small>" if ref else "–"
            cells.append(f'<td class="lb-wrap">{shown}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="lb-note">{L("reference_note")}</p>' if show_ref else ""
    return (f'<div class="lb-images"><table class="lb-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{note}</div>")


def block_docker_images(opts: dict, record: dict, lang: str) -> str:
    """The engine's real `docker images` lines of these images; with the embedded backend (or a record
    without the listing) a table computed from the layers, labelled so, never a look-alike terminal."""
    names = option_names(opts, "docker-images")
    images = [_get(record, "images", n, "image") for n in names]
    listing = record.get("docker_images")
    if listing and all(im.get("backend") == "docker" for im in images):
        wanted = {im.get("ref") for im in images}
        lines = listing["output"].rstrip("\n").splitlines()
        rows = [line for line in lines[1:] if not line.startswith("[livebench:") and _listing_ref(line) in wanted]
        missing = [n for n, im in zip(names, images) if im.get("ref") not in {_listing_ref(r) for r in rows}]
        if missing:
            raise DirectiveError(f"`docker images` of the run does not list {', '.join(missing)}: "
                                 f"run again (`livebench run`) so the engine holds them")
        others = len(lines) - 1 - len(rows)
        if others:
            rows.append(f"[livebench: {others} line(s) of other images left out]")
        entry = {**listing, "output": "\n".join(lines[:1] + rows)}
        return terminal([entry], str(opts.get("prompt", "$")), str(opts.get("title") or "docker images"), lang)
    L = lambda k: esc(label(lang, k))
    head = "".join(f"<th>{L(k)}</th>" for k in ("image", "tag", "image_id", "uncompressed"))
    body = []
    for name, im in zip(names, images):
        ref = im.get("ref") or f"livebench/{name}:latest"
        repo, _, tag = ref.rpartition(":")
        body.append(f"<tr><td><code>{esc(repo)}</code></td><td>{esc(tag)}</td>"
                    f"<td><code>{esc((im.get('id') or '').split(':')[-1][:12])}</code></td>"
                    f"<td>{esc(human_size(im['size']['uncompressed']))}</td></tr>")
    return (f'<div class="lb-images"><table class="lb-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table><p class=\"lb-note\">{L('computed_listing')}</p></div>")


def _listing_ref(line: str) -> str:
    cols = re.split(r"\s{2,}", line.strip())
    return f"{cols[0]}:{cols[1]}" if len(cols) > 1 else cols[0]


def block_probes(opts: dict, record: dict, lang: str) -> str:
    names = option_names(opts, "probes")
    probes = record.get("probes", {})
    bases: list[str] = []
    for n in names:
        for base in probes.get(n, {}):
            if base not in bases:
                bases.append(base)
    if not bases:
        raise DirectiveError(f"no probes in the record for {', '.join(names)}")
    L = lambda k: esc(label(lang, k))
    head = f"<th>{L('build')}</th>" + "".join(f"<th>{esc(b)}</th>" for b in bases)
    rows = []
    for n in names:
        if n not in probes:
            raise DirectiveError(f"no probes for build '{n}'. Probed: {', '.join(sorted(probes)) or 'none'}")
        cells = []
        for base in bases:
            p = probes[n].get(base)
            if p is None:
                cells.append("<td>–</td>")
                continue
            ran = p.get("exit_code") == 0
            word = L("runs" if ran else "fails")
            mark = status_mark(ran)
            flag = "" if p.get("ok", True) else f' <strong class="lb-unexpected">({L("unexpected")})</strong>'
            if p.get("emulated"):
                flag += f' <small class="lb-emulated" title="{esc(p["emulated"])}">({L("emulated")})</small>'
            cells.append(f'<td class="lb-{"ok" if ran else "fail"}" title="{L("exit")} {esc(p.get("exit_code"))}">'
                         f"{mark} {word}{flag}</td>")
        rows.append(f"<tr><td><code>{esc(n)}</code></td>{''.join(cells)}</tr>")
    return (f'<div class="lb-probes"><table class="lb-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def block_probe(opts: dict, record: dict, lang: str) -> str:
    name, base = opts.get("probe"), opts.get("base")
    if not isinstance(name, str) or not isinstance(base, str):
        raise DirectiveError("'probe' needs a build name and 'base' a base name")
    p = record.get("probes", {}).get(name, {}).get(base)
    if p is None:
        raise absent_probe(record, name, base)
    entry = {"command": p.get("command", ""), "shown": p.get("shown"), "output": p.get("output", ""),
             "exit_code": p.get("exit_code")}
    title = str(opts.get("title") or f"{name} @ {base}")
    screen = terminal([entry], str(opts.get("prompt", "$")), title, lang, "" if p.get("exit_code") == 0 else "lb-failed",
                      opts)
    if not p.get("shown"):
        return screen  # a record from before `shown`: the terminal already shows the engine's command
    how = label(lang, "probe_how_docker" if p.get("how") == "docker" else "probe_how_sandbox")
    if p.get("emulated"):  # the reader's `/hello` ran on another CPU: say by what
        arch = (record.get("provenance") or {}).get("arch") or "?"
        how += " · " + label(lang, "emulated_by", arch=arch, emulator=p["emulated"])
    return (f'{screen}<details class="lb-probe-how"><summary>{esc(how)}</summary>'
            f'<pre><code>{esc(p.get("command", ""))}</code></pre></details>')


BLOCKS: dict[str, Callable[[dict, dict, str], str]] = {
    "transcript": block_transcript,
    "linkage": block_linkage,
    "images": block_images,
    "docker-images": block_docker_images,
    "probes": block_probes,
    "probe": block_probe,
    "claim": block_claim,
    "chart": lambda opts, record, lang: _chart(opts, record, lang),
    "measurements": block_measurements,
    "benchmark": block_benchmark,
}
OPTIONS = {
    "transcript": {"prompt", "title", "commands", "hide", "fold"},
    "linkage": set(),
    "images": {"reference"},
    "docker-images": {"prompt", "title"},
    "probes": set(),
    "probe": {"base", "prompt", "title", "hide", "fold"},
    "claim": {"text"},
    "chart": CHART_OPTIONS_ALL,  # each chart kind checks its own subset (render/charts.py)
    "measurements": {"only"},
    "benchmark": {"variants"},
}


def _chart(opts: dict, record: dict, lang: str) -> str:
    from .charts import render_chart  # plotly, only when a chart is drawn (a warm build reads them memoised)

    return render_chart(opts, record, lang, "")  # provenance: once per page


def render_block(opts: Any, record: dict, lang: str) -> str:
    if not isinstance(opts, dict):
        raise DirectiveError(f"a livebench block holds YAML keys, one of {', '.join(BLOCKS)}")
    if "machine" in opts:  # any block, from one machine of a merged record or from several side by side
        return render_for_machines(opts, record, lang, render_block)
    # `chart:` wins: its data keys (images, builds) may share a name with another block kind.
    kinds = ["chart"] if "chart" in opts else [k for k in opts if k in BLOCKS]
    if len(kinds) != 1:
        hints = "".join(did_you_mean(str(k), BLOCKS) for k in opts) if not kinds else ""
        raise DirectiveError(f"a livebench block needs exactly one of {', '.join(BLOCKS)}; "
                             f"got {', '.join(map(str, opts)) or 'nothing'}.{hints}")
    kind = kinds[0]
    extra = set(opts) - {kind} - OPTIONS[kind]
    if extra:
        hints = "".join(did_you_mean(str(k), OPTIONS[kind]) for k in sorted(map(str, extra)))
        raise DirectiveError(f"unknown option(s) {', '.join(sorted(map(str, extra)))} for '{kind}'.{hints} "
                             f"Allowed: {', '.join(sorted(OPTIONS[kind])) or 'none'}")
    return BLOCKS[kind](opts, record, lang)
