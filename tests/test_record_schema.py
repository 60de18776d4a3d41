"""The results record's schema: the types, the committed JSON Schema, and a real record of 0.1.0.

``tests/fixtures/record-0.1.0.json`` is the record a site build of 0.1.0 wrote: the old format,
which every later version must keep reading. Fast: nothing is built or run. pydantic and jsonschema come with the ``test`` extra.
"""
import json
import typing
from pathlib import Path

import jsonschema  # the test extra's: a validator independent of pydantic, which wrote the schema
import pydantic  # the test extra's: generates the schema from the types
import pytest
import typing_extensions

from livebench.record import jsonschema as lb_jsonschema
from livebench.record import schema as lb_schema

FIXTURE = Path(__file__).parent / "fixtures" / "record-0.1.0.json"
OPEN = {"Measurement"}  # entries whose content is not livebench's (a benchmark script's JSON)


@pytest.fixture(scope="module")
def committed() -> dict:
    return json.loads(lb_jsonschema.SCHEMA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(committed: dict) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(committed)
    return jsonschema.Draft202012Validator(committed)  # no format_checker: formats are not asserted


@pytest.fixture()
def record() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def errors(validator: jsonschema.Draft202012Validator, doc: dict) -> list:
    """Every error, nested ones (under anyOf) included, as (path, message, validator keyword)."""
    out = []

    def walk(errs) -> None:
        for e in errs:
            out.append((list(e.absolute_path), e.message, e.validator))
            walk(e.context or [])

    walk(validator.iter_errors(doc))
    return out


def first(table: dict) -> str:
    assert table, "the fixture has no entry here; the test needs one"
    return next(iter(table))


# -- (a) the committed schema is the one the types give -------------------------------------------

def test_committed_schema_is_generated_from_the_types(committed: dict) -> None:
    generated = lb_jsonschema.json_schema()
    assert generated == committed, "run `python -m livebench.record.jsonschema` and commit the schema"
    assert lb_jsonschema.SCHEMA_FILE.read_text(encoding="utf-8") == lb_jsonschema.render(generated)


def test_schema_header(committed: dict) -> None:
    assert committed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert committed["$id"] == lb_schema.SCHEMA_ID == "livebench/results.schema.json"
    assert committed["title"] and committed["description"]
    assert committed["properties"]["schema"]["const"] == lb_schema.SCHEMA


def test_check_flag(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert lb_jsonschema.main(["--check"]) == 0
    stale = tmp_path / "results.schema.json"
    stale.write_text(lb_jsonschema.SCHEMA_FILE.read_text(encoding="utf-8").replace('"Artifact"', '"Artefact"', 1))
    assert lb_jsonschema.main(["--check", "--output", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert lb_jsonschema.main(["--check", "--output", str(tmp_path / "missing.json")]) == 1
    assert lb_jsonschema.main(["--output", str(stale)]) == 0
    assert lb_jsonschema.main(["--check", "--output", str(stale)]) == 0


def test_types_evaluate_at_run_time() -> None:
    # No string annotations: pydantic (and anyone else) can read every entry's types.
    for name in lb_schema.__all__:
        obj = getattr(lb_schema, name)
        if isinstance(obj, type):
            hints = typing_extensions.get_type_hints(obj, include_extras=True)
            assert hints, name
            assert not any(isinstance(h, (str, typing.ForwardRef)) for h in hints.values()), name
            assert obj.__doc__ and not obj.__doc__.startswith(name + "("), f"{name} needs a docstring"
    assert typing.get_args(typing_extensions.get_type_hints(lb_schema.Record)["schema"]) == (lb_schema.SCHEMA,)


# -- (b) the real 0.1.0 record validates -----------------------------------------------------------

def test_fixture_validates(validator: jsonschema.Draft202012Validator, record: dict) -> None:
    assert record["schema"] == lb_schema.SCHEMA
    assert errors(validator, record) == []


def test_fixture_validates_with_pydantic(record: dict) -> None:
    pydantic.TypeAdapter(lb_schema.Record).validate_python(record, strict=True)


def test_fixture_is_not_trivial(record: dict) -> None:
    # What the broken copies below rely on, and what makes the fixture worth keeping.
    for key in ("setup", "builds", "bases", "images", "probes", "measurements", "claims"):
        assert record[key], key
    assert any(b.get("linkage") for b in record["builds"].values())


# -- (c) broken copies fail, naming the field -----------------------------------------------------

def test_image_size_as_a_string(validator: jsonschema.Draft202012Validator, record: dict) -> None:
    image = first(record["images"])
    record["images"][image]["size"]["uncompressed"] = "3.7 MB"
    assert (["images", image, "size", "uncompressed"], "'3.7 MB' is not of type 'integer'", "type") \
        in errors(validator, record)


def test_failure_without_message(validator: jsonschema.Draft202012Validator, record: dict) -> None:
    record["failures"].append({"what": "builds.hello"})
    found = errors(validator, record)
    assert (["failures", len(record["failures"]) - 1], "'message' is a required property", "required") in found


def test_probe_field_of_the_wrong_type(validator: jsonschema.Draft202012Validator, record: dict) -> None:
    build = first(record["probes"])
    base = first(record["probes"][build])
    record["probes"][build][base]["exit_code"] = "0"
    record["probes"][build][base]["how"] = "podman"
    found = errors(validator, record)
    assert (["probes", build, base, "exit_code"], "'0' is not of type 'integer'", "type") in found
    assert any(path == ["probes", build, base, "how"] and kw == "enum" for path, _msg, kw in found), found


def test_unknown_probe_field(validator: jsonschema.Draft202012Validator, record: dict) -> None:
    build = first(record["probes"])
    base = first(record["probes"][build])
    record["probes"][build][base]["exit_status"] = 0
    found = errors(validator, record)
    assert any(path == ["probes", build, base] and kw == "additionalProperties" and "'exit_status'" in msg
               for path, msg, kw in found), found


def test_nullable_field_keeps_its_type(validator: jsonschema.Draft202012Validator, record: dict) -> None:
    build = next(n for n, b in record["builds"].items() if b.get("linkage"))
    record["builds"][build]["linkage"]["interpreter"] = 0
    assert any(path == ["builds", build, "linkage", "interpreter"] for path, _m, _k in errors(validator, record))


def test_missing_top_level_key(validator: jsonschema.Draft202012Validator, record: dict) -> None:
    del record["provenance"]
    assert ([], "'provenance' is a required property", "required") in errors(validator, record)


def test_other_schema_number(validator: jsonschema.Draft202012Validator, record: dict) -> None:
    record["schema"] = 2
    assert any(path == ["schema"] and kw == "const" for path, _m, kw in errors(validator, record))


# -- (d) closed where livebench writes the entry, open where the content is not its own --------------

def test_entries_are_closed_except_measurements(committed: dict) -> None:
    defs = committed["$defs"]
    assert set(defs) >= OPEN
    for name, entry in defs.items():
        assert entry.get("additionalProperties") is (name in OPEN), name
    assert committed["additionalProperties"] is False  # the record itself


def test_unknown_key_in_a_closed_entry(validator: jsonschema.Draft202012Validator, record: dict) -> None:
    build = first(record["builds"])
    record["builds"][build]["warnings"] = []
    record["provenance"]["host"] = "example"
    record["surprise"] = True
    found = [(path, kw) for path, _m, kw in errors(validator, record)]
    assert (["builds", build], "additionalProperties") in found
    assert (["provenance"], "additionalProperties") in found
    assert ([], "additionalProperties") in found


def test_measurements_stay_open(validator: jsonschema.Draft202012Validator, record: dict) -> None:
    name = first(record["measurements"])
    stem = first(record["measurements"][name])
    record["measurements"][name][stem]["a_new_key"] = {"anything": [1, "two", None]}
    assert errors(validator, record) == []
    del record["measurements"][name][stem]["sha256"]
    assert (["measurements", name, stem], "'sha256' is a required property", "required") in errors(validator, record)


def test_not_required_keys_may_be_absent(validator: jsonschema.Draft202012Validator, record: dict) -> None:
    # A record without images (no image stage) and without measurements, with a failed build.
    del record["measurements"]
    del record["provenance"]["backend"]
    build = first(record["builds"])
    entry = record["builds"][build]
    for key in ("artifact", "linkage", "linkage_error", "expect_failures"):
        entry.pop(key, None)
    entry.update(ok=False, key=None, error="spec.yml:1: builds.x: failed", transcript=[])
    record["failures"].append({"what": "claims.x", "message": "m", "kind": "claim", "syntax": False})
    assert errors(validator, record) == []


def test_closed_entries_match_the_fixture_keys(record: dict) -> None:
    # Every key the types declare required is in the real record, so no required key is invented.
    def required(cls: type) -> set:
        return set(cls.__required_keys__)  # type: ignore[attr-defined]

    assert required(lb_schema.Record) <= set(record)
    assert required(lb_schema.Provenance) <= set(record["provenance"])
    for b in record["builds"].values():
        assert required(lb_schema.BuildEntry) <= set(b)
    for row in record["probes"].values():
        for p in row.values():
            assert set(p) == required(lb_schema.ProbeEntry)
