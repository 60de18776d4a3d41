"""Claims, drift against a baseline, provenance and frozen builds: the article checks itself."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from livebench.errors import ClaimSyntaxError, SpecError
from livebench.render import expand_markdown
from livebench.spec import load_plan
from livebench.spec.claims import parse_expression

ROOT = Path(__file__).resolve().parents[1]
LIVEBENCH = [sys.executable, "-m", "livebench.cli"]
MKDOCS = [sys.executable, "-m", "mkdocs"]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
ENV.pop("LIVEBENCH_FROZEN", None)


def livebench(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*LIVEBENCH, *args], cwd=cwd, capture_output=True, text=True, timeout=3600,
                          env={**ENV, **(env or {})})


def mkdocs_build(proj: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*MKDOCS, "build", "-d", str(proj / "site"), *extra], cwd=proj, capture_output=True,
                          text=True, env={**ENV, **(env or {})}, timeout=600)


# -- claim syntax ---------------------------------------------------------------------------------
@pytest.mark.parametrize("expr, fact", [
    ("build.hello-rust-musl.kind == static", ("build", "hello-rust-musl", "kind", "static")),
    ("build.h.interpreter == none", ("build", "h", "interpreter", None)),
    ("build.h.needed in [libc.so.6, libm.so.6]", ("build", "h", "needed", ["libc.so.6", "libm.so.6"])),
    ("build.h.size <= 1 MB", ("build", "h", "size", 1_000_000)),
    ("image.i.size <= 500 kB", ("image", "i", "size", 500_000)),
    ("image.a.size <= image.b.size / 10", ("image", "a", "smaller_than", ("b", 10.0))),
    ("probe.hello-c-gnu.scratch == fails", ("probe", "hello-c-gnu", "result", "fails")),
    ("probe.h.debian.result == runs", ("probe", "h", "result", "runs")),
])
def test_inline_expressions(expr, fact):
    f = parse_expression(expr)
    assert (f.subject, f.name, f.field, f.expected) == fact


@pytest.mark.parametrize("expr, says", [
    ("build.h.colour == red", "unknown build field 'colour'"),
    ("build.h.size == 3", "sizes are claimed with <="),
    ("probe.h.scratch == maybe", "runs or == fails"),
    ("nonsense", "cannot read the claim"),
])
def test_bad_expressions_say_what_to_write(expr, says):
    with pytest.raises(ClaimSyntaxError, match=says):
        parse_expression(expr)


SPEC = """\
version: 1
tools: {gcc: {version: "gcc --version", package: gcc}}
builds:
  hello:
    workdir: src
    tools: [gcc]
    commands: ["gcc -O2 -o \\"$LIVEBENCH_OUT/hello\\" hello.c"]
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/hello.c]
claims:
  - id: hello-is-glibc
    text: The hello is a dynamic glibc program.
    build: hello
    kind: dynamic
    libc: glibc
    needed: [libc.so.6]
    max_size: 1 MB
