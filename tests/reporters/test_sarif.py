"""SARIF output: valid against the official 2.1.0 schema and shaped for GitHub code scanning."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from jsonschema.validators import validator_for

from personalize_lint.findings import Finding
from personalize_lint.location import Location, Span
from personalize_lint.reporters.sarif import SarifReporter, arn_uri, rule_name


@pytest.fixture(scope="module")
def validator(sarif_schema_path: Path) -> Draft4Validator:
    schema = json.loads(sarif_schema_path.read_text(encoding="utf-8"))
    cls = validator_for(schema)
    assert cls is Draft4Validator
    cls.check_schema(schema)
    return cls(schema)


def sarif(report, **options) -> dict:
    return json.loads(SarifReporter(**options).render(report))


def results_by_rule(log: dict) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for result in log["runs"][0]["results"]:
        grouped.setdefault(result["ruleId"], []).append(result)
    return grouped


def errors(validator, log) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def test_report_validates(validator, report):
    assert errors(validator, sarif(report)) == []


def test_empty_report_validates(validator, empty_report):
    log = sarif(empty_report)
    assert errors(validator, log) == []
    assert log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == 7


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startLine"), 0),
        (("version",), "2.0.0"),
        (("runs", 0, "results", 0, "level"), "fatal"),
        (("runs", 0, "results", 0, "suppressions"), [{"kind": "baseline"}]),
        (("runs", 0, "columnKind"), "bytes"),
    ],
)
def test_corrupted_output_fails_validation(validator, report, path, value):
    log = sarif(report)
    assert errors(validator, log) == []
    broken = copy.deepcopy(log)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert errors(validator, broken) != []


def test_run_header(report):
    log = sarif(report)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "personalize-lint"
    assert driver["version"] == driver["semanticVersion"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/repo/"}}
    assert run["automationDetails"] == {"id": "personalize-lint/check/"}
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"] == [
        {"executionSuccessful": True, "exitCode": 1, "startTimeUtc": "2026-11-30T12:00:00Z"}
    ]


def test_automation_category_and_failed_invocation(build_report):
    run = sarif(build_report([], command="audit", exit_code=2))["runs"][0]
    assert run["automationDetails"]["id"] == "personalize-lint/audit/"
    assert run["invocations"][0]["executionSuccessful"] is False


def test_rules_list_every_registered_rule_sorted_with_github_metadata(report):
    rules = sarif(report)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "PL004",
        "PL104",
        "PL106",
        "PL204",
        "PL303",
        "PL409",
        "PL501",
    ]
    pl104 = rules[1]
    assert pl104["name"] == "ServiceRoleCannotWriteTheMetricsToS3"
    assert pl104["shortDescription"] == {"text": "Service role cannot write the metrics to S3"}
    assert pl104["fullDescription"] == {
        "text": "Personalize writes the metrics as the service role."
    }
    assert pl104["helpUri"] == report.rules["PL104"].source
    assert pl104["defaultConfiguration"] == {"level": "error"}
    assert pl104["properties"] == {
        "tags": ["iam", "s3", "security"],
        "security-severity": "7.5",
        "precision": "high",
        "problem.severity": "error",
    }
    markdown = pl104["help"]["markdown"]
    assert "**How to fix:** Allow s3:PutObject" in markdown
    assert '```json\n{"Effect": "Allow", "Action": "s3:PutObject"}\n```' in markdown
    assert f"[{pl104['helpUri']}]({pl104['helpUri']})" in markdown
    assert "How to fix: Allow s3:PutObject" in pl104["help"]["text"]
    by_id = {r["id"]: r for r in rules}
    assert by_id["PL204"]["properties"]["security-severity"] == "6.1"
    assert by_id["PL204"]["properties"]["precision"] == "medium"
    # An example that holds a fence gets a longer one.
    assert "````\n```\nnested fence\n```\n````" in by_id["PL204"]["help"]["markdown"]
    assert by_id["PL409"]["properties"]["problem.severity"] == "recommendation"
    assert by_id["PL409"]["properties"]["security-severity"] == "2.0"
    assert "helpUri" not in by_id["PL004"]


def test_rule_index_points_at_the_rule(report):
    run = sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_unregistered_rule_still_gets_an_index(validator, build_report):
    finding = Finding("XPL001", "from a plugin", Location("a.json"), "warning")
    log = sarif(build_report([finding]))
    assert errors(validator, log) == []
    run = log["runs"][0]
    assert run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]] == {"id": "XPL001"}


def test_file_result_location(report):
    result = results_by_rule(sarif(report))["PL104"][0]
    assert result["level"] == "error"
    assert result["message"] == {"text": "Service role cannot write s3://metrics-bucket/out/"}
    (location,) = result["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "iam/role-policy.json", "uriBaseId": "%SRCROOT%"},
        # Our spans end inclusively; SARIF's endColumn is exclusive.
        "region": {"startLine": 12, "startColumn": 5, "endLine": 12, "endColumn": 31},
    }
    assert location["logicalLocations"] == [
        {"name": "0", "fullyQualifiedName": "/Statement/0", "kind": "member"}
    ]
    assert result["properties"] == {"setup": "retail"}


def test_related_locations_have_ids(report):
    related = results_by_rule(sarif(report))["PL104"][0]["relatedLocations"]
    assert [r["id"] for r in related] == [0, 1]
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"] == "s3/bucket%20policy.json"
    assert related[0]["message"] == {"text": "s3/bucket policy.json:3:1 /Statement/1"}
    assert (
        related[1]["physicalLocation"]["artifactLocation"]["uri"]
        == "aws/global/global/s3/metrics-bucket"
    )


def test_no_span_no_region(report):
    result = results_by_rule(sarif(report))["PL409"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert "region" not in physical
    assert physical["artifactLocation"]["uri"] == "personalize/metric-attribution.json"
    assert "logicalLocations" not in result["locations"][0]  # whole document


def test_arn_only_finding_gets_a_stable_relative_uri(report):
    result = results_by_rule(sarif(report))["PL303"][0]
    (location,) = result["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {
            "uri": "aws/123456789012/us-east-1/kms/key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "uriBaseId": "%SRCROOT%",
        }
    }
    assert location["logicalLocations"] == [
        {
            "name": "1234abcd-12ab-34cd-56ef-1234567890ab",
            "fullyQualifiedName": report.findings[5].location.arn,
            "kind": "resource",
        }
    ]


def test_config_finding_points_at_the_config_file(report):
    result = results_by_rule(sarif(report))["PL004"][0]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "personalize-lint.toml", "uriBaseId": "%SRCROOT%"}
    }


def test_logical_id_is_a_resource(report):
    result = [
        r for r in results_by_rule(sarif(report))["PL104"] if "MetricsRole" in r["message"]["text"]
    ]
    logical = result[0]["locations"][0]["logicalLocations"]
    assert logical[0] == {
        "name": "MetricsRole",
        "fullyQualifiedName": "MetricsRole",
        "kind": "resource",
    }
    assert logical[1]["kind"] == "member"


def test_suppressed_results_carry_suppressions(report):
    results = sarif(report)["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["PL106"]
    assert suppressed[0]["suppressions"] == [
        {"kind": "external", "justification": "accepted: sandbox account"}
    ]
    assert len(results) == len(report.findings)


def test_drop_suppressed(validator, report):
    log = sarif(report, drop_suppressed=True)
    assert errors(validator, log) == []
    assert "PL106" not in results_by_rule(log)
    assert len(log["runs"][0]["results"]) == len(report.active)
    # The rule list (and so every ruleIndex) does not depend on the results.
    assert (
        log["runs"][0]["tool"]["driver"]["rules"]
        == sarif(report)["runs"][0]["tool"]["driver"]["rules"]
    )


def test_unicode_message_and_properties(report):
    (result,) = results_by_rule(sarif(report))["PL204"]
    assert result["message"]["text"] == report.findings[2].message
    assert result["properties"] == {"principals": ["a", "b"], "setup": "retail"}


def _fingerprint_of(build_report, location: Location) -> str:
    finding = Finding("PL104", "m", location, "error", setup="retail")
    (result,) = sarif(build_report([finding]))["runs"][0]["results"]
    return result["partialFingerprints"]["personalizeLint/v1"]


def test_partial_fingerprints_follow_the_logical_place_not_the_line(build_report):
    here = Location("iam/role.json", Span(12, 5, 12, 30), pointer="/Statement/0")
    moved = replace(here, span=Span(40, 1, 44, 2))
    elsewhere = replace(here, pointer="/Statement/1")
    assert _fingerprint_of(build_report, here) == _fingerprint_of(build_report, moved)
    assert _fingerprint_of(build_report, here) != _fingerprint_of(build_report, elsewhere)
    assert len(_fingerprint_of(build_report, here)) == 64


def test_absolute_paths(validator, build_report, tmp_path):
    inside = Finding(
        "PL104", "m", Location(str(tmp_path / "iam" / "r.json"), Span(1, 1, 1, 1)), "error"
    )
    outside = Finding("PL104", "m", Location("/elsewhere/r.json", Span(1, 1, 1, 1)), "error")
    log = sarif(build_report([inside, outside], root=tmp_path))
    assert errors(validator, log) == []
    first, second = (r["locations"][0]["physicalLocation"] for r in log["runs"][0]["results"])
    assert first["artifactLocation"] == {"uri": "iam/r.json", "uriBaseId": "%SRCROOT%"}
    assert second["artifactLocation"] == {"uri": "file:///elsewhere/r.json"}
    assert first["region"] == {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 2}


@pytest.mark.parametrize(
    ("arn", "uri"),
    [
        ("arn:aws:s3:::my-bucket", "aws/global/global/s3/my-bucket"),
        (
            "arn:aws:iam::123456789012:role/service-role/PersonalizeRole",
            "aws/123456789012/global/iam/role/service-role/PersonalizeRole",
        ),
        (
            "arn:aws-cn:personalize:cn-north-1:123456789012:metric-attribution/ma",
            "aws-cn/123456789012/cn-north-1/personalize/metric-attribution/ma",
        ),
        ("arn:aws:iam::123456789012:role/..", "aws/123456789012/global/iam/role/%2E%2E"),
        ("arn:aws:lambda:eu-west-1:1:function:f:prod", "aws/1/eu-west-1/lambda/function/f/prod"),
        ("not an arn", "aws/unparsed/not%20an%20arn"),
    ],
)
def test_arn_uri(arn, uri):
    assert arn_uri(arn) == uri


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Service role cannot write the metrics to S3", "ServiceRoleCannotWriteTheMetricsToS3"),
        ("Role lacks cloudwatch:PutMetricData", "RoleLacksCloudwatchPutMetricData"),
        ("Over-privileged role (s3:*)", "OverPrivilegedRoleS3"),
    ],
)
def test_rule_name(title, name):
    assert rule_name(title) == name
