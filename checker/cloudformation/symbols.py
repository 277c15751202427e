"""Values a template does not fix: pseudo parameters, parameters without a default,
names CloudFormation generates, and values that cannot be resolved at all.

The IAM evaluator compares strings, so a symbolic value must become a string that
compares equal to itself and to nothing else a template is likely to spell out. Each
symbol therefore renders as a stable placeholder of the right *shape* (a 12-digit account,
a region, a valid bucket name), so that API patterns and ARN parsing still work:

* ``AWS::AccountId`` is the account ``000000000000`` and ``AWS::Region`` the region
  ``region-0``. A set-up's account and region come from its dataset group ARN, which a
  template builds from these very pseudo parameters, so "this account" compares equal;
* ``AWS::Partition`` is ``aws`` and ``AWS::URLSuffix`` ``amazonaws.com``, so that managed
  policy ARNs and service principals built with them (CDK does) are recognised;
* a parameter without a default is ``param-<name>`` (lower case: valid in bucket names);
* a name CloudFormation generates is ``stack-<LogicalId>`` (lower case for buckets).

CloudFormation conditions still know these are symbols: ``Fn::Equals`` of a symbol and a
literal is undecided (see :mod:`.intrinsics`). What cannot be rendered at all (an
``Fn::ImportValue``, an SSM parameter, an undecidable ``Fn::If``) is :class:`Unresolved`,
carrying the reason that ends up in a PL003 finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ACCOUNT = "000000000000"
REGION = "region-0"
PARTITION = "aws"
URL_SUFFIX = "amazonaws.com"
STACK_NAME = "stack"
STACK_ID = (
    f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK_NAME}/"
    "00000000-0000-0000-0000-000000000000"
)

# Pseudo parameters that render as a plain string (NoValue and NotificationARNs do not).
PSEUDO: dict[str, str] = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": PARTITION,
    "AWS::URLSuffix": URL_SUFFIX,
    "AWS::StackName": STACK_NAME,
    "AWS::StackId": STACK_ID,
}
NO_VALUE_REF = "AWS::NoValue"


@dataclass(frozen=True)
class Unresolved:
    """A value known only when the stack is deployed; ``reason`` says why, for PL003."""

    reason: str


class _NoValue:
    """``Ref: AWS::NoValue``: the property or list item is left out."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

_NOT_NAME = re.compile(r"[^a-z0-9-]+")


def parameter_symbol(name: str) -> str:
    """``BucketName`` -> ``param-bucketname`` (valid in bucket names, role names, ARNs)."""
    return "param-" + (_NOT_NAME.sub("-", name.lower()).strip("-") or "x")


def generated_name(logical_id: str, *, lower: bool = False, limit: int = 64) -> str:
    """The name CloudFormation generates for an unnamed resource (its random suffix left
    out): ``stack-MetricsRole``; lower case and cut to 63 for S3 buckets."""
    name = f"{STACK_NAME}-{logical_id}"
    if lower:
        name = _NOT_NAME.sub("-", name.lower())
    return name[:limit].rstrip("-.")


def key_id(logical_id: str) -> str:
    """A stable key ID (UUID shape, as KMS gives) for a key the template creates."""
    import uuid  # only templates with keys need it

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"personalize-lint:kms:{logical_id}"))
