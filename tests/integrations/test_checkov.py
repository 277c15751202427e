"""checkov with our external checks, run for real from a venv of its own (see conftest):
``checkov -d DIR --external-checks-dir "$(python -m personalize_lint.integrations.checkov)"``.

Each PL rule is a ``CKV_PL_nnn`` check; a finding fails the check on the resource it points
at, with a severity from its level (error HIGH, warning MEDIUM, note LOW).
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers import EXAMPLES, REPO, write
from personalize_lint.integrations.ids import checkov_id
from personalize_lint.integrations.scan import scan_file

pytestmark = pytest.mark.slow

BROKEN = EXAMPLES / "cloudformation" / "broken.yaml"
COMPLIANT = EXAMPLES / "cloudformation" / "compliant.yaml"

Result = tuple[str, str, str]  # (file, resource, check)


def checks_dir(checkov_bin: Path) -> str:
    """What the README has users pass: the folder the installed package names."""
    folder = subprocess.run(
        [str(checkov_bin.with_name("python")), "-m", "personalize_lint.integrations.checkov"],
        capture_output=True, text=True, timeout=120, check=True).stdout.strip()
    assert Path(folder).parent.parent.parent.parent.name == "site-packages", folder
    return folder


def checkov(checkov_bin: Path, *args: str | Path, cwd: Path) -> tuple[int, dict[str, Any], str]:
    """Run checkov with only our checks; the JSON reports by framework, and stderr."""
    proc = subprocess.run(
        [str(checkov_bin), *map(str, args), "--external-checks-dir", checks_dir(checkov_bin),
         "--check", "CKV_PL_*", "--skip-download", "-o", "json"],
        cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    data = json.loads(proc.stdout)
    reports = data if isinstance(data, list) else [data]
    return proc.returncode, {r["check_type"]: r for r in reports}, proc.stderr


def results(report: dict[str, Any], kind: str) -> dict[Result, dict[str, Any]]:
    return {(r["file_path"], r["resource"], r["check_id"]): r
            for r in report["results"][kind]}


def broken_failures(path: str) -> set[Result]:
    return {
        (path, "AWS::IAM::Role.MetricsRole", "CKV_PL_102"),
        (path, "AWS::IAM::Role.MetricsRole", "CKV_PL_103"),
        (path, "AWS::S3::BucketPolicy.MetricsBucketPolicy", "CKV_PL_201"),
        (path, "AWS::KMS::Key.MetricsKey", "CKV_PL_301"),
        (path, "AWS::Personalize::MetricAttribution.Attribution", "CKV_PL_404"),
        (path, "AWS::Personalize::MetricAttribution.Attribution", "CKV_PL_409"),
    }


def test_a_folder_of_templates_and_terraform(checkov_bin: Path, tmp_path: Path) -> None:
    scanned = tmp_path / "infra"
    write(scanned / "broken.yaml", BROKEN.read_text(encoding="utf-8"))
    write(scanned / "compliant.yaml", COMPLIANT.read_text(encoding="utf-8"))
    write(scanned / "team" / "suppressed.yaml", BROKEN.read_text(encoding="utf-8").replace(
        "  MetricsKey:\n    Type: AWS::KMS::Key\n",
        "  MetricsKey:\n    Type: AWS::KMS::Key\n    Metadata:\n      personalize-lint:\n"
        "        ignore:\n          - rule: PL301\n            reason: key policy owned by SEC\n"))
    write(scanned / "main.tf", """
