"""Personalize API constraints, read from botocore's service models at run time.

The lengths, patterns and list sizes that the Personalize APIs enforce live in the
service models that botocore ships (``botocore/data/personalize*/<version>/service-2.json``).
Reading them at run time keeps the linter in step with the installed SDK instead of a
copy of numbers that drifts. botocore is found without importing it (``find_spec`` plus
the data folder); only if that layout is not there do we fall back to
``botocore.loaders.Loader``. Nothing here runs at import time, so policy-only runs never
pay for it; the models are parsed once per process.

Patterns in the models are unanchored Java regexes (``^[a-zA-Z0-9][a-zA-Z0-9\\-_]*`` would
accept ``"ok!!"`` with ``re.match``), so every check uses ``re.fullmatch``.

botocore is an optional dependency (``personalize-lint[aws]``). Without it
:class:`ConstraintsUnavailable` is raised and the rules report PL003 (not evaluated)
rather than passing silently.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import util as importlib_util
from pathlib import Path
from typing import Any

from ..location import join_pointer, pointer_tokens, unescape_pointer_token

PERSONALIZE = "personalize"
PERSONALIZE_EVENTS = "personalize-events"

INSTALL_HINT = "install botocore (pip install 'personalize-lint[aws]')"


class ConstraintsUnavailable(RuntimeError):
    """botocore (or the service model) is not available: API constraints cannot be read."""


# --- loading the service models ------------------------------------------------------


@functools.cache
def service_model(service: str) -> dict[str, Any]:
    """The parsed ``service-2`` model of ``service`` (newest API version installed)."""
    model = _read_from_data_folder(service)
    if model is None:
        model = _read_with_loader(service)
    if not isinstance(model.get("shapes"), dict):
        raise ConstraintsUnavailable(f"botocore's {service} model has no shapes")
    return model


def _read_from_data_folder(service: str) -> dict[str, Any] | None:
    spec = importlib_util.find_spec("botocore")
    if spec is None:
        raise ConstraintsUnavailable(f"botocore is not installed; {INSTALL_HINT}")
    for root in spec.submodule_search_locations or ():
        folder = Path(root) / "data" / service
        if not folder.is_dir():
            continue
        # API versions are ISO dates, so the lexically greatest folder is the newest.
        for version in sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True):
            plain = version / "service-2.json"
            packed = version / "service-2.json.gz"
            try:
                if plain.is_file():
                    return dict(json.loads(plain.read_text(encoding="utf-8")))
                if packed.is_file():
                    with gzip.open(packed, "rt", encoding="utf-8") as stream:
                        return dict(json.load(stream))
            except (OSError, ValueError):
                continue
    return None


def _read_with_loader(service: str) -> dict[str, Any]:
    try:
        from botocore.loaders import Loader
    except ImportError as exc:  # pragma: no cover - find_spec already said it exists
        raise ConstraintsUnavailable(f"botocore is not installed; {INSTALL_HINT}") from exc
    try:
        return dict(Loader().load_service_model(service, "service-2"))
    except Exception as exc:  # botocore raises DataNotFoundError and friends
        raise ConstraintsUnavailable(f"botocore has no {service} service model: {exc}") from exc


def shapes(service: str) -> dict[str, Any]:
    return dict(service_model(service)["shapes"])


def input_shape_name(service: str, operation: str) -> str:
    """The name of ``operation``'s input structure, e.g. ``CreateMetricAttributionRequest``."""
    try:
        return str(service_model(service)["operations"][operation]["input"]["shape"])
    except KeyError as exc:
        raise ConstraintsUnavailable(f"botocore's {service} model has no {operation}") from exc


def shape_at(service: str, shape_name: str, *path: str) -> str:
    """Follow structure members (and ``"member"`` for list elements) to a shape name."""
    table = shapes(service)
    name = shape_name
    for step in path:
        shape = table.get(name, {})
        if step == "member" and shape.get("type") == "list":
            name = shape["member"]["shape"]
            continue
        members = shape.get("members", {})
        if step not in members:
            raise ConstraintsUnavailable(f"{service} shape {name} has no member {step!r}")
        name = members[step]["shape"]
    if name not in table:
        raise ConstraintsUnavailable(f"{service} model has no shape {name}")
    return name


# --- constraints on one shape ---------------------------------------------------------


