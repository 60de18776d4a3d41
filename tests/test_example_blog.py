"""examples/blog, built as its reader would build it: a Material blog (posts with front matter and
excerpts, a block above `<!-- more -->`) about gzsize, a Rust program whose compression is zlib's C
code, built for glibc and statically for musl. From a wheel, in a fresh venv of Debian's own
python3, in a folder outside the repository. Only the musl target's std is the suite's own, copied into
the blog's cache (its `rust-target` step checks it and finds it built): a reader's first build builds it,
as tests/test_toolchain.py and the demo's cold run show."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from conftest import seed_toolchain

ROOT = Path(__file__).resolve().parents[1]
DEBIAN_PYTHON = Path("/usr/bin/python3")


def test_example_blog_builds_from_a_wheel(tmp_path: Path, wheel: Path, musl_std: Path) -> None:
    assert DEBIAN_PYTHON.exists(), "Debian's /usr/bin/python3 is missing: it is what a bookworm user has"
    project = tmp_path / "blog"
    shutil.copytree(ROOT / "examples" / "blog", project, ignore=shutil.ignore_patterns(".livebench-cache", "site"))
    seed_toolchain(musl_std, project / ".livebench-cache")  # the suite's musl std: its step finds it built
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "NO_MKDOCS_2_WARNING": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           **{k: v for k, v in os.environ.items() if k.startswith(("PIP_INDEX", "DOCKER_"))}}
    script = f"""
        {DEBIAN_PYTHON} -m venv .venv
        .venv/bin/pip install -q '{wheel}[material]'
        .venv/bin/mkdocs build --strict
    """
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=project, env=env, capture_output=True,
                          text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]

    site = project / "site"
    pages = [p for p in site.rglob("*") if p.suffix in (".html", ".json", ".xml")]
    assert len(pages) > 5
    for page in pages:
        assert "LIVEBENCHSLOT" not in page.read_text(errors="replace"), page  # no placeholder anywhere
    # the block above <!-- more --> is in every listing of the post's excerpt, rendered
    for listing in ("blog/index.html", "blog/category/linking/index.html", "blog/archive/2026/index.html"):
        html = (site / listing).read_text()
        assert '<div class="lb-linkage">' in html and "gzsize-musl" in html, listing
        assert 'class="lb-value"' in html and 'class="lb-claim' in html and "lb-error" not in html, listing
    post = site / "blog" / "2026" / "11" / "30" / "gzsize-static" / "index.html"  # the front matter's date and slug
    text = post.read_text()
    assert "lb-error" not in text and '<div class="lb-probes">' in text and "/gzsize /gzsize" in text

    record = json.loads((site / "livebench" / "results.json").read_text())
    assert not record["failures"]
    gnu, musl = record["builds"]["gzsize-gnu"], record["builds"]["gzsize-musl"]
    assert (gnu["linkage"]["kind"], gnu["linkage"]["libc"]) == ("dynamic", "glibc")
    assert "libc.so.6" in gnu["linkage"]["needed"] and not any("libz" in n for n in gnu["linkage"]["needed"])
    assert (musl["linkage"]["kind"], musl["linkage"]["libc"]) == ("static", "musl")
    assert musl["linkage"]["interpreter"] is None and musl["linkage"]["needed"] == []
    built = "".join(e["output"] for e in musl["transcript"])
    assert "Compiling libz-sys" in built  # zlib's C code, compiled for the musl target
    assert record["probes"]["gzsize-gnu"]["scratch"]["exit_code"] != 0
    for base in ("scratch", "distroless-cc"):
        probe = record["probes"]["gzsize-musl"][base]
        assert probe["exit_code"] == 0 and probe["output"].startswith("zlib ") and "/gzsize: " in probe["output"]
