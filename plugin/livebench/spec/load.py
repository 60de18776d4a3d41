"""Read the spec file: one YAML parse with line marks, guarded against alias bombs.

A site build reads the spec every time; with ``memo_dir`` the validated plan of an unchanged spec is
kept there (a pickle, as the plan is made of this package's own frozen dataclasses) and read back in a
tenth of the parse's time. It is keyed by the spec's bytes, where it and the project are, and this
package's spec code; the one thing the plan reads from the disk besides the spec, each step's working
folder, is checked again on every read. A spec with an error is never kept: its message comes every time.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import yaml

from .. import __version__
from .._util.files import write_atomic
from ..errors import SpecError
from .model import Plan, display_path
from .validate import build_plan

MAX_NODES = 100_000  # far above any real spec; stops alias bombs and recursive aliases early


def _check_size(node: yaml.Node, shown: str) -> None:
    """Refuse a document whose aliases expand past MAX_NODES values, or refer to themselves."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(n: yaml.Node, kp: str) -> int:
        if id(n) in sizes:
            return sizes[id(n)]
        if id(n) in active:
            raise SpecError(f"{shown}:{n.start_mark.line + 1}: {kp}: a YAML alias refers to a value that contains "
                            f"it (a recursive structure). Write the value out instead.")
        active.add(id(n))
        if isinstance(n, yaml.MappingNode):
            children = [(c, f"{kp}.{k.value}" if kp else str(k.value)) for k, v in n.value for c in (k, v)]
        elif isinstance(n, yaml.SequenceNode):
            children = [(c, f"{kp}[{i}]") for i, c in enumerate(n.value)]
        else:
            children = []
        total = 1 + sum(size(c, ckp) for c, ckp in children)
        active.discard(id(n))
        if total > MAX_NODES:
            raise SpecError(f"{shown}:{n.start_mark.line + 1}: {kp or '(top)'}: expands to more than {MAX_NODES:,} "
                            f"values (YAML aliases inside aliases?). Write the values out instead.")
        sizes[id(n)] = total
        return total

    try:
        size(node, "")
    except RecursionError:
        raise SpecError(f"{shown}: the spec nests values too deeply to read. Flatten it.") from None


def _line_map(node: yaml.Node, prefix: str = "", out: dict[str, int] | None = None) -> dict[str, int]:
    """Map each key path to the 1-based line YAML found it on."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{prefix}.{key}" if prefix else key
            out[path] = key_node.start_mark.line + 1
            _line_map(value_node, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = f"{prefix}[{i}]"
            out[path] = item.start_mark.line + 1
            _line_map(item, path, out)
    return out



def load_plan(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None, *,
              memo_dir: Path | None = None) -> Plan:
    """Load and validate the spec at ``path``; ``root`` is the project root (default: the cwd);
    ``memo_dir``: a folder to keep the plan of an unchanged spec in (a site build's cache)."""
    path = Path(path)
    root = Path(root) if root is not None else Path.cwd()
    if not path.is_absolute():
        path = root / path
    memo = _Memo(memo_dir, path, root) if memo_dir is not None else None
    if memo is not None and (kept := memo.get()) is not None:
        return kept
    shown = display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            f"{shown}: spec file not found. Create it (see the reference page) or point the "
            f"'spec' option / --spec at an existing file."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{shown}: cannot read the spec file: {exc}") from None
    try:
        # One parse, by libyaml when present (10x faster than the pure-Python loader; every site build
        # loads the spec): the node keeps line marks for messages, the data is constructed from it.
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if node is not None:
            _check_size(node, shown)
        data = yaml.SafeLoader("").construct_document(node) if node is not None else None
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an integer of more than 4300 digits
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark else shown
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"{where}: not valid YAML: {problem}. Fix the syntax and run again.") from None
    lines = _line_map(node) if node is not None else {}
    plan = build_plan(data, path=path, root=root, lines=lines)
    if memo is not None:
        memo.put(plan)
    return plan


_SPEC_CODE = Path(__file__).resolve().parent
_UNITS = _SPEC_CODE.parent / "_util" / "units.py"  # the one module outside spec/ that build_plan reads values with
MEMO_FILE = "plan.pickle"


class _Memo:
    def __init__(self, folder: Path, path: Path, root: Path) -> None:
        self.file = Path(folder) / MEMO_FILE
        h = hashlib.sha256(f"{__version__}\0{path}\0{root}\0{os.path.realpath(path)}\0{os.path.realpath(root)}\n".encode())
        code = [_SPEC_CODE / n for n in sorted(os.listdir(_SPEC_CODE)) if n.endswith(".py")] + [_UNITS]
        for module in code:  # the code that makes a plan, and its classes
            st = os.stat(module)
            h.update(f"{module.name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        try:
            h.update(path.read_bytes())
            self.key: str | None = h.hexdigest()
        except OSError:
            self.key = None  # the parse says what is wrong with the file

    def get(self) -> Plan | None:
        if self.key is None:
            return None
        try:
            key, plan = pickle.loads(self.file.read_bytes())
        except Exception:  # absent, damaged, or of classes this code no longer has: parsed again
            return None
        if key != self.key or not isinstance(plan, Plan):
            return None
        for step in (*plan.setup.values(), *plan.builds.values()):  # as build_plan checks them
            written = str(step.raw.get("workdir", ".") or ".")
            if os.path.realpath(plan.root / written) != str(step.workdir) or not step.workdir.is_dir():
                return None
        return plan

    def put(self, plan: Plan) -> None:
        if self.key is None:
            return
        try:
            write_atomic(self.file, pickle.dumps((self.key, plan), protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass  # a read-only cache only costs the next build its speed

