"""(c) The embedded OCI writer vs the Docker backend assembling the same image.

Image: the busybox-musl base + a static musl hello (compiled once with musl-gcc), through the
images API (`build_image(spec, base, backend, cache_dir)`). Each round:
- both variants get a fresh cache folder seeded only with the base's compressed blob (the base tar
  and its blob are cached for both, as in a real run), so the app layer, config and manifest are
  really written every time;
- the docker variant first has its image removed from the engine (untimed), so the engine really
  loads the image (archive + `docker load` + tag + inspect) every round.
Images are named livebench/lbperf-*, and removed at the end.

    .venv/bin/python benchmarks/perf/images_backends.py [--rounds 7]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, alternate, median, report, temp_dir
from livebench.run.images import engine as docker_backend
from livebench.run.images.assemble import build_image
from livebench.run.images.bases import build_base
from livebench.run.images.model import Addendum, ImageRecipe
from livebench.spec import load_plan

NAME = "lbperf-hello-busybox"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    tmp = temp_dir("images")
    c = docker_backend.client()
    try:
        hello = tmp / "hello"
        subprocess.run(["musl-gcc", "-static", "-O2", "-o", str(hello), str(ROOT / "benchmarks/hello-c/hello.c")],
                       check=True)
        recipe = load_plan(ROOT / "benchmarks" / "livebench.yml", root=ROOT).bases["busybox-musl"]
        base = build_base(recipe, ROOT / ".livebench-cache")  # cached: the demo's
        spec = ImageRecipe(name=NAME, base=base.name, files=(Addendum(hello, "/usr/local/bin/hello"),),
                         entrypoint=["hello"])
        # A template cache holding the base's gzip blob only (what every real run already has).
        template = tmp / "template"
        first = build_image(spec, base, "embedded", template)
        layout = template / "oci"
        keep = {first.layers[0].blob.split(":")[1]}
        for blob in (layout / "blobs" / "sha256").iterdir():
            if blob.name not in keep:
                blob.unlink()
        for memo in (layout / "gzip-of").iterdir():
            if not memo.name.startswith(base.diff_id.split(":")[1]):
                memo.unlink()
        shutil.rmtree(template / "layers", ignore_errors=True)
        (layout / "index.json").unlink(missing_ok=True)
        docker_backend.ensure_base(c, base)  # the base lives in the engine for both rounds
        n = {"i": 0}
        dirs: dict[str, Path] = {}

        def prepare(variant: str):
            def go() -> None:
                n["i"] += 1
                d = tmp / f"r{n['i']}"
                shutil.copytree(template, d)
                dirs[variant] = d
                if variant == "docker":
                    _remove(c, spec)
            return go

        def make(variant: str):
            def go() -> None:
                build_image(spec, base, variant, dirs[variant])
            return go

        times = alternate({"embedded": make("embedded"), "docker": make("docker")}, args.rounds, warmup=1,
                          prepare={"embedded": prepare("embedded"), "docker": prepare("docker")})
        ratio = median(times["docker"]) / median(times["embedded"])
        engine = docker_backend.engine_info(c)
        report("images_backends", "assemble busybox-musl + static hello (seconds)", times,
               {"docker/embedded": ratio}, targets={"docker/embedded": ">= 5"}, save=not args.no_save,
               extra={"rounds": args.rounds, "engine": engine, "base": base.name,
                      "app_bytes": hello.stat().st_size})
    finally:
        _remove(c, None)
        shutil.rmtree(tmp, ignore_errors=True)


def _remove(c, spec) -> None:
    import docker

    try:
        img = c.images.get(f"livebench/{NAME}:latest")
    except docker.errors.ImageNotFound:
        return
    c.images.remove(img.id, force=True)


if __name__ == "__main__":
    main()
