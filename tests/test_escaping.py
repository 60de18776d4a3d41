"""Hostile text from a build reaches the page as text: transcript output, commands, file names and the ELF
strings a binary carries (DT_NEEDED, PT_INTERP, RUNPATH) — checked in the HTML and in a real browser
(Chromium via Playwright; FAILS, never skips, when either is missing) that no script from them runs.
"""
from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SPEC = r"""
version: 1
tools: {gcc: {version: "gcc --version", package: gcc}}
builds:
  evil:
    workdir: src
    tools: [gcc]
    commands:
      - |
        printf '%s\n' '<script>window.__pwned=1</script>' '<img src=x onerror="window.__pwned=2">' \
          '{lb:build.evil.size}' '[click](javascript:window.__pwned=3)' '**bold** _it_ `code`' '</code></pre></div><i>' \
          '&lt;already&gt; &amp;' "$(printf '\033[31mred\033[0m \033]0;title\007 \001')"
      - gcc -shared -fPIC -o "$LIVEBENCH_OUT/libx.so" -Wl,-soname,'<img src=x onerror=window.__pwned=4>' x.c
      - |
        gcc -o "$LIVEBENCH_OUT/evil<img src=x onerror=window.__pwned=7>.bin" main.c "$LIVEBENCH_OUT/libx.so" \
          -Wl,--dynamic-linker,'/lib/<script>window.__pwned=5</script>' -Wl,-rpath,'<svg onload=window.__pwned=6>'
      - echo '<script>window.__pwned=9</script>' >&2
    artifact: ${LIVEBENCH_OUT}/evil<img src=x onerror=window.__pwned=7>.bin
"""

PAGE = """\
# Hostile

Path: {lb:build.evil.path}. Interpreter: {lb:build.evil.interpreter}. Needed: {lb:build.evil.needed}.

```livebench
transcript: evil
prompt: '<script>window.__pwned=8</script>$'
```

```livebench
linkage: [evil]
```
"""

RAW = ["<script>window.__pwned", "<img src=x onerror", "<svg onload", 'href="javascript:', "\x1b", "\x07",
       "</code></pre></div><i>"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    proj = tmp_path_factory.mktemp("escaping")
    (proj / "src").mkdir()
    (proj / "src" / "x.c").write_text("int x(void) { return 1; }\n")
    (proj / "src" / "main.c").write_text("int x(void);\nint main(void) { return x(); }\n")
    (proj / "livebench.yml").write_text(SPEC)
    (proj / "docs").mkdir()
    (proj / "docs" / "index.md").write_text(PAGE)
    (proj / "mkdocs.yml").write_text("site_name: t\ntheme: {name: mkdocs, highlightjs: false}\n"
                                     "plugins:\n  - livebench:\n      spec: livebench.yml\n")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(proj / "site")], cwd=proj,
                          capture_output=True, text=True, timeout=600, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proj / "site"


def test_html_holds_text_not_markup(site: Path) -> None:
    html = (site / "index.html").read_text()
    body = html.split('<div role="main"', 1)[-1] if '<div role="main"' in html else html
    for raw in RAW:
        assert raw not in body, f"{raw!r} reached the page unescaped"
    # ...and every piece is there, as text.
    for text in ("&lt;script&gt;window.__pwned=1&lt;/script&gt;", "onerror=&quot;window.__pwned=2&quot;",
                 "{lb:build.evil.size}", "[click](javascript:window.__pwned=3)", "**bold** _it_ `code`",
                 "&amp;lt;already&amp;gt; &amp;amp;", "red", "\\x01",
                 "&lt;script&gt;window.__pwned=9&lt;/script&gt;"):
        assert text in body, f"{text!r} is missing from the page"
    # ELF strings from the binary and the artifact's own file name
    for pwn in (4, 5, 6, 7):
        assert f"window.__pwned={pwn}" in body, pwn
    assert "/lib/&lt;script&gt;window.__pwned=5&lt;/script&gt;" in body
    assert "evil&lt;img src=x onerror=window.&#95;&#95;pwned=7&gt;.bin</span>" in body  # inline: Markdown-inert too
    assert "<code>&lt;img src=x onerror=window.__pwned=4&gt;</code>" in body  # DT_NEEDED in the linkage table


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_no_script_runs_in_a_browser(site: Path, browser) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        page = browser.new_page()
        try:
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
                       else route.abort())
            page.goto(url, wait_until="load")
            page.wait_for_timeout(500)
            page.mouse.move(200, 300)  # any hover handler would fire now
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert page.evaluate("document.querySelectorAll('[onerror],[onload],[onmouseover]').length") == 0
            scripts = page.evaluate("[...document.scripts].map(s => s.textContent).join('\\n')")
            assert "__pwned" not in scripts
            shown = page.inner_text("body")
            assert "<script>window.__pwned=1</script>" in shown  # the reader sees the text itself
            assert "{lb:build.evil.size}" in shown
            assert dialogs == []
        finally:
            page.close()
    finally:
        httpd.shutdown()
