"""PL3xx: the customer managed KMS key that encrypts the output.

The key policy is authoritative for KMS: Personalize (the service principal) must be named
in it, and the service role must be named too or be let in through the account-root
statement that delegates to IAM. That delegation counts for the role, never for the
service principal (PL301). The role's own IAM side is PL105.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from personalize_lint.findings import Finding
from personalize_lint.iam.arn import (
    KEY_ARN_RE,
    KEY_ID_RE,
    account_of,
    key_arn_problem,
    parse_arn,
)
from personalize_lint.iam.context import PERSONALIZE_SERVICE, Principal, Request, role_context
from personalize_lint.iam.evaluator import ALLOW_ALL, PreparedPolicy, Result, evaluate, prepare
from personalize_lint.iam.matching import action_glob
from personalize_lint.inventory import Inventory, Policy, Setup
from personalize_lint.location import Location
from personalize_lint.rule import RuleContext, rule
from personalize_lint.setups import as_dict

from ._iam_common import (
    DOCS,
    Facts,
    Levels,
    closest_hint,
    dataset_group_of,
    deny_hint,
    facts,
    finding_location,
    grants_for,
    in_role_account,
    key_account,
    key_grants,
    meant_for_personalize,
    missing_declared,
    names_personalize,
    only_setup_keys,
    output_fields,
    output_key_arn,
    principal_allows,
    public_statements,
    rcp_levels,
    resource_policies,
    role_request,
    sentence,
    service_request,
    spelled,
    standalone_outputs,
    standalone_policies,
    statement_location,
    uncertain_finding,
)

KMS_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant",
               "kms:ListGrants")
KEY_POLICY_FIX = """{
  "Effect": "Allow",
  "Principal": {
    "Service": "personalize.amazonaws.com",
    "AWS": "arn:aws:iam::111122223333:role/PersonalizeMetricsRole"
  },
  "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey",
             "kms:CreateGrant", "kms:ListGrants"],
  "Resource": "*"
}"""


def key_arn_of(setup: Setup, f: Facts) -> str | None:
    """The output key as an ARN (a bare key ID from the bucket default is completed)."""
    key, _where = output_key_arn(setup, f)
    if key and KEY_ID_RE.fullmatch(key) and f.account and f.region:
        key = f"arn:{f.partition}:kms:{f.region}:{f.account}:key/{key}"
    return key if key and KEY_ARN_RE.fullmatch(key) else None


@dataclass
class KeyScope:
    """What else decides use of the key: the RCPs over it, its grants, and whether the role
    is in the key's account."""

    rcps: Levels = field(default_factory=list)
    grants: list[PreparedPolicy] = field(default_factory=list)
    same_account: bool = True


def _missing(results: dict[str, Result]) -> tuple[list[str], list[str], Result | None]:
    denied = [a for a, r in results.items() if r.denied]
    unsure = [a for a, r in results.items() if r.uncertain]
    first = results[denied[0]] if denied else None
    return denied, unsure, first


def _denier(causes: list[str | None]) -> str:
    """Who keeps Personalize out: the key policy, an organization policy, or both."""
    org = next((c for c in causes if c), None)
    if org is None:
        return "The key policy does not"
    if all(causes):
        return f"A {org} of the organization does not"
    return f"The key policy and a {org} of the organization do not"


def _key_findings(policy: PreparedPolicy, requests: dict[str, dict[str, Request]],
                  fallback: Location, setup: str | None, lone: bool,
                  org: KeyScope | None = None) -> Iterator[Finding]:
    """Evaluate each principal's KMS actions against the key policy; one finding for all.
    The service principal's requests also meet the RCPs over the key (the role's own are
    PL105's)."""
    org = org or KeyScope()
    parts: list[str] = []
    first: Result | None = None
    causes: list[str | None] = []  # per denial: the organization policy type, or None
    for who, by_action in requests.items():
        results = {}
        for action, request in by_action.items():
            role = request.principal.kind == "role"
            identity = [ALLOW_ALL] if role else []
            results[action] = evaluate(request, identity_policies=identity,
                                       resource_policy=policy, resource_kind="kms",
                                       extra_resource_policies=grants_for(org.grants,
                                                                          action),
                                       same_account=org.same_account or not role,
                                       resource_control_policies=() if role else org.rcps)
        denied, unsure, first_denied = _missing(results)
        if denied:
            parts.append(f"{who} lacks {', '.join(denied)}")
            first = first or first_denied
            causes += [results[a].organization_policy for a in denied]
        if unsure:
            result = results[unsure[0]]
            if not (lone and only_setup_keys(result)):
                yield uncertain_finding(f"the key policy lets {who} call {unsure[0]}", result,
                                        fallback, setup)
    if parts and first is not None:
        location, related = finding_location(first, fallback)
        why = deny_hint(first) if first.explicit_deny else closest_hint(first)
        yield Finding(
            "PL301",
            f"{_denier(causes)} let Personalize use the key: {'; '.join(parts)}.{why} "
            "Both personalize.amazonaws.com and the service role need kms:Decrypt, "
            "kms:GenerateDataKey, kms:DescribeKey, kms:CreateGrant and kms:ListGrants (a "
            "grant to the account root delegates to IAM for the role, not for the service).",
            location, related=related, setup=setup,
        )


