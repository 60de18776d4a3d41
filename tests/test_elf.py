"""Tests for livebench.run.elf and livebench.cli.inspect against real binaries built in the session.

Every verdict is checked against ``readelf -lhdW`` output parsed here. The toolchain (gcc,
musl-gcc, readelf, strip) is a hard requirement: a missing tool FAILS the tests, it never skips.
"""
from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from livebench.cli.inspect import cmd_inspect
from livebench.errors import ElfError
from livebench.run.elf import DF_1_PIE, Linkage, inspect, iter_elf_files, ldd_text, resolve

HOST_LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
MUSL_LOADER = "/lib/ld-musl-x86_64.so.1"

HELLO = '#include <stdio.h>\nint main(void){puts("hello");return 0;}\n'
FOO = '#include <stdio.h>\nint foo(void){puts("foo");return 42;}\n'
BAR = 'int bar(void){return 7;}\n'
USES_FOO = "int foo(void);\nint main(void){return foo()==42?0:1;}\n"
USES_BAR = "int bar(void);\nint main(void){return bar()==7?0:1;}\n"
# Would leave a marker file behind if anything ever ran it.
MARKER = ('#include <stdio.h>\n__attribute__((constructor)) static void mark(void){'
          'FILE*f=fopen(MARKER_PATH,"w");if(f)fclose(f);}\nint main(void){return 0;}\n')
ASM32 = ".globl _start\n_start:\n mov $1,%eax\n xor %ebx,%ebx\n int $0x80\n"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is required for tests/test_elf.py (apt-get install gcc musl-tools binutils)")
    return path


def _run(*cmd: str | os.PathLike[str], cwd: Path | None = None) -> None:
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"build step failed: {' '.join(map(str, cmd))}\n{r.stdout}{r.stderr}")


def _musl_libdir() -> Path:
    """Where Debian's musl-gcc wrapper takes its crt files (from the specs path in the script)."""
    text = Path(_tool("musl-gcc")).read_text()
    m = re.search(r'-specs\s+"?([^"\s]+)', text)
    assert m, "cannot find the specs file in the musl-gcc wrapper"
    return Path(m.group(1)).parent


