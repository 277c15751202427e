"""The request model: who asks, for what, on which resource, carrying which context keys.

A context key is in one of three states, and the difference is the whole point:

* **known** – one or more values. A value is a string, or a :class:`Partial` when only its
  shape is known ("some ARN in ``arn:aws:personalize:us-east-1:111122223333:*``");
* **absent** – the request does not carry the key (``aws:SourceVpce`` for a service
  principal): operators see a missing key, negated operators and ``...IfExists`` are true;
* **unknown** – anything not declared: the evaluator cannot decide a condition on it and
  answers *uncertain*, naming the key. Never a silent pass.

A known key may also be marked *maybe absent*: its value when the request carries it is
known, but whether it does is not. A condition on it is decided only when both readings
agree.

The constructors at the end build what Amazon Personalize's own requests carry, for the
service principal (trust policy, bucket and key policies) and for its service role
(CloudWatch, S3 and KMS calls made with the role).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from .arn import partition_of_region

PERSONALIZE_SERVICE = "personalize.amazonaws.com"
PERSONALIZE_NAMESPACE = "AWS/Personalize"


@dataclass(frozen=True, slots=True)
class Partial:
    """A value known only by shape: some string matching ``pattern`` (``*`` any run, ``?``
    any character; ``${*}``, ``${?}``, ``${$}`` stand for the literal characters).

    ``shape``, when given, is a regular expression every real value matches in full: what
    the pattern cannot say (no Personalize ARN ends in ``:*``; an account ID is 12 digits).
    It lets an exact comparison with a value of another shape be decided as false.
    """

    pattern: str
    shape: str | None = None
    shown: str | None = None  # how messages write it, when not as ``pattern``

    def __str__(self) -> str:
        return self.shown or self.pattern


Value = str | Partial


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
ABSENT: tuple[Value, ...] = ()


@dataclass(frozen=True)
class Context:
    """Condition keys of one request. Keys are matched case-insensitively."""

    values: Mapping[str, tuple[Value, ...]] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()
    # Key prefixes known absent, e.g. "aws:principaltag/" for a service principal.
    absent_prefixes: tuple[str, ...] = ()
    # Keys of ``values`` the request may also lack.
    maybe_absent: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        values: Mapping[str, Value | Iterable[Value]] | None = None,
        absent: Iterable[str] = (),
        absent_prefixes: Iterable[str] = (),
        maybe_absent: Iterable[str] = (),
    ) -> Context:
        norm: dict[str, tuple[Value, ...]] = {}
        for key, val in (values or {}).items():
            vals = (val,) if isinstance(val, str | Partial) else tuple(val)
            norm[key.lower()] = vals
        return cls(
            norm,
            frozenset(k.lower() for k in absent) - norm.keys(),
            tuple(p.lower() for p in absent_prefixes),
            frozenset(k.lower() for k in maybe_absent) & norm.keys(),
        )

    def lookup(self, key: str) -> tuple[Value, ...] | _Unknown:
        """The key's values; ``()`` when absent; :data:`UNKNOWN` when not known."""
        k = key.lower()
        if k in self.values:
            return self.values[k]
        if k in self.absent or k.startswith(self.absent_prefixes):
            return ABSENT
        return UNKNOWN

    def may_be_absent(self, key: str) -> bool:
        return key.lower() in self.maybe_absent

    def replace_keys(
        self,
        values: Mapping[str, Value | Iterable[Value]] | None = None,
        absent: Iterable[str] = (),
        unknown: Iterable[str] = (),
    ) -> Context:
        """A copy with some keys set (then surely present), made absent, or made unknown."""
        new_values = dict(self.values)
        new_absent = set(self.absent)
        for key, val in (values or {}).items():
            k = key.lower()
            new_values[k] = (val,) if isinstance(val, str | Partial) else tuple(val)
            new_absent.discard(k)
        for key in absent:
            new_values.pop(key.lower(), None)
            new_absent.add(key.lower())
        for key in unknown:
            new_values.pop(key.lower(), None)
            new_absent.discard(key.lower())
        return Context(new_values, frozenset(new_absent), self.absent_prefixes,
                       self.maybe_absent & new_values.keys() - {k.lower() for k in values or {}})


