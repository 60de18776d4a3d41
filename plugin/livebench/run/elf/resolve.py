"""ld.so emulation: the libraries a binary loads, found inside a root the way glibc's or musl's loader would."""
from __future__ import annotations

import os
import posixpath
import re
from collections import deque
from dataclasses import dataclass

from elftools.elf.elffile import ELFFile

from .libc import MUSL_INTERP
from .model import LddEntry, Linkage
from .read import PARSE_ERRORS, header_key, read_dynamic
from .root import Root

__all__ = ["resolve", "ldd_text", "clear_memo"]

# musl's loader answers these names itself (dynlink.c, "reserved" names).
_MUSL_RESERVED = re.compile(r"^lib(c|pthread|rt|m|dl|util|xnet)\.")
_MUSL_DEFAULT_PATH = ["/lib", "/usr/local/lib", "/usr/lib"]


@dataclass
class _Obj:
    """A loaded object during resolution (the executable or a found library)."""

    vpath: str | None  # in-root path it was found at (None: the binary lies outside the root)
    origin: str | None  # what $ORIGIN expands to
    needed: list[str]
    rpath: list[str]
    runpath: list[str]
    soname: str | None = None
    loader: _Obj | None = None


# Resolving hundreds of binaries reads libc & co. hundreds of times: keep each library's dynamic
# table, keyed by its identity and stat (a replaced file is read again).
_DYN_MEMO: dict[tuple, tuple] = {}
_DYN_MEMO_MAX = 4096


def clear_memo() -> None:
    """Forget every library's dynamic table (benchmarks start each round cold, like a new process)."""
    _DYN_MEMO.clear()


