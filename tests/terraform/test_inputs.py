"""What is and is not a Terraform plan: recognised by content, bad input named clearly.

A truncated plan is PL001 with its line and column; state given where a plan belongs, or a
plan of a format this linter does not read, is PL002 saying so; either way the other files
of the run are still checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_cli
from personalize_lint.loaders.detect import detect
from planbuilder import PlanBuilder
from tf_families import FAMILIES

TFSTATE = {"version": 4, "terraform_version": "1.9.8", "serial": 12,
           "lineage": "3a5c1f0e-6d1b-4b0e-9c57-6b1d8a7f0c11", "outputs": {}, "resources": []}
SHOWN_STATE = {"format_version": "1.0", "terraform_version": "1.9.8",
               "values": {"root_module": {"resources": []}}}


@pytest.mark.parametrize(("data", "expected"), [
    ({"format_version": "1.2", "planned_values": {}, "resource_changes": []},
     ("terraform-plan", None)),
    ({"format_version": "1.0", "planned_values": {"root_module": {}}}, ("terraform-plan", None)),
    (SHOWN_STATE, ("terraform-plan", "state")),
    ({"format_version": "1.0"}, ("terraform-plan", "state")),  # an empty state, shown
    (TFSTATE, ("terraform-plan", "tfstate")),
    # Not Terraform: a policy that happens to have a "version"-like member.
    ({"Version": "2012-10-17", "Statement": []}, ("policy", "unknown")),
    ({"format_version": "1.0", "provider_schemas": {}}, ("unknown", None)),
])
def test_detected_by_content(data, expected) -> None:
    assert detect(data) == expected


def _plan(tmp_path: Path, name: str = "plan.json", **changes) -> Path:
    data = FAMILIES["trust.yaml"]().build()
    data.update(changes)
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=1))
    return path


@pytest.mark.parametrize(("content", "message"), [
    (SHOWN_STATE, "this is Terraform state (`terraform show -json` of a state"),
    (TFSTATE, "this is a raw Terraform state file (version, serial, lineage), not a plan"),
])
def test_state_instead_of_a_plan_is_pl002(tmp_path: Path, lint, content, message) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(content, indent=1))
    [finding] = lint(path)
    assert (finding.rule_id, finding.location.path) == ("PL002", "plan.json")
    assert finding.message.startswith(message)
    assert "terraform show -json plan.tfplan > plan.json" in finding.message
    assert (finding.location.line, finding.location.column) == (1, 1)


@pytest.mark.parametrize(("version", "message"), [
    ("0.1", "format_version '0.1' is the experimental plan format of Terraform 0.12-0.14"),
    ("2.0", "format_version '2.0' is newer than the plan formats personalize-lint reads"),
    ("one", "format_version 'one' is not a Terraform JSON format version"),
])
def test_an_unsupported_format_version_is_pl002(tmp_path: Path, lint, version, message) -> None:
    path = _plan(tmp_path, format_version=version)
    [finding] = lint(path)
    assert finding.rule_id == "PL002" and finding.message.startswith(message)
    lines = path.read_text().splitlines()
    assert '"format_version"' in lines[finding.location.line - 1]
    assert finding.location.pointer == "/format_version"


@pytest.mark.parametrize("version", ["0.2", "1.0", "1.1", "1.2", "1.9"])
def test_the_formats_of_terraform_0_15_and_later_are_read(tmp_path: Path, lint, version) -> None:
    findings = lint(_plan(tmp_path, format_version=version))
    assert sorted(f.rule_id for f in findings) == ["PL101", "PL102"]


def test_an_errored_plan_is_pl002(tmp_path: Path, lint) -> None:
    # format 1.2: "errored" is true when planning stopped at an error (a partial plan).
    [finding] = lint(_plan(tmp_path, errored=True))
    assert finding.rule_id == "PL002" and finding.location.pointer == "/errored"
    assert "does not hold every change" in finding.message


def test_an_incomplete_plan_is_pl002(tmp_path: Path, lint) -> None:
    # Terraform 1.8+ marks a plan with deferred changes "complete": false ("an incomplete
    # plan that will probably therefore need at least one more plan/apply round to
    # converge", hashicorp/terraform#34642): resources of the set-up may be missing.
    [finding] = lint(_plan(tmp_path, complete=False, deferred_changes=[]))
    assert finding.rule_id == "PL002" and finding.location.pointer == "/complete"
    assert "does not hold every resource" in finding.message
    findings = lint(_plan(tmp_path, complete=True, applyable=True))
    assert sorted(f.rule_id for f in findings) == ["PL101", "PL102"]


def test_a_section_of_the_wrong_type_is_pl002(tmp_path: Path, lint) -> None:
    findings = lint(_plan(tmp_path, resource_changes={"not": "a list"}))
    assert [(f.rule_id, f.location.pointer) for f in findings] == [
        ("PL002", "/resource_changes")]


def test_a_truncated_plan_is_pl001_where_it_stops(tmp_path: Path, lint) -> None:
    # terraform show -json writes one line; a pipe cut short leaves part of it.
    text = json.dumps(FAMILIES["trust.yaml"]().build())
    path = tmp_path / "plan.json"
    path.write_text(text[:4000])
    [finding] = lint(path)
    assert finding.rule_id == "PL001"
    assert finding.location.line == 1 and finding.location.column is not None
    assert finding.location.column > 3900


def test_bad_plans_do_not_stop_the_run(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text(json.dumps(TFSTATE))
    (tmp_path / "cut.json").write_text(json.dumps(FAMILIES["trust.yaml"]().build())[:2000])
    _plan(tmp_path, "old.json", format_version="0.1")
    _plan(tmp_path, "good.json")
    run = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    assert run.code == 1, run.err
    assert run.err == ""
    by_path: dict[str, set[str]] = {}
    for finding in run.json()["findings"]:
        by_path.setdefault(finding["path"], set()).add(finding["rule_id"])
    assert by_path == {"state.json": {"PL002"}, "cut.json": {"PL001"}, "old.json": {"PL002"},
                       "good.json": {"PL101", "PL102", "PL409"}}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_plan_saved_by_windows_powershell_is_read(tmp_path: Path, lint, encoding) -> None:
    # `terraform show -json plan.tfplan > plan.json` in Windows PowerShell: "Redirecting the
    # output of a PowerShell command ... using the redirection operator (>) is functionally
    # equivalent to piping to Out-File", and "In Windows PowerShell, any Unicode encoding,
    # except UTF7, always creates a BOM" (about_Character_Encoding). A plan is read here,
    # never sent to AWS: its encoding is no finding (a policy file's would be, PL001).
    text = json.dumps(FAMILIES["trust.yaml"]().build(), indent=1)
    path = tmp_path / "plan.json"
    path.write_bytes(text.encode(encoding))
    assert sorted(f.rule_id for f in lint(path)) == ["PL101", "PL102"]
    policy = tmp_path / "policy.json"
    policy.write_bytes('{"Version": "2012-10-17", "Statement": []}'.encode(encoding))
    assert "PL001" in {f.rule_id for f in lint(policy)}


def test_a_state_file_named_as_the_setups_plan(tmp_path: Path, lint) -> None:
    (tmp_path / "state.json").write_text(json.dumps(SHOWN_STATE))
    (tmp_path / "personalize-lint.toml").write_text(
        '[[setup]]\nname = "retail"\nterraform-plan = "state.json"\n')
    findings = {f.rule_id: f for f in lint(root=tmp_path)}
    assert sorted(findings) == ["PL002", "PL003"]
    assert findings["PL002"].location.path == "state.json"
    assert "not evaluated: state.json is not a readable Terraform plan" in findings[
        "PL003"].message


def test_a_forced_kind_reads_a_plan_named_otherwise(tmp_path: Path, lint) -> None:
    path = _plan(tmp_path, "tfplan.out.json")
    (tmp_path / "personalize-lint.toml").write_text('[kinds]\n"*.out.json" = "terraform-plan"\n')
    assert sorted(f.rule_id for f in lint(path)) == ["PL101", "PL102"]


def test_an_empty_plan_gives_nothing(tmp_path: Path, lint) -> None:
    path = tmp_path / "plan.json"
    PlanBuilder().write(path)
    assert lint(path) == []


def test_a_truncated_plan_named_as_the_setups_plan(tmp_path: Path, lint) -> None:
    # The set-up's checks that needed the plan are named as not evaluated, like a state's.
    (tmp_path / "plan.json").write_text(json.dumps(FAMILIES["trust.yaml"]().build())[:2000])
    (tmp_path / "personalize-lint.toml").write_text(
        '[[setup]]\nname = "retail"\nterraform-plan = "plan.json"\n')
    findings = {f.rule_id: f for f in lint(root=tmp_path)}
    assert sorted(findings) == ["PL001", "PL003"]
    assert findings["PL001"].location.path == "plan.json"
    assert "not evaluated: plan.json is not a readable Terraform plan" in findings[
        "PL003"].message