@pytest.fixture(scope="session")
def bins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build every test binary once per session (a few seconds on 2 cores)."""
    gcc, musl, strip = _tool("gcc"), _tool("musl-gcc"), _tool("strip")
    _tool("readelf")
    d = tmp_path_factory.mktemp("elfbins")
    for name, text in {"hello.c": HELLO, "foo.c": FOO, "bar.c": BAR, "usesfoo.c": USES_FOO,
                       "usesbar.c": USES_BAR, "s32.S": ASM32}.items():
        (d / name).write_text(text)
    b: dict[str, Path] = {}

    def cc(name: str, compiler: str, *args: str) -> Path:
        out = d / name
        _run(compiler, *args, "-o", out, cwd=d)
        b[name] = out
        return out

    cc("gnu-pie", gcc, "hello.c")
    cc("gnu-nopie", gcc, "-no-pie", "hello.c")
    cc("gnu-static", gcc, "-static", "hello.c")
    cc("gnu-static-pie", gcc, "-static-pie", "hello.c")
    cc("musl-static", musl, "-static", "hello.c")
    cc("musl-dynamic", musl, "hello.c")
    for name in ("musl-static", "gnu-static", "gnu-static-pie"):
        _run(strip, "-o", d / f"{name}-stripped", d / name)
        b[f"{name}-stripped"] = d / f"{name}-stripped"
    # A true musl static-pie (rcrt1.o, no loader), and the same link with musl-gcc's
    # "-dynamic-linker" added: Pitfall 2 of the shared notes (PT_INTERP, no DT_NEEDED).
    lib = _musl_libdir()
    _run(musl, "-fPIE", "-c", "hello.c", "-o", "hello-pie.o", cwd=d)
    libgcc = subprocess.run([gcc, "-print-libgcc-file-name"], capture_output=True, text=True).stdout.strip()
    musl_objs = [str(lib / "rcrt1.o"), str(lib / "crti.o"), "hello-pie.o", f"-L{lib}", "-lc", libgcc,
                 str(lib / "crtn.o")]
    cc("musl-static-pie", gcc, "-nostdlib", "-static-pie", *musl_objs)
    cc("musl-pie-with-interp", gcc, "-nostdlib", "-pie", "-Wl,-static",
       f"-Wl,-dynamic-linker,{MUSL_LOADER}", *musl_objs)
    cc("libfoo.so", gcc, "-shared", "-fPIC", "-Wl,-soname,libfoo.so", "foo.c")
    cc("libnosoname.so", gcc, "-shared", "-fPIC", "foo.c")
    cc("usesfoo", gcc, "usesfoo.c", "-L.", "-lfoo")
    # $ORIGIN: app/bin/app finds app/lib/libfoo.so through RUNPATH (new dtags) or RPATH (old).
    (d / "app" / "bin").mkdir(parents=True)
    (d / "app" / "lib").mkdir()
    shutil.copy(d / "libfoo.so", d / "app" / "lib" / "libfoo.so")
    cc("app/bin/app", gcc, "usesfoo.c", "-L.", "-lfoo", "-Wl,--enable-new-dtags",
       "-Wl,-rpath,$ORIGIN/../lib")
    cc("rpath-app", gcc, "usesfoo.c", "-L.", "-lfoo", "-Wl,--disable-new-dtags",
       "-Wl,-rpath,/opt/foo/lib")
    # musl library user (a non-reserved name, to exercise musl's search path).
    cc("libbar.so", musl, "-shared", "-fPIC", "-Wl,-soname,libbar.so", "bar.c")
    cc("musl-usesbar", musl, "usesbar.c", "-L.", "-lbar")
    # 32-bit: no i386 libc headers here, but the toolchain assembles and links -m32 -nostdlib.
    cc("static32", gcc, "-m32", "-nostdlib", "-static", "s32.S")
    cc("libfoo32.so", gcc, "-m32", "-shared", "-fPIC", "-nostdlib", "-Wl,-soname,libfoo.so", "bar.c")
    marker = d / "marker-was-run"
    (d / "marker.c").write_text(MARKER.replace("MARKER_PATH", json.dumps(str(marker))))
    cc("marker", gcc, "marker.c")
    b["marker-file"] = marker
    # An old-linker static-pie: the same binary with DF_1_PIE cleared from DT_FLAGS_1.
    patched = d / "static-pie-no-df1"
    shutil.copy(b["gnu-static-pie"], patched)
    _clear_df_1_pie(patched)
    b["static-pie-no-df1"] = patched
    return b


def _clear_df_1_pie(path: Path) -> None:
    from elftools.elf.elffile import ELFFile

    with open(path, "rb") as f:
        elf = ELFFile(f)
        dyn = next(elf.iter_sections(type="SHT_DYNAMIC"))
        off, entsize = dyn["sh_offset"], dyn["sh_entsize"]
        for i, tag in enumerate(dyn.iter_tags()):
            if tag.entry.d_tag == "DT_FLAGS_1":
                at, value = off + i * entsize + 8, tag.entry.d_val & ~DF_1_PIE
                break
        else:
            raise AssertionError("no DT_FLAGS_1")
    with open(path, "r+b") as f:
        f.seek(at)
        f.write(struct.pack("<Q", value))


# --------------------------------------------------------------------------- readelf oracle

def readelf_facts(path: Path | str) -> dict[str, object]:
    out = subprocess.run(["readelf", "-lhdW", str(path)], capture_output=True, text=True, check=True).stdout

    def one(pattern: str) -> str | None:
        m = re.search(pattern, out)
        return m.group(1) if m else None

    return {
        "class": one(r"Class:\s+(ELF\d+)"),
        "type": one(r"Type:\s+(\w+)"),
        "machine": one(r"Machine:\s+(.+)"),
        "interp": one(r"\[Requesting program interpreter: (.*)\]"),
        "needed": re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", out),
        "soname": one(r"\(SONAME\)\s+Library soname: \[(.*)\]"),
        "runpath": (one(r"\(RUNPATH\)\s+Library runpath: \[(.*)\]") or "").split(":") if "RUNPATH" in out else [],
        "rpath": (one(r"\(RPATH\)\s+Library rpath: \[(.*)\]") or "").split(":") if "(RPATH)" in out else [],
        "pie_flag": bool(re.search(r"\(FLAGS_1\)\s+Flags:.*\bPIE\b", out)),
        "has_dynamic": "There is no dynamic section" not in out,
    }


def readelf_kind(f: dict[str, object]) -> str:
    """The classification rules, applied to readelf's text (independent of the module)."""
    if f["type"] == "EXEC":
        return "dynamic" if f["interp"] else "static"
    if f["type"] != "DYN":
        return "unknown"
    if f["interp"]:
        return "shared-library" if f["soname"] and not f["pie_flag"] else "dynamic"
    if f["pie_flag"]:
        return "static-pie"
    return "shared-library"