@dataclass(frozen=True)
class Constraint:
    """What the model says about one string or list shape."""

    service: str
    shape: str
    type: str
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] = ()

    def matches(self, value: str) -> bool:
        return self.pattern is None or _compiled(self.pattern).fullmatch(value) is not None

    def problems(self, value: Any) -> list[str]:
        """Why ``value`` breaks this constraint (empty when it does not).

        Values of the wrong type are not judged here: that is a shape problem.
        """
        if self.type == "list":
            if not isinstance(value, list):
                return []
            size = len(value)
            if self.min is not None and size < self.min:
                return [f"has {size} item{'s' if size != 1 else ''}; the API needs at least "
                        f"{self.min}"]
            if self.max is not None and size > self.max:
                return [f"has {size} items; the API allows at most {self.max}"]
            return []
        if not isinstance(value, str):
            return []
        found: list[str] = []
        if self.min is not None and len(value) < self.min:
            found.append("is empty" if not value else
                         f"is {len(value)} characters long; the API needs at least {self.min}")
        if self.max is not None and len(value) > self.max:
            found.append(f"is {len(value):,} characters long; the API allows at most "
                         f"{self.max:,}")
        if value and not self.matches(value):
            found.append(f"does not match the API pattern {self.pattern}")
        if self.enum and value not in self.enum:
            found.append(f"is not one of {', '.join(self.enum)}")
        return found


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def constraint(service: str, shape_name: str, *path: str) -> Constraint:
    name = shape_at(service, shape_name, *path)
    shape = shapes(service)[name]
    return Constraint(
        service=service,
        shape=name,
        type=str(shape.get("type", "")),
        min=_int_or_none(shape.get("min")),
        max=_int_or_none(shape.get("max")),
        pattern=shape.get("pattern"),
        enum=tuple(shape.get("enum", ())),
    )


def operation_constraint(service: str, operation: str, *path: str) -> Constraint:
    """The constraint on a request member, e.g. ("CreateMetricAttribution", "name")."""
    return constraint(service, input_shape_name(service, operation), *path)


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# --- the constraints the rules use ----------------------------------------------------


@dataclass(frozen=True)
class MetricAttributionConstraints:
    name: Constraint
    dataset_group_arn: Constraint
    metric_attribution_arn: Constraint
    role_arn: Constraint
    s3_path: Constraint
    kms_key_arn: Constraint
    metrics: Constraint  # the MetricAttributes list: max metrics per attribution
    remove_metrics: Constraint
    event_type: Constraint
    metric_name: Constraint
    expression: Constraint


@functools.cache
def metric_attribution_constraints() -> MetricAttributionConstraints:
    create = "CreateMetricAttribution"
    output = ("metricsOutputConfig",)
    return MetricAttributionConstraints(
        name=operation_constraint(PERSONALIZE, create, "name"),
        dataset_group_arn=operation_constraint(PERSONALIZE, create, "datasetGroupArn"),
        metric_attribution_arn=operation_constraint(
            PERSONALIZE, "UpdateMetricAttribution", "metricAttributionArn"),
        role_arn=operation_constraint(PERSONALIZE, create, *output, "roleArn"),
        s3_path=operation_constraint(PERSONALIZE, create, *output, "s3DataDestination", "path"),
        kms_key_arn=operation_constraint(
            PERSONALIZE, create, *output, "s3DataDestination", "kmsKeyArn"),
        metrics=operation_constraint(PERSONALIZE, create, "metrics"),
        remove_metrics=operation_constraint(PERSONALIZE, "UpdateMetricAttribution",
                                            "removeMetrics"),
        event_type=operation_constraint(PERSONALIZE, create, "metrics", "member", "eventType"),
        metric_name=operation_constraint(PERSONALIZE, create, "metrics", "member", "metricName"),
        expression=operation_constraint(PERSONALIZE, create, "metrics", "member", "expression"),
    )


@dataclass(frozen=True)
class PutEventsConstraints:
    tracking_id: Constraint
    user_id: Constraint
    session_id: Constraint
    event_list: Constraint
    event_id: Constraint
    event_type: Constraint
    item_id: Constraint
    properties: Constraint
    recommendation_id: Constraint
    impression: Constraint
    impression_item: Constraint
    attribution_source: Constraint
    event_shape: str  # the Event structure's name, for shape checks of bare events


@functools.cache
def put_events_constraints() -> PutEventsConstraints:
    op = "PutEvents"
    event = ("eventList", "member")
    return PutEventsConstraints(
        tracking_id=operation_constraint(PERSONALIZE_EVENTS, op, "trackingId"),
        user_id=operation_constraint(PERSONALIZE_EVENTS, op, "userId"),
        session_id=operation_constraint(PERSONALIZE_EVENTS, op, "sessionId"),
        event_list=operation_constraint(PERSONALIZE_EVENTS, op, "eventList"),
        event_id=operation_constraint(PERSONALIZE_EVENTS, op, *event, "eventId"),
        event_type=operation_constraint(PERSONALIZE_EVENTS, op, *event, "eventType"),
        item_id=operation_constraint(PERSONALIZE_EVENTS, op, *event, "itemId"),
        properties=operation_constraint(PERSONALIZE_EVENTS, op, *event, "properties"),
        recommendation_id=operation_constraint(PERSONALIZE_EVENTS, op, *event,
                                               "recommendationId"),
        impression=operation_constraint(PERSONALIZE_EVENTS, op, *event, "impression"),
        impression_item=operation_constraint(PERSONALIZE_EVENTS, op, *event, "impression",
                                             "member"),
        attribution_source=operation_constraint(PERSONALIZE_EVENTS, op, *event,
                                                "metricAttribution", "eventAttributionSource"),
        event_shape=shape_at(PERSONALIZE_EVENTS, input_shape_name(PERSONALIZE_EVENTS, op),
                             *event),
    )


