"""A template named in a [[setup]] together with files: the files win where they speak."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_cli, write

CONFIG = """\
[[setup]]
name = "retail"
template = "infra/personalize.yaml"
{extra}
"""
READS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
                   "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::retail-personalize-metrics/*"}],
}


@pytest.fixture
def project(tmp_path: Path, templates: Path) -> Path:
    write(tmp_path / "infra" / "personalize.yaml", (templates / "compliant.yaml").read_text())
    write(tmp_path / "s3" / "bucket-policy.json", json.dumps(READS_ONLY, indent=2))
    return tmp_path


def _config(project: Path, extra: str = "") -> None:
    write(project / "personalize-lint.toml", CONFIG.format(extra=extra))


def test_a_template_alone_in_a_setup_is_the_whole_setup(project: Path, lint) -> None:
    _config(project)
    findings = lint(root=project, ignore=())
    assert [(f.rule_id, f.setup) for f in findings] == [("PL409", "retail")]


def test_a_file_wins_over_the_template(project: Path, lint) -> None:
    # The template's bucket policy is fine; the set-up's file is what gets checked.
    _config(project, 'bucket-policy = "s3/bucket-policy.json"')
    findings = lint(root=project)
    assert [(f.rule_id, f.location.path) for f in findings] == [
        ("PL201", "s3/bucket-policy.json")]
    assert findings[0].setup == "retail"


def test_the_template_fills_what_the_files_leave_out(project: Path, lint) -> None:
    # No bucket policy in the template any more, and none in the set-up: PL201 at the
    # bucket the template creates without a policy.
    template = project / "infra" / "personalize.yaml"
    text = template.read_text()
    start, end = text.index("  MetricsBucketPolicy:"), text.index("  MetricsRole:")
    template.write_text(text[:start] + text[end:])
    _config(project)
    findings = lint(root=project)
    assert [(f.rule_id, f.location.logical_id) for f in findings] == [("PL201", "MetricsBucket")]
    _config(project, 'bucket-policy = "s3/bucket-policy.json"')
    assert [f.location.path for f in lint(root=project)] == ["s3/bucket-policy.json"]


def test_a_request_file_is_linked_to_the_template_resources(project: Path, lint) -> None:
    # The attribution comes from a file with a concrete account and region: the template
    # is taken as deployed there, so its role, bucket and key are the file's.
    request = {
        "name": "retail-attribution",
        "datasetGroupArn": "arn:aws:personalize:eu-west-1:111122223333:dataset-group/retail",
        "metrics": [{"eventType": "click", "metricName": "CLICKS",
                     "expression": "SAMPLECOUNT()"}],
        "metricsOutputConfig": {
            "roleArn": "arn:aws:iam::111122223333:role/PersonalizeMetricsRole",
            "s3DataDestination": {"path": "s3://retail-personalize-metrics/attribution/"},
        },
    }
    write(project / "personalize" / "attribution.json", json.dumps(request, indent=2))
    _config(project, 'metric-attribution = "personalize/attribution.json"')
    findings = lint(root=project)
    assert findings == [], [f.message for f in findings]
    # The role from the template really is checked: break its trust and PL101 fires there.
    template = project / "infra" / "personalize.yaml"
    template.write_text(template.read_text().replace(
        "Service: personalize.amazonaws.com\n            Action: sts:AssumeRole",
        "Service: sagemaker.amazonaws.com\n            Action: sts:AssumeRole"))
    findings = lint(root=project)
    assert [(f.rule_id, f.location.logical_id) for f in findings] == [("PL101", "MetricsRole")]


def test_a_missing_template_is_pl004(project: Path, lint) -> None:
    write(project / "personalize-lint.toml",
          '[[setup]]\nname = "retail"\ntemplate = "infra/nope.yaml"\n')
    findings = lint(root=project)
    assert any(f.rule_id == "PL004" and "nope.yaml" in f.message for f in findings)


def test_the_cli_checks_the_setup_of_a_changed_template(project: Path) -> None:
    # pre-commit passes only the changed template: its set-up (with the file) is checked.
    _config(project, 'bucket-policy = "s3/bucket-policy.json"')
    run = run_cli("check", "infra/personalize.yaml", "--format", "json", "--ignore", "PL409",
                  cwd=project)
    assert run.code == 1, run.err
    findings = run.json()["findings"]
    assert [(f["rule_id"], f["path"], f["setup"]) for f in findings] == [
        ("PL201", "s3/bucket-policy.json", "retail")]
