"""PL1xx: the Personalize service role (trust policy, permissions, roleArn).

Every verdict comes from the policy evaluator (:mod:`personalize_lint.iam.evaluator`): the
same requests Personalize makes, with the request context it carries. An answer the
evaluator cannot reach (a condition key nobody can know, an unknown managed policy) is a
PL003 warning that names why, never a pass.

Files checked on their own (outside any set-up) get only what one file decides alone, and
only when the file is recognisably meant for Personalize: it names ``personalize``
somewhere, or a service principal a typo away from ``personalize.amazonaws.com``
(:func:`._iam_common.meant_for_personalize`). A trust policy for ``ec2.amazonaws.com`` in the
same repository is not this tool's business; a linter that cries wolf gets switched off. Keys
that only a set-up can supply (the account behind ``aws:SourceAccount``, the region) keep a
lone file's rules silent rather than guessing.

The helpers the bucket and key rules share (set-up facts, request builders, finding wording)
are in rules/_iam_common.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from personalize_lint.findings import Finding
from personalize_lint.iam import managed
from personalize_lint.iam.arn import ROLE_ARN_API_RE, account_of, parse_arn, role_name
from personalize_lint.iam.conditions import evaluate_conditions
from personalize_lint.iam.context import (
    PERSONALIZE_NAMESPACE,
    PERSONALIZE_SERVICE,
    Partial,
    Request,
    Value,
    service_context,
)
from personalize_lint.iam.evaluator import (
    PolicyInput,
    PreparedPolicy,
    Result,
    StatementRef,
    evaluate,
    prepare,
)
from personalize_lint.iam.matching import action_glob, covers
from personalize_lint.iam.statements import Statement
from personalize_lint.inventory import (
    Inventory,
    ManagedPolicyRef,
    Policy,
    Role,
    Setup,
    Source,
    UnusablePolicy,
)
from personalize_lint.location import Location
from personalize_lint.rule import RuleContext, rule

from ._iam_common import (
    DOCS,
    Facts,
    Levels,
    bucket_account,
    bucket_in_role_account,
    bucket_rcp_levels,
    closest_hint,
    condition_hint_is_the_fix,
    dataset_group_of,
    deny_hint,
    facts,
    finding_location,
    grants_for,
    has_guard,
    in_role_account,
    key_account,
    key_grants,
    meant_for_personalize,
    missing_declared,
    names_personalize,
    only_setup_keys,
    output_fields,
    output_key_arn,
    prepared,
    principal_allows,
    rcp_levels,
    role_account,
    role_request,
    s3_absent,
    scp_levels,
    service_request,
    service_typo_hint,
    spelled,
    standalone_outputs,
    standalone_policies,
    statement_location,
    uncertain_finding,
)

# --- Role helpers ---------------------------------------------------------------------------


def identity_inputs(role: Role) -> list[PolicyInput | PreparedPolicy]:
    """A role's inline policies and attached managed policies, prepared once."""
    items: list[PolicyInput | PreparedPolicy] = [prepare(p) for p in role.policies]
    items.extend(prepare(m) for m in role.managed_policies)
    return items


def _role_documents(role: Role | None) -> bool:
    return role is not None and bool(role.trust_policy or role.policies or role.managed_policies)


def has_identity_documents(role: Role | None) -> bool:
    return role is not None and bool(role.policies or role.managed_policies)


def describe_resource(resource: Value, f: Facts | None = None) -> str:
    if isinstance(resource, Partial):
        where = f" under {f.path}" if f and f.path else ""
        return f"the objects{where} ({resource})"
    return f'Resource "{resource}"' if resource == "*" else resource


def guard_accounts(st: Statement) -> set[str]:
    """Account IDs named by the statement's aws:SourceAccount / aws:SourceArn values."""
    found = set()
    for c in st.conditions:
        for v in c.values:
            if v is None:
                continue
            if c.key.lower() == "aws:sourceaccount" and v.isdigit():
                found.add(v)
            elif c.key.lower() == "aws:sourcearn":
                account = account_of(v)
                if account:
                    found.add(account)
    return found


# --- PL101 / PL102: trust ------------------------------------------------------------------

TRUST_FIX = """{
  "Effect": "Allow",
  "Principal": {"Service": "personalize.amazonaws.com"},
  "Action": "sts:AssumeRole",
  "Condition": {
    "StringEquals": {"aws:SourceAccount": "111122223333"},
    "ArnLike": {"aws:SourceArn": "arn:aws:personalize:us-east-1:111122223333:*"}
  }
}"""


