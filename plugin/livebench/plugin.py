"""MkDocs adapter: hooks only. The work itself lives in the core modules, which never import MkDocs."""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.utils import get_relative_url

from .config import LivebenchConfig
from .errors import LivebenchError
from .render import Problem, expand_markdown, restore_blocks
from .render.charts import CHART_MARKER, PLOTLY_BUNDLE
from .render.labels import lang_of
from .render.provenance import frozen_note_html, insert_after_title
from .results import write_json_atomic
from . import warm
from .spec import Plan, load_plan

log = logging.getLogger("mkdocs.plugins.livebench")
ASSETS = Path(__file__).parent / "assets"
CSS_URL = "assets/livebench/livebench.css"
CHARTS_JS_URL = "assets/livebench/livebench-charts.js"  # loads plotly.min.js from its own folder
PLOTLY_URL = "assets/livebench/plotly.min.js"

# MkDocs serve builds a fresh plugin instance per rebuild; the last record survives here so that
# editing a page re-renders it without running anything (keyed by spec path → input fingerprint).
_MEMO: dict[str, tuple[str, dict]] = {}


class LivebenchPlugin(BasePlugin[LivebenchConfig]):
    def __init__(self) -> None:
        self.depth = 0  # mkdocs-static-i18n nests one build per extra language inside ours
        self.plan: Plan | None = None
        self.record: dict[str, Any] | None = None
        self.problems: list[Problem] = []
        self.site_dir: str | None = None
        self.root = Path.cwd()
        self.strict = False
        self._slots: dict[int, dict[str, str]] = {}  # page → block HTML waiting for on_page_content
        self.docs_dir: Path | None = None

    # -- config ------------------------------------------------------------------------------
    def on_config(self, config, **kwargs):
        if not self.config.enabled:
            return config
        if CSS_URL not in config.extra_css:
            config.extra_css.append(CSS_URL)
        if self.depth > 0 and self.plan is not None:
            return config  # a language pass of the same build: the plan is loaded already
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.strict = bool(config.get("strict"))  # strict: every livebench problem fails the build, once
        self.docs_dir = Path(config.docs_dir)
        try:
            self.plan = load_plan(self.config.spec, root=self.root)
        except LivebenchError as exc:
            raise PluginError(f"livebench: {exc}") from None
        return config

    # -- the one run per site build ------------------------------------------------------------
    def on_pre_build(self, *, config) -> None:
        if not self.config.enabled:
            return
        self.depth += 1
        if self.depth > 1:
            return
        self.problems = []
        self.site_dir = config.site_dir
        assert self.plan is not None
        if self._frozen_path():
            self._load_frozen()
            return
        refresh = self.config.refresh or os.environ.get("LIVEBENCH_REFRESH") == "1"
        memo_key = str(self.plan.path)
        fp = warm.fingerprint(self.plan, backend=self.config.backend)  # before the run: edits during it re-run
        memo = _MEMO.get(memo_key)
        if memo and memo[0] == fp and not refresh:
            self.record = memo[1]
            log.info("livebench: sources unchanged since the last build in this process; reusing its record")
            return
        cache_dir = Path(self.config.cache_dir)
        if not cache_dir.is_absolute():
            cache_dir = self.root / cache_dir
        reused = None if refresh else warm.load(cache_dir, fp, self.root)
        if reused is not None:
            self.record = reused
            log.info("livebench: nothing changed since the last run (spec, inputs, tools, engine); reusing "
                     "its record (LIVEBENCH_REFRESH=1 runs everything again)")
            _MEMO[memo_key] = (fp, self.record)
            return
        from .runner import RunOptions, Runner  # lazy: the warm path above needs none of it

        options = RunOptions(cache_dir=cache_dir, jobs=self.config.jobs, refresh=refresh,
                             backend=self.config.backend, log=log)
        try:
            self.record = Runner(self.plan, options).run()
        except LivebenchError as exc:
            self.depth = 0
            raise PluginError(f"livebench: {exc}") from None
        if not self.record.get("failures"):  # failures are never cached: the next rebuild retries them
            _MEMO[memo_key] = (fp, self.record)
        warm.store(cache_dir, fp, self.record)

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        if not self.config.enabled or self.record is None:
            return markdown
        if "livebench" not in markdown and "{lb:" not in markdown and "{lb-claim:" not in markdown:
            return markdown
        lang = lang_of(getattr(page.file, "locale", None) or config.theme.get("language"))
        page_name = f"{config.docs_dir.rstrip('/').split('/')[-1]}/{page.file.src_uri}"
        stash: dict[str, str] = {}
        text, problems = expand_markdown(markdown, self.record, lang=lang, page=page_name, stash=stash)
        self._slots[id(page)] = stash
        for p in problems:
            if self.config.on_failure == "warn" and not self.strict:
                log.warning("livebench: %s", p)
            self.problems.append(p)
        frozen = self._frozen_path()
        if frozen and text != markdown:
            text = insert_after_title(text, frozen_note_html(self.record, lang, frozen))
        return text

    def on_page_content(self, html: str, *, page, config, files) -> str:
        """Blocks go back in place of their tokens; only pages with charts get our chart script (which
        fetches plotly.js from this site, once), inside the content so instant navigation runs it."""
        if not self.config.enabled:
            return html
        html = restore_blocks(html, self._slots.pop(id(page), {}))
        if CHART_MARKER not in html:
            return html
        src = get_relative_url(CHARTS_JS_URL, page.url)
        return html + f'\n<script src="{src}"></script>'

    @event_priority(-150)  # after mkdocs-static-i18n (-100) has run the other languages' passes
    def on_post_build(self, *, config) -> None:
        if not self.config.enabled:
            return
        self.depth = max(0, self.depth - 1)
        if self.depth > 0 or self.record is None:
            return
        self._checks()
        site_dir = Path(self.site_dir or config.site_dir)
        write_json_atomic(site_dir / self.config.results_path, self.record)
        css = site_dir / CSS_URL
        css.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ASSETS / "livebench.css", css)
        shutil.copyfile(ASSETS / "livebench-charts.js", site_dir / CHARTS_JS_URL)
        shutil.copyfile(PLOTLY_BUNDLE, site_dir / PLOTLY_URL)  # from the installed plotly: no CDN
        self._report()

    # -- claims, drift, frozen records ---------------------------------------------------------
    def _frozen_path(self) -> str:
        return self.config.frozen or os.environ.get("LIVEBENCH_FROZEN", "")

    def _load_frozen(self) -> None:
        from .results import load_record

        path = Path(self._frozen_path())
        path = path if path.is_absolute() else self.root / path
        try:
            self.record = load_record(path)
        except LivebenchError as exc:
            self.depth = 0
            raise PluginError(f"livebench: frozen: {exc}") from None
        measured = self.record.get("provenance", {})
        log.info("livebench: frozen: using %s (measured %s, commit %s); nothing is run", self._frozen_path(),
                 measured.get("date"), (measured.get("git_commit") or "?")[:10])

    def _checks(self) -> None:
        """Claims (spec + pages, as the pages are now) and drift, into the record (idempotent)."""
        from .checks import CheckOptions, apply as apply_checks

        assert self.record is not None and self.plan is not None
        try:
            apply_checks(self.plan, self.record, CheckOptions(docs_dir=self.docs_dir))
        except LivebenchError as exc:
            raise PluginError(f"livebench: {exc}") from None
        drifted = [d for d in self.record.get("drift", []) if not d["ok"]]
        if drifted:  # informational here; `livebench check` is the gate
            log.info("livebench: %d metric(s) drifted from %s (see `livebench check`)", len(drifted),
                     (self.record.get("baseline") or {}).get("path"))

    def _report(self) -> None:
        assert self.record is not None
        # an unreadable page claim is reported by the page renderer itself (page + line): not twice
        failures = [f["message"] for f in self.record.get("failures", []) if not f.get("syntax")]
        if self.config.on_failure == "warn" and not self.strict:
            for message in failures:
                log.warning("livebench: %s", message)
            return
        lines = failures + [str(p) for p in self.problems]
        if lines:
            raise PluginError(
                f"livebench: {len(lines)} failure(s):\n  - " + "\n  - ".join(lines)
                + "\n(Fix them, or set `on_failure: warn` and build without --strict to publish with warnings "
                  "on the pages.)"
            )

    def on_build_error(self, *, error) -> None:
        self.depth = 0

    def on_serve(self, server, *, config, builder):
        if not self.config.enabled or self.plan is None:
            return server
        server.watch(str(self.plan.path))
        folders = set()
        for step in list(self.plan.setup.values()) + list(self.plan.builds.values()):
            for pattern in step.inputs:
                folders.add(str(self.plan.root / pattern.split("*")[0]).rstrip("/") or str(self.plan.root))
        for folder in sorted(folders):
            if os.path.exists(folder):
                server.watch(folder)
        return server
