"""The README's "Use it in your own site" block, run as written in an empty folder outside the repo:
a wheel of this package in a fresh venv of Debian's own python3 (3.11.2 here), MkDocs' own theme,
one language, no Material, no mkdocs-static-i18n. Then Chromium checks the page reads well there."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEBIAN_PYTHON = Path("/usr/bin/python3")


def readme_block() -> str:
    text = (ROOT / "README.md").read_text()
    m = re.search(r"<!-- own-site:begin[^>]*-->\n````sh\n(.*?)\n````\n<!-- own-site:end -->", text, re.S)
    assert m, "README.md lost its own-site block"
    return m.group(1)


def test_readme_own_site_steps_build_a_plain_site_from_a_wheel(tmp_path, wheel, browser):
    assert DEBIAN_PYTHON.exists(), "Debian's /usr/bin/python3 is missing: these steps are what a bookworm user has"
    assert shutil.which("musl-gcc"), "musl-gcc is missing: apt-get install musl-tools"
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LIVEBENCH_SRC": str(wheel), "NO_MKDOCS_2_WARNING": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", **{k: v for k, v in os.environ.items() if k.startswith("PIP_INDEX")}}
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_block()], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    project = tmp_path / "my-site"
    version = subprocess.run([str(project / ".venv/bin/python"), "-c", "import sys, livebench; print(sys.version)"],
                             capture_output=True, text=True, check=True).stdout
    assert version.startswith("3.11.2"), version  # Debian bookworm's interpreter, older than tarfile's filters
    listed = subprocess.run([str(project / ".venv/bin/pip"), "list"], capture_output=True, text=True).stdout.lower()
    assert "mkdocs-material" not in listed and "mkdocs-static-i18n" not in listed
    assert "hello-musl" in proc.stdout  # `livebench show` found the record through mkdocs.yml
    html = (project / "site" / "index.html").read_text()
    assert "LIVEBENCHSLOT" not in html and 'class="lb-terminal' in html and "statically linked" in html
    assert (project / "site" / "livebench" / "results.schema.json").is_file()
    assert ".livebench-cache/" in (project / ".gitignore").read_text()

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((project / "site" / "index.html").as_uri())
        colors = page.evaluate("""() => {
            const cmd = document.querySelector('.lb-terminal .lb-cmd');
            const screen = document.querySelector('.lb-terminal .lb-terminal__screen > code');
            return [getComputedStyle(cmd).color, getComputedStyle(screen).backgroundColor];
        }""")
    finally:
        page.close()
    assert _contrast(*colors) >= 4.5, f"terminal command {colors[0]} on {colors[1]} is hard to read"


def _contrast(fg: str, bg: str) -> float:
    def lum(css: str) -> float:
        r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css)[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
