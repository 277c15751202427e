"""cfn-lint with our rules module, run for real (``cfn-lint TEMPLATE -a
personalize_lint.integrations.cfn_lint``): the findings ``personalize-lint check`` reports on
a template come out as cfn-lint matches at the same lines, under E9nnn/W9nnn/I9nnn IDs.

cfn-lint's exit code ORs 2 (an error), 4 (a warning) and 8 (an informational match);
informational rules run only with ``--include-checks I``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from helpers import EXAMPLES, run_cli, write
from personalize_lint.integrations.ids import cfn_lint_id
from personalize_lint.integrations.scan import scan_file

CFN_LINT = Path(sys.executable).with_name("cfn-lint")
MODULE = "personalize_lint.integrations.cfn_lint"
BROKEN = EXAMPLES / "cloudformation" / "broken.yaml"
COMPLIANT = EXAMPLES / "cloudformation" / "compliant.yaml"

Match = tuple[str, int, int]


def cfn_lint(*args: str | Path, cwd: Path, stdin: str | None = None) -> tuple[int, list[Any]]:
    proc = subprocess.run(
        [str(CFN_LINT), *map(str, args), "-a", MODULE, "-f", "json"],
        cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120, check=False)
    assert proc.stderr.strip() == "", proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def ours(matches: list[Any]) -> list[Match]:
    """Our matches (IDs 9xxx) as (ID, line, column)."""
    return sorted(
        (m["Rule"]["Id"], m["Location"]["Start"]["LineNumber"],
         m["Location"]["Start"]["ColumnNumber"])
        for m in matches if m["Rule"]["Id"][1] == "9")


def message_of(matches: list[Any], rule_id: str) -> str:
    (message,) = [m["Message"] for m in matches if m["Rule"]["Id"] == rule_id]
    return str(message)


BROKEN_MATCHES = [
    ("E9103", 115, 17),  # the role cannot call cloudwatch:PutMetricData
    ("E9201", 89, 13),  # the bucket policy lets Personalize write reports/, not attribution/
    ("E9301", 58, 13),  # the key policy leaves personalize.amazonaws.com out
    ("E9404", 144, 23),  # SUM(Items.MARGIN): no such column
    ("W9102", 106, 13),  # no confused-deputy guard in the trust policy
]


def test_the_broken_example_reports_what_personalize_lint_reports(tmp_path: Path) -> None:
    code, matches = cfn_lint(BROKEN, cwd=EXAMPLES)
    assert ours(matches) == sorted(BROKEN_MATCHES)
    assert code == 2 | 4  # errors and a warning; cfn-lint's own rules find nothing here
    assert [m for m in matches if m["Rule"]["Id"][1] != "9"] == []
    # The very findings of the command line, at the same places, under the mapped IDs.
    report = run_cli("check", BROKEN, "--format", "json", "--ignore", "PL409", cwd=tmp_path)
    letters = {"error": "E", "warning": "W", "note": "I"}
    expected = sorted((letters[f["level"]] + "9" + f["rule_id"][2:], f["line"], f["column"])
                      for f in report.json()["findings"])
    assert ours(matches) == expected
    # Our rule ID and title lead the message, our message follows.
    assert message_of(matches, "E9103").startswith(
        "PL103 The service role cannot publish metrics to CloudWatch: The service role ")
    rule = next(m["Rule"] for m in matches if m["Rule"]["Id"] == "E9404")
    assert rule["ShortDescription"] == (
        "PL404 SUM() column is missing from its dataset's schema or is not numeric")


def test_the_compliant_example_is_clean_and_its_note_is_informational() -> None:
    code, matches = cfn_lint(COMPLIANT, cwd=EXAMPLES)
    assert (code, matches) == (0, [])
    code, matches = cfn_lint(COMPLIANT, "--include-checks", "I", cwd=EXAMPLES)
    assert ours(matches) == [("I9409", 143, 9)]  # the monthly CloudWatch metrics note
    assert code == 8


def test_cfn_lints_own_ignores_apply_to_our_ids(tmp_path: Path) -> None:
    """``--ignore-checks`` (an ID or a prefix) and a resource's ``Metadata: cfn-lint:
    config: ignore_checks`` hide our matches as they hide cfn-lint's own."""
    code, matches = cfn_lint(BROKEN, "--ignore-checks", "W9102", "E93", cwd=EXAMPLES)
    assert ours(matches) == sorted(m for m in BROKEN_MATCHES if m[0] not in ("W9102", "E9301"))
    assert code == 2
    template = write(tmp_path / "stack.yaml", BROKEN.read_text(encoding="utf-8").replace(
        "  MetricsRole:\n    Type: AWS::IAM::Role\n",
        "  MetricsRole:\n    Type: AWS::IAM::Role\n    Metadata:\n      cfn-lint:\n"
        "        config:\n          ignore_checks: [E9103, W9102]\n"))
    code, matches = cfn_lint(template, cwd=tmp_path)
    assert {m[0] for m in ours(matches)} == {"E9201", "E9301", "E9404"}
    assert code == 2


