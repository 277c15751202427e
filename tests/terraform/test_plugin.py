"""The Terraform plugin: a built-in, cheap to import, its reader loaded only for a plan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import run_cli
from personalize_lint.plugins import BUILTIN_PLUGINS, make_plugin_manager
from tf_families import FAMILIES

READER = ("personalize_lint.terraform.extend", "personalize_lint.terraform.template",
          "personalize_lint.terraform.linker", "personalize_lint.cloudformation.linker")


def test_it_is_a_builtin_plugin() -> None:
    assert "personalize_lint.terraform.plugin" in BUILTIN_PLUGINS
    pm = make_plugin_manager(autoload=False)
    names = [impl.plugin_name for impl in pm.hook.personalize_lint_extend_inventory.get_hookimpls()]
    assert "personalize_lint.terraform.plugin" in names


def _loaded_after(code: str, cwd: Path) -> list[str]:
    probe = (f"{code}; import sys; print(sorted(m for m in {READER!r} + ('boto3', 'yaml') "
             "if m in sys.modules), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=cwd, check=True)
    return json.loads(run.stderr.strip().splitlines()[-1].replace("'", '"'))


def test_importing_it_stays_cheap(tmp_path: Path) -> None:
    assert _loaded_after("import personalize_lint.terraform.plugin", tmp_path) == []


def test_a_run_without_plans_does_not_load_the_reader(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text(json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    code = ("from personalize_lint.cli import main; "
            "main(['check', '-q', '--exit-zero', 'policy.json'])")
    assert _loaded_after(code, tmp_path) == []


def test_a_run_with_a_plan_loads_it_and_no_more(tmp_path: Path) -> None:
    FAMILIES["trust.yaml"]().write(tmp_path / "plan.json")
    code = ("from personalize_lint.cli import main; "
            "main(['check', '-q', '--exit-zero', 'plan.json'])")
    # JSON templates in stacks need no YAML parser, and nothing needs boto3.
    assert _loaded_after(code, tmp_path) == sorted(READER)


def test_the_cli_reports_plan_positions(tmp_path: Path) -> None:
    path = FAMILIES["role.yaml"]().write(tmp_path / "plan.json", indent=2)
    run = run_cli("check", "plan.json", "--format", "sarif", cwd=tmp_path)
    assert run.code == 1, run.err
    results = run.json()["runs"][0]["results"]
    lines = path.read_text().splitlines()
    by_rule = {r["ruleId"]: r for r in results}
    pl104 = by_rule["PL104"]
    where = pl104["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "plan.json"
    assert '"policy":' in lines[where["region"]["startLine"] - 1]
    resource, member = pl104["locations"][0]["logicalLocations"]
    assert (resource["name"], resource["kind"]) == ("aws_iam_policy.write_reports", "resource")
    assert member["fullyQualifiedName"].endswith("/change/after/policy")