drift: {size: 0%, seconds: 300%}
"""


def test_spec_claims_are_validated_with_file_line_and_key(tmp_path):
    (tmp_path / "src").mkdir()
    bad = SPEC.replace("    build: hello\n", "    build: helo\n").replace("max_size: 1 MB", "max_size: big") \
              .replace("libc: glibc\n", "libc: glibc\n    colour: red\n")
    bad = bad.replace("drift: {size: 0%, seconds: 300%}",
                      "  - image: nope\n    factor: 2\ndrift: {size: 0%, seconds: lots}")
    (tmp_path / "livebench.yml").write_text(bad)
    with pytest.raises(SpecError) as exc:
        load_plan(tmp_path / "livebench.yml", root=tmp_path)
    msg = str(exc.value)
    assert "livebench.yml:13: claims[0].build: unknown build 'helo'. Did you mean 'hello'?" in msg
    assert "claims[0].max_size: expected a size" in msg
    assert "claims[0].colour: unknown key" in msg
    assert "claims[1].image: unknown image 'nope'" in msg
    assert "claims[1].factor: 'factor' goes with 'smaller_than" in msg
    assert "drift.seconds: expected a percentage" in msg


# -- a small project: gcc only, fast ----------------------------------------------------------------
@pytest.fixture
def project(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "hello.c").write_text('#include <stdio.h>\nint main(void){puts("hi");return 0;}\n')
    (tmp_path / "livebench.yml").write_text(SPEC)
    (tmp_path / "docs").mkdir()

    def make(page: str, on_failure: str = "fail", extra: str = "") -> Path:
        (tmp_path / "docs" / "index.md").write_text(page)
        (tmp_path / "mkdocs.yml").write_text(
            "site_name: t\nmarkdown_extensions: [admonition]\nplugins:\n  - livebench:\n"
            f"      spec: livebench.yml\n      on_failure: {on_failure}\n{extra}")
        return tmp_path
    return make


PAGE = "# Hello\n\nThe hello is {lb:build.hello.kind}{lb-claim:build.hello.kind == static}, so it needs nothing.\n\nNext paragraph.\n"


def test_false_claim_fails_a_strict_build_once_naming_page_claim_value_and_command(project):
    proj = project(PAGE)
    proc = mkdocs_build(proj, "--strict")
    assert proc.returncode != 0
    err = proc.stderr
    assert err.count("livebench: 1 failure(s)") == 1, err[-3000:]
    line = next(l for l in err.splitlines() if "lb-claim:build.hello.kind == static" in l)
    assert "docs/index.md:3:" in line
    assert "measured dynamic, expected static" in line
    assert "Reproduce: livebench inspect .livebench-cache/builds/" in line and line.rstrip().endswith("/hello")
    assert "Traceback" not in err
    # the same with on_failure: fail and no --strict
    assert mkdocs_build(proj).returncode != 0


def test_warn_mode_shows_the_admonition_after_the_paragraph(project):
    proj = project(PAGE, on_failure="warn")
    proc = mkdocs_build(proj)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "WARNING" in proc.stderr and "lb-claim:build.hello.kind == static" in proc.stderr
    html = (proj / "site" / "index.html").read_text()
    assert 'lb-claim lb-claim--false' in html
    box = html.index("lb-claim-box")
    assert html.index("so it needs nothing") < box < html.index("Next paragraph")
    assert "measured dynamic, expected static" in html.replace("</code>: measured", " measured") or \
        "dynamic" in html[box:box + 2000]
    # never an error on a page while a strict build exits 0
    assert mkdocs_build(proj, "--strict").returncode != 0


def test_true_claims_render_a_mark_and_a_block(project):
    page = ("# Hello\n\nIt is {lb:build.hello.kind}{lb-claim:build.hello.kind == dynamic}.\n\n"
            "```livebench\nclaim: [build.hello.libc == glibc, build.hello.size <= 1 MB]\n```\n")
    proj = project(page)
    proc = mkdocs_build(proj, "--strict")
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (proj / "site" / "index.html").read_text()
    assert html.count("lb-claim--ok") == 3 and "lb-claim-box" not in html
    record = json.loads((proj / "site" / "livebench" / "results.json").read_text())
    where = {c["where"]: c for c in record["claims"]}
    assert where["livebench.yml:11"]["ok"] and where["livebench.yml:11"]["id"] == "hello-is-glibc"
    assert where["docs/index.md:3"]["ok"] and where["docs/index.md:5"]["ok"]
    assert set(where["docs/index.md:3"]) >= {"id", "text", "where", "ok", "measured", "expected", "reproduce"}


def test_render_marks_unknown_claims_as_problems():
    html, problems = expand_markdown("x {lb-claim:build.x.colour == red}\n", {"builds": {}}, lang="en", page="p.md")
    assert problems and "unknown build field 'colour'" in problems[0].message and "lb-error" in html
    # code spans show the syntax and are left alone
    html, problems = expand_markdown("`{lb-claim:build.x.kind == static}`\n", {}, lang="en", page="p.md")
    assert not problems and "lb-claim" in html and "✓" not in html


def test_baseline_and_drift_on_a_small_project(project):
    proj = project("# Hello\n")
    assert livebench("run", "--update-baseline", "-q", "--spec", "livebench.yml", cwd=proj).returncode == 0
    baseline = json.loads((proj / "baseline.json").read_text())
    assert baseline["builds"]["hello"]["kind"] == "dynamic" and baseline["builds"]["hello"]["size"] > 0
    ok = livebench("check", "-q", "--spec", "livebench.yml", cwd=proj)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "livebench check: OK" in ok.stdout
    (proj / "src" / "hello.c").write_text('#include <stdio.h>\nint main(void){puts("hi, a longer string");'
                                          'puts("and more");return 0;}\n' + "static char pad[4096] = {1};\n"
                                          "char *keep(void){return pad;}\n")
    bad = livebench("check", "-q", "--spec", "livebench.yml", cwd=proj)
    assert bad.returncode == 1
    assert "! builds.hello.size: baseline" in bad.stdout and "tolerance 0%" in bad.stdout
    missing = livebench("check", "-q", "--spec", "livebench.yml", "--baseline", str(proj / "none.json"), cwd=proj)
    assert missing.returncode == 2 and "--update-baseline" in missing.stderr


def test_frozen_build_runs_nothing_and_says_where_numbers_come_from(project, tmp_path_factory):
    proj = project(PAGE.replace("== static", "== dynamic"),
                   extra='      frozen: !ENV [LIVEBENCH_FROZEN, ""]\n')
    live = mkdocs_build(proj, "--strict")
    assert live.returncode == 0, live.stderr[-3000:]
    shutil.copy(proj / ".livebench-cache" / "results.json", proj / "results.frozen.json")
    shutil.rmtree(proj / ".livebench-cache")
    shutil.rmtree(proj / "site")
    empty = tmp_path_factory.mktemp("emptybin")  # no gcc, no docker, no git on PATH
    proc = mkdocs_build(proj, "--strict", env={"PATH": str(empty), "LIVEBENCH_FROZEN": "results.frozen.json"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not (proj / ".livebench-cache").exists()
    assert "livebench: running" not in proc.stderr
    html = (proj / "site" / "index.html").read_text()
    record = json.loads((proj / "results.frozen.json").read_text())
    assert "lb-frozen" in html and "Frozen results" in html
    assert record["provenance"]["date"][:10] in html and record["provenance"]["arch"] in html
    assert record["provenance"]["git_commit"] is None or record["provenance"]["git_commit"][:10] in html
    assert "lb-claim--ok" in html
    shown = livebench("show", "--frozen", str(proj / "results.frozen.json"), cwd=proj)
    assert shown.returncode == 0 and "hello" in shown.stdout and "measured" in shown.stdout


# -- the demo ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_check():
    proc = livebench("check", "-q")
    return proc


def test_check_passes_on_the_demo(demo_check):
    assert demo_check.returncode == 0, demo_check.stdout + demo_check.stderr[-3000:]
    assert "livebench check: OK" in demo_check.stdout


def test_check_fails_after_a_hand_edited_baseline_naming_the_image(demo_check, tmp_path):
    baseline = json.loads((ROOT / "benchmarks" / "baseline.json").read_text())
    old = baseline["images"]["slice-busybox-musl"]["size"]["uncompressed"]
    baseline["images"]["slice-busybox-musl"]["size"]["uncompressed"] = int(old * 0.9)
    copy = tmp_path / "baseline.json"
    copy.write_text(json.dumps(baseline))
    before = (ROOT / "benchmarks" / "baseline.json").read_bytes()
    proc = livebench("check", "-q", "--baseline", str(copy))
    assert proc.returncode == 1, proc.stdout
    line = next(l for l in proc.stdout.splitlines() if "slice-busybox-musl" in l)
    assert line.startswith("! images.slice-busybox-musl.size.uncompressed: baseline ")
    assert f"{int(old * 0.9):,} → now {old:,}" in line and "tolerance 1%" in line
    assert (ROOT / "benchmarks" / "baseline.json").read_bytes() == before


def test_demo_provenance_names_the_toolchain_engine_and_kernel(demo_check):
    record = json.loads((ROOT / ".livebench-cache" / "results.json").read_text())
    prov = record["provenance"]
    tools = prov["tools"]
    assert tools["rustc"].startswith("rustc ") and tools["gcc"].startswith("gcc ")
    assert "musl" in tools["musl"] and tools["docker"].startswith("Docker Engine ")
    assert prov["kernel"].startswith("Linux ") and prov["engine"]["storage_driver"]
    from livebench.render.provenance import provenance_html

    for lang, word in (("en", "Measured on"), ("ko", "측정 환경")):
        html = provenance_html(record, lang)
        assert word in html and "<details" in html
        for needle in (tools["rustc"], tools["gcc"], tools["musl"], prov["engine"]["version"],
                       prov["engine"]["storage_driver"], prov["kernel"], prov["arch"], prov["backend"]):
            assert needle in html, needle
    assert [c for c in record["claims"] if c["where"].startswith("docs/ko/container-diet.md")]
    assert all(c["ok"] for c in record["claims"])


def test_update_baseline_with_only_is_refused_before_anything_runs(tmp_path):
    # A usage error (exit 2) must not cost a full run first: the spec's one build would leave a cache.
    (tmp_path / "livebench.yml").write_text(
        'version: 1\nbuilds:\n  b:\n    commands: ["touch ran"]\n    artifact: ran\n')
    proc = livebench("run", "-q", "--spec", "livebench.yml", "--update-baseline", "--only", "b", cwd=tmp_path)
    assert proc.returncode == 2 and "--update-baseline needs a complete run" in proc.stderr
    assert not (tmp_path / "ran").exists() and not (tmp_path / ".livebench-cache").exists()


def test_page_errors_and_claims_count_the_front_matter_lines(project):
    """MkDocs strips front matter before plugins see a page: the line in a message is still the editor's."""
    front = "---\ntitle: Hello\ndate: 2026-12-01\ntags: [c]\n---\n"
    proj = project(front + "# Hello\n\nIt is {lb-claim:build.hello.kind == static}.\n\n```livebench\nlinkage: [helo]\n```\n")
    proc = mkdocs_build(proj, "--strict")
    assert proc.returncode != 0
    claim = next(l for l in proc.stderr.splitlines() if "lb-claim:build.hello.kind == static" in l)
    assert "docs/index.md:8:" in claim  # line 8 in the file, line 3 of what MkDocs hands the plugin
    block = next(l for l in proc.stderr.splitlines() if "unknown build 'helo'" in l)
    assert "docs/index.md:10:" in block


