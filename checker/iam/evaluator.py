"""The policy evaluator: is this request allowed, denied, or can we not tell?

Public API::

    result = evaluate(
        Request(Principal.service(), "s3:PutObject", Partial("arn:aws:s3:::b/out/*"),
                service_context(account="111122223333", region="us-east-1")),
        resource_policy=bucket_policy, resource_kind="s3",
    )
    result.decision          # "allowed" | "denied" | "uncertain"
    result.explicit_deny     # a Deny statement applied
    result.deciding          # [StatementRef] that decided (grants, denies, or the unsure ones)
    result.uncertain_reasons # why "uncertain": the condition keys, unknown policies ...
    result.closest           # when not allowed: the Allow statement nearest to granting

The logic follows AWS's policy evaluation: an applicable Deny wins; otherwise an Allow is
needed; otherwise implicit deny. Which Allow counts depends on the resource:

* identity only (CloudWatch ``PutMetricData``): an identity-policy Allow;
* ``s3`` (and other resource policies): same account: an identity Allow *or* a bucket-policy
  Allow naming the role; cross-account: both. A statement naming the account
  (``"AWS": "111122223333"`` or ``...:root``) delegates to IAM: it grants nothing by itself;
* ``kms``: the key policy is authoritative: it must name the role, or name the account root
  (delegation) *and* an identity policy must allow. A service principal needs the key
  policy to name it; the root delegation does not count for it;
* ``trust``: the trust policy must name the principal.

A request's resource may be a :class:`~.context.Partial` ("some object under
``bucket/prefix/``"): it is allowed only if every such resource is, and denied as soon as
some of them are certainly denied. An Allow must therefore cover the whole pattern; a Deny
applies if it overlaps it. Several Allows that only together cover the pattern are not
combined (a documented approximation: it reports rather than passes).

Organization policies (:mod:`.organizations`) sit on top, one inner sequence of policies
per level of the hierarchy (root first, account last): SCPs gate the role's own calls (an
Allow needed at every level, any Deny wins) and never the service principal's; RCPs only
deny, and only for the services that support them. ``Result.organization_policy`` names
the policy type when an SCP or RCP is what denies (or leaves the answer uncertain).

A permissions boundary caps the identity-policy grants and a resource-policy grant naming
the role ARN ("Resource-based policies that grant permissions to an IAM role ARN are limited
by an implicit deny in a permissions boundary", IAM user guide); a grant naming the role
session ARN is not limited by it.

Conditions use three-valued logic (:mod:`.conditions`); an Allow whose condition cannot be
decided makes the answer uncertain unless something else grants; a Deny whose condition
cannot be decided makes an otherwise-allowed answer uncertain.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from ..inventory import ManagedPolicyRef, Policy, Source, UnusablePolicy
from ..location import Location
from . import managed, organizations
from .arn import account_root_arn, resource_glob
from .conditions import (
    FALSE,
    TRUE,
    NoMatch,
    Outcome,
    all3,
    any3,
    evaluate_condition,
    evaluate_conditions,
    not3,
    substitute,
    unknown,
)
from .context import Partial, Principal, Request, Value
from .matching import action_glob, covers, intersects, string_glob
from .statements import PolicyDocument, PrincipalSpec, Statement, normalize

Decision = Literal["allowed", "denied", "uncertain"]
ResourceKind = Literal["s3", "kms", "trust", "generic"]
PolicyInput = Policy | ManagedPolicyRef | UnusablePolicy | Mapping[str, Any] | str
OrgLevels = Sequence[Sequence["PolicyInput | PreparedPolicy"]]

ALLOW_ALL: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@dataclass(frozen=True)
class StatementRef:
    """A statement of a policy, with enough to point a finding at it."""

    policy: Policy | None
    label: str  # file path, inline policy name or managed policy ARN
    statement: Statement

    @property
    def index(self) -> int:
        return self.statement.index

    @property
    def sid(self) -> str | None:
        return self.statement.sid

    @property
    def pointer(self) -> str:
        return "".join(f"/{t}" for t in self.statement.tokens)

    def location(self) -> Location:
        if self.policy is not None:
            return self.policy.source.locate(*self.statement.tokens)
        return Location(pointer=self.pointer)

    def describe(self) -> str:
        return f"{self.statement.describe()} of {self.label}"


@dataclass
class Result:
    request: Request
    decision: Decision
    explicit_deny: bool = False
    deciding: list[StatementRef] = field(default_factory=list)
    uncertain_reasons: list[str] = field(default_factory=list)
    uncertain_keys: list[str] = field(default_factory=list)
    # "service control policy" / "resource control policy" when an organization policy is
    # what denies (a Deny, or an SCP level without an Allow) or leaves the answer unsure.
    organization_policy: str | None = None
    # The level (0 = root) whose SCPs allow nothing here, for an implicit SCP denial.
    organization_level: int | None = None
    # Computed on first use: finding the closest statement costs more than deciding.
    _closest: tuple[StatementRef | None, list[str]] | None = field(default=None, repr=False)
    _closest_fn: Callable[[], tuple[StatementRef | None, list[str]]] | None = field(
        default=None, repr=False, compare=False)

    def _nearest(self) -> tuple[StatementRef | None, list[str]]:
        if self._closest is None:
            self._closest = self._closest_fn() if self._closest_fn else (None, [])
        return self._closest

    @property
    def closest(self) -> StatementRef | None:
        """When not allowed: the Allow statement nearest to granting (for messages)."""
        return self._nearest()[0]

    @property
    def closest_misses(self) -> list[str]:
        """What the closest Allow lacks: "action", "resource", "condition ..." ..."""
        return self._nearest()[1]

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"

    @property
    def denied(self) -> bool:
        return self.decision == "denied"

    @property
    def uncertain(self) -> bool:
        return self.decision == "uncertain"


# --- Loading policies ----------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedPolicy:
    """A policy normalised once; pass it to :func:`evaluate` many times.

    ``doc`` is None for a managed policy ARN whose document is not known (``arn`` names
    it), and for a policy that was given but cannot be used (``arn`` is None).
    """

    policy: Policy | None
    label: str
    doc: PolicyDocument | None
    arn: str | None = None
    refs: tuple[StatementRef, ...] = field(default=(), compare=False, repr=False)
    # action -> the statements that may apply to it (with their Action outcome), or that
    # are malformed (None): most statements of a policy name other actions.
    by_action: dict[str, tuple[tuple[StatementRef, Outcome | None], ...]] = field(
        default_factory=dict, compare=False, repr=False)
    may_deny: bool = True  # an unusable policy that can only allow (KMS grants): False

    def __post_init__(self) -> None:
        if self.doc is not None and not self.refs:
            refs = tuple(StatementRef(self.policy, self.label, st) for st in self.doc.statements)
            object.__setattr__(self, "refs", refs)

    def candidates(self, action: str) -> tuple[tuple[StatementRef, Outcome | None], ...]:
        found = self.by_action.get(action)
        if found is None:
            found = tuple(
                (ref, None if not ref.statement.valid else action_outcome(ref.statement, action))
                for ref in self.refs)
            found = tuple((ref, out) for ref, out in found if out is None or out.value is not False)
            if len(self.by_action) < 64:
                self.by_action[action] = found
        return found


@lru_cache(maxsize=256)
def _managed_doc(arn: str) -> tuple[managed.ManagedPolicy, PolicyDocument] | None:
    found = managed.lookup(arn)
    return None if found is None else (found, normalize(found.document))


def _managed_policy(arn: str, source: Source | None) -> PreparedPolicy:
    hit = _managed_doc(arn)
    if hit is None:
        return PreparedPolicy(None, arn, None, arn)
    found, doc = hit
    policy = Policy(
        data=found.document,
        source=source or Source(location=Location(arn=arn)),
        kind="identity",
        name=arn,
    )
    return PreparedPolicy(policy, f"{arn} ({found.version_id})", doc, arn)


def prepare(item: PolicyInput | PreparedPolicy) -> PreparedPolicy:
    """Normalise a policy: a :class:`Policy`, an attached managed policy (by reference or
    ARN string), or raw policy JSON. Policies are not cached by identity because callers
    may build and change dicts; prepare once and reuse the result instead."""
    if isinstance(item, PreparedPolicy):
        return item
    if item is ALLOW_ALL:
        return _ALLOW_ALL
    if isinstance(item, Policy):
        label = item.name or item.source.path or "policy"
        return PreparedPolicy(item, label, normalize(item.data))
    if isinstance(item, ManagedPolicyRef):
        if item.policy is not None:
            inner = prepare(item.policy)
            return PreparedPolicy(inner.policy, item.arn, inner.doc, item.arn)
        return _managed_policy(item.arn, item.source)
    if isinstance(item, str):
        return _managed_policy(item, None)
    if isinstance(item, UnusablePolicy):
        return PreparedPolicy(None, f"{item.name} ({item.why})", None, may_deny=item.may_deny)
    return PreparedPolicy(None, "policy", normalize(item))


_ALLOW_ALL = PreparedPolicy(None, "an allow-all identity policy", normalize(ALLOW_ALL))


@lru_cache(maxsize=8)
def _known_org_policy(arn: str) -> PreparedPolicy | None:
    known = organizations.known_policy(arn)
    if known is None:
        return None
    name, data = known
    return PreparedPolicy(None, name, normalize(data), arn)


def prepare_org(item: PolicyInput | PreparedPolicy) -> PreparedPolicy:
    """Like :func:`prepare`, for an SCP or RCP: a string is an organization policy ARN, ID
    or name (``FullAWSAccess`` and ``RCPFullAWSAccess`` are known; others are unknown)."""
    if isinstance(item, str):
        return _known_org_policy(item) or PreparedPolicy(None, item, None, item)
    return prepare(item)


# --- Matching one statement ----------------------------------------------------------------


def action_outcome(st: Statement, action: str) -> Outcome:
    if st.action_key is None:
        return FALSE
    hits = []
    for entry in st.actions:
        if entry is None:
            hits.append(unknown(f"an {st.action_key} entry is not a plain string"))
        elif action_glob(entry).match(action):
            hits.append(TRUE)
            break
    found = any3(hits)
    return not3(found) if st.action_key == "NotAction" else found


def _resource_pattern(entry: str, resource: Value, check: str, variables: bool) -> Outcome:
    glob = resource_glob(entry, variables)
    if isinstance(resource, Partial):
        known = string_glob(resource.pattern, False, True)
        hit = covers(glob, known) if check == "covers" else intersects(glob, known)
        return TRUE if hit else FALSE
    return TRUE if glob.match(resource) else FALSE


def resource_outcome(st: Statement, request: Request, for_all: bool, variables: bool) -> Outcome:
    """Does the statement apply to the request's resource (all of it, or some of it)?"""
    if st.resource_key is None:
        return TRUE  # trust policies have no Resource
    negate = st.resource_key == "NotResource"
    # Allow needs every resource of a Partial (covers); Deny applies if some overlap. For
    # NotResource the question flips: all excluded <=> no overlap.
    check = "covers" if for_all != negate else "intersects"
    hits = []
    for entry in st.resources:
        if entry is None:
            hits.append(unknown("a Resource entry is not a plain string (unresolved reference?)"))
            continue
        if entry == "*":  # covers and overlaps every resource: no automaton needed
            hits.append(TRUE)
            break
        pattern: str | NoMatch | Outcome = entry
        if variables and "${" in entry:
            pattern = substitute(entry, request.context)
        if isinstance(pattern, NoMatch):
            hits.append(FALSE)
        elif isinstance(pattern, Outcome):
            hits.append(pattern)
        else:
            out = _resource_pattern(pattern, request.resource, check, variables)
            hits.append(out)
            if out.value is True:
                break
    found = any3(hits)
    return not3(found) if negate else found


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _role_identities(principal: Principal) -> tuple[str | None, str | None]:
    """(role ARN without path, assumed-role ARN prefix) for comparing Principal entries."""
    if isinstance(principal.name, str) and ":role/" in principal.name:
        name = principal.name.rsplit("/", 1)[-1]
        head = principal.name.split(":role/", 1)[0]
        return f"{head}:role/{name}", f"{head.replace(':iam:', ':sts:', 1)}:assumed-role/{name}/"
    return None, None


