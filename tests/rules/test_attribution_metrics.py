"""PL403-PL406: each metric's expression, SUM() column, name and event type."""

from __future__ import annotations

from typing import Any

import pytest

from attribution_builders import (
    CTX,
    INTERACTIONS,
    ITEMS,
    create,
    describe,
    doc,
    event,
    ids,
    metric,
    put_events,
    run,
    setup,
    standalone,
    update,
)
from personalize_lint.inventory import Inventory
from personalize_lint.rule import RuleContext
from personalize_lint.rules.attribution_metrics import (
    pl403_bad_expression,
    pl404_sum_column,
    pl405_metric_names,
    pl406_unseen_event_type,
)

pytest.importorskip("botocore")

# --- PL403 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("SAMPLECOUNT()", []),
        ("SUM(ITEMS.PRICE)", []),
        ("SUM(Items.PRICE)", []),
        ("SUM(Interactions.EVENT_VALUE)", []),
        ("SUM(DatasetType.COLUMN_NAME)", ["PL403"]),
        ("string", ["PL403"]),
        ("COUNT()", ["PL403"]),
        ("SUM(ITEMS.MARGIN", ["PL403"]),
        ("sum(Items.PRICE)", ["PL403"]),
        ("SUM( Items.PRICE )", ["PL403"]),
    ],
)
def test_pl403_expressions(expression: str, expected: list[str]) -> None:
    data = create(metric("purchase", "REVENUE", expression))
    findings = run(pl403_bad_expression, standalone(doc(data, "metric-attribution")))
    assert ids(findings) == expected
    for finding in findings:
        assert finding.location.pointer == "/metrics/0/expression"
        assert "at character" in finding.message


def test_pl403_names_the_console_field() -> None:
    data = {"EventType": "watch", "MetricName": "M", "MetricMathExpression": "SUM(Video.LENGTH)"}
    (finding,) = run(pl403_bad_expression, standalone(doc(data, "metric-attribution")))
    assert "console field MetricMathExpression" in finding.message
    assert finding.location.pointer == "/MetricMathExpression"


def test_pl403_checks_add_metrics_and_metric_lists_mistaken_for_events() -> None:
    inventory = standalone(doc(update([metric(expression="AVG(Items.X)")]), "metric-attribution"),
                           doc([metric(expression="X")], "putevents", "metrics.json"))
    assert ids(run(pl403_bad_expression, inventory)) == ["PL403", "PL403"]


# --- PL404 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "schemas", "expected"),
    [
        ("SUM(ITEMS.PRICE)", {"Items": ITEMS}, []),  # ["null", "float"]
        ("SUM(items.margin)", {"Items": ITEMS}, []),  # column found ignoring case
        ("SUM(Interactions.EVENT_VALUE)", {"Interactions": INTERACTIONS}, []),
        ("SAMPLECOUNT()", {}, []),
        ("SUM(Items.TITLE)", {"Items": ITEMS}, ["PL404"]),
        ("SUM(Items.COST)", {"Items": ITEMS}, ["PL404"]),
        ("SUM(Items.PRICE)", {"Interactions": INTERACTIONS}, ["PL404"]),
        ("SUM(Interactions.USER_ID)", {"Interactions": INTERACTIONS}, ["PL404"]),
        ("SUM(Interactions.EVENT_VALUE)", {"Items": ITEMS}, ["PL003"]),
    ],
)
def test_pl404_sum_columns(expression: str, schemas: dict[str, Any],
                           expected: list[str]) -> None:
    inventory = Inventory(setups=[setup(create(metric("purchase", "REVENUE", expression)),
                                        schemas=schemas)])
    findings = run(pl404_sum_column, inventory)
    assert ids(findings) == expected
    assert all(f.setup == "retail" for f in findings)