def test_a_claim_on_a_failed_build_is_not_measured_and_the_build_fails_once(project):
    proj = project("# Hello\n\nIt is {lb-claim:build.hello.kind == dynamic}.\n")
    (proj / "src" / "hello.c").write_text("int main( {\n")
    proc = mkdocs_build(proj)
    assert proc.returncode != 0
    assert proc.stderr.count("livebench: 1 failure(s)") == 1, proc.stderr[-3000:]
    assert "builds.hello" in proc.stderr and "is false" not in proc.stderr


def test_the_cli_reads_spec_cache_and_pages_from_mkdocs_yml(tmp_path):
    """In a blogger's project the CLI finds what the site build uses; the baseline has one place."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "hello.c").write_text('#include <stdio.h>\nint main(void){puts("hi");return 0;}\n')
    (tmp_path / "lb").mkdir()
    (tmp_path / "lb" / "spec.yml").write_text(SPEC.replace("workdir: src", "workdir: src"))
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "index.md").write_text("# T\n\nIt is {lb-claim:build.hello.kind == static}.\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\ndocs_dir: pages\nplugins:\n  - livebench:\n"
                                         "      spec: lb/spec.yml\n      cache_dir: !ENV [LB_CACHE, .lbcache]\n")
    run = livebench("run", "-q", "--update-baseline", cwd=tmp_path)
    # the page's false claim is read from mkdocs.yml's docs_dir, so the run fails and writes no baseline
    assert run.returncode == 1 and "pages/index.md:3" in run.stderr, run.stderr
    assert (tmp_path / ".lbcache" / "results.json").is_file() and not (tmp_path / "benchmarks").exists()
    (tmp_path / "pages" / "index.md").write_text("# T\n\nIt is {lb-claim:build.hello.kind == dynamic}.\n")
    assert livebench("run", "-q", "--update-baseline", cwd=tmp_path).returncode == 0
    assert (tmp_path / "lb" / "baseline.json").is_file()  # next to the spec, where `check` looks
    check = livebench("check", "-q", cwd=tmp_path)
    assert check.returncode == 0 and "lb/baseline.json" in check.stdout, check.stdout + check.stderr
    shown = livebench("show", cwd=tmp_path)
    assert shown.returncode == 0 and "hello" in shown.stdout
    bad = tmp_path / "mkdocs.yml"
    bad.write_text("site_name: [\n")
    broken = livebench("run", "-q", cwd=tmp_path)
    assert broken.returncode == 2 and "mkdocs.yml: cannot read it" in broken.stderr and "Traceback" not in broken.stderr


def test_doctor_names_what_is_missing_and_the_command_that_installs_it(tmp_path):
    ok = livebench("doctor", cwd=ROOT)  # the demo, on a machine bootstrap.sh set up
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "everything the spec needs is here" in ok.stdout and "rustc 1.96" in ok.stdout
    assert "Docker Engine" in ok.stdout and "user namespaces" in ok.stdout
    (tmp_path / "livebench.yml").write_text(
        "version: 1\ntools:\n  zig: {version: no-such-zig version, package: zig}\n"
        "  gcc: {version: gcc --version, package: gcc}\nbuilds:\n  b:\n    tools: [zig]\n"
        "    commands: [zig build]\n    artifact: out\n")
    bad = livebench("doctor", "--spec", "livebench.yml", cwd=tmp_path)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "MISSING  zig: `no-such-zig version` failed  (for builds.b)" in bad.stdout
    assert bad.stdout.rstrip().endswith("apt-get install zig") and "Traceback" not in bad.stderr