def _trust_request(f: Facts | None) -> Request:
    resource = (f.role_arn if f and f.role_arn else None) or "arn:aws:iam::*:role/*"
    return service_request(f, "sts:AssumeRole", resource,
                           resource_account=account_of(f.role_arn) if f and f.role_arn else None)


def _check_trust(policy: Policy, f: Facts | None, fallback: Location, setup: str | None,
                 rcps: Levels | None = None) -> Iterator[Finding]:
    """The trust policy, and the RCPs over the role (STS is among the services RCPs cover,
    and they apply to AWS service principals assuming a service role: only service-linked
    roles are exempt)."""
    result = evaluate(_trust_request(f), resource_policy=policy, resource_kind="trust",
                      resource_control_policies=rcps or ())
    if result.uncertain:
        if f is None and only_setup_keys(result):
            return
        yield uncertain_finding(f"{PERSONALIZE_SERVICE} may assume the role", result, fallback,
                                setup)
    elif result.denied:
        location, related = finding_location(result, fallback)
        why = deny_hint(result) if result.explicit_deny else closest_hint(result,
                                                                          "sts:AssumeRole")
        if result.organization_policy:
            yield Finding(
                "PL101",
                f"A {result.organization_policy} of the organization does not let "
                f"{PERSONALIZE_SERVICE} call sts:AssumeRole on the role, so Personalize cannot "
                f"use it.{why} Change the {result.organization_policy} so that it lets the "
                "service assume the role (for example exempt requests whose aws:SourceAccount "
                "is your account).",
                location, related=related, setup=setup,
            )
            return
        if result.explicit_deny:
            fix = f" Narrow the Deny so that it leaves sts:AssumeRole to {PERSONALIZE_SERVICE}."
        elif condition_hint_is_the_fix(result):
            fix = ""  # the hint names the operator or pattern to change
        else:
            fix = (f' Add a statement allowing Principal {{"Service": "{PERSONALIZE_SERVICE}"}} '
                   "the action sts:AssumeRole.")
        yield Finding(
            "PL101",
            f"The trust policy does not let {PERSONALIZE_SERVICE} call sts:AssumeRole, so "
            f"Personalize cannot use the role.{why}{service_typo_hint(policy)}{fix}",
            location, related=related, setup=setup,
        )


