"""JSON output: valid against the schema we ship, complete, and stable for scripts."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import pytest
from jsonschema import Draft202012Validator

from personalize_lint.findings import Finding
from personalize_lint.location import Location, Span
from personalize_lint.reporters.json_report import (
    FORMAT_VERSION,
    SCHEMA_ID,
    JsonReporter,
    fingerprint,
)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    text = (resources.files("personalize_lint") / "schemas/findings-report.schema.json").read_text(
        encoding="utf-8"
    )
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def render(report) -> dict:
    return json.loads(JsonReporter().render(report))


def test_schema_identity(validator):
    assert validator.schema["$id"] == SCHEMA_ID
    assert validator.schema["properties"]["version"] == {"const": FORMAT_VERSION}


def test_report_validates(validator, report):
    doc = render(report)
    assert list(validator.iter_errors(doc)) == []
    assert doc["$schema"] == SCHEMA_ID
    assert doc["version"] == "1.0"
    assert doc["tool"] == {"name": "personalize-lint", "version": "0.1.0"}


def test_empty_report_validates(validator, empty_report):
    doc = render(empty_report)
    assert list(validator.iter_errors(doc)) == []
    assert doc["findings"] == []
    assert doc["summary"] == {
        "error": 0,
        "warning": 0,
        "note": 0,
        "suppressed": 0,
        "files": 4,
        "setups": 0,
        "exit_code": 0,
        "fail_on": "error",
    }


def test_summary_counts_active_findings(report):
    assert render(report)["summary"] == {
        "error": 4,
        "warning": 1,
        "note": 1,
        "suppressed": 1,
        "files": 4,
        "setups": 2,
        "exit_code": 1,
        "fail_on": "error",
    }


def test_finding_fields(report):
    first = render(report)["findings"][0]
    assert first == {
        "rule_id": "PL104",
        "level": "error",
        "message": "Service role cannot write s3://metrics-bucket/out/",
        "path": "iam/role-policy.json",
        "line": 12,
        "column": 5,
        "end_line": 12,
        "end_column": 30,
        "pointer": "/Statement/0",
        "arn": None,
        "region": None,
        "logical_id": None,
        "setup": "retail",
        "related": [
            {
                "path": "s3/bucket policy.json",
                "line": 3,
                "column": 1,
                "end_line": 9,
                "end_column": 2,
                "pointer": "/Statement/1",
                "arn": None,
                "region": None,
                "logical_id": None,
            },
            {
                "path": None,
                "line": None,
                "column": None,
                "end_line": None,
                "end_column": None,
                "pointer": "",
                "arn": "arn:aws:s3:::metrics-bucket",
                "region": None,
                "logical_id": None,
            },
        ],
        "suppressed": None,
        "fingerprint": fingerprint(report.findings[0]),
        "properties": {},
    }


def test_suppressed_findings_are_listed_with_reason(report):
    by_rule = {f["rule_id"]: f for f in render(report)["findings"]}
    assert by_rule["PL106"]["suppressed"] == {
        "kind": "external",
        "justification": "accepted: sandbox account",
    }


def test_arn_and_logical_id_and_config_findings(report):
    by_rule = {f["rule_id"]: f for f in render(report)["findings"]}
    assert by_rule["PL303"]["arn"].startswith("arn:aws:kms:us-east-1:")
    assert by_rule["PL303"]["region"] == "us-east-1"
    assert by_rule["PL303"]["path"] is None and by_rule["PL303"]["line"] is None
    assert by_rule["PL004"]["path"] is None and by_rule["PL004"]["arn"] is None
    template = [f for f in render(report)["findings"] if f["path"] == "template.yaml"]
    assert template[0]["logical_id"] == "MetricsRole"


def test_unicode_and_odd_properties_survive(report):
    text = JsonReporter().render(report)
    assert "„personalize“ ✓" in text  # UTF-8, not \\u escapes
    by_rule = {f["rule_id"]: f for f in json.loads(text)["findings"]}
    assert by_rule["PL204"]["message"] == report.findings[2].message
    assert by_rule["PL204"]["properties"] == {"principals": ["a", "b"]}  # a set, sorted
    assert by_rule["PL409"]["properties"] == {"metrics": 12}


def test_output_is_deterministic(build_report):
    assert JsonReporter().render(build_report()) == JsonReporter().render(build_report())


def test_fingerprint_ignores_lines_but_not_place():
    base = Finding("PL104", "m", Location("a.json", Span(3, 1, 3, 9), pointer="/Statement/0"))
    moved = replace(base, location=Location("a.json", Span(30, 4, 31, 2), pointer="/Statement/0"))
    other_pointer = replace(
        base, location=Location("a.json", Span(3, 1, 3, 9), pointer="/Statement/1")
    )
    other_file = replace(
        base, location=Location("b.json", Span(3, 1, 3, 9), pointer="/Statement/0")
    )
    other_rule = replace(base, rule_id="PL201")
    other_setup = replace(base, setup="other")
    assert fingerprint(base) == fingerprint(moved) == fingerprint(replace(base, message="new"))
    prints = {fingerprint(f) for f in (base, other_pointer, other_file, other_rule, other_setup)}
    assert len(prints) == 5


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("version",), "2.0"),
        (("summary", "exit_code"), 3),
        (("findings", 0, "level"), "fatal"),
        (("findings", 0, "line"), 0),
        (("findings", 0, "fingerprint"), "not-a-hash"),
        (("findings", 0, "suppressed"), {"kind": "baseline"}),
        (("findings", 0, "unexpected"), 1),
        (("findings", 0, "related", 0, "unexpected"), 1),
    ],
)
def test_schema_rejects_corrupted_output(validator, report, path, value):
    doc = render(report)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert list(validator.iter_errors(doc)) != []


def test_schema_requires_the_summary(validator, report):
    doc = render(report)
    del doc["summary"]["suppressed"]
    assert not validator.is_valid(doc)