def _names_session(entry: str, session_prefix: str | None) -> bool:
    """Does a Principal entry name a session of the role (``assumed-role/<name>/...``)?
    Case-sensitive, as the role name is."""
    return session_prefix is not None and entry.startswith(session_prefix)


def _spec_outcome(spec: PrincipalSpec, principal: Principal) -> tuple[Outcome, Outcome]:
    """(matches the principal itself, matches its account) for one Principal element."""
    if spec.wildcard:
        return TRUE, TRUE
    if principal.kind == "service":
        hits = [
            unknown("a Service principal is not a plain string") if s is None
            else (TRUE if _same(s, principal.name) else FALSE)
            for s in spec.service
        ]
        return any3(hits), FALSE
    role_plain, session_prefix = _role_identities(principal)
    partial_role = "*" in principal.name or "?" in principal.name
    direct: list[Outcome] = []
    account: list[Outcome] = []
    for entry in spec.aws:
        if entry is None:
            direct.append(unknown("an AWS principal is not a plain string"))
        elif principal.account and entry in (
            principal.account, account_root_arn(principal.account, principal.partition)
        ):
            account.append(TRUE)
        elif (
            # IAM: "When a role name is used in a policy or as part of an ARN, the role name
            # is case sensitive" (creating a role); so is the rest of the ARN.
            entry == principal.name
            or (role_plain is not None and entry == role_plain)
        ):
            direct.append(TRUE)
        elif _names_session(entry, session_prefix):
            # "arn:aws:sts::AWS-account-ID:assumed-role/role-name/role-session-name" names
            # one session (IAM, Principal element): this one only if the names agree, which
            # cannot be told when the request's session name is not known.
            if principal.session is not None:
                direct.append(TRUE if entry == f"{session_prefix}{principal.session}" else FALSE)
            else:
                direct.append(unknown(f"{entry} names one session of the role; the session "
                                      "name its requests carry is not known"))
        elif partial_role and ":role/" in entry:
            direct.append(unknown(f"is {entry} the service role? Its ARN is not known"))
        elif principal.account is None and (entry.isdigit() or entry.endswith(":root")):
            account.append(unknown("the service role's account is not known"))
    return any3(direct), any3(account)


