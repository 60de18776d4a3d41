"""Files: content hashes, atomic writes, canonical JSON, paths shown relative to the project."""
from __future__ import annotations

import hashlib
import json
import os
import string
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
# Read once, at import: os.umask can only be read by setting it, which would race with other threads.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Readers see the old file or the new one, never half of one (a temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it 0600: a published file must be readable
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_json_atomic(path: str | os.PathLike[str], data: Any, *, indent: int | None = 2) -> None:
    """``indent=None`` for large documents: json's C encoder only runs without indentation (5x faster)."""
    text = json.dumps(data, indent=indent, ensure_ascii=False) if indent else compact_json(data)
    write_atomic(path, (text + "\n").encode("utf-8"))


def compact_json(data: Any) -> str:
    """What ``write_json_atomic(indent=None)`` writes, to write one document to several files."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def write_if_changed(path: str | os.PathLike[str], data: bytes) -> None:
    """``write_atomic``, skipped when the file already holds exactly ``data`` (a warm build's record)."""
    try:
        if Path(path).read_bytes() == data:
            return
    except OSError:
        pass
    write_atomic(path, data)


def _str_keys(obj: Any) -> Any:
    # YAML allows `0: x` next to `a: y`; json's sort_keys cannot order mixed key types.
    if isinstance(obj, dict):
        return {str(k): _str_keys(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_str_keys(v) for v in obj]
    return obj


def canonical_json(obj: Any) -> str:
    """Sorted keys, no spaces: the same value always gives the same text (cache keys, digests)."""
    return json.dumps(_str_keys(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def rel_to(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> str:
    """``path`` relative to ``root`` when inside it, else the path as given."""
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def expand_vars(value: str, env: Mapping[str, str]) -> str:
    """``${VAR}`` / ``$VAR`` from ``env``; unknown names are left as written."""
    return string.Template(value).safe_substitute(env)
