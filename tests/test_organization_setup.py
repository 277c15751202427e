"""Organization-level verdicts from a set-up (personalize-lint.toml): SCPs, RCPs, permission
boundaries, cross-account buckets and keys, KMS grants, and bad input in each new key.

The set-up is the compliant example; each test adds what it is about. The AWS sentences that
decide the semantics are quoted in tests/iam/test_organizations.py; the deciding one is
repeated here where a verdict hangs on it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from helpers import EXAMPLES, run_cli, write
from personalize_lint.config import load_config
from personalize_lint.engine import CheckOptions, run_check
from personalize_lint.findings import Finding
from personalize_lint.plugins import make_plugin_manager

ACCOUNT = "111122223333"
OTHER = "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeMetricsRole"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
FULL = "FullAWSAccess"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def deny(action: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": "*", **extra}


def rcp_deny(action: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": "*", **extra}


def described(content: dict[str, Any], kind: str = "SERVICE_CONTROL_POLICY",
              management: str = "999988887777", name: str = "guardrails") -> dict[str, Any]:
    """`aws organizations describe-policy` output."""
    folder = "service_control_policy" if kind.startswith("SERVICE") else "resource_control_policy"
    return {"Policy": {
        "PolicySummary": {
            "Id": "p-examplepolicyid111",
            "Arn": f"arn:aws:organizations::{management}:policy/o-exampleorgid/{folder}/"
                   "p-examplepolicyid111",
            "Name": name, "Description": "", "Type": kind, "AwsManaged": False},
        "Content": json.dumps(content)}}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "compliant", tmp_path / "p")
    return tmp_path / "p"


def add(project: Path, files: dict[str, Any], keys: str) -> None:
    """Write the files (JSON unless a str) and add ``keys`` to the [[setup]] table."""
    for name, content in files.items():
        write(project / name, content if isinstance(content, str) else json.dumps(content,
                                                                                   indent=2))
    config = project / "personalize-lint.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\n[rules]", keys.strip() + "\n\n[rules]"), encoding="utf-8")


def lint(project: Path) -> list[Finding]:
    config = load_config(None, project)
    report = run_check(config, make_plugin_manager(autoload=False),
                       CheckOptions(paths=[], ignore=["PL409"]))
    return report.findings


def ids(findings: list[Finding]) -> list[str]:
    return sorted(f.rule_id for f in findings)


def one(findings: list[Finding], rule_id: str) -> Finding:
    found = [f for f in findings if f.rule_id == rule_id]
    assert len(found) == 1, [(f.rule_id, f.message) for f in findings]
    return found[0]


# --- SCPs --------------------------------------------------------------------------------------

def test_guardrails_that_allow_personalize_pass(project: Path) -> None:
    add(project, {
        "org/root.json": doc(deny("organizations:LeaveOrganization")),
        "org/ou.json": described(doc(deny("*", Condition={
            "StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}))),
        "org/rcp.json": described(doc(rcp_deny("s3:*", Condition={
            "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-exampleorgid"},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}})),
            "RESOURCE_CONTROL_POLICY"),
    }, f"""