def _requests_for(f: Facts | None, key_arn: str, roles: list[str]) -> dict[
        str, dict[str, Request]]:
    out: dict[str, dict[str, Request]] = {
        PERSONALIZE_SERVICE: {a: service_request(f, a, key_arn,
                                                 resource_account=account_of(key_arn))
                              for a in KMS_ACTIONS}}
    for role in roles:
        rf = Facts(f.setup, f.account, f.region, f.partition, role) if f else None
        if rf is None:
            acct = account_of(role)
            rctx = role_context(role_arn=role, account=acct)
            out[f"the role {role}"] = {
                a: Request(Principal.role(role, acct), a, key_arn, rctx) for a in KMS_ACTIONS}
        else:
            out[f"the service role {role}"] = {
                a: role_request(rf, a, key_arn, resource_account=account_of(key_arn))
                for a in KMS_ACTIONS}
    return out


def _lone_key_resource(policy: Policy) -> str:
    doc = prepare(policy).doc
    for st in doc.statements if doc else ():
        for r in st.resources:
            if r and KEY_ARN_RE.fullmatch(r):
                return r
    # Key policies say "Resource": "*" (this key); any key ARN stands for it.
    return "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000"


def _lone_roles(policy: Policy) -> tuple[list[str], bool]:
    """Role ARNs that look like the Personalize role, and whether the policy delegates to
    IAM (an account principal) so any role could be let in by its own policies."""
    roles: list[str] = []
    delegates = False
    for _st, principal in principal_allows(policy):
        with_service = names_personalize(principal)
        for entry in principal.aws:
            if not entry:
                continue
            if entry.isdigit() or entry.endswith(":root") or principal.wildcard:
                delegates = True
            elif ":role/" in entry and (with_service or "personaliz" in entry.lower()):
                roles.append(entry)
    return list(dict.fromkeys(roles)), delegates