def principal_outcome(st: Statement, principal: Principal, has_boundary: bool = False) -> (
    tuple[Outcome, bool]
):
    """Does a resource-policy statement apply to the principal? (outcome, via account).

    ``has_boundary``: the principal is a role with a permissions boundary."""
    spec = st.principal
    if spec is None:
        return FALSE, False  # a resource-policy statement without Principal applies to no one
    if st.principal_key == "NotPrincipal" and st.is_deny and has_boundary:
        # "The NotPrincipal element with a Deny effect will always deny any IAM principal
        # that has a permissions boundary policy attached" (IAM user guide, boundaries).
        return TRUE, False
    direct, account = _spec_outcome(spec, principal)
    if st.principal_key == "NotPrincipal":
        # IAM compares each identity of the caller: a role session is excluded only when
        # both the role (or its session) and its account are listed. An Allow that lists
        # the role but not its account grants only what a grant to the account would.
        if spec.wildcard:
            return FALSE, False
        if principal.kind == "service":
            return not3(direct), False
        return not3(all3((direct, account))), direct.value is not False
    if direct.value is True:
        return TRUE, False
    if account.value is True:
        return TRUE, True
    return any3((direct, account)), account.value is not False


@dataclass
class _Match:
    ref: StatementRef
    outcome: Outcome
    via_account: bool = False


