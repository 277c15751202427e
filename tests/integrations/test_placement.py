"""What the integrations share, in process: the ID mappings, one file through the engine,
and the resource each finding is placed on for checkov (with each check's verdict)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import EXAMPLES, write
from personalize_lint.findings import Finding
from personalize_lint.integrations.checkov.placement import Placement
from personalize_lint.integrations.ids import cfn_lint_id, checkov_id
from personalize_lint.integrations.scan import FileScan, scan_file
from personalize_lint.location import Location
from personalize_lint.plugins import collect_rules, make_plugin_manager

BROKEN = EXAMPLES / "cloudformation" / "broken.yaml"
COMPLIANT = EXAMPLES / "cloudformation" / "compliant.yaml"


@pytest.mark.parametrize(("rule_id", "level", "cfn_lint", "checkov"), [
    ("PL001", "error", "E9001", "CKV_PL_001"),
    ("PL104", "error", "E9104", "CKV_PL_104"),
    ("PL104", "warning", "W9104", "CKV_PL_104"),
    ("PL409", "note", "I9409", "CKV_PL_409"),
    ("PL702", "warning", "W9702", "CKV_PL_702"),
])
def test_ids_map_one_to_one(rule_id: str, level: str, cfn_lint: str, checkov: str) -> None:
    assert cfn_lint_id(rule_id, level) == cfn_lint
    assert checkov_id(rule_id) == checkov


@pytest.mark.parametrize("rule_id", ["ACME001", "PL1", "PL1044", "pl104", "XPL104"])
def test_only_built_in_ids_are_mapped(rule_id: str) -> None:
    with pytest.raises(ValueError):
        checkov_id(rule_id)


def test_a_scan_is_the_command_lines_run_and_is_reused() -> None:
    scan = scan_file(BROKEN)
    assert sorted((f.rule_id, f.level, f.location.line) for f in scan.findings) == [
        ("PL102", "warning", 106), ("PL103", "error", 115), ("PL201", "error", 89),
        ("PL301", "error", 58), ("PL404", "error", 144), ("PL409", "note", 139)]
    assert all(scan.in_file(f.location) for f in scan.findings)
    assert scan_file(BROKEN) is scan  # unchanged file: the engine is not run again
    assert [s.name for s in scan.setups] == ["broken.yaml#Attribution"]


# (rule, resource, type) -> result on the broken example; the anchor is DatasetGroup.
BROKEN_VERDICTS = [
    ("PL103", "MetricsRole", "AWS::IAM::Role", "FAILED"),
    ("PL103", "WriteReportsPolicy", "AWS::IAM::Policy", "PASSED"),  # of the set-up's role
    ("PL103", "MetricsBucket", "AWS::S3::Bucket", "UNKNOWN"),  # a bucket: not PL1's business
    ("PL201", "MetricsBucketPolicy", "AWS::S3::BucketPolicy", "FAILED"),
    ("PL201", "MetricsBucket", "AWS::S3::Bucket", "PASSED"),
    ("PL301", "MetricsKey", "AWS::KMS::Key", "FAILED"),
    ("PL404", "Attribution", "AWS::Personalize::MetricAttribution", "FAILED"),
    ("PL401", "Attribution", "AWS::Personalize::MetricAttribution", "PASSED"),
    ("PL502", "ItemsSchema", "AWS::Personalize::Schema", "PASSED"),
    ("PL001", "MetricsKey", "AWS::KMS::Key", "PASSED"),  # input rules: every set-up resource
    ("PL603", "Attribution", "AWS::Personalize::MetricAttribution", "UNKNOWN"),  # data: files
    ("PL001", "ItemsDataset", "AWS::Personalize::Dataset", "UNKNOWN"),  # no set-up input
    ("PL001", "DatasetGroup", "AWS::Personalize::DatasetGroup", "UNKNOWN"),
]


@pytest.mark.parametrize(("rule_id", "resource", "kind", "result"), BROKEN_VERDICTS)
def test_checks_judge_the_resources_of_the_broken_example(
    rule_id: str, resource: str, kind: str, result: str
) -> None:
    placement = Placement.of(scan_file(BROKEN))
    verdict = placement.verdict(rule_id, resource, kind, anchor="DatasetGroup")
    assert verdict.result == result
    assert bool(verdict.details) == (result == "FAILED")


def test_a_failure_carries_the_findings_level_and_message() -> None:
    placement = Placement.of(scan_file(BROKEN))
    verdict = placement.verdict("PL102", "MetricsRole", "AWS::IAM::Role", "DatasetGroup")
    assert (verdict.result, verdict.level) == ("FAILED", "warning")
    assert verdict.details[0].startswith("PL102 The trust policy has no confused-deputy guard: ")


def test_a_resource_outside_every_set_up_never_passes(tmp_path: Path) -> None:
    text = COMPLIANT.read_text(encoding="utf-8") + """  OtherRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
