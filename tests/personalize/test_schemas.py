"""Personalize schema rules as data, plus the checks JSON Schema cannot express."""

from __future__ import annotations

import json
from typing import Any

import pytest

from personalize_lint.personalize import schemas as s


def record(*fields: dict[str, Any], name: str = "Interactions") -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": "com.amazonaws.personalize.schema",
            "fields": list(fields), "version": "1.0"}


def f(name: str, type_: Any = "string", **flags: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **flags}


INTERACTIONS = record(f("USER_ID"), f("ITEM_ID"), f("EVENT_TYPE"), f("TIMESTAMP", "long"))


def rules_of(problems: list[s.SchemaProblem]) -> list[tuple[str, str]]:
    return [(p.rule, p.pointer) for p in problems]


def test_rules_file_cites_its_sources() -> None:
    rules = s.schema_rules()
    assert all(url.startswith("https://docs.aws.amazon.com/personalize/")
               for url in rules["sources"].values())
    for dataset_type in s.DATASET_TYPES:
        assert rules["dataset_types"][dataset_type]["source"].startswith("https://")
    for domain in s.DOMAINS:
        assert rules["domains"][domain]["source"].startswith("https://")


def test_record_json_schema_is_a_valid_json_schema() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(s.schema_rules()["record_json_schema"])


@pytest.mark.parametrize(
    ("avro_type", "numeric", "base", "nullable"),
    [
        ("int", True, "int", False),
        ("long", True, "long", False),
        ("double", True, "double", False),
        (["null", "float"], True, "float", True),
        (["float", "null"], True, "float", True),
        (["float"], True, "float", False),
        ("string", False, "string", False),
        (["null", "string"], False, "string", True),
        ("boolean", False, "boolean", False),
        ("null", False, None, True),
    ],
)
def test_field_types(avro_type: Any, numeric: bool, base: str | None, nullable: bool) -> None:
    kind = s.field_type(avro_type)
    assert kind.problem is None
    assert (kind.numeric, kind.base, kind.nullable) == (numeric, base, nullable)
    assert s.is_numeric(avro_type) is numeric


@pytest.mark.parametrize(
    ("avro_type", "words"),
    [
        ({"type": "record", "name": "X", "fields": []}, "nested record"),
        ({"type": "array", "items": "string"}, "complex type 'array'"),
        ("map", "complex type 'map'"),
        ("bytes", "complex type"),
        ("varchar", "unknown type"),
        (["string", "int"], "several types"),
        (["null", "null"], "twice"),
        ([], "empty union"),
        (["null", {"type": "array", "items": "int"}], "in a union"),
        ({"type": "long", "logicalType": "timestamp-millis"}, "type given as an object"),
        (7, "type name or a list"),
    ],
)
def test_unsupported_field_types(avro_type: Any, words: str) -> None:
    kind = s.field_type(avro_type)
    assert kind.problem is not None and words in kind.problem
    assert not s.is_numeric(avro_type)


@pytest.mark.parametrize(
    ("avro", "hint", "expected"),
    [
        (record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"), name="x"), None,
         "Interactions"),
        (record(f("ITEM_ID"), f("PRICE", "float"), name="x"), None, "Items"),
        (record(f("USER_ID"), f("AGE", "int"), name="x"), None, "Users"),
        (record(f("ACTION_ID"), f("VALUE", "long"), name="x"), None, "Actions"),
        (record(f("USER_ID"), f("ACTION_ID"), f("EVENT_TYPE"), f("TIMESTAMP", "long"), name="x"),
         None, "Action_Interactions"),
        # The record name says it, even with lower case or a namespace.
        (record(f("USER_ID"), name="items"), None, "Items"),
        (record(name="com.example.Users"), None, "Users"),
        (record(name="ActionInteractions"), None, "Action_Interactions"),
        # An explicit hint wins.
        (record(f("USER_ID"), f("ITEM_ID"), name="x"), "items", "Items"),
        (record(name="[DATA_SOURCE_NAME]"), None, None),
        ("not a record", None, None),
    ],
)
def test_detect_dataset_type(avro: Any, hint: str | None, expected: str | None) -> None:
    assert s.detect_dataset_type(avro, hint) == expected


