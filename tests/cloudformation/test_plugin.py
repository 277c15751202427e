"""The CloudFormation plugin: registered as a built-in, cheap to import, run by the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import run_cli
from personalize_lint.plugins import BUILTIN_PLUGINS, make_plugin_manager


def test_it_is_a_builtin_plugin() -> None:
    assert "personalize_lint.cloudformation.plugin" in BUILTIN_PLUGINS
    pm = make_plugin_manager(autoload=False)
    names = [impl.plugin_name for impl in pm.hook.personalize_lint_extend_inventory.get_hookimpls()]
    assert "personalize_lint.cloudformation.plugin" in names


def test_importing_it_stays_cheap() -> None:
    code = (
        "import sys, personalize_lint.cloudformation.plugin as p; "
        "print(sorted(m for m in ('boto3', 'yaml', 'personalize_lint.cloudformation.linker')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out.replace("'", '"')) == []


def test_the_cli_reports_template_positions(tmp_path: Path, render) -> None:
    path = render("role.yaml", "json-long")
    run = run_cli("check", path.name, "--format", "json", "--ignore", "PL409", cwd=tmp_path)
    assert run.code == 1, run.err
    findings = run.json()["findings"]
    lines = path.read_text().splitlines()
    by_rule = {f["rule_id"]: f for f in findings}
    assert set(by_rule) == {"PL103", "PL104", "PL105", "PL106"}
    pl104 = by_rule["PL104"]
    assert pl104["logical_id"] == "WriteReportsPolicy"
    assert pl104["path"] == "role.json" and pl104["setup"] == "role.json#Attribution"
    # The statement at fault starts on its line: the opening brace of the object.
    assert lines[pl104["line"] - 1].strip() == "{"
    assert '"WriteReports"' in lines[pl104["line"]]


def test_a_directory_is_walked_for_templates(tmp_path: Path, templates: Path) -> None:
    for name in ("compliant.yaml", "trust.yaml"):
        (tmp_path / "infra").mkdir(exist_ok=True)
        (tmp_path / "infra" / name).write_text((templates / name).read_text())
    run = run_cli("check", "infra", "--format", "json", cwd=tmp_path)
    assert run.code == 1, run.err
    setups = {f["setup"] for f in run.json()["findings"]}
    assert setups == {"infra/compliant.yaml#Attribution", "infra/trust.yaml#RetailAttribution",
                      "infra/trust.yaml#MediaAttribution"}


def test_a_run_without_templates_does_not_load_the_linker(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text(json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    code = (
        "import sys; from personalize_lint.cli import main; "
        "main(['check', '-q', '--exit-zero', 'policy.json']); "
        "print('personalize_lint.cloudformation.linker' in sys.modules, file=sys.stderr)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, check=True)
    assert run.stderr.strip().splitlines()[-1] == "False"