"""
    placement = Placement.of(scan_file(write(tmp_path / "stack.yaml", text)))
    assert placement.verdict("PL101", "OtherRole", "AWS::IAM::Role", "DatasetGroup").result == (
        "UNKNOWN")
    assert placement.verdict("PL101", "MetricsRole", "AWS::IAM::Role", "DatasetGroup").result == (
        "PASSED")


def test_a_finding_in_no_resource_goes_to_the_anchor_only(tmp_path: Path) -> None:
    template = write(tmp_path / "stack.yaml", COMPLIANT.read_text(encoding="utf-8"))
    write(tmp_path / "personalize-lint.toml", "limits = 3\n")
    placement = Placement.of(scan_file(template))
    anchored = placement.verdict("PL004", "DatasetGroup", "AWS::Personalize::DatasetGroup",
                                 anchor="DatasetGroup")
    assert anchored.result == "FAILED"
    assert anchored.details[0].endswith("(at personalize-lint.toml:1:1)")
    assert placement.verdict("PL004", "MetricsRole", "AWS::IAM::Role",
                             anchor="DatasetGroup").result == "PASSED"


def test_a_set_up_finding_without_a_resource_goes_to_its_metric_attribution(
    tmp_path: Path,
) -> None:
    """An interactions file of a configured set-up lies outside the template: its findings
    are the set-up's, and the set-up is the template's MetricAttribution."""
    template = write(tmp_path / "cfn" / "stack.yaml", COMPLIANT.read_text(encoding="utf-8"))
    write(tmp_path / "data" / "interactions.csv",
          "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1700000000\n")
    write(tmp_path / "personalize-lint.toml", """