@rule(
    id="PL301",
    level="error",
    title="The key policy does not let Personalize and its role use the key",
    why="""
Personalize encrypts the attribution reports with the customer managed key named in
kmsKeyArn (or the bucket's default key), acting both as the service principal and with the
service role. The key policy is the primary authority for a KMS key: it must allow both
kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey, kms:CreateGrant and kms:ListGrants. The
usual root statement ("AWS": "arn:aws:iam::<account>:root") lets IAM policies grant the role,
but it never grants the service principal. KMS grants (key-grants, list-grants in audits) to
either principal count for the operations they list. A resource control policy that denies
the service principal the key is reported here at its statement.
""",
    fix="Add a key policy statement naming both principals with the five actions.",
    example=KEY_POLICY_FIX,
    source=f"{DOCS}/granting-personalize-key-access.html",
    tags=("kms", "key-policy"),
)
def pl301(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for setup in inventory.setups:
        if setup.metric_attribution is None:
            continue
        f = facts(setup)
        key_arn = key_arn_of(setup, f)
        if key_arn is None:
            continue
        policy = setup.key.policy if setup.key else None
        if policy is None:
            if setup.origin != "account" and not missing_declared(setup, "key-policy",
                                                                   "key policy"):
                yield Finding(
                    "PL003",
                    f"The output is encrypted with {key_arn} but the set-up gives no key policy "
                    "(key-policy), so PL301 was not evaluated.",
                    f.locate("kmsKeyArn") if f.kms_key_arn else setup.location,
                    setup=setup.name)
            continue
        roles = [f.role_arn] if f.role_arn else []
        account = key_account(key_arn, f)
        scope = KeyScope(rcp_levels(inventory, setup, account),
                         key_grants(inventory, setup.key),
                         in_role_account(account, f))
        yield from _key_findings(prepare(policy), _requests_for(f, key_arn, roles),
                                 policy.source.locate(), setup.name, lone=False, org=scope)
    for doc, policy in standalone_policies(inventory, "key"):
        if not meant_for_personalize(policy.data):
            continue
        roles, delegates = _lone_roles(policy)
        yield from _key_findings(prepare(policy),
                                 _requests_for(None, _lone_key_resource(policy), roles),
                                 doc.location(), None, lone=True)
        if not roles and not delegates:
            yield Finding(
                "PL301",
                "The key policy names no IAM role for Personalize and has no account-root "
                "statement delegating to IAM, so the Personalize service role cannot use the "
                "key. Name the service role in the statement for personalize.amazonaws.com.",
                doc.location(), setup=None)


def _key_arn_findings(value: str, dg_arn: str | None, where: Location, setup: str | None) -> (
    Iterator[Finding]
):
    problem = key_arn_problem(value)
    if problem:
        yield Finding("PL302", f"kmsKeyArn {value!r} {problem}. Use the key ARN "
                      "(arn:<partition>:kms:<region>:<account>:key/<key-id>).", where,
                      setup=setup)
        return
    key, dg = parse_arn(value), parse_arn(dg_arn or "")
    if key and dg and dg.partition and key.partition != dg.partition:
        yield Finding("PL302", f"kmsKeyArn {value!r} is in partition {key.partition}, but the "
                      f"dataset group is in {dg.partition}.", where, setup=setup)


@rule(
    id="PL302",
    level="error",
    title="kmsKeyArn is not a key ARN",
    why="""
s3DataDestination.kmsKeyArn must be the ARN of a key (arn:<partition>:kms:<region>:
<account>:key/<key-id>). An alias ARN, an alias name, a bare key ID or an ARN of another
partition is rejected or points policies at the wrong resource (a key policy or IAM grant
on an alias does not cover the key).
""",
    fix="Look up the key ARN (aws kms describe-key --key-id alias/NAME) and use it.",
    example='"kmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/'
            '1234abcd-12ab-34cd-56ef-1234567890ab"',
    source=f"{DOCS}/API_S3DataConfig.html",
    tags=("kms", "attribution"),
)
def pl302(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for setup in inventory.setups:
        if setup.metric_attribution is None:
            continue
        f = facts(setup)
        raw = output_fields(f.output)[2]
        if raw is not None:
            yield from _key_arn_findings(raw, setup.dataset_group.arn, f.locate("kmsKeyArn"),
                                         setup.name)
    for doc, output, tokens in standalone_outputs(inventory):
        raw = output_fields(output)[2]
        if raw is None:
            continue
        dest = spelled(output, "s3DataDestination")
        key = spelled(as_dict(output.get(dest)), "kmsKeyArn")
        yield from _key_arn_findings(raw, dataset_group_of(doc.data),
                                     doc.location("/" + "/".join((*tokens, dest, key))), None)


@rule(
    id="PL303",
    level="error",
    title="The KMS key cannot be used (account audit)",
    why="""
From the key's metadata (describe-key, account audits only): a disabled key, one pending
deletion or import, an asymmetric or HMAC key (not SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT), or a
key in another region than the output bucket cannot encrypt the reports.
""",
    fix="Use an enabled symmetric encryption key in the bucket's region.",
    example='"KeyState": "Enabled", "KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": '
            '"ENCRYPT_DECRYPT"',
    source="https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html",
    tags=("kms", "audit"),
)
def pl303(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for setup in inventory.setups:
        key = setup.key
        meta = key.metadata if key else None
        if key is None or not isinstance(meta, dict):
            continue
        name = key.arn or str(meta.get("Arn") or meta.get("KeyId") or "the key")
        where = key.source.locate()
        problems = []
        state = meta.get("KeyState")
        if state is not None and state != "Enabled":
            problems.append(f"is {state}, not Enabled")
        spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")
        if spec is not None and spec != "SYMMETRIC_DEFAULT":
            problems.append(f"has key spec {spec}, not SYMMETRIC_DEFAULT")
        usage = meta.get("KeyUsage")
        if usage is not None and usage != "ENCRYPT_DECRYPT":
            problems.append(f"has key usage {usage}, not ENCRYPT_DECRYPT")
        arn = parse_arn(key.arn or str(meta.get("Arn") or ""))
        region = setup.bucket.region if setup.bucket else None
        if arn and region and arn.region and arn.region != region:
            problems.append(f"is in {arn.region}, but the output bucket is in {region}")
        for problem in problems:
            yield Finding("PL303", f"The KMS key {name} {problem}.", where, setup=setup.name)


@rule(
    id="PL304",
    level="error",
    title="The key policy lets everyone use the key",
    why="""
A key policy statement granting kms:* or kms:Decrypt to Principal "*" (or through
NotPrincipal) without a condition that ties it to an account (kms:CallerAccount,
aws:PrincipalAccount), an organisation or a source, lets anyone decrypt what the key
protects: here, the attribution reports.
""",
    fix="Name the principals, or add a kms:CallerAccount / aws:PrincipalOrgID condition.",
    example=KEY_POLICY_FIX,
    source="https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
    tags=("kms", "key-policy", "security"),
)
def pl304(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for policy, setup in resource_policies(inventory, "key"):
        for st, who in public_statements(policy):
            entries = [a for a in st.actions if a]
            if st.action_key == "NotAction":
                grants = not any(action_glob(a).match("kms:Decrypt") for a in entries)
            else:
                grants = any(action_glob(a).match("kms:Decrypt") for a in entries)
            if not grants:
                continue
            yield Finding(
                "PL304",
                f"{sentence(st.describe())} of the key policy lets {who} call "
                f"{', '.join(entries)} without a restricting condition: anyone could decrypt "
                "with this key. Name the principals or add a kms:CallerAccount condition.",
                statement_location(policy, st), setup=setup,
            )
