"""IAM: the service role, its trust policy, inline and attached managed policies (default
versions) and permissions boundary."""

from __future__ import annotations

from typing import Any

from .cache import OnceCache
from .errors import ApiError
from .gaps import gap, plain
from .session import Scope

SERVICE = "iam"
PERMISSIONS = "the service role's permission policies (PL103-PL106)"


def role_name(role_arn: str) -> str:
    # arn:aws:iam::123456789012:role/path/to/Name -> Name (GetRole takes the bare name)
    return role_arn.rsplit("/", 1)[-1]


def collect_role(scope: Scope, role_arn: str,
                 policies: OnceCache[dict[str, Any]]) -> dict[str, Any]:
    """The role as plain JSON with its own ``missing`` list; ``exists`` False when IAM says
    there is no such role (a fact the rules report as PL107)."""
    role: dict[str, Any] = {"arn": role_arn, "name": role_name(role_arn), "exists": True,
                            "trustPolicy": None, "inlinePolicies": [], "managedPolicies": [],
                            "permissionsBoundary": None, "permissionsComplete": True,
                            "missing": []}
    missing = role["missing"]
    try:
        described = scope.call(SERVICE, "GetRole", RoleName=role["name"])["Role"]
    except ApiError as exc:
        if exc.kind == "not-found":
            role["exists"] = False
        else:
            role["permissionsComplete"] = False
            missing.append(gap("the service role (PL101-PL106)", exc, role_arn, "/Role"))
        return role
    role["arn"] = described.get("Arn", role_arn)
    role["trustPolicy"] = plain(described.get("AssumeRolePolicyDocument"))
    try:
        names = scope.pages(SERVICE, "ListRolePolicies", "PolicyNames", RoleName=role["name"])
        for name in names:
            document = scope.call(SERVICE, "GetRolePolicy", RoleName=role["name"],
                                  PolicyName=name)["PolicyDocument"]
            role["inlinePolicies"].append({"name": name, "document": plain(document)})
    except ApiError as exc:
        role["permissionsComplete"] = False
        missing.append(gap(PERMISSIONS, exc, role["arn"], "/RolePolicyList"))
    try:
        attached = scope.pages(SERVICE, "ListAttachedRolePolicies", "AttachedPolicies",
                               RoleName=role["name"])
    except ApiError as exc:
        role["permissionsComplete"] = False
        missing.append(gap(PERMISSIONS, exc, role["arn"], "/AttachedManagedPolicies"))
        attached = []
    for item in attached:
        arn = item["PolicyArn"]
        managed = _managed(scope, arn, policies)
        if "error" in managed:
            missing.append({**managed["error"], "what": f"the managed policy {arn} "
                                                         "(PL103-PL106)"})
        role["managedPolicies"].append({k: v for k, v in managed.items() if k != "error"})
    boundary = described.get("PermissionsBoundary") or {}
    if boundary.get("PermissionsBoundaryArn"):
        managed = _managed(scope, boundary["PermissionsBoundaryArn"], policies)
        if "error" in managed:
            # An unread boundary could deny anything: the permissions cannot be judged.
            role["permissionsComplete"] = False
            missing.append({**managed["error"], "what": PERMISSIONS + ", its permissions "
                                                                      "boundary unread"})
        role["permissionsBoundary"] = {k: v for k, v in managed.items() if k != "error"}
    return role


def _managed(scope: Scope, arn: str, cache: OnceCache[dict[str, Any]]) -> dict[str, Any]:
    # AWS managed policies (account "aws") are the same in every account: read them once.
    owner = arn.split(":")[4] if arn.count(":") >= 5 else ""
    key = arn if owner == "aws" else (scope.account, arn)
    return cache.get(key, lambda: _read_managed(scope, arn))


def _read_managed(scope: Scope, arn: str) -> dict[str, Any]:
    policy: dict[str, Any] = {"arn": arn, "versionId": None, "document": None}
    try:
        meta = scope.call(SERVICE, "GetPolicy", PolicyArn=arn)["Policy"]
        policy["versionId"] = meta.get("DefaultVersionId")
        version = scope.call(SERVICE, "GetPolicyVersion", PolicyArn=arn,
                             VersionId=policy["versionId"])["PolicyVersion"]
        policy["document"] = plain(version.get("Document"))
    except ApiError as exc:
        policy["error"] = gap("", exc, arn, "/PolicyVersion/Document")
    return policy
