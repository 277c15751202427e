"""Whole set-ups from one template: a compliant one and each family of failure.

Every template is checked in three spellings (YAML with short-form tags, JSON and YAML
with long-form intrinsics); the findings must be the same rule, at the same logical
resource and template pointer, in each. In the short-form YAML the line of each finding
must hold the property at fault.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personalize_lint.findings import Finding

FORMS = ("yaml-short", "json-long", "yaml-long")

ROLE = "/Resources/MetricsRole/Properties"
R = "/Resources"

EXPECTED: dict[str, list[tuple[str, str, str, str]]] = {
    # (rule, logical ID, template pointer, text on the finding's line in the YAML source)
    "compliant.yaml": [],
    "cdk.json": [],
    "role.yaml": [
        ("PL103", "MetricsRole", f"{ROLE}/Policies/0/PolicyDocument/Statement/0",
         "Sid: PublishMetrics"),
        ("PL106", "MetricsRole", f"{ROLE}/Policies/0/PolicyDocument/Statement/1",
         "Sid: ManageEverything"),
        ("PL104", "WriteReportsPolicy",
         f"{R}/WriteReportsPolicy/Properties/PolicyDocument/Statement/0", "Sid: WriteReports"),
        ("PL105", "WriteReportsPolicy",
         f"{R}/WriteReportsPolicy/Properties/PolicyDocument/Statement/1", "Sid: UseKey"),
    ],
    "trust.yaml": [
        ("PL101", "MisspeltRole",
         f"{R}/MisspeltRole/Properties/AssumeRolePolicyDocument/Statement/0",
         "Sid: TrustPersonalize"),
        ("PL102", "UnguardedRole",
         f"{R}/UnguardedRole/Properties/AssumeRolePolicyDocument/Statement/0",
         "Sid: TrustPersonalize"),
    ],
    "bucket.yaml": [
        ("PL204", "OpenBucketPolicy",
         f"{R}/OpenBucketPolicy/Properties/PolicyDocument/Statement/0", "Sid: PersonalizeWrites"),
        ("PL203", "OpenBucketPolicy",
         f"{R}/OpenBucketPolicy/Properties/PolicyDocument/Statement/1", "Sid: PublicRead"),
        ("PL202", "OpenBucketPolicy",
         f"{R}/OpenBucketPolicy/Properties/PolicyDocument/Statement/2",
         "Sid: OnlyThroughTheVpcEndpoint"),
        # The Deny blocks the role's writes as well.
        ("PL104", "OpenBucketPolicy",
         f"{R}/OpenBucketPolicy/Properties/PolicyDocument/Statement/2",
         "Sid: OnlyThroughTheVpcEndpoint"),
        ("PL201", "ImportBucketPolicy",
         f"{R}/ImportBucketPolicy/Properties/PolicyDocument/Statement/0",
         "Sid: PersonalizeReadsImports"),
    ],
    "key.yaml": [
        ("PL303", "ClosedKey", f"{R}/ClosedKey", "ClosedKey:"),
        ("PL301", "ClosedKey", f"{R}/ClosedKey/Properties/KeyPolicy/Statement/0",
         "Sid: AccountRootOnly"),
        ("PL105", "MetricsRole", f"{ROLE}/Policies/0/PolicyDocument/Statement/0",
         "Effect: Allow"),
        ("PL302", "RetailAttribution",
         f"{R}/RetailAttribution/Properties/MetricsOutputConfig/S3DataDestination/KmsKeyArn",
         "KmsKeyArn: !Sub"),
    ],
    "attribution.yaml": [
        ("PL407", "RetailAttribution", f"{R}/RetailAttribution/Properties/Name",
         "Name: retail attribution"),
        ("PL405", "RetailAttribution", f"{R}/RetailAttribution/Properties/Metrics/1/MetricName",
         "MetricName: CLICKS"),
        ("PL403", "RetailAttribution", f"{R}/RetailAttribution/Properties/Metrics/2/Expression",
         "SUM(Orders.PRICE)"),
        ("PL002", "RetailAttribution", f"{R}/RetailAttribution/Properties/Metrics/3",
         "Expresion"),
        ("PL002", "RetailAttribution", f"{R}/RetailAttribution/Properties/Metrics/3/Expresion",
         "Expresion"),
        ("PL402", "SecondAttribution", f"{R}/SecondAttribution/Properties/DatasetGroupArn",
         "DatasetGroupArn:"),
        ("PL401", "SecondAttribution", f"{R}/SecondAttribution/Properties/Metrics",
         "EventType: event0"),
    ],
    "schema.yaml": [
        ("PL501", "InteractionsSchema", f"{R}/InteractionsSchema/Properties/Schema",
         "Schema: >-"),
        ("PL503", "UsersSchema", f"{R}/UsersSchema/Properties/Schema", "Schema: '{"),
        ("PL404", "Attribution", f"{R}/Attribution/Properties/Metrics/1/Expression",
         "SUM(Items.PRICE)"),
    ],
}


def _expected(name: str) -> list[tuple[str, str, str]]:
    return sorted((rule, lid, pointer) for rule, lid, pointer, _ in EXPECTED[name])


# CDK writes JSON with long-form intrinsics only: no short-form spelling of it.
CASES = [(n, f) for n in sorted(EXPECTED) for f in FORMS
         if not (n.endswith(".json") and f == "yaml-short")]


@pytest.mark.parametrize(("name", "form"), CASES)
def test_findings_are_the_same_in_every_spelling(name, form, render, lint, keyed) -> None:
    findings = lint(render(name, form))
    assert keyed(findings) == _expected(name), [f.message for f in findings]
    # Each finding names its set-up: the template and the attribution's logical ID.
    assert all(f.setup is None or f.setup.startswith(f"{render(name, form).name}#")
               for f in findings)


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.endswith(".yaml")))
def test_each_finding_points_at_the_property_at_fault(name, tmp_path, lint, templates) -> None:
    source = tmp_path / name
    source.write_text((templates / name).read_text())
    lines = source.read_text().splitlines()
    by_key: dict[tuple[str, str | None, str], Finding] = {
        (f.rule_id, f.location.logical_id, f.location.pointer): f for f in lint(source)}
    for rule, lid, pointer, text in EXPECTED[name]:
        finding = by_key[(rule, lid, pointer)]
        assert finding.location.path == name
        assert finding.location.line is not None and finding.location.column is not None
        assert text in lines[finding.location.line - 1], (rule, finding.location.line)


def test_the_compliant_template_makes_one_clean_setup(render, lint) -> None:
    findings = lint(render("compliant.yaml", "yaml-short"), ignore=())
    # Only the cost note: everything resolved, linked and allowed.
    assert [f.rule_id for f in findings] == ["PL409"]
    assert findings[0].setup == "compliant.yaml#Attribution"
    assert findings[0].location.logical_id == "Attribution"


def test_cdk_managed_policy_arn_built_with_the_partition_is_known(
    tmp_path: Path, lint, data_of
) -> None:
    # CloudWatchFullAccessV2 is attached by an ARN joined from AWS::Partition: without it
    # the role could not publish. Drop it and PL103 must fire.
    data = data_of("cdk.json")
    role = data["Resources"]["PersonalizeMetricsRole7D3E2B1A"]["Properties"]
    del role["ManagedPolicyArns"]
    path = tmp_path / "cdk.json"
    path.write_text(json.dumps(data, indent=1))
    findings = lint(path)
    assert [(f.rule_id, f.location.logical_id) for f in findings] == [
        ("PL103", "PersonalizeMetricsRoleDefaultPolicy5B1C6A2F")]


def test_cdk_metadata_and_bootstrap_parameter_stay_quiet(render, lint) -> None:
    # The SSM bootstrap parameter and the CDKMetadata condition on AWS::Region cannot be
    # resolved, but nothing a set-up uses depends on them: no PL003 for them.
    findings = lint(render("cdk.json", "json-long"), ignore=())
    assert [f.rule_id for f in findings] == ["PL409"]
