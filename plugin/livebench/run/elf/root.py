"""A folder used as ``/``: path lookups, symlinks and globs that never lead outside it."""
from __future__ import annotations

import fnmatch
import os
import posixpath
import stat

__all__ = ["Root"]


class Root:
    """Path lookups confined to a folder used as ``/``: symlinks never lead outside it."""

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)

    def host(self, vpath: str) -> str:
        return self.root + vpath if self.root != "/" else vpath

    def follow(self, vpath: str) -> str | None:
        """The in-root path ``vpath`` leads to after symlinks (absolute targets re-rooted)."""
        todo = [c for c in vpath.split("/") if c][::-1]
        done: list[str] = []
        hops = 0
        while todo:
            c = todo.pop()
            if c == ".":
                continue
            if c == "..":
                if done:
                    done.pop()  # ".." at the root stays at the root, like the kernel does
                continue
            cur = "/" + "/".join(done + [c])
            try:
                st = os.lstat(self.host(cur))
            except OSError:
                return None
            if stat.S_ISLNK(st.st_mode):
                hops += 1
                if hops > 40:  # ELOOP
                    return None
                try:
                    target = os.readlink(self.host(cur))
                except OSError:
                    return None
                if target.startswith("/"):
                    done = []
                todo.extend([x for x in target.split("/") if x][::-1])
            else:
                done.append(c)
        return "/" + "/".join(done)

    def is_file(self, vpath: str) -> str | None:
        """The host path of the regular file ``vpath`` leads to, or None."""
        real = self.follow(vpath)
        if real is None:
            return None
        h = self.host(real)
        return h if os.path.isfile(h) else None

    def read_text(self, vpath: str) -> str | None:
        h = self.is_file(vpath)
        if h is None:
            return None
        try:
            with open(h, encoding="utf-8", errors="replace") as fh:
                return fh.read()
        except OSError:
            return None

    def glob(self, pattern: str) -> list[str]:
        """Expand a glob (as ld.so.conf's ``include`` does) inside the root; sorted."""
        paths = ["/"]
        for comp in [c for c in pattern.split("/") if c]:
            nxt: list[str] = []
            for d in paths:
                if any(ch in comp for ch in "*?["):
                    real = self.follow(d)
                    try:
                        names = os.listdir(self.host(real)) if real else []
                    except OSError:
                        names = []
                    nxt += [posixpath.join(d, n) for n in sorted(names) if fnmatch.fnmatchcase(n, comp)]
                else:
                    nxt.append(posixpath.join(d, comp))
            paths = nxt
        return paths
