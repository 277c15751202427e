"""Suppressions in template metadata: honoured, shown as suppressed in SARIF, droppable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import run_cli
from personalize_lint.cloudformation.suppress import suppressions
from personalize_lint.cloudformation.template import Template
from personalize_lint.document import Document
from personalize_lint.loaders.yamlpos import parse_yaml

ROLE = "/Resources/MetricsRole"


@pytest.fixture
def project(tmp_path: Path, templates: Path) -> Path:
    shutil.copyfile(templates / "suppressed.yaml", tmp_path / "suppressed.yaml")
    return tmp_path


def test_a_suppressed_finding_is_kept_and_marked(project: Path, lint) -> None:
    findings = lint(project / "suppressed.yaml")
    by_rule = {f.rule_id: f for f in findings}
    assert set(by_rule) == {"PL004", "PL102", "PL106"}
    admin = by_rule["PL106"]
    assert admin.location.logical_id == "MetricsRole"
    assert admin.suppression is not None and admin.suppression.kind == "inSource"
    assert "SEC-42" in admin.suppression.justification
    # The entry without a reason is PL004 and does not hide PL102.
    assert by_rule["PL102"].suppression is None
    assert by_rule["PL004"].location.pointer == f"{ROLE}/Metadata/personalize-lint/ignore/1"
    assert "no reason" in by_rule["PL004"].message


def test_no_suppress_reports_everything(project: Path, lint) -> None:
    findings = lint(project / "suppressed.yaml", no_suppress=True)
    assert all(f.suppression is None for f in findings)


def test_sarif_shows_the_suppression_and_drop_suppressed_omits_it(project: Path) -> None:
    run = run_cli("check", "suppressed.yaml", "--format", "sarif", "--ignore", "PL409",
                  cwd=project)
    assert run.code == 1, run.err  # PL004 is an error
    results = json.loads(run.out)["runs"][0]["results"]
    admin = next(r for r in results if r["ruleId"] == "PL106")
    assert admin["suppressions"] == [{
        "kind": "inSource",
        "justification": "Sandbox account; the admin role is shared with the data scientists "
                         "(SEC-42)",
    }]
    region = admin["locations"][0]["physicalLocation"]["region"]
    text = (project / "suppressed.yaml").read_text().splitlines()
    assert "AdministratorAccess" in text[region["startLine"] - 1]
    names = [loc["name"] for loc in admin["locations"][0]["logicalLocations"]]
    assert "MetricsRole" in names
    dropped = run_cli("check", "suppressed.yaml", "--format", "sarif", "--drop-suppressed",
                      "--ignore", "PL409", cwd=project)
    kept = [r["ruleId"] for r in json.loads(dropped.out)["runs"][0]["results"]]
    assert sorted(kept) == ["PL004", "PL102"]


def _specs(text: str):  # type: ignore[no-untyped-def]
    parsed = parse_yaml(text, max_depth=64, max_aliases=100)
    template = Template.of(Document("t.yaml", "cloudformation", parsed.data, parsed.spans,
                                    parsed.key_spans))
    assert template is not None
    return suppressions(template)


def test_entries_are_validated() -> None:
    specs, problems = _specs("""\
Metadata:
  personalize-lint:
    ignore:
      - {rule: pl2, reason: "whole family, reviewed"}
Resources:
  Role:
    Type: AWS::IAM::Role
    Metadata:
      personalize-lint:
        ignore:
          - PL106
          - {rule: PL106, reason: " "}
          - {rule: "PL 1", reason: typo}
          - {rule: PL103, reason: ok, until: 2027}
  Bucket:
    Type: AWS::S3::Bucket
    Metadata:
      personalize-lint: {ignore: PL201}
""")
    assert [(s.rule, s.logical_id, s.pointer, s.path) for s in specs] == [
        ("PL2", None, None, "t.yaml"),
        ("PL103", "Role", "/Resources/Role", "t.yaml"),
    ]
    messages = [p.message for p in problems]
    assert len(problems) == 5 and all(p.rule_id == "PL004" for p in problems)
    assert "must be a mapping like" in messages[0]
    assert "no reason" in messages[1]
    assert "'PL 1'" in messages[2]
    assert "'until'" in messages[3]
    assert "'ignore' list" in messages[4]
    assert problems[4].location.logical_id == "Bucket"


def test_template_metadata_suppresses_in_the_whole_file(project: Path, lint) -> None:
    path = project / "suppressed.yaml"
    path.write_text(path.read_text().replace(
        'AWSTemplateFormatVersion: "2010-09-09"\n',
        'AWSTemplateFormatVersion: "2010-09-09"\nMetadata:\n  personalize-lint:\n'
        '    ignore:\n      - {rule: PL1, reason: "role reviewed as a whole (SEC-7)"}\n'))
    findings = lint(path)
    assert {f.rule_id: f.suppression is not None for f in findings} == {
        "PL004": False, "PL102": True, "PL106": True}
