"""PL5xx: dataset schemas.

Inputs: Avro schemas as ``create-schema --schema`` takes them, and ``create-schema
--cli-input-json`` requests holding the schema as a JSON string (with ``domain``). PL502-PL504
apply to every schema (alone or in a set-up); PL501 and PL505 need a set-up with a metric
attribution. The Personalize rules themselves are data (personalize/data/
personalize-schema-rules.json); see ``personalize_lint.personalize.schemas``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory, Schema, Setup, Source
from personalize_lint.location import Location, join_pointer
from personalize_lint.personalize.schemas import (
    EVENT_TYPE,
    INTERACTIONS,
    SchemaInput,
    SchemaProblem,
    canonical_dataset_type,
    canonical_domain,
    check_schema,
    detect_dataset_type,
    field_type,
    find_field,
    max_schema_chars,
    read_schema,
)
from personalize_lint.rule import RuleContext, rule

GUIDE = "https://docs.aws.amazon.com/personalize/latest/dg"
FORMATTING = f"{GUIDE}/how-it-works-dataset-schema.html"
CUSTOM = f"{GUIDE}/custom-datasets-and-schemas.html"
REQUIREMENTS = f"{GUIDE}/metric-attribution-requirements.html"


def schema_base(schema: Schema) -> str:
    """Pointer of the Avro record in the schema's document (``/schema`` in a request)."""
    if schema.raw is not None:
        return join_pointer(schema.source.pointer, "schema")
    return schema.source.pointer


def schema_location(schema: Schema, pointer: str = "") -> Location:
    """Where a part of a set-up schema is (``pointer`` relative to the Avro record)."""
    if schema.source.document is not None:
        return schema.source.document.location(schema_base(schema) + pointer)
    return schema.source.location or Location()


@dataclass
class SchemaCheck:
    """One schema to check: the record, where it sits, and what it is for."""

    input: SchemaInput
    source: Source
    dataset_type: str | None
    domain: str | None
    setup: Setup | None = None

    def locate(self, pointer: str, *, in_record: bool = True) -> Location:
        base = self.source.pointer + (self.input.pointer if in_record else "")
        if self.source.document is not None:
            return self.source.document.location(base + pointer)
        return self.source.location or Location()

    def finding(self, rule_id: str, message: str, pointer: str, *, in_record: bool = True,
                related: tuple[Location, ...] = ()) -> Finding:
        return Finding(rule_id, message, self.locate(pointer, in_record=in_record),
                       related=related, setup=self.setup.name if self.setup else None)


def _source_key(source: Source) -> tuple[int, str]:
    return (id(source.document), source.pointer) if source.document else (id(source), "")


def _from_setup(setup: Setup, declared: str, schema: Schema) -> SchemaCheck:
    data: Any = None
    if schema.source.document is not None:
        data = schema.source.document.get(schema.source.pointer)
    if isinstance(data, (dict, list)):
        found = read_schema(data)
    else:
        found = SchemaInput(avro=schema.avro, pointer="/schema" if schema.raw is not None else "",
                            raw_length=len(schema.raw) if schema.raw is not None else None)
    dataset_type = (canonical_dataset_type(schema.dataset_type)
                    or canonical_dataset_type(declared)
                    or detect_dataset_type(found.avro))
    domain = canonical_domain(schema.domain or found.domain or setup.dataset_group.domain)
    return SchemaCheck(found, schema.source, dataset_type, domain, setup)


def all_schemas(inventory: Inventory) -> list[SchemaCheck]:
    """Every schema of the run once: set-up schemas first, then standalone documents."""
    return list(inventory.shared("PL5xx schemas", inventory, _all_schemas, inventory))


def _all_schemas(inventory: Inventory) -> list[SchemaCheck]:
    checks: list[SchemaCheck] = []
    seen: set[tuple[int, str]] = set()
    for setup in inventory.setups:
        for declared, schema in setup.dataset_group.schemas.items():
            key = _source_key(schema.source)
            if key in seen:
                continue
            seen.add(key)
            checks.append(_from_setup(setup, declared, schema))
    for doc in inventory.standalone:
        if doc.kind != "schema":
            continue
        found = read_schema(doc.data)
        dataset_type = detect_dataset_type(found.avro, doc.subkind)
        checks.append(SchemaCheck(found, Source(doc), dataset_type, canonical_domain(found.domain)))
    return checks


def _has_attribution(check: SchemaCheck) -> bool:
    return check.setup is not None and check.setup.metric_attribution is not None


