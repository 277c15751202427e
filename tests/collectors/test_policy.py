"""--print-policy: generated from the guard's allow-list, and covering exactly the operations
the collectors call (read statically from their source and counted in a real audit)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from helpers_audit import audit
from world import Aws, deploy

from helpers import REPO, run_cli
from personalize_lint.collectors.operations import (
    ASSUME_ROLE,
    READ_OPERATIONS,
    Operation,
    read_operations,
)
from personalize_lint.collectors.policy import auditor_policy
from personalize_lint.policy_shape import policy_problems

COLLECTORS = REPO / "checker" / "collectors"
ALL_READS = {str(op) for op in read_operations()}


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "text" assignments (SERVICE = "iam")."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(
                node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def called_operations() -> set[str]:
    """service:Operation of every ``.call(...)`` / ``.pages(...)`` in the collectors' source."""
    calls = set()
    for path in sorted(COLLECTORS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _constants(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("call", "pages")):
                continue
            texts = []
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    texts.append(arg.value)
                elif isinstance(arg, ast.Name) and arg.id in names:
                    texts.append(names[arg.id])
            if len(texts) >= 2 and texts[0] in READ_OPERATIONS:
                calls.add(f"{texts[0]}:{texts[1]}")
    return calls


def test_the_collectors_call_exactly_the_allow_list() -> None:
    assert called_operations() == ALL_READS | {":".join(ASSUME_ROLE)}


def test_a_real_audit_calls_exactly_the_allow_list(aws: Aws) -> None:
    deploy(aws, "retail")
    made = set(audit().calls)
    assert made <= ALL_READS
    # Organizations is only read with --org-role (tests/collectors/test_accounts.py) and
    # --organization (tests/collectors/test_organization.py).
    assert made == {op for op in ALL_READS if not op.startswith("organizations:")}


def test_the_policy_grants_the_actions_of_the_allow_list_and_no_more() -> None:
    policy = auditor_policy()
    granted = {a for st in policy["Statement"] for a in st["Action"]}
    needed = {op.action for op in read_operations()
              if op.action and op.service != "organizations"}
    assert granted == needed
    assert "s3:GetEncryptionConfiguration" in granted  # GetBucketEncryption's IAM action
    assert Operation("sts", "GetCallerIdentity").action is None  # needs no permission
    assert list(policy_problems(policy, "identity")) == []
    assert all(st["Effect"] == "Allow" for st in policy["Statement"])


def test_print_policy_on_the_command_line(tmp_path: Path) -> None:
    plain = run_cli("audit", "--print-policy", cwd=tmp_path)
    assert plain.code == 0 and json.loads(plain.out) == auditor_policy()
    arn = "arn:aws:iam::222222222222:role/Auditor"
    with_role = json.loads(run_cli("audit", "--print-policy", "--role-arn", arn,
                                   cwd=tmp_path).out)
    assert with_role["Statement"][-1] == {"Sid": "AssumeAuditRoles", "Effect": "Allow",
                                          "Action": ["sts:AssumeRole"], "Resource": [arn]}
    org = json.loads(run_cli("audit", "--print-policy", "--org-role", "Auditor",
                             cwd=tmp_path).out)
    sids = [st["Sid"] for st in org["Statement"]]
    assert "ListOrganizationAccounts" in sids
    assert org["Statement"][-1]["Resource"] == ["arn:aws:iam::*:role/Auditor"]
    policies = json.loads(run_cli("audit", "--print-policy", "--organization",
                                  cwd=tmp_path).out)
    assert policies["Statement"][-1] == {
        "Sid": "ReadOrganizationPolicies", "Effect": "Allow", "Resource": "*",
        "Action": ["organizations:DescribePolicy", "organizations:ListParents",
                   "organizations:ListPoliciesForTarget"]}
    # Together with --org-role, every organizations read the guard allows is granted.
    both = auditor_policy(org_role="Auditor", organization=True)
    granted = {a for st in both["Statement"] for a in st["Action"]}
    assert {op for op in ALL_READS if op.startswith("organizations:")} <= granted


def test_the_readme_shows_the_policy_the_command_prints() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### The auditor's IAM policy", 1)[1]
    shown = json.loads(section.split("```json", 1)[1].split("```", 1)[0])
    assert shown == auditor_policy()