def _match(
    ref: StatementRef, request: Request, variables: bool, resource_policy: bool, for_all: bool,
    action: Outcome | None = None,
    has_boundary: bool = False,
) -> _Match:
    st = ref.statement
    via_account = False
    parts = [action if action is not None else action_outcome(st, request.action)]
    if parts[0].value is False:
        return _Match(ref, FALSE)
    parts.append(resource_outcome(st, request, for_all, variables))
    if parts[-1].value is False:
        return _Match(ref, FALSE)
    if resource_policy:
        principal, via_account = principal_outcome(st, request.principal, has_boundary)
        parts.append(principal)
        if principal.value is False:
            return _Match(ref, FALSE)
    if st.conditions:
        parts.append(evaluate_conditions(st.conditions, request.context, variables))
    return _Match(ref, all3(parts), via_account)


def _action_distance(st: Statement, action: str) -> float:
    """0 (a near-typo) .. 1 for entries of the right service; 1.5 for other services."""
    service = action.split(":", 1)[0].lower() + ":"
    same = [a.lower() for a in st.actions if a and a.lower().startswith(service)]
    if not same or st.action_key == "NotAction":
        return 1.5
    best = max(difflib.SequenceMatcher(None, a, action.lower()).ratio() for a in same)
    return min(1.0, 1.0 - best + 0.01)


