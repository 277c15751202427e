"""Personalize dataset schemas: what a valid schema looks like, and what each dataset needs.

The rules themselves are data (``data/personalize-schema-rules.json``): a JSON Schema for
the flat Avro record Personalize accepts, and a table of required and reserved fields per
dataset type (Interactions, Items, Users, Actions, Action_Interactions) and per domain
(ECOMMERCE, VIDEO_ON_DEMAND), each with its documentation URL. This module adds the few
checks JSON Schema cannot express: names that collide once non-alphanumerics are removed
(``GENRE_1`` vs ``GENRE1``), the 20,000-character limit, what a union means, metadata
counts and flag combinations.

Field names are matched case-insensitively (Personalize maps CSV headers and PutEvents
property keys onto schema fields without regard to case).

Every problem is a :class:`SchemaProblem` naming the rule it belongs to:
PL502 (required/reserved fields and their types), PL503 (not a valid Personalize Avro
record, limits), PL504 (flags).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..location import escape_pointer_token
from .quickschema import Verdict, compile_verdict

RULES_PATH = Path(__file__).resolve().parent / "data" / "personalize-schema-rules.json"

INTERACTIONS = "Interactions"
ITEMS = "Items"
USERS = "Users"
ACTIONS = "Actions"
ACTION_INTERACTIONS = "Action_Interactions"
DATASET_TYPES = (INTERACTIONS, ITEMS, USERS, ACTIONS, ACTION_INTERACTIONS)
DOMAINS = ("ECOMMERCE", "VIDEO_ON_DEMAND")

EVENT_TYPE = "EVENT_TYPE"
COMPLEX_TYPES = ("record", "array", "map", "enum", "fixed", "bytes")


@functools.cache
def schema_rules() -> dict[str, Any]:
    """The rules table shipped with the package."""
    return dict(json.loads(RULES_PATH.read_text(encoding="utf-8")))


def numeric_types() -> tuple[str, ...]:
    return tuple(schema_rules()["numeric_types"])


def primitive_types() -> tuple[str, ...]:
    return tuple(schema_rules()["primitive_types"])


def max_schema_chars() -> int:
    """The CreateSchema ``schema`` string limit: botocore's model, else the shipped value."""
    from .constraints import ConstraintsUnavailable, create_schema_constraints

    try:
        limit = create_schema_constraints().schema.max
    except ConstraintsUnavailable:
        limit = None
    return limit if limit is not None else int(schema_rules()["max_schema_chars"]["value"])


# --- dataset types and their specs ----------------------------------------------------


def _squash(text: str) -> str:
    """Upper case with non-alphanumerics removed: how Personalize compares field names."""
    return re.sub(r"[^A-Za-z0-9]", "", text).upper()


def canonical_dataset_type(value: Any) -> str | None:
    """``interactions``, ``INTERACTIONS``, ``action-interactions``... -> the canonical name."""
    if not isinstance(value, str):
        return None
    wanted = _squash(value)
    for dataset_type in DATASET_TYPES:
        if _squash(dataset_type) == wanted:
            return dataset_type
    return None