def test_read_create_schema_request() -> None:
    request = {"name": "retail-items", "domain": "ECOMMERCE",
               "schema": json.dumps(record(f("ITEM_ID"), name="Items"))}
    found = s.read_schema(request)
    assert found.pointer == "/schema"
    assert found.domain == "ECOMMERCE" and found.name == "retail-items"
    assert found.raw_length == len(request["schema"])
    assert found.avro["name"] == "Items" and found.problem is None


def test_read_create_schema_request_with_bad_string() -> None:
    found = s.read_schema({"name": "x", "schema": '{"type": "record",}'})
    assert found.avro is None and found.problem is not None
    assert found.problem.rule == "PL503" and "not valid JSON" in found.problem.message
    found = s.read_schema({"name": "x", "schema": {"type": "record"}})
    assert found.problem is not None and "JSON string" in found.problem.message


def test_a_plain_avro_record_reads_as_itself() -> None:
    found = s.read_schema(INTERACTIONS)
    assert found.avro is INTERACTIONS and found.pointer == "" and found.raw_length is None


def test_good_interactions_schema_has_no_problems() -> None:
    assert s.check_schema(INTERACTIONS, dataset_type="Interactions") == []


def test_names_equal_once_non_alphanumerics_are_removed() -> None:
    avro = record(f("ITEM_ID"), f("GENRE_1", categorical=True), f("GENRE1", categorical=True),
                  name="Items")
    problems = s.validate_record(avro)
    assert rules_of(problems) == [("PL503", "/fields/2/name")]
    assert "GENRE1" in problems[0].message and "GENRE_1" in problems[0].message


def test_duplicate_and_case_clashes() -> None:
    avro = record(f("USER_ID"), f("user_id"), f("USER_ID"), name="Users")
    messages = [p.message for p in s.validate_record(avro)]
    assert any("differs only in case" in m for m in messages)
    assert any("duplicate" in m for m in messages)


def test_nested_record_and_complex_types() -> None:
    avro = record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"),
                  f("ADDRESS", {"type": "record", "name": "A", "fields": []}),
                  f("TAGS", {"type": "array", "items": "string"}))
    problems = s.validate_record(avro)
    by_pointer = {p.pointer: p.message for p in problems}
    assert "nested record" in by_pointer["/fields/3/type"]
    assert "complex type 'array'" in by_pointer["/fields/4/type"]


@pytest.mark.parametrize(
    ("avro", "pointer", "words"),
    [
        ({"type": "enum", "name": "X", "fields": []}, "/type", "must be \"record\""),
        ({"type": "record", "fields": []}, "", "has no 'name'"),
        ({"type": "record", "name": "X"}, "", "has no 'fields'"),
        (record(f("my field")), "/fields/0/name", "not a valid Avro name"),
        (record(f("1ST")), "/fields/0/name", "not a valid Avro name"),
        (record({"name": "X"}), "/fields/0", "has no 'type'"),
        (record(f("X", categorical="true")), "/fields/0/categorical", "true or false"),
        ({**record(), "fields": ["USER_ID"]}, "/fields/0", "must be an object"),
        (record(name="[DATA_SOURCE_NAME]"), "/name", "not a valid Avro name"),
    ],
)
def test_record_shape(avro: Any, pointer: str, words: str) -> None:
    problems = {p.pointer: p.message for p in s.validate_record(avro)}
    assert pointer in problems, problems
    assert words in problems[pointer]


def test_not_an_object() -> None:
    problems = s.validate_record(["USER_ID"])
    assert rules_of(problems) == [("PL503", "")]


