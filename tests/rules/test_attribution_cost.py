"""PL409: the CloudWatch metrics an attribution publishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from attribution_builders import (
    create,
    doc,
    event,
    metric,
    put_events,
    run,
    setup,
    standalone,
    with_data,
)
from personalize_lint.inventory import Inventory
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


def test_pl409_with_data_sources_and_without_anything(tmp_path: Path) -> None:
    s = setup(create(metric()), interactions_data=True)  # declared, but no file there
    (finding,) = run(pl409_cloudwatch_cost, Inventory(setups=[s]))
    assert "none seen" in finding.message
    pytest.importorskip("polars")
    ctx = with_data(s, tmp_path, "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_ATTRIBUTION_SOURCE",
                    "u-1,i-1,1700000000,click,a", "u-1,i-2,1700000000,click,b",
                    "u-2,i-1,1700000000,click,c")
    (finding,) = run(pl409_cloudwatch_cost, Inventory(setups=[s]), ctx)
    assert "1 metric(s) x 3 attribution source(s) seen (a, b, c)" in finding.message


def test_pl409_not_for_files_alone() -> None:
    assert run(pl409_cloudwatch_cost,
               standalone(doc(create(metric()), "metric-attribution"))) == []
