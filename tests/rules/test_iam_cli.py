"""IAM verdicts from the command line: the compliant example, changed the way a user would.

Each case copies ``examples/compliant`` (clean, exit 0), edits one policy or the metric
attribution, runs ``personalize-lint check . --format json`` and checks the exit code and
the findings. The example's config fails on warnings, so a PL003 also exits 1.
The AWS sentences behind each verdict are quoted in tests/iam/test_arn_patterns.py,
tests/iam/test_conditions.py and tests/iam/test_evaluator.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import EXAMPLES, run_cli

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeMetricsRole"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUCKET = "arn:aws:s3:::retail-personalize-metrics"
ROLE_POLICY = "iam/personalize-role-policy.json"
TRUST = "iam/personalize-trust.json"
KEY_POLICY = "kms/metrics-key-policy.json"
ATTRIBUTION = "personalize/metric-attribution.json"
BUCKET_POLICY = "s3/metrics-bucket-policy.json"

Edit = Callable[[Path], None]


def edit(path: Path, change: Callable[[Any], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def role_statement(index: int, **changes: Any) -> Edit:
    return lambda root: edit(root / ROLE_POLICY,
                             lambda d: d["Statement"][index].update(changes))


def add_role_statement(statement: dict[str, Any]) -> Edit:
    return lambda root: edit(root / ROLE_POLICY, lambda d: d["Statement"].append(statement))


def trust_condition(condition: dict[str, Any]) -> Edit:
    return lambda root: edit(root / TRUST,
                             lambda d: d["Statement"][0].update(Condition=condition))


def output_path(path: str) -> Edit:
    def change(d: Any) -> None:
        d["metricsOutputConfig"]["s3DataDestination"]["path"] = path
    return lambda root: edit(root / ATTRIBUTION, change)


def bucket_objects(resource: str) -> Edit:
    return lambda root: edit(root / BUCKET_POLICY,
                             lambda d: d["Statement"][0].update(Resource=resource))


def both(*edits: Edit) -> Edit:
    def run_all(root: Path) -> None:
        for e in edits:
            e(root)
    return run_all


def role_in_key_policy(arn: str) -> Edit:
    return lambda root: edit(root / KEY_POLICY,
                             lambda d: d["Statement"][1]["Principal"].update(AWS=arn))


def drop_key_root(root: Path) -> None:
    edit(root / KEY_POLICY, lambda d: d["Statement"].pop(0))  # EnableIAMUserPermissions


COLON_PATH = both(output_path("s3://retail-personalize-metrics/runs:2026/"),
                  bucket_objects(f"{BUCKET}/*"))
PUT = 1  # the role policy's s3:PutObject statement

CASES: list[tuple[str, Edit, int, list[str]]] = [
    ("unchanged", lambda root: None, 0, []),
    # 1. "*" and "?" in the sixth ARN field match ":"
    ("colon in the path, runs*/*",
     both(COLON_PATH, role_statement(PUT, Resource=f"{BUCKET}/runs*/*")), 0, []),
    ("colon in the path, runs?2026/*",
     both(COLON_PATH, role_statement(PUT, Resource=f"{BUCKET}/runs?2026/*")), 0, []),
    # Personalize names the files it writes: keys go on past the output prefix
    ("own deny on the prefix's own key (a folder marker)",
     add_role_statement({"Effect": "Deny", "Action": "s3:PutObject",
                         "Resource": f"{BUCKET}/attribution/"}), 0, []),
    ("grant on keys of at least one character under the prefix",
     role_statement(PUT, Resource=f"{BUCKET}/attribution/?*"), 0, []),
    ("grant on one-character keys under the prefix",
     role_statement(PUT, Resource=f"{BUCKET}/attribution/?"), 1, ["PL104"]),
    ("a wildcard in the service field, which IAM does not take",
     role_statement(PUT, Resource="arn:aws:*:::retail-personalize-metrics/*"), 1, ["PL002"]),
    ("colon in the path, other year",
     both(COLON_PATH, role_statement(PUT, Resource=f"{BUCKET}/runs:2025/*")), 1, ["PL104"]),
    # 2. set operators with IfExists on a key Personalize's requests do not carry
    ("ForAnyValue:StringEqualsIfExists on an absent key grants nothing",
     role_statement(PUT, Condition={"ForAnyValue:StringEqualsIfExists": {
         "aws:CalledVia": ["cloudformation.amazonaws.com"]}}), 1, ["PL104"]),
    ("ForAllValues:StringEqualsIfExists on an absent key holds",
     role_statement(PUT, Condition={"ForAllValues:StringEqualsIfExists": {
         "aws:CalledVia": ["cloudformation.amazonaws.com"]}}), 0, []),
    # 3. an explicit Deny in the role's own policies, with the key policy naming the role
    ("own deny kms:GenerateDataKey",
     add_role_statement({"Effect": "Deny", "Action": "kms:GenerateDataKey", "Resource": "*"}),
     1, ["PL105"]),
    ("own deny kms:*", add_role_statement({"Effect": "Deny", "Action": "kms:*",
                                           "Resource": "*"}), 1, ["PL105"]),
    ("own deny on the key ARN", add_role_statement({"Effect": "Deny", "Action": "kms:*",
                                                    "Resource": KEY}), 1, ["PL105"]),
    ("own deny with NotAction", add_role_statement({"Effect": "Deny",
                                                    "NotAction": ["s3:*", "cloudwatch:*"],
                                                    "Resource": "*"}), 1, ["PL105"]),
    ("own deny s3:PutObject, for comparison",
     add_role_statement({"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}),
     1, ["PL104"]),
    # the key's account is the resource account of every KMS call (the key ARN names it)
    ("data perimeter on the role: resources of its own account",
     add_role_statement({"Effect": "Deny", "Action": "kms:*", "Resource": "*", "Condition": {
         "StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}}), 0, []),
    ("data perimeter in the key policy: resources of one account",
     lambda root: edit(root / KEY_POLICY, lambda d: d["Statement"].append({
         "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:ResourceAccount": ACCOUNT}}})), 0, []),
    ("own deny outside another account", add_role_statement({
        "Effect": "Deny", "Action": "kms:*", "Resource": "*", "Condition": {
            "StringNotEquals": {"aws:ResourceAccount": "999999999999"}}}), 1, ["PL105"]),
    # 4. exact operators compare literally
    ("StringEquals aws:SourceArn with *",
     trust_condition({"StringEquals": {"aws:SourceAccount": ACCOUNT,
                                       "aws:SourceArn": f"arn:aws:personalize:us-east-1:"
                                                        f"{ACCOUNT}:*"}}), 1, ["PL101"]),
    ("ArnEquals aws:SourceArn with *",
     trust_condition({"StringEquals": {"aws:SourceAccount": ACCOUNT},
                      "ArnEquals": {"aws:SourceArn": f"arn:aws:personalize:us-east-1:"
                                                     f"{ACCOUNT}:*"}}), 0, []),
    ("StringEquals aws:SourceArn naming one dataset group",
     trust_condition({"StringEquals": {"aws:SourceArn": f"arn:aws:personalize:us-east-1:"
                                                        f"{ACCOUNT}:dataset-group/retail"}}),
     1, ["PL003"]),
    # a confused-deputy guard must keep other accounts' Personalize resources out
    ("guard whose ARN pattern names no account",
     trust_condition({"ArnLike": {"aws:SourceArn": "arn:*:personalize:*:*:*"}}), 1, ["PL102"]),
    ("guard that only asks for a source ARN",
     trust_condition({"Null": {"aws:SourceArn": "false"}}), 1, ["PL102"]),
    ("guard with a wildcard account", trust_condition({"StringLike": {"aws:SourceAccount": "*"}}),
     1, ["PL102"]),
    ("guard by account, any source ARN",
     trust_condition({"StringEquals": {"aws:SourceAccount": ACCOUNT},
                      "ArnLike": {"aws:SourceArn": "arn:aws:personalize:*:*:*"}}), 0, []),
    ("guard by source ARN of the account only",
     trust_condition({"ArnLike": {"aws:SourceArn": f"arn:aws:personalize:*:{ACCOUNT}:*"}}),
     0, []),
    # 5. role names in principals are case-sensitive; the account root still delegates
    ("key policy names the role in other case, no root statement",
     both(role_in_key_policy(ROLE.replace("PersonalizeMetricsRole", "personalizemetricsrole")),
          drop_key_root), 1, ["PL301"]),
    ("key policy names the role in other case, root delegates to the role's policies",
     role_in_key_policy(ROLE.replace("PersonalizeMetricsRole", "personalizemetricsrole")),
     0, []),
    ("key policy names the role, no root statement",
     both(role_in_key_policy(ROLE), drop_key_root), 0, []),
    # the role's session may or may not carry aws:MultiFactorAuthPresent (as false)
    ("own deny without MFA (Bool)",
     add_role_statement({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {
         "Bool": {"aws:MultiFactorAuthPresent": "false"}}}), 1, ["PL003", "PL003", "PL003"]),
    ("own deny without MFA (BoolIfExists)",
     add_role_statement({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {
         "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}),
     1, ["PL103", "PL104", "PL105"]),
    # a session principal names one session; Personalize's session name is not known
    ("key policy names one session of the role, no root statement",
     both(role_in_key_policy(f"arn:aws:sts::{ACCOUNT}:assumed-role/PersonalizeMetricsRole/x"),
          drop_key_root), 1, ["PL003"]),
]


@pytest.mark.parametrize(("change", "code", "rules"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_verdicts(tmp_path: Path, change: Edit, code: int, rules: list[str]) -> None:
    root = tmp_path / "setup"
    shutil.copytree(EXAMPLES / "compliant", root)
    change(root)
    run = run_cli("check", ".", "--format", "json", cwd=root)
    assert "Traceback" not in run.err
    findings = run.json()["findings"]
    assert sorted(f["rule_id"] for f in findings) == rules, findings
    assert run.code == code, run.out + run.err


def test_literal_wildcard_message(tmp_path: Path) -> None:
    root = tmp_path / "setup"
    shutil.copytree(EXAMPLES / "compliant", root)
    trust_condition({"StringEquals": {
        "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"}})(root)
    run = run_cli("check", ".", cwd=root)
    assert run.code == 1
    assert "PL101" in run.out
    assert "StringEquals compares literally" in run.out
    assert "use ArnLike (or StringLike)" in run.out
    # The statement allowing the service is there: only its operator is wrong.
    assert "Add a statement allowing" not in run.out


def test_denial_messages_without_a_role_name_and_with_an_explicit_deny(tmp_path: Path) -> None:
    # A roleArn that is not a role ARN (PL107 reports it) leaves the role's name unknown; the
    # permission findings still read as sentences, and an explicit Deny asks for the Deny
    # to be narrowed rather than for an Allow the role already has.
    root = tmp_path / "setup"
    shutil.copytree(EXAMPLES / "compliant", root)
    edit(root / ATTRIBUTION,
         lambda d: d["metricsOutputConfig"].update(roleArn="PersonalizeMetricsRole"))
    add_role_statement({"Effect": "Deny", "Action": ["kms:*", "s3:*"], "Resource": "*"})(root)
    run = run_cli("check", ".", "--format", "json", cwd=root)
    messages = {f["rule_id"]: f["message"] for f in run.json()["findings"]}
    assert messages["PL104"].startswith("The service role cannot call s3:PutObject on ")
    assert messages["PL105"].startswith("The service role cannot call kms:Decrypt, ")
    for message in (messages["PL104"], messages["PL105"]):
        assert "  " not in message
        assert "explicitly denied by statement 3" in message
        assert "Narrow the Deny" in message
    assert "Allow \"s3:PutObject\"" not in messages["PL104"]


def test_short_arn_pattern_message(tmp_path: Path) -> None:
    # IAM, ARN condition operators: "Each of the six colon-delimited components of the ARN is
    # checked separately": a value with fewer fields matches no ARN (PL101), and says why.
    root = tmp_path / "setup"
    shutil.copytree(EXAMPLES / "compliant", root)
    trust_condition({"ArnLike": {"aws:SourceArn": "arn:aws:personalize:*"}})(root)
    run = run_cli("check", ".", cwd=root)
    assert run.code == 1
    assert "PL101" in run.out
    assert ("ArnLike compares the six colon-separated fields of an ARN one by one; "
            "'arn:aws:personalize:*' has 4, so it matches no ARN") in " ".join(run.out.split())
    assert "Add a statement allowing" not in run.out


def test_a_trust_deny_asks_to_narrow_the_deny(tmp_path: Path) -> None:
    root = tmp_path / "setup"
    shutil.copytree(EXAMPLES / "compliant", root)
    edit(root / TRUST, lambda d: d["Statement"].append(
        {"Effect": "Deny", "Principal": "*", "NotAction": "sts:TagSession"}))
    run = run_cli("check", ".", "--format", "json", cwd=root)
    [finding] = run.json()["findings"]
    assert finding["rule_id"] == "PL101"
    assert "explicitly denied by statement 1" in finding["message"]
    assert "Narrow the Deny" in finding["message"]
    assert "Add a statement allowing" not in finding["message"]
