"""API constraints read from botocore's service models at run time."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from personalize_lint.personalize import constraints as c

pytest.importorskip("botocore")


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    for cached in (c.service_model, c.metric_attribution_constraints, c.put_events_constraints,
                   c.create_schema_constraints):
        cached.cache_clear()
    yield
    for cached in (c.service_model, c.metric_attribution_constraints, c.put_events_constraints,
                   c.create_schema_constraints):
        cached.cache_clear()


def test_metric_attribution_constraints_come_from_the_model() -> None:
    limits = c.metric_attribution_constraints()
    assert limits.metrics.type == "list" and limits.metrics.max == 10
    assert (limits.name.min, limits.name.max) == (1, 63)
    assert limits.name.pattern and limits.name.pattern.startswith("^[a-zA-Z0-9]")
    assert limits.event_type.max == 256 and limits.metric_name.max == 256
    assert limits.expression.max == 256
    assert limits.s3_path.max == 256 and limits.s3_path.pattern
    assert limits.role_arn.pattern and ":iam::" in limits.role_arn.pattern


def test_put_events_constraints_come_from_the_model() -> None:
    limits = c.put_events_constraints()
    assert (limits.event_list.min, limits.event_list.max) == (1, 10)
    assert limits.recommendation_id.max == 40
    assert (limits.impression.min, limits.impression.max) == (1, 25)
    assert limits.properties.max == 1024
    assert limits.event_shape == "Event"


def test_create_schema_constraints() -> None:
    limits = c.create_schema_constraints()
    assert limits.schema.max == 20000
    assert set(limits.domain.enum) == {"ECOMMERCE", "VIDEO_ON_DEMAND"}


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("retail-attribution", True),
        ("a", True),
        ("ok_2-x", True),
        # The model's pattern is unanchored at the end: re.match would accept these.
        ("ok!!", False),
        ("retail attribution", False),
        ("-leading-dash", False),
        ("", False),
        ("x" * 64, False),
    ],
)
def test_name_pattern_is_a_full_match(value: str, ok: bool) -> None:
    assert (c.metric_attribution_constraints().name.problems(value) == []) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("arn:aws:iam::123456789012:role/PersonalizeRole", True),
        ("arn:aws-cn:iam::123456789012:role/service-role/x", True),
        ("Amazon Personalize service role ARN", False),
        ("arn:aws:iam::12345:role/x", False),
        ("arn:aws:iam::123456789012:user/x", False),
    ],
)
def test_role_arn_pattern(value: str, ok: bool) -> None:
    assert (c.metric_attribution_constraints().role_arn.problems(value) == []) is ok


def test_list_and_length_messages() -> None:
    limits = c.put_events_constraints()
    assert limits.event_list.problems([{}] * 11) == ["has 11 items; the API allows at most 10"]
    assert limits.event_list.problems([]) == ["has 0 items; the API needs at least 1"]
    assert "41 characters" in limits.recommendation_id.problems("r" * 41)[0]
    assert limits.recommendation_id.problems("r" * 40) == []
    # Wrong types are a shape problem, not a constraint problem.
    assert limits.event_list.problems("nope") == []


def test_structural_problems_report_missing_unknown_and_types() -> None:
    shape = c.input_shape_name(c.PERSONALIZE, "CreateMetricAttribution")
    problems = c.structural_problems(c.PERSONALIZE, shape, {
        "name": "x", "metrics": "SAMPLECOUNT()", "DatasetGroupArn": "arn", "extra": 1,
    })
    kinds = {(p.kind, p.member) for p in problems}
    assert ("missing", "datasetGroupArn") in kinds
    assert ("missing", "metricsOutputConfig") in kinds
    assert ("type", "metrics") in kinds
    assert ("unknown", "extra") in kinds
    pascal = next(p for p in problems if p.member == "DatasetGroupArn")
    assert "the API spells it 'datasetGroupArn'" in pascal.message
    assert pascal.pointer == "/DatasetGroupArn"


def test_structural_problems_nested_pointers_and_base() -> None:
    shape = c.input_shape_name(c.PERSONALIZE_EVENTS, "PutEvents")
    problems = c.structural_problems(c.PERSONALIZE_EVENTS, shape, {
        "trackingId": "t", "sessionId": "s",
        "eventList": [{"eventType": "click", "sentAt": "yesterday", "eventValue": "3"}],
    }, base="/4")
    pointers = {p.pointer: p for p in problems}
    assert "/4/eventList/0/sentAt" in pointers
    assert "/4/eventList/0/eventValue" in pointers
    message = pointers["/4/eventList/0/eventValue"].message
    assert "eventList[0].eventValue must be a number" in message


@pytest.mark.parametrize(
    ("value", "ok"),
    [(1667260945, True), (1.5, True), ("1667260945", True), ("2022-11-01T00:00:00Z", True),
     ("yesterday", False), (True, False), (None, False), ("", False), ({}, False)],
)
def test_is_timestamp(value: object, ok: bool) -> None:
    assert c.is_timestamp(value) is ok


def test_dotted() -> None:
    assert c.dotted("/eventList/0/sentAt") == "eventList[0].sentAt"
    assert c.dotted("") == ""
    assert c.dotted("/a~1b") == "a/b"


def test_models_are_read_once(fresh_cache: None) -> None:
    first = c.service_model(c.PERSONALIZE)
    assert c.service_model(c.PERSONALIZE) is first
    assert c.service_model.cache_info().hits >= 1


def test_without_botocore_constraints_are_unavailable(
    monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    monkeypatch.setattr(c.importlib_util, "find_spec", lambda name: None)
    with pytest.raises(c.ConstraintsUnavailable, match="botocore is not installed"):
        c.metric_attribution_constraints()


def test_unknown_member_path_is_unavailable() -> None:
    with pytest.raises(c.ConstraintsUnavailable):
        c.operation_constraint(c.PERSONALIZE, "CreateMetricAttribution", "noSuchMember")
    with pytest.raises(c.ConstraintsUnavailable):
        c.input_shape_name(c.PERSONALIZE, "NoSuchOperation")


def test_importing_the_rule_modules_does_not_import_botocore() -> None:
    code = (
        "import sys\n"
        "import personalize_lint.rules.attribution_limits, personalize_lint.rules.schema\n"
        "import personalize_lint.rules.attribution_metrics\n"
        "import personalize_lint.rules.attribution_request\n"
        "import personalize_lint.rules.attribution_timing\n"
        "import personalize_lint.rules.attribution_cost\n"
        "import personalize_lint.rules.events, personalize_lint.personalize.constraints\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('botocore', 'boto3', 'jsonschema')]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).parent, check=False)
    assert done.returncode == 0, done.stderr
