"""Where the metric attribution comes from: a [[setup]] file, or a stack in the plan.

A metric attribution is not a Terraform resource. A ``[[setup]]`` names the plan
(``terraform-plan``) beside the attribution's request file, and the plan gives the role,
bucket, key and dataset group, linked by the names and ARNs the request gives; or the plan
creates it in an ``aws_cloudformation_stack``. What cannot be linked is PL003.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_cli, write
from planbuilder import ACCOUNT, REGION
from tf_families import BUCKET, ROLE_ARN, compliant, r

REQUEST = {
    "name": "retail-attribution",
    "datasetGroupArn": f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset-group/retail",
    "metrics": [{"eventType": "click", "metricName": "CLICK_COUNT",
                 "expression": "SAMPLECOUNT()"},
                {"eventType": "purchase", "metricName": "REVENUE",
                 "expression": "SUM(Items.PRICE)"}],
    "metricsOutputConfig": {
        "roleArn": ROLE_ARN,
        "s3DataDestination": {"path": f"s3://{BUCKET}/attribution/",
                              "kmsKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
                                           "1234abcd-12ab-34cd-56ef-1234567890ab"}},
}


def without_stack():
    b = compliant()
    b.resources = [x for x in b.resources if x.type != "aws_cloudformation_stack"]
    return b


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "personalize" / "attribution.json", json.dumps(REQUEST, indent=1))
    return tmp_path


def _config(project: Path, *lines: str) -> None:
    write(project / "personalize-lint.toml",
          '[[setup]]\nname = "retail"\nterraform-plan = "infra/plan.json"\n'
          + "".join(f"{line}\n" for line in lines))


def _key_known(b):
    # The key exists already (an update): its ARN is in the plan, as the request names it.
    key = next(x for x in b.resources if x.address == "aws_kms_key.metrics")
    key.config.update({"arn": REQUEST["metricsOutputConfig"]["s3DataDestination"]["kmsKeyArn"],
                       "key_id": "1234abcd-12ab-34cd-56ef-1234567890ab"})
    key.computed = ("id", "tags_all")
    return b


def test_a_request_file_is_linked_to_the_plans_resources(project: Path, lint) -> None:
    _key_known(without_stack()).write(project / "infra" / "plan.json", indent=1)
    _config(project, 'metric-attribution = "personalize/attribution.json"')
    findings = lint(root=project)
    assert findings == [], [f.message for f in findings]


def test_the_plans_role_really_is_checked(project: Path, lint) -> None:
    b = _key_known(without_stack())
    trust = next(x for x in b.resources if x.address == "data.aws_iam_policy_document.trust")
    trust.config["json"] = trust.config["json"].replace("personalize.amazonaws.com",
                                                        "sagemaker.amazonaws.com")
    b.write(project / "infra" / "plan.json", indent=1)
    _config(project, 'metric-attribution = "personalize/attribution.json"')
    findings = lint(root=project)
    assert [(f.rule_id, f.location.logical_id, f.location.path) for f in findings] == [
        ("PL101", "aws_iam_role.metrics", "infra/plan.json")]
    assert findings[0].setup == "retail"


def test_a_key_the_plan_creates_has_no_arn_to_match_until_apply(project: Path, lint) -> None:
    # The request names a key ARN; the plan's new key has its ARN only after apply: the
    # key is not linked, and its policy is named as not evaluated.
    without_stack().write(project / "infra" / "plan.json", indent=1)
    _config(project, 'metric-attribution = "personalize/attribution.json"')
    findings = lint(root=project)
    assert [f.rule_id for f in findings] == ["PL003"]
    assert "key policy not evaluated: the KMS key arn:aws:kms:" in findings[0].message
    assert "is not defined in this plan" in findings[0].message


def test_a_file_wins_over_the_plan(project: Path, lint) -> None:
    _key_known(without_stack()).write(project / "infra" / "plan.json", indent=1)
    write(project / "s3" / "bucket-policy.json", json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
            "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
    _config(project, 'metric-attribution = "personalize/attribution.json"',
            'bucket-policy = "s3/bucket-policy.json"')
    findings = lint(root=project)
    assert [(f.rule_id, f.location.path) for f in findings] == [("PL201", "s3/bucket-policy.json")]


def test_the_attribution_can_come_from_a_stack_of_the_plan(project: Path, lint) -> None:
    compliant().write(project / "infra" / "plan.json", indent=1)
    _config(project)
    findings = lint(root=project, ignore=())
    assert [(f.rule_id, f.setup) for f in findings] == [("PL409", "retail")]


def test_a_plan_without_attribution_is_pl003_for_its_setup(project: Path, lint) -> None:
    without_stack().write(project / "infra" / "plan.json", indent=1)
    _config(project)
    [finding] = lint(root=project)
    assert finding.rule_id == "PL003" and finding.setup == "retail"
    assert "metric attribution not evaluated: infra/plan.json holds no metric attribution" in (
        finding.message)
    assert "(terraform-plan, metric-attribution)" in finding.message


def test_a_plan_checked_alone_names_its_dataset_group_without_attribution(tmp_path, lint):
    b = without_stack()
    r(b, "aws_cloudformation_stack", "elsewhere", {
        "name": "elsewhere", "template_url": "https://example.com/attribution.yaml"})
    path = b.write(tmp_path / "plan.json", indent=1)
    [finding] = lint(path)
    assert finding.rule_id == "PL003"
    assert finding.location.logical_id == "awscc_personalize_dataset_group.retail"
    assert "no metric attribution in this plan is linked to it" in finding.message
    assert "aws_cloudformation_stack.elsewhere takes its template from template_url" in (
        finding.message)


def test_a_plan_without_personalize_resources_gives_nothing(tmp_path, lint):
    b = without_stack()
    b.resources = [x for x in b.resources if not x.type.startswith("awscc_")]
    assert lint(b.write(tmp_path / "plan.json", indent=1)) == []


def test_a_stack_template_that_does_not_parse_is_pl001(tmp_path, lint):
    b = compliant()
    stack = next(x for x in b.resources if x.type == "aws_cloudformation_stack")
    stack.config["template_body"] = stack.config["template_body"][:-40]
    path = b.write(tmp_path / "plan.json", indent=1)
    findings = lint(path)
    [pl001] = [f for f in findings if f.rule_id == "PL001"]
    assert pl001.message.startswith("the template_body of aws_cloudformation_stack.attribution"
                                    " cannot be parsed:")
    assert "of the template)" in pl001.message
    assert '"template_body"' in path.read_text().splitlines()[pl001.location.line - 1]


def test_a_yaml_stack_template_is_read(tmp_path, lint):
    import yaml

    b = compliant()
    stack = next(x for x in b.resources if x.type == "aws_cloudformation_stack")
    stack.config["template_body"] = yaml.safe_dump(json.loads(stack.config["template_body"]))
    findings = lint(b.write(tmp_path / "plan.json", indent=1), ignore=())
    assert [f.rule_id for f in findings] == ["PL409"]


def test_a_missing_plan_is_pl004(tmp_path, lint):
    write(tmp_path / "personalize-lint.toml",
          '[[setup]]\nname = "retail"\nterraform-plan = "infra/nope.json"\n')
    findings = lint(root=tmp_path)
    assert any(f.rule_id == "PL004" and "nope.json" in f.message for f in findings)


def test_the_cli_checks_the_setup_of_a_changed_plan(project: Path) -> None:
    # pre-commit passes only the changed plan: its set-up (with the request) is checked.
    b = _key_known(without_stack())
    policy = next(x for x in b.resources if x.address == "aws_iam_role_policy.publish")
    policy.config["policy"] = policy.config["policy"].replace("PutMetricData", "GetMetricData")
    b.write(project / "infra" / "plan.json", indent=1)
    _config(project, 'metric-attribution = "personalize/attribution.json"')
    run = run_cli("check", "infra/plan.json", "--format", "json", "--ignore", "PL409",
                  cwd=project)
    assert run.code == 1, run.err
    assert [(f["rule_id"], f["path"], f["setup"], f["logical_id"])
            for f in run.json()["findings"]] == [
        ("PL103", "infra/plan.json", "retail", "aws_iam_role_policy.publish")]


TEMPLATE = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Attribution:
    Type: AWS::Personalize::MetricAttribution
    Properties:
      Name: retail-attribution
      DatasetGroupArn: {REQUEST["datasetGroupArn"]}
      Metrics:
        - {{EventType: click, MetricName: CLICK_COUNT, Expression: SAMPLECOUNT()}}
        - {{EventType: purchase, MetricName: REVENUE, Expression: SUM(Items.PRICE)}}
      MetricsOutputConfig:
        RoleArn: {ROLE_ARN}
        S3DataDestination:
          Path: s3://{BUCKET}/attribution/
          KmsKeyArn: {REQUEST["metricsOutputConfig"]["s3DataDestination"]["kmsKeyArn"]}
"""


