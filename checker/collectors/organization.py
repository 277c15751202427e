"""AWS Organizations (``audit --organization``): the SCPs and RCPs over an audited account.

The account's place in the hierarchy comes from ``ListParents``, walked from the account up
to the root; each level's policies from ``ListPoliciesForTarget`` (one type at a time) and
their documents from ``DescribePolicy``, each read once. Levels are kept root first, account
last, as the evaluator takes them. These calls answer only in the management account or a
delegated administrator, so they use the caller's own credentials.

Fail closed: a denied or failed read is a gap, so every set-up of the account gets PL003
("not evaluated against the organization policies") rather than a pass. An account outside
any organization has none (``AWSOrganizationsNotInUseException``), and a policy type that is
not enabled applies nothing.
"""

from __future__ import annotations

from typing import Any

from ..iam.organizations import RCP, SCP, policy_arn_parts
from .cache import OnceCache
from .errors import ApiError
from .gaps import gap
from .session import AuditSession

SERVICE = "organizations"
MEMBERS = ((SCP, "serviceControlPolicies"), (RCP, "resourceControlPolicies"))
CHECKS = "PL101, PL103-PL105, PL201, PL202 and PL301 were not checked against them"
NOT_ENABLED = ("PolicyTypeNotEnabledException",)


def collect_organization(session: AuditSession, account: str, partition: str,
                         documents: OnceCache[dict[str, Any]]) -> dict[str, Any]:
    org: dict[str, Any] = {"organizationId": None, "managementAccount": None,
                           "serviceControlPolicies": [], "resourceControlPolicies": [],
                           "missing": []}
    where = f"arn:{partition}:organizations::{account}:account"
    try:
        path = _path(session, account)
    except ApiError as exc:
        if exc.kind != "not-found":
            org["missing"].append(gap(f"the organization policies (SCPs, RCPs) over account "
                                      f"{account}; {CHECKS}", exc, where))
        return org  # not-found: the account is in no organization, nothing applies
    for policy_type, member in MEMBERS:
        levels: list[list[dict[str, Any]]] = []
        try:
            for target in path:
                summaries = session.pages(SERVICE, None, "ListPoliciesForTarget", "Policies",
                                          TargetId=target, Filter=policy_type)
                levels.append([_policy(session, s, target, documents) for s in summaries])
        except ApiError as exc:
            if exc.code not in NOT_ENABLED:
                kind = "service control policies" if policy_type == SCP else (
                    "resource control policies")
                org["missing"].append(gap(f"the {kind} over account {account}; {CHECKS}", exc,
                                          where))
            levels = []
        org[member] = levels
        for level in levels:
            for item in level:
                management, org_id = policy_arn_parts(item["arn"])
                org["managementAccount"] = org["managementAccount"] or management
                org["organizationId"] = org["organizationId"] or org_id
    return org


def _path(session: AuditSession, account: str) -> list[str]:
    """Root, OUs and the account itself, root first (ListParents up to the root)."""
    path = [account]
    child = account
    for _ in range(10):  # AWS allows five levels of OUs under the root
        parents = session.pages(SERVICE, None, "ListParents", "Parents", ChildId=child)
        if not parents:
            break
        parent = parents[0]
        path.append(str(parent["Id"]))
        if parent.get("Type") == "ROOT":
            break
        child = str(parent["Id"])
    return path[::-1]


def _policy(session: AuditSession, summary: dict[str, Any], target: str,
            documents: OnceCache[dict[str, Any]]) -> dict[str, Any]:
    policy_id = str(summary.get("Id"))

    def describe() -> dict[str, Any]:
        try:
            found = session.call(SERVICE, None, "DescribePolicy", PolicyId=policy_id)["Policy"]
            return {"content": found.get("Content")}
        except ApiError as exc:
            return {"content": None, "error": exc}

    described = documents.get(("organizations", policy_id), describe)
    error = described.get("error")
    if isinstance(error, ApiError):
        raise error  # a policy that cannot be read leaves its level unknown: a gap
    return {"arn": str(summary.get("Arn") or policy_id), "id": policy_id,
            "name": str(summary.get("Name") or policy_id), "type": summary.get("Type"),
            "awsManaged": bool(summary.get("AwsManaged")), "target": target,
            "content": described["content"]}
