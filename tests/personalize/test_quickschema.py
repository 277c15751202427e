"""The quick JSON Schema verdict agrees with jsonschema wherever it gives one.

``quick_verdict`` spares the full jsonschema pass over the (usually valid) Avro records; a
True must mean jsonschema finds no error, a False that it finds one (``oneOf`` counts
subschemas), and None hands the decision back to jsonschema.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from personalize_lint.personalize.quickschema import compile_verdict, quick_verdict
from personalize_lint.personalize.schemas import _json_schema_problems, schema_rules

RECORD_SCHEMA = schema_rules()["record_json_schema"]
VALIDATOR = Draft202012Validator(RECORD_SCHEMA)

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False),
    st.sampled_from(["", "string", "long", "int", "float", "double", "boolean", "null", "record",
                     "array", "USER_ID", "1abc", "a.b", "ITEM ID", "_x", "enum", "map"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["type", "name", "items", "x"]),
                                            inner, max_size=3)),
    max_leaves=6,
)
PRIMITIVES = ["string", "long", "int", "float", "double", "boolean", "null"]
TYPES = st.one_of(
    st.sampled_from(PRIMITIVES),
    st.lists(st.sampled_from(PRIMITIVES), min_size=1, max_size=3, unique=True),
)
BAD_TYPES = st.one_of(
    st.sampled_from(["record", "bytes", "String", "array"]),
    st.lists(st.sampled_from(["null", "string", "long", "array", "map"]), max_size=3),
    JSON,
)
NAMES = st.sampled_from(["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "GENRE_1", "a", "_b"])
BAD_NAMES = st.one_of(st.sampled_from(["1x", "with space", "dotted.name", ""]), JSON)


def _maybe(draw: st.DrawFn, good: Any, bad: Any) -> Any:
    """Mostly a valid value, now and then an invalid one (so both verdicts are tried)."""
    return draw(bad if draw(st.integers(0, 14)) == 0 else good)


def _rarely(draw: st.DrawFn) -> bool:
    return draw(st.integers(0, 14)) == 0


@st.composite
def fields(draw: st.DrawFn) -> Any:
    if _rarely(draw):
        return draw(JSON)
    field: dict[str, Any] = {}
    if not _rarely(draw):
        field["name"] = _maybe(draw, NAMES, BAD_NAMES)
    if not _rarely(draw):
        field["type"] = _maybe(draw, TYPES, BAD_TYPES)
    for flag in ("categorical", "textual"):
        if draw(st.integers(0, 3)) == 0:
            field[flag] = _maybe(draw, st.booleans(), SCALARS)
    if draw(st.integers(0, 4)) == 0:
        field["doc"] = _maybe(draw, st.text(max_size=3), SCALARS)
    if _rarely(draw):
        field["default"] = draw(JSON)
    return field


@st.composite
def records(draw: st.DrawFn) -> Any:
    record: dict[str, Any] = {}
    if not _rarely(draw):
        record["type"] = _maybe(draw, st.just("record"), SCALARS)
    if not _rarely(draw):
        record["name"] = _maybe(draw, st.sampled_from(["Interactions", "com.x.Items", "_a.b"]),
                                st.one_of(st.sampled_from(["1bad", "a..b", "a."]), SCALARS))
    for key in ("namespace", "version", "doc"):
        if draw(st.integers(0, 2)) == 0:
            record[key] = _maybe(draw, st.just("com.amazonaws.personalize.schema"), SCALARS)
    if not _rarely(draw):
        record["fields"] = _maybe(draw, st.lists(fields(), max_size=5), JSON)
    if _rarely(draw):
        record[draw(st.sampled_from(["extra", "aliases"]))] = draw(JSON)
    return record


@settings(max_examples=400, deadline=None)
@given(records())
def test_record_verdicts_agree_with_jsonschema(record: Any) -> None:
    verdict = quick_verdict(RECORD_SCHEMA, record)
    if verdict is not None:
        assert verdict is VALIDATOR.is_valid(record), record


@settings(max_examples=150, deadline=None)
@given(records())
def test_problems_are_the_same_with_and_without_the_quick_verdict(record: Any) -> None:
    errors = sorted(VALIDATOR.iter_errors(record), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        assert list(_json_schema_problems(record)) == []
    else:
        assert quick_verdict(RECORD_SCHEMA, record) is not True


VALID = {"type": "record", "name": "Interactions", "namespace": "com.amazonaws.personalize.schema",
         "version": "1.0",
         "fields": [{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"},
                    {"name": "TIMESTAMP", "type": "long"},
                    {"name": "GENRES", "type": ["null", "string"], "categorical": True}]}


def test_a_valid_schema_is_decided_quickly() -> None:
    assert quick_verdict(RECORD_SCHEMA, VALID) is True


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(type="Record"),
        lambda r: r.pop("fields"),
        lambda r: r["fields"][0].update(type="bytes"),
        lambda r: r["fields"][3].update(type=["null", "null"]),
        lambda r: r["fields"][3].update(type=[]),
        lambda r: r["fields"][1].update(name="1ITEM"),
        lambda r: r["fields"][2].update(categorical="yes"),
        lambda r: r["fields"].append("USER_ID"),
    ],
)
def test_invalid_schemas_are_left_to_jsonschema(change: Any) -> None:
    record = copy.deepcopy(VALID)
    change(record)
    assert quick_verdict(RECORD_SCHEMA, record) is not True
    assert not VALIDATOR.is_valid(record)


OTHER_SCHEMAS: list[Any] = [
    True,
    False,
    {},
    {"type": "integer"},
    {"type": ["string", "null"]},
    {"const": 1},
    {"const": "a"},
    {"enum": ["a", 1, None]},
    {"enum": ["a", "b"]},
    {"enum": [["a"], {"x": 1}, True]},
    {"const": None},
    {"minItems": 2, "maxItems": 3},
    {"uniqueItems": True},
    {"uniqueItems": False},
    {"pattern": "^a"},
    {"required": ["type"], "properties": {"type": {"const": "record"}}},
    {"allOf": [{"type": "object"}, {"required": ["x"]}]},
    {"anyOf": [{"type": "string"}, {"type": "array"}]},
    {"oneOf": [{"type": "string"}, {"pattern": "a"}]},
    {"not": {"type": "null"}},
    {"not": {"minLength": 1}},
    {"minLength": 1, "type": "string"},
    {"additionalProperties": False, "type": "object"},
    {"prefixItems": [{"type": "string"}], "items": {"type": "integer"}},
    {"items": False},
    {"items": {"enum": ["a", "b"]}},
    {"$defs": {"s": {"type": "string"}}, "items": {"$ref": "#/$defs/s"}},
    {"$defs": {"s": {"$id": "other", "type": "string"}}, "items": {"$ref": "#/$defs/s"}},
    {"$ref": "#/$defs/missing", "$defs": {}},
    {"properties": {"x": {"$ref": "#"}}, "type": "object"},
]
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-1, 2), st.sampled_from(["", "a", "b", "ab"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["x", "type", "y"]), inner,
                                            max_size=3)),
    max_leaves=8,
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(OTHER_SCHEMAS), VALUES)
def test_other_keywords_agree_with_jsonschema(schema: Any, value: Any) -> None:
    verdict = quick_verdict(schema, value)
    if verdict is not None:
        assert verdict is Draft202012Validator(schema).is_valid(value), (schema, value)


def test_what_it_does_not_know_it_leaves_open() -> None:
    assert quick_verdict({"minLength": 1}, "") is None
    assert quick_verdict({"type": "integer"}, 1) is None
    assert quick_verdict({"const": 1}, 1) is None  # 1 vs True: jsonschema's own equality
    assert quick_verdict({"$ref": "https://example.com/s"}, 1) is None
    assert quick_verdict({"$schema": "http://json-schema.org/draft-07/schema#"}, 1) is None
    # An unknown keyword cannot make an instance valid: a failing known one still decides.
    assert quick_verdict({"minLength": 1, "type": "string"}, 2) is False
    assert quick_verdict({"pattern": "("}, "a") is None  # not a regex
    # "$ref" cycles that never reach into the instance.
    assert quick_verdict({"$ref": "#"}, 1) is None
    loop = {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
            "$ref": "#/$defs/a"}
    assert quick_verdict(loop, {}) is None


def test_a_compiled_check_is_reused() -> None:
    check = compile_verdict(RECORD_SCHEMA)
    assert check(VALID) is True
    assert check({**VALID, "type": "enum"}) is False
    assert check(VALID) is True
