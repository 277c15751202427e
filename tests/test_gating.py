"""CI gating end to end: baselines, suppressions with reasons, resource limits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import EXAMPLES, run_cli, write


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    root = tmp_path / "broken"
    shutil.copytree(EXAMPLES / "broken", root)
    return root


def test_baseline_hides_recorded_findings_and_fails_only_on_new_ones(broken: Path) -> None:
    first = run_cli("check", ".", "--format", "json", cwd=broken)
    assert first.code == 1
    recorded = run_cli("check", ".", "--write-baseline", "baseline.json", cwd=broken)
    assert recorded.code == 0
    assert "recorded" in recorded.err
    entries = json.loads((broken / "baseline.json").read_text())["entries"]
    assert entries and all("line" not in e for e in entries)

    again = run_cli("check", ".", "--baseline", "baseline.json", "--format", "json", cwd=broken)
    assert again.code == 0, again.out
    summary = again.json()["summary"]
    assert summary["suppressed"] == len(first.json()["findings"])

    # Edits elsewhere move every line: the baseline still holds.
    policy = broken / "iam" / "personalize-role-policy.json"
    policy.write_text("\n\n\n" + policy.read_text())
    assert run_cli("check", ".", "--baseline", "baseline.json", cwd=broken).code == 0

    # A new problem fails the run, and only it is reported.
    write(broken / "new-policy.json", '{"Statement": "oops"}')
    new = run_cli("check", ".", "--baseline", "baseline.json", "--format", "json", cwd=broken)
    assert new.code == 1
    active = [f for f in new.json()["findings"] if f["suppressed"] is None]
    assert {f["path"] for f in active} == {"new-policy.json"}


def test_fixed_findings_leave_stale_baseline_entries_as_notes(broken: Path) -> None:
    assert run_cli("check", ".", "--write-baseline", "b.json", cwd=broken).code == 0
    (broken / "s3" / "truncated-policy.json").unlink()
    run = run_cli("check", ".", "--baseline", "b.json", "--format", "json", cwd=broken)
    assert run.code == 0
    notes = run.json()["notes"]
    assert any("s3/truncated-policy.json" in n and "matches nothing" in n for n in notes)
    text = run_cli("check", ".", "--baseline", "b.json", cwd=broken)
    assert "note: baseline entry PL001 at s3/truncated-policy.json" in text.out
    sarif = run_cli("check", ".", "--baseline", "b.json", "--format", "sarif", cwd=broken)
    notifications = sarif.json()["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notifications[0]["level"] == "note"


def test_config_suppression_with_reason_is_reported_as_suppressed(broken: Path) -> None:
    config = broken / "personalize-lint.toml"
    config.write_text(config.read_text() + '''
[[rules.suppress]]
rule = "PL001"
path = "s3/truncated-*.json"
reason = "fixture kept broken on purpose"
''')
    run = run_cli("check", "s3/truncated-policy.json", "--format", "json", cwd=broken)
    assert run.code == 0
    (finding,) = run.json()["findings"]
    assert finding["suppressed"] == {"kind": "external",
                                     "justification": "fixture kept broken on purpose"}
    sarif = run_cli("check", "s3/truncated-policy.json", "--format", "sarif", cwd=broken).json()
    (result,) = sarif["runs"][0]["results"]
    assert result["suppressions"][0]["justification"] == "fixture kept broken on purpose"
    dropped = run_cli("check", "s3/truncated-policy.json", "--format", "sarif",
                      "--drop-suppressed", cwd=broken).json()
    assert dropped["runs"][0]["results"] == []
    text = run_cli("check", "s3/truncated-policy.json", cwd=broken)
    assert "1 suppressed" in text.out
    shown = run_cli("check", "s3/truncated-policy.json", "--no-suppress", cwd=broken)
    assert shown.code == 1


def test_suppression_without_reason_is_refused(broken: Path) -> None:
    config = broken / "personalize-lint.toml"
    config.write_text(config.read_text() + '\n[[rules.suppress]]\nrule = "PL001"\n')
    run = run_cli("check", "s3/truncated-policy.json", "--format", "json", cwd=broken)
    rules = [f["rule_id"] for f in run.json()["findings"] if f["suppressed"] is None]
    assert "PL004" in rules and "PL001" in rules


@pytest.mark.parametrize(
    ("limits", "content", "limit"),
    [
        ("max-bytes = 100", '{"Statement": []' + " " * 200 + "}", "max-bytes"),
        ("max-depth = 3", '{"a": {"b": {"c": {"d": 1}}}}', "max-depth"),
        ("max-statements = 2", json.dumps({"Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}] * 3}),
         "max-statements"),
    ],
)
def test_configured_limits_give_pl001_naming_the_limit(tmp_path: Path, limits: str,
                                                       content: str, limit: str) -> None:
    write(tmp_path / "personalize-lint.toml", f"[limits]\n{limits}\n")
    write(tmp_path / "input.json", content)
    run = run_cli("check", "input.json", "--format", "json", cwd=tmp_path)
    assert run.code == 1
    (finding,) = [f for f in run.json()["findings"] if f["rule_id"] == "PL001"]
    assert finding["properties"]["limit"] == limit


@pytest.mark.parametrize(
    "big_row",
    [
        'u2,"' + "x" * (9 * 1024 * 1024),  # a runaway quote past one 8 MiB read chunk
        'u2,"' + "x" * (2 * 1024 * 1024) + '",1795824000,click\nu3,i3,1795824000,click\n',
        "u2," + "x" * (2 * 1024 * 1024) + ",1795824000,click\n",
    ],
    ids=["runaway-quote", "quoted-field", "plain-field"],
)
def test_csv_field_bound_from_config_is_pl001(tmp_path: Path, big_row: str) -> None:
    """No field may exceed max-csv-record-bytes (a record bounds its fields); past it the
    file is PL001 naming the limit."""
    pytest.importorskip("polars")
    write(tmp_path / "personalize-lint.toml", "[limits]\nmax-csv-record-bytes = 1048576\n")
    write(tmp_path / "interactions.csv", "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n"
          "u1,i1,1795824000,click\n" + big_row)
    run = run_cli("check", "interactions.csv", "--format", "json", cwd=tmp_path)
    findings = [f for f in run.json()["findings"] if f["rule_id"] == "PL001"]
    assert findings and "max-csv-record-bytes" in findings[0]["message"], run.out
