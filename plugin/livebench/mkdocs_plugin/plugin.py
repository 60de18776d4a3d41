"""MkDocs adapter: hooks only. The work is the core's (``workflow``, ``render``); errors translated once."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.utils import get_relative_url

from .._util.files import compact_json
from .._util.log import use_logger
from ..errors import LivebenchError
from ..markdown.assets import CHARTS_JS_URL, CSS_URL, write_assets, write_record
from ..markdown.highlight import SiteHighlighter
from ..markdown.page import has_directives, page_name, render_page
from ..markdown.render_memo import RenderMemo
from ..markdown.slots import BlockSlots
from ..record.failures import fold
from ..record.store import load_record, save_last
from ..render import Problem, problem_html
from ..render.chart_kinds import CHART_MARKER
from ..render.labels import lang_of
from ..render.provenance import insert_after_title
from ..spec.load import load_plan
from ..spec.model import Claim, Plan
from ..spec.pages import front_matter_lines
from .config import LivebenchConfig
from .search_view import SearchView

log = get_plugin_logger("livebench")  # MkDocs adds the "livebench: " prefix to every line


class ServeMemo:
    """`mkdocs serve` builds a fresh plugin instance per rebuild; the last failure-free record survives
    here, so editing a page re-renders it without running anything (spec path → fingerprint, record)."""

    _records: dict[str, tuple[str, dict[str, Any]]] = {}

    @classmethod
    def get(cls, spec: str, fingerprint: str) -> dict[str, Any] | None:
        hit = cls._records.get(spec)
        return hit[1] if hit and hit[0] == fingerprint else None

    @classmethod
    def put(cls, spec: str, fingerprint: str, record: dict[str, Any]) -> None:
        if not record.get("failures"):  # failures are never kept: the next rebuild retries them
            cls._records[spec] = (fingerprint, record)


@contextlib.contextmanager
def plugin_errors(what: str = "") -> Iterator[None]:
    """The one translator of this boundary: a LivebenchError becomes MkDocs' PluginError, no traceback."""
    try:
        yield
    except LivebenchError as exc:
        raise PluginError(f"livebench: {what}{': ' if what else ''}{exc}") from None