def test_the_attribution_can_come_from_a_template_beside_the_plan(project: Path, lint) -> None:
    # The CloudFormation template holds only the attribution; the plan holds the role,
    # bucket and key it names. Neither file's "not defined here" notes stand for what the
    # other gives.
    _key_known(without_stack()).write(project / "infra" / "plan.json", indent=1)
    write(project / "cfn" / "attribution.yaml", TEMPLATE)
    _config(project, 'template = "cfn/attribution.yaml"')
    findings = lint(root=project)
    assert findings == [], [f.message for f in findings]


def test_a_template_beside_the_plan_checks_the_plans_role(project: Path, lint) -> None:
    b = _key_known(without_stack())
    policy = next(x for x in b.resources if x.address == "aws_iam_role_policy.publish")
    policy.config["policy"] = policy.config["policy"].replace("PutMetricData", "GetMetricData")
    b.write(project / "infra" / "plan.json", indent=1)
    write(project / "cfn" / "attribution.yaml", TEMPLATE.replace(
        "Path: s3://", "Path: s3://unknown-"))
    _config(project, 'template = "cfn/attribution.yaml"')
    findings = lint(root=project)
    # The bucket is in neither file: both say so.
    assert sorted((f.rule_id, f.location.path, f.location.logical_id) for f in findings) == [
        ("PL003", "cfn/attribution.yaml", "Attribution"),
        ("PL003", "personalize-lint.toml", None),
        ("PL103", "infra/plan.json", "aws_iam_role_policy.publish"),
        ("PL104", "infra/plan.json", "aws_iam_policy.write_reports")]
    notes = [f.message for f in findings if f.rule_id == "PL003"]
    assert all("bucket unknown-retail-personalize-metrics is not defined in this" in n
               for n in notes)