PrincipalKind = Literal["service", "role"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who makes the request: an AWS service principal or an IAM role (its sessions).

    ``arn`` of a role may be a :class:`Partial` when only its account is known; ``account``
    may be None when unknown (a policy file checked on its own). ``session`` is the role
    session name its requests carry, None when not known (Personalize does not say).
    """

    kind: PrincipalKind
    name: str  # service principal name, or role ARN pattern/literal
    account: str | None = None
    partition: str = "aws"
    session: str | None = None

    @classmethod
    def service(cls, name: str = PERSONALIZE_SERVICE) -> Principal:
        return cls("service", name)

    @classmethod
    def role(cls, arn: str, account: str | None = None, session: str | None = None) -> (
        Principal
    ):
        parts = arn.split(":")
        if account is None and len(parts) > 4 and parts[4].isdigit():
            account = parts[4]
        partition = parts[1] if len(parts) > 1 and parts[1] else "aws"
        return cls("role", arn, account, partition, session)


@dataclass(frozen=True, slots=True)
class Request:
    principal: Principal
    action: str
    resource: Value
    context: Context = field(default_factory=Context)


# --- What Personalize's requests carry ----------------------------------------------------

# Absent for any request Personalize makes: no VPC endpoint, no customer network, no MFA,
# no federation, no forward-access session (the service and its role call directly).
_ALWAYS_ABSENT = (
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:SourceIp",
    "aws:VpcSourceIp",
    "aws:MultiFactorAuthAge",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:FederatedProvider",
    "aws:SourceIdentity",
    "aws:username",
    "aws:Referer",
    "aws:UserAgent",
)
_SETUP_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOwner",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:RequestedRegion",
        "aws:ResourceAccount",
        "kms:CallerAccount",
    )
)


# Keys that are multivalued in the request context (IAM global condition keys, "Value type:
# Multivalued"; KMS ArrayOfString keys). "Multivalued context keys require a condition set
# operator" (IAM user guide, "Single-valued vs. multivalued context keys"): what an
# operator without ForAnyValue:/ForAllValues: does on them is not documented.
MULTIVALUED_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:CalledVia",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalServiceNamesList",
        "aws:ResourceOrgPaths",
        "aws:SourceOrgPaths",
        "aws:TagKeys",
        "kms:EncryptionContextKeys",
        "kms:GrantOperations",
    )
)


def multivalued(key: str) -> bool:
    return key.lower() in MULTIVALUED_KEYS


def setup_dependent(key: str) -> bool:
    """Keys whose value comes from the set-up (account, region, role): a policy file checked
    on its own cannot know them, so its rules stay silent rather than guess."""
    return key.lower() in _SETUP_KEYS


# Personalize resource ARNs end in "<resource-type>/<name>[/<more>]" (dataset-group/x,
# metric-attribution/x, solution/x/<version> ...); names are letters, digits, "-" and "_".
# Kept loose on purpose: it only has to rule out what Personalize never sends, such as a
# literal "*" or "?", an empty resource, or a resource without a type.
_PERSONALIZE_RESOURCE = r"[a-z][a-z0-9-]*/[^\s*?]+"
ACCOUNT_SHAPE = r"\d{12}"


def personalize_source_arn(
    account: str | None, region: str | None, partition: str = "aws"
) -> Partial:
    """Personalize's ``aws:SourceArn``: some resource of the dataset group's account/region."""
    shape = (f"arn:{re.escape(partition)}:personalize:"
             f"{re.escape(region) if region else '[a-z0-9-]+'}:"
             f"{re.escape(account) if account else ACCOUNT_SHAPE}:{_PERSONALIZE_RESOURCE}")
    return Partial(f"arn:{partition}:personalize:{region or '*'}:{account or '*'}:*", shape)


def service_context(
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    extra: Mapping[str, Value | Iterable[Value]] | None = None,
    absent: Iterable[str] = (),
) -> Context:
    """The context of a request by the service principal ``personalize.amazonaws.com``.

    ``account``/``region`` are the dataset group's; when unknown, ``aws:SourceAccount`` is
    "some 12-digit string" and ``aws:SourceArn`` any Personalize ARN.
    """
    partition = partition or partition_of_region(region)
    values: dict[str, Value | Iterable[Value]] = {
        "aws:SecureTransport": "true",
        "aws:PrincipalIsAWSService": "true",
        "aws:PrincipalServiceName": PERSONALIZE_SERVICE,
        "aws:PrincipalServiceNamesList": PERSONALIZE_SERVICE,
        "aws:ViaAWSService": "false",
        "aws:SourceAccount": account if account else Partial("?" * 12, ACCOUNT_SHAPE),
        "aws:SourceArn": personalize_source_arn(account, region, partition),
    }
    if region:
        values["aws:RequestedRegion"] = region
    values.update(extra or {})
    return Context.build(
        values,
        absent=(
            *_ALWAYS_ABSENT,
            "aws:MultiFactorAuthPresent",
            "aws:PrincipalOrgID",
            "aws:PrincipalOrgPaths",
            "aws:PrincipalArn",
            "aws:PrincipalAccount",
            "aws:PrincipalType",
            "aws:userid",
            "aws:TokenIssueTime",
            *absent,
        ),
        absent_prefixes=("aws:PrincipalTag/",),
    )


def role_context(
    *,
    role_arn: str | None = None,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    extra: Mapping[str, Value | Iterable[Value]] | None = None,
    absent: Iterable[str] = (),
) -> Context:
    """The context of a request Personalize makes with its service role's credentials."""
    partition = partition or partition_of_region(region)
    values: dict[str, Value | Iterable[Value]] = {
        "aws:SecureTransport": "true",
        "aws:PrincipalIsAWSService": "false",
        "aws:PrincipalType": "AssumedRole",
        # "This key is included in the request context only when the principal uses
        # temporary credentials" (IAM, global condition keys), which a role session does;
        # whether a service's session of the role carries it is not documented. Personalize
        # assumes the role without MFA.
        "aws:MultiFactorAuthPresent": "false",
    }
    if role_arn:
        values["aws:PrincipalArn"] = role_arn
    if account:
        values["aws:PrincipalAccount"] = account
        values["kms:CallerAccount"] = account
    if region:
        values["aws:RequestedRegion"] = region
    values.update(extra or {})
    return Context.build(
        values,
        absent=(
            *_ALWAYS_ABSENT,
            "aws:SourceAccount",
            "aws:SourceArn",
            "aws:SourceOwner",
            "aws:PrincipalServiceName",
            "aws:PrincipalServiceNamesList",
            *absent,
        ),
        maybe_absent=("aws:MultiFactorAuthPresent",),
    )
