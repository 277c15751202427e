"""PL409: the CloudWatch metrics an attribution publishes."""

from __future__ import annotations

import pytest

from attribution_builders import CTX, create, doc, event, metric, put_events, run, setup, standalone
from personalize_lint.inventory import Inventory
from personalize_lint.rule import RuleContext
from personalize_lint.rules.attribution_cost import pl409_cloudwatch_cost

pytest.importorskip("botocore")

# --- PL409 --------------------------------------------------------------------------


def test_pl409_metrics_times_sources() -> None:
    s = setup(create(metric(), metric("view", "VIEWS")), events=[
        put_events(event(metricAttribution={"eventAttributionSource": "home"}),
                   event(metricAttribution={"eventAttributionSource": "email"})),
        put_events(event()),
    ])
    (finding,) = run(pl409_cloudwatch_cost, Inventory(setups=[s]))
    assert "2 metric(s) x 3 attribution source(s)" in finding.message
    assert "SOURCE_NAME_UNDEFINED" in finding.message and "about 6" in finding.message


def test_pl409_with_data_sources_and_without_anything() -> None:
    s = setup(create(metric()), interactions_data=True)
    (finding,) = run(pl409_cloudwatch_cost, Inventory(setups=[s]))
    assert "none seen" in finding.message
    ctx = RuleContext(as_of=CTX.as_of,
                      options={"data_attribution_sources": {"retail": {"a", "b", "c"}}})
    (finding,) = run(pl409_cloudwatch_cost, Inventory(setups=[s]), ctx)
    assert "1 metric(s) x 3 attribution source(s)" in finding.message


def test_pl409_not_for_files_alone() -> None:
    assert run(pl409_cloudwatch_cost,
               standalone(doc(create(metric()), "metric-attribution"))) == []
