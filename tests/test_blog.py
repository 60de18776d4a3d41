"""A Material blog with a livebench block above `<!-- more -->`: no token may reach any page.

Material renders a post's excerpt (for the blog index, archive and category pages) and the search
plugin indexes pages from HTML made before `on_page_content`; blocks must be whole there too.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

SPEC = """\
version: 1
tools:
  gcc: {version: gcc --version, package: gcc}
env: {PATH: "/usr/bin:/bin"}
builds:
  hello:
    workdir: src
    tools: [gcc]
    commands: ["gcc -o \\"$LIVEBENCH_OUT/hello\\" hello.c"]
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/hello.c]
"""

POST = """\
---
date: 2026-12-01
categories: [C]
---

# A dynamic hello

The hello weighs {lb:build.hello.size_bytes} bytes.

```livebench
linkage: [hello]
```

<!-- more -->

The rest of the post.

=== "Transcript"

    ```livebench
    transcript: hello
    ```
"""


def test_blocks_survive_excerpts_search_and_tabs(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "hello.c").write_text('int main(void){return 0;}\n')
    (tmp_path / "livebench.yml").write_text(SPEC)
    posts = tmp_path / "docs" / "blog" / "posts"
    posts.mkdir(parents=True)
    (tmp_path / "docs" / "blog" / "index.md").write_text("# Blog\n")
    (posts / "hello.md").write_text(POST)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ntheme: {name: material}\n"
        "markdown_extensions: [admonition, pymdownx.details, pymdownx.superfences, "
        "{pymdownx.tabbed: {alternate_style: true}}]\n"
        "plugins:\n  - search\n  - blog\n  - livebench:\n      spec: livebench.yml\n")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    site = tmp_path / "site"
    pages = {p.relative_to(site).as_posix(): p.read_text() for p in site.rglob("*.html")}
    leaked = [name for name, html in pages.items() if "LIVEBENCHSLOT" in html]
    assert not leaked, f"a block token reached {leaked}"
    index = pages["blog/index.html"]  # the excerpt, rendered from the post's Markdown by the blog plugin
    size = json.loads((site / "livebench" / "results.json").read_text())["builds"]["hello"]["artifact"]["size"]
    assert 'class="lb-linkage"' in index and f"{size:,}" in index
    assert "The rest of the post" not in index
    post = next(html for name, html in pages.items() if name.startswith("blog/20"))
    assert 'class="lb-linkage"' in post and 'class="lb-terminal' in post
    search = (site / "search" / "search_index.json").read_text()
    assert "LIVEBENCHSLOT" not in search and "libc" in search