def test_length_limit() -> None:
    avro = record(f("ITEM_ID"), f("DESCRIPTION", doc="x" * 20_000, textual=True), name="Items")
    problems = s.validate_record(avro, max_chars=20_000)
    assert any("characters long even without whitespace" in p.message for p in problems)
    assert s.validate_record(INTERACTIONS, raw_length=20_001, max_chars=20_000)[0].pointer == ""
    assert s.validate_record(INTERACTIONS, raw_length=20_000, max_chars=20_000) == []


def test_max_schema_chars_is_read_from_the_model() -> None:
    assert s.max_schema_chars() == 20_000


@pytest.mark.parametrize(
    ("avro", "dataset_type", "domain", "pointer", "words"),
    [
        (record(f("USER_ID"), f("ITEM_ID")), "Interactions", None, "/fields",
         "no TIMESTAMP field (long, required)"),
        (record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP")), "Interactions", None,
         "/fields/2/type", "must be long, not string"),
        (record(f("USER_ID", ["null", "string"]), f("ITEM_ID"), f("TIMESTAMP", "long")),
         "Interactions", None, "/fields/0/type", "without null"),
        (record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"), f("EVENT_VALUE")),
         "Interactions", None, "/fields/3/type", "reserved field EVENT_VALUE must be float"),
        (record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"), f("EVENT_TYPE", "int")),
         "Interactions", None, "/fields/3/type", "EVENT_TYPE must be string"),
        (record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long")), "Interactions",
         "ECOMMERCE", "/fields", "ECOMMERCE Interactions schema has no EVENT_TYPE"),
        (record(f("USER_ID"), name="Users"), "Users", None, "/fields",
         "at least 1 metadata field"),
        (record(f("USER_ID"), f("NOTE"), name="Users"), "Users", None, "/fields",
         "at least 1 metadata field"),
        (record(f("ITEM_ID"), f("CATEGORY_L1", categorical=True), name="Items"), "Items",
         "ECOMMERCE", "/fields", "no PRICE field"),
        (record(f("ITEM_ID"), f("CREATION_TIMESTAMP", "long"), name="Items"), "Items",
         "VIDEO_ON_DEMAND", "/fields", "no GENRES field"),
        (record(f("ACTION_ID"), name="Actions"), "Actions", None, "/fields",
         "at least 1 metadata field"),
        (record(f("USER_ID"), f("ACTION_ID"), f("TIMESTAMP", "long")), "Action_Interactions",
         None, "/fields", "no EVENT_TYPE field"),
    ],
)
def test_required_and_reserved_fields(avro: dict[str, Any], dataset_type: str,
                                      domain: str | None, pointer: str, words: str) -> None:
    problems = [p for p in s.check_dataset(avro, dataset_type, domain) if p.rule == "PL502"]
    assert any(p.pointer == pointer and words in p.message for p in problems), problems


@pytest.mark.parametrize(
    ("avro", "dataset_type", "domain"),
    [
        (INTERACTIONS, "Interactions", None),
        (INTERACTIONS, "Interactions", "ECOMMERCE"),
        (record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"),
                f("EVENT_VALUE", ["null", "float"]), f("IMPRESSION", ["string", "null"]),
                f("RECOMMENDATION_ID", ["null", "string"]),
                f("EVENT_ATTRIBUTION_SOURCE", ["null", "string"])), "Interactions", None),
        (record(f("USER_ID"), f("AGE", "int"), name="Users"), "Users", None),
        (record(f("ITEM_ID"), f("PRICE", "float"), f("CATEGORY_L1", ["string"], categorical=True),
                name="Items"), "Items", "ECOMMERCE"),
        (record(f("ITEM_ID"), f("GENRES", categorical=True), f("CREATION_TIMESTAMP", "long"),
                name="Items"), "Items", "VIDEO_ON_DEMAND"),
        # Field names are matched ignoring case.
        (record(f("user_id"), f("item_id"), f("timestamp", "long")), "Interactions", None),
    ],
)
def test_good_dataset_schemas(avro: dict[str, Any], dataset_type: str,
                              domain: str | None) -> None:
    assert s.check_dataset(avro, dataset_type, domain) == []


