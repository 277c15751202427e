"""The command line as users see it: findings, formats, exit codes, messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import EXAMPLES, run_cli, write

GOOD_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}
  ]
}
"""


def test_version(tmp_path: Path) -> None:
    run = run_cli("--version", cwd=tmp_path)
    assert run.code == 0
    assert run.out.startswith("personalize-lint ")


def test_compliant_example_is_clean(tmp_path: Path) -> None:
    run = run_cli("check", ".", cwd=EXAMPLES / "compliant")
    assert run.code == 0, run.out + run.err
    assert "No problems found" in run.out


def test_broken_example_fails_with_findings_in_text_and_sarif(tmp_path: Path) -> None:
    run = run_cli("check", ".", cwd=EXAMPLES / "broken")
    assert run.code == 1
    assert "s3/truncated-policy.json" in run.out
    assert "PL001" in run.out
    sarif = run_cli("check", ".", "--format", "sarif", cwd=EXAMPLES / "broken")
    assert sarif.code == 1
    results = sarif.json()["runs"][0]["results"]
    assert any(r["ruleId"] == "PL001" for r in results)


@pytest.mark.parametrize(
    ("content", "line", "column", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, None, ""),
        (b'{\n  "Version": "2012-10-17",\n  "Statement": [\n', 4, None, ""),
        (b"", 1, 1, "empty"),
        (b"   \n\n", None, None, "empty"),
        (b"\xef\xbb\xbf" + GOOD_POLICY.encode(), 1, 1, "byte order mark"),
        (b'{"Statement": [{"Effect": "Allow", "Effect": "Deny"}]}', 1, None, "Effect"),
        (b"\xff\xfe{\x00}\x00", 1, 1, "utf-16"),
        (b'{"a": "caf\xe9"}', 1, None, ""),
    ],
    ids=["binary", "truncated", "empty", "whitespace", "bom", "duplicate-key", "utf16", "latin1"],
)
def test_garbage_input_is_pl001_with_position_and_no_traceback(
    tmp_path: Path, content: bytes, line: int | None, column: int | None, message: str
) -> None:
    (tmp_path / "input.json").write_bytes(content)
    run = run_cli("check", "input.json", "--format", "json", cwd=tmp_path)
    assert run.code == 1, run.out + run.err
    assert "Traceback" not in run.err
    findings = run.json()["findings"]
    pl001 = [f for f in findings if f["rule_id"] == "PL001"]
    assert pl001, findings
    first = pl001[0]
    assert first["path"] == "input.json"
    assert first["line"] >= 1 and first["column"] >= 1
    if line is not None:
        assert first["line"] == line
    if column is not None:
        assert first["column"] == column
    assert message.lower() in first["message"].lower()


def test_one_level_too_deep_is_pl001_naming_the_limit(tmp_path: Path) -> None:
    depth = 65
    write(tmp_path / "deep.json", "[" * depth + "]" * depth)
    run = run_cli("check", "deep.json", "--format", "json", cwd=tmp_path)
    assert run.code == 1
    (finding,) = run.json()["findings"]
    assert finding["rule_id"] == "PL001"
    assert "depth" in finding["message"]
    ok = 64
    write(tmp_path / "ok.json", "[" * ok + "]" * ok)
    assert run_cli("check", "ok.json", cwd=tmp_path).code == 0


def test_wrong_shape_is_pl002(tmp_path: Path) -> None:
    write(tmp_path / "policy.json", '{"Version": "2012-10-17", "Statement": "everything"}')
    run = run_cli("check", "policy.json", "--format", "json", cwd=tmp_path)
    assert run.code == 1
    (finding,) = [f for f in run.json()["findings"] if f["rule_id"] == "PL002"]
    assert finding["line"] == 1 and finding["column"] == 40
    assert finding["pointer"] == "/Statement"


def test_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    write(tmp_path / "a.json", "{")
    write(
        tmp_path / "b.json",
        '{"Statement": [{"Effect": "Alow", "Action": "s3:*", "Resource": "*"}]}',
    )
    run = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    ids = {(f["path"], f["rule_id"]) for f in run.json()["findings"]}
    assert ("a.json", "PL001") in ids
    assert ("b.json", "PL002") in ids


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), 0),
        (("--fail-on", "warning"), 0),
        (("--exit-zero",), 0),
    ],
)
def test_clean_file_exits_zero(tmp_path: Path, args: tuple[str, ...], code: int) -> None:
    write(tmp_path / "policy.json", GOOD_POLICY)
    assert run_cli("check", "policy.json", *args, cwd=tmp_path).code == code


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), 1),
        (("--exit-zero",), 0),
        (("--fail-on", "never"), 0),
        (("--ignore", "PL002"), 0),
        (("--ignore", "PL0"), 0),
        (("--select", "PL001"), 0),
        (("--select", "PL002"), 1),
    ],
)
def test_exit_codes_follow_fail_on_select_and_ignore(
    tmp_path: Path, args: tuple[str, ...], code: int
) -> None:
    write(tmp_path / "policy.json", '{"Statement": {"Effect": "Allow"}}')
    assert run_cli("check", "policy.json", *args, cwd=tmp_path).code == code


