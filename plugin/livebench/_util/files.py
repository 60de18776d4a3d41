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

import orjson

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
    """``indent=None`` for large documents (a record): written by orjson, compact."""
    text = (json.dumps(data, indent=indent, ensure_ascii=False) + "\n").encode("utf-8") if indent else compact_json(data)
    write_atomic(path, text)


def compact_json(data: Any) -> bytes:
    """What ``write_json_atomic(indent=None)`` writes (UTF-8, a final newline), to write one document to
    several files. orjson dumps a record 8x faster than json's C encoder, on every warm build; it writes
    a NaN as null (json would write ``NaN``, which no browser parses) and YAML's non-string keys as strings."""
    try:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # an integer past 64 bits (from a spec's YAML): json writes any integer
        return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def load_json(raw: bytes | str) -> Any:
    """What ``compact_json`` wrote, read back (orjson: 3x faster than json.loads); ValueError if it is not JSON."""
    return orjson.loads(raw)


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
