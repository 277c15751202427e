"""PL407 and PL002: a metric attribution request against the API model."""

from __future__ import annotations

from typing import Any

import pytest

from attribution_builders import (
    DG,
    ROLE,
    create,
    describe,
    doc,
    metric,
    metrics,
    run,
    standalone,
    update,
)
from personalize_lint.rules.attribution_limits import pl401_too_many_metrics
from personalize_lint.rules.attribution_metrics import pl403_bad_expression, pl405_metric_names
from personalize_lint.rules.attribution_request import pl407_api_constraints

pytest.importorskip("botocore")

# --- PL407 and PL002 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "pointer"),
    [
        (create(metric(), name="retail attribution"), "/name"),
        (create(metric(), name="x" * 64), "/name"),
        (create(metric(), group="string"), "/datasetGroupArn"),
        (create(metric(), group="arn:aws:personalize:us-east-1:123456789012:campaign/x"),
         "/datasetGroupArn"),
        ({**create(metric()), "metricsOutputConfig": {
            "roleArn": "Amazon Personalize service role ARN",
            "s3DataDestination": {"path": "s3://b/"}}}, "/metricsOutputConfig/roleArn"),
        ({**create(metric()), "metricsOutputConfig": {
            "roleArn": ROLE, "s3DataDestination": {"path": "bucket/folder"}}},
         "/metricsOutputConfig/s3DataDestination/path"),
        ({**create(metric()), "metricsOutputConfig": {
            "roleArn": ROLE, "s3DataDestination": {"path": "s3://b/" + "p" * 256}}},
         "/metricsOutputConfig/s3DataDestination/path"),
        (update([metric()], arn="string"), "/metricAttributionArn"),
        (update([metric()], arn=DG), "/metricAttributionArn"),
        ({"roleArn": "x", "s3DataDestination": {"path": "s3://bucket-name/folder-name/"}},
         "/roleArn"),
    ],
)
def test_pl407_api_constraints(data: Any, pointer: str) -> None:
    findings = run(pl407_api_constraints, standalone(doc(data, "metric-attribution")))
    assert [(f.rule_id, f.location.pointer) for f in findings] == [("PL407", pointer)]


def test_pl407_good_request_and_describe_output_are_quiet() -> None:
    inventory = standalone(doc(create(*metrics(3)), "metric-attribution", "c.json"),
                           doc(describe(None), "metric-attribution", "d.json"),
                           doc(update([metric()]), "metric-attribution", "u.json"))
    assert run(pl407_api_constraints, inventory) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "x", "datasetGroupArn": DG, "metrics": [metric()]},
         [("PL002", "")]),  # no metricsOutputConfig
        ({**create(metric()), "tags": []}, [("PL002", "/tags")]),
        (create({"eventType": "click", "metricName": "M"}), [("PL002", "/metrics/0")]),
        (create(metric(), metrics="SAMPLECOUNT()"), [("PL002", "/metrics")]),
        ([{"eventType": "click", "metricName": "M", "expression": 5}],
         [("PL002", "/0/expression")]),
    ],
)
def test_pl002_request_shape(data: Any, expected: list[tuple[str, str]]) -> None:
    findings = run(pl407_api_constraints, standalone(doc(data, "metric-attribution")))
    assert [(f.rule_id, f.location.pointer) for f in findings] == expected


def test_pl002_console_members_inside_a_request_are_one_finding() -> None:
    data = create({"EventType": "watch", "MetricName": "M",
                   "MetricMathExpression": "SAMPLECOUNT()"})
    findings = run(pl407_api_constraints, standalone(doc(data, "metric-attribution")))
    assert [(f.rule_id, f.location.pointer) for f in findings] == [("PL002", "/metrics/0")]
    assert "console's member names (EventType, MetricName, MetricMathExpression)" in \
        findings[0].message


def test_console_input_alone_is_not_a_request() -> None:
    data = {"EventType": "watch", "MetricName": "MinutesWatchedTracker",
            "MetricMathExpression": "SUM(Items.LENGTH)"}
    inventory = standalone(doc(data, "metric-attribution", subkind="console"))
    for check in (pl401_too_many_metrics, pl403_bad_expression, pl405_metric_names,
                  pl407_api_constraints):
        assert run(check, inventory) == []
