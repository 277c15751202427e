"""Reading organization policies (SCPs and RCPs) from what users have: a policy document, or
the output of ``aws organizations describe-policy`` (``{"Policy": {"PolicySummary": {...,
"Type": ...}, "Content": "<json string>"}}``), and telling a policy of the wrong kind.

A policy of the wrong type (an SCP given as an RCP, an identity or resource policy with a
Principal given as an SCP, a tag policy) is a PL002 finding with a location, and is left out
of the evaluation; the run goes on. Allowed shapes (AWS Organizations user guide):

* SCP: IAM identity-policy grammar; "SCPs don't support the Principal element".
* RCP: resource-policy grammar with ``"Principal": "*"``; "The effect of Allow is only
  supported for the RCPFullAWSAccess policy", so a custom RCP only denies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .document import Document
from .findings import Finding
from .iam.organizations import (
    RCP,
    SCP,
    TYPE_NAMES,
    known_policy,
    policy_arn_parts,
    reference_type,
)
from .inventory import Organization, OrgPolicy, Policy, Source, UnusablePolicy
from .location import Location, join_pointer
from .policy_shape import policy_problems

KEY_OF_TYPE = {SCP: "service-control-policies", RCP: "resource-control-policies"}
SUBKIND_OF_TYPE = {SCP: "scp", RCP: "rcp"}
MANAGEMENT_TYPES = ("TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY",
                    "CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2")


@dataclass
class ReadPolicy:
    """One organization policy read from a document: the policy (None when unusable), and
    what the policy ARN tells (management account, organization ID)."""

    policy: Policy | None
    problems: list[Finding] = field(default_factory=list)
    management_account: str | None = None
    organization_id: str | None = None


def is_managed_reference(value: str) -> bool:
    """Is a configured entry an organization policy name or ARN rather than a file?"""
    return value.startswith("arn:") or known_policy(value) is not None


def reference_problem(value: str, policy_type: str) -> str | None:
    """Why a configured policy name or ARN cannot stand under this key (it names a policy
    of another kind, or no organization policy at all), or None."""
    given = reference_type(value)
    if given is None or given == policy_type:
        return None
    key = KEY_OF_TYPE[policy_type]
    if not given:
        return (f"{value!r} is not an AWS Organizations policy ARN: {key} lists "
                f"{TYPE_NAMES[policy_type]} files, names or ARNs")
    other = KEY_OF_TYPE.get(given)
    return (f"{value!r} is a {TYPE_NAMES.get(given, given)}, not a {TYPE_NAMES[policy_type]}: "
            f"it cannot be used in {key}"
            + (f" (list it under {other})" if other else
               " (management policy types do not grant or deny permissions)"))


def usable(read: ReadPolicy, name: str, source: Source) -> OrgPolicy:
    """The policy read, or a stand-in when it cannot be used (wrong kind, malformed): the
    checks over it are then not evaluated rather than decided without it."""
    if read.policy is not None and not read.problems:
        return read.policy
    if any(f.rule_id == "PL001" for f in read.problems):
        why = "it could not be read"
    else:
        why = "it is of the wrong kind" if read.policy is None else "it is malformed"
    return UnusablePolicy(name, source, why)


def read_document(doc: Document, policy_type: str, base: str = "") -> ReadPolicy:
    """An SCP or RCP from a loaded document (``base``: a pointer to the policy inside it)."""
    data = _at(doc.data, base)
    described = data.get("Policy") if isinstance(data, dict) else None
    if isinstance(described, dict) and "Content" in described:
        return _read_described(doc, described, policy_type, join_pointer(base, "Policy"))
    policy = Policy(data=data, source=Source(doc, base), kind=SUBKIND_OF_TYPE[policy_type],
                    name=doc.path)
    problems = [Finding("PL002", message, doc.location(base + pointer))
                for message, pointer in shape_problems(data, policy_type)]
    return ReadPolicy(None if wrong_type(f.message for f in problems) else policy, problems)


def read_content(content: Any, policy_type: str, where: Location, name: str) -> ReadPolicy:
    """An SCP or RCP given as content (a JSON string or object) without positions of its own:
    a CloudFormation ``Content`` property, a saved inventory. Problems point at ``where``."""
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError as exc:
            return ReadPolicy(None, [Finding("PL001", f"the {TYPE_NAMES[policy_type]} {name} "
                                             f"is not JSON: {exc}", where)])
    problems = [Finding("PL002", f"{message} (in {pointer or 'the policy'} of {name})", where)
                for message, pointer in shape_problems(content, policy_type)]
    policy = Policy(data=content, source=Source(location=where),
                    kind=SUBKIND_OF_TYPE[policy_type], name=name)
    return ReadPolicy(None if wrong_type(f.message for f in problems) else policy, problems)


def _read_described(doc: Document, described: dict[str, Any], policy_type: str,
                    base: str) -> ReadPolicy:
    summary = described.get("PolicySummary")
    summary = summary if isinstance(summary, dict) else {}
    given = summary.get("Type")
    arn = summary.get("Arn")
    type_pointer = join_pointer(base, "PolicySummary", "Type")
    if not isinstance(given, str) and isinstance(arn, str):
        given = reference_type(arn) or None  # no Type: the ARN's type folder tells it
        type_pointer = join_pointer(base, "PolicySummary", "Arn")
    name = str(summary.get("Name") or summary.get("Id") or doc.path)
    if isinstance(given, str) and given != policy_type:
        key = KEY_OF_TYPE[policy_type]
        return ReadPolicy(None, [Finding(
            "PL002", f"this is a {given} (describe-policy output), not a "
            f"{TYPE_NAMES[policy_type]}: it cannot be used in {key}"
            + (" (management policy types do not grant or deny permissions)"
               if given in MANAGEMENT_TYPES else ""),
            doc.location(type_pointer))])
    where = doc.location(join_pointer(base, "Content"))
    read = read_content(described.get("Content"), policy_type, where, name)
    if isinstance(arn, str):
        read.management_account, read.organization_id = policy_arn_parts(arn)
    if read.policy is not None:
        read.policy.name = f"{name} ({doc.path})"
    return read


def _at(data: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:] if pointer else ():
        data = data.get(token) if isinstance(data, dict) else None
    return data


# Messages that say the whole document is of the wrong kind: it is left out.
_WRONG_TYPE = ("not an SCP", "not an RCP", "not an authorization policy")


def wrong_type(messages: Iterable[str]) -> bool:
    """Does one of these shape problems say the whole document is of the wrong kind?"""
    return any(any(w in m for w in _WRONG_TYPE) for m in messages)


def shape_problems(data: Any, policy_type: str) -> Iterator[tuple[str, str]]:
    """PL002 problems of an SCP or RCP document: (message, pointer)."""
    if isinstance(data, dict) and "Statement" not in data and (
            "tags" in data or "plans" in data or "services" in data):
        yield ("this looks like a tag, backup or AI opt-out policy: it is not an "
               "authorization policy and cannot restrict access", "")
        return
    statements = data.get("Statement") if isinstance(data, dict) else None
    items = statements if isinstance(statements, list) else [statements]
    pointers = ([f"/Statement/{i}" for i in range(len(items))]
                if isinstance(statements, list) else ["/Statement"])
    if policy_type == SCP:
        for pointer, st in zip(pointers, items, strict=True):
            if isinstance(st, dict) and ("Principal" in st or "NotPrincipal" in st):
                member = "Principal" if "Principal" in st else "NotPrincipal"
                yield (f"a statement with {member} is not an SCP (SCPs have no Principal "
                       "element): is this an RCP or a resource policy?",
                       join_pointer(pointer, member))
                return
        yield from policy_problems(data, "identity")
        return
    for pointer, st in zip(pointers, items, strict=True):
        if not isinstance(st, dict):
            continue
        if "Principal" not in st and "NotPrincipal" not in st:
            yield ('a statement without "Principal": "*" is not an RCP: is this an SCP or an '
                   "identity policy?", pointer)
            return
        if "NotPrincipal" in st:
            yield ('RCPs support only "Principal": "*", not NotPrincipal',
                   join_pointer(pointer, "NotPrincipal"))
        elif st.get("Principal") != "*":
            yield ('RCPs support only "Principal": "*"; name principals with conditions '
                   "(aws:PrincipalArn, aws:PrincipalOrgID)", join_pointer(pointer, "Principal"))
        if st.get("Effect") == "Allow" and not _full_access(st):
            yield ("an RCP can only Deny: the effect of Allow is only supported for the "
                   "RCPFullAWSAccess policy", join_pointer(pointer, "Effect"))
    yield from (p for p in policy_problems(data, "resource"))


def _full_access(st: dict[str, Any]) -> bool:
    return st.get("Action") == "*" and st.get("Resource") == "*" and "Condition" not in st


def add_read(organization: Organization, read: ReadPolicy) -> None:
    """What a policy's ARN tells about the organization, kept on the inventory."""
    organization.management_account = (organization.management_account
                                       or read.management_account)
    organization.organization_id = organization.organization_id or read.organization_id


def describe_levels(levels: list[list[OrgPolicy]]) -> str:
    return "; ".join(", ".join(p if isinstance(p, str) else (p.name or "policy") for p in level)
                     for level in levels)