[[setup]]
name = "retail"
template = "cfn/stack.yaml"
interactions-data = ["data/interactions.csv"]
""")
    scan = scan_file(template)
    outside = [f for f in scan.findings if not scan.in_file(f.location)]
    assert {f.rule_id for f in outside} >= {"PL601"}  # no EVENT_TYPE column
    placement = Placement.of(scan)
    verdict = placement.verdict("PL601", "Attribution", "AWS::Personalize::MetricAttribution",
                                anchor="DatasetGroup")
    assert verdict.result == "FAILED"
    assert "(at data/interactions.csv" in verdict.details[0]


def test_a_suppressed_finding_is_skipped_with_its_reason(tmp_path: Path) -> None:
    text = BROKEN.read_text(encoding="utf-8").replace(
        "  MetricsKey:\n    Type: AWS::KMS::Key\n",
        "  MetricsKey:\n    Type: AWS::KMS::Key\n    Metadata:\n      personalize-lint:\n"
        "        ignore:\n          - rule: PL301\n            reason: key policy managed by SEC\n")
    placement = Placement.of(scan_file(write(tmp_path / "stack.yaml", text)))
    verdict = placement.verdict("PL301", "MetricsKey", "AWS::KMS::Key", "DatasetGroup")
    assert verdict.result == "SKIPPED"
    assert verdict.details[0].endswith("(suppressed: key policy managed by SEC)")


def test_the_tools_are_imported_only_by_the_tools(tmp_path: Path) -> None:
    """personalize-lint's own runs never import the integrations (nor cfn-lint, checkov);
    the checkov package names its folder without importing checkov."""
    write(tmp_path / "stack.yaml", COMPLIANT.read_text(encoding="utf-8"))
    code = (
        "import sys; from personalize_lint.cli import main; "
        "main(['check', '-q', '--exit-zero', 'stack.yaml']); "
        "seen = lambda *names: sorted(m for m in sys.modules if m.split('.')[0] in names "
        "or m.startswith('personalize_lint.integrations')); "
        "print(seen('cfnlint', 'checkov'), file=sys.stderr); "
        "import personalize_lint.integrations.checkov as c; assert c.EXTERNAL_CHECKS_DIR.is_dir(); "
        "print(seen('cfnlint', 'checkov'), file=sys.stderr)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, check=True)
    after_check, after_import = run.stderr.strip().splitlines()[-2:]
    assert after_check == "[]"
    assert after_import == str(["personalize_lint.integrations",
                                "personalize_lint.integrations.checkov"])


@pytest.mark.parametrize(("logical_id", "carrier"), [
    ("module.store.aws_s3_bucket_policy.metrics", "module.store.aws_s3_bucket_policy.metrics"),
    # a resource of an aws_cloudformation_stack's template: on the stack
    ("aws_cloudformation_stack.attribution/Attribution", "aws_cloudformation_stack.attribution"),
    ('aws_iam_role.r["a/b"]', 'aws_iam_role.r["a/b"]'),  # a "/" inside an instance key
    # a data source read while planning is not in planned_values, which checkov reads
    ("data.aws_iam_policy_document.trust", "aws_iam_role.first"),
])
def test_plan_findings_go_where_checkov_shows_a_resource(
    logical_id: str, carrier: str, tmp_path: Path
) -> None:
    plan = write(tmp_path / "plan.json", "{}").resolve()
    scan = FileScan(plan, tmp_path.resolve(), collect_rules(make_plugin_manager(autoload=False)))
    scan.findings.append(Finding("PL204", "unguarded", level="warning", location=Location(
        path="plan.json", pointer="/resource_changes/3/change/after/policy",
        logical_id=logical_id)))
    placement = Placement.of(scan)
    failing = [r for r in {carrier, "aws_iam_role.first", "aws_s3_bucket.other"}
               if placement.verdict("PL204", r, "aws_s3_bucket_policy",
                                    anchor="aws_iam_role.first").result == "FAILED"]
    assert failing == [carrier]


TF_BROKEN = EXAMPLES / "terraform" / "broken" / "plan.json"


@pytest.mark.parametrize(("rule_id", "resource", "kind", "result"), [
    # The key policy names the role by an ARN known only after apply: PL003 on the key.
    ("PL003", "aws_kms_key.metrics", "aws_kms_key", "FAILED"),
    # So no key rule passes there: nothing was decided about the key policy.
    ("PL301", "aws_kms_key.metrics", "aws_kms_key", "UNKNOWN"),
    ("PL304", "aws_kms_key.metrics", "aws_kms_key", "UNKNOWN"),
    ("PL001", "aws_kms_key.metrics", "aws_kms_key", "UNKNOWN"),
    # What was decided elsewhere still passes or fails.
    ("PL102", "aws_iam_role.metrics", "aws_iam_role", "FAILED"),
    ("PL101", "aws_iam_role.metrics", "aws_iam_role", "PASSED"),
    ("PL201", "aws_s3_bucket_policy.metrics", "aws_s3_bucket_policy", "PASSED"),
])
def test_what_was_not_evaluated_on_a_resource_never_passes_there(
    rule_id: str, resource: str, kind: str, result: str
) -> None:
    placement = Placement.of(scan_file(TF_BROKEN))
    verdict = placement.verdict(rule_id, resource, kind, anchor="awscc_personalize_schema.items")
    assert verdict.result == result, verdict
