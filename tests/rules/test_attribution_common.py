"""Reading a metric attribution in each of its forms, and what the data tells the PL4xx rules."""

from __future__ import annotations

from typing import Any

import pytest

from attribution_builders import (
    CTX,
    MA_ARN,
    ROLE,
    create,
    describe,
    doc,
    metric,
    setup,
    update,
)
from personalize_lint.inventory import Source
from personalize_lint.rule import RuleContext
from personalize_lint.rules._attribution_common import event_types_from_data, read_attribution

pytest.importorskip("botocore")

# --- reading ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "form"),
    [
        (create(metric()), "create"),
        (update([metric()]), "update"),
        ({"metricAttributionArn": MA_ARN, "metricsOutputConfig": {"roleArn": ROLE}}, "update"),
        (describe(None), "describe"),
        ([metric()], "metrics"),
        ({"EventType": "watch", "MetricName": "M", "MetricMathExpression": "SUM(Items.X)"},
         "metrics"),
        ({"roleArn": ROLE, "s3DataDestination": {"path": "s3://b/"}}, "output-config"),
        ({"hello": 1}, "unknown"),
    ],
)
def test_forms(data: Any, form: str) -> None:
    attribution = read_attribution(data, Source(doc(data, "metric-attribution")))
    assert attribution.form == form


def test_console_spelling_is_recognised() -> None:
    data = {"EventType": "watch", "MetricName": "MinutesWatchedTracker",
            "MetricMathExpression": "SUM(Items.LENGTH)"}
    attribution = read_attribution(data, Source(doc(data, "metric-attribution")))
    assert attribution.console
    (m,) = attribution.metrics or []
    assert m.value("expression") == "SUM(Items.LENGTH)"
    assert m.console_keys == ["EventType", "MetricName", "MetricMathExpression"]
    assert m.pointer_of("expression") == "/MetricMathExpression"


# --- the data hook --------------------------------------------------------------


def test_event_types_from_data_hook() -> None:
    s = setup(create(metric()))
    assert event_types_from_data(s, CTX) is None
    ctx = RuleContext(as_of=CTX.as_of, options={"data_event_types": {"retail": ["a", "b"]}})
    assert event_types_from_data(s, ctx) == {"a", "b"}