def test_level_override_from_config_changes_the_exit_code(tmp_path: Path) -> None:
    write(tmp_path / "policy.json", '{"Statement": {"Effect": "Allow"}}')
    write(tmp_path / "personalize-lint.toml", '[rules.levels]\nPL002 = "warning"\n')
    assert run_cli("check", "policy.json", cwd=tmp_path).code == 0
    assert run_cli("check", "policy.json", "--fail-on", "warning", cwd=tmp_path).code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "missing.json"), "no such file or directory"),
        (("check", "--select", "XX999"), "unknown rule ID"),
        (("check", "--format", "xml"), "unknown format"),
        (("check", "--as-of", "yesterday"), "not an ISO 8601 time"),
        (("check", "--config", "nope.toml"), "configuration file not found"),
        (("check", "--plugin", "no_such_plugin_module"), "cannot import plugin"),
        (("explain", "PL999"), "unknown rule"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    run = run_cli(*args, cwd=tmp_path)
    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err


def test_unreadable_config_exits_2(tmp_path: Path) -> None:
    write(tmp_path / "personalize-lint.toml", "[[setup]\n")
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 2
    assert "invalid TOML" in run.err


def test_config_problems_are_findings_and_the_run_goes_on(tmp_path: Path) -> None:
    write(
        tmp_path / "personalize-lint.toml",
        '[[setup]]\nname = "a"\nbucket-policy = "missing.json"\nbucket_policy = "x"\n'
        '[rules]\nignore = ["PL999"]\n',
    )
    write(tmp_path / "bad.json", "{")
    run = run_cli("check", "--format", "json", cwd=tmp_path)
    assert run.code == 1
    messages = [(f["rule_id"], f["message"]) for f in run.json()["findings"]]
    assert any(r == "PL004" and "does not exist" in m for r, m in messages)
    assert any(r == "PL004" and "bucket_policy" in m for r, m in messages)
    assert any(r == "PL004" and "PL999" in m for r, m in messages)


def test_output_file_and_formats(tmp_path: Path) -> None:
    write(tmp_path / "policy.json", '{"Statement": "x"}')
    for fmt in ("text", "json", "sarif", "github"):
        out = tmp_path / f"report.{fmt}"
        run = run_cli("check", "policy.json", "--format", fmt, "--output", out, cwd=tmp_path)
        assert run.code == 1
        assert run.out == ""
        assert out.read_text(encoding="utf-8").strip()
    assert json.loads((tmp_path / "report.sarif").read_text())["version"] == "2.1.0"
    assert "::error file=policy.json" in (tmp_path / "report.github").read_text()


def test_rules_lists_the_catalogue_in_text_and_json(tmp_path: Path) -> None:
    text = run_cli("rules", cwd=tmp_path)
    assert text.code == 0
    assert "PL001" in text.out and "PL004" in text.out
    listed = run_cli("rules", "--format", "json", cwd=tmp_path).json()
    pl001 = next(r for r in listed if r["id"] == "PL001")
    assert set(pl001) >= {"id", "level", "title", "why", "fix", "example", "source", "tags"}
    assert all(r["why"] and r["fix"] and r["title"] for r in listed)


def test_explain_prints_why_fix_example_and_source(tmp_path: Path) -> None:
    run = run_cli("explain", "pl001", cwd=tmp_path)
    assert run.code == 0
    for heading in ("PL001 (error)", "Why", "How to fix", "Example", "Source: "):
        assert heading in run.out


def test_directories_skip_git_venvs_node_modules_and_gitignored(tmp_path: Path) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for folder in (".git/x", "node_modules/pkg", ".venv/lib", "env2", "ignored", "src"):
        write(tmp_path / folder / "bad.json", "{")
    write(tmp_path / "env2" / "pyvenv.cfg", "home = /usr\n")
    write(tmp_path / ".gitignore", "ignored/\n")
    run = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    paths = {f["path"] for f in run.json()["findings"]}
    assert paths == {"src/bad.json"}


def test_no_colour_when_not_a_tty_and_no_color_honoured(tmp_path: Path) -> None:
    write(tmp_path / "policy.json", '{"Statement": "x"}')
    plain = run_cli("check", "policy.json", cwd=tmp_path)
    assert "\x1b[" not in plain.out
    forced = run_cli("check", "policy.json", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" in forced.out


def test_quiet_prints_findings_only(tmp_path: Path) -> None:
    write(tmp_path / "good.json", GOOD_POLICY)
    assert run_cli("check", "good.json", "--quiet", cwd=tmp_path).out == ""
    write(tmp_path / "bad.json", '{"Statement": "x"}')
    run = run_cli("check", "bad.json", "-q", cwd=tmp_path)
    assert run.code == 1
    assert "PL002" in run.out
    assert "error" in run.out and "in 1 file" not in run.out
