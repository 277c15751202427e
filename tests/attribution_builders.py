"""Builders for the PL4xx tests: metric attribution requests in each of their forms, set-ups
around them, and a way to run one rule."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from helpers import json_document
from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import (
    DataSource,
    EventsPayload,
    Inventory,
    MetricAttribution,
    Schema,
    Setup,
    Source,
)
from personalize_lint.location import Location
from personalize_lint.rule import Rule, RuleContext

DG = "arn:aws:personalize:us-east-1:123456789012:dataset-group/retail"
MA_ARN = "arn:aws:personalize:us-east-1:123456789012:metric-attribution/retail-attribution"
ROLE = "arn:aws:iam::123456789012:role/PersonalizeMetrics"
CTX = RuleContext(as_of=datetime(2026, 11, 30, tzinfo=timezone.utc))


def doc(data: Any, kind: str, path: str = "attribution.json",
        subkind: str | None = None) -> Document:
    return json_document(data, kind, path, subkind)


def metric(event_type: str = "click", name: str = "CLICKS",
           expression: str = "SAMPLECOUNT()") -> dict[str, str]:
    return {"eventType": event_type, "metricName": name, "expression": expression}


def metrics(count: int) -> list[dict[str, str]]:
    return [metric(f"event{i}", f"METRIC_{i}") for i in range(count)]


def create(*items: dict[str, str], name: str = "retail-attribution", group: str = DG,
           **members: Any) -> dict[str, Any]:
    return {"name": name, "datasetGroupArn": group, "metrics": list(items),
            "metricsOutputConfig": {"roleArn": ROLE,
                                    "s3DataDestination": {"path": "s3://metrics/attribution/"}},
            **members}


def update(add: list[dict[str, str]], remove: list[str] = (), arn: str = MA_ARN  # type: ignore[assignment]
           ) -> dict[str, Any]:
    data: dict[str, Any] = {"metricAttributionArn": arn, "addMetrics": add}
    if remove:
        data["removeMetrics"] = list(remove)
    return data


def describe(items: list[dict[str, str]] | None, created: str = "2024-01-10T00:00:00Z",
             group: str = DG) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "retail-attribution", "metricAttributionArn": MA_ARN,
                            "datasetGroupArn": group, "status": "ACTIVE",
                            "creationDateTime": created,
                            "metricsOutputConfig": {"roleArn": ROLE}}
    data: dict[str, Any] = {"metricAttribution": body}
    if items is not None:
        data["metrics"] = items
    return data


def standalone(*documents: Document) -> Inventory:
    return Inventory(documents=list(documents), standalone=list(documents))


def setup(data: Any, *, form: str = "create", name: str = "retail",
          schemas: dict[str, dict[str, Any]] | None = None,
          events: list[Any] = (),  # type: ignore[assignment]
          interactions_data: bool = False, import_jobs: list[dict[str, Any]] = (),  # type: ignore[assignment]
          trackers: list[dict[str, Any]] = (),  # type: ignore[assignment]
          path: str = "attribution.json") -> Setup:
    s = Setup(name=name, location=Location(path="personalize-lint.toml"))
    attribution_doc = doc(data, "metric-attribution", path, subkind=form)
    s.metric_attribution = MetricAttribution(data=attribution_doc.data,
                                             source=Source(attribution_doc), form=form)
    for dataset_type, avro in (schemas or {}).items():
        schema_doc = doc(avro, "schema", f"{dataset_type.lower()}-schema.json")
        s.dataset_group.schemas[dataset_type] = Schema(avro=schema_doc.data,
                                                       source=Source(schema_doc),
                                                       dataset_type=dataset_type)
    for index, payload in enumerate(events):
        events_doc = doc(payload, "putevents", f"events/{index}.json")
        s.events.append(EventsPayload(data=events_doc.data, source=Source(events_doc)))
    if interactions_data:
        s.interactions_data.append(DataSource("data/interactions.csv",
                                              Source(location=Location(path="data/x.csv"))))
    s.dataset_group.import_jobs = list(import_jobs)
    s.dataset_group.event_trackers = list(trackers)
    return s


def with_data(s: Setup, folder: Path, header: str, *rows: str) -> RuleContext:
    """Give the set-up bulk interactions data (a CSV written in ``folder``); returns the
    context that reads it from there."""
    (folder / "interactions.csv").write_text("\n".join([header, *rows]) + "\n")
    s.interactions_data = [DataSource("interactions.csv",
                                      Source(location=Location(path="personalize-lint.toml")))]
    return RuleContext(as_of=CTX.as_of, options={"root": folder}, quiet=True)


def run(check: Rule, inventory: Inventory, ctx: RuleContext = CTX) -> list[Finding]:
    assert check.check is not None
    return list(check.check(inventory, ctx))


def ids(findings: list[Finding]) -> list[str]:
    return [f.rule_id for f in findings]


def record(*fields: tuple[str, Any], name: str) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": [{"name": n, "type": t} for n, t in fields],
            "version": "1.0"}


INTERACTIONS = record(("USER_ID", "string"), ("ITEM_ID", "string"), ("EVENT_TYPE", "string"),
                      ("EVENT_VALUE", ["null", "float"]), ("TIMESTAMP", "long"),
                      name="Interactions")
ITEMS = record(("ITEM_ID", "string"), ("PRICE", ["null", "float"]), ("MARGIN", "double"),
               ("TITLE", "string"), name="Items")


def put_events(*events: dict[str, Any], tracking: str = "t-1") -> dict[str, Any]:
    return {"trackingId": tracking, "sessionId": "s-1", "userId": "u-1", "eventList": list(events)}


def event(event_type: str = "click", **members: Any) -> dict[str, Any]:
    return {"eventType": event_type, "sentAt": 1700000000, "itemId": "i-1", **members}
