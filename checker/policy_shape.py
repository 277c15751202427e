"""The grammar of IAM policy documents (PL002): what IAM would reject as malformed.

Returns (message, pointer) pairs; pointers are relative to the policy document.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from .location import join_pointer

TOP_MEMBERS = frozenset({"Version", "Id", "Statement"})
STATEMENT_MEMBERS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
VERSIONS = ("2012-10-17", "2008-10-17")
IDENTITY_SID = re.compile(r"[A-Za-z0-9]*")
ACTION = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]*")
Problem = tuple[str, str]


def policy_problems(policy: Any, kind: str) -> Iterator[Problem]:
    if not isinstance(policy, dict):
        yield f"a policy document must be a JSON object, not {_type(policy)}", ""
        return
    for member in policy:
        if member not in TOP_MEMBERS:
            yield _unknown(member, TOP_MEMBERS, "policy member"), "/" + member
    version = policy.get("Version")
    if version is not None and version not in VERSIONS:
        yield f'Version must be "2012-10-17" or "2008-10-17", not {version!r}', "/Version"
    if "Statement" not in policy:
        yield "the policy has no Statement", ""
        return
    statements = policy["Statement"]
    if isinstance(statements, dict):
        items = [("/Statement", statements)]
    elif isinstance(statements, list):
        if not statements:
            yield "Statement is an empty list", "/Statement"
        items = [(f"/Statement/{i}", s) for i, s in enumerate(statements)]
    else:
        yield (
            f"Statement must be an object or a list of objects, not {_type(statements)}",
            "/Statement",
        )
        return
    sids: dict[str, str] = {}
    for pointer, statement in items:
        yield from _statement_problems(statement, pointer, kind)
        sid = statement.get("Sid") if isinstance(statement, dict) else None
        if isinstance(sid, str) and sid:
            if sid in sids:
                yield (
                    f"duplicate Sid {sid!r} (first at {sids[sid]}); Sids must be unique",
                    pointer + "/Sid",
                )
            sids.setdefault(sid, pointer)


def _statement_problems(statement: Any, pointer: str, kind: str) -> Iterator[Problem]:
    if not isinstance(statement, dict):
        yield f"a statement must be an object, not {_type(statement)}", pointer
        return
    for member in statement:
        if member not in STATEMENT_MEMBERS:
            yield (
                _unknown(member, STATEMENT_MEMBERS, "statement member"),
                join_pointer(pointer, member),
            )
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        where = pointer + "/Effect" if "Effect" in statement else pointer
        yield (
            (
                "the statement has no Effect"
                if effect is None
                else f'Effect must be "Allow" or "Deny", not {effect!r}'
            ),
            where,
        )
    yield from _exactly_one(statement, pointer, "Action", "NotAction", required=True)
    yield from _exactly_one(
        statement,
        pointer,
        "Resource",
        "NotResource",
        required=kind in ("identity", "bucket", "key", "resource"),
    )
    yield from _exactly_one(
        statement,
        pointer,
        "Principal",
        "NotPrincipal",
        required=kind in ("trust", "bucket", "key", "resource"),
    )
    if kind == "identity":
        for member in ("Principal", "NotPrincipal"):
            if member in statement:
                yield (
                    f"an identity policy must not have {member} (IAM rejects it: "
                    '"Policy document should not specify a principal")',
                    join_pointer(pointer, member),
                )
        sid = statement.get("Sid")
        if isinstance(sid, str) and not IDENTITY_SID.fullmatch(sid):
            yield (
                f"Sid {sid!r} may contain only letters and digits in an IAM policy",
                pointer + "/Sid",
            )
    for member in ("Action", "NotAction"):
        if member in statement:
            yield from _actions(statement[member], join_pointer(pointer, member))
    for member in ("Resource", "NotResource"):
        if member in statement:
            yield from _resources(statement[member], join_pointer(pointer, member), member)
    for member in ("Principal", "NotPrincipal"):
        if member in statement:
            yield from _principal(statement[member], join_pointer(pointer, member))
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        yield "Sid must be a string", pointer + "/Sid"
    if "Condition" in statement:
        yield from _condition(statement["Condition"], pointer + "/Condition")


def _exactly_one(
    statement: dict[str, Any], pointer: str, a: str, b: str, *, required: bool
) -> Iterator[Problem]:
    if a in statement and b in statement:
        yield f"the statement has both {a} and {b}; use one", join_pointer(pointer, b)
    elif required and a not in statement and b not in statement:
        yield f"the statement has neither {a} nor {b}", pointer


def _strings(value: Any, pointer: str, what: str) -> Iterator[Problem]:
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        yield f"{what} is an empty list", pointer
    for i, item in enumerate(values):
        where = f"{pointer}/{i}" if isinstance(value, list) else pointer
        if not isinstance(item, str):
            hint = (
                " (a CloudFormation intrinsic function outside a template?)"
                if isinstance(item, dict) and any(k.startswith(("Fn::", "Ref")) for k in item)
                else ""
            )
            yield f"{what} values must be strings, not {_type(item)}{hint}", where


def _actions(value: Any, pointer: str) -> Iterator[Problem]:
    yield from _strings(value, pointer, pointer.rsplit("/", 1)[-1])
    values = value if isinstance(value, list) else [value]
    for i, item in enumerate(values):
        if isinstance(item, str) and not ACTION.fullmatch(item):
            where = f"{pointer}/{i}" if isinstance(value, list) else pointer
            yield f'{item!r} is not an action (expected "service:Action" or "*")', where


def _resources(value: Any, pointer: str, member: str) -> Iterator[Problem]:
    yield from _strings(value, pointer, member)
    values = value if isinstance(value, list) else [value]
    for i, item in enumerate(values):
        fields = item.split(":", 3) if isinstance(item, str) else []
        if len(fields) > 2 and fields[0] == "arn" and ("*" in fields[2] or "?" in fields[2]):
            # IAM, Resource element: "You can't use a wildcard in the service segment that
            # identifies the AWS product."
            where = f"{pointer}/{i}" if isinstance(value, list) else pointer
            yield (f"{item!r} has a wildcard in its service field, which IAM does not allow: "
                   'name the service (arn:aws:s3:::...), or use "*" for every resource', where)


def _principal(value: Any, pointer: str) -> Iterator[Problem]:
    if value == "*":
        return
    if not isinstance(value, dict):
        yield (
            f'a principal must be "*" or an object like {{"Service": ...}}, not {_type(value)}',
            pointer,
        )
        return
    for key, names in value.items():
        if key not in PRINCIPAL_TYPES:
            yield _unknown(key, PRINCIPAL_TYPES, "principal type"), join_pointer(pointer, key)
            continue
        yield from _strings(names, join_pointer(pointer, key), f"Principal {key}")


def _condition(value: Any, pointer: str) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield f"Condition must be an object of operators, not {_type(value)}", pointer
        return
    for operator, block in value.items():
        where = join_pointer(pointer, operator)
        if not isinstance(block, dict):
            yield (
                f"condition operator {operator} must map keys to values, not {_type(block)}",
                where,
            )
            continue
        for key, values in block.items():
            items = values if isinstance(values, list) else [values]
            for item in items:
                if not isinstance(item, str | bool | int | float) or item is None:
                    yield (
                        f"condition value for {key} must be a string, number or boolean, "
                        f"not {_type(item)}",
                        join_pointer(where, key),
                    )
                    break


def _unknown(member: str, allowed: frozenset[str], where: str) -> str:
    lowered = {a.lower(): a for a in allowed}
    if member.lower() in lowered:
        return (
            f"unknown {where} {member!r}: element names are case-sensitive; "
            f"use {lowered[member.lower()]!r}"
        )
    near = difflib.get_close_matches(member, sorted(allowed), n=1)
    hint = f"did you mean {near[0]!r}?" if near else f"expected one of {', '.join(sorted(allowed))}"
    return f"unknown {where} {member!r} ({hint})"


def _type(value: Any) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


POLICY_WRAPPERS = ("PolicyDocument", "AssumeRolePolicyDocument")


def unwrap_policy(data: Any) -> tuple[Any, str]:
    """The policy inside `aws iam get-role-policy`/`get-role` style output, and its pointer."""
    if isinstance(data, dict):
        for wrapper in POLICY_WRAPPERS:
            if isinstance(data.get(wrapper), dict):
                return data[wrapper], "/" + wrapper
    return data, ""
