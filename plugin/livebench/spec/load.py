"""Read the spec file: one YAML parse with line marks, guarded against alias bombs."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

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



def load_plan(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Plan:
    """Load and validate the spec at ``path``; ``root`` is the project root (default: the cwd)."""
    path = Path(path)
    root = Path(root) if root is not None else Path.cwd()
    if not path.is_absolute():
        path = root / path
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
    return build_plan(data, path=path, root=root, lines=lines)

