"""The Personalize collector driven by botocore's Stubber, which checks every request and
response against the real service model, with the read-only guard still in place."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from botocore.stub import Stubber
from helpers_audit import FAST
from world import INTERACTIONS, METRICS

from personalize_lint.collectors.cache import OnceCache
from personalize_lint.collectors.guard import ReadOnlyGuard
from personalize_lint.collectors.personalize import collect_attribution
from personalize_lint.collectors.session import AuditSession, CallCounter, Scope

REGION = "eu-west-1"
PREFIX = f"arn:aws:personalize:{REGION}:123456789012"
MA = f"{PREFIX}:metric-attribution/shop"
GROUP = f"{PREFIX}:dataset-group/shop"
DATASET = f"{PREFIX}:dataset/shop/INTERACTIONS"
SCHEMA = f"{PREFIX}:schema/shop-interactions"
JOB = f"{PREFIX}:dataset-import-job/shop-import"
WHEN = datetime(2026, 11, 1, tzinfo=timezone.utc)
OUTPUT = {"roleArn": "arn:aws:iam::123456789012:role/shop",
          "s3DataDestination": {"path": "s3://shop-metrics/attribution/"}}


def _stubbed(trackers_denied: bool) -> tuple[Stubber, Scope]:
    session = AuditSession.create(None, FAST, ReadOnlyGuard(), CallCounter(), region=REGION)
    client = session.client("personalize", REGION)
    stub = Stubber(client)
    add = stub.add_response
    add("describe_metric_attribution", {"metricAttribution": {
        "name": "shop", "metricAttributionArn": MA, "datasetGroupArn": GROUP,
        "metricsOutputConfig": OUTPUT, "status": "ACTIVE", "creationDateTime": WHEN}},
        {"metricAttributionArn": MA})
    add("list_metric_attribution_metrics", {"metrics": METRICS}, {"metricAttributionArn": MA})
    add("describe_dataset_group", {"datasetGroup": {
        "name": "shop", "datasetGroupArn": GROUP, "domain": "ECOMMERCE"}},
        {"datasetGroupArn": GROUP})
    add("list_datasets", {"datasets": [{"datasetArn": DATASET, "datasetType": "Interactions"}]},
        {"datasetGroupArn": GROUP})
    add("describe_dataset", {"dataset": {"datasetArn": DATASET, "schemaArn": SCHEMA}},
        {"datasetArn": DATASET})
    add("describe_schema", {"schema": {"schemaArn": SCHEMA, "name": "shop-interactions",
                                       "schema": json.dumps(INTERACTIONS)}},
        {"schemaArn": SCHEMA})
    add("list_dataset_import_jobs", {"datasetImportJobs": [
        {"datasetImportJobArn": JOB, "jobName": "shop-import", "creationDateTime": WHEN}]},
        {"datasetArn": DATASET})
    add("describe_dataset_import_job", {"datasetImportJob": {
        "jobName": "shop-import", "datasetImportJobArn": JOB, "datasetArn": DATASET,
        "dataSource": {"dataLocation": "s3://shop-data/"}, "status": "ACTIVE",
        "creationDateTime": WHEN, "importMode": "FULL",
        "publishAttributionMetricsToS3": True}}, {"datasetImportJobArn": JOB})
    if trackers_denied:
        stub.add_client_error("list_event_trackers", "AccessDeniedException", "no access",
                              400, expected_params={"datasetGroupArn": GROUP})
    else:
        add("list_event_trackers", {"eventTrackers": []}, {"datasetGroupArn": GROUP})
    return stub, Scope(session, "123456789012", "aws", REGION)


def _collect(trackers_denied: bool = False) -> tuple[dict[str, Any] | None, list[Any]]:
    stub, scope = _stubbed(trackers_denied)
    gaps: list[Any] = []
    with stub:
        found = collect_attribution(scope, {"metricAttributionArn": MA, "name": "shop"}, gaps,
                                    OnceCache())
        stub.assert_no_pending_responses()
    return found, gaps


def test_the_collector_makes_the_model_conforming_calls_in_order() -> None:
    found, gaps = _collect()
    assert gaps == [] and found is not None
    body = found["attribution"]["metricAttribution"]
    assert body["creationDateTime"] == "2026-11-01T00:00:00+00:00"  # JSON form, UTC
    assert body["metricsOutputConfig"] == OUTPUT
    group = found["datasetGroup"]
    assert group["domain"] == "ECOMMERCE"
    assert group["schemas"]["Interactions"]["schema"] == json.dumps(INTERACTIONS)
    assert group["importJobs"][0]["publishAttributionMetricsToS3"] is True


def test_a_stubbed_denial_becomes_a_gap() -> None:
    found, gaps = _collect(trackers_denied=True)
    assert found is not None and found["datasetGroup"]["eventTrackers"] == []
    (gap,) = gaps
    assert gap["api"] == "personalize:ListEventTrackers" and gap["arn"] == GROUP
    assert gap["reason"] == ("personalize:ListEventTrackers was denied "
                             "(AccessDeniedException: no access)")