EXPECTED = {  # name: (kind, libc)
    "gnu-pie": ("dynamic", "glibc"),
    "gnu-nopie": ("dynamic", "glibc"),
    "gnu-static": ("static", "glibc"),
    "gnu-static-stripped": ("static", "glibc"),
    "gnu-static-pie": ("static-pie", "glibc"),
    "gnu-static-pie-stripped": ("static-pie", "glibc"),
    "musl-static": ("static", "musl"),
    "musl-static-stripped": ("static", "musl"),
    "musl-dynamic": ("dynamic", "musl"),
    "musl-static-pie": ("static-pie", "musl"),
    "musl-pie-with-interp": ("dynamic", "musl"),
    "libfoo.so": ("shared-library", "glibc"),
    "libnosoname.so": ("shared-library", "glibc"),
    "usesfoo": ("dynamic", "glibc"),
    "app/bin/app": ("dynamic", "glibc"),
    "rpath-app": ("dynamic", "glibc"),
    "libbar.so": ("shared-library", "musl"),
    "musl-usesbar": ("dynamic", "musl"),
    "static32": ("static", "none"),
    "libfoo32.so": ("shared-library", "none"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdicts_match_readelf(bins: dict[str, Path], name: str) -> None:
    path = bins[name]
    link = inspect(path)
    facts = readelf_facts(path)
    assert (link.kind, link.libc) == EXPECTED[name], link.libc_evidence
    assert link.kind == readelf_kind(facts)
    assert link.elf_class == facts["class"]
    assert link.interpreter == facts["interp"]
    assert link.needed == facts["needed"]
    assert link.soname == facts["soname"]
    assert link.runpath == facts["runpath"]
    assert link.rpath == facts["rpath"]
    assert link.size == path.stat().st_size
    assert link.libc_evidence, "every verdict names its evidence"
    if facts["interp"]:
        assert link.kind not in ("static", "static-pie"), "a PT_INTERP binary is never static"


def test_gcc_pie_details(bins: dict[str, Path]) -> None:
    link = inspect(bins["gnu-pie"])
    assert link.interpreter == "/lib64/ld-linux-x86-64.so.2"
    assert link.needed == ["libc.so.6"]
    assert link.machine == "x86_64" and link.endian == "little"
    assert not link.stripped
    assert any("ld-linux-x86-64.so.2" in e for e in link.libc_evidence)


def test_debian_musl_gcc_static_is_truly_static(bins: dict[str, Path]) -> None:
    """Debian's musl-gcc -static gives ET_EXEC, no PT_INTERP, no dynamic section."""
    facts = readelf_facts(bins["musl-static"])
    assert facts["type"] == "EXEC" and facts["interp"] is None and not facts["has_dynamic"]
    link = inspect(bins["musl-static"])
    assert link.interpreter is None and link.needed == []
    assert ldd_text(link) == "\tstatically linked\n"


def test_musl_pie_with_interp_is_dynamic_not_static(bins: dict[str, Path]) -> None:
    """Pitfall 2: no DT_NEEDED at all, but a PT_INTERP: it runs only where musl's loader is."""
    link = inspect(bins["musl-pie-with-interp"])
    assert link.interpreter == MUSL_LOADER and link.needed == []
    assert link.kind == "dynamic" and link.libc == "musl"
    assert "statically linked" not in ldd_text(link)
    entries = resolve(link, str(Path(bins["gnu-pie"]).parent / "no-such-root-contents"))
    assert entries == [type(entries[0])(MUSL_LOADER, None, "interpreter")]


@pytest.mark.parametrize("name", ["musl-static", "gnu-static", "gnu-static-pie"])
def test_stripped_keeps_libc(bins: dict[str, Path], name: str) -> None:
    full, stripped = inspect(bins[name]), inspect(bins[f"{name}-stripped"])
    assert not full.stripped and stripped.stripped
    assert stripped.libc == full.libc
    assert not any("symbols" in e for e in stripped.libc_evidence)  # no symbol table to lean on
    expected = "NT_GNU_ABI_TAG" if full.libc == "glibc" else "musl's x86-64 _start"
    assert any(expected in e for e in stripped.libc_evidence), stripped.libc_evidence


def test_static_pie_without_df_1_pie_heuristic(bins: dict[str, Path]) -> None:
    assert not readelf_facts(bins["static-pie-no-df1"])["pie_flag"]
    link = inspect(bins["static-pie-no-df1"])
    assert link.kind == "static-pie"
    assert "heuristic" in link.kind_evidence[0]


def test_library_without_soname_is_a_library(bins: dict[str, Path]) -> None:
    link = inspect(bins["libnosoname.so"])
    assert link.soname is None and link.kind == "shared-library"
    assert "exporting" in link.kind_evidence[0]


# --------------------------------------------------------------------------- broken input

def test_not_elf(tmp_path: Path) -> None:
    p = tmp_path / "script.sh"
    p.write_text("#!/bin/sh\necho hi\n")
    with pytest.raises(ElfError, match=r"script\.sh: not an ELF file \(starts with b'#!/bin/sh"):
        inspect(p)


@pytest.mark.parametrize("what", ["empty", "missing", "directory"])
def test_unreadable(tmp_path: Path, what: str) -> None:
    p = tmp_path / what
    if what == "empty":
        p.write_bytes(b"")
    elif what == "directory":
        p.mkdir()
    with pytest.raises(ElfError) as e:
        inspect(p)
    assert str(p) in str(e.value)


@pytest.mark.parametrize("keep", [4, 20, 40, 63, 64, 200, 1000, 5000, -100])
def test_truncated(bins: dict[str, Path], tmp_path: Path, keep: int) -> None:
    data = bins["gnu-pie"].read_bytes()
    p = tmp_path / "cut"
    p.write_bytes(data[:keep])
    with pytest.raises(ElfError) as e:
        inspect(p)
    assert str(p) in str(e.value)
    assert "truncated" in str(e.value) or "corrupt" in str(e.value)


@pytest.mark.parametrize("name", ["gnu-pie", "musl-static", "libfoo.so", "static32"])
def test_corrupted_never_crashes(bins: dict[str, Path], tmp_path: Path, name: str) -> None:
    """Random byte damage gives a Linkage or an ElfError, nothing else."""
    data = bins[name].read_bytes()
    rng = random.Random(name)
    p = tmp_path / "damaged"
    for _ in range(150):
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(4, min(len(b), 4096))  # headers live at the front
            b[at] = rng.randrange(256)
        p.write_bytes(bytes(b))
        try:
            link = inspect(p, root="/")
        except ElfError as e:
            assert str(p) in str(e)
        else:
            json.dumps(link.to_dict())


def _elf32_header(machine: int, *, big: bool = False, e_type: int = 2) -> bytes:
    """A minimal ELF32 file: just the header, no program or section headers."""
    end = ">" if big else "<"
    ident = b"\x7fELF" + bytes([1, 2 if big else 1, 1]) + bytes(9)
    return ident + struct.pack(end + "HHIIIIIHHHHHH", e_type, machine, 1, 0x8048000, 0, 0, 0,
                               52, 32, 0, 40, 0, 0)


def test_elf32_real_and_handmade(bins: dict[str, Path], tmp_path: Path) -> None:
    link = inspect(bins["static32"])
    facts = readelf_facts(bins["static32"])
    assert (link.elf_class, link.machine, link.kind) == ("ELF32", "i386", "static")
    assert facts["class"] == "ELF32" and "80386" in str(facts["machine"])
    p = tmp_path / "tiny32"
    p.write_bytes(_elf32_header(3))
    tiny = inspect(p)
    assert (tiny.elf_class, tiny.machine, tiny.endian, tiny.kind) == ("ELF32", "i386", "little", "static")
    assert readelf_facts(p)["class"] == "ELF32"
    p.write_bytes(_elf32_header(20, big=True))  # EM_PPC, big-endian
    ppc = inspect(p)
    assert (ppc.machine, ppc.endian) == ("ppc", "big")
    p.write_bytes(_elf32_header(3, e_type=1))  # ET_REL: not linked
    rel = inspect(p)
    assert rel.kind == "unknown" and "ET_REL" in (rel.reason or "")
    assert ldd_text(rel) == "\tnot a dynamic executable\n"


def test_inspection_never_executes(bins: dict[str, Path], tmp_path: Path) -> None:
    exe = tmp_path / "marker"
    shutil.copy(bins["marker"], exe)
    exe.chmod(0o644)  # not even executable: inspection must not need it to be
    link = inspect(exe, root="/")
    ldd_text(link)
    cmd_inspect([str(exe)], None, True, out=io.StringIO(), err=io.StringIO())
    assert link.kind == "dynamic"
    assert not bins["marker-file"].exists()


# --------------------------------------------------------------------------- resolution

def test_ldd_listing_on_host(bins: dict[str, Path]) -> None:
    text = ldd_text(inspect(bins["gnu-pie"]))
    assert text.splitlines() == ["\tlinux-vdso.so.1", f"\tlibc.so.6 => {HOST_LIBC}",
                                 "\t/lib64/ld-linux-x86-64.so.2"]
    assert "0x" not in text
    assert ldd_text(inspect(bins["gnu-static-pie"])) == "\tstatically linked\n"
    musl = ldd_text(inspect(bins["musl-dynamic"])).splitlines()
    assert musl == [f"\t{MUSL_LOADER}", f"\tlibc.so => {MUSL_LOADER}"]


def test_origin_runpath(bins: dict[str, Path]) -> None:
    app = bins["app/bin/app"]
    link = inspect(app, root="/")
    assert link.runpath == ["$ORIGIN/../lib"] and link.rpath == []
    assert link.resolved is not None
    assert link.resolved["libfoo.so"] == str(app.parent.parent / "lib" / "libfoo.so")
    assert link.resolved["libc.so.6"] == HOST_LIBC
    # The app's folder used as a root: $ORIGIN is /bin there.
    inside = inspect(app, root=str(app.parent.parent))
    assert inside.resolved is not None and inside.resolved["libfoo.so"] == "/lib/libfoo.so"
    assert inside.resolved["libc.so.6"] is None


def test_rpath_recorded(bins: dict[str, Path]) -> None:
    link = inspect(bins["rpath-app"], root="/")
    assert link.rpath == ["/opt/foo/lib"] and link.runpath == []
    assert link.resolved == {"libfoo.so": None, "libc.so.6": HOST_LIBC,
                             "/lib64/ld-linux-x86-64.so.2": "/lib64/ld-linux-x86-64.so.2"}


def _mkroot(base: Path, files: dict[str, Path | None]) -> Path:
    for rel, src in files.items():
        dst = base / rel.lstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src is None:
            dst.write_text("")
        else:
            shutil.copy(src, dst)
    return base


def test_fake_root_found_and_not_found(bins: dict[str, Path], tmp_path: Path) -> None:
    root = _mkroot(tmp_path / "r1", {"/lib/x86_64-linux-gnu/libc.so.6": Path(HOST_LIBC)})
    link = inspect(bins["gnu-pie"], root=str(root))
    assert link.resolved == {"libc.so.6": "/lib/x86_64-linux-gnu/libc.so.6",
                             "/lib64/ld-linux-x86-64.so.2": None}
    assert ldd_text(link, str(root)).splitlines() == [
        "\tlinux-vdso.so.1", "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6",
        "\t/lib64/ld-linux-x86-64.so.2 => not found"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "\tlibc.so.6 => not found" in ldd_text(link, str(empty))
    # Transitive: libfoo.so is found, its own libc.so.6 is not.
    r2 = _mkroot(tmp_path / "r2", {"/usr/lib/libfoo.so": bins["libfoo.so"]})
    names = [(e.name, e.path) for e in resolve(inspect(bins["usesfoo"]), str(r2))]
    assert ("libfoo.so", "/usr/lib/libfoo.so") in names and ("libc.so.6", None) in names


def test_symlinks_are_rerooted(bins: dict[str, Path], tmp_path: Path) -> None:
    link = inspect(bins["gnu-pie"])
    # An absolute link target is looked up inside the root...
    r = _mkroot(tmp_path / "r", {"/opt/real/libc.so.6": Path(HOST_LIBC)})
    (r / "lib/x86_64-linux-gnu").mkdir(parents=True)
    os.symlink("/opt/real/libc.so.6", r / "lib/x86_64-linux-gnu/libc.so.6")
    assert dict((e.name, e.path) for e in resolve(link, str(r)))["libc.so.6"] == "/lib/x86_64-linux-gnu/libc.so.6"
    # ...never on the host, even though the host has that file.
    out = tmp_path / "out"
    (out / "lib/x86_64-linux-gnu").mkdir(parents=True)
    os.symlink(os.path.realpath(HOST_LIBC), out / "lib/x86_64-linux-gnu/libc.so.6")
    os.symlink("../../../../../../../.." + os.path.realpath(HOST_LIBC), out / "lib/x86_64-linux-gnu/libm.so.6")
    assert dict((e.name, e.path) for e in resolve(link, str(out)))["libc.so.6"] is None
    link.needed = ["libm.so.6"]
    assert dict((e.name, e.path) for e in resolve(link, str(out)))["libm.so.6"] is None  # ".." stops at the root


def test_ld_so_conf_inside_root(bins: dict[str, Path], tmp_path: Path) -> None:
    r = _mkroot(tmp_path / "r", {"/opt/libs/libc.so.6": Path(HOST_LIBC), "/opt/other/libfoo.so": bins["libfoo.so"]})
    (r / "etc/ld.so.conf.d").mkdir(parents=True)
    (r / "etc/ld.so.conf").write_text("# comment\ninclude /etc/ld.so.conf.d/*.conf\n")
    (r / "etc/ld.so.conf.d/a.conf").write_text("/opt/libs\n")
    (r / "etc/ld.so.conf.d/b.conf").write_text("include ../extra.conf\n")
    (r / "etc/extra.conf").write_text("/opt/other\n")
    got = dict((e.name, e.path) for e in resolve(inspect(bins["usesfoo"]), str(r)))
    assert got["libc.so.6"] == "/opt/libs/libc.so.6"
    assert got["libfoo.so"] == "/opt/other/libfoo.so"


def test_wrong_class_library_is_skipped(bins: dict[str, Path], tmp_path: Path) -> None:
    assert inspect(bins["libfoo32.so"]).elf_class == "ELF32"
    r = _mkroot(tmp_path / "r", {"/lib/x86_64-linux-gnu/libfoo.so": bins["libfoo32.so"],
                                 "/usr/lib/x86_64-linux-gnu/libfoo.so": bins["libfoo.so"],
                                 "/lib64/libc.so.6": None})  # not ELF: skipped too
    got = dict((e.name, e.path) for e in resolve(inspect(bins["usesfoo"]), str(r)))
    assert got["libfoo.so"] == "/usr/lib/x86_64-linux-gnu/libfoo.so"
    assert got["libc.so.6"] is None


def test_musl_search_path(bins: dict[str, Path], tmp_path: Path) -> None:
    link = inspect(bins["musl-usesbar"])
    assert link.needed == ["libbar.so", "libc.so"]
    # /etc/ld-musl-x86_64.path replaces the default path...
    r = _mkroot(tmp_path / "r", {MUSL_LOADER: Path(os.path.realpath(MUSL_LOADER)),
                                 "/custom/libbar.so": bins["libbar.so"],
                                 "/usr/lib/libbar.so": bins["libbar.so"]})
    (r / "etc").mkdir()
    (r / "etc/ld-musl-x86_64.path").write_text("/custom\n")
    assert ldd_text(link, str(r)).splitlines() == [
        f"\t{MUSL_LOADER}", "\tlibbar.so => /custom/libbar.so", f"\tlibc.so => {MUSL_LOADER}"]
    # ...and without it musl searches /lib:/usr/local/lib:/usr/lib (no glibc multiarch dirs).
    (r / "etc/ld-musl-x86_64.path").unlink()
    assert dict((e.name, e.path) for e in resolve(link, str(r)))["libbar.so"] == "/usr/lib/libbar.so"
    r2 = _mkroot(tmp_path / "r2", {"/lib/x86_64-linux-gnu/libbar.so": bins["libbar.so"]})
    got = dict((e.name, e.path) for e in resolve(link, str(r2)))
    assert got == {MUSL_LOADER: None, "libbar.so": None, "libc.so": None}


# --------------------------------------------------------------------------- real system files

def test_system_files() -> None:
    ls = inspect("/bin/ls", root="/")
    assert (ls.kind, ls.libc) == ("dynamic", "glibc") and "libc.so.6" in ls.needed
    assert ls.resolved is not None and all(ls.resolved.values())
    libc = inspect(HOST_LIBC)
    assert (libc.kind, libc.libc, libc.soname) == ("shared-library", "glibc", "libc.so.6")
    assert readelf_kind(readelf_facts(HOST_LIBC)) == "shared-library"
    ld = inspect("/lib64/ld-linux-x86-64.so.2")
    assert (ld.kind, ld.libc) == ("shared-library", "glibc")
    musl = inspect(os.path.realpath(MUSL_LOADER))  # musl's libc.so: no SONAME, but a library
    assert (musl.kind, musl.libc) == ("shared-library", "musl")


def _first_elf_files(folder: str, n: int) -> list[str]:
    names = sorted(os.path.join(folder, x) for x in os.listdir(folder))
    out: list[str] = []
    for p in iter_elf_files(names):
        out.append(p)
        if len(out) == n:
            break
    return out


@pytest.mark.parametrize("folder", ["/usr/bin", "/usr/lib/x86_64-linux-gnu"])
def test_sweep_real_files(folder: str) -> None:
    files = _first_elf_files(folder, 200)
    assert len(files) >= 50
    failures = []
    for p in files:
        try:
            link = inspect(p, root="/")
        except ElfError as e:
            failures.append(str(e))
            continue
        assert isinstance(link, Linkage)
        assert link.kind in ("static", "static-pie", "dynamic", "shared-library", "unknown")
        assert link.libc in ("glibc", "musl", "none", "unknown")
        json.dumps(link.to_dict())
        if link.interpreter:
            assert link.kind in ("dynamic", "shared-library")
        assert link.kind == readelf_kind(readelf_facts(p)) or link.kind == "unknown"
    assert not failures, failures  # installed files are well-formed ELF


# --------------------------------------------------------------------------- CLI

def test_cli_text_and_exit_codes(bins: dict[str, Path], tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cmd_inspect([str(bins["gnu-pie"]), str(bins["musl-static"])], None, False, out, err) == 0
    text = out.getvalue()
    assert "dynamic" in text and "libc glibc" in text and "\tlibc.so.6 => " in text
    assert "\tstatically linked" in text and "libc musl" in text
    assert err.getvalue() == ""
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    out, err = io.StringIO(), io.StringIO()
    assert cmd_inspect([str(bad), str(bins["gnu-pie"])], None, False, out, err) == 1
    assert err.getvalue().startswith(f"livebench inspect: {bad}: not an ELF file (starts with b'hello')")
    assert str(bins["gnu-pie"]) in out.getvalue()  # the good path is still reported
    assert "Traceback" not in err.getvalue()


def test_cli_json(bins: dict[str, Path], tmp_path: Path) -> None:
    out = io.StringIO()
    assert cmd_inspect([str(bins["gnu-pie"])], None, True, out, io.StringIO()) == 0
    one = json.loads(out.getvalue())
    assert isinstance(one, dict)
    for key in ("path", "class", "machine", "kind", "libc", "libc_evidence", "interpreter", "needed",
                "rpath", "runpath", "stripped", "size", "resolved"):
        assert key in one
    assert one["resolved"]["libc.so.6"] == HOST_LIBC
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"\x7fELF\x02\x01\x01")
    root = _mkroot(tmp_path / "root", {"/lib/x86_64-linux-gnu/libc.so.6": Path(HOST_LIBC)})
    out, err = io.StringIO(), io.StringIO()
    rc = cmd_inspect([str(bins["gnu-pie"]), str(bad)], str(root), True, out, err)
    assert rc == 1
    many = json.loads(out.getvalue())
    assert isinstance(many, list) and len(many) == 2
    assert many[0]["resolved"]["/lib64/ld-linux-x86-64.so.2"] is None
    assert many[1]["path"] == str(bad) and "truncated" in many[1]["error"]
    assert set(many[1]) == {"path", "error"}
    assert f"livebench inspect: {bad}: " in err.getvalue()
