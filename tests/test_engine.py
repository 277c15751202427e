"""How a run picks its inputs: set-ups, standalone files, forced kinds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import EXAMPLES, write
from personalize_lint.cli import main
from personalize_lint.config import load_config
from personalize_lint.engine import (
    CheckOptions,
    apply_suppressions,
    exit_code,
    rule_selected,
    run_check,
    suppresses,
)
from personalize_lint.findings import Finding
from personalize_lint.inventory import SuppressionSpec
from personalize_lint.location import Location
from personalize_lint.plugins import make_plugin_manager


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "broken"
    shutil.copytree(EXAMPLES / "broken", root)
    monkeypatch.chdir(root)
    return root


def check(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]]]:
    code = main(["check", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_a_file_of_a_setup_pulls_in_the_whole_setup(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only the trust policy changed (as pre-commit would pass it)...
    code, findings = check("iam/personalize-trust.json", capsys=capsys)
    assert code == 1
    paths = {f["path"] for f in findings}
    # ...but the set-up's other files are checked with it.
    assert "personalize/metric-attribution.json" in paths
    assert all(f["setup"] == "retail-broken" for f in findings if f["rule_id"] == "PL101")
    # A file outside any set-up is not pulled in.
    assert "s3/truncated-policy.json" not in paths


def test_no_paths_checks_every_setup(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = check(capsys=capsys)
    assert code == 1
    paths = {f["path"] for f in findings}
    assert "personalize/metric-attribution.json" in paths
    assert "s3/truncated-policy.json" not in paths


def test_standalone_file_gets_single_file_rules_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "cw.json", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                                '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}')
    # An identity policy alone cannot be judged against a set-up it is not part of.
    code, findings = check("cw.json", capsys=capsys)
    assert (code, findings) == (0, [])


def test_config_forces_a_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "odd" / "p.json", '{"Statement": [{"Effect": "Allow", '
                                       '"Action": "s3:GetObject", "Resource": "*"}]}')
    write(tmp_path / "personalize-lint.toml", '[kinds]\n"odd/*.json" = "bucket-policy"\n')
    # Forced to a bucket policy, the statement lacks the Principal a bucket policy needs.
    code, findings = check("odd/p.json", capsys=capsys)
    assert code == 1
    assert any(f["rule_id"] == "PL002" and "Principal" in str(f["message"]) for f in findings)
    write(tmp_path / "personalize-lint.toml", '[kinds]\n"odd/**" = "ignore"\n')
    assert check("odd/p.json", capsys=capsys) == (0, [])


def test_a_missing_setup_file_is_pl004_and_pl003(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "personalize-lint.toml",
          '[[setup]]\nname = "s"\nkey-policy = "kms/key.json"\n')
    code, findings = check(capsys=capsys)
    assert code == 1
    rules = {(f["rule_id"], f["line"]) for f in findings}
    assert ("PL004", 3) in rules
    assert any(f["rule_id"] == "PL003" and "key-policy" in str(f["message"]) for f in findings)


def test_a_file_shared_by_two_setups_is_reported_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "shared.json", "{")
    write(tmp_path / "personalize-lint.toml",
          '[[setup]]\nname = "a"\nrole-policies = ["shared.json"]\n'
          '[[setup]]\nname = "b"\nrole-policies = ["shared.json"]\n')
    _, findings = check(capsys=capsys)
    assert [f["rule_id"] for f in findings if f["path"] == "shared.json"] == ["PL001"]


@pytest.mark.parametrize(
    ("rule_id", "select", "ignore", "expected"),
    [
        ("PL104", [], [], True),
        ("PL104", ["PL1"], [], True),
        ("PL104", ["PL2"], [], False),
        ("PL104", [], ["PL10"], False),
        ("PL104", ["PL1"], ["PL104"], False),
        ("XPL1", ["PL"], [], False),
    ],
)
def test_rule_selection_by_prefix(rule_id: str, select: list[str], ignore: list[str],
                                  expected: bool) -> None:
    assert rule_selected(rule_id, select, ignore) is expected


@pytest.mark.parametrize(
    ("levels", "fail_on", "code"),
    [
        ([], "error", 0),
        (["note"], "error", 0),
        (["note"], "note", 1),
        (["warning"], "warning", 1),
        (["warning"], "error", 0),
        (["error"], "never", 0),
        (["error", "note"], "error", 1),
    ],
)
def test_exit_code_threshold(levels: list[str], fail_on: str, code: int) -> None:
    findings = [Finding("PL001", "m", Location(), level=lv) for lv in levels]  # type: ignore[arg-type]
    assert exit_code(findings, fail_on) == code


def test_report_counts_files_and_setups(broken: Path) -> None:
    config = load_config(None, broken)
    report = run_check(config, make_plugin_manager(autoload=False), CheckOptions())
    assert report.setups_checked == 1
    assert report.files_checked >= 6
    assert report.exit_code == 1


F = Finding("PL106", "m", Location(path="cfn/app.yaml", pointer="/Resources/Role/Properties",
                                   logical_id="Role"))


@pytest.mark.parametrize(
    ("spec", "hit"),
    [
        (SuppressionSpec("PL106", "r"), True),
        (SuppressionSpec("PL1", "r"), True),
        (SuppressionSpec("PL2", "r"), False),
        (SuppressionSpec("PL106", "r", path="cfn/*.yaml"), True),
        (SuppressionSpec("PL106", "r", path="*.yaml"), True),
        (SuppressionSpec("PL106", "r", path="other/*.yaml"), False),
        (SuppressionSpec("PL106", "r", pointer="/Resources/Role"), True),
        (SuppressionSpec("PL106", "r", pointer="/Resources/Ro"), False),
        (SuppressionSpec("PL106", "r", logical_id="Role"), True),
        (SuppressionSpec("PL106", "r", logical_id="Bucket"), False),
        (SuppressionSpec("PL106", "r", arn="arn:aws:iam::1:role/x"), False),
    ],
)
def test_suppression_matching(spec: SuppressionSpec, hit: bool) -> None:
    assert suppresses(spec, F) is hit


def test_suppressed_findings_do_not_fail_the_run() -> None:
    findings = [Finding("PL106", "m", Location(path="a.json"), level="error")]
    apply_suppressions(findings, [SuppressionSpec("PL106", "accepted risk", kind="inSource")])
    assert findings[0].suppression is not None
    assert findings[0].suppression.justification == "accepted risk"
    assert exit_code([f for f in findings if f.suppression is None], "error") == 0