@dataclass(frozen=True)
class CreateSchemaConstraints:
    name: Constraint
    schema: Constraint  # the Avro JSON string: its max length
    domain: Constraint


@functools.cache
def create_schema_constraints() -> CreateSchemaConstraints:
    op = "CreateSchema"
    return CreateSchemaConstraints(
        name=operation_constraint(PERSONALIZE, op, "name"),
        schema=operation_constraint(PERSONALIZE, op, "schema"),
        domain=operation_constraint(PERSONALIZE, op, "domain"),
    )


# --- structural validation against a shape --------------------------------------------


@dataclass(frozen=True)
class ShapeProblem:
    """A structural problem (PL002): a missing or unknown member, or a value of wrong type.

    ``pointer`` is relative to the validated value; for "missing" it is the object that
    lacks the member, for "unknown" the unknown member itself (point at its key).
    """

    pointer: str
    kind: str  # missing | unknown | type
    member: str
    message: str


_TYPE_NAMES = {
    "structure": "an object",
    "list": "a list",
    "map": "an object",
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "boolean": "true or false",
    "timestamp": "a timestamp (Unix seconds or ISO 8601)",
    "blob": "a string",
}


def structural_problems(
    service: str,
    shape_name: str,
    value: Any,
    *,
    base: str = "",
    extra_members: frozenset[str] = frozenset(),
) -> list[ShapeProblem]:
    """Missing required members, unknown members and wrong types, by JSON pointer.

    Lengths, patterns and list sizes are *not* reported here: the specific rules (PL401,
    PL407, PL701, ...) report those with better messages. ``base`` is the pointer of
    ``value`` in its document (pointers and messages include it); ``extra_members`` are
    tolerated at the top level (e.g. ``userId`` on a JSON Lines event).
    """
    return list(_walk(shapes(service), shape_name, value, base, extra_members))


def _walk(
    table: dict[str, Any], name: str, value: Any, pointer: str, extra: frozenset[str]
) -> Iterator[ShapeProblem]:
    shape = table.get(name, {})
    kind = shape.get("type")
    if not _type_ok(kind, value):
        yield ShapeProblem(pointer, "type", _last(pointer),
                           f"{_where(pointer)} must be {_TYPE_NAMES.get(str(kind), kind)}, "
                           f"not {_json_type(value)}")
        return
    if kind == "structure":
        members: dict[str, Any] = shape.get("members", {})
        for required in shape.get("required", ()):
            if required not in value:
                yield ShapeProblem(pointer, "missing", required,
                                   f"{_where(pointer)} is missing the required member "
                                   f"{required!r}")
        for key, item in value.items():
            child = join_pointer(pointer, key)
            if key in members:
                yield from _walk(table, members[key]["shape"], item, child, frozenset())
            elif key not in extra:
                yield ShapeProblem(child, "unknown", key,
                                   f"unknown member {key!r} in {_where(pointer)}"
                                   f"{_suggest(key, members)}")
    elif kind == "list":
        member = shape["member"]["shape"]
        for index, item in enumerate(value):
            yield from _walk(table, member, item, f"{pointer}/{index}", frozenset())
    elif kind == "map":
        target = shape["value"]["shape"]
        for key, item in value.items():
            yield from _walk(table, target, item, join_pointer(pointer, key), frozenset())


def _type_ok(kind: Any, value: Any) -> bool:
    if kind in ("structure", "map"):
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind in ("string", "blob"):
        return isinstance(value, str)
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "timestamp":
        return is_timestamp(value)
    return True


def is_timestamp(value: Any) -> bool:
    """What botocore accepts for a timestamp from JSON: epoch seconds or ISO 8601 text."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        float(value)
        return True
    except ValueError:
        pass
    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def _suggest(key: str, members: dict[str, Any]) -> str:
    # The console and CloudFormation spell members in PascalCase; say which one was meant.
    for member in members:
        if member.lower() == key.lower():
            return f" (the API spells it {member!r})"
    return ""


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
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _last(pointer: str) -> str:
    return unescape_pointer_token(pointer.rsplit("/", 1)[-1]) if pointer else ""


def _where(pointer: str) -> str:
    return dotted(pointer) or "the request"


def dotted(pointer: str) -> str:
    """A JSON pointer as people write paths: ``/eventList/0/sentAt`` -> ``eventList[0].sentAt``."""
    out = ""
    for token in pointer_tokens(pointer):
        out += f"[{token}]" if token.isdigit() else (f".{token}" if out else token)
    return out
