"""PL401-PL409: the metric attribution, alone and across a set-up."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

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
from personalize_lint.rules import attribution as A

pytest.importorskip("botocore")

DG = "arn:aws:personalize:us-east-1:123456789012:dataset-group/retail"
MA_ARN = "arn:aws:personalize:us-east-1:123456789012:metric-attribution/retail-attribution"
ROLE = "arn:aws:iam::123456789012:role/PersonalizeMetrics"
CTX = RuleContext(as_of=datetime(2026, 11, 30, tzinfo=timezone.utc))


def doc(data: Any, kind: str, path: str = "attribution.json",
        subkind: str | None = None) -> Document:
    """A document with positions when the position-keeping parser is there."""
    try:
        from personalize_lint.loaders.jsonpos import parse_json
    except ImportError:
        return Document(path, kind, data, subkind=subkind)
    parsed = parse_json(json.dumps(data, indent=2), max_depth=64)
    return Document(path, kind, parsed.data, parsed.spans, parsed.key_spans, subkind=subkind)


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
    attribution = A.read_attribution(data, Source(doc(data, "metric-attribution")))
    assert attribution.form == form


def test_console_spelling_is_recognised() -> None:
    data = {"EventType": "watch", "MetricName": "MinutesWatchedTracker",
            "MetricMathExpression": "SUM(Items.LENGTH)"}
    attribution = A.read_attribution(data, Source(doc(data, "metric-attribution")))
    assert attribution.console
    (m,) = attribution.metrics or []
    assert m.value("expression") == "SUM(Items.LENGTH)"
    assert m.console_keys == ["EventType", "MetricName", "MetricMathExpression"]
    assert m.pointer_of("expression") == "/MetricMathExpression"


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
    findings = run(A.pl401_too_many_metrics, standalone(doc(data, "metric-attribution")))
    assert ids(findings) == expected


def test_pl401_eleven_metrics_points_at_the_list() -> None:
    (finding,) = run(A.pl401_too_many_metrics,
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
    findings = run(A.pl401_too_many_metrics, inventory)
    assert ids(findings) == expected
    if expected:
        assert f"{existing} existing + {add} added" in findings[0].message


def test_pl401_update_matches_the_create_request_by_name() -> None:
    inventory = standalone(doc(create(*metrics(9)), "metric-attribution", "create.json"),
                           doc(update([metric("a", "A"), metric("b", "B")]), "metric-attribution",
                               "update.json"))
    assert ids(run(A.pl401_too_many_metrics, inventory)) == ["PL401"]


def test_pl401_update_in_a_set_up_without_existing_metrics_is_not_evaluated() -> None:
    inventory = Inventory(setups=[setup(update([metric()]), form="update")])
    findings = run(A.pl401_too_many_metrics, inventory)
    assert ids(findings) == ["PL003"]
    assert "describe-metric-attribution" in findings[0].message


def test_pl401_constraints_unavailable_is_pl003(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable() -> None:
        raise A.ConstraintsUnavailable("botocore is not installed")

    monkeypatch.setattr(A, "metric_attribution_constraints", unavailable)
    findings = run(A.pl401_too_many_metrics,
                   standalone(doc(create(*metrics(11)), "metric-attribution")))
    assert ids(findings) == ["PL003"] and "botocore" in findings[0].message


# --- PL402 --------------------------------------------------------------------------


def test_pl402_two_attributions_for_one_dataset_group() -> None:
    inventory = standalone(doc(create(metric(), name="first"), "metric-attribution", "a.json"),
                           doc(create(metric(), name="second"), "metric-attribution", "b.json"))
    (finding,) = run(A.pl402_one_attribution_per_dataset_group, inventory)
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
    assert ids(run(A.pl402_one_attribution_per_dataset_group, inventory)) == expected


def test_pl402_counts_across_set_ups_and_standalone_documents() -> None:
    one = setup(create(metric(), name="first"), name="one", path="one.json")
    two = setup(create(metric(), name="second"), name="two", path="two.json")
    loose = doc(create(metric(), name="third"), "metric-attribution", "loose.json")
    inventory = Inventory(setups=[one, two], standalone=[loose], documents=[loose])
    findings = run(A.pl402_one_attribution_per_dataset_group, inventory)
    assert [f.location.path for f in findings] == ["two.json", "loose.json"]
    assert findings[0].setup == "two"


def test_pl402_shared_file_counts_once() -> None:
    one = setup(create(metric()), name="one")
    two = Setup(name="two", location=Location(), metric_attribution=one.metric_attribution)
    assert run(A.pl402_one_attribution_per_dataset_group, Inventory(setups=[one, two])) == []


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
    findings = run(A.pl403_bad_expression, standalone(doc(data, "metric-attribution")))
    assert ids(findings) == expected
    for finding in findings:
        assert finding.location.pointer == "/metrics/0/expression"
        assert "at character" in finding.message


def test_pl403_names_the_console_field() -> None:
    data = {"EventType": "watch", "MetricName": "M", "MetricMathExpression": "SUM(Video.LENGTH)"}
    (finding,) = run(A.pl403_bad_expression, standalone(doc(data, "metric-attribution")))
    assert "console field MetricMathExpression" in finding.message
    assert finding.location.pointer == "/MetricMathExpression"


def test_pl403_checks_add_metrics_and_metric_lists_mistaken_for_events() -> None:
    inventory = standalone(doc(update([metric(expression="AVG(Items.X)")]), "metric-attribution"),
                           doc([metric(expression="X")], "putevents", "metrics.json"))
    assert ids(run(A.pl403_bad_expression, inventory)) == ["PL403", "PL403"]


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
    findings = run(A.pl404_sum_column, inventory)
    assert ids(findings) == expected
    assert all(f.setup == "retail" for f in findings)


def test_pl404_points_at_the_expression_and_the_schema_field() -> None:
    inventory = Inventory(setups=[setup(create(metric("purchase", "R", "SUM(Items.TITLE)")),
                                        schemas={"Items": ITEMS})])
    (finding,) = run(A.pl404_sum_column, inventory)
    assert "Items.TITLE is string" in finding.message
    assert finding.location.pointer == "/metrics/0/expression"
    assert finding.related[0].path == "items-schema.json"
    assert finding.related[0].pointer == "/fields/3/type"


def test_pl404_is_not_decided_on_a_file_alone() -> None:
    data = create(metric("purchase", "R", "SUM(Items.NOPE)"))
    assert run(A.pl404_sum_column, standalone(doc(data, "metric-attribution"))) == []


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
    findings = run(A.pl405_metric_names, standalone(doc(create(*items), "metric-attribution")))
    assert ids(findings) == expected


def test_pl405_duplicate_points_at_the_second_and_relates_the_first() -> None:
    data = create(metric(name="CLICKS"), metric("view", "Clicks"))
    (finding,) = run(A.pl405_metric_names, standalone(doc(data, "metric-attribution")))
    assert finding.location.pointer == "/metrics/1/metricName"
    assert finding.related[0].pointer == "/metrics/0"


def test_pl405_update_adding_an_existing_name() -> None:
    inventory = standalone(doc(describe([metric(name="CLICKS")]), "metric-attribution", "d.json"),
                           doc(update([metric("view", "clicks")]), "metric-attribution", "u.json"))
    (finding,) = run(A.pl405_metric_names, inventory)
    assert finding.location.path == "u.json" and finding.related[0].path == "d.json"
    removed = standalone(doc(describe([metric(name="CLICKS")]), "metric-attribution", "d.json"),
                         doc(update([metric("view", "clicks")], ["CLICKS"]), "metric-attribution",
                             "u.json"))
    assert run(A.pl405_metric_names, removed) == []


# --- PL406 --------------------------------------------------------------------------


def test_pl406_event_type_never_seen_in_events() -> None:
    s = setup(create(metric("click", "CLICKS"), metric("Purchase", "BUYS")),
              events=[put_events(event("CLICK")), put_events(event("view"))])
    (finding,) = run(A.pl406_unseen_event_type, Inventory(setups=[s]))
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
    assert ids(run(A.pl406_unseen_event_type, Inventory(setups=[s]), ctx)) == expected


def test_event_types_from_data_hook() -> None:
    s = setup(create(metric()))
    assert A.event_types_from_data(s, CTX) is None
    ctx = RuleContext(as_of=CTX.as_of, options={"data_event_types": {"retail": ["a", "b"]}})
    assert A.event_types_from_data(s, ctx) == {"a", "b"}


# --- PL407 and PL002 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "pointer"),
    [
        (create(metric(), name="retail attribution"), "/name"),
        (create(metric(), name="x" * 64), "/name"),
        (create(metric(), group="string"), "/datasetGroupArn"),
        (create(metric(), group="arn:aws:personalize:us-east-1:123456789012:campaign/x"),
         "/datasetGroupArn"),
        ({**create(metric()), "metricsOutputConfig": {
            "roleArn": "Amazon Personalize service role ARN",
            "s3DataDestination": {"path": "s3://b/"}}}, "/metricsOutputConfig/roleArn"),
        ({**create(metric()), "metricsOutputConfig": {
            "roleArn": ROLE, "s3DataDestination": {"path": "bucket/folder"}}},
         "/metricsOutputConfig/s3DataDestination/path"),
        ({**create(metric()), "metricsOutputConfig": {
            "roleArn": ROLE, "s3DataDestination": {"path": "s3://b/" + "p" * 256}}},
         "/metricsOutputConfig/s3DataDestination/path"),
        (update([metric()], arn="string"), "/metricAttributionArn"),
        (update([metric()], arn=DG), "/metricAttributionArn"),
        ({"roleArn": "x", "s3DataDestination": {"path": "s3://bucket-name/folder-name/"}},
         "/roleArn"),
    ],
)
def test_pl407_api_constraints(data: Any, pointer: str) -> None:
    findings = run(A.pl407_api_constraints, standalone(doc(data, "metric-attribution")))
    assert [(f.rule_id, f.location.pointer) for f in findings] == [("PL407", pointer)]


def test_pl407_good_request_and_describe_output_are_quiet() -> None:
    inventory = standalone(doc(create(*metrics(3)), "metric-attribution", "c.json"),
                           doc(describe(None), "metric-attribution", "d.json"),
                           doc(update([metric()]), "metric-attribution", "u.json"))
    assert run(A.pl407_api_constraints, inventory) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "x", "datasetGroupArn": DG, "metrics": [metric()]},
         [("PL002", "")]),  # no metricsOutputConfig
        ({**create(metric()), "tags": []}, [("PL002", "/tags")]),
        (create({"eventType": "click", "metricName": "M"}), [("PL002", "/metrics/0")]),
        (create(metric(), metrics="SAMPLECOUNT()"), [("PL002", "/metrics")]),
        ([{"eventType": "click", "metricName": "M", "expression": 5}],
         [("PL002", "/0/expression")]),
    ],
)
def test_pl002_request_shape(data: Any, expected: list[tuple[str, str]]) -> None:
    findings = run(A.pl407_api_constraints, standalone(doc(data, "metric-attribution")))
    assert [(f.rule_id, f.location.pointer) for f in findings] == expected


def test_pl002_console_members_inside_a_request_are_one_finding() -> None:
    data = create({"EventType": "watch", "MetricName": "M",
                   "MetricMathExpression": "SAMPLECOUNT()"})
    findings = run(A.pl407_api_constraints, standalone(doc(data, "metric-attribution")))
    assert [(f.rule_id, f.location.pointer) for f in findings] == [("PL002", "/metrics/0")]
    assert "console's member names (EventType, MetricName, MetricMathExpression)" in \
        findings[0].message


def test_console_input_alone_is_not_a_request() -> None:
    data = {"EventType": "watch", "MetricName": "MinutesWatchedTracker",
            "MetricMathExpression": "SUM(Items.LENGTH)"}
    inventory = standalone(doc(data, "metric-attribution", subkind="console"))
    for check in (A.pl401_too_many_metrics, A.pl403_bad_expression, A.pl405_metric_names,
                  A.pl407_api_constraints):
        assert run(check, inventory) == []


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
    assert ids(run(A.pl408_imported_before, Inventory(setups=[s]))) == expected


def test_pl408_says_nothing_on_files_alone() -> None:
    inventory = standalone(doc(describe(None), "metric-attribution"))
    assert run(A.pl408_imported_before, inventory) == []


def test_parse_time() -> None:
    assert A.parse_time("2024-01-01T00:00:00Z") == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert A.parse_time(1704067200) == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert A.parse_time(datetime(2024, 1, 1)) == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert A.parse_time("soon") is None and A.parse_time(True) is None


# --- PL409 --------------------------------------------------------------------------


def test_pl409_metrics_times_sources() -> None:
    s = setup(create(metric(), metric("view", "VIEWS")), events=[
        put_events(event(metricAttribution={"eventAttributionSource": "home"}),
                   event(metricAttribution={"eventAttributionSource": "email"})),
        put_events(event()),
    ])
    (finding,) = run(A.pl409_cloudwatch_cost, Inventory(setups=[s]))
    assert "2 metric(s) x 3 attribution source(s)" in finding.message
    assert "SOURCE_NAME_UNDEFINED" in finding.message and "about 6" in finding.message


def test_pl409_with_data_sources_and_without_anything() -> None:
    s = setup(create(metric()), interactions_data=True)
    (finding,) = run(A.pl409_cloudwatch_cost, Inventory(setups=[s]))
    assert "none seen" in finding.message
    ctx = RuleContext(as_of=CTX.as_of,
                      options={"data_attribution_sources": {"retail": {"a", "b", "c"}}})
    (finding,) = run(A.pl409_cloudwatch_cost, Inventory(setups=[s]), ctx)
    assert "1 metric(s) x 3 attribution source(s)" in finding.message


def test_pl409_not_for_files_alone() -> None:
    assert run(A.pl409_cloudwatch_cost,
               standalone(doc(create(metric()), "metric-attribution"))) == []


def test_pl401_counts_every_list_entry() -> None:
    data = create(*metrics(10))
    data["metrics"].append("SAMPLECOUNT()")
    findings = run(A.pl407_api_constraints, standalone(doc(data, "metric-attribution")))
    assert [(f.rule_id, f.location.pointer) for f in findings] == [("PL002", "/metrics/10")]
    (finding,) = run(A.pl401_too_many_metrics, standalone(doc(data, "metric-attribution")))
    assert finding.message.startswith("11 metrics")