@rule(
    id="PL101",
    level="error",
    title="The service role's trust policy does not let Personalize assume it",
    why="""
Personalize publishes attribution metrics with the role named in metricsOutputConfig.roleArn,
and it can only use that role if the role's trust policy allows the service principal
personalize.amazonaws.com to call sts:AssumeRole. A typo in the principal, another service,
a NotPrincipal, a Deny, or a condition that cannot hold (another account's aws:SourceAccount)
all stop it. So does a resource control policy over the role's account that denies the
service's sts:AssumeRole (STS is among the services RCPs cover, and RCPs apply to AWS service
principals assuming a service role; only service-linked roles are exempt), reported at the
RCP statement. Standalone trust policies are checked when they are recognisably meant for
Personalize.
""",
    fix="Allow the service principal personalize.amazonaws.com the action sts:AssumeRole, "
        "guarded by aws:SourceAccount and aws:SourceArn of your account.",
    example=TRUST_FIX,
    source=f"{DOCS}/set-up-required-permissions.html",
    tags=("iam", "trust"),
)
def pl101(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for setup in inventory.setups:
        role = setup.role
        if role is None or not _role_documents(role):
            continue  # PL107 reports a role the set-up does not contain
        f = facts(setup)
        if role.trust_policy is None:
            if setup.origin != "account" and not missing_declared(setup, "trust"):
                yield Finding("PL003", "The set-up gives no trust policy for the service role "
                              "(role-trust-policy), so PL101/PL102 were not evaluated.",
                              role.source.locate(), setup=setup.name)
            continue
        yield from _check_trust(role.trust_policy, f, role.trust_policy.source.locate(),
                                setup.name, rcp_levels(inventory, setup, role_account(f)))
    for doc, policy in standalone_policies(inventory, "trust"):
        if meant_for_personalize(policy.data):
            yield from _check_trust(policy, None, doc.location(), None)


def _admits_other_accounts(st: Statement, account: str | None, variables: bool) -> bool:
    """Do the statement's conditions certainly hold for Personalize acting for a resource of
    an account the guard does not name (``aws:SourceArn`` "arn:*:personalize:*:*:*", a
    ``Null`` test, a ``*`` account)?"""
    named = guard_accounts(st) | ({account} if account else set())
    other = next(a for a in ("000000000000", "999999999999", "123456789012") if a not in named)
    outcome = evaluate_conditions(st.conditions, service_context(account=other), variables)
    return outcome.value is True


def _unguarded(policy: Policy, account: str | None) -> Iterator[tuple[Statement, str]]:
    doc = prepare(policy).doc
    variables = doc.variables if doc else True
    for st, principal in principal_allows(policy):
        assume = any(a and action_glob(a).match("sts:AssumeRole") for a in st.actions)
        if not (names_personalize(principal) and assume and st.action_key == "Action"):
            continue
        if not has_guard(st):
            yield st, "has no aws:SourceAccount or aws:SourceArn condition"
        elif _admits_other_accounts(st, account, variables):
            yield st, ("has aws:SourceAccount/aws:SourceArn conditions that hold for "
                       "Personalize resources of any account")
        elif account:
            other = guard_accounts(st) - {account}
            if other:
                yield st, (f"guards with account {', '.join(sorted(other))}, not the role's "
                           f"account {account}")


@rule(
    id="PL102",
    level="warning",
    title="The trust policy has no confused-deputy guard",
    why="""
Without an aws:SourceAccount or aws:SourceArn condition (or with one that any account
satisfies, such as aws:SourceArn "arn:*:personalize:*:*:*"), any Personalize resource of any
account could make Personalize act with your role (the confused-deputy problem). AWS
recommends both keys, with values of the role's own account and
arn:<partition>:personalize:<region>:<account>:*.
""",
    fix='Add "Condition": {"StringEquals": {"aws:SourceAccount": "<account>"}, "ArnLike": '
        '{"aws:SourceArn": "arn:aws:personalize:<region>:<account>:*"}} to the statement.',
    example=TRUST_FIX,
    source=f"{DOCS}/cross-service-confused-deputy-prevention.html",
    tags=("iam", "trust", "security"),
)
def pl102(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    checks: list[tuple[Policy, str | None, str | None]] = []
    for setup in inventory.setups:
        if setup.role is not None and setup.role.trust_policy is not None:
            account = account_of(setup.role.arn) or facts(setup).account
            checks.append((setup.role.trust_policy, account, setup.name))
    for _doc, policy in standalone_policies(inventory, "trust"):
        if meant_for_personalize(policy.data):
            checks.append((policy, None, None))
    for policy, account, setup_name in checks:
        for st, problem in _unguarded(policy, account):
            yield Finding(
                "PL102",
                f"The trust statement that lets {PERSONALIZE_SERVICE} assume the role "
                f"{problem}: a confused deputy could use the role. Add aws:SourceAccount and "
                "aws:SourceArn (arn:<partition>:personalize:<region>:<account>:*) conditions "
                "for the role's own account.",
                statement_location(policy, st), setup=setup_name,
            )


# --- PL103-PL106: permissions --------------------------------------------------------------


def _denial(check: RoleCheck, result: Result, fallback: Location,
            why: str) -> tuple[str, Location, tuple[Location, ...]]:
    """Where a denied call is reported, and why: at what decided it (an organization
    policy without a document: the set-up, with the roleArn as related), or at the
    permissions boundary, with its own hint, when it alone keeps the call out."""
    location, related = finding_location(result, fallback)
    if result.organization_policy and not result.deciding:
        location, related = check.setup.location, (check.facts.locate("roleArn"),)
    capped = _boundary_caps(check, result)
    if capped is not None:
        return capped, _boundary_location(check), (location, *related)
    return why, location, related


CLOUDWATCH_FIX = """{
  "Effect": "Allow",
  "Action": "cloudwatch:PutMetricData",
  "Resource": "*"
}"""


@dataclass
class RoleCheck:
    setup: Setup
    facts: Facts
    role: Role
    identity: list[PolicyInput | PreparedPolicy]
    scps: Levels = field(default_factory=list)  # over the role's own calls
    boundary: PreparedPolicy | None = None


def role_checks(inventory: Inventory, code: str) -> Iterator[RoleCheck | Finding]:
    """Set-ups whose role permissions can be checked; PL003 once when the role's policies
    are not given (reported by PL103 only, ``code`` tells who asks)."""
    for setup in inventory.setups:
        role = setup.role
        if setup.metric_attribution is None or role is None:
            continue
        if not has_identity_documents(role) and setup.origin != "account":
            if code == "PL103" and (role.trust_policy is not None) and not missing_declared(
                setup, "role-policies", "role policies"
            ):
                yield Finding("PL003", "The set-up gives no permission policies for the service "
                              "role (role-policies, role-managed-policies), so PL103-PL106 were "
                              "not evaluated.", role.source.locate(), setup=setup.name)
            continue
        f = facts(setup)
        boundary = prepare(role.permissions_boundary) if role.permissions_boundary else None
        yield RoleCheck(setup, f, role, identity_inputs(role), scp_levels(inventory, setup, f),
                        boundary)


def _unknown_managed_hints(role: Role) -> str:
    hints = []
    for ref in role.managed_policies:
        better = managed.suggest(ref.arn)
        if ref.policy is None and better:
            hints.append(f" {ref.arn} does not exist; the policy is {better}.")
    return "".join(hints)


def _evaluate_role(check: RoleCheck, request: Request, **kwargs: Any) -> Result:
    return evaluate(request, identity_policies=check.identity,
                    permissions_boundary=check.boundary,
                    service_control_policies=check.scps, **kwargs)


def _boundary_caps(check: RoleCheck, result: Result) -> str | None:
    """' The permissions boundary ... does not allow it ...' when the role's own policies
    grant it and only the boundary keeps it out."""
    boundary = check.role.permissions_boundary
    if boundary is None or result.explicit_deny or result.organization_policy:
        return None
    if not evaluate(result.request, identity_policies=check.identity).allowed:
        return None
    name = boundary.arn if isinstance(boundary, ManagedPolicyRef) else (
        boundary.name or "of the role")
    return (f" The role's policies allow it, but its permissions boundary {name} does not: a "
            "boundary caps every identity-policy grant, and a bucket or key policy grant "
            "naming the role ARN too. Allow it in the boundary.")


def _boundary_location(check: RoleCheck) -> Location:
    boundary = check.role.permissions_boundary
    return boundary.source.locate() if boundary is not None else check.setup.location


def _cross_account_hint(what: str, account: str | None, check: RoleCheck) -> str:
    where = f"account {account}" if account else "another account (not the audited one's)"
    return (f" The {what} is in {where}, not the role's account "
            f"{role_account(check.facts)}: its own policy's grant is not enough, the role's "
            "policies must allow it too.")


def _the_role(f: Facts) -> str:
    """"The service role <name>", or "The service role" when roleArn names no role."""
    name = role_name(f.role_arn or "")
    return f"The service role {name}" if name else "The service role"


def _permission_findings(rule_id: str, check: RoleCheck, request: Request, result: Result,
                         what: str, fix: str, extra: str = "") -> Iterator[Finding]:
    fallback = check.facts.locate("roleArn")
    if result.uncertain:
        yield uncertain_finding(f"the service role may call {what}", result, fallback,
                                check.setup.name)
    elif result.denied:
        if result.organization_policy:
            fix = (f"Change the {result.organization_policy} so that it allows this for the "
                   "service role (for example exempt it with an aws:PrincipalArn condition).")
        elif result.explicit_deny:  # an Allow elsewhere would not help: the Deny wins
            fix = "Narrow the Deny so that it leaves this call to the service role."
        why, location, related = _denial(check, result, fallback, deny_hint(result) if
                                         result.explicit_deny or result.organization_policy
                                         else " No statement of its policies allows it."
                                         + closest_hint(result, request.action) + extra)
        yield Finding(
            rule_id,
            f"{_the_role(check.facts)} cannot call {what}.{why}"
            f"{_unknown_managed_hints(check.role)} {fix}",
            location, related=related, setup=check.setup.name,
        )


@rule(
    id="PL103",
    level="error",
    title="The service role cannot publish metrics to CloudWatch",
    why="""
Personalize publishes the attribution metrics to CloudWatch with the service role, which
needs cloudwatch:PutMetricData on Resource "*" (the action has no resource-level
permissions). The check reads every inline and attached managed policy of the role, with
wildcards, NotAction, NotResource, explicit Deny and case-insensitive action names as AWS
reads them. A cloudwatch:namespace condition that may exclude AWS/Personalize is a warning.
Organization level: the role's permissions boundary must allow it too, and so must the
service control policies of every level from the root to the account (an SCP Deny, or a
level with no Allow for it, is reported here at the SCP statement). RCPs do not apply to
CloudWatch.
""",
    fix='Attach a policy allowing "cloudwatch:PutMetricData" on "Resource": "*".',
    example=CLOUDWATCH_FIX,
    source=f"{DOCS}/metric-attribution-requirements.html",
    tags=("iam", "cloudwatch"),
)
def pl103(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for check in role_checks(inventory, "PL103"):
        if isinstance(check, Finding):
            yield check
            continue
        namespace = {"cloudwatch:namespace": PERSONALIZE_NAMESPACE}
        request = role_request(check.facts, "cloudwatch:PutMetricData", "*", extra=namespace)
        result = _evaluate_role(check, request)
        if result.denied and not result.explicit_deny and not result.organization_policy:
            # Is it only a namespace condition? Then it "may exclude" AWS/Personalize: warn.
            unsure = _evaluate_role(check, role_request(check.facts, "cloudwatch:PutMetricData",
                                                        "*"))
            if not unsure.denied and "cloudwatch:namespace" in [k.lower() for k in
                                                                unsure.uncertain_keys]:
                location, related = finding_location(result, check.facts.locate("roleArn"))
                yield Finding(
                    "PL103",
                    "The service role may call cloudwatch:PutMetricData only for a "
                    "cloudwatch:namespace that may exclude AWS/Personalize, where Personalize "
                    "publishes attribution metrics." + closest_hint(result) + " Allow the "
                    f"namespace {PERSONALIZE_NAMESPACE} or drop the condition.",
                    location, related=related, setup=check.setup.name, level="warning",
                )
                continue
        yield from _permission_findings(
            "PL103", check, request, result, 'cloudwatch:PutMetricData on Resource "*"',
            'Allow "cloudwatch:PutMetricData" on "Resource": "*" in a policy of the role.')


S3_FIX = """{
  "Effect": "Allow",
  "Action": "s3:PutObject",
  "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/attribution/*"
}"""


@rule(
    id="PL104",
    level="error",
    title="The service role cannot write the metrics to S3",
    why="""
With s3DataDestination, Personalize writes the attribution reports as objects under the
output path with the service role, which needs s3:PutObject on every object ARN under it
(arn:<partition>:s3:::bucket/prefix/*). A grant on the bucket ARN alone, on another prefix,
or on single files does not cover that; a Deny on the prefix (in the role's policies or the
bucket policy) blocks it. In the same account a bucket policy naming the role is enough; a
bucket in another account (bucket-account; in audits, one the account's ListBuckets does not
list) needs both grants, and is not evaluated (PL003) when its policy is not known. A
permissions boundary caps both; SCPs of every level and RCPs over the bucket must not deny
it (reported at the SCP or RCP statement).
""",
    fix="Allow s3:PutObject on arn:<partition>:s3:::<bucket>/<prefix>/* (or bucket/*) in a "
        "policy of the role.",
    example=S3_FIX,
    source=f"{DOCS}/metric-attribution-requirements.html",
    tags=("iam", "s3"),
)
def pl104(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for check in role_checks(inventory, "PL104"):
        if isinstance(check, Finding):
            continue
        objects = check.facts.objects
        if objects is None:
            continue  # no S3 output, or PL205 reports the path
        bucket = check.setup.bucket
        account = bucket_account(check.setup, check.facts)
        request = role_request(check.facts, "s3:PutObject", objects,
                               absent=s3_absent(check.facts), resource_account=account)
        same = bucket_in_role_account(check.setup, check.facts)
        policy = _bucket_policy(inventory, check.setup, same)
        rcps = bucket_rcp_levels(inventory, check.setup, check.facts)

        decide = partial(_evaluate_role, check, request, resource_kind="s3",
                         resource_control_policies=rcps)

        what = f"s3:PutObject on {describe_resource(objects, check.facts)}"
        if same is None:
            # The audit could not tell whose bucket it is: a verdict only if both readings
            # agree ("In cross account access, a principal needs an Allow in the identity
            # policy and the resource-based policy", IAM user guide).
            ours = decide(resource_policy=prepared(inventory, bucket.policy if bucket else None),
                          same_account=True)
            theirs = decide(resource_policy=policy, same_account=False)
            if ours.decision != theirs.decision:
                yield Finding(
                    "PL003",
                    f"Could not decide whether the service role may call {what}: the audit "
                    "could not tell whether the bucket is in the role's account (see the "
                    "PL003 on its owning account). In the role's account "
                    f"{_reading(ours)}; in another account, where the bucket policy must grant "
                    f"the role too, {_reading(theirs)}.",
                    check.facts.locate("path"), related=(check.facts.locate("roleArn"),),
                    setup=check.setup.name)
                continue
            result = ours
        else:
            result = decide(resource_policy=policy, same_account=same)
        if (same is False and result.denied
                and not (result.explicit_deny or result.organization_policy)
                and _evaluate_role(check, request).allowed):  # only the bucket's side lacks
            yield _bucket_lacks_role(check, what, account, bucket.policy if bucket else None)
            continue
        pattern = str(objects)
        yield from _permission_findings(
            "PL104", check, request, result, what,
            f'Allow "s3:PutObject" on "{pattern}" in a policy of the role.',
            "" if same is not False else _cross_account_hint("bucket", account, check))


def _bucket_lacks_role(check: RoleCheck, what: str, account: str | None,
                       policy: Policy | None) -> Finding:
    where = f"account {account}" if account else "another account (not the audited one's)"
    role = check.facts.role_arn or "the service role"
    location = policy.source.locate() if policy is not None else check.facts.locate("path")
    return Finding(
        "PL104",
        f"The service role cannot call {what}: its own policies allow it, but the bucket is "
        f"in {where}, not the role's account {role_account(check.facts)}, and there the "
        "bucket policy must grant the role too (\"In cross account access, a principal needs "
        "an Allow in the identity policy and the resource-based policy\"). Add a bucket "
        f'policy statement with Principal {{"AWS": "{role}"}} allowing "s3:PutObject" on '
        f'"{check.facts.objects or "the output objects"}".',
        location, related=(check.facts.locate("roleArn"),), setup=check.setup.name)


def _reading(result: Result) -> str:
    return {"allowed": "it is allowed", "denied": "it is denied"}.get(
        result.decision, "it cannot be decided")


def _bucket_policy(inventory: Inventory, setup: Setup,
                   same: bool | None) -> PreparedPolicy | None:
    """The bucket policy for the role's s3:PutObject. A bucket in another account (or maybe
    in one) needs its grant: a policy that was not given or could not be read stands as one
    that cannot be evaluated, never as "no grant" (a false PL104)."""
    bucket = setup.bucket
    if bucket is not None and bucket.policy is not None:
        return prepared(inventory, bucket.policy)
    unreadable = missing_declared(setup, "bucket-policy", "bucket policy")
    if same is True or not (unreadable or setup.origin != "account"):
        return None  # same account: the role's grant suffices; an audit saw no policy
    where = bucket.source if bucket is not None else Source(location=setup.location)
    why = "it could not be read" if unreadable else "the set-up does not give it"
    return inventory.shared("unknown bucket policy", setup, prepare,
                            UnusablePolicy("of the output bucket", where, why))


KMS_ROLE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ListGrants")
KMS_IAM_FIX = """{
  "Effect": "Allow",
  "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ListGrants"],
  "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}"""


@rule(
    id="PL105",
    level="error",
    title="The service role cannot use the KMS key of the output",
    why="""
When the output is encrypted with a customer managed KMS key (s3DataDestination.kmsKeyArn,
or the bucket's default SSE-KMS key), Personalize uses the key with the service role, which
needs kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey and kms:ListGrants on it. The key
policy must also let the role in (PL301). In the key's account, a key policy statement
naming the role grants it on its own (a KMS grant to the role does so in any account), but
an explicit Deny in the role's own policies still blocks the key; a key in another account
needs the role's own grant too, and is not evaluated (PL003) when its policy is not known. A
permissions boundary without the KMS actions, an SCP or an RCP that denies them, also stop it
(reported at the boundary, SCP or RCP).
""",
    fix="Allow the four actions on the key ARN in a policy of the role (or name the role in "
        "the key policy).",
    example=KMS_IAM_FIX,
    source=f"{DOCS}/granting-personalize-key-access.html",
    tags=("iam", "kms"),
)
def pl105(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    from personalize_lint.iam.arn import KEY_ARN_RE

    for check in role_checks(inventory, "PL105"):
        if isinstance(check, Finding):
            continue
        key_arn, _where = output_key_arn(check.setup, check.facts)
        if not key_arn or not KEY_ARN_RE.fullmatch(key_arn):
            continue  # no customer key, or PL302 reports the ARN
        key = check.setup.key
        key_policy = prepared(inventory, key.policy if key else None)
        grants = key_grants(inventory, key)
        account = key_account(key_arn, check.facts)
        same = in_role_account(account, check.facts)
        rcps = rcp_levels(inventory, check.setup, account)
        missing: list[tuple[str, Result]] = []
        for action in KMS_ROLE_ACTIONS:
            request = role_request(check.facts, action, key_arn, resource_account=account)
            result = _role_key_result(check, request, key_policy, grants_for(grants, action),
                                      same, rcps)
            if result is not None and not result.allowed:
                missing.append((action, result))
        denied = [(a, r) for a, r in missing if r.denied]
        unsure = [(a, r) for a, r in missing if r.uncertain]
        for action, result in unsure[:1]:
            yield uncertain_finding(f"the service role may call {action} on {key_arn}", result,
                                    check.facts.locate("roleArn"), check.setup.name)
        if denied:
            names = ", ".join(a for a, _ in denied)
            first = denied[0][1]
            fix = ("Narrow the Deny so that it leaves these actions on the key to the role, or "
                   "Personalize cannot encrypt the output." if first.explicit_deny else
                   "Allow these actions on the key ARN in a policy of the role.")
            if first.organization_policy:
                fix = (f"Change the {first.organization_policy} so that it allows these "
                       "actions for the service role.")
            why, location, related = _denial(
                check, first, check.facts.locate("kmsKeyArn"),
                deny_hint(first) if first.explicit_deny or first.organization_policy
                else closest_hint(first, denied[0][0])
                + ("" if same else _cross_account_hint("key", account, check)))
            yield Finding(
                "PL105",
                f"{_the_role(check.facts)} cannot call {names} on the output key "
                f"{key_arn}.{why} {fix}",
                location, related=related, setup=check.setup.name,
            )


def _role_key_result(check: RoleCheck, request: Request, key_policy: PreparedPolicy | None,
                     grants: list[PreparedPolicy], same: bool, rcps: Levels) -> Result | None:
    """The role's side of using the key, or None when only the key policy's side fails
    (PL301 reports that). In the same account, a key policy (or grant) naming the role
    grants it on its own; in another account, the role's policies must allow it too."""
    if key_policy is None and not grants:
        if same:
            return _evaluate_role(check, request, resource_control_policies=rcps)
        # Another account's key: its policy must let the role in, and it is not known (not
        # given, or not readable from here): not evaluated, never a pass.
        unknown = UnusablePolicy("of the output key", check.role.source,
                                 "it is another account's key and its policy is not known")
        return _evaluate_role(check, request, resource_policy=unknown, resource_kind="kms",
                              same_account=False, resource_control_policies=rcps)
    full = _evaluate_role(check, request, resource_policy=key_policy,
                          extra_resource_policies=grants, resource_kind="kms",
                          same_account=same, resource_control_policies=rcps)
    if full.allowed or full.explicit_deny or full.organization_policy:
        return full
    if grants and not same:
        # A grant needs no identity-policy grant, in any account: "the grant allows the
        # grantee principal to call the specified grant operations on the KMS key provided
        # that all conditions specified in the grant are met", and "The grantee principal
        # can represent one or more identities in the same AWS account as the KMS key or in
        # a different account" (AWS KMS developer guide, Grants in AWS KMS).
        granted = _evaluate_role(check, request, extra_resource_policies=grants,
                                 resource_kind="kms", same_account=True,
                                 resource_control_policies=rcps)
        if granted.allowed:
            return granted
    own = _evaluate_role(check, request, resource_control_policies=rcps)
    if own.allowed:
        return None  # the key policy lacks it: PL301
    return full if full.uncertain else own


BROAD_ACTIONS = ("*", "iam:*", "s3:*")


def broad_statements(policy: Policy | PreparedPolicy) -> Iterator[tuple[StatementRef, str]]:
    prepared = prepare(policy)
    for st in prepared.doc.statements if prepared.doc else ():
        if not st.is_allow or not st.valid:
            continue
        ref = StatementRef(prepared.policy, prepared.label, st)
        if st.action_key == "NotAction":
            excluded = ", ".join(a or "?" for a in st.actions)
            yield ref, f"allows every action except {excluded} (NotAction)"
            continue
        if "*" not in st.resources or st.resource_key != "Resource":
            continue
        for entry in st.actions:
            if entry is None:
                continue
            for broad in BROAD_ACTIONS:
                if covers(action_glob(entry), action_glob(broad)):
                    yield ref, f'allows "{entry}" on Resource "*"'
                    break
            else:
                continue
            break


BROAD_FIX = """{
  "Effect": "Allow",
  "Action": ["cloudwatch:PutMetricData"],
  "Resource": "*"
},
{
  "Effect": "Allow",
  "Action": ["s3:PutObject"],
  "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/attribution/*"
}"""


def _broad_findings(policies: Sequence[Policy], refs: Sequence[ManagedPolicyRef],
                    setup: str | None, who: str) -> Iterator[Finding]:
    for policy in policies:
        for ref, what in broad_statements(policy):
            yield Finding(
                "PL106",
                f"{ref.describe()} {what}: far more than Personalize needs for metric "
                f"attribution ({who}). Grant only cloudwatch:PutMetricData on \"*\", "
                "s3:PutObject on the output prefix and the KMS actions on the key.",
                ref.location(), setup=setup,
            )
    for mref in refs:
        name = managed.policy_name(mref.arn)
        if managed.is_aws_managed(mref.arn) and name in managed.BROAD_POLICIES:
            yield Finding(
                "PL106",
                f"The service role has the AWS managed policy {name} attached: far more than "
                "Personalize needs for metric attribution. Replace it with a policy granting "
                "only cloudwatch:PutMetricData, s3:PutObject on the output prefix and the KMS "
                "actions on the key.",
                mref.source.locate(), setup=setup,
            )


@rule(
    id="PL106",
    level="warning",
    title="The service role's policies grant far more than Personalize needs",
    why="""
The service role is assumed by the Personalize service on your behalf; whatever it may do,
a confused or compromised pipeline may do. Action "*", s3:* or iam:* on every resource,
NotAction allows, and managed policies such as AdministratorAccess, PowerUserAccess or
AmazonS3FullAccess go far beyond cloudwatch:PutMetricData, s3:PutObject on the output
prefix and the KMS actions metric attribution needs.
""",
    fix="Replace broad grants with the few actions metric attribution needs, on its resources.",
    example=BROAD_FIX,
    source="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html"
           "#grant-least-privilege",
    tags=("iam", "least-privilege"),
)
def pl106(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for setup in inventory.setups:
        if setup.role is not None:
            yield from _broad_findings(setup.role.policies, setup.role.managed_policies,
                                       setup.name, "the service role")
    for _doc, policy in standalone_policies(inventory, "identity"):
        if meant_for_personalize(policy.data):
            yield from _broad_findings([policy], [], None, "a Personalize policy")


ROLE_ARN_FIX = """"metricsOutputConfig": {
  "roleArn": "arn:aws:iam::111122223333:role/PersonalizeMetricsRole",
  "s3DataDestination": {"path": "s3://amzn-s3-demo-bucket/attribution/"}
}"""


def role_arn_problems(role_arn: str, dataset_group_arn: str | None) -> list[str]:
    problems = []
    if not ROLE_ARN_API_RE.fullmatch(role_arn) or len(role_arn) > 256:
        problems.append("does not match the API pattern arn:<partition>:iam::<12-digit "
                        "account>:role/<name>")
        return problems
    dg = parse_arn(dataset_group_arn or "")
    role = parse_arn(role_arn)
    if dg and role and dg.account.isdigit() and dg.account != role.account:
        problems.append(f"is in account {role.account}, not the dataset group's account "
                        f"{dg.account}")
    if dg and role and dg.partition and dg.partition != role.partition:
        problems.append(f"is in partition {role.partition}, not {dg.partition}")
    return problems


@rule(
    id="PL107",
    level="error",
    title="roleArn names a role the set-up does not contain, or is malformed",
    why="""
metricsOutputConfig.roleArn decides which role Personalize uses. If the set-up does not
contain that role's trust and permission policies, none of PL101-PL106 can vouch for it; a
role in another account than the dataset group, or a string that is not a role ARN, makes
CreateMetricAttribution fail.
""",
    fix="Point roleArn at the service role of the same account, and declare its trust and "
        "permission policies in the set-up (role-trust-policy, role-policies).",
    example=ROLE_ARN_FIX,
    source=f"{DOCS}/API_MetricsOutputConfig.html",
    tags=("iam", "attribution"),
)
def pl107(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for setup in inventory.setups:
        if setup.metric_attribution is None:
            continue
        f = facts(setup)
        if not f.output:
            continue
        where = f.locate("roleArn")
        if output_fields(f.output)[0] is None or f.role_arn is None:
            yield Finding("PL107", "metricsOutputConfig has no roleArn: Personalize needs "
                          "the service role to publish metrics.", f.locate(), setup=setup.name)
            continue
        for problem in role_arn_problems(f.role_arn, setup.dataset_group.arn):
            yield Finding("PL107", f"roleArn {f.role_arn!r} {problem}.", where, setup=setup.name)
        role = setup.role
        if not _role_documents(role):
            yield Finding(
                "PL107",
                f"roleArn {f.role_arn!r} names a role the set-up does not contain: give its "
                "trust policy (role-trust-policy) and permission policies (role-policies, "
                "role-managed-policies) so PL101-PL106 can check it.",
                where, setup=setup.name)
        elif role is not None and role.arn and role.arn != f.role_arn:
            yield Finding("PL107", f"roleArn {f.role_arn!r} is not the set-up's role "
                          f"{role.arn!r}.", where, related=(role.source.locate(),),
                          setup=setup.name)
    for doc, output, tokens in standalone_outputs(inventory):
        role_arn = output_fields(output)[0]
        if role_arn is None:
            continue
        for problem in role_arn_problems(role_arn, dataset_group_of(doc.data)):
            key = spelled(output, "roleArn")
            yield Finding("PL107", f"roleArn {role_arn!r} {problem}.",
                          doc.location("/" + "/".join((*tokens, key))))
