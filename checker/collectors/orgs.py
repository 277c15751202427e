"""AWS Organizations: the accounts to audit with ``--org-role NAME``."""

from __future__ import annotations

from .session import AuditSession


def active_accounts(session: AuditSession) -> list[str]:
    """IDs of the organisation's ACTIVE accounts (suspended ones cannot be entered);
    raises ApiError, e.g. when the caller is not in the management account."""
    accounts = session.pages("organizations", None, "ListAccounts", "Accounts")
    return sorted(str(a["Id"]) for a in accounts if a.get("Status", "ACTIVE") == "ACTIVE")


def org_role_arn(account: str, role: str, partition: str) -> str:
    return f"arn:{partition}:iam::{account}:role/{role}"