def test_skip_fields_defers_event_type() -> None:
    avro = record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"), f("EVENT_TYPE", "int"))
    assert s.check_dataset(avro, "Interactions", skip_fields=frozenset({"EVENT_TYPE"})) == []


def test_too_many_metadata_fields_is_a_limit() -> None:
    extra = [f(f"CTX_{i}", categorical=True) for i in range(6)]
    avro = record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"), f("EVENT_TYPE"), *extra)
    problems = s.check_dataset(avro, "Interactions")
    assert rules_of(problems) == [("PL503", "/fields/9")]
    assert "6 metadata fields" in problems[0].message


@pytest.mark.parametrize(
    ("avro", "dataset_type", "domain", "pointer", "words"),
    [
        (record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"), f("PRIME", "boolean")),
         "Interactions", None, "/fields/3/type", "boolean"),
        (record(f("ITEM_ID"), f("PRICE", "float"), f("CATEGORY_L1"), name="Items"), "Items",
         "ECOMMERCE", "/fields/2", "reserved categorical field"),
        (record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"),
                f("EVENT_TYPE", categorical=True)), "Interactions", None,
         "/fields/3/categorical", "can't be categorical"),
        (record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"), f("NOTE", textual=True)),
         "Interactions", None, "/fields/3/textual", "only Items schemas"),
        (record(f("ITEM_ID"), f("SIZE", "int", textual=True), name="Items"), "Items", None,
         "/fields/1/textual", "applies only to string"),
        (record(f("USER_ID"), f("AGE", "int", categorical=True), name="Users"), "Users", None,
         "/fields/1/categorical", "applies only to string"),
        (record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"), f("DISCOUNT")),
         "Interactions", None, "/fields/3", "neither categorical nor textual"),
        (record(f("ITEM_ID"), f("PRICE", "float"), f("CATEGORY_L1", categorical=True),
                f("PRODUCT_DESCRIPTION"), name="Items"), "Items", "ECOMMERCE", "/fields/3",
         "reserved textual field"),
        # Unknown dataset type: the generic checks still apply.
        (record(f("FOO"), f("BAR", "boolean"), name="x"), None, None, "/fields/0",
         "neither categorical nor textual"),
    ],
)
def test_flags(avro: dict[str, Any], dataset_type: str | None, domain: str | None,
               pointer: str, words: str) -> None:
    problems = s.check_flags(avro, dataset_type, domain)
    assert any(p.rule == "PL504" and p.pointer == pointer and words in p.message
               for p in problems), problems


def test_reserved_strings_without_flags_are_fine() -> None:
    avro = record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"), f("EVENT_TYPE"),
                  f("IMPRESSION"), f("RECOMMENDATION_ID", ["null", "string"]),
                  f("LOCATION", categorical=True))
    assert s.check_flags(avro, "Interactions") == []


def test_check_schema_combines_and_dedupes() -> None:
    avro = record(f("USER_ID"), f("ITEM_ID"), f("GENRE_1"), f("GENRE1"), f("FLAG", "boolean"))
    problems = s.check_schema(avro, dataset_type="Interactions")
    assert {p.rule for p in problems} == {"PL502", "PL503", "PL504"}
    assert len(problems) == len({(p.rule, p.pointer, p.message) for p in problems})


def test_dataset_spec_falls_back_to_custom_outside_the_domain() -> None:
    spec = s.dataset_spec("Actions", "ECOMMERCE")
    assert spec is not None and spec.domain is None
    ecommerce = s.dataset_spec("items", "ecommerce")
    assert ecommerce is not None and ecommerce.domain == "ECOMMERCE"
    assert "PRICE" in ecommerce.required
    assert s.dataset_spec("Nope") is None