def test_pl404_points_at_the_expression_and_the_schema_field() -> None:
    inventory = Inventory(setups=[setup(create(metric("purchase", "R", "SUM(Items.TITLE)")),
                                        schemas={"Items": ITEMS})])
    (finding,) = run(pl404_sum_column, inventory)
    assert "Items.TITLE is string" in finding.message
    assert finding.location.pointer == "/metrics/0/expression"
    assert finding.related[0].path == "items-schema.json"
    assert finding.related[0].pointer == "/fields/3/type"


def test_pl404_is_not_decided_on_a_file_alone() -> None:
    data = create(metric("purchase", "R", "SUM(Items.NOPE)"))
    assert run(pl404_sum_column, standalone(doc(data, "metric-attribution"))) == []


# --- PL405 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([metric(name="CLICKS"), metric("view", "VIEWS")], []),
        ([metric(name="CLICKS"), metric("view", "clicks")], ["PL405"]),
        ([metric(name="")], ["PL405"]),
        ([metric(event_type="  ")], ["PL405"]),
        ([metric(event_type="e" * 257)], ["PL405"]),
        ([metric(name="n" * 257)], ["PL405"]),
        ([metric(event_type="e" * 256, name="n" * 256)], []),
    ],
)
def test_pl405_names(items: list[dict[str, str]], expected: list[str]) -> None:
    findings = run(pl405_metric_names, standalone(doc(create(*items), "metric-attribution")))
    assert ids(findings) == expected


def test_pl405_duplicate_points_at_the_second_and_relates_the_first() -> None:
    data = create(metric(name="CLICKS"), metric("view", "Clicks"))
    (finding,) = run(pl405_metric_names, standalone(doc(data, "metric-attribution")))
    assert finding.location.pointer == "/metrics/1/metricName"
    assert finding.related[0].pointer == "/metrics/0"


def test_pl405_update_adding_an_existing_name() -> None:
    inventory = standalone(doc(describe([metric(name="CLICKS")]), "metric-attribution", "d.json"),
                           doc(update([metric("view", "clicks")]), "metric-attribution", "u.json"))
    (finding,) = run(pl405_metric_names, inventory)
    assert finding.location.path == "u.json" and finding.related[0].path == "d.json"
    removed = standalone(doc(describe([metric(name="CLICKS")]), "metric-attribution", "d.json"),
                         doc(update([metric("view", "clicks")], ["CLICKS"]), "metric-attribution",
                             "u.json"))
    assert run(pl405_metric_names, removed) == []


# --- PL406 --------------------------------------------------------------------------


def test_pl406_event_type_never_seen_in_events() -> None:
    s = setup(create(metric("click", "CLICKS"), metric("Purchase", "BUYS")),
              events=[put_events(event("CLICK")), put_events(event("view"))])
    (finding,) = run(pl406_unseen_event_type, Inventory(setups=[s]))
    assert "'Purchase'" in finding.message and "CLICK, view" in finding.message
    assert finding.location.pointer == "/metrics/1/eventType"


@pytest.mark.parametrize(
    ("events", "interactions_data", "data_types", "expected"),
    [
        ([], False, None, []),  # nothing to compare with: say nothing
        ([put_events(event("click"))], True, None, []),  # data not read yet: cannot claim
        ([put_events(event("click"))], True, {"purchase"}, []),
        ([], True, {"purchase", "click"}, []),
        ([], True, {"click"}, ["PL406"]),
        ([put_events(event("click"))], False, None, ["PL406"]),
    ],
)
def test_pl406_sources(events: list[Any], interactions_data: bool, data_types: set[str] | None,
                       expected: list[str]) -> None:
    s = setup(create(metric("click", "CLICKS"), metric("purchase", "BUYS")), events=events,
              interactions_data=interactions_data)
    options = {"data_event_types": {"retail": data_types}} if data_types is not None else {}
    ctx = RuleContext(as_of=CTX.as_of, options=options)
    assert ids(run(pl406_unseen_event_type, Inventory(setups=[s]), ctx)) == expected
