"""The JSON Schema (draft 2020-12) of the results record, generated from ``record.schema``'s types.

The schema is committed as ``livebench/assets/results.schema.json`` so that readers of a record need
neither Python nor pydantic. Regenerate it after changing the types, and check it is current::

    python -m livebench.record.jsonschema          # write the committed file
    python -m livebench.record.jsonschema --check  # exit 1 when it differs from the types

pydantic is a test/development dependency, not a runtime one: it is imported only here, inside the
functions, and the plugin never imports this module.
"""
import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .schema import SCHEMA, SCHEMA_ID

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "assets" / "results.schema.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``Record``, with ``$schema``, ``$id``, ``title`` and ``description``."""
    from pydantic import TypeAdapter

    from .schema import Record

    generated = TypeAdapter(Record).json_schema()
    head = {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "livebench results record",
        "description": (
            f"The results record (schema {SCHEMA}) of mkdocs-livebench: the one JSON document every number, "
            f"table, chart and transcript on the site is read from (site/livebench/results.json). "
            f"Generated from livebench.record.schema by `python -m livebench.record.jsonschema`; do not edit."
        ),
    }
    return {**head, **{k: v for k, v in generated.items() if k not in head}}


def render(schema: dict[str, Any]) -> str:
    """The committed form: indented, keys sorted, non-ASCII kept, one trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m livebench.record.jsonschema", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write: exit 1 when the committed schema differs from the types")
    parser.add_argument("--output", type=Path, default=SCHEMA_FILE, help=f"the schema file (default: {SCHEMA_FILE})")
    args = parser.parse_args(argv)
    text = render(json_schema())
    if args.check:
        try:
            current = args.output.read_text(encoding="utf-8")
        except OSError as exc:
            print(f"{args.output}: cannot read the committed schema ({exc.strerror or exc}). "
                  f"Write it with `python -m livebench.record.jsonschema`.", file=sys.stderr)
            return 1
        if current != text:
            print(f"{args.output} is out of date: it differs from the schema livebench.record.schema gives. "
                  f"Regenerate it with `python -m livebench.record.jsonschema` and commit it.", file=sys.stderr)
            return 1
        print(f"{args.output}: up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode('utf-8')):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