def _problems(inventory: Inventory, check: SchemaCheck) -> list[SchemaProblem]:
    # PL502, PL503 and PL504 each report their share of the same problems: worked out once
    # per rule pass.
    return inventory.shared("PL5xx problems", check, _check_problems, check)


def _check_problems(check: SchemaCheck) -> list[SchemaProblem]:
    skip = frozenset({EVENT_TYPE}) if (
        _has_attribution(check) and check.dataset_type == INTERACTIONS) else frozenset()
    if check.input.avro is None:
        return []
    return check_schema(check.input.avro, dataset_type=check.dataset_type, domain=check.domain,
                        raw_length=check.input.raw_length, max_chars=max_schema_chars(),
                        skip_fields=skip)


def _findings(inventory: Inventory, rule_id: str) -> Iterator[Finding]:
    for check in all_schemas(inventory):
        if check.input.problem is not None and check.input.problem.rule == rule_id:
            yield check.finding(rule_id, check.input.problem.message,
                                check.input.problem.pointer, in_record=False)
        for problem in _problems(inventory, check):
            if problem.rule == rule_id:
                yield check.finding(rule_id, problem.message, problem.pointer)


# --- PL501 ----------------------------------------------------------------------------


def _interactions(setup: Setup) -> Schema | None:
    return setup.dataset_group.schemas.get(INTERACTIONS)


