"""PL7xx: PutEvents payloads.

Inputs: ``put-events --cli-input-json`` requests and JSON Lines of events (see
``personalize_lint.personalize.events``). PL701 (and PL002 for the request shape) apply to
every payload; PL702 compares the events of all payloads of a set-up, and of all standalone
payloads of a run (grouped by trackingId: one tracker, one dataset group).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory, Setup, Source
from personalize_lint.location import Location
from personalize_lint.personalize.constraints import ConstraintsUnavailable
from personalize_lint.personalize.events import (
    EventRef,
    check_payload,
    event_fingerprint,
    event_id,
    iter_events,
    label,
    looks_like_metric_list,
)
from personalize_lint.rule import RuleContext, rule

GUIDE = "https://docs.aws.amazon.com/personalize/latest/dg"
API_PUT_EVENTS = f"{GUIDE}/API_UBS_PutEvents.html"
REQUIREMENTS = f"{GUIDE}/metric-attribution-requirements.html"


@dataclass
class Payload:
    data: object
    source: Source
    setup: Setup | None = None

    def locate(self, pointer: str, *, key: bool = False) -> Location:
        if self.source.document is not None:
            return self.source.document.location(self.source.pointer + pointer, key=key)
        return self.source.location or Location()


def _source_key(source: Source) -> tuple[int, str]:
    return (id(source.document), source.pointer) if source.document else (id(source), "")


def _is_payload_document(doc: Document) -> bool:
    # A --metrics list looks like a list of events; the attribution rules take those.
    return doc.kind == "putevents" and not looks_like_metric_list(doc.data)


def setup_payloads(setup: Setup) -> list[Payload]:
    return [Payload(p.data, p.source, setup) for p in setup.events]


def standalone_payloads(inventory: Inventory) -> list[Payload]:
    return [Payload(d.data, Source(d)) for d in inventory.standalone if _is_payload_document(d)]


def all_payloads(inventory: Inventory) -> list[Payload]:
    """Every payload of the run once (a file shared by set-ups is checked once)."""
    found: list[Payload] = []
    seen: set[tuple[int, str]] = set()
    for setup in inventory.setups:
        for payload in setup_payloads(setup):
            if _source_key(payload.source) not in seen:
                seen.add(_source_key(payload.source))
                found.append(payload)
    return found + standalone_payloads(inventory)


@rule(
    id="PL701",
    level="error",
    title="PutEvents request breaks the API",
    why="""
PutEvents takes 1 to 10 events per call, each at most 10 KB, with a sentAt Unix time; a
recommendationId of at most 40 characters; an impression list of 1 to 25 item IDs; and
properties as a JSON *string* (at most 1,024 characters) holding a flat object whose keys
are not the reserved userId, sessionId, eventType, timestamp, recommendationId or
impression. Limits come from botocore's personalize-events model. A rejected call loses the
events, and with them the attribution. Shape problems (missing or unknown members, wrong
types) are reported as PL002 by this check.
""",
    fix="Split long event lists, send properties as json.dumps({...}), trim recommendation IDs "
        "and impressions, give every event sentAt in seconds.",
    example="""
{"trackingId": "...", "sessionId": "s-1", "userId": "u-1",
 "eventList": [{"eventType": "click", "sentAt": 1700000000, "itemId": "i-1",
                "properties": "{\\"numberOfRatings\\": \\"12\\"}",
                "metricAttribution": {"eventAttributionSource": "homepage-carousel"}}]}
""",
    source=API_PUT_EVENTS,
    tags=("events", "api"),
)
def pl701_put_events_api(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    payloads = all_payloads(inventory)
    for payload in payloads:
        try:
            problems = check_payload(payload.data)
        except ConstraintsUnavailable as exc:
            yield Finding("PL003", f"PL701 not evaluated: the API constraints could not be read "
                                   f"({exc})", payload.locate(""))
            return
        for problem in problems:
            yield Finding(problem.rule, problem.message,
                          payload.locate(problem.pointer, key=problem.key),
                          setup=payload.setup.name if payload.setup else None)


@rule(
    id="PL702",
    level="warning",
    title="Duplicate events across PutEvents payloads",
    why="""
Importing duplicate events (identical in every attribute) can lead to inaccurate metrics,
and Personalize uses only the first event with a given eventId: later ones are dropped from
training. Duplicates usually come from retries that resend a whole batch.
""",
    fix="Give every event a unique eventId and make retries idempotent (resend only the "
        "events that failed).",
    example="""
{"eventId": "e-1001", "eventType": "click", "sentAt": 1700000000, "itemId": "i-1"}
{"eventId": "e-1002", "eventType": "click", "sentAt": 1700000005, "itemId": "i-2"}
""",
    source=REQUIREMENTS,
    tags=("events", "data"),
)
def pl702_duplicate_events(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for setup in inventory.setups:
        yield from _duplicates(setup_payloads(setup), by_tracker=False)
    yield from _duplicates(standalone_payloads(inventory), by_tracker=True)


def _duplicates(payloads: list[Payload], *, by_tracker: bool) -> Iterator[Finding]:
    first_id: dict[tuple[str, str], tuple[Payload, EventRef]] = {}
    first_same: dict[tuple[str, str], tuple[Payload, EventRef]] = {}
    for payload in payloads:
        for ref in iter_events(payload.data):
            tracker = str(ref.context.get("trackingId", "")) if by_tracker else ""
            identifier = event_id(ref)
            fingerprint = (tracker, event_fingerprint(ref))
            earlier = None
            if identifier is not None:
                earlier = first_id.get((tracker, identifier))
                first_id.setdefault((tracker, identifier), (payload, ref))
            same = first_same.get(fingerprint)
            first_same.setdefault(fingerprint, (payload, ref))
            setup = payload.setup.name if payload.setup else None
            if earlier is not None:
                other_payload, other = earlier
                where = other_payload.locate(other.pointer)
                how = "is identical to" if same is not None else "has the same eventId as"
                yield Finding(
                    "PL702", f"{label(ref.pointer)} {how} the event at {where.describe()} "
                             f"(eventId {identifier!r}): Personalize keeps only the first event "
                             "with an ID", payload.locate(ref.pointer), related=(where,),
                    setup=setup)
            elif same is not None:
                other_payload, other = same
                where = other_payload.locate(other.pointer)
                yield Finding(
                    "PL702", f"{label(ref.pointer)} is identical in every attribute to the event "
                             f"at {where.describe()}: duplicate events skew the metrics",
                    payload.locate(ref.pointer), related=(where,), setup=setup)
