"""PL408: interactions imported (or events recorded) before the metric attribution existed,
which Personalize never reports on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory
from personalize_lint.rule import RuleContext, rule

from ._attribution_common import REQUIREMENTS, finding_at, setup_attributions


def parse_time(value: Any) -> datetime | None:
    """A creation time as the CLI, SDK or a saved inventory gives it (aware, UTC)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            return datetime.fromtimestamp(float(text), tz=timezone.utc)
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def _interactions_imports(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Import jobs that brought in interactions (dataset ARNs end in /INTERACTIONS)."""
    found = []
    for job in jobs:
        if not isinstance(job, dict):
            continue
        dataset = job.get("datasetArn")
        if isinstance(dataset, str) and not dataset.upper().endswith("/INTERACTIONS"):
            continue
        status = job.get("status")
        if isinstance(status, str) and "FAILED" in status.upper():
            continue  # a failed import brought in nothing
        found.append(job)
    return found


@rule(
    id="PL408",
    level="warning",
    title="Interactions were imported before the metric attribution existed",
    why="""
Amazon Personalize reports only on data imported after the metric attribution is created.
Interactions imported earlier (and events recorded before it existed) never appear in the
CloudWatch or S3 reports, so the first reports look lower than the real traffic. The
documentation recommends creating the attribution before importing interactions.
""",
    fix="Create the metric attribution first, then import (or re-import incrementally) the "
        "interactions you want reported.",
    example="""
aws personalize create-metric-attribution --cli-input-json file://attribution.json
aws personalize create-dataset-import-job ...   # afterwards
""",
    source=REQUIREMENTS,
    tags=("metric-attribution", "data"),
)
def pl408_imported_before(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for attribution in setup_attributions(inventory):
        assert attribution.setup is not None
        group = attribution.setup.dataset_group
        jobs = _interactions_imports(group.import_jobs)
        trackers = [t for t in group.event_trackers if isinstance(t, dict)]
        if not jobs and not trackers:
            continue
        if attribution.form in ("create", "metrics"):
            created = None  # not created yet: everything already imported precedes it
            when = "will be created"
        elif attribution.form == "describe":
            created = parse_time(attribution.member("creationDateTime")[0])
            if created is None:
                continue  # cannot tell
            when = f"was created ({created:%Y-%m-%d %H:%M} UTC)"
        else:
            continue
        _, anchor = attribution.member("creationDateTime")
        if created is None:
            anchor = attribution.body_ptr
        early = [j for j in jobs if created is None or (
            (t := parse_time(j.get("creationDateTime"))) is not None and t < created)]
        if early:
            names = ", ".join(str(j.get("jobName") or j.get("datasetImportJobArn") or "?")
                              for j in early[:3])
            more = f" and {len(early) - 3} more" if len(early) > 3 else ""
            yield finding_at(
                "PL408", f"{len(early)} interactions import job(s) ({names}{more}) ran before the "
                         f"metric attribution {when}; Personalize never reports data imported "
                         "before the attribution exists", attribution, anchor)
        for tracker in trackers:
            started = parse_time(tracker.get("creationDateTime"))
            if started is None or (created is not None and started >= created):
                continue
            name = tracker.get("name") or tracker.get("eventTrackerArn") or "an event tracker"
            yield finding_at(
                "PL408", f"event tracker {name} was recording events before the metric "
                         f"attribution {when}; events recorded before then are not in the "
                         "reports", attribution, anchor)