def canonical_domain(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    wanted = _squash(value)
    return next((d for d in DOMAINS if _squash(d) == wanted), None)


@dataclass(frozen=True)
class FieldSpec:
    """What a required or reserved field must look like."""

    name: str
    types: tuple[str, ...]
    nullable: bool = False
    categorical: bool | None = None  # True must be, False must not be, None unspecified
    textual: bool = False

    def describe(self) -> str:
        kind = " or ".join(self.types)
        if self.categorical:
            kind = f"categorical {kind}"
        if self.textual:
            kind = f"textual {kind}"
        return f"{kind}, optionally with null" if self.nullable else kind


@dataclass(frozen=True)
class DatasetSpec:
    dataset_type: str
    domain: str | None
    required: dict[str, FieldSpec]
    reserved: dict[str, FieldSpec]
    min_metadata: int
    max_metadata: int | None
    textual_allowed: bool
    source: str

    def spec_for(self, name: str) -> FieldSpec | None:
        upper = name.upper()
        return self.required.get(upper) or self.reserved.get(upper)


def _field_specs(table: dict[str, Any]) -> dict[str, FieldSpec]:
    return {
        name: FieldSpec(
            name=name,
            types=tuple(spec["types"]),
            nullable=bool(spec.get("nullable", False)),
            categorical=spec.get("categorical"),
            textual=bool(spec.get("textual", False)),
        )
        for name, spec in table.items()
        if not name.startswith("$")
    }


@functools.cache
def dataset_spec(dataset_type: str, domain: str | None = None) -> DatasetSpec | None:
    """The requirements of one dataset type, in a domain (when it defines that type)."""
    rules = schema_rules()
    dataset_type = canonical_dataset_type(dataset_type) or ""
    custom = rules["dataset_types"].get(dataset_type)
    if custom is None:
        return None
    domain = canonical_domain(domain)
    domain_table = rules["domains"].get(domain, {}) if domain else {}
    entry = domain_table.get(dataset_type)
    if entry is None:
        entry, domain = custom, None
    return DatasetSpec(
        dataset_type=dataset_type,
        domain=domain,
        required=_field_specs(entry["required"]),
        reserved=_field_specs(entry["reserved"]),
        min_metadata=int(entry.get("min_metadata", custom["min_metadata"])),
        max_metadata=entry.get("max_metadata", custom["max_metadata"]),
        textual_allowed=bool(custom.get("textual_allowed", False)),
        source=str(entry.get("source") or domain_table.get("source") or custom["source"]),
    )


@functools.cache
def _all_known_names() -> frozenset[str]:
    """Every required or reserved name in any dataset or domain."""
    names: set[str] = set()
    rules = schema_rules()
    tables = [rules["dataset_types"][t] for t in DATASET_TYPES]
    tables += [rules["domains"][d][t] for d in DOMAINS for t in rules["domains"][d]
               if isinstance(rules["domains"][d][t], dict) and "required" in rules["domains"][d][t]]
    for table in tables:
        names.update(k for k in table["required"] if not k.startswith("$"))
        names.update(k for k in table["reserved"] if not k.startswith("$"))
    return frozenset(names)


# --- field types ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldType:
    """A field's Avro type as Personalize understands it."""

    base: str | None  # the one non-null primitive type ("float"), None for "null"
    nullable: bool
    problem: str | None = None  # why it is not a Personalize type (nested, complex, ...)

    @property
    def numeric(self) -> bool:
        return self.problem is None and self.base in numeric_types()


def field_type(avro_type: Any) -> FieldType:
    primitives = primitive_types()
    if isinstance(avro_type, str):
        if avro_type in primitives:
            return FieldType(None if avro_type == "null" else avro_type, avro_type == "null")
        if avro_type in COMPLEX_TYPES:
            return FieldType(None, False, f"complex type {avro_type!r} is not supported")
        return FieldType(None, False, f"unknown type {avro_type!r}: use one of "
                                      f"{', '.join(primitives)}")
    if isinstance(avro_type, dict):
        kind = avro_type.get("type")
        if kind == "record":
            return FieldType(None, False, "nested record: Personalize schemas must be flat")
        if kind in COMPLEX_TYPES:
            return FieldType(None, False, f"complex type {kind!r} is not supported")
        return FieldType(None, False, "a type given as an object is not supported; write the "
                                      "type name (e.g. \"long\")")
    if isinstance(avro_type, list):
        if not avro_type:
            return FieldType(None, False, "an empty union has no type")
        for member in avro_type:
            inner = field_type(member)
            if inner.problem:
                return FieldType(None, False, f"in a union: {inner.problem}")
        if len(set(map(str, avro_type))) != len(avro_type):
            return FieldType(None, False, "a union may not list a type twice")
        non_null = [m for m in avro_type if m != "null"]
        if len(non_null) > 1:
            return FieldType(None, False, f"a union of several types ({', '.join(non_null)}): "
                                          "use one type, optionally with null")
        return FieldType(non_null[0] if non_null else None, "null" in avro_type)
    return FieldType(None, False, "the type must be a type name or a list (union)")


def is_numeric(avro_type: Any) -> bool:
    """int, long, float or double, alone or in a union with null."""
    return field_type(avro_type).numeric


def fields_of(avro: Any) -> list[tuple[int, dict[str, Any]]]:
    """(index, field) for every well-formed field object of a record."""
    if not isinstance(avro, dict) or not isinstance(avro.get("fields"), list):
        return []
    return [(i, f) for i, f in enumerate(avro["fields"])
            if isinstance(f, dict) and isinstance(f.get("name"), str)]


def find_field(avro: Any, name: str) -> tuple[int, dict[str, Any]] | None:
    """A field by name (exact match preferred, else case-insensitive)."""
    fields = fields_of(avro)
    for index, field in fields:
        if field["name"] == name:
            return index, field
    for index, field in fields:
        if field["name"].upper() == name.upper():
            return index, field
    return None


def detect_dataset_type(avro: Any, hint: Any = None) -> str | None:
    """Dataset type: an explicit hint, else the record name, else the fields present."""
    explicit = canonical_dataset_type(hint)
    if explicit:
        return explicit
    if not isinstance(avro, dict):
        return None
    rules = schema_rules()
    name = avro.get("name")
    if isinstance(name, str):
        short = _squash(name.rsplit(".", 1)[-1])
        for dataset_type, names in rules["record_names"].items():
            if dataset_type.startswith("$"):
                continue
            if short in {_squash(n) for n in names}:
                return str(dataset_type)
    present = {f["name"].upper() for _, f in fields_of(avro)}
    for entry in rules["detection"]["order"]:
        if all(f in present for f in entry["fields"]):
            return str(entry["dataset_type"])
    return None


# --- reading schema documents ---------------------------------------------------------


@dataclass(frozen=True)
class SchemaProblem:
    rule: str  # PL502 | PL503 | PL504
    pointer: str  # JSON pointer relative to the Avro record
    message: str


@dataclass(frozen=True)
class SchemaInput:
    """A schema as found in a document: the Avro record and where it sits.

    For a ``create-schema --cli-input-json`` request the record is parsed from the
    ``schema`` string: ``pointer`` is ``/schema`` and positions inside it are the string's.
    """

    avro: Any
    pointer: str = ""
    raw_length: int | None = None
    domain: str | None = None
    name: str | None = None
    problem: SchemaProblem | None = None  # relative to the document, not the record


def is_create_schema_request(data: Any) -> bool:
    return isinstance(data, dict) and "schema" in data and "fields" not in data


def read_schema(data: Any) -> SchemaInput:
    if not is_create_schema_request(data):
        return SchemaInput(avro=data)
    domain = data.get("domain") if isinstance(data.get("domain"), str) else None
    name = data.get("name") if isinstance(data.get("name"), str) else None
    text = data["schema"]
    if isinstance(text, dict):
        return SchemaInput(avro=text, pointer="/schema", domain=domain, name=name,
                           problem=SchemaProblem("PL503", "/schema",
                                                 "CreateSchema takes the schema as a JSON "
                                                 "string, not an object (json.dumps it)"))
    if not isinstance(text, str):
        return SchemaInput(avro=None, pointer="/schema", domain=domain, name=name,
                           problem=SchemaProblem("PL503", "/schema",
                                                 "the schema must be a string holding Avro "
                                                 "JSON"))
    try:
        avro = json.loads(text)
    except json.JSONDecodeError as exc:
        return SchemaInput(avro=None, pointer="/schema", raw_length=len(text), domain=domain,
                           name=name,
                           problem=SchemaProblem(
                               "PL503", "/schema",
                               f"the schema string is not valid JSON: {exc.msg} (line "
                               f"{exc.lineno}, column {exc.colno} of the string)"))
    return SchemaInput(avro=avro, pointer="/schema", raw_length=len(text), domain=domain,
                       name=name)


# --- the checks -----------------------------------------------------------------------


def check_schema(
    avro: Any,
    *,
    dataset_type: str | None,
    domain: str | None = None,
    raw_length: int | None = None,
    max_chars: int | None = None,
    skip_fields: frozenset[str] = frozenset(),
) -> list[SchemaProblem]:
    """Every PL502/PL503/PL504 problem of one schema.

    ``skip_fields`` names fields another rule reports (PL501 owns EVENT_TYPE in a set-up
    with a metric attribution).
    """
    problems = validate_record(avro, raw_length=raw_length, max_chars=max_chars)
    if not isinstance(avro, dict):
        return problems
    if dataset_type:
        problems += check_dataset(avro, dataset_type, domain, skip_fields=skip_fields)
    problems += check_flags(avro, dataset_type, domain)
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for problem in problems:
        key = (problem.rule, problem.pointer, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique


def validate_record(
    avro: Any, *, raw_length: int | None = None, max_chars: int | None = None
) -> list[SchemaProblem]:
    """PL503: the record shape (JSON Schema), field types, names and length."""
    if not isinstance(avro, dict):
        return [SchemaProblem("PL503", "", f"a Personalize schema is an Avro record object, "
                                           f"not {_json_type(avro)}")]
    problems = list(_json_schema_problems(avro))
    reported = {p.pointer for p in problems}
    # JSON Schema accepts any list of primitives; a union means one type plus null.
    for index, field in fields_of(avro):
        kind = field_type(field.get("type"))
        pointer = f"/fields/{index}/type"
        if kind.problem and pointer not in reported:
            problems.append(SchemaProblem("PL503", pointer,
                                          f"field {field['name']!r}: {kind.problem}"))
    problems += _name_clashes(avro)
    limit = max_chars if max_chars is not None else max_schema_chars()
    length = raw_length if raw_length is not None else len(
        json.dumps(avro, separators=(",", ":"), ensure_ascii=False))
    if length > limit:
        how = "" if raw_length is not None else " even without whitespace"
        problems.append(SchemaProblem(
            "PL503", "", f"the schema is {length:,} characters long{how}; CreateSchema "
                         f"accepts at most {limit:,}"))
    return problems


@functools.cache
def _validator() -> Any:
    # jsonschema is imported only when a schema is actually checked.
    from jsonschema import Draft202012Validator

    schema = schema_rules()["record_json_schema"]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@functools.cache
def _quick_verdict() -> Verdict:
    return compile_verdict(schema_rules()["record_json_schema"])


def _json_schema_problems(avro: dict[str, Any]) -> Iterator[SchemaProblem]:
    # Most schemas are valid: a quick exact check spares jsonschema's full pass over them.
    if _quick_verdict()(avro) is True:
        return
    seen: set[str] = set()
    errors = sorted(_validator().iter_errors(avro), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        path = list(error.absolute_path)
        pointer = "".join(f"/{escape_pointer_token(p)}" for p in path)
        if pointer in seen:
            continue
        seen.add(pointer)
        yield SchemaProblem("PL503", pointer, _describe_error(avro, path, error))


def _describe_error(avro: dict[str, Any], path: list[Any], error: Any) -> str:
    value = error.instance
    if len(path) == 3 and path[0] == "fields" and path[2] == "type":
        field = avro["fields"][path[1]]
        problem = field_type(value).problem or "not a Personalize type"
        return f"field {field.get('name')!r}: {problem}"
    if len(path) == 3 and path[0] == "fields" and path[2] == "name":
        return (f"field name {value!r} is not a valid Avro name "
                "(letters, digits and _, not starting with a digit)")
    if len(path) == 3 and path[0] == "fields" and path[2] in ("categorical", "textual"):
        return f"\"{path[2]}\" must be true or false, not {json.dumps(value)}"
    if path == ["type"]:
        return f"the schema's \"type\" must be \"record\", not {json.dumps(value)}"
    if path == ["name"]:
        return f"the record name {json.dumps(value)} is not a valid Avro name"
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        where = "the record" if len(path) == 0 else f"field {path[-1]}"
        return f"{where} has no {missing!r}"
    if len(path) == 2 and path[0] == "fields":
        return f"field {path[1]} must be an object with \"name\" and \"type\""
    return error.message if isinstance(error.message, str) else str(error.message)


def _name_clashes(avro: dict[str, Any]) -> list[SchemaProblem]:
    problems = []
    first: dict[str, tuple[int, str]] = {}
    for index, field in fields_of(avro):
        name = field["name"]
        key = _squash(name)
        if key in first:
            other_index, other = first[key]
            why = ("is a duplicate of" if name == other else
                   "clashes with" if name.upper() != other.upper() else "differs only in case from")
            problems.append(SchemaProblem(
                "PL503", f"/fields/{index}/name",
                f"field {name!r} {why} {other!r} (field {other_index}): field names must be "
                "unique once non-alphanumeric characters are removed"))
        else:
            first[key] = (index, name)
    return problems


def _metadata_fields(
    avro: dict[str, Any], spec: DatasetSpec
) -> list[tuple[int, dict[str, Any]]]:
    return [(i, f) for i, f in fields_of(avro) if spec.spec_for(f["name"]) is None]


def check_dataset(
    avro: dict[str, Any],
    dataset_type: str,
    domain: str | None = None,
    *,
    skip_fields: frozenset[str] = frozenset(),
) -> list[SchemaProblem]:
    """PL502: required fields, reserved field types, metadata minimum; PL503: maximum."""
    spec = dataset_spec(dataset_type, domain)
    if spec is None:
        return []
    label = f"{spec.domain} {spec.dataset_type}" if spec.domain else spec.dataset_type
    problems: list[SchemaProblem] = []
    for required in spec.required.values():
        if required.name in skip_fields:
            continue
        found = find_field(avro, required.name)
        if found is None:
            problems.append(SchemaProblem(
                "PL502", "/fields" if isinstance(avro.get("fields"), list) else "",
                f"the {label} schema has no {required.name} field ({required.describe()}, "
                "required)"))
            continue
        problems += _type_problems(found, required, "required")
    for reserved in spec.reserved.values():
        if reserved.name in skip_fields:
            continue
        found = find_field(avro, reserved.name)
        if found is not None:
            problems += _type_problems(found, reserved, "reserved")
    metadata = _metadata_fields(avro, spec)
    if spec.min_metadata:
        usable = [f for _, f in metadata if _usable_metadata(f)]
        if len(usable) < spec.min_metadata:
            problems.append(SchemaProblem(
                "PL502", "/fields" if isinstance(avro.get("fields"), list) else "",
                f"the {label} schema needs at least {spec.min_metadata} metadata field "
                "(a categorical string or a number) besides its required fields"))
    if spec.max_metadata is not None and len(metadata) > spec.max_metadata:
        index = metadata[spec.max_metadata][0]
        problems.append(SchemaProblem(
            "PL503", f"/fields/{index}",
            f"the {label} schema has {len(metadata)} metadata fields (not counting required "
            f"and reserved ones); the maximum is {spec.max_metadata}"))
    return problems


def _usable_metadata(field: dict[str, Any]) -> bool:
    kind = field_type(field.get("type"))
    if kind.problem:
        return False
    if kind.numeric:
        return True
    return kind.base == "string" and (field.get("categorical") is True
                                      or field.get("textual") is True)


def _type_problems(
    found: tuple[int, dict[str, Any]], spec: FieldSpec, role: str
) -> list[SchemaProblem]:
    index, field = found
    kind = field_type(field.get("type"))
    if kind.problem:
        return []  # PL503 reports it
    pointer = f"/fields/{index}/type"
    name = field["name"]
    if kind.base not in spec.types:
        given = kind.base or "null"
        return [SchemaProblem("PL502", pointer,
                              f"{role} field {name} must be {spec.describe()}, not {given}")]
    if kind.nullable and not spec.nullable:
        return [SchemaProblem("PL502", pointer,
                              f"{role} field {name} must be {spec.describe()} without null")]
    return []


def check_flags(
    avro: dict[str, Any], dataset_type: str | None, domain: str | None = None
) -> list[SchemaProblem]:
    """PL504: categorical/textual flags and field types Personalize ignores in training."""
    spec = dataset_spec(dataset_type, domain) if dataset_type else None
    known = _all_known_names()
    problems: list[SchemaProblem] = []
    for index, field in fields_of(avro):
        kind = field_type(field.get("type"))
        if kind.problem:
            continue
        name = field["name"]
        base = f"/fields/{index}"
        categorical = field.get("categorical") is True
        textual = field.get("textual") is True
        field_spec = spec.spec_for(name) if spec else None
        if kind.base == "boolean":
            problems.append(SchemaProblem(
                "PL504", f"{base}/type",
                f"field {name} is boolean: Personalize does not use boolean fields in training "
                "or filters; use a string with \"True\"/\"False\" or an int 0/1"))
        if categorical and kind.base != "string":
            problems.append(SchemaProblem(
                "PL504", f"{base}/categorical",
                f"field {name} is {kind.base or 'null'}: \"categorical\" applies only to string "
                "fields"))
        elif field_spec is not None and kind.base == "string":
            if field_spec.categorical is True and not categorical:
                problems.append(SchemaProblem(
                    "PL504", base, f"{name} is a reserved categorical field: set "
                                   "\"categorical\": true"))
            if field_spec.categorical is False and categorical:
                problems.append(SchemaProblem(
                    "PL504", f"{base}/categorical",
                    f"{name} is a reserved string field and can't be categorical: remove "
                    "\"categorical\": true"))
            if field_spec.textual and not textual:
                problems.append(SchemaProblem(
                    "PL504", base, f"{name} is a reserved textual field: set \"textual\": true"))
        if textual:
            if kind.base != "string":
                problems.append(SchemaProblem(
                    "PL504", f"{base}/textual",
                    f"field {name} is {kind.base or 'null'}: \"textual\" applies only to string "
                    "fields"))
            elif spec is not None and not spec.textual_allowed:
                problems.append(SchemaProblem(
                    "PL504", f"{base}/textual",
                    f"field {name} is textual, but only Items schemas support textual fields"))
        custom = field_spec is None and (spec is not None or name.upper() not in known)
        if custom and kind.base == "string" and not categorical and not textual:
            problems.append(SchemaProblem(
                "PL504", base,
                f"custom string field {name} is neither categorical nor textual: Personalize "
                "won't use it in training (it can still be used in filters)"))
    return problems


# --- helpers --------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__
