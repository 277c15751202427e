"""The pre-commit hooks, run through real `pre-commit try-repo` on a temporary repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import EXAMPLES, REPO, write

pytestmark = pytest.mark.slow

GOOD = """{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}]
}
"""
BAD = '{\n  "Version": "2012-10-17",\n  "Statement": [\n'


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("precommit")
    repo = root / "project"
    write(repo / "policies" / "good.json", GOOD)
    write(repo / "policies" / "bad.json", BAD)
    write(repo / "README.md", "not checked\n")
    _git("init", "-q", cwd=repo)
    _git("add", "-A", cwd=repo)
    return repo


def _try_repo(project: Path, hook: str, *files: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(project.parent / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "NO_COLOR": "1",
    }
    args = ["--files", *files] if files else ["--all-files"]
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--verbose", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def test_hook_passes_a_good_file(project: Path) -> None:
    run = _try_repo(project, "personalize-lint", "policies/good.json")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Passed" in run.stdout


def test_hook_fails_a_bad_file_with_its_position(project: Path) -> None:
    run = _try_repo(project, "personalize-lint", "policies/good.json", "policies/bad.json")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Failed" in run.stdout
    assert "policies/bad.json" in run.stdout
    assert "PL001" in run.stdout


def test_setups_hook_checks_the_configured_setups(project: Path) -> None:
    write(
        project / "personalize-lint.toml",
        '[[setup]]\nname = "p"\nrole-policies = ["policies/bad.json"]\n',
    )
    _git("add", "-A", cwd=project)
    run = _try_repo(project, "personalize-lint-setups")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "PL001" in run.stdout
    (project / "personalize-lint.toml").unlink()
    _git("add", "-A", cwd=project)


def test_terraform_hook_checks_plan_json_files_only(project: Path) -> None:
    # The broken example plan, state saved under a plan's name, and a broken policy that the
    # Terraform hook's `files` pattern leaves to the other hook.
    write(project / "infra" / "plan.json",
          (EXAMPLES / "terraform" / "broken" / "plan.json").read_text())
    write(project / "infra" / "prod.tfplan.json",
          '{"format_version": "1.0", "terraform_version": "1.9.8", "values": {}}\n')
    _git("add", "-A", cwd=project)
    run = _try_repo(project, "personalize-lint-terraform", "infra/plan.json",
                    "infra/prod.tfplan.json", "policies/bad.json")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Failed" in run.stdout
    assert "infra/prod.tfplan.json" in run.stdout and "PL002" in run.stdout
    assert "this is Terraform state" in run.stdout
    # The plan's own findings, at plan positions, named by resource address.
    assert "infra/plan.json" in run.stdout and "PL104" in run.stdout
    assert "aws_iam_role_policy.metrics" in run.stdout
    assert "policies/bad.json" not in run.stdout and "PL001" not in run.stdout
