"""PL408: interactions imported before the metric attribution existed."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from attribution_builders import (
    create,
    describe,
    doc,
    ids,
    metric,
    run,
    setup,
    standalone,
)
from personalize_lint.inventory import Inventory
from personalize_lint.rules.attribution_timing import parse_time, pl408_imported_before

pytest.importorskip("botocore")

# --- PL408 --------------------------------------------------------------------------


def job(created: str, status: str = "ACTIVE", dataset: str = "INTERACTIONS") -> dict[str, Any]:
    return {"jobName": f"import-{created[:10]}", "status": status, "creationDateTime": created,
            "datasetArn": f"arn:aws:personalize:us-east-1:123456789012:dataset/retail/{dataset}"}


@pytest.mark.parametrize(
    ("data", "form", "jobs", "trackers", "expected"),
    [
        (describe(None), "describe", [job("2024-01-01T00:00:00Z")], [], ["PL408"]),
        (describe(None), "describe", [job("2024-02-01T00:00:00Z")], [], []),
        (describe(None), "describe", [job("2024-01-01T00:00:00Z", "CREATE FAILED")], [], []),
        (describe(None), "describe", [job("2024-01-01T00:00:00Z", dataset="ITEMS")], [], []),
        (describe(None), "describe", [job("1704067200")], [], ["PL408"]),  # epoch seconds
        (describe(None), "describe", [],
         [{"name": "web", "creationDateTime": "2023-12-01T00:00:00Z"}], ["PL408"]),
        (describe(None), "describe", [],
         [{"name": "web", "creationDateTime": "2024-03-01T00:00:00Z"}], []),
        (describe(None, created="not a date"), "describe", [job("2024-01-01T00:00:00Z")], [], []),
        (create(metric()), "create", [job("2024-01-01T00:00:00Z")], [], ["PL408"]),
        (create(metric()), "create", [], [], []),
    ],
)
def test_pl408_imports_before_the_attribution(data: Any, form: str, jobs: list[Any],
                                              trackers: list[Any], expected: list[str]) -> None:
    s = setup(data, form=form, import_jobs=jobs, trackers=trackers)
    assert ids(run(pl408_imported_before, Inventory(setups=[s]))) == expected


def test_pl408_says_nothing_on_files_alone() -> None:
    inventory = standalone(doc(describe(None), "metric-attribution"))
    assert run(pl408_imported_before, inventory) == []


def test_parse_time() -> None:
    assert parse_time("2024-01-01T00:00:00Z") == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert parse_time(1704067200) == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert parse_time(datetime(2024, 1, 1)) == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert parse_time("soon") is None and parse_time(True) is None
