"""PutEvents payloads: walking requests and JSON Lines of events, and checking them.

Two input forms are understood:

* a PutEvents request (``put-events --cli-input-json``): ``{"trackingId", "sessionId",
  "userId", "eventList": [...]}``;
* JSON Lines: one JSON value per line, each either a whole request or a single event (a
  line may carry ``trackingId``/``userId``/``sessionId`` beside the event's members).

API constraints come from botocore's ``personalize-events`` model (see ``constraints``);
the facts the model does not carry are below with their sources. ``check_payload`` turns
a payload into :class:`EventProblem` items: PL701 (the API's limits) or PL002 (missing or
unknown members, wrong types).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .constraints import (
    PERSONALIZE_EVENTS,
    Constraint,
    PutEventsConstraints,
    dotted,
    input_shape_name,
    is_timestamp,
    put_events_constraints,
    structural_problems,
)

# "Maximum size of an event: 10 KB" (service quotas); not part of the API model.
EVENT_MAX_BYTES = 10 * 1024
EVENT_SIZE_SOURCE = "https://docs.aws.amazon.com/personalize/latest/dg/limits.html"

# Keys Event.properties may not use, compared case-insensitively (API reference, Event).
RESERVED_PROPERTY_KEYS = ("userId", "sessionId", "eventType", "timestamp", "recommendationId",
                          "impression")
RESERVED_PROPERTY_SOURCE = "https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_Event.html"

# Request members a JSON Lines event line may carry beside the event itself.
LINE_CONTEXT_KEYS = frozenset({"trackingId", "userId", "sessionId"})

# A datetime cannot hold years past 9999: epoch seconds beyond this are milliseconds or
# microseconds, which botocore cannot turn into a timestamp.
MAX_EPOCH_SECONDS = 253402300799


@dataclass(frozen=True)
class RequestRef:
    pointer: str  # "" for a request document, "/3" for line 4 of JSON Lines
    request: dict[str, Any]


@dataclass(frozen=True)
class EventRef:
    """One event, with the request context it is sent in."""

    pointer: str
    event: dict[str, Any]
    context: dict[str, Any] = field(default_factory=dict)  # trackingId / userId / sessionId
    bare: bool = False  # a JSON Lines event rather than an eventList member


@dataclass(frozen=True)
class EventProblem:
    rule: str  # PL701 | PL002
    pointer: str
    message: str
    key: bool = False  # point at the member's key (unknown members)


@dataclass(frozen=True)
class LineError:
    line: int
    column: int
    message: str


def is_request(value: Any) -> bool:
    return isinstance(value, dict) and "eventList" in value


def looks_like_metric_list(data: Any) -> bool:
    """A ``--metrics``/``--add-metrics`` value (eventType + expression + metricName objects)
    is sometimes taken for a list of events; the attribution rules check those."""
    items = data if isinstance(data, list) else [data]
    return bool(items) and all(
        isinstance(i, dict) and {k.lower() for k in i} & {"expression", "metricmathexpression"}
        and {k.lower() for k in i} & {"metricname"}
        for i in items
    )


def iter_requests(data: Any) -> Iterator[RequestRef]:
    if is_request(data):
        yield RequestRef("", data)
    elif isinstance(data, list):
        for index, line in enumerate(data):
            if is_request(line):
                yield RequestRef(f"/{index}", line)


def _context(container: dict[str, Any]) -> dict[str, Any]:
    return {k: container[k] for k in LINE_CONTEXT_KEYS if k in container}


def iter_events(data: Any) -> Iterator[EventRef]:
    """Every event of a payload, in order."""
    if is_request(data):
        yield from _request_events("", data)
    elif isinstance(data, list):
        for index, line in enumerate(data):
            if is_request(line):
                yield from _request_events(f"/{index}", line)
            elif isinstance(line, dict):
                yield EventRef(f"/{index}", line, _context(line), bare=True)
    elif isinstance(data, dict) and "eventType" in data:
        yield EventRef("", data, _context(data), bare=True)


def _request_events(pointer: str, request: dict[str, Any]) -> Iterator[EventRef]:
    events = request.get("eventList")
    if not isinstance(events, list):
        return
    context = _context(request)
    for index, event in enumerate(events):
        if isinstance(event, dict):
            yield EventRef(f"{pointer}/eventList/{index}", event, context)


def read_json_lines(text: str) -> tuple[list[Any], list[LineError]]:
    """Parse JSON Lines (blank lines skipped); errors carry 1-based line and column."""
    records: list[Any] = []
    errors: list[LineError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            errors.append(LineError(number, exc.colno, exc.msg))
    return records, errors


def event_size(event: dict[str, Any]) -> int:
    """The event's size as sent: compact JSON, UTF-8 bytes."""
    return len(json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def check_payload(data: Any) -> list[EventProblem]:
    """PL701 and PL002 problems of a PutEvents payload (request or JSON Lines).

    Raises ``ConstraintsUnavailable`` when botocore's model cannot be read.
    """
    limits = put_events_constraints()
    problems: list[EventProblem] = []
    for ref in iter_requests(data):
        problems += _request_problems(ref, limits)
    for event in iter_events(data):
        problems += _event_problems(event, limits)
    if isinstance(data, list):
        for index, line in enumerate(data):
            if not isinstance(line, dict):
                problems.append(EventProblem("PL002", f"/{index}",
                                             f"record {index + 1} is not a JSON object"))
    elif not isinstance(data, dict):
        problems.append(EventProblem("PL002", "", "a PutEvents payload is a JSON object"))
    elif not is_request(data) and "eventType" not in data:
        # Neither a request nor an event (e.g. a Kinesis record wrapping one): say how it
        # differs from a PutEvents request.
        problems += _request_problems(RequestRef("", data), limits)
    return problems


def label(pointer: str) -> str:
    """How a message names the value at ``pointer``: ``eventList[0]``, ``record 3``..."""
    match = re.fullmatch(r"/(\d+)(/.*)?", pointer)
    if match is None:
        return dotted(pointer) or "the event"
    rest = dotted(match.group(2) or "")
    return f"record {int(match.group(1)) + 1}" + (f" {rest}" if rest else "")


def _request_problems(ref: RequestRef, limits: PutEventsConstraints) -> list[EventProblem]:
    base = ref.pointer
    problems: list[EventProblem] = []
    for shape_problem in structural_problems(
        PERSONALIZE_EVENTS, input_shape_name(PERSONALIZE_EVENTS, "PutEvents"), ref.request,
        base=base,
    ):
        # Problems inside eventList members are the event checks' (below).
        if shape_problem.pointer.startswith(f"{base}/eventList/"):
            continue
        problems.append(EventProblem("PL002", shape_problem.pointer, shape_problem.message,
                                     key=shape_problem.kind == "unknown"))
    request = ref.request
    events = request.get("eventList")
    for message in limits.event_list.problems(events):
        problems.append(EventProblem("PL701", f"{base}/eventList", f"eventList {message}"))
    for key, limit in (("trackingId", limits.tracking_id), ("sessionId", limits.session_id),
                       ("userId", limits.user_id)):
        problems += _string_limit(request, key, limit, base, key)
    return problems


def _event_problems(ref: EventRef, limits: PutEventsConstraints) -> list[EventProblem]:
    event, base = ref.event, ref.pointer
    name = label(base)
    problems: list[EventProblem] = []
    extra = LINE_CONTEXT_KEYS if ref.bare else frozenset()
    for shape_problem in structural_problems(PERSONALIZE_EVENTS, limits.event_shape, event,
                                             base=base, extra_members=extra):
        # PL701 names these two itself (RULES: properties not a JSON string, sentAt missing).
        if shape_problem.pointer == f"{base}/properties" and shape_problem.kind == "type":
            continue
        if shape_problem.kind == "missing" and shape_problem.member == "sentAt":
            continue
        message = shape_problem.message.replace("the request", name)
        if dotted(base):
            message = message.replace(dotted(base), name, 1)
        problems.append(EventProblem("PL002", shape_problem.pointer, message,
                                     key=shape_problem.kind == "unknown"))
    if ref.bare:
        for key, limit in (("trackingId", limits.tracking_id), ("sessionId", limits.session_id),
                           ("userId", limits.user_id)):
            problems += _string_limit(event, key, limit, base, f"{name}.{key}")
    if "sentAt" not in event:
        problems.append(EventProblem("PL701", base, f"{name} has no sentAt: the API requires "
                                                    "the event's Unix time"))
    else:
        problems += _sent_at(event["sentAt"], f"{base}/sentAt", name)
    for key, limit in (("eventType", limits.event_type), ("eventId", limits.event_id),
                       ("itemId", limits.item_id),
                       ("recommendationId", limits.recommendation_id)):
        problems += _string_limit(event, key, limit, base, f"{name}.{key}")
    impression = event.get("impression")
    if isinstance(impression, list):
        for message in limits.impression.problems(impression):
            problems.append(EventProblem("PL701", f"{base}/impression",
                                         f"{name}.impression {message}"))
        for index, item in enumerate(impression):
            for message in limits.impression_item.problems(item):
                problems.append(EventProblem("PL701", f"{base}/impression/{index}",
                                             f"{name}.impression[{index}] {message}"))
    if "properties" in event:
        for message in properties_problems(event["properties"], limits.properties):
            problems.append(EventProblem("PL701", f"{base}/properties",
                                         f"{name}.properties {message}"))
    size = event_size(event)
    if size > EVENT_MAX_BYTES:
        problems.append(EventProblem(
            "PL701", base, f"{name} is {size:,} bytes; an event may be at most "
                           f"{EVENT_MAX_BYTES // 1024} KB"))
    return problems


def _string_limit(
    container: dict[str, Any], key: str, limit: Constraint, base: str, name: str
) -> list[EventProblem]:
    if key not in container:
        return []
    return [EventProblem("PL701", f"{base}/{key}", f"{name} {message}")
            for message in limit.problems(container[key])]


def _sent_at(value: Any, pointer: str, name: str) -> list[EventProblem]:
    if not is_timestamp(value):
        return []  # a wrong type is PL002 (reported by the shape check)
    seconds: float | None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = None  # an ISO 8601 date
    if seconds is not None and abs(seconds) > MAX_EPOCH_SECONDS:
        return [EventProblem("PL701", pointer,
                             f"{name}.sentAt {value} is not Unix time in seconds (milliseconds?)")]
    return []


def properties_problems(value: Any, limit: Constraint) -> list[str]:
    """Why an Event.properties value is not a JSON string the API accepts."""
    if isinstance(value, dict):
        return ["is an object; the API takes a JSON string: serialise it with json.dumps "
                "(an SDK sends an object as-is and the call fails)"]
    if not isinstance(value, str):
        return [f"must be a JSON string, not {_kind(value)}"]
    found = list(limit.problems(value))
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        return [*found, f"is not valid JSON: {exc.msg} at character {exc.pos + 1}"]
    if not isinstance(parsed, dict):
        return [*found, f"must hold a JSON object (a string map), not {_kind(parsed)}"]
    reserved = {k.lower(): k for k in RESERVED_PROPERTY_KEYS}
    for key in parsed:
        if isinstance(key, str) and key.lower() in reserved:
            found.append(f"uses the reserved key {key!r} ({reserved[key.lower()]} is sent as "
                         "its own member, not in properties)")
    return found


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


# --- duplicates -----------------------------------------------------------------------


def event_id(ref: EventRef) -> str | None:
    value = ref.event.get("eventId")
    return value if isinstance(value, str) and value else None


def event_fingerprint(ref: EventRef) -> str:
    """Identical in every attribute: the event with its user and session (canonical JSON).

    The tracking ID is left out: it names the dataset group, which the caller groups by.
    """
    whole = {"event": ref.event,
             "userId": ref.context.get("userId"),
             "sessionId": ref.context.get("sessionId")}
    return json.dumps(whole, sort_keys=True, separators=(",", ":"), default=str)