def _misses(ref: StatementRef, request: Request, variables: bool, resource_policy: bool) -> (
    tuple[float, list[str]]
):
    """How far an Allow statement is from granting: a score and the parts that fail."""
    st = ref.statement
    misses: list[str] = []
    score = 0.0
    checks: list[tuple[str, Outcome]] = [
        ("action", action_outcome(st, request.action)),
        ("resource", resource_outcome(st, request, True, variables)),
    ]
    if resource_policy:
        checks.insert(0, ("principal", principal_outcome(st, request.principal)[0]))
    for cond in st.conditions:
        checks.append(
            (f"condition {cond.label}", evaluate_condition(cond, request.context, variables))
        )
    for name, out in checks:
        if out.value is False:
            misses.append(name)
            if name == "principal":
                score += 2
            elif name == "action":
                score += _action_distance(st, request.action)
            else:
                score += 1
        elif out.value is None:
            misses.append(f"{name} (cannot tell)")
            score += 0.5
    return score, misses


# --- Evaluation ---------------------------------------------------------------------------


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


@dataclass
class _Side:
    """Allow and Deny matches of one group of policies (identity, boundary, resource)."""

    allows: list[_Match] = field(default_factory=list)
    denies: list[_Match] = field(default_factory=list)
    invalid: list[StatementRef] = field(default_factory=list)
    unknown_policies: list[str] = field(default_factory=list)
    unusable: list[tuple[str, bool]] = field(default_factory=list)  # (label, may deny)


def _collect(loaded: Sequence[PreparedPolicy], request: Request, resource_policy: bool,
             has_boundary: bool = False) -> _Side:
    side = _Side()
    for item in loaded:
        if item.doc is None:
            if item.arn:
                side.unknown_policies.append(item.arn)
            else:
                side.unusable.append((item.label, item.may_deny))
            continue
        variables = item.doc.variables
        for ref, action in item.candidates(request.action):
            st = ref.statement
            if action is None:
                side.invalid.append(ref)
                continue
            m = _match(ref, request, variables, resource_policy, for_all=st.is_allow,
                       action=action, has_boundary=has_boundary)
            if m.outcome.value is False:
                continue
            (side.allows if st.is_allow else side.denies).append(m)
    return side


def _unknown_policy_outcomes(side: _Side) -> tuple[Outcome, Outcome]:
    """What unknown policies may contribute: (allow, deny)."""
    if not side.unknown_policies and not side.invalid and not side.unusable:
        return FALSE, FALSE
    allow = [unknown(f"policy {arn} is not known; it may grant this", arn)
             for arn in side.unknown_policies]
    deny = [unknown(f"policy {arn} is not known; it may deny this", arn)
            for arn in side.unknown_policies if managed.may_deny(arn)]
    # One reason for both sides: the answer waits on that policy either way.
    allow += [unknown(f"the policy {label} could not be evaluated")
              for label, _ in side.unusable]
    deny += [unknown(f"the policy {label} could not be evaluated")
             for label, may_deny in side.unusable if may_deny]
    # A malformed Deny is rejected by IAM, but we cannot vouch for what was meant.
    deny += [unknown(f"{ref.describe()} is malformed ({'; '.join(ref.statement.problems)})")
             for ref in side.invalid if ref.statement.effect == "Deny"]
    return any3(allow), any3(deny)


def _allow_of(matches: Iterable[_Match], via_account: bool | None = None) -> Outcome:
    return any3(
        m.outcome for m in matches if via_account is None or m.via_account == via_account
    )


