"""SCPs and RCPs written in a template (AWS::Organizations::Policy), and PermissionsBoundary
on AWS::IAM::Role: the compliant template plus the resource each case is about."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from personalize_lint.findings import Finding

from .conftest import Lint, template_data

BASE = template_data("compliant.yaml")


def org_policy(kind: str, content: Any, targets: list[Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"Name": "guardrail", "Type": kind, "Content": content}
    if targets is not None:
        props["TargetIds"] = targets
    return {"Type": "AWS::Organizations::Policy", "Properties": props}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def write_template(tmp_path: Path, resources: dict[str, Any],
                   role_props: dict[str, Any] | None = None) -> Path:
    data = copy.deepcopy(BASE)
    data["Resources"].update(resources)
    data["Resources"]["MetricsRole"]["Properties"].update(role_props or {})
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=120), encoding="utf-8")
    return path


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule_id for f in findings)


SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
DENY_METRICS = doc({"Sid": "NoMetrics", "Effect": "Deny", "Action": "cloudwatch:*",
                    "Resource": "*"})


@pytest.mark.parametrize(("resource", "expected"), [
    (org_policy(SCP, DENY_METRICS, ["r-abcd"]), ["PL103"]),
    (org_policy(SCP, json.dumps(DENY_METRICS), ["ou-abcd-12345678"]), ["PL103"]),
    (org_policy(SCP, doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*"}), ["r-abcd"]),
     []),
    # An allow-list SCP stands alone at its level (FullAWSAccess detached there).
    (org_policy(SCP, doc({"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}),
                ["ou-abcd-12345678"]), ["PL103"]),
    (org_policy(SCP, DENY_METRICS, ["999999999999"]), []),  # another account only
    (org_policy(SCP, DENY_METRICS), []),  # attached to nothing
    (org_policy("TAG_POLICY", {"tags": {"team": {"tag_key": {"@@assign": "Team"}}}},
                ["r-abcd"]), []),
    (org_policy(RCP, doc({"Sid": "NoServices", "Effect": "Deny", "Principal": "*",
                          "Action": ["s3:*", "kms:*"], "Resource": "*",
                          "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}}),
                ["r-abcd"]), ["PL202", "PL301"]),
    # STS is covered by RCPs, and a service principal's AssumeRole of a service role (not a
    # service-linked role) is under them: see tests/test_organization_setup.py for the quote.
    (org_policy(RCP, doc({"Sid": "NoServiceRoles", "Effect": "Deny", "Principal": "*",
                          "Action": "sts:AssumeRole", "Resource": "*",
                          "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}}),
                ["r-abcd"]), ["PL101"]),
], ids=["deny at root", "json string content", "deny elsewhere", "allow list",
        "other account", "not attached", "tag policy", "rcp denies services",
        "rcp denies assume role"])
def test_template_organization_policies(tmp_path: Path, lint: Lint, resource: dict[str, Any],
                                        expected: list[str]) -> None:
    findings = lint(write_template(tmp_path, {"Guardrail": resource}))
    assert rules(findings) == expected, [f.message for f in findings]
    for f in findings:
        assert f.location.logical_id == "Guardrail", f.message
        assert "control policy" in f.message


def test_the_scp_statement_is_the_location(tmp_path: Path, lint: Lint) -> None:
    path = write_template(tmp_path, {"Guardrail": org_policy(SCP, DENY_METRICS, ["r-abcd"])})
    (finding,) = lint(path)
    lines = path.read_text().splitlines()
    assert finding.location.pointer == "/Resources/Guardrail/Properties/Content/Statement/0"
    assert finding.location.line is not None
    assert "NoMetrics" in lines[finding.location.line - 1]


def test_a_principal_in_an_scp_is_pl002_at_its_position(tmp_path: Path, lint: Lint) -> None:
    bad = doc({"Effect": "Deny", "Principal": "*", "Action": "cloudwatch:*", "Resource": "*"})
    path = write_template(tmp_path, {"Guardrail": org_policy(SCP, bad, ["r-abcd"])})
    findings = lint(path)
    # The policy of the wrong kind is not left out as if it were not there (that would pass
    # the role's calls on missing data): the checks under it are not evaluated.
    assert rules(findings) == ["PL002", "PL003", "PL003", "PL003"]
    (pl002,) = [f for f in findings if f.rule_id == "PL002"]
    assert pl002.location.pointer.endswith("/Content/Statement/0/Principal")
    assert "not an SCP" in pl002.message
    assert all("Guardrail (it is of the wrong kind) could not be evaluated" in f.message
               for f in findings if f.rule_id == "PL003")


BOUNDARY = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc(
    {"Effect": "Allow", "Action": ["cloudwatch:PutMetricData", "s3:PutObject"],
     "Resource": "*"})}}


def test_a_permissions_boundary_that_omits_kms(tmp_path: Path, lint: Lint) -> None:
    path = write_template(tmp_path, {"Boundary": BOUNDARY},
                          {"PermissionsBoundary": {"Ref": "Boundary"}})
    findings = lint(path)
    assert rules(findings) == ["PL105"], [f.message for f in findings]
    assert "permissions boundary" in findings[0].message
    assert findings[0].location.logical_id == "Boundary"


def test_a_managed_permissions_boundary_by_arn(tmp_path: Path, lint: Lint) -> None:
    path = write_template(tmp_path, {}, {
        "PermissionsBoundary": "arn:aws:iam::aws:policy/AmazonS3FullAccess"})
    assert rules(lint(path)) == ["PL103", "PL105"]


@pytest.mark.parametrize(("boundary", "needle"), [
    ("arn:aws:iam::111122223333:policy/OrgBoundary",
     "policy arn:aws:iam::111122223333:policy/OrgBoundary is not known"),
    ({"Fn::ImportValue": "org-boundary-arn"}, "(it could not be resolved) could not be "
                                               "evaluated"),
], ids=["defined elsewhere", "imported"])
def test_a_boundary_the_template_does_not_define_is_not_evaluated(
        tmp_path: Path, lint: Lint, boundary: Any, needle: str) -> None:
    # A boundary caps every identity grant: one whose document is not in the template may
    # cap the role's calls, so they are not passed on the role's policies alone.
    findings = lint(write_template(tmp_path, {}, {"PermissionsBoundary": boundary}))
    assert not {"PL103", "PL104", "PL105"} & set(rules(findings))
    gated = [f for f in findings if f.rule_id == "PL003" and needle in f.message]
    assert len(gated) == 3, [f.message for f in findings]
