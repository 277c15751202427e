"""PL701-PL702: PutEvents payloads, alone and across a set-up's payload files."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from helpers import json_document
from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import EventsPayload, Inventory, Setup, Source
from personalize_lint.location import Location
from personalize_lint.rule import Rule, RuleContext
from personalize_lint.rules import events as E

pytest.importorskip("botocore")

CTX = RuleContext(as_of=datetime(2026, 11, 30, tzinfo=timezone.utc))


def doc(data: Any, path: str = "events.json", kind: str = "putevents") -> Document:
    return json_document(data, kind, path)


def event(event_id: str | None = "e-1", **members: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"eventType": "click", "sentAt": 1700000000, "itemId": "i-1",
                            **members}
    if event_id is not None:
        data["eventId"] = event_id
    return data


def request(*events: dict[str, Any], tracking: str = "t-1", **members: Any) -> dict[str, Any]:
    return {"trackingId": tracking, "sessionId": "s-1", "userId": "u-1",
            "eventList": list(events), **members}


def standalone(*documents: Document) -> Inventory:
    return Inventory(documents=list(documents), standalone=list(documents))


def setup(*payloads: Any, name: str = "retail") -> Setup:
    s = Setup(name=name, location=Location(path="personalize-lint.toml"))
    for index, payload in enumerate(payloads):
        d = doc(payload, f"events/{index}.json")
        s.events.append(EventsPayload(data=d.data, source=Source(d)))
    return s


def run(check: Rule, inventory: Inventory) -> list[Finding]:
    assert check.check is not None
    return list(check.check(inventory, CTX))


def where(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(x.rule_id, x.location.pointer) for x in findings]


# --- PL701 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (request(event()), []),
        (request(*(event(f"e-{i}") for i in range(10))), []),
        (request(*(event(f"e-{i}") for i in range(11))), [("PL701", "/eventList")]),
        (request(event(recommendationId="r" * 41)),
         [("PL701", "/eventList/0/recommendationId")]),
        (request(event(recommendationId="r" * 40)), []),
        (request(event(impression=[f"i{i}" for i in range(26)])),
         [("PL701", "/eventList/0/impression")]),
        (request(event(properties={"numberOfRatings": "12"})),
         [("PL701", "/eventList/0/properties")]),
        (request(event(properties=json.dumps({"numberOfRatings": "12"}))), []),
        (request(event(properties=json.dumps({"eventType": "x"}))),
         [("PL701", "/eventList/0/properties")]),
        (request({"eventType": "click", "itemId": "i-1"}), [("PL701", "/eventList/0")]),
        (request(event(payload="x" * 10_300, properties="{}")),
         [("PL002", "/eventList/0/payload"), ("PL701", "/eventList/0")]),
        ({"sessionId": "s-1", "eventList": [event()]}, [("PL002", "")]),
        # JSON Lines of events
        ([event("e-1", userId="u-1"), event("e-2")], []),
        ([event("e-1"), {"eventType": "view"}], [("PL701", "/1")]),
    ],
)
def test_pl701(payload: Any, expected: list[tuple[str, str]]) -> None:
    assert where(run(E.pl701_put_events_api, standalone(doc(payload)))) == expected


def test_pl701_messages() -> None:
    payload = request(event(recommendationId="r" * 41, properties={"a": "b"}))
    messages = [x.message for x in run(E.pl701_put_events_api, standalone(doc(payload)))]
    assert "eventList[0].recommendationId is 41 characters long; the API allows at most 40" \
        in messages
    assert any("properties is an object" in m and "json.dumps" in m for m in messages)


def test_pl701_unknown_member_points_at_its_key() -> None:
    (finding,) = run(E.pl701_put_events_api, standalone(doc(request(event(colour="red")))))
    assert finding.rule_id == "PL002" and finding.location.pointer == "/eventList/0/colour"
    assert finding.location.span is None or finding.location.span.end_column > \
        finding.location.span.column


def test_pl701_on_set_up_payloads_names_the_set_up() -> None:
    findings = run(E.pl701_put_events_api,
                   Inventory(setups=[setup(request(event(sentAt=None)))]))
    assert [x.setup for x in findings] == ["retail"]


def test_pl701_metric_lists_are_left_to_the_attribution_rules() -> None:
    metrics = [{"eventType": "click", "metricName": "M", "expression": "SAMPLECOUNT()"}]
    assert run(E.pl701_put_events_api, standalone(doc(metrics))) == []


def test_pl701_constraints_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(data: Any) -> list[Any]:
        raise E.ConstraintsUnavailable("botocore is not installed")

    monkeypatch.setattr(E, "check_payload", unavailable)
    findings = run(E.pl701_put_events_api, standalone(doc(request(event()))))
    assert [x.rule_id for x in findings] == ["PL003"]


# --- PL702 --------------------------------------------------------------------------


def test_pl702_same_event_id_across_payload_files_of_a_set_up() -> None:
    s = setup(request(event("e-1")), request(event("e-2"), event("e-1", itemId="i-9")))
    (finding,) = run(E.pl702_duplicate_events, Inventory(setups=[s]))
    assert finding.location.path == "events/1.json"
    assert finding.location.pointer == "/eventList/1"
    assert finding.related[0].path == "events/0.json"
    assert "same eventId" in finding.message and finding.setup == "retail"


def test_pl702_identical_events_without_ids() -> None:
    s = setup(request(event(None)), request(event(None)))
    (finding,) = run(E.pl702_duplicate_events, Inventory(setups=[s]))
    assert "identical in every attribute" in finding.message


@pytest.mark.parametrize(
    ("payloads", "expected"),
    [
        ([request(event("e-1"), event("e-2"))], 0),
        ([request(event("e-1"), event("e-1"))], 1),  # within one payload too
        ([request(event(None)), request(event(None), userId="u-2")], 0),  # another user
        ([request(event(None, sentAt=1)), request(event(None, sentAt=2))], 0),
        ([[event("e-1"), event("e-1")]], 1),  # JSON Lines
        ([request(event("e-1")), request(event("e-1")), request(event("e-1"))], 2),
    ],
)
def test_pl702_table(payloads: list[Any], expected: int) -> None:
    assert len(run(E.pl702_duplicate_events, Inventory(setups=[setup(*payloads)]))) == expected


def test_pl702_across_standalone_payloads_by_tracker() -> None:
    same = standalone(doc(request(event("e-1")), "a.json"), doc(request(event("e-1")), "b.json"))
    assert where(run(E.pl702_duplicate_events, same)) == [("PL702", "/eventList/0")]
    other_tracker = standalone(doc(request(event("e-1")), "a.json"),
                               doc(request(event("e-1"), tracking="t-2"), "b.json"))
    assert run(E.pl702_duplicate_events, other_tracker) == []


def test_pl702_set_ups_are_separate() -> None:
    one, two = setup(request(event("e-1")), name="one"), setup(request(event("e-1")), name="two")
    assert run(E.pl702_duplicate_events, Inventory(setups=[one, two])) == []