def _read_obj(host: str, vpath: str, loader: _Obj | None) -> _Obj:
    try:
        st = os.stat(host)
        key: tuple | None = (host, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    hit = _DYN_MEMO.get(key) if key else None
    if hit is None:
        try:
            with open(host, "rb") as fh:
                needed, rpath, runpath, soname, _, _ = read_dynamic(ELFFile(fh))
        except PARSE_ERRORS:
            needed, rpath, runpath, soname = [], [], [], None  # ld.so would fail on it; list it anyway
        hit = (tuple(needed), tuple(rpath), tuple(runpath), soname)
        if key:
            if len(_DYN_MEMO) >= _DYN_MEMO_MAX:
                _DYN_MEMO.clear()
            _DYN_MEMO[key] = hit
    needed, rpath, runpath, soname = (list(hit[0]), list(hit[1]), list(hit[2]), hit[3])
    return _Obj(vpath, posixpath.dirname(vpath), needed, rpath, runpath, soname, loader)


_TRIPLETS = {
    ("x86_64", 64): "x86_64-linux-gnu", ("x86_64", 32): "x86_64-linux-gnux32",
    ("i386", 32): "i386-linux-gnu", ("aarch64", 64): "aarch64-linux-gnu",
    ("riscv64", 64): "riscv64-linux-gnu", ("ppc64le", 64): "powerpc64le-linux-gnu",
    ("ppc64", 64): "powerpc64-linux-gnu", ("ppc", 32): "powerpc-linux-gnu",
    ("s390x", 64): "s390x-linux-gnu", ("loongarch64", 64): "loongarch64-linux-gnu",
    ("sparc64", 64): "sparc64-linux-gnu", ("alpha", 64): "alpha-linux-gnu",
}
# glibc's loader per ABI: ldd loads a library that has no PT_INTERP with this one.
_GLIBC_LOADERS = {
    ("x86_64", 64): "/lib64/ld-linux-x86-64.so.2", ("x86_64", 32): "/libx32/ld-linux-x32.so.2",
    ("i386", 32): "/lib/ld-linux.so.2", ("aarch64", 64): "/lib/ld-linux-aarch64.so.1",
    ("riscv64", 64): "/lib/ld-linux-riscv64-lp64d.so.1", ("ppc64le", 64): "/lib64/ld64.so.2",
    ("ppc64", 64): "/lib64/ld64.so.1", ("s390x", 64): "/lib/ld64.so.1",
}
_PLATFORMS = {"i386": "i686", "arm": "v7l"}
_VDSO = {"i386": "linux-gate.so.1", "ppc64": "linux-vdso64.so.1", "ppc64le": "linux-vdso64.so.1",
         "s390x": "linux-vdso64.so.1", "ppc": "linux-vdso32.so.1"}


class _Resolver:
    """ld.so's search, glibc or musl flavour, inside a root."""

    def __init__(self, link: Linkage, root: Root) -> None:
        self.link = link
        self.root = root
        self.bits = 64 if link.elf_class == "ELF64" else 32
        self.key = (1 if self.bits == 32 else 2, 1 if link.endian == "little" else 2)
        self.musl = bool(link.interpreter and MUSL_INTERP.match(posixpath.basename(link.interpreter))) \
            or (link.interpreter is None and link.libc == "musl")
        if link.machine == "arm":  # hard-float ABI flag selects the Debian triplet
            self.triplet: str | None = "arm-linux-gnueabihf" if link.e_flags & 0x400 else "arm-linux-gnueabi"
        elif link.machine == "mips":
            self.triplet = ("mips" if link.endian == "big" else "mipsel") + "-linux-gnu"
        else:
            self.triplet = _TRIPLETS.get((link.machine, self.bits))
        self._sys: list[str] | None = None

    # -- search path pieces
    def _expand(self, entries: list[str], obj: _Obj) -> list[str]:
        out = []
        lib = f"lib/{self.triplet}" if self.triplet else ("lib64" if self.bits == 64 else "lib")
        platform = _PLATFORMS.get(self.link.machine, self.link.machine)
        for e in entries:
            if "$" in e:
                if ("ORIGIN" in e) and obj.origin is None:
                    continue  # the binary is outside the root: $ORIGIN has no place in it
                e = re.sub(r"\$(?:\{ORIGIN\}|ORIGIN\b)", lambda _: obj.origin or "", e)
                if not self.musl:  # musl expands $ORIGIN only
                    e = re.sub(r"\$(?:\{LIB\}|LIB\b)", lambda _: lib, e)
                    e = re.sub(r"\$(?:\{PLATFORM\}|PLATFORM\b)", lambda _: platform, e)
            if e.startswith("/"):  # relative entries are relative to the (unknown) cwd: skipped
                out.append(posixpath.normpath(e))
        return out

    def _ld_so_conf(self) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()

        def parse(vfile: str, depth: int) -> None:
            if depth > 16 or vfile in seen:
                return
            seen.add(vfile)
            text = self.root.read_text(vfile)
            if text is None:
                return
            for line in text.splitlines():
                line = line.split("#", 1)[0].strip()
                if not line or line.startswith("hwcap"):
                    continue
                if line.startswith("include") and line[7:8].isspace():
                    for pat in line[7:].split():
                        if not pat.startswith("/"):
                            pat = posixpath.join(posixpath.dirname(vfile), pat)
                        for vf in self.root.glob(pat):
                            parse(vf, depth + 1)
                    continue
                for d in re.split(r"[:\s,]+", line):
                    d = d.split("=", 1)[0]
                    if d.startswith("/"):
                        out.append(posixpath.normpath(d))

        parse("/etc/ld.so.conf", 0)
        return out

    def system_dirs(self) -> list[str]:
        if self._sys is None:
            if self.musl:
                arch = None
                if self.link.interpreter:
                    m = MUSL_INTERP.match(posixpath.basename(self.link.interpreter))
                    arch = m.group(1) if m else None
                arch = arch or self.link.machine
                text = self.root.read_text(f"/etc/ld-musl-{arch}.path")
                if text is not None:
                    dirs = [d for d in re.split(r"[:\n]", text) if d.startswith("/")]
                else:
                    dirs = list(_MUSL_DEFAULT_PATH)
            else:
                dirs = self._ld_so_conf()
                if self.triplet:
                    dirs += [f"/lib/{self.triplet}", f"/usr/lib/{self.triplet}"]
                if self.bits == 64:
                    dirs += ["/lib64", "/usr/lib64"]
                dirs += ["/lib", "/usr/lib"]
            self._sys = list(dict.fromkeys(posixpath.normpath(d) for d in dirs))
        return self._sys

    def search_dirs(self, obj: _Obj) -> list[str]:
        dirs: list[str] = []
        if self.musl:
            # musl: RUNPATH replaces RPATH, and every object up the loader chain contributes.
            o: _Obj | None = obj
            while o is not None:
                dirs += self._expand(o.runpath or o.rpath, o)
                o = o.loader
        else:
            # glibc: DT_RPATH of the loader chain, unless the requesting object has a RUNPATH;
            # an object's own RPATH is ignored when it also has a RUNPATH. LD_LIBRARY_PATH: never.
            if not obj.runpath:
                o = obj
                while o is not None:
                    if not o.runpath:
                        dirs += self._expand(o.rpath, o)
                    o = o.loader
            dirs += self._expand(obj.runpath, obj)
        return dirs + self.system_dirs()

    def candidate(self, vpath: str) -> str | None:
        """Host path of vpath if it is an ELF of the binary's class/machine (else ld.so skips it)."""
        host = self.root.is_file(vpath)
        if host is None:
            return None
        key = header_key(host)
        if key is None or key != (*self.key, self.link.e_machine):
            return None
        return host

    def find(self, name: str, obj: _Obj) -> tuple[str, str] | None:
        if "$" in name and not self.musl:  # glibc expands $ORIGIN etc. in DT_NEEDED too
            expanded = self._expand([name], obj)
            if not expanded:
                return None
            name = expanded[0]
        if "/" in name:
            v = name if name.startswith("/") else "/" + name
            h = self.candidate(posixpath.normpath(v))
            return (posixpath.normpath(v), h) if h else None
        for d in self.search_dirs(obj):
            v = posixpath.join(d, name)
            h = self.candidate(v)
            if h:
                return v, h
        return None


def resolve(linkage: Linkage, root: str = "/", *, origin: str | None = None) -> list[LddEntry]:
    """The ldd-style listing of ``linkage`` against ``root``: transitive, breadth-first, once each.

    Reads files only. ``origin`` is the in-root folder that ``$ORIGIN`` means for the binary;
    by default its own folder when it lies inside ``root`` (else ``$ORIGIN`` entries are skipped).
    Static and static-pie binaries, and unknown kinds, give an empty list.
    """
    if linkage.kind not in ("dynamic", "shared-library"):
        return []
    r = Root(root)
    res = _Resolver(linkage, r)
    if origin is None:
        real = os.path.realpath(linkage.path)
        if r.root == "/":
            origin = posixpath.dirname(real)
        elif real.startswith(r.root + os.sep):
            origin = posixpath.dirname("/" + os.path.relpath(real, r.root).replace(os.sep, "/"))
    main = _Obj(None, origin, list(linkage.needed), list(linkage.rpath), list(linkage.runpath),
                linkage.soname)

    entries: list[LddEntry] = []
    known: dict[str, str] = {}  # names and sonames already loaded → in-root path
    interp_names: set[str] = set()
    interp_entry = None
    loader = linkage.interpreter
    if loader is None and not res.musl:
        if linkage.machine == "arm":
            loader = "/lib/ld-linux-armhf.so.3" if linkage.e_flags & 0x400 else "/lib/ld-linux.so.3"
        else:
            loader = _GLIBC_LOADERS.get((linkage.machine, res.bits))
    if loader:
        ipath = posixpath.normpath(loader)
        ihost = r.is_file(ipath)
        interp_entry = LddEntry(loader, ipath if ihost else None, "interpreter")
        interp_names.add(posixpath.basename(ipath))
        if ihost:
            iobj = _read_obj(ihost, ipath, None)
            if iobj.soname:
                interp_names.add(iobj.soname)
    # musl's ldd prints its loader first. glibc's rtld puts itself after its predecessor in the
    # breadth-first search list: where first needed, so before the vDSO when it is the very
    # first dependency (libc.so.6), else last if nothing needs it.
    interp_listed = False
    if interp_entry and (res.musl or (linkage.needed and linkage.needed[0] in interp_names)):
        entries.append(interp_entry)
        interp_listed = True
    if not res.musl:
        entries.append(LddEntry(_VDSO.get(linkage.machine, "linux-vdso.so.1"), None, "vdso"))

    listed: set[str] = set()
    queue: deque[_Obj] = deque([main])
    while queue:
        obj = queue.popleft()
        for name in obj.needed:
            if name in listed or name in known:
                continue  # loaded already (by name or soname): ld.so does not load it twice
            listed.add(name)
            if name in interp_names:
                # The loader is already mapped: glibc's ldd lists it where it is first needed.
                if not interp_listed and interp_entry:
                    entries.append(interp_entry)
                    interp_listed = True
                continue
            if res.musl and _MUSL_RESERVED.match(name) and interp_entry:
                entries.append(LddEntry(name, interp_entry.path, "needed"))
                continue
            hit = res.find(name, obj)
            if hit is None:
                entries.append(LddEntry(name, None, "needed"))
                continue
            vpath, host = hit
            entries.append(LddEntry(name, vpath, "needed"))
            child = _read_obj(host, vpath, obj)
            known[name] = vpath
            if child.soname:
                known[child.soname] = vpath
            queue.append(child)
    if interp_entry and not interp_listed and linkage.interpreter:
        # Always shown for the binary's own PT_INTERP (even when nothing needs it by name): a
        # missing interpreter is what makes a binary fail with "No such file or directory".
        entries.append(interp_entry)
    return entries


def ldd_text(linkage: Linkage, root: str = "/") -> str:
    """The listing as ``ldd`` prints it, without load addresses (nothing is loaded or run)."""
    if linkage.kind in ("static", "static-pie"):
        return "\tstatically linked\n"
    if linkage.kind not in ("dynamic", "shared-library"):
        return "\tnot a dynamic executable\n"
    if not linkage.needed and not linkage.interpreter:
        return "\tstatically linked\n"  # what ldd prints for a library without dependencies
    return "".join(e.line() + "\n" for e in resolve(linkage, root))
