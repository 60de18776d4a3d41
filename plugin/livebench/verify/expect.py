"""Expectations the spec declares next to what they judge: a build's ``expect:``, the probe matrix's."""
from __future__ import annotations

from typing import Any

from ..spec.model import Plan, Step


def build_failures(step: Step, linkage: dict[str, Any] | None) -> list[str]:
    """Compare a build's declared expectations with its measured linkage."""
    items = step.expect.items()
    if not items:
        return []
    if linkage is None:
        return [f"{step.key_path}.expect: the artifact could not be inspected"]
    out = []
    for key, want in items:
        if key == "max_size":
            if linkage.get("size", 0) > int(want):
                out.append(f"{step.key_path}.expect.max_size: {linkage.get('size')} bytes > {want}")
            continue
        have = linkage.get(key)
        if key == "needed":
            extra = set(have or []) - set(want or [])
            if extra:
                out.append(f"{step.key_path}.expect.needed: also needs {', '.join(sorted(extra))}")
        elif have != want:
            out.append(f"{step.key_path}.expect.{key}: expected {want!r}, measured {have!r}")
    return out


def apply_expectations(plan: Plan, record: dict[str, Any]) -> list[dict[str, Any]]:
    """Judge builds and probes against the spec's expectations, in the record; return the failures."""
    failures: list[dict[str, Any]] = []
    for name, result in record.get("builds", {}).items():
        step = plan.builds.get(name)
        if step is None or not result.get("ok"):
            continue
        result["expect_failures"] = build_failures(step, result.get("linkage"))
        for failure in result["expect_failures"]:
            failures.append({"what": step.key_path, "kind": "expect",
                             "message": f"{plan.where(step.key_path + '.expect')}: {failure}"})
    for build, row in record.get("probes", {}).items():
        for base, result in row.items():
            verdict = plan.probes.expected(build, base)
            ran = result.get("exit_code") == 0
            result["expected"] = verdict
            result["ok"] = verdict is None or (verdict == "runs") == ran
            if not result["ok"]:
                what = f"probes.expect.{build}.{base}"
                failures.append({"what": what, "kind": "expect", "message": (
                    f"{plan.where(what)}: {what}: expected it to {verdict[:-1] if verdict else '?'}, but it "
                    f"{'ran' if ran else 'failed'} (exit {result.get('exit_code')}): "
                    f"{(result.get('output') or '').strip()[-200:]}")})
    return failures