resource "aws_iam_role" "metrics" {
  name               = "PersonalizeMetricsRole"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
""")
    # From another folder: checkov names files relative to the scanned one.
    code, reports, stderr = checkov(checkov_bin, "-d", scanned, "--framework", "cloudformation",
                                    "terraform", cwd=tmp_path)
    cfn = reports["cloudformation"]
    failed = results(cfn, "failed_checks")
    assert set(failed) == (
        broken_failures("/broken.yaml")
        | broken_failures("/team/suppressed.yaml")
        - {("/team/suppressed.yaml", "AWS::KMS::Key.MetricsKey", "CKV_PL_301")}
        | {("/compliant.yaml", "AWS::Personalize::MetricAttribution.Attribution", "CKV_PL_409")})
    severities = {key[2]: r["severity"] for key, r in failed.items()}
    assert severities == {"CKV_PL_102": "MEDIUM", "CKV_PL_103": "HIGH", "CKV_PL_201": "HIGH",
                          "CKV_PL_301": "HIGH", "CKV_PL_404": "HIGH", "CKV_PL_409": "LOW"}
    role = failed[("/broken.yaml", "AWS::IAM::Role.MetricsRole", "CKV_PL_103")]
    start, end = role["file_line_range"]
    assert start <= 115 <= end  # the resource holding the statement personalize-lint names
    assert role["check_name"] == "PL103 The service role cannot publish metrics to CloudWatch"

    skipped = results(cfn, "skipped_checks")
    assert set(skipped) == {("/team/suppressed.yaml", "AWS::KMS::Key.MetricsKey", "CKV_PL_301")}

    passed = results(cfn, "passed_checks")
    assert ("/compliant.yaml", "AWS::IAM::Role.MetricsRole", "CKV_PL_103") in passed
    assert ("/compliant.yaml", "AWS::KMS::Key.MetricsKey", "CKV_PL_301") in passed
    # Judged only where the engine decided something: no PL1 verdict on a bucket, none on
    # a resource no set-up uses.
    assert ("/compliant.yaml", "AWS::S3::Bucket.MetricsBucket", "CKV_PL_103") not in passed
    assert not any(key[1].endswith("ItemsDataset") for key in passed)

    terraform = reports.get("terraform")
    assert terraform is None or terraform["results"]["failed_checks"] == []
    assert terraform is None or terraform["results"]["passed_checks"] == []
    assert "do not evaluate Terraform configuration (.tf)" in stderr
    assert code == 1


def test_one_template_named_on_the_command_line(checkov_bin: Path) -> None:
    """``-f`` names the file from the working directory; a note (LOW) need not fail."""
    code, reports, _ = checkov(checkov_bin, "-f", "cloudformation/compliant.yaml",
                               "--soft-fail-on", "LOW", cwd=EXAMPLES)
    cfn = reports["cloudformation"]
    assert set(results(cfn, "failed_checks")) == {(
        "/cloudformation/compliant.yaml", "AWS::Personalize::MetricAttribution.Attribution",
        "CKV_PL_409")}
    assert len(results(cfn, "passed_checks")) > 40
    assert code == 0


CANNOT_FIND = """
import json
from personalize_lint.integrations.checkov.checks import CloudFormationCheck
from personalize_lint.plugins import collect_rules, make_plugin_manager

rules = collect_rules(make_plugin_manager(autoload=False))
answers = {}
for rule_id in ("PL003", "PL104"):
    check = CloudFormationCheck(rules[rule_id])
    result = check.run("/gone/stack.yaml", {"Type": "AWS::IAM::Role", "Properties": {}},
                       "Role", "AWS::IAM::Role", {})
    answers[rule_id] = [result["result"].value, check.details]
print(json.dumps(answers))
"""


def test_a_file_checkov_names_but_the_engine_cannot_read_fails_pl003(
    checkov_bin: Path, tmp_path: Path
) -> None:
    """checkov turns an exception in a check into an unreported UNKNOWN; ours never let a
    resource go unjudged silently: CKV_PL_003 fails and says why."""
    run = subprocess.run([str(checkov_bin.with_name("python")), "-c", CANNOT_FIND], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300, check=True)
    answers = json.loads(run.stdout.strip().splitlines()[-1])
    assert answers["PL104"] == ["UNKNOWN", []]
    result, details = answers["PL003"]
    assert result == "FAILED"
    assert details == [f"PL003 Check not evaluated: personalize-lint cannot find the file checkov "
                       f"scans (gone/stack.yaml) from {tmp_path} or the scanned folders"]


def test_terraform_plans(checkov_bin: Path, tmp_path: Path) -> None:
    """The Terraform examples, and the CloudFormation families as Terraform plans them
    (written by the Terraform tests' plan builder): every finding fails its check on the
    resource address it names, and no check fails without a finding."""
    scanned = tmp_path / "plans"
    shutil.copytree(EXAMPLES / "terraform", scanned / "examples")
    sys.path.insert(0, str(REPO / "tests" / "terraform"))
    for name, family in importlib.import_module("tf_families").FAMILIES.items():
        family().write(scanned / "families" / name.replace(".yaml", ".json"), indent=2)
    code, reports, _ = checkov(checkov_bin, "-d", scanned, "--framework", "terraform_plan",
                               cwd=tmp_path)
    failed = results(reports["terraform_plan"], "failed_checks")
    broken = "/examples/broken/plan.json"
    assert {key[1:] for key in failed if key[0] == broken} == {
        ("aws_kms_key.metrics", "CKV_PL_003"),  # the key policy is known only after apply
        ("aws_s3_bucket_policy.metrics", "CKV_PL_204"),
        ("aws_iam_role.metrics", "CKV_PL_102"),
        ("aws_iam_role_policy.metrics", "CKV_PL_104"),
        # the metric attribution is a resource of the stack's template
        ("aws_cloudformation_stack.attribution", "CKV_PL_409"),
    }
    write_reports = failed[(broken, "aws_iam_role_policy.metrics", "CKV_PL_104")]
    assert write_reports["severity"] == "HIGH"
    assert write_reports["details"][0].startswith(
        "PL104 The service role cannot write the metrics to S3: ")
    assert {key[1:] for key in failed if key[0] == "/families/role.json"} == {
        ("aws_iam_role_policy.publish", "CKV_PL_103"),
        ("aws_iam_role_policy.publish", "CKV_PL_106"),
        ("aws_iam_policy.write_reports", "CKV_PL_104"),
        ("aws_iam_policy.write_reports", "CKV_PL_105"),
        ("aws_cloudformation_stack.attribution", "CKV_PL_409"),
    }
    plans = [*scanned.glob("examples/*/plan.json"), *scanned.glob("families/*.json")]
    assert len(plans) == 9
    for plan in plans:
        where = f"/{plan.relative_to(scanned).as_posix()}"
        assert {key[2] for key in failed if key[0] == where} == {
            checkov_id(f.rule_id) for f in scan_file(plan).findings}, where
    passed = results(reports["terraform_plan"], "passed_checks")
    assert ("/examples/compliant/plan.json", "aws_iam_role.metrics", "CKV_PL_101") in passed
    # The broken key's policy was not evaluated (CKV_PL_003 fails there): none of its
    # checks passes.
    assert not [key for key in passed if key[:2] == (broken, "aws_kms_key.metrics")]
    assert (broken, "aws_iam_role.metrics", "CKV_PL_101") in passed
    assert code == 1
