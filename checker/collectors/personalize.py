"""Amazon Personalize: metric attributions, their metrics, dataset group, schemas, import
jobs and event trackers, as the describe/list APIs return them (JSON form)."""

from __future__ import annotations

from functools import partial
from typing import Any

from .cache import OnceCache
from .errors import ApiError
from .gaps import gap, plain
from .session import Scope

SERVICE = "personalize"
DATASET_TYPES = {t.lower(): t for t in
                 ("Interactions", "Items", "Users", "Actions", "Action_Interactions")}


def list_attributions(scope: Scope) -> list[dict[str, Any]]:
    """Every metric attribution of the region (summaries); raises ApiError."""
    items = scope.pages(SERVICE, "ListMetricAttributions", "metricAttributions")
    return [plain(i) for i in items if isinstance(i, dict)]


def collect_attribution(scope: Scope, summary: dict[str, Any], gaps: list[dict[str, Any]],
                        schemas: OnceCache[dict[str, Any]]) -> dict[str, Any] | None:
    """``{"attribution": {"metricAttribution": <describe output>, "metrics": [...]},
    "datasetGroup": {...}}``, or None when the attribution was deleted while the audit ran.
    What could not be read is appended to ``gaps``."""
    arn = summary["metricAttributionArn"]
    try:
        body = plain(scope.call(SERVICE, "DescribeMetricAttribution",
                                metricAttributionArn=arn)["metricAttribution"])
    except ApiError as exc:
        if exc.kind == "not-found":
            return None
        gaps.append(gap("the metric attribution's description (its output configuration, "
                        "hence the role, bucket and key checks)", exc, arn, "/metricAttribution",
                        scope.region))
        body = dict(summary)
    attribution: dict[str, Any] = {"metricAttribution": body}
    try:
        attribution["metrics"] = plain(scope.pages(SERVICE, "ListMetricAttributionMetrics",
                                                   "metrics", metricAttributionArn=arn))
    except ApiError as exc:
        gaps.append(gap("the metric attribution's metrics (PL401-PL406, PL409)", exc, arn,
                        "/metrics", scope.region))
    group_arn = body.get("datasetGroupArn")
    group = collect_group(scope, group_arn, gaps, schemas) if isinstance(group_arn, str) else {}
    return {"attribution": attribution, "datasetGroup": group}


def collect_group(scope: Scope, arn: str, gaps: list[dict[str, Any]],
                  schemas: OnceCache[dict[str, Any]]) -> dict[str, Any]:
    group: dict[str, Any] = {"arn": arn, "domain": None, "schemas": {}, "importJobs": [],
                             "eventTrackers": []}
    try:
        described = scope.call(SERVICE, "DescribeDatasetGroup", datasetGroupArn=arn)
        group["domain"] = described["datasetGroup"].get("domain")
    except ApiError as exc:
        gaps.append(gap("the dataset group's domain (PL502)", exc, arn, "/datasetGroup",
                        scope.region))
    interactions = _datasets(scope, group, gaps, schemas)
    if interactions:
        group["importJobs"] = _import_jobs(scope, interactions, gaps)
    try:
        group["eventTrackers"] = plain(scope.pages(SERVICE, "ListEventTrackers", "eventTrackers",
                                                   datasetGroupArn=arn))
    except ApiError as exc:
        gaps.append(gap("the dataset group's event trackers (PL408)", exc, arn,
                        "/eventTrackers", scope.region))
    return group


def _datasets(scope: Scope, group: dict[str, Any], gaps: list[dict[str, Any]],
              schemas: OnceCache[dict[str, Any]]) -> str | None:
    """Fill ``group["schemas"]`` by dataset type; return the Interactions dataset ARN."""
    arn = group["arn"]
    try:
        datasets = scope.pages(SERVICE, "ListDatasets", "datasets", datasetGroupArn=arn)
    except ApiError as exc:
        gaps.append(gap("the dataset group's datasets and schemas (PL404, PL501-PL505, "
                        "PL408)", exc, arn, "/datasets", scope.region))
        return None
    interactions = None
    for summary in datasets:
        dataset_arn = summary.get("datasetArn")
        kind = DATASET_TYPES.get(str(summary.get("datasetType", "")).lower())
        if not isinstance(dataset_arn, str) or kind is None:
            continue
        if kind == "Interactions":
            interactions = dataset_arn
        try:
            dataset = scope.call(SERVICE, "DescribeDataset", datasetArn=dataset_arn)["dataset"]
        except ApiError as exc:
            gaps.append(gap(f"the {kind} dataset's schema (PL404, PL501-PL505)", exc,
                            dataset_arn, "/dataset", scope.region))
            continue
        schema_arn = dataset.get("schemaArn")
        if isinstance(schema_arn, str):
            schema = schemas.get((scope.account, scope.region, schema_arn),
                                 partial(_schema, scope, schema_arn))
            if "error" in schema:
                gaps.append({**schema["error"], "what": f"the {kind} schema (PL404, "
                                                         "PL501-PL505)"})
            else:
                group["schemas"][kind] = {**schema, "datasetArn": dataset_arn}
    return interactions


def _schema(scope: Scope, arn: str) -> dict[str, Any]:
    try:
        schema = scope.call(SERVICE, "DescribeSchema", schemaArn=arn)["schema"]
    except ApiError as exc:
        return {"error": gap("", exc, arn, "/schema", scope.region)}
    return {"schemaArn": arn, "name": schema.get("name"), "domain": schema.get("domain"),
            "schema": schema.get("schema")}


def _import_jobs(scope: Scope, dataset_arn: str, gaps: list[dict[str, Any]]
                 ) -> list[dict[str, Any]]:
    try:
        summaries = scope.pages(SERVICE, "ListDatasetImportJobs", "datasetImportJobs",
                                datasetArn=dataset_arn)
    except ApiError as exc:
        gaps.append(gap("the interactions import jobs (PL408, PL505)", exc, dataset_arn,
                        "/datasetImportJobs", scope.region))
        return []
    jobs = []
    for summary in summaries:
        job_arn = summary.get("datasetImportJobArn")
        try:
            job = scope.call(SERVICE, "DescribeDatasetImportJob",
                             datasetImportJobArn=job_arn)["datasetImportJob"]
        except ApiError as exc:
            # The summary still has the creation time and status PL408 needs.
            gaps.append(gap("an import job's data location and publishAttributionMetricsToS3",
                            exc, job_arn, "/datasetImportJob", scope.region))
            job = {**summary, "datasetArn": dataset_arn}
        jobs.append(plain(job))
    return jobs

