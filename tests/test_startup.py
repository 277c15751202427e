"""What a pre-commit run on one file imports: only what that file needs.

``personalize-lint check one-policy.json`` must stay well under half of parliament's time
(bench/bench_startup.py); most of a run that short is importing modules. These tests pin
what such a run leaves out, so a new import at module level that pulls in a heavy part
fails here rather than going unnoticed. (The rule modules: tests/rules/test_registry.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}

# Never for one policy file: other kinds' machinery, optional or heavy libraries.
NEVER = (
    "personalize_lint.personalize",  # schemas, requests, API constraints (botocore)
    "personalize_lint.data",  # the bulk-data engines
    "personalize_lint.cloudformation.",  # templates (the plugin module itself is cheap)
    "personalize_lint.terraform.",  # plans (likewise)
    "personalize_lint.collectors.",  # account audits and saved inventories
    "personalize_lint.reporters.html",
    "boto3", "botocore", "jsonschema", "policyuniverse", "yaml", "polars", "numpy",
    "importlib.metadata",  # no installed distribution declares our entry points
)
# Cheap by design, and wanted by every run: the plugin hooks, the audit's arguments, and
# the data engine the configuration may choose (not the engine itself).
ALLOWED = ("personalize_lint.cloudformation.plugin", "personalize_lint.terraform.plugin",
           "personalize_lint.collectors.cli",
           "personalize_lint.collectors.saved", "personalize_lint.data",
           "personalize_lint.data.engine_choice", "personalize_lint.data.engines")


def imported_by(args: list[str], cwd: Path) -> set[str]:
    code = ("import sys; from personalize_lint.cli import main; code = main(sys.argv[1:]); "
            "print(code, *sorted(sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    code_seen, *modules = done.stderr.split()
    assert code_seen == "0", done.stdout
    return set(modules)


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    (tmp_path / "policy.json").write_text(json.dumps(POLICY))
    return tmp_path


def test_one_policy_imports_nothing_it_does_not_need(policy: Path) -> None:
    modules = imported_by(["check", "policy.json"], policy)
    assert "personalize_lint.iam.evaluator" in modules  # it was checked
    unwanted = sorted(m for m in modules if m.startswith(NEVER) and m not in ALLOWED)
    assert unwanted == []


@pytest.mark.parametrize(
    ("situation", "module"),
    [
        ("no configuration file", "tomllib"),
        ("a file named, not a folder to walk (git ls-files)", "subprocess"),
        ("no rule crashed", "traceback"),
        ("no document the loader could not place (template fragments)",
         "personalize_lint.cloudformation.template"),
    ],
)
def test_what_is_imported_only_when_needed(policy: Path, situation: str, module: str) -> None:
    assert module not in imported_by(["check", "policy.json"], policy), situation


def test_a_configuration_and_a_folder_bring_their_parsers(policy: Path) -> None:
    (policy / "personalize-lint.toml").write_text('fail-on = "error"\n')
    modules = imported_by(["check", "."], policy)
    toml = "tomllib" if sys.version_info >= (3, 11) else "tomli"
    assert {toml, "subprocess"} <= modules
