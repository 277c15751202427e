"""PL401-PL402: how many metrics an attribution has, how many attributions a dataset group has."""

from __future__ import annotations

from typing import Any

import pytest

from attribution_builders import (
    DG,
    create,
    describe,
    doc,
    ids,
    metric,
    metrics,
    run,
    setup,
    standalone,
    update,
)
from personalize_lint.inventory import Inventory, Setup
from personalize_lint.location import Location
from personalize_lint.rules import _attribution_common as common
from personalize_lint.rules._attribution_common import ConstraintsUnavailable
from personalize_lint.rules.attribution_limits import (
    pl401_too_many_metrics,
    pl402_one_attribution_per_dataset_group,
)
from personalize_lint.rules.attribution_request import pl407_api_constraints

pytest.importorskip("botocore")

# --- PL401 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (create(*metrics(10)), []),
        (create(*metrics(11)), ["PL401"]),
        (metrics(11), ["PL401"]),
        (update(metrics(11)), ["PL401"]),
        (update(metrics(3)), []),  # alone, the existing metrics are unknown: nothing to say
    ],
)
def test_pl401_alone(data: Any, expected: list[str]) -> None:
    findings = run(pl401_too_many_metrics, standalone(doc(data, "metric-attribution")))
    assert ids(findings) == expected


def test_pl401_eleven_metrics_points_at_the_list() -> None:
    (finding,) = run(pl401_too_many_metrics,
                     standalone(doc(create(*metrics(11)), "metric-attribution")))
    assert "11 metrics" in finding.message and "at most 10" in finding.message
    assert finding.location.pointer == "/metrics"
    assert finding.location.path == "attribution.json"


@pytest.mark.parametrize(
    ("existing", "add", "remove", "expected"),
    [
        (8, 3, [], ["PL401"]),  # crosses 10
        (8, 2, [], []),
        (8, 3, ["METRIC_0"], []),
        (8, 3, ["metric_0"], []),  # names compare ignoring case
        (10, 1, [], ["PL401"]),
    ],
)
def test_pl401_update_counts_existing_plus_added_minus_removed(
    existing: int, add: int, remove: list[str], expected: list[str]
) -> None:
    added = [metric(f"new{i}", f"NEW_{i}") for i in range(add)]
    inventory = standalone(doc(describe(metrics(existing)), "metric-attribution", "describe.json"),
                           doc(update(added, remove), "metric-attribution", "update.json"))
    findings = run(pl401_too_many_metrics, inventory)
    assert ids(findings) == expected
    if expected:
        assert f"{existing} existing + {add} added" in findings[0].message


def test_pl401_update_matches_the_create_request_by_name() -> None:
    inventory = standalone(doc(create(*metrics(9)), "metric-attribution", "create.json"),
                           doc(update([metric("a", "A"), metric("b", "B")]), "metric-attribution",
                               "update.json"))
    assert ids(run(pl401_too_many_metrics, inventory)) == ["PL401"]


def test_pl401_update_in_a_set_up_without_existing_metrics_is_not_evaluated() -> None:
    inventory = Inventory(setups=[setup(update([metric()]), form="update")])
    findings = run(pl401_too_many_metrics, inventory)
    assert ids(findings) == ["PL003"]
    assert "describe-metric-attribution" in findings[0].message


def test_pl401_constraints_unavailable_is_pl003(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable() -> None:
        raise ConstraintsUnavailable("botocore is not installed")

    monkeypatch.setattr(common, "metric_attribution_constraints", unavailable)
    findings = run(pl401_too_many_metrics,
                   standalone(doc(create(*metrics(11)), "metric-attribution")))
    assert ids(findings) == ["PL003"] and "botocore" in findings[0].message


# --- PL402 --------------------------------------------------------------------------


def test_pl402_two_attributions_for_one_dataset_group() -> None:
    inventory = standalone(doc(create(metric(), name="first"), "metric-attribution", "a.json"),
                           doc(create(metric(), name="second"), "metric-attribution", "b.json"))
    (finding,) = run(pl402_one_attribution_per_dataset_group, inventory)
    assert finding.location.path == "b.json" and finding.location.pointer == "/datasetGroupArn"
    assert "'first'" in finding.message and finding.related[0].path == "a.json"


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        # The create request and the describe output of the same attribution.
        ([create(metric()), describe(None)], []),
        ([create(metric(), group=DG), create(metric(), group=DG + "-2")], []),
        ([create(metric(), name="a"), update([metric()])], []),
        ([create(metric(), name="a"), create(metric(), name="b"), create(metric(), name="c")],
         ["PL402", "PL402"]),
    ],
)
def test_pl402_table(documents: list[Any], expected: list[str]) -> None:
    inventory = standalone(*(doc(d, "metric-attribution", f"{i}.json")
                             for i, d in enumerate(documents)))
    assert ids(run(pl402_one_attribution_per_dataset_group, inventory)) == expected


def test_pl402_counts_across_set_ups_and_standalone_documents() -> None:
    one = setup(create(metric(), name="first"), name="one", path="one.json")
    two = setup(create(metric(), name="second"), name="two", path="two.json")
    loose = doc(create(metric(), name="third"), "metric-attribution", "loose.json")
    inventory = Inventory(setups=[one, two], standalone=[loose], documents=[loose])
    findings = run(pl402_one_attribution_per_dataset_group, inventory)
    assert [f.location.path for f in findings] == ["two.json", "loose.json"]
    assert findings[0].setup == "two"


def test_pl402_shared_file_counts_once() -> None:
    one = setup(create(metric()), name="one")
    two = Setup(name="two", location=Location(), metric_attribution=one.metric_attribution)
    assert run(pl402_one_attribution_per_dataset_group, Inventory(setups=[one, two])) == []


def test_pl401_counts_every_list_entry() -> None:
    data = create(*metrics(10))
    data["metrics"].append("SAMPLECOUNT()")
    findings = run(pl407_api_constraints, standalone(doc(data, "metric-attribution")))
    assert [(f.rule_id, f.location.pointer) for f in findings] == [("PL002", "/metrics/10")]
    (finding,) = run(pl401_too_many_metrics, standalone(doc(data, "metric-attribution")))
    assert finding.message.startswith("11 metrics")
