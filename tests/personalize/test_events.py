"""PutEvents payloads: walking requests and JSON Lines, and the API checks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from personalize_lint.personalize import events as e

pytest.importorskip("botocore")


def event(**members: Any) -> dict[str, Any]:
    return {"eventId": "e-1", "eventType": "click", "sentAt": 1700000000, "itemId": "i-1",
            **members}


def request(*events: dict[str, Any], **members: Any) -> dict[str, Any]:
    return {"trackingId": "t-1", "sessionId": "s-1", "userId": "u-1", "eventList": list(events),
            **members}


def found(data: Any) -> list[tuple[str, str]]:
    return [(p.rule, p.pointer) for p in e.check_payload(data)]


def test_iter_events_of_a_request() -> None:
    refs = list(e.iter_events(request(event(), event(eventId="e-2"))))
    assert [r.pointer for r in refs] == ["/eventList/0", "/eventList/1"]
    assert refs[0].context == {"trackingId": "t-1", "sessionId": "s-1", "userId": "u-1"}
    assert not refs[0].bare


def test_iter_events_of_json_lines() -> None:
    lines = [event(userId="u-9"), request(event(eventId="e-7")), "junk"]
    refs = list(e.iter_events(lines))
    assert [r.pointer for r in refs] == ["/0", "/1/eventList/0"]
    assert refs[0].bare and refs[0].context == {"userId": "u-9"}
    assert [r.pointer for r in e.iter_requests(lines)] == ["/1"]


def test_read_json_lines() -> None:
    text = '{"eventType": "click", "sentAt": 1}\n\n{"eventType": "view",\n[1]\n'
    records, errors = e.read_json_lines(text)
    assert records == [{"eventType": "click", "sentAt": 1}, [1]]
    assert [(x.line, x.column) for x in errors] == [(3, 22)]


def test_good_request_has_no_problems() -> None:
    good = request(event(properties=json.dumps({"numberOfRatings": "12"}),
                         recommendationId="r" * 40, impression=["i-1", "i-2"],
                         metricAttribution={"eventAttributionSource": "homepage"}))
    assert e.check_payload(good) == []


def test_official_sample_with_string_sent_at_is_fine() -> None:
    assert e.check_payload(request(event(sentAt="1667260945"))) == []


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (request(*[event(eventId=f"e-{i}") for i in range(11)]), ("PL701", "/eventList")),
        (request(), ("PL701", "/eventList")),
        (request(event(recommendationId="r" * 41)), ("PL701", "/eventList/0/recommendationId")),
        (request(event(impression=[])), ("PL701", "/eventList/0/impression")),
        (request(event(impression=[f"i{i}" for i in range(26)])),
         ("PL701", "/eventList/0/impression")),
        (request(event(impression=[""])), ("PL701", "/eventList/0/impression/0")),
        (request(event(properties={"numberOfRatings": "12"})),
         ("PL701", "/eventList/0/properties")),
        (request(event(properties="x" * 1025)), ("PL701", "/eventList/0/properties")),
        (request(event(properties='{"userId": "u-1"}')), ("PL701", "/eventList/0/properties")),
        (request(event(properties='{"TIMESTAMP": "1"}')), ("PL701", "/eventList/0/properties")),
        (request(event(properties="not json")), ("PL701", "/eventList/0/properties")),
        (request(event(properties="[1, 2]")), ("PL701", "/eventList/0/properties")),
        (request(event(properties=12)), ("PL701", "/eventList/0/properties")),
        (request({"eventType": "click", "itemId": "i-1"}), ("PL701", "/eventList/0")),
        (request(event(sentAt=1700000000123)), ("PL701", "/eventList/0/sentAt")),
        (request(event(eventType="")), ("PL701", "/eventList/0/eventType")),
        (request(event(itemId="i" * 257)), ("PL701", "/eventList/0/itemId")),
        (request(event(blob="x" * 11000)), ("PL701", "/eventList/0")),
        (request(event(), trackingId=""), ("PL701", "/trackingId")),
        # Shape problems are PL002.
        ({"sessionId": "s", "eventList": [event()]}, ("PL002", "")),
        (request(event(), TrackingId="t"), ("PL002", "/TrackingId")),
        (request(event(sentAt="yesterday")), ("PL002", "/eventList/0/sentAt")),
        (request(event(eventValue="3.5")), ("PL002", "/eventList/0/eventValue")),
        (request(event(colour="red")), ("PL002", "/eventList/0/colour")),
        (request(event(), eventList="click"), ("PL002", "/eventList")),
        ([event(), "junk"], ("PL002", "/1")),
        ("junk", ("PL002", "")),
    ],
)
def test_bad_payloads(payload: Any, expected: tuple[str, str]) -> None:
    assert expected in found(payload)


def test_properties_object_is_reported_once_as_pl701() -> None:
    problems = e.check_payload(request(event(properties={"a": "b"})))
    assert [(p.rule, p.pointer) for p in problems] == [("PL701", "/eventList/0/properties")]
    assert "json.dumps" in problems[0].message


def test_missing_sent_at_is_pl701_not_pl002() -> None:
    problems = e.check_payload(request({"eventType": "click"}))
    assert [(p.rule, p.message) for p in problems] == [
        ("PL701", "eventList[0] has no sentAt: the API requires the event's Unix time")]


def test_json_lines_events_may_carry_request_context() -> None:
    lines = [event(userId="u-1", sessionId="s-1", trackingId="t-1"), event(eventId="e-2")]
    assert e.check_payload(lines) == []
    problems = e.check_payload([event(), {"eventType": "view", "colour": "red"}])
    messages = [p.message for p in problems]
    assert "record 2 has no sentAt: the API requires the event's Unix time" in messages
    assert "unknown member 'colour' in record 2" in messages


def test_a_kinesis_wrapper_is_not_a_put_events_request() -> None:
    wrapper = {"Partitionkey": "1", "Data": {"userId": "u", "eventType": "DetailView"}}
    problems = found(wrapper)
    assert ("PL002", "") in problems and ("PL002", "/Data") in problems


def test_unknown_members_point_at_the_key() -> None:
    problems = e.check_payload(request(event(colour="red")))
    assert [p.key for p in problems] == [True]


def test_looks_like_metric_list() -> None:
    metrics = [{"eventType": "x", "expression": "SAMPLECOUNT()", "metricName": "m"}]
    assert e.looks_like_metric_list(metrics)
    assert e.looks_like_metric_list({"EventType": "x", "MetricMathExpression": "SUM(Items.X)",
                                     "MetricName": "m"})
    assert not e.looks_like_metric_list([event()])
    assert not e.looks_like_metric_list([])


def test_fingerprint_and_event_id() -> None:
    a, b = e.iter_events(request(event(), event()))
    assert e.event_fingerprint(a) == e.event_fingerprint(b)
    assert e.event_id(a) == "e-1"
    other = next(e.iter_events(request(event(), userId="u-2")))
    assert e.event_fingerprint(other) != e.event_fingerprint(a)


def test_label() -> None:
    assert e.label("/eventList/3") == "eventList[3]"
    assert e.label("/2") == "record 3"
    assert e.label("/2/eventList/0") == "record 3 eventList[0]"
    assert e.label("") == "the event"