class LivebenchPlugin(BasePlugin[LivebenchConfig]):
    def __init__(self) -> None:
        self.depth = 0  # mkdocs-static-i18n nests one build per extra language inside ours
        self._plan: Plan | None = None
        self.record: dict[str, Any] | None = None
        self.problems: list[Problem] = []
        self.claims: dict[tuple[str, str], Claim] = {}  # (where, expression) → claim, from the pages
        self.claim_problems: list[str] = []
        self.site_dir: str | None = None
        self.root = Path.cwd()
        self.strict = False
        self.highlighter: SiteHighlighter | None = None  # made on the first page, from the final config
        self.slots = BlockSlots()  # block HTML, put back inside every Markdown conversion of a page
        self.render_memo: RenderMemo | None = None  # block HTML kept between builds, per record
        self.record_digest = ""  # of a reused record's stored file, which names the memo's folder
        self.serving = False  # `mkdocs serve`: a livebench failure is shown, never stops the server
        self.halted: str | None = None  # serve only: why there is no record this time (shown on the pages)
        self.material_search = False
        self.search_view: SearchView | None = None  # with Material's search plugin: what it reads of a page

    @property
    def plan(self) -> Plan:
        if self._plan is None:
            raise RuntimeError("livebench: the plan is read in on_config; no hook may run before it")
        return self._plan

    # -- config ------------------------------------------------------------------------------
    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining this hook also keeps this instance for the whole `mkdocs serve` session.
        self.serving = command == "serve"

    def on_config(self, config: Any, **kwargs: Any) -> Any:
        if not self.config.enabled:
            return config
        if CSS_URL not in config.extra_css:
            config.extra_css.append(CSS_URL)
        self.highlighter = None  # `mkdocs serve` keeps this instance across edits of mkdocs.yml
        # The search view follows the parser of Material's search plugin; other search plugins read the page.
        self.material_search = any(type(p).__module__.startswith("material.plugins.search")
                                   for p in config.plugins.values())
        if self.slots not in config.markdown_extensions:  # every language pass renders with it
            config.markdown_extensions.append(self.slots)
        if "livebench" in config.markdown_extensions:  # one mkdocs.yml for MkDocs and Zensical: we render here
            config.markdown_extensions.remove("livebench")
            config.mdx_configs.pop("livebench", None)
            log.info("the plugin renders the pages; the `livebench` Markdown extension is left to other hosts (Zensical)")
        if self.depth > 0 and self._plan is not None:
            return config  # a language pass of the same build: the plan is loaded already
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.strict = bool(config.get("strict"))  # strict: every livebench problem fails the build, once
        self.halted = None
        try:
            self._plan = load_plan(self.config.spec, root=self.root, memo_dir=self._memo_dir())
        except LivebenchError as exc:
            self._halt(exc)
        return config

    def _halt(self, exc: LivebenchError) -> None:
        """`mkdocs build` fails; `mkdocs serve` logs it, shows it on the pages and retries on the next edit."""
        if not self.serving:
            self.depth = 0
            raise PluginError(f"livebench: {exc}") from None
        self.halted = str(exc)
        self._plan, self.record = None, None
        log.error("%s (the pages show it; fix it and save to retry)", exc)

    # -- the one run per site build ------------------------------------------------------------
    def on_pre_build(self, *, config: Any) -> None:
        if not self.config.enabled:
            return
        self.depth += 1
        if self.depth > 1:
            return
        self.problems, self.claims, self.claim_problems = [], {}, []
        self.slots.html.clear()
        self.record, self.record_digest = None, ""
        self.render_memo = None
        self.search_view = SearchView(None) if self.material_search else None
        if self.halted:
            return
        self.site_dir = config.site_dir
        if self._frozen_path():
            self._load_frozen()
            return
        from .. import workflow  # deferred on purpose: `enabled: false` builds import none of the core
        from ..run import RunOptions

        refresh = self.config.refresh or os.environ.get("LIVEBENCH_REFRESH") == "1"
        options = RunOptions(cache_dir=self._cache_dir(), jobs=self.config.jobs, refresh=refresh,
                             backend=self.config.backend)
        with use_logger(log):
            fp = workflow.fingerprint(self.plan, backend=self.config.backend, cache_dir=options.cache_dir)
            memo = None if refresh else ServeMemo.get(str(self.plan.path), fp)
            if memo is not None:
                self.record = memo
                log.info("sources unchanged since the last build in this process; reusing its record")
                return
            try:
                measured = workflow.measure(self.plan, options, known=fp)
            except LivebenchError as exc:
                self._halt(exc)
                return
        self.record, self.record_digest = measured.record, measured.digest
        if measured.reused:
            log.info("nothing changed since the last run (spec, inputs, tools, engine); reusing its record "
                     "(LIVEBENCH_REFRESH=1 runs everything again)")
        ServeMemo.put(str(self.plan.path), measured.fingerprint, self.record)

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
        if not self.config.enabled:
            return markdown
        if not has_directives(markdown):
            return markdown
        lang = lang_of(getattr(page.file, "locale", None) or config.theme.get("language"))
        if self.record is None:
            return insert_after_title(markdown, problem_html(self.halted, lang)) if self.halted else markdown
        name = page_name(self.root, config.docs_dir, page.file.src_uri)
        first_line = 1 + front_matter_lines(_source(page))  # MkDocs hands us the page without it
        frozen = self._frozen_path()
        if self.render_memo is None and not frozen:  # a frozen build runs nothing and writes no cache
            self.render_memo = RenderMemo(self._cache_dir(), self.record, digest=self.record_digest)
            if self.search_view is not None:
                self.search_view.memo = self.render_memo
        done = render_page(markdown, self.record, lang=lang, page=name, root=self.root,
                           stash=self.slots.html, memo=None if frozen else self.render_memo, first_line=first_line,
                           frozen=frozen, highlight=self._highlighter(config))
        for p in done.problems:
            if self.config.on_failure == "warn" and not self.strict:
                log.warning("%s", p)
            self.problems.append(p)
        for claim in done.claims:  # a page built in two language passes (fallback) claims once
            self.claims[(claim.where, claim.expression)] = claim
        self.claim_problems += done.unreadable
        if self.search_view is not None:
            self.search_view.note_page(page.file.src_uri, done.text)
        return done.text

    def _highlighter(self, config: Any) -> SiteHighlighter:
        if self.highlighter is None:
            self.highlighter = SiteHighlighter(config.markdown_extensions, config.mdx_configs or {}, skip=(self.slots,))
        return self.highlighter

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> str:
        """Only pages with charts get our chart script (which fetches plotly.js from this site, once),
        inside the content so instant navigation runs it."""
        if not self.config.enabled or CHART_MARKER not in html:
            return html
        src = get_relative_url(CHARTS_JS_URL, page.url)
        return html + f'\n<script src="{src}"></script>'

    # Around Material's search plugin (priority 0), after mkdocs-static-i18n's context hook (50).
    @event_priority(1)
    def _hold_for_search(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if self.config.enabled and self.search_view is not None and page.content:
            page.content = self.search_view.hold(page.file.src_uri, page.content, self.slots.html)
        return context

    @event_priority(-1)
    def _put_back_after_search(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if self.search_view is not None and page.content:
            page.content = self.search_view.put_back(page.content)
        return context

    on_page_context = CombinedEvent(_hold_for_search, _put_back_after_search)

    @event_priority(-150)  # after mkdocs-static-i18n (-100) has run the other languages' passes
    def on_post_build(self, *, config: Any) -> None:
        if not self.config.enabled:
            return
        self.depth = max(0, self.depth - 1)
        if self.depth > 0 or self.record is None:
            return
        self._verify()
        text = compact_json(self.record)  # dumped once: the cache's last record and the site's are one text
        if not self._frozen_path():
            save_last(self._cache_dir(), self.record, text=text)
        site_dir = Path(self.site_dir or config.site_dir)
        write_record(site_dir, self.record, self.config.results_path, text=text)
        write_assets(site_dir)
        if self.search_view is not None:
            self.search_view.save()
        self._report()

    # -- claims, drift, frozen records ---------------------------------------------------------
    def _cache_dir(self) -> Path:
        cache_dir = Path(self.config.cache_dir)
        return cache_dir if cache_dir.is_absolute() else self.root / cache_dir

    def _frozen_path(self) -> str:
        return self.config.frozen or os.environ.get("LIVEBENCH_FROZEN", "")

    def _memo_dir(self) -> Path | None:
        """Where the plan and drift verdicts are kept between builds: nowhere for a frozen build, which
        writes no cache."""
        return None if self._frozen_path() else self._cache_dir()

    def _load_frozen(self) -> None:
        path = Path(self._frozen_path())
        path = path if path.is_absolute() else self.root / path
        try:
            with plugin_errors("frozen"):
                self.record = load_record(path)
        except PluginError:
            self.depth = 0
            raise
        measured = self.record.get("provenance", {})
        log.info("frozen: using %s (measured %s, commit %s); nothing is run", self._frozen_path(),
                 measured.get("date"), (measured.get("git_commit") or "?")[:10])

    def _verify(self) -> None:
        """Expectations, claims (spec + pages, as MkDocs read them) and drift, once, into the record."""
        from .. import workflow
        from ..verify import CheckOptions

        assert self.record is not None
        found = sorted(self.claims.values(), key=lambda c: c.where)  # file order, whichever pass read it
        options = CheckOptions(page_claims=found, page_problems=self.claim_problems, memo_dir=self._memo_dir())
        with plugin_errors():
            workflow.judge(self.plan, self.record, options)
        drifted = [d for d in self.record.get("drift", []) if not d["ok"]]
        if drifted:  # informational here; `livebench check` is the gate
            log.info("%d metric(s) drifted from %s (see `livebench check`)", len(drifted),
                     (self.record.get("baseline") or {}).get("path"))

    def _report(self) -> None:
        assert self.record is not None
        # an unreadable page claim is reported by the page renderer itself (page + line): not twice
        if self.config.on_failure == "warn" and not self.strict:
            for message in fold(self.record.get("failures", [])).lines:
                log.warning("%s", message)
            return
        # what failed because something else failed is named under that failure, not counted again
        folded = fold(self.record.get("failures", []), [(str(p), p.cause) for p in self.problems])
        if folded.lines and self.serving:  # the pages show them; the server keeps serving, the next edit retries
            for line in folded.lines:
                log.error("%s", line)
            return
        if folded.lines:
            raise PluginError(
                folded.report()
                + "\n(Fix them, or set `on_failure: warn` and build without --strict to publish with warnings "
                  "on the pages.)"
            )

    def on_build_error(self, *, error: Exception) -> None:
        self.depth = 0

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        if not self.config.enabled:
            return server
        server.watch(str(self.root / self.config.spec))  # also when it failed to load: its fix must rebuild
        if self._plan is None:
            return server
        folders = set()
        for step in list(self.plan.setup.values()) + list(self.plan.builds.values()):
            for pattern in step.inputs:
                folders.add(str(self.plan.root / pattern.split("*")[0]).rstrip("/") or str(self.plan.root))
        for folder in sorted(folders):
            if os.path.exists(folder):
                server.watch(folder)
        return server


def _source(page: Any) -> str:
    """The page's file as written (front matter included), or '' when it cannot be read."""
    try:
        return str(page.file.content_string)
    except (OSError, UnicodeDecodeError, AttributeError):
        return ""
