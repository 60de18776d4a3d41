"""The package's shape, checked by the tools that own each rule: imports go down the flow
(import-linter), lint-clean (ruff), typed (mypy, strict on spec/record/verify), no module past ~400
lines. Each runs the real tool on the real tree, as a developer would before committing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MAX_LINES = 400


def _tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / name
    assert exe.exists(), f"{name} is missing from {BIN}: install the test extra (pip install -e '.[test]')"
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_imports_only_go_down_the_flow():
    proc = _tool("lint-imports")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "broken" in proc.stdout and " 0 broken" in proc.stdout


def test_ruff_finds_nothing():
    proc = _tool("ruff", "check", "plugin", "tests", "benchmarks/perf")
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_mypy_strict_on_spec_record_verify():
    proc = _tool("mypy")
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_no_module_is_a_god_module():
    big = {str(p.relative_to(ROOT)): n for p in (ROOT / "plugin" / "livebench").rglob("*.py")
           if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not big, f"split these at their natural seams: {big}"


def test_no_private_name_is_imported_across_modules():
    offenders = []
    for p in (ROOT / "plugin" / "livebench").rglob("*.py"):
        for lineno, line in enumerate(p.read_text().splitlines(), 1):
            s = line.strip()
            if s.startswith("from ") and " import " in s:
                names = s.split(" import ", 1)[1].strip("()").split(",")
                if any(n.strip().split(" as ")[0].startswith("_") and n.strip() != "__version__" for n in names):
                    offenders.append(f"{p.relative_to(ROOT)}:{lineno}: {s}")
    assert not offenders, "\n".join(offenders)


def test_the_published_schema_is_generated_from_the_types():
    proc = subprocess.run([sys.executable, "-m", "livebench.record.jsonschema", "--check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
