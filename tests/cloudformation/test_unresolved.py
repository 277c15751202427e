"""Values known only at deploy time make the checks they feed PL003, never a silent pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from personalize_lint.findings import Finding

ROLE = "/Resources/MetricsRole/Properties"
OUTPUT = "/Resources/Attribution/Properties/MetricsOutputConfig"


def _edit(templates: Path, tmp_path: Path, *changes: tuple[str, str]) -> Path:
    text = (templates / "compliant.yaml").read_text()
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return path


def _by_pointer(findings: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.location.pointer, []).append(f)
    return out


def test_each_unresolvable_value_is_named_where_it_is_used(templates, lint) -> None:
    findings = lint(templates / "unresolved.yaml")
    assert {f.rule_id for f in findings} == {"PL003"}
    at = _by_pointer(findings)
    trust = f"{ROLE}/AssumeRolePolicyDocument/Statement/0"
    assert "TrustedAccount" in at[f"{trust}/Condition/StringEquals/aws:SourceAccount"][0].message
    # The trust verdict itself is uncertain (PL101 not decided), at the statement.
    assert "Could not decide" in at[trust][0].message
    imported = at[f"{ROLE}/Policies/0/PolicyDocument/Statement/1/Resource"][0]
    assert "Fn::ImportValue 'SharedImportBucketArn'" in imported.message
    assert imported.location.logical_id == "MetricsRole"
    assert "IsProd" in at[f"{ROLE}/Policies/0/PolicyDocument/Statement/2"][0].message
    ssm = at[f"{OUTPUT}/S3DataDestination/KmsKeyArn"][0]
    assert "{{resolve:ssm:/personalize/metrics-key-arn}}" in ssm.message
    assert "KMS checks" in ssm.message
    assert all(f.setup == "unresolved.yaml#Attribution" for f in findings)


def test_an_imported_output_path_skips_the_s3_checks_with_pl003(templates, tmp_path,
                                                                 lint) -> None:
    path = _edit(templates, tmp_path, ("Path: !Sub s3://${MetricsBucket}/attribution/",
                                       "Path: !ImportValue SharedMetricsPath"))
    findings = lint(path)
    assert [f.rule_id for f in findings] == ["PL003"]
    message = findings[0].message
    assert "Fn::ImportValue 'SharedMetricsPath'" in message and "PL201" in message
    assert findings[0].location.pointer == f"{OUTPUT}/S3DataDestination/Path"


def test_an_imported_role_arn_is_pl003_and_pl107(templates, tmp_path, lint) -> None:
    path = _edit(templates, tmp_path, ("RoleArn: !GetAtt MetricsRole.Arn",
                                       "RoleArn: !ImportValue SharedRoleArn"))
    findings = lint(path)
    rules = sorted(f.rule_id for f in findings)
    # Why the role checks did not run (PL003), and that the set-up does not contain the
    # role (PL107: a [[setup]] naming the template can give its policies as files).
    assert "PL003" in rules and "PL107" in rules
    pl003 = next(f for f in findings if f.rule_id == "PL003")
    assert "SharedRoleArn" in pl003.message and "role checks" in pl003.message
    assert not {"PL103", "PL104", "PL105"} & set(rules)


def test_an_imported_bucket_policy_is_not_evaluated(templates, tmp_path, lint) -> None:
    path = _edit(templates, tmp_path, ("""      Bucket: !Ref MetricsBucket
      PolicyDocument:
        Version: "2012-10-17\"""", """      Bucket: !Ref MetricsBucket
      PolicyDocument: !ImportValue SharedBucketPolicy
      Unused:
        Version: "2012-10-17\""""))
    findings = [f for f in lint(path) if f.rule_id != "PL002"]
    assert [f.rule_id for f in findings] == ["PL003"]
    assert "bucket policy" in findings[0].message
    assert "SharedBucketPolicy" in findings[0].message


def test_an_unresolvable_managed_policy_makes_the_permission_checks_uncertain(
    templates, tmp_path, lint
) -> None:
    path = _edit(templates, tmp_path, ("""      RoleName: PersonalizeMetricsRole
""", """      RoleName: PersonalizeMetricsRole
      ManagedPolicyArns:
        - !ImportValue SharedPolicyArn
"""), ("""              - Effect: Allow
                Action: cloudwatch:PutMetricData
                Resource: "*"
              - !If""", """              - !If"""))
    findings = lint(path)
    # Without the imported policy nothing grants PutMetricData; it may grant it.
    assert "PL103" not in {f.rule_id for f in findings}
    uncertain = [f for f in findings if f.message.startswith("Could not decide")]
    assert uncertain and "ManagedPolicyArns[0]" in uncertain[0].message
    assert any("SharedPolicyArn" in f.message for f in findings)


@pytest.mark.parametrize("condition", [
    "Condition: IsProd",  # Env has no default
])
def test_a_resource_behind_an_undecidable_condition_is_noted(templates, tmp_path, lint,
                                                             condition: str) -> None:
    path = _edit(templates, tmp_path,
                 ("    AllowedValues: [prod, test]\n    Default: test\n",
                  "    AllowedValues: [prod, test]\n"),
                 ("""  WriteReportsPolicy:
    Type: AWS::IAM::Policy
""", f"""  WriteReportsPolicy:
    Type: AWS::IAM::Policy
    {condition}
"""), ("""              - !If
                - IsProd
                - Effect: Allow
                  Action: cloudwatch:PutMetricData
                  Resource: "*"
                - !Ref AWS::NoValue
""", ""))
    findings = lint(path)
    notes = [f for f in findings if f.location.logical_id == "WriteReportsPolicy"]
    assert notes and "IsProd" in notes[0].message and notes[0].rule_id == "PL003"


def test_a_reference_to_nothing_is_pl002_and_unresolved(templates, tmp_path, lint) -> None:
    path = _edit(templates, tmp_path, ("Resource: !GetAtt MetricsKey.Arn",
                                       "Resource: !GetAtt MissingKey.Arn"))
    findings = lint(path)
    pl002 = [f for f in findings if f.rule_id == "PL002"]
    assert pl002 and "MissingKey" in pl002[0].message
    assert pl002[0].location.logical_id == "WriteReportsPolicy"
