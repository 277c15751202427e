"""The minimal IAM policy the auditor needs, generated from the guard's allow-list.

``personalize-lint audit --print-policy`` prints it. Because both come from
:data:`~.operations.READ_OPERATIONS`, the policy grants exactly what the guard lets the
collectors call: nothing more, and no collector call it forgets.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .operations import read_operations

SIDS = {
    "personalize": "ReadPersonalizeAttributions",
    "iam": "ReadServiceRoles",
    "s3": "ReadOutputBuckets",
    "kms": "ReadOutputKeys",
}


def audited_actions() -> dict[str, list[str]]:
    """IAM actions the audit needs in each audited account, by service (sorted)."""
    actions: dict[str, list[str]] = {}
    for op in read_operations():
        if op.action is None or op.service == "organizations":
            continue
        actions.setdefault(op.service, []).append(op.action)
    return {service: sorted(set(found)) for service, found in actions.items()}


ORGANIZATION_READS = ["organizations:DescribePolicy", "organizations:ListParents",
                      "organizations:ListPoliciesForTarget"]


def auditor_policy(role_arns: Sequence[str] = (), org_role: str | None = None,
                   partition: str = "aws", organization: bool = False) -> dict[str, Any]:
    """The policy document. With --role-arn or --org-role, the statements the calling
    identity needs to reach the accounts are added (AssumeRole, ListAccounts); with
    --organization, the Organizations reads of the SCPs and RCPs (by the caller, in the
    management account or a delegated administrator)."""
    statements: list[dict[str, Any]] = [
        {"Sid": SIDS.get(service, f"Read{service.title()}"), "Effect": "Allow",
         "Action": actions, "Resource": "*"}
        for service, actions in audited_actions().items()
    ]
    targets = list(role_arns)
    if org_role:
        targets.append(f"arn:{partition}:iam::*:role/{org_role}")
        statements.append({"Sid": "ListOrganizationAccounts", "Effect": "Allow",
                           "Action": ["organizations:ListAccounts"], "Resource": "*"})
    if organization:
        statements.append({"Sid": "ReadOrganizationPolicies", "Effect": "Allow",
                           "Action": ORGANIZATION_READS, "Resource": "*"})
    if targets:
        statements.append({"Sid": "AssumeAuditRoles", "Effect": "Allow",
                           "Action": ["sts:AssumeRole"], "Resource": sorted(set(targets))})
    return {"Version": "2012-10-17", "Statement": statements}


def policy_text(role_arns: Sequence[str] = (), org_role: str | None = None,
                organization: bool = False) -> str:
    return json.dumps(auditor_policy(role_arns, org_role, organization=organization),
                      indent=2) + "\n"