service-control-policies = [["{FULL}", "org/root.json"], ["{FULL}", "org/ou.json"], ["{FULL}"]]
resource-control-policies = ["org/rcp.json"]
""")
    assert lint(project) == []


def test_an_scp_deny_reports_the_permission_rule_at_the_scp_statement(project: Path) -> None:
    add(project, {"org/scp.json": doc({"Sid": "NoMetrics", **deny("cloudwatch:PutMetricData")})},
        f'service-control-policies = ["{FULL}", "org/scp.json"]')
    findings = lint(project)
    pl103 = one(findings, "PL103")
    assert "service control policy" in pl103.message and "NoMetrics" in pl103.message
    assert pl103.location.path == "org/scp.json" and pl103.location.span is not None
    assert pl103.location.span.line == 4  # the statement
    assert ids(findings) == ["PL103"]


def test_an_scp_denying_reads_of_the_output_bucket_does_not_stop_the_reports(
        project: Path) -> None:
    # The role "has permissions to add data to your output Amazon S3 bucket and add metrics to
    # Amazon CloudWatch" (MetricAttributionOutput.roleArn): reports are written, never read
    # back, so only s3:PutObject is gated; a deny of GetObject/ListBucket is no finding.
    add(project, {"org/scp.json": doc(deny(["s3:GetObject", "s3:ListBucket"]))},
        f'service-control-policies = ["{FULL}", "org/scp.json"]')
    assert lint(project) == []
    add(project, {"org/scp.json": doc(deny(["s3:GetObject", "s3:Put*"]))}, "")
    assert ids(lint(project)) == ["PL104"]


def test_a_level_without_allow_blocks_the_role(project: Path) -> None:
    # "If a permission is blocked at any level above the account, either implicitly (by not
    # being included in an Allow policy statement) or explicitly ..., a user or role in the
    # affected account can't use that permission".
    add(project, {"org/ou-allow-list.json": doc({"Effect": "Allow", "Action": "s3:*",
                                                 "Resource": "*"})},
        f'service-control-policies = [["{FULL}"], ["org/ou-allow-list.json"], ["{FULL}"]]')
    findings = lint(project)
    assert ids(findings) == ["PL103", "PL105"]  # s3 is allowed at every level
    assert "level 2" in one(findings, "PL103").message
    assert one(findings, "PL105").location.path == "org/ou-allow-list.json"


def test_a_notaction_scp_denies_everything_else(project: Path) -> None:
    add(project, {"org/scp.json": doc({"Effect": "Deny", "NotAction": ["s3:*", "kms:*"],
                                       "Resource": "*"})},
        f'service-control-policies = ["{FULL}", "org/scp.json"]')
    assert ids(lint(project)) == ["PL103"]


@pytest.mark.parametrize(("condition", "expected"), [
    ({"ArnNotLike": {"aws:PrincipalArn": [ROLE, f"arn:aws:iam::{ACCOUNT}:role/Admin"]}}, []),
    ({"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/Admin"}},
     ["PL103", "PL104", "PL105"]),
], ids=["exempts the role", "exempts only admins"])
def test_scp_principal_arn_conditions(project: Path, condition: dict[str, Any],
                                      expected: list[str]) -> None:
    add(project, {"org/scp.json": doc(deny(["cloudwatch:*", "s3:*", "kms:*"],
                                           Condition=condition))},
        f'service-control-policies = ["{FULL}", "org/scp.json"]')
    assert ids(lint(project)) == expected


def test_scp_principal_org_id_is_known_from_describe_policy_output(project: Path) -> None:
    perimeter = doc(deny("*", Condition={"StringNotEquals": {
        "aws:PrincipalOrgID": "o-exampleorgid"}}))
    add(project, {"org/described.json": described(perimeter), "org/raw.json": perimeter},
        f'service-control-policies = ["{FULL}", "org/described.json"]')
    assert lint(project) == []  # the organization ID comes from the policy ARN


def test_scp_principal_org_id_unknown_is_not_evaluated(project: Path) -> None:
    perimeter = doc(deny("*", Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-x"}}))
    add(project, {"org/raw.json": perimeter},
        f'service-control-policies = ["{FULL}", "org/raw.json"]')
    findings = lint(project)
    assert {f.rule_id for f in findings} == {"PL003"}
    assert all("aws:PrincipalOrgID" in f.message and "service control policy" in f.message
               for f in findings)


def test_the_management_account_is_not_affected_by_scps(project: Path) -> None:
    # "SCPs don't affect users or roles in the management account."
    add(project, {"org/scp.json": described(doc(deny("*")), management=ACCOUNT)},
        f'service-control-policies = ["{FULL}", "org/scp.json"]')
    assert lint(project) == []


# --- RCPs --------------------------------------------------------------------------------------

# The KMS guide's example RCP "requires that AWS service principals can access your customer
# managed KMS keys only when the request originates from your organization"; the same shape
# for S3. Personalize's requests carry aws:SourceAccount (the dataset group's account).
def confused_deputy(accounts: list[str]) -> dict[str, Any]:
    return doc(rcp_deny(["s3:*", "kms:*"], Sid="EnforceConfusedDeputyProtection", Condition={
        "StringNotEqualsIfExists": {"aws:SourceAccount": accounts},
        "Null": {"aws:SourceAccount": "false"},
        "Bool": {"aws:PrincipalIsAWSService": "true"}}))


def test_rcp_source_account_guard_that_lists_the_account_passes(project: Path) -> None:
    add(project, {"org/rcp.json": confused_deputy([ACCOUNT, OTHER])},
        'resource-control-policies = ["org/rcp.json"]')
    assert lint(project) == []


def test_rcp_source_account_guard_missing_the_account_blocks_the_service(project: Path) -> None:
    add(project, {"org/rcp.json": confused_deputy([OTHER])},
        'resource-control-policies = ["org/rcp.json"]')
    findings = lint(project)
    assert ids(findings) == ["PL202", "PL301"]  # the role's own calls carry no SourceAccount
    for f in findings:
        assert "resource control policy" in f.message
        assert "EnforceConfusedDeputyProtection" in f.message
        assert f.location.path == "org/rcp.json"


def test_a_key_policy_gap_beside_an_rcp_deny_names_both(project: Path) -> None:
    # The RCP keeps the service out; the key policy (no root, no role statement) keeps the
    # role out, and RCPs are not what stops the role here.
    service_only = doc({"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey",
                                   "kms:CreateGrant", "kms:ListGrants"], "Resource": "*"})
    add(project, {"org/rcp.json": confused_deputy([OTHER]),
                  "kms/metrics-key-policy.json": service_only},
        'resource-control-policies = ["org/rcp.json"]')
    found = one(lint(project), "PL301")
    assert found.message.startswith("The key policy and a resource control policy of the "
                                    "organization do not let Personalize use the key")
    assert "EnforceConfusedDeputyProtection" in found.message


def test_an_rcp_never_restricts_cloudwatch(project: Path) -> None:
    add(project, {"org/rcp.json": doc(rcp_deny("*"))},
        'resource-control-policies = ["org/rcp.json"]')
    # STS is covered, CloudWatch is not: the service's AssumeRole of the role is denied too.
    assert ids(lint(project)) == ["PL101", "PL104", "PL105", "PL202", "PL301"]


# Whether an RCP can keep a service principal from assuming the role: STS is among the
# services RCPs cover, and AWS's own RCP examples deny "sts:*" to AWS service principals
# (EnforceConfusedDeputyProtection, with "Bool": {"aws:PrincipalIsAWSService": "true"}),
# noting for "AWS services using service roles": "Some services assume service roles that
# you create to perform actions on your behalf. Not all services support aws:SourceOrgID
# enforcement on their sts:AssumeRole calls" (aws-samples/data-perimeter-policy-examples,
# resource_control_policies/README.md). The exemption AWS documents is for service-linked
# roles ("resource control policies have no effect on AWS services' capacity to take on a
# service-linked role"); the Personalize role is a service role you create, not one.
STS_DEPUTY = doc(rcp_deny(["s3:*", "kms:*", "sts:*"], Sid="EnforceConfusedDeputyProtection",
                          Condition={"StringNotEqualsIfExists": {"aws:SourceAccount": [OTHER]},
                                     "Null": {"aws:SourceAccount": "false"},
                                     "Bool": {"aws:PrincipalIsAWSService": "true"}}))


def test_an_rcp_can_keep_personalize_from_assuming_the_role(project: Path) -> None:
    add(project, {"org/rcp.json": STS_DEPUTY}, 'resource-control-policies = ["org/rcp.json"]')
    findings = lint(project)
    assert ids(findings) == ["PL101", "PL202", "PL301"]
    pl101 = one(findings, "PL101")
    assert pl101.message.startswith("A resource control policy of the organization does not "
                                    "let personalize.amazonaws.com call sts:AssumeRole")
    assert "EnforceConfusedDeputyProtection" in pl101.message
    assert pl101.location.path == "org/rcp.json"
    assert pl101.related and pl101.related[-1].path == "iam/personalize-trust.json"


def test_an_rcp_that_lists_the_account_lets_personalize_assume_the_role(project: Path) -> None:
    allowed = json.loads(json.dumps(STS_DEPUTY).replace(OTHER, ACCOUNT))
    add(project, {"org/rcp.json": allowed}, 'resource-control-policies = ["org/rcp.json"]')
    assert lint(project) == []


def test_an_rcp_in_the_management_account_does_not_restrict_the_role(project: Path) -> None:
    # "RCPs don't affect resources in the management account."
    add(project, {"org/rcp.json": described(STS_DEPUTY, "RESOURCE_CONTROL_POLICY",
                                            management=ACCOUNT)},
        'resource-control-policies = ["org/rcp.json"]')
    assert lint(project) == []


def test_an_rcp_whose_condition_is_unknown_leaves_the_trust_not_evaluated(project: Path) -> None:
    unknown = doc(rcp_deny("sts:AssumeRole", Condition={
        "StringNotEquals": {"aws:SourceOrgID": "o-exampleorgid"}}))
    add(project, {"org/rcp.json": unknown}, 'resource-control-policies = ["org/rcp.json"]')
    found = one(lint(project), "PL003")
    assert "may assume the role" in found.message and "aws:SourceOrgID" in found.message


# --- Permission boundaries -----------------------------------------------------------------------

def test_a_boundary_that_omits_kms(project: Path) -> None:
    add(project, {"iam/boundary.json": doc({"Effect": "Allow", "Action": [
        "cloudwatch:PutMetricData", "s3:PutObject"], "Resource": "*"})},
        'role-permissions-boundary = "iam/boundary.json"')
    findings = lint(project)
    pl105 = one(findings, "PL105")
    assert "permissions boundary" in pl105.message
    assert pl105.location.path == "iam/boundary.json"
    assert ids(findings) == ["PL105"]


def test_a_boundary_named_by_managed_arn(project: Path) -> None:
    add(project, {}, 'role-permissions-boundary = '
                     '"arn:aws:iam::aws:policy/AmazonS3FullAccess"')
    assert ids(lint(project)) == ["PL103", "PL105"]


def test_a_boundary_allowing_everything_changes_nothing(project: Path) -> None:
    add(project, {"iam/boundary.json": doc({"Effect": "Allow", "Action": "*",
                                            "Resource": "*"})},
        'role-permissions-boundary = "iam/boundary.json"')
    assert lint(project) == []


# --- Cross-account buckets and keys --------------------------------------------------------------

ROLE_ONLY_CLOUDWATCH = doc({"Effect": "Allow", "Action": ["cloudwatch:PutMetricData",
                                                           "kms:*"], "Resource": "*"})
BUCKET_NAMING_ROLE = doc(
    {"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
     "Action": "s3:PutObject", "Resource": "arn:aws:s3:::retail-personalize-metrics/*",
     "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
    {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::retail-personalize-metrics/*"})


def test_same_account_bucket_policy_naming_the_role_is_enough(project: Path) -> None:
    add(project, {"iam/personalize-role-policy.json": ROLE_ONLY_CLOUDWATCH,
                  "s3/metrics-bucket-policy.json": BUCKET_NAMING_ROLE}, "")
    assert ids(lint(project)) == []


def test_cross_account_bucket_lacking_the_identity_grant(project: Path) -> None:
    # "In cross account access, a principal needs an Allow in the identity policy and the
    # resource-based policy." (IAM user guide)
    add(project, {"iam/personalize-role-policy.json": ROLE_ONLY_CLOUDWATCH,
                  "s3/metrics-bucket-policy.json": BUCKET_NAMING_ROLE},
        f'bucket-account = "{OTHER}"')
    pl104 = one(lint(project), "PL104")
    assert f"account {OTHER}" in pl104.message and "not the role's" in pl104.message


def test_cross_account_bucket_whose_policy_does_not_name_the_role(project: Path) -> None:
    # The role's own grant is there; the bucket policy grants only the service principal.
    add(project, {}, f'bucket-account = "{OTHER}"')
    pl104 = one(lint(project), "PL104")
    assert "its own policies allow it, but the bucket is in account 444455556666" in \
        pl104.message
    assert f'Principal {{"AWS": "{ROLE}"}}' in pl104.message
    assert pl104.location.path == "s3/metrics-bucket-policy.json"


@pytest.mark.parametrize(("bucket_account", "expected"), [
    (None, []),  # taken to be the role's account, as PL104's same-account reading does
    (OTHER, ["PL104"]),
])
def test_scp_resource_account_perimeter(project: Path, bucket_account: str | None,
                                        expected: list[str]) -> None:
    # A data-perimeter SCP: deny S3 outside the organization's accounts (aws:ResourceAccount).
    perimeter = doc(deny("s3:*", Condition={"StringNotEquals": {
        "aws:ResourceAccount": [ACCOUNT]}}))
    keys = f'service-control-policies = ["{FULL}", "org/perimeter.json"]'
    if bucket_account:
        keys += f'\nbucket-account = "{bucket_account}"'
    add(project, {"org/perimeter.json": perimeter,
                  "s3/metrics-bucket-policy.json": BUCKET_NAMING_ROLE}, keys)
    findings = lint(project)
    assert ids(findings) == expected
    if expected:
        assert "service control policy" in findings[0].message


def drop_key(project: Path, key: str) -> None:
    config = project / "personalize-lint.toml"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    config.write_text("".join(line for line in lines if not line.startswith(key)),
                      encoding="utf-8")


def test_cross_account_bucket_without_its_policy_is_not_evaluated(project: Path) -> None:
    # The role's own grant is there, but in another account the bucket policy must grant the
    # role too, and the set-up does not give it: not a PL104 error on missing data.
    drop_key(project, "bucket-policy")
    add(project, {}, f'bucket-account = "{OTHER}"')
    findings = lint(project)
    assert ids(findings) == ["PL003", "PL003"]
    assert any("s3:PutObject" in f.message and "the policy of the output bucket (the set-up "
               "does not give it) could not be evaluated" in f.message for f in findings)


def test_cross_account_bucket_without_its_policy_still_needs_the_role_grant(
        project: Path) -> None:
    drop_key(project, "bucket-policy")
    add(project, {"iam/personalize-role-policy.json": ROLE_ONLY_CLOUDWATCH},
        f'bucket-account = "{OTHER}"')
    assert "PL104" in ids(lint(project))  # denied whatever the bucket policy says


def test_cross_account_key_without_its_policy_is_not_evaluated(project: Path) -> None:
    # "In cross account access, a principal needs an Allow in the identity policy and the
    # resource-based policy": another account's key policy must let the role in, and the
    # set-up does not give it. PL105 is not passed on the role's own grant alone.
    drop_key(project, "key-policy")
    for name in ("personalize/metric-attribution.json", "iam/personalize-role-policy.json"):
        path = project / name
        path.write_text(path.read_text(encoding="utf-8").replace(
            f"kms:us-east-1:{ACCOUNT}:key", f"kms:us-east-1:{OTHER}:key"), encoding="utf-8")
    findings = lint(project)
    assert ids(findings) == ["PL003", "PL003"]
    assert any("kms:Decrypt" in f.message and "the policy of the output key (it is another "
               "account's key and its policy is not known)" in f.message for f in findings)


ROLE_WITHOUT_KMS = doc({"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
                      {"Effect": "Allow", "Action": "s3:PutObject",
                       "Resource": "arn:aws:s3:::retail-personalize-metrics/attribution/*"})


@pytest.mark.parametrize(("key_account", "expected"), [(ACCOUNT, []), (OTHER, ["PL105"])],
                         ids=["same account", "another account"])
def test_a_key_policy_naming_the_role_grants_it_on_its_own_in_the_same_account(
        project: Path, key_account: str, expected: list[str]) -> None:
    # "If the key and the IAM principal are in the same AWS account, you can use the key
    # policy alone to control access ... However, when a caller in one account must access a
    # key in another account, you can't use a key policy alone to grant access." (KMS
    # developer guide, KMS key access and permissions.) The example's key policy names the
    # role; here the role's own policies grant no kms: action at all.
    other_key = KEY.replace(ACCOUNT, key_account)
    attribution = project / "personalize/metric-attribution.json"
    attribution.write_text(attribution.read_text(encoding="utf-8").replace(KEY, other_key),
                           encoding="utf-8")
    add(project, {"iam/personalize-role-policy.json": ROLE_WITHOUT_KMS}, "")
    assert ids(lint(project)) == expected


def test_cross_account_bucket_with_both_grants(project: Path) -> None:
    add(project, {"s3/metrics-bucket-policy.json": BUCKET_NAMING_ROLE},
        f'bucket-account = "{OTHER}"')
    assert lint(project) == []


# --- KMS grants --------------------------------------------------------------------------------

KEY_POLICY_NO_ROLE = doc(
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
     "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant",
                "kms:ListGrants"], "Resource": "*"})
ROLE_LIST_GRANTS_ONLY = doc(
    {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::retail-personalize-metrics/attribution/*"},
    {"Effect": "Allow", "Action": "kms:ListGrants", "Resource": KEY})


def grants(*operations: str, constraints: dict[str, Any] | None = None) -> dict[str, Any]:
    grant: dict[str, Any] = {"KeyId": KEY, "GrantId": "abc123", "Name": "personalize",
                             "GranteePrincipal": ROLE, "IssuingAccount":
                             f"arn:aws:iam::{ACCOUNT}:root", "Operations": list(operations)}
    if constraints:
        grant["Constraints"] = constraints
    return {"Grants": [grant]}


def test_grants_give_the_role_access(project: Path) -> None:
    files = {"kms/metrics-key-policy.json": KEY_POLICY_NO_ROLE,
             "iam/personalize-role-policy.json": ROLE_LIST_GRANTS_ONLY}
    add(project, files, "")
    without = lint(project)
    assert ids(without) == ["PL105"]  # the key policy delegates to IAM, which lacks them
    add(project, {"kms/grants.json": grants("Decrypt", "GenerateDataKey", "DescribeKey",
                                            "CreateGrant")},
        'key-grants = "kms/grants.json"')
    assert lint(project) == []


@pytest.mark.parametrize(("grants_file", "rule"), [
    ('{"Grants": "none"}', "PL002"),
    ('{"Grants": [', "PL001"),
    (None, "PL004"),  # named but missing
], ids=["not a list", "syntax", "missing"])
def test_grants_that_cannot_be_read_leave_what_they_may_grant_not_evaluated(
        project: Path, grants_file: str | None, rule: str) -> None:
    # Grants only allow ("A grant can allow access to a KMS key, but not deny access", KMS
    # guide): the role's key calls, which only a grant could give here, are not evaluated
    # rather than a false PL105; nothing that is allowed anyway turns uncertain.
    files: dict[str, Any] = {"kms/metrics-key-policy.json": KEY_POLICY_NO_ROLE,
                             "iam/personalize-role-policy.json": ROLE_LIST_GRANTS_ONLY}
    if grants_file is not None:
        files["kms/grants.json"] = grants_file
    add(project, files, 'key-grants = "kms/grants.json"')
    findings = lint(project)
    assert "PL105" not in ids(findings), [(f.rule_id, f.message) for f in findings]
    assert rule in ids(findings)
    gated = [f for f in findings if f.rule_id == "PL003" and "could not be evaluated" in
             f.message]
    assert gated and all("kms:" in f.message for f in gated)


def test_a_grant_on_another_accounts_key_needs_no_identity_grant(project: Path) -> None:
    # "the grant allows the grantee principal to call the specified grant operations on the
    # KMS key provided that all conditions specified in the grant are met", and "The grantee
    # principal can represent one or more identities in the same AWS account as the KMS key
    # or in a different account" (AWS KMS developer guide, Grants in AWS KMS). ListGrants
    # cannot be granted: the key policy delegates it to the role's account, whose IAM allows.
    other_key = KEY.replace(ACCOUNT, OTHER)
    key_policy = doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey",
                    "kms:CreateGrant", "kms:ListGrants"], "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:ListGrants", "Resource": "*"})
    role_policy = json.loads(json.dumps(ROLE_LIST_GRANTS_ONLY).replace(KEY, other_key))
    attribution = project / "personalize/metric-attribution.json"
    attribution.write_text(attribution.read_text(encoding="utf-8").replace(KEY, other_key),
                           encoding="utf-8")
    add(project, {"kms/metrics-key-policy.json": key_policy,
                  "iam/personalize-role-policy.json": role_policy}, "")
    without = lint(project)
    assert ids(without) == ["PL105", "PL301"]  # neither the role nor the key policy grants
    grant = json.loads(json.dumps(grants("Decrypt", "GenerateDataKey", "DescribeKey",
                                         "CreateGrant")).replace(KEY, other_key))
    add(project, {"kms/grants.json": grant}, 'key-grants = "kms/grants.json"')
    assert lint(project) == []


def test_a_grant_with_an_encryption_context_constraint_is_not_evaluated(project: Path) -> None:
    add(project, {"kms/metrics-key-policy.json": KEY_POLICY_NO_ROLE,
                  "iam/personalize-role-policy.json": ROLE_LIST_GRANTS_ONLY,
                  "kms/grants.json": grants("Decrypt", "GenerateDataKey", "DescribeKey",
                                            "CreateGrant", constraints={
                                                "EncryptionContextSubset": {"team": "ml"}})},
        'key-grants = "kms/grants.json"')
    findings = lint(project)
    assert "PL003" in ids(findings)
    assert any("kms:EncryptionContext:team" in f.message for f in findings)


# --- Bad input in the new keys ------------------------------------------------------------------

@pytest.mark.parametrize(("key", "content", "rule", "needle", "line"), [
    ("service-control-policies", doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                       "Resource": "*"}), "PL002", "not an SCP", 6),
    ("resource-control-policies", doc(deny("s3:*")), "PL002", "not an RCP", 4),
    ("service-control-policies", {"tags": {"costcenter": {"tag_key": {"@@assign": "CC"}}}},
     "PL002", "tag", 1),
    ("service-control-policies", described(doc(deny("s3:*")), "RESOURCE_CONTROL_POLICY"),
     "PL002", "RESOURCE_CONTROL_POLICY", 8),
    ("resource-control-policies", described({"tags": {}}, "TAG_POLICY"), "PL002",
     "TAG_POLICY", 8),
    ("resource-control-policies", doc({"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                        "Resource": "*", "Condition": {"Bool": {
                                            "aws:SecureTransport": "true"}}}),
     "PL002", "can only Deny", 5),
    ("key-grants", {"Grants": "none"}, "PL002", "list-grants", 1),
    ("role-permissions-boundary", doc({"Effect": "Allow", "Action": 5, "Resource": "*"}),
     "PL002", "must be strings", 6),
], ids=["scp with Principal", "scp as rcp", "tag policy", "rcp describe-policy as scp",
        "tag policy describe-policy", "rcp allow", "grants not a list", "boundary shape"])
def test_a_policy_of_the_wrong_kind_is_pl002_and_the_run_goes_on(
        project: Path, key: str, content: Any, rule: str, needle: str, line: int) -> None:
    value = f'"{"org/bad.json"}"' if key in ("key-grants", "role-permissions-boundary") else (
        '["org/bad.json"]')
    # A second problem elsewhere proves the run went on.
    add(project, {"org/bad.json": content, "iam/personalize-role-policy.json": doc(
        {"Effect": "Allow", "Action": ["s3:PutObject", "kms:*"], "Resource": "*"})},
        f"{key} = {value}")
    findings = lint(project)
    bad = [f for f in findings if f.rule_id == rule and f.location.path == "org/bad.json"]
    assert bad and needle in bad[0].message, [(f.rule_id, f.message) for f in findings]
    assert bad[0].location.span is not None and bad[0].location.span.line == line
    assert "PL103" in ids(findings)


def test_an_unreadable_policy_file_is_pl001_and_not_evaluated(project: Path) -> None:
    add(project, {"org/broken.json": '{"Version": "2012-10-17", "Statement": ['},
        f'service-control-policies = ["{FULL}", "org/broken.json"]')
    findings = lint(project)
    assert {"PL001", "PL003"} <= set(ids(findings))
    assert one(findings, "PL001").location.path == "org/broken.json"


@pytest.mark.parametrize(("keys", "needle"), [
    ('service-control-policies = ["org/missing.json"]', "does not exist"),
    ('service-control-policies = [["FullAWSAccess"], "org/x.json"]', "list of lists"),
    ('bucket-account = "12345"', "12-digit"),
    ("bucket-account = 111122223333", "12-digit"),
    ('key-grants = ["a.json", "b.json"]', "must be a string"),
])
def test_config_problems_in_the_new_keys_are_pl004(project: Path, keys: str,
                                                   needle: str) -> None:
    add(project, {}, keys)
    findings = lint(project)
    pl004 = [f for f in findings if f.rule_id == "PL004"]
    assert pl004 and needle in pl004[0].message
    assert pl004[0].location.span is not None


@pytest.mark.parametrize("keys", [
    f'service-control-policies = ["{FULL}", "org/bad.json"]',
    'resource-control-policies = ["org/bad.json"]',
    'role-permissions-boundary = "org/bad.json"',
    'key-grants = "org/bad.json"',
], ids=["scp", "rcp", "boundary", "grants"])
def test_a_syntax_error_in_any_new_key_is_pl001_at_its_line_and_the_run_goes_on(
        project: Path, keys: str) -> None:
    # As a user sees it: `check --format json`, one broken file named by each new key, and
    # a second file in the same run (the role policy, which grants no CloudWatch) still
    # reported. No traceback on stderr.
    add(project, {"org/bad.json": '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {,\n',
                  "iam/personalize-role-policy.json": doc(
                      {"Effect": "Allow", "Action": ["s3:PutObject", "kms:*"],
                       "Resource": "*"})}, keys)
    run = run_cli("check", "--format", "json", cwd=project)
    assert run.code == 1 and "Traceback" not in run.err, run.err
    findings = run.json()["findings"]
    (pl001,) = [f for f in findings if f["rule_id"] == "PL001"]
    assert pl001["path"] == "org/bad.json" and pl001["line"] == 4 and pl001["column"], pl001
    assert "PL103" in {f["rule_id"] for f in findings}
    assert not {"PL104", "PL105"} & {f["rule_id"] for f in findings if "org/bad.json" in
                                     f["message"]}


# --- The command line ----------------------------------------------------------------------------

def test_cli_exit_codes_with_organization_policies(project: Path) -> None:
    add(project, {"org/scp.json": doc(deny("iam:*"))},
        f'service-control-policies = ["{FULL}", "org/scp.json"]')
    clean = run_cli("check", cwd=project)
    assert clean.code == 0, clean.out + clean.err
    write(project / "org/scp.json", json.dumps(doc(deny("s3:PutObject"))))
    failing = run_cli("check", "--format", "json", cwd=project)
    assert failing.code == 1, failing.err
    found = failing.json()
    rules = sorted(f["rule_id"] for f in found["findings"])
    assert rules == ["PL104"], found


def test_the_catalogue_describes_the_organization_level(tmp_path: Path) -> None:
    explain = run_cli("explain", "PL103", cwd=tmp_path)
    assert explain.code == 0 and "service control policies" in explain.out
    catalogue = run_cli("rules", "--format", "json", cwd=tmp_path)
    assert catalogue.code == 0
    text = catalogue.out
    for needle in ("permissions boundary", "resource control polic", "KMS grant",
                   "another account"):
        assert needle in text, needle


# --- A policy that cannot be used never reads as absent -----------------------------------------

# "The effect of Allow is only supported for the RCPFullAWSAccess policy. ... This default RCP
# allows all principals and actions access to pass through RCP evaluation" (AWS Organizations,
# RCP syntax): RCPFullAWSAccess is an RCP; FullAWSAccess is the SCP AWS attaches by default.
@pytest.mark.parametrize(("keys", "needle"), [
    ('service-control-policies = ["RCPFullAWSAccess"]',
     "'RCPFullAWSAccess' is a resource control policy, not a service control policy"),
    ('service-control-policies = [["FullAWSAccess"], ["arn:aws:organizations::aws:policy/'
     'resource_control_policy/p-RCPFullAWSAccess"]]', "list it under resource-control-policies"),
    ('resource-control-policies = ["FullAWSAccess"]',
     "'FullAWSAccess' is a service control policy, not a resource control policy"),
    ('resource-control-policies = ["arn:aws:organizations::999988887777:policy/o-exampleorgid/'
     'tag_policy/p-tag"]', "management policy types do not grant or deny"),
    ('service-control-policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]',
     "is not an AWS Organizations policy ARN"),
], ids=["RCPFullAWSAccess as SCP", "RCP ARN as SCP", "FullAWSAccess as RCP", "tag policy ARN",
        "IAM policy ARN"])
def test_a_policy_name_of_the_wrong_kind_is_pl004_and_its_checks_not_evaluated(
        project: Path, keys: str, needle: str) -> None:
    add(project, {}, keys)
    findings = lint(project)
    pl004 = one(findings, "PL004")
    assert needle in pl004.message
    assert pl004.location.path == "personalize-lint.toml" and pl004.location.span is not None
    # Taken as absent it would pass every check (or, as a level allowing nothing, fail them):
    # the checks it gates are not evaluated instead.
    others = [f for f in findings if f.rule_id != "PL004"]
    assert others and {f.rule_id for f in others} == {"PL003"}
    assert all("(it is of the wrong kind) could not be evaluated" in f.message for f in others)


def described_without_type(content: dict[str, Any], kind: str) -> dict[str, Any]:
    out = described(content, kind)
    del out["Policy"]["PolicySummary"]["Type"]
    return out


SCP_KINDS_OF_BAD = {
    # No Type, but the ARN's folder says resource_control_policy.
    "untyped-rcp.json": described_without_type(doc(deny("s3:*")), "RESOURCE_CONTROL_POLICY"),
    "rcp.json": doc(rcp_deny("s3:*")),  # an RCP: Principal
    "broken.json": '{"Version": "2012-10-17", "Statement": [',  # PL001
    "list.json": "[1, 2]",  # not a policy
    "malformed.json": doc({"Effect": "Allow", "Action": 5, "Resource": "*"}),  # PL002
    "described-rcp.json": described(doc(rcp_deny("s3:*")), "RESOURCE_CONTROL_POLICY"),
}


@pytest.mark.parametrize("bad", [*SCP_KINDS_OF_BAD, "missing.json"])
def test_an_scp_level_left_without_its_only_policy_is_not_evaluated(project: Path,
                                                                    bad: str) -> None:
    # "For a permission to be allowed for a specific account, there must be an explicit Allow
    # statement at every level from the root through each OU in the direct path to the
    # account" (AWS Organizations, SCP evaluation): a level whose policy could not be read is
    # neither "allows nothing" (PL103-PL105 errors) nor "no constraint" (a pass).
    files = {f"org/{bad}": SCP_KINDS_OF_BAD[bad]} if bad in SCP_KINDS_OF_BAD else {}
    add(project, files, f'service-control-policies = [["{FULL}"], ["org/{bad}"], ["{FULL}"]]')
    findings = lint(project)
    decided = [f for f in findings if f.rule_id in ("PL103", "PL104", "PL105")]
    assert decided == [], [(f.rule_id, f.message) for f in decided]
    not_evaluated = [f for f in findings if f.rule_id == "PL003"
                     and f"org/{bad} (" in f.message and "could not be evaluated" in f.message]
    assert len(not_evaluated) == 3  # cloudwatch, s3 and kms calls of the role
    input_problems = {f.rule_id for f in findings if f.location.path in (
        f"org/{bad}", "personalize-lint.toml")}
    assert input_problems & {"PL001", "PL002", "PL004"}


def test_a_bad_file_beside_full_access_may_still_deny(project: Path) -> None:
    add(project, {"org/broken.json": SCP_KINDS_OF_BAD["broken.json"]},
        f'service-control-policies = ["{FULL}", "org/broken.json"]')
    findings = lint(project)
    assert {f.rule_id for f in findings} == {"PL001", "PL003"}
    assert sum("org/broken.json (it could not be read)" in f.message for f in findings) == 3


def test_an_unusable_policy_does_not_hide_what_is_decided_without_it(project: Path) -> None:
    # The role's own policies grant no cloudwatch:PutMetricData: denied whatever the SCP says.
    add(project, {"org/broken.json": SCP_KINDS_OF_BAD["broken.json"],
                  "iam/personalize-role-policy.json": doc(
                      {"Effect": "Allow", "Action": ["s3:PutObject", "kms:*"],
                       "Resource": "*"})},
        'service-control-policies = ["org/broken.json"]')
    findings = lint(project)
    assert "PL103" in ids(findings)
    gated = [f for f in findings if "org/broken.json (it could not be read)" in f.message]
    assert ids(gated) == ["PL003", "PL003"]  # s3 and kms wait on the SCP; cloudwatch does not


@pytest.mark.parametrize("bad", ["rcp-as-scp.json", "broken.json", "missing.json"])
def test_an_unusable_rcp_leaves_the_service_principal_checks_not_evaluated(
        project: Path, bad: str) -> None:
    files = {"org/rcp-as-scp.json": doc(deny("s3:*")),
             "org/broken.json": SCP_KINDS_OF_BAD["broken.json"]}
    add(project, {k: v for k, v in files.items() if k == f"org/{bad}"},
        f'resource-control-policies = ["org/{bad}"]')
    findings = lint(project)
    assert not {"PL104", "PL105", "PL201", "PL202", "PL301"} & set(ids(findings))
    about = [f for f in findings if f.rule_id == "PL003" and f"org/{bad} (" in f.message]
    # The role's s3 and kms calls, the service's AssumeRole of the role, the bucket's and the
    # key's service-principal checks; never CloudWatch, which RCPs do not cover.
    assert len(about) == 5 and not any("cloudwatch" in f.message for f in about)


@pytest.mark.parametrize(("value", "files", "why"), [
    ('"iam/missing.json"', {}, "could not be read"),
    ('"iam/boundary.json"', {"iam/boundary.json": "[1, 2]"}, "is malformed"),
    ('"iam/boundary.json"', {"iam/boundary.json": doc(
        {"Effect": "Allow", "Action": 5, "Resource": "*"})}, "is malformed"),
    ('"iam/boundary.json"', {"iam/boundary.json": '{"Statement": ['}, "could not be read"),
    ('"arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"', {},
     "is not a policy ARN"),
], ids=["missing", "a list", "shape", "syntax", "an SCP ARN"])
def test_an_unusable_boundary_is_not_evaluated(project: Path, value: str,
                                               files: dict[str, Any], why: str) -> None:
    # A boundary caps every identity grant; one that cannot be read cannot be assumed to
    # allow everything (a pass) nor nothing (PL103-PL105 errors).
    add(project, files, f"role-permissions-boundary = {value}")
    findings = lint(project)
    assert not {"PL103", "PL104", "PL105"} & set(ids(findings))
    about = [f for f in findings if f.rule_id == "PL003" and f"(it {why})" in f.message]
    assert len(about) == 3, [(f.rule_id, f.message) for f in findings]
    assert {f.rule_id for f in findings} - {"PL003"} <= {"PL001", "PL002", "PL004"}