def test_a_piped_template_gets_the_same_matches() -> None:
    code, matches = cfn_lint(cwd=EXAMPLES, stdin=BROKEN.read_text(encoding="utf-8"))
    assert ours(matches) == sorted(BROKEN_MATCHES)
    assert code == 2 | 4


def test_levels_and_suppressions_of_the_configuration_apply(tmp_path: Path) -> None:
    template = tmp_path / "stack.yaml"
    template.write_text(BROKEN.read_text(encoding="utf-8"), encoding="utf-8")
    write(tmp_path / "personalize-lint.toml", """
[rules.levels]
PL102 = "error"     # the guard is mandatory here
PL404 = "warning"
[[rules.suppress]]
rule = "PL201"
path = "stack.yaml"
reason = "the reports/ prefix is being migrated, SEC-7"
""")
    code, matches = cfn_lint(template, cwd=tmp_path)
    assert ours(matches) == [
        ("E9102", 106, 13), ("E9103", 115, 17), ("E9301", 58, 13), ("W9404", 144, 23)]
    assert code == 2 | 4


def test_a_suppression_in_the_template_hides_the_match(tmp_path: Path) -> None:
    text = COMPLIANT.read_text(encoding="utf-8").replace(
        "            Action: sts:AssumeRole\n"
        "            Condition:\n"
        "              StringEquals:\n"
        "                aws:SourceAccount: !Ref AWS::AccountId\n"
        "              ArnLike:\n"
        "                aws:SourceArn: !Sub arn:${AWS::Partition}:personalize:${AWS::Region}:"
        "${AWS::AccountId}:*\n",
        "            Action: sts:AssumeRole\n")
    unguarded = write(tmp_path / "unguarded.yaml", text)
    code, matches = cfn_lint(unguarded, cwd=tmp_path)
    assert [m[0] for m in ours(matches)] == ["W9102"] and code == 4
    suppressed = write(tmp_path / "suppressed.yaml", text.replace(
        "  MetricsRole:\n    Type: AWS::IAM::Role\n",
        "  MetricsRole:\n    Type: AWS::IAM::Role\n    Metadata:\n      personalize-lint:\n"
        "        ignore:\n          - rule: PL102\n            reason: single-account sandbox\n"))
    assert cfn_lint(suppressed, cwd=tmp_path) == (0, [])


def test_a_finding_outside_the_template_is_reported_at_its_top(tmp_path: Path) -> None:
    template = write(tmp_path / "stack.yaml", COMPLIANT.read_text(encoding="utf-8"))
    write(tmp_path / "personalize-lint.toml", 'fail-on = "error"\nlimits = 3\n')
    code, matches = cfn_lint(template, cwd=tmp_path)
    assert ours(matches) == [("E9004", 1, 1)]
    assert code == 2
    message = message_of(matches, "E9004")
    assert message.startswith("PL004 Configuration is invalid: ")
    assert message.endswith("(at personalize-lint.toml:2:1)")


def test_an_unreadable_configuration_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    template = write(tmp_path / "stack.yaml", COMPLIANT.read_text(encoding="utf-8"))
    write(tmp_path / "personalize-lint.toml", "[rules\n")
    code, matches = cfn_lint(template, cwd=tmp_path)
    assert ours(matches) == [("E9004", 1, 1)] and code == 2
    assert "invalid TOML" in message_of(matches, "E9004")


def test_cfn_lint_lists_every_rule_at_every_level() -> None:
    listing = subprocess.run([str(CFN_LINT), "--list-rules", "-a", MODULE], capture_output=True,
                             text=True, timeout=120, check=True).stdout
    ids = run_cli("rules", "--format", "json", cwd=EXAMPLES).json()
    for rule in ids:
        for letter in "EWI":
            assert f"{letter}9{rule['id'][2:]}: {rule['id']} {rule['title']}\n" in listing


FAMILY_TEMPLATES = ["role.yaml", "bucket.yaml", "key.yaml", "attribution.yaml", "schema.yaml",
                    "trust.yaml", "unresolved.yaml", "suppressed.yaml", "cdk.json"]


def test_every_family_template_gives_the_engines_findings() -> None:
    """The CloudFormation family templates in one cfn-lint run, each compared with what
    the engine reports on it (levels, suppressions and places included)."""
    folder = Path(__file__).parent.parent / "cloudformation" / "templates"
    _, matches = cfn_lint(*FAMILY_TEMPLATES, "--include-checks", "I", cwd=folder)
    for name in FAMILY_TEMPLATES:
        scan = scan_file(folder / name)
        expected = sorted((cfn_lint_id(f.rule_id, f.level or ""), f.location.line or 1,
                           f.location.column or 1) for f in scan.findings)
        assert ours([m for m in matches if m["Filename"] == name]) == expected, name
        assert expected or name == "suppressed.yaml", name
