"""Several machines in one record: two runs of this machine (one through the Docker engine, one with
the embedded backend) merged, and a site built frozen from the merged record showing both side by side."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from livebench.errors import RecordError
from livebench.record.machines import merge

SPEC = """\
version: 1
tools: {gcc: {version: "gcc --version | head -n 1", package: gcc}}
env: {PATH: /usr/bin:/bin}
builds:
  hello:
    workdir: src
    tools: [gcc]
    commands: ['gcc -O2 -o "$LIVEBENCH_OUT/hello" hello.c']
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/hello.c]
bases:
  scratch: {kind: scratch}
images:
  img: {base: scratch, files: [{build: hello, dest: /hello}]}
"""

PAGE = """\
# Two machines

The hello weighs {lb:build.hello.size_bytes@engine} bytes on one machine and
{lb:build.hello.size_bytes@embedded} on the other; it is dynamic on both{lb-claim:build.hello.kind == dynamic on all}.

```livebench
images: [img]
machine: all
```

```livebench
chart: bar
data: images
x: name
y: size.uncompressed
color: machine
unit: bytes
machine: all
```

```livebench
linkage: [hello]
machine: embedded
```
"""


def _livebench(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "livebench.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def two_records(tmp_path_factory, engine) -> tuple[Path, Path, Path]:
    proj = tmp_path_factory.mktemp("machines")
    (proj / "src").mkdir()
    (proj / "src" / "hello.c").write_text('#include <stdio.h>\nint main(void){puts("hi");return 0;}\n')
    (proj / "livebench.yml").write_text(SPEC)
    records = []
    for machine, backend in (("engine", "docker"), ("embedded", "embedded")):
        proc = _livebench("run", "--spec", "livebench.yml", "--json", "--machine", machine, "--backend", backend,
                          "-q", cwd=proj)
        assert proc.returncode == 0, proc.stderr[-2000:]
        (proj / f"{machine}.json").write_text(proc.stdout)
        records.append(proj / f"{machine}.json")
    return proj, records[0], records[1]


def test_merge_keeps_each_machine_with_its_provenance(two_records) -> None:
    proj, a, b = two_records
    proc = _livebench("merge", str(a), str(b), "-o", "merged.json", cwd=proj)
    assert proc.returncode == 0, proc.stderr
    assert "engine: x86_64" in proc.stderr and "embedded: x86_64" in proc.stderr
    merged = json.loads((proj / "merged.json").read_text())
    assert list(merged["machines"]) == ["engine", "embedded"]
    assert merged["merged"] == {"primary": "engine", "from": {"engine": str(a), "embedded": str(b)}}
    assert merged["provenance"]["machine"] == "engine"  # the record's own sections are the primary's
    assert merged["machines"]["engine"]["provenance"]["backend"] == "docker"
    assert merged["machines"]["embedded"]["provenance"]["backend"] == "embedded"
    assert merged["machines"]["embedded"]["provenance"]["engine"] is None
    digest = merged["provenance"]["spec_digest"]
    assert digest.startswith("sha256:") and merged["machines"]["embedded"]["provenance"]["spec_digest"] == digest


def test_merge_refuses_what_does_not_belong_together(two_records, tmp_path: Path) -> None:
    _, a, b = two_records
    ra, rb = json.loads(a.read_text()), json.loads(b.read_text())
    with pytest.raises(RecordError, match=r"A and B both describe machine 'engine'.*--machine NAME"):
        merge([("A", ra), ("B", ra)])
    other = json.loads(b.read_text())
    other["provenance"]["spec_digest"] = "sha256:" + "0" * 64
    with pytest.raises(RecordError, match=r"B was measured from another spec than A"):
        merge([("A", ra), ("B", other)])
    old = {**rb, "schema": 0}
    with pytest.raises(RecordError, match=r"B is a schema 0 record"):
        merge([("A", ra), ("B", old)])
    with pytest.raises(RecordError, match="at least two"):
        merge([("A", ra)])


def test_a_site_built_frozen_from_the_merged_record_shows_both(two_records, tmp_path: Path, browser, serve) -> None:
    proj, a, b = two_records
    assert _livebench("merge", str(a), str(b), "-o", "merged.json", cwd=proj).returncode == 0
    (proj / "docs").mkdir(exist_ok=True)
    (proj / "docs" / "index.md").write_text(PAGE)
    (proj / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - livebench:\n      spec: livebench.yml\n"
                                     "      frozen: merged.json\n")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=proj, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (proj / "site" / "index.html").read_text()
    size = json.loads(a.read_text())["builds"]["hello"]["artifact"]["size"]
    assert html.count(f"{size:,}") >= 2 and "lb-error" not in html
    side_by_side = html.split('<div class="lb-machines">', 1)[1]
    assert side_by_side.count('<div class="lb-machine">') == 2
    assert "<code>engine</code>" in side_by_side and "<code>embedded</code>" in side_by_side
    figure = json.loads(html.split("data-lb-figure='", 1)[1].split("'", 1)[0])
    assert sorted(t["name"] for t in figure["data"]) == ["embedded", "engine"]  # one trace per machine
    # side by side on a desktop, one above the other on a phone, never wider than the screen
    base = serve(proj / "site")
    for width, stacked in ((1280, False), (390, True)):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(base)
        first, second = (page.locator(".lb-machine").nth(i).bounding_box() for i in (0, 1))
        assert first and second
        assert (second["y"] >= first["y"] + first["height"]) is stacked, (width, first, second)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.close()

    (proj / "docs" / "index.md").write_text("# T\n\n{lb-claim:build.hello.kind == static on embedded}\n"
                                            "{lb-claim:build.hello.kind == dynamic on arm64}\n")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=proj, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode != 0
    assert "measured embedded: dynamic" in proc.stderr
    assert "no machine 'arm64' in the record (machines: engine, embedded)" in proc.stderr


def test_the_ci_example_page_shows_the_workflow_file_as_it_is() -> None:
    import yaml

    root = Path(__file__).resolve().parents[1]
    text = (root / "examples" / "ci" / "livebench-matrix.yml").read_text()
    for lang in ("en", "ko"):
        assert f"```yaml\n{text.rstrip()}\n```" in (root / "docs" / lang / "ci.md").read_text(), lang
    workflow = yaml.safe_load(text)
    matrix = workflow["jobs"]["measure"]["strategy"]["matrix"]["include"]
    assert [m["machine"] for m in matrix] == ["x86_64-ci", "arm64-ci"] and "arm" in matrix[1]["runner"]
    measure = " ".join(s.get("run", "") for s in workflow["jobs"]["measure"]["steps"])
    assert "livebench run --json" in measure and "--machine ${{ matrix.machine }}" in measure
    site = " ".join(s.get("run", "") for s in workflow["jobs"]["site"]["steps"])
    assert "livebench merge record-x86_64-ci.json record-arm64-ci.json -o merged.json" in site
    assert "LIVEBENCH_FROZEN=merged.json .venv/bin/mkdocs build --strict" in site
    assert workflow["jobs"]["site"]["needs"] == "measure"