def evaluate(
    request: Request,
    *,
    identity_policies: Iterable[PolicyInput | PreparedPolicy] = (),
    resource_policy: PolicyInput | PreparedPolicy | None = None,
    resource_kind: ResourceKind | None = None,
    permissions_boundary: PolicyInput | PreparedPolicy | None = None,
    same_account: bool = True,
    ignore_denies: bool = False,
    service_control_policies: OrgLevels = (),
    resource_control_policies: OrgLevels = (),
    extra_resource_policies: Iterable[PolicyInput | PreparedPolicy] = (),
) -> Result:
    """Decide one request. See the module docstring for the semantics.

    ``ignore_denies`` answers "would anything grant it?" (PL201 tells a missing grant from a
    blocking Deny, PL202). ``service_control_policies`` and ``resource_control_policies``
    hold one sequence of policies per level of the organization (root first, account last);
    empty means "none given" (no constraint), and so does an empty level.
    ``extra_resource_policies`` are read like ``resource_policy`` (KMS grants, as policies).
    """
    matched = _gather(request, identity_policies, resource_policy, resource_kind,
                      permissions_boundary, service_control_policies,
                      resource_control_policies, extra_resource_policies)
    return _decide(matched, same_account, ignore_denies)


def evaluate_with_and_without_denies(
    request: Request,
    *,
    identity_policies: Iterable[PolicyInput | PreparedPolicy] = (),
    resource_policy: PolicyInput | PreparedPolicy | None = None,
    resource_kind: ResourceKind | None = None,
    permissions_boundary: PolicyInput | PreparedPolicy | None = None,
    same_account: bool = True,
    service_control_policies: OrgLevels = (),
    resource_control_policies: OrgLevels = (),
    extra_resource_policies: Iterable[PolicyInput | PreparedPolicy] = (),
) -> tuple[Result, Result]:
    """``evaluate(...)`` and ``evaluate(..., ignore_denies=True)``, matching the statements
    once for both."""
    matched = _gather(request, identity_policies, resource_policy, resource_kind,
                      permissions_boundary, service_control_policies,
                      resource_control_policies, extra_resource_policies)
    return _decide(matched, same_account, False), _decide(matched, same_account, True)


@dataclass
class _Gathered:
    """Every statement matched against one request, before the decision."""

    request: Request
    identity: list[PreparedPolicy]
    boundary: list[PreparedPolicy]
    resource: list[PreparedPolicy]
    kind: ResourceKind | str | None
    id_side: _Side
    bd_side: _Side
    rs_side: _Side
    # One side per level of the organization (root first); empty when none apply.
    scp_sides: list[_Side] = field(default_factory=list)
    rcp_sides: list[_Side] = field(default_factory=list)
    scp_levels: list[list[PreparedPolicy]] = field(default_factory=list)


def prepare_levels(levels: OrgLevels) -> list[list[PreparedPolicy]]:
    """Organization policy levels, prepared. An empty level stays in its place (it
    constrains nothing) so that a level's index is its place from the root."""
    return [[prepare_org(p) for p in level] for level in levels]


def _gather(
    request: Request,
    identity_policies: Iterable[PolicyInput | PreparedPolicy],
    resource_policy: PolicyInput | PreparedPolicy | None,
    resource_kind: ResourceKind | None,
    permissions_boundary: PolicyInput | PreparedPolicy | None,
    service_control_policies: OrgLevels = (),
    resource_control_policies: OrgLevels = (),
    extra_resource_policies: Iterable[PolicyInput | PreparedPolicy] = (),
) -> _Gathered:
    is_role = request.principal.kind == "role"
    identity = [prepare(p) for p in identity_policies] if is_role else []
    boundary = [prepare(permissions_boundary)] if is_role and permissions_boundary else []
    resource = [prepare(resource_policy)] if resource_policy is not None else []
    resource += [prepare(p) for p in extra_resource_policies]
    kind = resource_kind or ("generic" if resource else None)
    # SCPs limit the IAM roles of member accounts, never a service principal's own calls;
    # RCPs limit requests by anyone to the resources of the services that support them.
    scp_levels = prepare_levels(service_control_policies) if is_role else []
    rcp_levels = (prepare_levels(resource_control_policies)
                  if organizations.rcp_applies(request.action) else [])
    return _Gathered(
        request, identity, boundary, resource, kind,
        _collect(identity, request, resource_policy=False),
        _collect(boundary, request, resource_policy=False),
        _collect(resource, request, resource_policy=True, has_boundary=bool(boundary)),
        [_collect(level, request, resource_policy=False) for level in scp_levels],
        [_collect(level, request, resource_policy=True) for level in rcp_levels],
        scp_levels,
    )


