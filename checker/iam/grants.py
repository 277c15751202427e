"""KMS grants (``aws kms list-grants`` output) as resource-policy statements.

"Grants – You can use grants in combination with the key policy and IAM policies to allow
access to a KMS key" (AWS KMS developer guide): a grant lets its grantee principal use the
key for the grant's operations, like a key policy statement naming that principal. A grant
can only allow, and some operations cannot be granted at all ("ListGrants: key policy or IAM
policy" only, KMS guide, Controlling access to grants). Encryption-context constraints become
conditions on ``kms:EncryptionContext:<key>``, which Personalize's requests do not tell: such
a grant leaves the answer uncertain rather than passing.
"""

from __future__ import annotations

from typing import Any

from ..inventory import Key, Policy, Source


def _principal(grantee: str) -> dict[str, Any]:
    if grantee.endswith(".amazonaws.com"):
        return {"Service": grantee}
    return {"AWS": grantee}


def _conditions(constraints: Any) -> dict[str, Any]:
    if not isinstance(constraints, dict):
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name in ("EncryptionContextSubset", "EncryptionContextEquals"):
        context = constraints.get(name)
        if isinstance(context, dict):
            block = out.setdefault("StringEquals", {})
            for k, v in context.items():
                block[f"kms:EncryptionContext:{k}"] = v
    return out


def grant_statement(grant: dict[str, Any], index: int) -> dict[str, Any] | None:
    grantee = grant.get("GranteePrincipal")
    operations = grant.get("Operations")
    if not isinstance(grantee, str) or not isinstance(operations, list):
        return None
    actions = [f"kms:{op}" for op in operations if isinstance(op, str) and op != "ListGrants"]
    if not actions:
        return None
    statement: dict[str, Any] = {
        "Sid": f"Grant{index}",
        "Effect": "Allow",
        "Principal": _principal(grantee),
        "Action": actions,
        "Resource": "*",
    }
    conditions = _conditions(grant.get("Constraints"))
    if conditions:
        statement["Condition"] = conditions
    return statement


def grant_policies(key: Key) -> list[Policy]:
    """One policy per usable grant of the key, located at that grant."""
    policies: list[Policy] = []
    for i, grant in enumerate(key.grants or []):
        statement = grant_statement(grant, i) if isinstance(grant, dict) else None
        if statement is None:
            continue
        source = key.grants_source
        where = source.locate(i) if source is not None else key.source.locate()
        name = f"grant {grant.get('GrantId') or i} of {key.arn or 'the key'}"
        policies.append(Policy(data={"Version": "2012-10-17", "Statement": [statement]},
                               source=Source(location=where), kind="key", name=name))
    return policies
