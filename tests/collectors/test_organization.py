"""audit --organization over moto_server: the SCPs and RCPs over each account, read from
AWS Organizations (ListParents up to the root, ListPoliciesForTarget, DescribePolicy); what
cannot be read is PL003; the saved inventory replays to the same findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers_audit import audit, audit_with, ids, report_of, session_with_errors, show
from world import ACCOUNT, Aws, deploy

from helpers import REPO, run_cli
from personalize_lint.collectors.assemble import inventory_parts

SCHEMA = REPO / "checker" / "schemas" / "inventory.schema.json"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class Org:
    """An organization whose management account is the caller, and a member account in an
    OU under the root."""

    def __init__(self, aws: Aws) -> None:
        self.client = aws.client("organizations")
        self.client.create_organization(FeatureSet="ALL")
        self.root = self.client.list_roots()["Roots"][0]["Id"]
        self.ou = self.client.create_organizational_unit(
            ParentId=self.root, Name="apps")["OrganizationalUnit"]["Id"]
        status = self.client.create_account(Email="member@example.com", AccountName="member")
        self.member = status["CreateAccountStatus"]["AccountId"]
        self.client.move_account(AccountId=self.member, SourceParentId=self.root,
                                 DestinationParentId=self.ou)
        aws.fake.assumed_account = self.member
        self.role = f"arn:aws:iam::{self.member}:role/Auditor"

    def attach(self, content: str, target: str, kind: str = "SERVICE_CONTROL_POLICY",
               name: str = "guardrail") -> str:
        policy = self.client.create_policy(Content=content, Description="", Name=name,
                                           Type=kind)["Policy"]["PolicySummary"]
        self.client.attach_policy(PolicyId=policy["Id"], TargetId=target)
        return str(policy["Arn"])


def test_an_scp_on_the_ou_denying_cloudwatch_is_pl103_at_the_policy(aws: Aws) -> None:
    org = Org(aws)
    deployed = deploy(aws, "member-app", account=org.member)
    arn = org.attach(doc({"Sid": "NoMetrics", "Effect": "Deny", "Action": "cloudwatch:*",
                          "Resource": "*"}), org.ou)
    result = audit(role_arns=[org.role], organization=True)
    levels = result.body["organizations"][org.member]["serviceControlPolicies"]
    assert [[p["target"] for p in level] for level in levels] == [
        [org.root], [org.ou, org.ou], [org.member]]  # root, the OU, the account
    report = report_of(result)
    assert ids(report.active) == ["PL103"], show(report)
    (pl103,) = report.active
    assert "service control policy" in pl103.message and "NoMetrics" in pl103.message
    assert pl103.location.arn == arn
    assert pl103.setup == f"{org.member}/us-east-1/{deployed.name}"


def test_an_allow_list_without_cloudwatch_at_the_ou_blocks_the_role(aws: Aws) -> None:
    org = Org(aws)
    deploy(aws, "member-app", account=org.member)
    org.client.detach_policy(PolicyId="p-FullAWSAccess", TargetId=org.ou)
    org.attach(doc({"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}), org.ou)
    report = report_of(audit(role_arns=[org.role], organization=True))
    assert ids(report.active) == ["PL103"], show(report)
    assert "level 2" in report.active[0].message


def test_an_rcp_denying_service_principals_blocks_the_writes(aws: Aws) -> None:
    org = Org(aws)
    deploy(aws, "member-app", account=org.member)
    org.attach(doc({"Sid": "NoServices", "Effect": "Deny", "Principal": "*",
                    "Action": ["s3:*", "kms:*"], "Resource": "*",
                    "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}}),
               org.root, "RESOURCE_CONTROL_POLICY")
    report = report_of(audit(role_arns=[org.role], organization=True))
    assert ids(report.active) == ["PL202", "PL301"], show(report)
    assert all("resource control policy" in f.message for f in report.active)


def test_the_management_account_is_exempt(aws: Aws) -> None:
    # "SCPs don't affect users or roles in the management account."
    org = Org(aws)
    deploy(aws, "retail")  # in the management account, audited as the caller
    org.attach(doc({"Effect": "Deny", "Action": "*", "Resource": "*"}), org.root)
    result = audit(organization=True)
    assert result.body["organizations"][ACCOUNT]["managementAccount"] == ACCOUNT
    assert ids(report_of(result).active) == []


def test_an_account_outside_any_organization_has_no_organization_policies(aws: Aws) -> None:
    # What Organizations answers an account that is in no organization (moto answers
    # AccountNotFoundException instead, which stays a gap: see the next test).
    deploy(aws, "retail")
    session = session_with_errors({"organizations:ListParents": (
        400, "AWSOrganizationsNotInUseException",
        "Your account is not a member of an organization.")})
    result = audit_with(session, organization=True)
    org = result.body["organizations"][ACCOUNT]
    assert org["serviceControlPolicies"] == [] and org["missing"] == []
    assert ids(report_of(result).active) == []


def test_no_read_access_is_pl003_never_a_pass(aws: Aws) -> None:
    Org(aws)
    deploy(aws, "retail")
    session = session_with_errors({"organizations:ListPoliciesForTarget": (
        400, "AccessDeniedException", "not authorized")})
    report = report_of(audit_with(session, organization=True))
    assert ids(report.active) == ["PL003", "PL003"], show(report)
    assert all("control policies over account" in f.message and
               "organizations:ListPoliciesForTarget was denied" in f.message
               for f in report.active)


@pytest.mark.parametrize("operation", ["ListPoliciesForTarget", "DescribePolicy",
                                       "ListParents"])
def test_no_read_access_hides_no_scp_deny_of_a_member_account(aws: Aws, operation: str) -> None:
    # Each of the three reads the walk needs: without it the SCPs and RCPs are not known,
    # which is never "none apply". The SCP denies the role's S3 writes: a pass would hide it.
    org = Org(aws)
    deploy(aws, "member-app", account=org.member)
    org.attach(doc({"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}), org.ou)
    assert ids(report_of(audit(role_arns=[org.role], organization=True)).active) == ["PL104"]
    session = session_with_errors({f"organizations:{operation}": (
        400, "AccessDeniedException", "not authorized")}, role_arns=[org.role])
    report = report_of(audit_with(session, role_arns=[org.role], organization=True))
    assert "PL104" not in ids(report.active), show(report)
    assert ids(report.active) and set(ids(report.active)) == {"PL003"}, show(report)
    assert all(f"organizations:{operation} was denied" in f.message
               for f in report.active), show(report)


def test_an_account_of_another_organization_is_pl003(aws: Aws) -> None:
    deploy(aws, "retail")  # moto: ListParents answers AccountNotFoundException
    report = report_of(audit(organization=True))
    assert ids(report.active) == ["PL003"], show(report)
    assert "organization policies (SCPs, RCPs)" in report.active[0].message


def test_grants_are_read_with_the_key(aws: Aws) -> None:
    deployed = deploy(aws, "retail")
    kms = aws.client("kms")
    kms.create_grant(KeyId=deployed.key_arn, GranteePrincipal=deployed.role_arn,
                     Operations=["Decrypt", "GenerateDataKey"])
    result = audit()
    (key,) = result.body["keys"].values()
    assert [g["GranteePrincipal"] for g in key["grants"]] == [deployed.role_arn]
    assert ids(report_of(result).active) == []


def test_the_saved_inventory_replays_the_organization(aws: Aws, tmp_path: Path) -> None:
    org = Org(aws)
    deploy(aws, "member-app", account=org.member)
    org.attach(doc({"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}), org.ou)
    audited = run_cli("audit", "--region", "us-east-1", "--role-arn", org.role,
                      "--organization", "--format", "json", "-o", "audit.json",
                      "--save-inventory", "inventory.json", "--ignore", "PL409",
                      cwd=tmp_path, env=aws.env)
    assert audited.code == 1, audited.err
    saved = json.loads((tmp_path / "inventory.json").read_text())
    jsonschema.validate(saved, json.loads(SCHEMA.read_text()))
    replayed = run_cli("check", "inventory.json", "--format", "json", "-o", "check.json",
                       "--ignore", "PL409", cwd=tmp_path, env={"AWS_ENDPOINT_URL": "x"})
    assert replayed.code == 1, replayed.err

    def found(name: str) -> list[tuple[str, str]]:
        report = json.loads((tmp_path / name).read_text())
        return [(f["rule_id"], f["message"]) for f in report["findings"]]

    assert found("audit.json") == found("check.json")
    assert [r for r, _ in found("check.json")] == ["PL104"]

    # Damaged by hand: a policy of the wrong kind is PL002 at its ARN, the rest still runs;
    # its level is not judged without it: the role's other calls are not evaluated (PL003).
    body = saved["personalizeLintInventory"]
    levels = body["organizations"][org.member]["serviceControlPolicies"]
    levels[1].append({"arn": "arn:aws:organizations::1:policy/o-x/tag_policy/p-tag",
                      "type": "SERVICE_CONTROL_POLICY", "content": {"tags": {}}})
    (tmp_path / "damaged.json").write_text(json.dumps(saved))
    damaged = run_cli("check", "damaged.json", "--format", "json", "--ignore", "PL409",
                      cwd=tmp_path)
    rules = sorted((f["rule_id"], f["arn"]) for f in damaged.json()["findings"])
    assert rules[0] == ("PL002", "arn:aws:organizations::1:policy/o-x/tag_policy/p-tag")
    assert [r for r, _ in rules] == ["PL002", "PL003", "PL003", "PL104"]


def test_a_saved_bucket_account_makes_the_bucket_cross_account(aws: Aws) -> None:
    # "In cross account access, a principal needs an Allow in the identity policy and the
    # resource-based policy." (IAM user guide)
    deployed = deploy(aws, "retail")
    body = audit().body
    (role,) = body["roles"].values()
    for inline in role["inlinePolicies"]:  # the role keeps no s3:PutObject of its own
        statements = inline["document"]["Statement"]
        inline["document"]["Statement"] = [s for s in statements
                                           if s.get("Action") != "s3:PutObject"]
    (bucket,) = body["buckets"].values()
    bucket["policy"]["Statement"].append({
        "Effect": "Allow", "Principal": {"AWS": deployed.role_arn}, "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{deployed.bucket}/*"})

    def replayed() -> list[str]:
        setups, problems = inventory_parts(body)
        return ids(report_of_parts(setups, problems))

    assert replayed() == []  # same account: the bucket policy naming the role is enough
    bucket["account"] = "444455556666"
    jsonschema.validate({"personalizeLintInventory": body}, json.loads(SCHEMA.read_text()))
    assert replayed() == ["PL104"]


def report_of_parts(setups: list[Any], problems: list[Any]) -> list[Any]:
    from pathlib import Path as _Path

    from personalize_lint.config import Config
    from personalize_lint.engine import CheckOptions, run_inventory
    from personalize_lint.inventory import Inventory
    from personalize_lint.plugins import make_plugin_manager

    report = run_inventory(Inventory(setups=setups, problems=problems),
                           Config(path=None, root=_Path.cwd()),
                           make_plugin_manager(autoload=False),
                           CheckOptions(fail_on="warning", ignore=["PL409"]), command="audit")
    return list(report.active)


def test_unreadable_grants_leave_what_a_grant_may_give_not_evaluated(aws: Aws) -> None:
    # The key policy names only the account root and the service; the role has no KMS
    # grant of its own: a grant is its only way in. "A grant can allow access to a KMS key,
    # but not deny access" (KMS guide): grants that cannot be listed may hold it.
    deployed = deploy(aws, "retail")
    iam = aws.client("iam")
    for attached in iam.list_attached_role_policies(
            RoleName="retail-role")["AttachedPolicies"]:
        iam.detach_role_policy(RoleName="retail-role", PolicyArn=attached["PolicyArn"])
    kms = aws.client("kms")
    kms.put_key_policy(KeyId=deployed.key_arn, PolicyName="default", Policy=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey",
                    "kms:CreateGrant", "kms:ListGrants"], "Resource": "*"}))
    assert "PL105" in ids(report_of(audit()).active)  # no grant: the role is kept out
    denied = session_with_errors({"kms:ListGrants": (400, "AccessDeniedException",
                                                     "not authorized to perform ListGrants")})
    report = report_of(audit_with(denied))
    # kms:ListGrants comes only from a policy, so it is still decided (the role lacks it);
    # the calls a grant may give are not evaluated.
    (pl105,) = [f for f in report.active if f.rule_id == "PL105"]
    assert "cannot call kms:ListGrants on" in pl105.message, show(report)
    assert any(f.rule_id == "PL003" and "ListGrants could not be read" in f.message
               and "kms:Decrypt" in f.message for f in report.active), show(report)