def _session_grant(m: _Match, principal: Principal) -> Outcome:
    """Does a resource-policy Allow name the role's session ARN (assumed-role/...), which a
    permissions boundary does not limit, rather than the role ARN, which it does? Unknown
    when it names a session of the role and the request's session name is not known."""
    spec = m.ref.statement.principal
    _, session_prefix = _role_identities(principal)
    if spec is None or session_prefix is None or m.ref.statement.principal_key != "Principal":
        return FALSE
    named = [e for e in spec.aws if e is not None and _names_session(e, session_prefix)]
    if not named:
        return FALSE
    if principal.session is None:
        return unknown("a grant names one session of the role; the session name its "
                       "requests carry is not known")
    return TRUE if f"{session_prefix}{principal.session}" in named else FALSE


@dataclass
class _OrgGate:
    """What the organization policies say: denies by type, and the SCP Allow gate."""

    denies: list[tuple[_Match, str]]  # (match, policy type name)
    unknown_deny: Outcome
    unknown_deny_type: str | None  # the type of a policy that may deny (not known)
    gate: Outcome  # every SCP level allows
    failed_level: int | None  # first level whose SCPs certainly allow nothing here
    unsure_allows: list[_Match]


def _org_gate(matched: _Gathered) -> _OrgGate:
    denies: list[tuple[_Match, str]] = []
    unknown_denies: list[Outcome] = []
    unknown_type: str | None = None
    for sides, kind in ((matched.scp_sides, organizations.SCP),
                        (matched.rcp_sides, organizations.RCP)):
        name = organizations.TYPE_NAMES[kind]
        for side in sides:
            denies += [(m, name) for m in side.denies]
            unknown = _unknown_policy_outcomes(side)[1]
            unknown_denies.append(unknown)
            if unknown.value is not False:
                unknown_type = unknown_type or name
    levels: list[Outcome] = []
    failed: int | None = None
    unsure: list[_Match] = []
    for i, (policies, side) in enumerate(zip(matched.scp_levels, matched.scp_sides,
                                             strict=True)):
        if not policies:
            continue  # an empty level: none given there, no constraint
        level = any3([_allow_of(side.allows), _unknown_policy_outcomes(side)[0]])
        levels.append(level)
        if level.value is False and failed is None:
            failed = i
        if level.value is None:
            unsure += [m for m in side.allows if m.outcome.value is None]
    return _OrgGate(denies, any3(unknown_denies), unknown_type,
                    all3(levels) if levels else TRUE, failed, unsure)


def _level_refs(matched: _Gathered, level: int) -> list[StatementRef]:
    """The statements of one SCP level, in order (what failed to allow)."""
    return [ref for item in matched.scp_levels[level] for ref in item.refs]


