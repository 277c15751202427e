"""Normalising a policy document into statements the evaluator can read quickly.

IAM accepts many spellings: ``Statement`` as an object or a list; ``Action``, ``Resource``
and principal values as a string or a list; ``"Principal": "*"`` or ``{"AWS": "*"}``;
condition values as strings, numbers, booleans or lists. Everything becomes tuples here,
with the JSON pointer tokens of each statement kept so findings can point at it.

A value that is not a string where IAM wants one (an unresolved CloudFormation
``{"Fn::Sub": ...}``, a null) is kept as :data:`UNRESOLVED`; the evaluator treats a
comparison with it as uncertain rather than guess.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
UNRESOLVED = None  # marker for a value that is not a plain string
Item = str | None

# Base operators (lower-cased) -> (family, negated).
OPERATORS: dict[str, tuple[str, bool]] = {
    "stringequals": ("string", False),
    "stringnotequals": ("string", True),
    "stringequalsignorecase": ("stringi", False),
    "stringnotequalsignorecase": ("stringi", True),
    "stringlike": ("stringlike", False),
    "stringnotlike": ("stringlike", True),
    "numericequals": ("numeric=", False),
    "numericnotequals": ("numeric=", True),
    "numericlessthan": ("numeric<", False),
    "numericlessthanequals": ("numeric<=", False),
    "numericgreaterthan": ("numeric>", False),
    "numericgreaterthanequals": ("numeric>=", False),
    "dateequals": ("date=", False),
    "datenotequals": ("date=", True),
    "datelessthan": ("date<", False),
    "datelessthanequals": ("date<=", False),
    "dategreaterthan": ("date>", False),
    "dategreaterthanequals": ("date>=", False),
    "bool": ("bool", False),
    "binaryequals": ("binary", False),
    "ipaddress": ("ip", False),
    "notipaddress": ("ip", True),
    "arnequals": ("arn", False),
    "arnlike": ("arn", False),
    "arnnotequals": ("arn", True),
    "arnnotlike": ("arn", True),
    "null": ("null", False),
}


@dataclass(frozen=True, slots=True)
class Condition:
    """One ``operator: {key: values}`` pair of a statement's Condition block."""

    operator: str  # as written
    key: str  # as written
    values: tuple[Item, ...]
    family: str | None  # None: unknown operator
    negated: bool
    if_exists: bool
    set_op: str | None  # "any" | "all" | None

    @property
    def label(self) -> str:
        vals = ", ".join("?" if v is None else v for v in self.values)
        return f"{self.operator} {self.key} [{vals}]"


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A Principal/NotPrincipal element. ``wildcard``: ``"*"`` or ``{"AWS": "*"}``."""

    wildcard: bool = False
    aws: tuple[Item, ...] = ()
    service: tuple[Item, ...] = ()
    other: tuple[Item, ...] = ()  # Federated, CanonicalUser: never one of our principals

    @property
    def unresolved(self) -> bool:
        return any(v is None for v in self.aws + self.service)


@dataclass(frozen=True, slots=True)
class Statement:
    tokens: tuple[str | int, ...]  # JSON pointer tokens from the policy document root
    index: int
    sid: str | None
    effect: str | None  # "Allow" | "Deny" (as written when invalid)
    action_key: str | None  # "Action" | "NotAction" | None (missing)
    actions: tuple[Item, ...]
    resource_key: str | None  # "Resource" | "NotResource" | None
    resources: tuple[Item, ...]
    principal_key: str | None  # "Principal" | "NotPrincipal" | None
    principal: PrincipalSpec | None
    conditions: tuple[Condition, ...]
    problems: tuple[str, ...]

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def is_deny(self) -> bool:
        return self.effect == "Deny"

    @property
    def valid(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        name = f"statement {self.index}"
        return f"{name} ({self.sid})" if self.sid else name


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    version: str | None
    statements: tuple[Statement, ...]
    problems: tuple[str, ...]
    prefix: tuple[str, ...] = ()  # wrapper key(s) unwrapped to reach the document

    @property
    def variables(self) -> bool:
        """Policy variables (``${aws:username}``) are substituted only in 2012-10-17."""
        return self.version == VERSION_2012


def _items(value: Any) -> tuple[Item, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(v if isinstance(v, str) else UNRESOLVED for v in values)


def _condition_value(value: Any) -> Item:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, str) else UNRESOLVED


def parse_operator(operator: str) -> tuple[str | None, bool, bool, str | None]:
    """``ForAllValues:StringNotLikeIfExists`` -> (family, negated, if_exists, set_op)."""
    op = operator.strip()
    set_op = None
    low = op.lower()
    if low.startswith("foranyvalue:"):
        set_op, low = "any", low[len("foranyvalue:") :]
    elif low.startswith("forallvalues:"):
        set_op, low = "all", low[len("forallvalues:") :]
    if_exists = low.endswith("ifexists") and low != "ifexists"
    if if_exists:
        low = low[: -len("ifexists")]
    family, negated = OPERATORS.get(low, (None, False))
    if low == "null" and if_exists:
        family = None  # NullIfExists does not exist
    return family, negated, if_exists, set_op


def _conditions(block: Any, problems: list[str]) -> tuple[Condition, ...]:
    if block is None:
        return ()
    if not isinstance(block, Mapping):
        problems.append("Condition is not an object")
        return ()
    out = []
    for operator, pairs in block.items():
        family, negated, if_exists, set_op = parse_operator(str(operator))
        if not isinstance(pairs, Mapping):
            problems.append(f"condition operator {operator} does not hold an object")
            continue
        for key, raw in pairs.items():
            values = raw if isinstance(raw, list) else [raw]
            out.append(
                Condition(
                    str(operator),
                    str(key),
                    tuple(_condition_value(v) for v in values),
                    family,
                    negated,
                    if_exists,
                    set_op,
                )
            )
    return tuple(out)


def _principal(value: Any, problems: list[str]) -> PrincipalSpec:
    if value == "*":
        return PrincipalSpec(wildcard=True)
    if not isinstance(value, Mapping):
        problems.append("Principal is neither \"*\" nor an object")
        return PrincipalSpec(aws=(UNRESOLVED,))
    aws: tuple[Item, ...] = ()
    service: tuple[Item, ...] = ()
    other: tuple[Item, ...] = ()
    wildcard = False
    for kind, raw in value.items():
        items = _items(raw)
        if kind == "AWS":
            wildcard = wildcard or "*" in items
            aws += tuple(i for i in items if i != "*")
        elif kind == "Service":
            service += items
        elif kind in ("Federated", "CanonicalUser"):
            other += items
        else:
            problems.append(f"unknown principal type {kind!r}")
    return PrincipalSpec(wildcard, aws, service, other)


def _statement(raw: Any, tokens: tuple[str | int, ...], index: int) -> Statement:
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        return Statement(tokens, index, None, None, None, (), None, (), None, None, (),
                         ("statement is not an object",))
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        problems.append(f"Effect must be \"Allow\" or \"Deny\", not {effect!r}")

    def pick(a: str, b: str) -> tuple[str | None, tuple[Item, ...]]:
        if a in raw and b in raw:
            problems.append(f"statement has both {a} and {b}")
        for key in (a, b):
            if key in raw:
                return key, _items(raw[key])
        return None, ()

    action_key, actions = pick("Action", "NotAction")
    if action_key is None:
        problems.append("statement has neither Action nor NotAction")
    resource_key, resources = pick("Resource", "NotResource")
    principal_key = None
    principal = None
    for key in ("Principal", "NotPrincipal"):
        if key in raw:
            if principal_key:
                problems.append("statement has both Principal and NotPrincipal")
            principal_key, principal = key, _principal(raw[key], problems)
    sid = raw.get("Sid")
    return Statement(
        tokens,
        index,
        sid if isinstance(sid, str) and sid else None,
        effect if isinstance(effect, str) else None,
        action_key,
        actions,
        resource_key,
        resources,
        principal_key,
        principal,
        _conditions(raw.get("Condition"), problems),
        tuple(problems),
    )


_WRAPPERS = ("PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy", "Policy", "Document")


def _as_document(data: Any) -> tuple[Any, tuple[str, ...]]:
    if isinstance(data, str):
        text = data.strip()
        if text.startswith("%7B") or text.startswith("%7b"):
            text = urllib.parse.unquote(text)  # IAM returns documents URL-encoded
        try:
            data = json.loads(text)
        except ValueError:
            return None, ()
    if isinstance(data, Mapping) and "Statement" not in data:
        for key in _WRAPPERS:
            inner = data.get(key)
            if isinstance(inner, Mapping) and "Statement" in inner:
                return inner, (key,)
    return data, ()


def normalize(data: Any) -> PolicyDocument:
    """Turn raw policy JSON (or a JSON string) into a :class:`PolicyDocument`."""
    doc, prefix = _as_document(data)
    if not isinstance(doc, Mapping):
        return PolicyDocument(None, (), ("policy is not a JSON object",), prefix)
    problems = []
    version = doc.get("Version")
    if version is not None and version not in (VERSION_2012, VERSION_2008):
        problems.append(f"unknown Version {version!r}")
    raw = doc.get("Statement")
    if raw is None:
        problems.append("policy has no Statement")
        items: list[tuple[Any, tuple[str | int, ...]]] = []
    elif isinstance(raw, list):
        items = [(s, (*prefix, "Statement", i)) for i, s in enumerate(raw)]
    else:
        items = [(raw, (*prefix, "Statement"))]
    statements = tuple(_statement(s, tokens, i) for i, (s, tokens) in enumerate(items))
    return PolicyDocument(
        version if isinstance(version, str) else None, statements, tuple(problems), prefix
    )
