"""PL501-PL505: dataset schemas, alone and in a set-up with a metric attribution."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from helpers import json_document
from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import (
    DataSource,
    Inventory,
    MetricAttribution,
    Schema,
    Setup,
    Source,
)
from personalize_lint.location import Location
from personalize_lint.rule import Rule, RuleContext
from personalize_lint.rules import schema as S

CTX = RuleContext(as_of=datetime(2026, 11, 30, tzinfo=timezone.utc))


def doc(data: Any, kind: str = "schema", path: str = "schema.json",
        subkind: str | None = None) -> Document:
    return json_document(data, kind, path, subkind)


def f(name: str, type_: Any = "string", **flags: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **flags}


def record(*fields: dict[str, Any], name: str = "Interactions") -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": "com.amazonaws.personalize.schema",
            "fields": list(fields), "version": "1.0"}


BASE = (f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long"))
GOOD = record(*BASE, f("EVENT_TYPE"), f("EVENT_ATTRIBUTION_SOURCE", ["null", "string"]))
ATTRIBUTION = {"name": "a", "datasetGroupArn": "arn:aws:personalize:us-east-1:1:dataset-group/g",
               "metrics": [], "metricsOutputConfig": {"roleArn": "r"}}


def standalone(*documents: Document) -> Inventory:
    return Inventory(documents=list(documents), standalone=list(documents))


def setup(interactions: Any = None, *, attribution: bool = True, bulk: bool = False,
          items: Any = None, domain: str | None = None, raw: bool = False,
          import_jobs: list[dict[str, Any]] = ()) -> Setup:  # type: ignore[assignment]
    s = Setup(name="retail", location=Location(path="personalize-lint.toml"))
    s.dataset_group.domain = domain
    if attribution:
        ma = doc(ATTRIBUTION, "metric-attribution", "attribution.json")
        s.metric_attribution = MetricAttribution(ATTRIBUTION, Source(ma))
    for dataset_type, avro in (("Interactions", interactions), ("Items", items)):
        if avro is None:
            continue
        if raw:  # a create-schema --cli-input-json request
            text = json.dumps(avro)
            d = doc({"name": "s", "schema": text}, path=f"{dataset_type}.json")
            s.dataset_group.schemas[dataset_type] = Schema(
                avro=avro, source=Source(d), dataset_type=dataset_type, raw=text)
        else:
            d = doc(avro, path=f"{dataset_type}.json")
            s.dataset_group.schemas[dataset_type] = Schema(avro=d.data, source=Source(d),
                                                           dataset_type=dataset_type)
    if bulk:
        s.interactions_data.append(DataSource("data/i.csv", Source(location=Location())))
    s.dataset_group.import_jobs = list(import_jobs)
    return s


def run(check: Rule, inventory: Inventory) -> list[Finding]:
    assert check.check is not None
    return list(check.check(inventory, CTX))


def where(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(x.rule_id, x.location.pointer) for x in findings]


# --- PL501 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interactions", "expected"),
    [
        (GOOD, []),
        (record(*BASE), [("PL501", "/fields")]),
        (record(*BASE, f("EVENT_TYPE", "int")), [("PL501", "/fields/3/type")]),
        (record(*BASE, f("EVENT_TYPE", ["null", "string"])), [("PL501", "/fields/3/type")]),
        (record(*BASE, f("event_type")), []),  # matched ignoring case
        ("not a record", []),  # PL503 says why
    ],
)
def test_pl501_event_type(interactions: Any, expected: list[tuple[str, str]]) -> None:
    findings = run(S.pl501_event_type, Inventory(setups=[setup(interactions)]))
    assert where(findings) == expected
    assert all(x.setup == "retail" for x in findings)


def test_pl501_needs_an_attribution() -> None:
    unattributed = Inventory(setups=[setup(record(*BASE), attribution=False)])
    assert run(S.pl501_event_type, unattributed) == []
    assert run(S.pl501_event_type, standalone(doc(record(*BASE), subkind="Interactions"))) == []


def test_pl501_without_an_interactions_schema_is_not_evaluated() -> None:
    findings = run(S.pl501_event_type, Inventory(setups=[setup(None)]))
    assert [x.rule_id for x in findings] == ["PL003"]
    assert "interactions-schema" in findings[0].message


def test_pl501_in_a_create_schema_request_points_into_the_string() -> None:
    (finding,) = run(S.pl501_event_type, Inventory(setups=[setup(record(*BASE), raw=True)]))
    assert finding.location.pointer == "/schema/fields"
    assert finding.location.path == "Interactions.json"


def test_pl502_leaves_event_type_to_pl501_in_an_attributed_set_up() -> None:
    inventory = Inventory(setups=[setup(record(*BASE, f("EVENT_TYPE", "int")))])
    assert run(S.pl502_required_fields, inventory) == []
    alone = standalone(doc(record(*BASE, f("EVENT_TYPE", "int")), subkind="Interactions"))
    assert where(run(S.pl502_required_fields, alone)) == [("PL502", "/fields/3/type")]


# --- PL502 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "subkind", "expected"),
    [
        (GOOD, None, []),
        (record(f("USER_ID"), f("ITEM_ID")), None, [("PL502", "/fields")]),
        (record(f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "int")), None,
         [("PL502", "/fields/2/type")]),
        (record(*BASE, f("EVENT_VALUE", "string")), None, [("PL502", "/fields/3/type")]),
        (record(f("USER_ID"), name="Users"), None, [("PL502", "/fields")]),
        (record(f("USER_ID"), f("AGE", "int"), name="Users"), None, []),
        (record(f("ITEM_ID"), f("GENRE", categorical=True), name="Items"), None, []),
        # A create-schema request: the domain comes from the request.
        ({"name": "items", "domain": "ECOMMERCE",
          "schema": json.dumps(record(f("ITEM_ID"), f("CATEGORY_L1", categorical=True),
                                      name="Items"))}, None, [("PL502", "/schema/fields")]),
        ({"name": "items", "domain": "VIDEO_ON_DEMAND",
          "schema": json.dumps(record(f("ITEM_ID"), f("GENRES", categorical=True),
                                      f("CREATION_TIMESTAMP", "long"), name="Items"))}, None, []),
        # The subkind (a configured dataset type) wins over the record name.
        (record(f("USER_ID"), f("AGE", "int"), name="x"), "Items", [("PL502", "/fields")]),
    ],
)
def test_pl502_required_fields(data: Any, subkind: str | None,
                               expected: list[tuple[str, str]]) -> None:
    findings = run(S.pl502_required_fields, standalone(doc(data, subkind=subkind)))
    assert where(findings) == expected


def test_pl502_domain_from_the_dataset_group() -> None:
    items = record(f("ITEM_ID"), f("GENRE", categorical=True), name="Items")
    findings = run(S.pl502_required_fields,
                   Inventory(setups=[setup(GOOD, items=items, domain="ECOMMERCE")]))
    assert {x.location.path for x in findings} == {"Items.json"}
    assert any("ECOMMERCE Items schema has no PRICE" in x.message for x in findings)


# --- PL503 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (GOOD, []),
        (record(f("ITEM_ID"), f("GENRE_1", categorical=True), f("GENRE1", categorical=True),
                name="Items"), [("PL503", "/fields/2/name")]),
        (record(*BASE, f("EVENT_TYPE"), f("CONTEXT", {"type": "record", "name": "C",
                                                      "fields": [f("A"), f("B")]})),
         [("PL503", "/fields/4/type")]),
        (record(*BASE, f("EVENT_TYPE"), f("TAGS", {"type": "array", "items": "string"})),
         [("PL503", "/fields/4/type")]),
        (record(*BASE, f("EVENT_TYPE"), f("MIXED", ["string", "int"])),
         [("PL503", "/fields/4/type")]),
        ({**GOOD, "type": "Record"}, [("PL503", "/type")]),
        (record(*BASE, f("EVENT TYPE")), [("PL503", "/fields/3/name")]),
        ({"name": "s", "schema": '{"type": "record", "fields": [}'}, [("PL503", "/schema")]),
        (["USER_ID", "ITEM_ID"], [("PL503", "")]),
    ],
)
def test_pl503_invalid_record(data: Any, expected: list[tuple[str, str]]) -> None:
    findings = run(S.pl503_invalid_record, standalone(doc(data)))
    assert where(findings) == expected


def test_pl503_nested_record_message() -> None:
    data = record(*BASE, f("EVENT_TYPE"), f("CTX", {"type": "record", "name": "C", "fields": []}))
    (finding,) = run(S.pl503_invalid_record, standalone(doc(data)))
    assert "nested record" in finding.message and "'CTX'" in finding.message


def test_pl503_schema_over_20000_characters() -> None:
    long = record(f("ITEM_ID"), f("DESCRIPTION", textual=True, doc="d" * 20_000), name="Items")
    (finding,) = run(S.pl503_invalid_record, standalone(doc(long)))
    assert "20,000" in finding.message and finding.location.pointer == ""
    request = {"name": "items", "schema": json.dumps(
        record(f("ITEM_ID"), f("GENRE", categorical=True), name="Items")) + " " * 20_000}
    (finding,) = run(S.pl503_invalid_record, standalone(doc(request)))
    assert "CreateSchema accepts at most 20,000" in finding.message


def test_pl503_too_many_interactions_metadata_fields() -> None:
    data = record(*BASE, f("EVENT_TYPE"), *(f(f"CTX_{i}", categorical=True) for i in range(6)))
    findings = run(S.pl503_invalid_record, standalone(doc(data)))
    assert where(findings) == [("PL503", "/fields/9")]


# --- PL504 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (GOOD, []),
        (record(*BASE, f("EVENT_TYPE"), f("PRIME", "boolean")), [("PL504", "/fields/4/type")]),
        (record(*BASE, f("EVENT_TYPE"), f("DISCOUNT")), [("PL504", "/fields/4")]),
        (record(*BASE, f("EVENT_TYPE", categorical=True)), [("PL504", "/fields/3/categorical")]),
        (record(*BASE, f("EVENT_TYPE"), f("NOTE", textual=True)),
         [("PL504", "/fields/4/textual")]),
        (record(f("ITEM_ID"), f("DESCRIPTION", ["null", "string"], textual=True), name="Items"),
         []),
        ({"name": "items", "domain": "ECOMMERCE", "schema": json.dumps(
            record(f("ITEM_ID"), f("PRICE", "float"), f("CATEGORY_L1"), name="Items"))},
         [("PL504", "/schema/fields/2")]),
    ],
)
def test_pl504_flags(data: Any, expected: list[tuple[str, str]]) -> None:
    findings = run(S.pl504_field_flags, standalone(doc(data)))
    assert where(findings) == expected


# --- PL505 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interactions", "bulk", "jobs", "expected"),
    [
        (record(*BASE, f("EVENT_TYPE")), True, [], [("PL505", "/fields")]),
        (record(*BASE, f("EVENT_TYPE")), False,
         [{"datasetArn": "arn:aws:personalize:us-east-1:1:dataset/g/INTERACTIONS"}],
         [("PL505", "/fields")]),
        (record(*BASE, f("EVENT_TYPE")), False, [], []),  # events only: PutEvents carry sources
        (GOOD, True, [], []),
        (record(*BASE, f("EVENT_TYPE"), f("RECOMMENDATION_ID", ["null", "string"])), True, [],
         []),
    ],
)
def test_pl505_bulk_without_sources(interactions: Any, bulk: bool, jobs: list[Any],
                                    expected: list[tuple[str, str]]) -> None:
    inventory = Inventory(setups=[setup(interactions, bulk=bulk, import_jobs=jobs)])
    assert where(run(S.pl505_no_attribution_source, inventory)) == expected


def test_pl505_needs_an_attribution() -> None:
    inventory = Inventory(setups=[setup(record(*BASE), bulk=True, attribution=False)])
    assert run(S.pl505_no_attribution_source, inventory) == []


def test_a_schema_shared_by_two_set_ups_is_checked_once() -> None:
    one = setup(record(*BASE, f("EVENT_TYPE"), f("FLAG", "boolean")))
    two = Setup(name="two", location=Location(), dataset_group=one.dataset_group)
    findings = run(S.pl504_field_flags, Inventory(setups=[one, two]))
    assert len(findings) == 1 and findings[0].setup == "retail"