@rule(
    id="PL501",
    level="error",
    title="Interactions schema has no EVENT_TYPE string field",
    why="""
A metric attribution reports per event type, so the Interactions dataset of a dataset group
with a metric attribution must have an EVENT_TYPE column, defined as a string (not
nullable, not categorical). Without it there is nothing to attribute and the metrics stay
empty.
""",
    fix='Add {"name": "EVENT_TYPE", "type": "string"} to the Interactions schema (a new '
        "schema and dataset: schemas can't be changed) and an EVENT_TYPE column to the data.",
    example="""
{"type": "record", "name": "Interactions", "namespace": "com.amazonaws.personalize.schema",
 "fields": [{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"},
            {"name": "EVENT_TYPE", "type": "string"}, {"name": "TIMESTAMP", "type": "long"}],
 "version": "1.0"}
""",
    source=REQUIREMENTS,
    tags=("schema", "metric-attribution"),
)
def pl501_event_type(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for setup in inventory.setups:
        if setup.metric_attribution is None:
            continue
        schema = _interactions(setup)
        if schema is None:
            yield Finding("PL003", "PL501 not evaluated: the set-up has a metric attribution but "
                                   "no Interactions schema (interactions-schema) to check for "
                                   "EVENT_TYPE", setup.location, setup=setup.name)
            continue
        if not isinstance(schema.avro, dict):
            continue  # PL503 says why it is not a record
        found = find_field(schema.avro, EVENT_TYPE)
        if found is None:
            pointer = "/fields" if isinstance(schema.avro.get("fields"), list) else ""
            yield Finding("PL501", "the Interactions schema has no EVENT_TYPE field, which a "
                                   "metric attribution needs", schema_location(schema, pointer),
                          setup=setup.name)
            continue
        index, field_ = found
        kind = field_type(field_.get("type"))
        if kind.problem is None and (kind.base != "string" or kind.nullable):
            given = "nullable string" if kind.base == "string" else (kind.base or "null")
            yield Finding("PL501", f"EVENT_TYPE is {given}; it must be of type \"string\"",
                          schema_location(schema, f"/fields/{index}/type"), setup=setup.name)


# --- PL502 - PL504 --------------------------------------------------------------------


@rule(
    id="PL502",
    level="error",
    title="Schema lacks a required field or types a required or reserved field wrongly",
    why="""
Each dataset type has required fields with fixed types (Interactions: USER_ID string,
ITEM_ID string, TIMESTAMP long; Items: ITEM_ID; Users: USER_ID; Actions: ACTION_ID; Action
interactions: USER_ID, ACTION_ID, EVENT_TYPE, TIMESTAMP), Users, Items and Actions need at
least one metadata field, and reserved keywords (EVENT_TYPE, EVENT_VALUE, IMPRESSION,
RECOMMENDATION_ID, EVENT_ATTRIBUTION_SOURCE, CREATION_TIMESTAMP, ...) must have their
documented types when used. The ECOMMERCE and VIDEO_ON_DEMAND domains add their own
(ECOMMERCE Items: PRICE float and categorical CATEGORY_L1; VIDEO_ON_DEMAND Items: GENRES
and CREATION_TIMESTAMP). CreateSchema or the dataset import fails otherwise.
""",
    fix="Add the missing field or change its type to the documented one (unions with null "
        "only where the documentation allows null).",
    example="""
{"name": "TIMESTAMP", "type": "long"}      (not "string" or ["null", "long"])
{"name": "EVENT_VALUE", "type": ["null", "float"]}
""",
    source=CUSTOM,
    tags=("schema",),
)
def pl502_required_fields(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    yield from _findings(inventory, "PL502")


@rule(
    id="PL503",
    level="error",
    title="Schema is not a valid Personalize Avro record",
    why="""
Personalize schemas are flat Avro records: "type": "record", a valid name, and fields whose
types are int, long, float, double, string, boolean or null, alone or one of them in a union
with null. Nested records and complex types (arrays, maps, enums), two field names that are
equal once non-alphanumeric characters are removed (GENRE_1 and GENRE1), more metadata fields
than the dataset allows, or a schema longer than CreateSchema accepts (20,000 characters)
are rejected.
""",
    fix="Flatten nested fields into separate columns, use pipe-separated categorical strings "
        "instead of arrays, rename clashing fields, and drop unused fields.",
    example="""
{"name": "GENRES", "type": "string", "categorical": true}     (values like "Action|Comedy")
""",
    source=FORMATTING,
    tags=("schema",),
)
def pl503_invalid_record(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    yield from _findings(inventory, "PL503")


@rule(
    id="PL504",
    level="warning",
    title="Schema field flags are wrong or the field is ignored in training",
    why="""
Reserved categorical fields (CATEGORY_L1, GENRES, ...) must have "categorical": true and
reserved string fields such as EVENT_TYPE can't be categorical; "textual" is for string
fields of Items schemas only; a custom string field that is neither categorical nor textual,
and any boolean field, is not used when training (Personalize suggests strings "True"/"False"
or int 0/1 instead of boolean).
""",
    fix='Set "categorical": true on categorical strings, "textual": true on free text in '
        "Items, remove the flag where it does not belong, and replace boolean types.",
    example="""
{"name": "CATEGORY_L1", "type": "string", "categorical": true}
{"name": "DESCRIPTION", "type": ["null", "string"], "textual": true}
""",
    source=FORMATTING,
    tags=("schema",),
)
def pl504_field_flags(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    yield from _findings(inventory, "PL504")


# --- PL505 ----------------------------------------------------------------------------


@rule(
    id="PL505",
    level="warning",
    title="Bulk interactions are attributed but carry no attribution source",
    why="""
To compare sources, each interaction needs a recommendation ID or an event attribution
source. Bulk data can only carry them as RECOMMENDATION_ID or EVENT_ATTRIBUTION_SOURCE
columns, which the Interactions schema must declare; without either, every bulk event is
reported as SOURCE_NAME_UNDEFINED.
""",
    fix='Add {"name": "EVENT_ATTRIBUTION_SOURCE", "type": ["null", "string"]} (or '
        "RECOMMENDATION_ID) to the Interactions schema and fill the column in the data.",
    example="""
{"name": "EVENT_ATTRIBUTION_SOURCE", "type": ["null", "string"]}
""",
    source=REQUIREMENTS,
    tags=("schema", "metric-attribution", "data"),
)
def pl505_no_attribution_source(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for setup in inventory.setups:
        if setup.metric_attribution is None:
            continue
        bulk = bool(setup.interactions_data) or any(
            isinstance(job, dict) and str(job.get("datasetArn", "/INTERACTIONS")).upper()
            .endswith("/INTERACTIONS") for job in setup.dataset_group.import_jobs)
        schema = _interactions(setup)
        if not bulk or schema is None or not isinstance(schema.avro, dict):
            continue
        if find_field(schema.avro, "EVENT_ATTRIBUTION_SOURCE") or find_field(
                schema.avro, "RECOMMENDATION_ID"):
            continue
        pointer = "/fields" if isinstance(schema.avro.get("fields"), list) else ""
        yield Finding("PL505", "bulk interactions are attributed, but the Interactions schema has "
                               "neither EVENT_ATTRIBUTION_SOURCE nor RECOMMENDATION_ID: every bulk "
                               "event will be reported as SOURCE_NAME_UNDEFINED",
                      schema_location(schema, pointer), setup=setup.name)