def _decide(matched: _Gathered, same_account: bool, ignore_denies: bool) -> Result:
    """The decision from the matched statements (which it leaves as they are)."""
    request, identity, resource, kind = (matched.request, matched.identity, matched.resource,
                                         matched.kind)
    id_side, bd_side, rs_side = matched.id_side, matched.bd_side, matched.rs_side
    is_role = request.principal.kind == "role"
    id_unknown_allow, id_unknown_deny = _unknown_policy_outcomes(id_side)
    bd_unknown_allow, bd_unknown_deny = _unknown_policy_outcomes(bd_side)
    rs_unknown_allow, rs_unknown_deny = _unknown_policy_outcomes(rs_side)
    org = _org_gate(matched)

    all_denies = id_side.denies + bd_side.denies + rs_side.denies
    org_denies = org.denies
    org_unknown_deny = org.unknown_deny
    if ignore_denies:
        all_denies = []
        org_denies = []
        id_unknown_deny = bd_unknown_deny = rs_unknown_deny = org_unknown_deny = FALSE
    plain_deny = any3(
        [m.outcome for m in all_denies]
        + [id_unknown_deny, bd_unknown_deny, rs_unknown_deny]
    )
    org_deny = any3([m.outcome for m, _ in org_denies] + [org_unknown_deny])
    deny = any3((plain_deny, org_deny))

    identity_allow = any3([_allow_of(id_side.allows), id_unknown_allow]) if is_role else FALSE
    boundary_allow = TRUE
    if matched.boundary:
        boundary_allow = any3([_allow_of(bd_side.allows), bd_unknown_allow])
        identity_allow = all3((identity_allow, boundary_allow))
    direct_matches = [m for m in rs_side.allows if not m.via_account]
    direct = _allow_of(direct_matches)
    if matched.boundary and is_role:
        # A grant to the role ARN is capped by the boundary; one to its session is not.
        direct = any3([all3((direct, boundary_allow)),
                       *(all3((m.outcome, _session_grant(m, request.principal)))
                         for m in direct_matches)])
    delegated = _allow_of(rs_side.allows, via_account=True)
    # A resource policy that was given but could not be used may grant it too.
    direct = any3((direct, rs_unknown_allow))

    if kind is None:
        allow = identity_allow
    elif not is_role:
        allow = direct  # a service principal: only the resource policy can grant it
    elif kind == "kms" and same_account:
        allow = any3((direct, all3((delegated, identity_allow))))
    elif kind == "trust":
        allow = direct
    elif same_account:
        allow = any3((identity_allow, direct))
    else:
        allow = all3((identity_allow, any3((direct, delegated))))
    granted = allow
    allow = all3((allow, org.gate))

    result = Result(request, "denied")
    if deny.value is True:
        result.explicit_deny = True
        if plain_deny.value is True:
            result.deciding = [m.ref for m in all_denies if m.outcome.value is True]
        else:
            hits = [(m, name) for m, name in org_denies if m.outcome.value is True]
            result.deciding = [m.ref for m, _ in hits]
            result.organization_policy = hits[0][1] if hits else None
    elif deny.value is None and allow.value is not False:
        result.decision = "uncertain"
        result.deciding = ([m.ref for m in all_denies if m.outcome.value is None]
                           + [m.ref for m, _ in org_denies if m.outcome.value is None])
        if plain_deny.value is False:
            names = [name for m, name in org_denies if m.outcome.value is None]
            result.organization_policy = names[0] if names else org.unknown_deny_type
        result.uncertain_reasons = _dedupe(deny.reasons + (allow.reasons if allow.value is None
                                                             else ()))
        result.uncertain_keys = _dedupe(deny.keys + (allow.keys if allow.value is None else ()))
    elif allow.value is True:
        result.decision = "allowed"
        allows = id_side.allows + rs_side.allows
        result.deciding = [m.ref for m in allows if m.outcome.value is True]
    elif allow.value is None:
        result.decision = "uncertain"
        if granted.value is True:  # only the SCP gate is unsure
            result.deciding = [m.ref for m in org.unsure_allows]
            result.organization_policy = organizations.TYPE_NAMES[organizations.SCP]
        else:
            allows = id_side.allows + bd_side.allows + rs_side.allows
            result.deciding = [m.ref for m in allows if m.outcome.value is None]
        result.uncertain_reasons = _dedupe(allow.reasons)
        result.uncertain_keys = _dedupe(allow.keys)
    elif granted.value is True and org.failed_level is not None:
        # Granted by the account's own policies, but an SCP level allows nothing here.
        result.organization_policy = organizations.TYPE_NAMES[organizations.SCP]
        result.organization_level = org.failed_level
        result.deciding = _level_refs(matched, org.failed_level)
    if result.decision != "allowed":
        result._closest_fn = lambda: _closest(identity, resource, request)
    return result


def _closest(
    identity: Sequence[PreparedPolicy],
    resource: Sequence[PreparedPolicy],
    request: Request,
) -> tuple[StatementRef | None, list[str]]:
    best: tuple[float, int] | None = None
    found: tuple[StatementRef | None, list[str]] = (None, [])
    order = 0
    for loaded, is_resource in ((identity, False), (resource, True)):
        for item in loaded:
            if item.doc is None or item is _ALLOW_ALL:  # a stand-in, not a statement to fix
                continue
            for ref in item.refs:
                st = ref.statement
                if not st.is_allow or not st.valid:
                    continue
                score, misses = _misses(ref, request, item.doc.variables, is_resource)
                if is_resource and request.principal.kind == "role":
                    score += 1  # for a role, its own policies are where a fix usually goes
                order += 1
                if best is None or (score, order) < best:
                    best = (score, order)
                    found = (ref, misses)
    return found
