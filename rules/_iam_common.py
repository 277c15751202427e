"""Helpers the IAM rules share (rules/role.py, rules/bucket.py, rules/kms.py).

What a set-up tells about the requests Personalize makes (:class:`Facts`), the request
builders, the wording and placement of findings, and the reading of lone policy files. The
metric attribution request is parsed by the engine (:mod:`personalize_lint.setups`); this
module only adds where its parts sit in the document.

The module name starts with ``_``, so the rule collector does not look for rules in it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.iam import actions as action_catalogue
from personalize_lint.iam.arn import (
    account_of,
    parse_arn,
    partition_of_region,
    s3_objects_pattern,
    split_s3_url,
)
from personalize_lint.iam.context import (
    PERSONALIZE_SERVICE,
    Partial,
    Principal,
    Request,
    Value,
    role_context,
    service_context,
    setup_dependent,
)
from personalize_lint.iam.evaluator import PreparedPolicy, Result, prepare, prepare_levels
from personalize_lint.iam.grants import grant_policies
from personalize_lint.iam.statements import PrincipalSpec, Statement
from personalize_lint.inventory import Inventory, Key, Policy, Setup, Source, UnusablePolicy
from personalize_lint.location import Location
from personalize_lint.setups import as_dict, as_str, attribution_request
from personalize_lint.setups import output_config as engine_output_config

DOCS = "https://docs.aws.amazon.com/personalize/latest/dg"
GUARD_KEYS = ("aws:sourceaccount", "aws:sourcearn")

# --- Set-up facts ---------------------------------------------------------------------------


@dataclass
class Facts:
    """What a set-up tells about the requests Personalize will make."""

    setup: Setup
    account: str | None = None
    region: str | None = None
    partition: str = "aws"
    role_arn: str | None = None
    path: str | None = None
    kms_key_arn: str | None = None
    output_tokens: tuple[str, ...] = ()
    output: dict[str, Any] = field(default_factory=dict)
    organization_id: str | None = None  # from the organization policies, when known

    def locate(self, *tokens: str) -> Location:
        """A place in the metric attribution request (roleArn, path ...), or the set-up."""
        ma = self.setup.metric_attribution
        if ma is None:
            return self.setup.location
        if tokens and tokens[0] in ("path", "kmsKeyArn"):
            tokens = ("s3DataDestination", *tokens)
        return ma.source.locate(*self.output_tokens, *tokens)

    @property
    def objects(self) -> Partial | None:
        """The object ARNs under the output path, if it is a valid s3:// location."""
        split = split_s3_url(self.path) if self.path else None
        if not split or not split[0]:
            return None
        shown = s3_objects_pattern(split[0], split[1], self.partition)
        # Personalize names each file it writes, so a key goes on past the prefix ("?*"):
        # a statement on the prefix's own key (a folder marker) does not touch the output.
        return Partial(shown[:-1] + "?*", shown=shown)


_OUTPUT_KEYS = ("metricsOutputConfig", "MetricsOutputConfig")


def output_config(data: Any) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The engine's metricsOutputConfig (of a create/update request or a describe output),
    and the JSON pointer tokens of where it is written."""
    output = engine_output_config(data)
    request = attribution_request(data)
    prefix: tuple[str, ...] = (
        ("metricAttribution",) if isinstance(data, dict) and request is not data else ())
    for key in _OUTPUT_KEYS:
        # The member the engine read; an empty one is located where it is written.
        if request.get(key) is output or (not output and isinstance(request.get(key), dict)):
            return output, (*prefix, key)
    return output, prefix


def output_fields(output: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(roleArn, path, kmsKeyArn), accepting the console's PascalCase too."""
    dest = as_dict(output.get("s3DataDestination") or output.get("S3DataDestination"))
    return (
        as_str(output.get("roleArn") or output.get("RoleArn")),
        as_str(dest.get("path") or dest.get("Path")),
        as_str(dest.get("kmsKeyArn") or dest.get("KmsKeyArn")),
    )


def spelled(obj: dict[str, Any], key: str) -> str:
    """``key`` as the document spells it, read the way output_fields reads it: the API's
    camelCase when it holds a value, else the console's PascalCase if present."""
    pascal = key[:1].upper() + key[1:]
    return key if obj.get(key) or pascal not in obj else pascal


def standalone_outputs(inventory: Inventory) -> Iterator[
        tuple[Document, dict[str, Any], tuple[str, ...]]]:
    """Lone metric attribution documents, with their metricsOutputConfig and its tokens."""
    for doc in inventory.standalone:
        if doc.kind == "metric-attribution":
            output, tokens = output_config(doc.data)
            yield doc, output, tokens


def dataset_group_of(data: Any) -> str | None:
    """The datasetGroupArn of a metric attribution request or describe output."""
    return as_str(attribution_request(data).get("datasetGroupArn"))


def facts(setup: Setup) -> Facts:
    f = Facts(setup)
    if setup.metric_attribution is not None:
        f.output, f.output_tokens = output_config(setup.metric_attribution.data)
        f.role_arn, f.path, f.kms_key_arn = output_fields(f.output)
        dg = dataset_group_of(setup.metric_attribution.data)
        if dg and not setup.dataset_group.arn:
            setup.dataset_group.arn = dg
    if setup.role is not None and setup.role.arn and not f.role_arn:
        f.role_arn = setup.role.arn
    if setup.key is not None and setup.key.arn and not f.kms_key_arn:
        f.kms_key_arn = setup.key.arn
    partition = None
    for arn_text in (setup.dataset_group.arn, f.role_arn):  # the dataset group's first
        arn = parse_arn(arn_text) if arn_text else None
        if arn is not None:
            f.account = f.account or (arn.account if arn.account.isdigit() else None)
            f.region = f.region or arn.region or None
            partition = partition or arn.partition or None
    f.partition = partition or partition_of_region(f.region)
    if setup.organization is not None:
        f.organization_id = setup.organization.organization_id
    return f


def output_key_arn(setup: Setup, f: Facts) -> tuple[str | None, Location]:
    """The customer KMS key the output is encrypted with, and where it is named."""
    if f.kms_key_arn:
        return f.kms_key_arn, f.locate("kmsKeyArn")
    bucket = setup.bucket
    rules = as_dict(as_dict(bucket.encryption if bucket else None).get(
        "ServerSideEncryptionConfiguration", bucket.encryption if bucket else None)).get("Rules")
    for i, item in enumerate(rules if isinstance(rules, list) else []):
        default = as_dict(as_dict(item).get("ApplyServerSideEncryptionByDefault"))
        key = as_str(default.get("KMSMasterKeyID"))
        if default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse") and key:
            src = bucket.encryption_source if bucket else None
            where = src.locate("ServerSideEncryptionConfiguration", "Rules", i) if src else (
                setup.location)
            return key, where
    return None, setup.location


def missing_declared(setup: Setup, *names: str) -> bool:
    """Has the set-up already reported this input missing (config or audit)?"""
    wanted = [n.lower() for n in names]
    return any(any(w in m.what.lower() for w in wanted) for m in setup.missing)


# --- Requests -------------------------------------------------------------------------------


def s3_absent(f: Facts | None) -> tuple[str, ...]:
    """The S3 encryption headers Personalize's PutObject does not send. A lone bucket policy
    (no facts) assumes the common case: no kmsKeyArn, so no encryption header."""
    if f is not None and f.kms_key_arn:
        return ()
    return ("s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id")


def service_request(f: Facts | None, action: str, resource: Value,
                    absent: Iterable[str] = (), resource_account: str | None = None) -> Request:
    """Personalize's own request. ``resource_account``: the account of the bucket or key,
    when the set-up tells it (aws:ResourceAccount, which data-perimeter policies test)."""
    extra: dict[str, Value] = {}
    if f and f.organization_id:
        # The dataset group's account is in the organization whose policies were given.
        extra["aws:SourceOrgID"] = f.organization_id
    if resource_account:
        extra["aws:ResourceAccount"] = resource_account
    ctx = service_context(
        account=f.account if f else None,
        region=f.region if f else None,
        partition=f.partition if f else None,
        absent=absent,
        extra=extra or None,
    )
    return Request(Principal.service(), action, resource, ctx)


def role_request(f: Facts, action: str, resource: Value, absent: Iterable[str] = (),
                 extra: dict[str, Value] | None = None,
                 resource_account: str | None = None) -> Request:
    # An unknown role ARN stays a pattern: Principal entries naming some role are unsure.
    role_arn = f.role_arn or f"arn:{f.partition}:iam::{f.account or '*'}:role/*"
    if resource_account:
        extra = {"aws:ResourceAccount": resource_account, **(extra or {})}
    if f.organization_id:
        extra = {"aws:PrincipalOrgID": f.organization_id, **(extra or {})}
    ctx = role_context(role_arn=f.role_arn, account=f.account, region=f.region,
                       partition=f.partition, extra=extra, absent=absent)
    return Request(Principal.role(role_arn, f.account), action, resource, ctx)


# --- Organization policies, accounts ---------------------------------------------------------

Levels = list[list[PreparedPolicy]]


def role_account(f: Facts) -> str | None:
    return account_of(f.role_arn) or f.account


def bucket_account(setup: Setup, f: Facts) -> str | None:
    """The output bucket's account: bucket-account (or the audit's), else, unless an audit
    found it is not the audited account's, taken to be the role's."""
    bucket = setup.bucket
    if bucket is not None and bucket.account:
        return bucket.account
    if bucket is not None and bucket.owner in ("another-account", "unknown"):
        return None
    return role_account(f)


def bucket_in_role_account(setup: Setup, f: Facts) -> bool | None:
    """Is the output bucket in the role's account? None when an audit could not tell."""
    bucket = setup.bucket
    if bucket is not None and not bucket.account:
        if bucket.owner == "another-account":
            return False
        if bucket.owner == "unknown":
            return None
    return in_role_account(bucket_account(setup, f), f)


def bucket_rcp_levels(inventory: Inventory, setup: Setup, f: Facts) -> Levels:
    """The RCPs over the output bucket. An audit reads the organization policies over the
    audited account: a bucket that is (or may be) another account's is under that account's
    RCPs, which are not known, so they stand as a level that cannot be evaluated."""
    bucket = setup.bucket
    org = setup.organization
    foreign = bucket is not None and not bucket.account and bucket.owner in (
        "another-account", "unknown")
    if not foreign or org is None or not (org.resource_control_policies
                                          or org.service_control_policies):
        return rcp_levels(inventory, setup, bucket_account(setup, f))
    assert bucket is not None
    unknown = UnusablePolicy("the resource control policies over the bucket's account",
                             bucket.source, "the bucket is not known to be in the audited "
                             "account, whose policies were read")
    return inventory.shared("foreign bucket RCP levels", setup, prepare_levels, [[unknown]])


def key_account(key_arn: str | None, f: Facts) -> str | None:
    return account_of(key_arn) or role_account(f)


def in_role_account(account: str | None, f: Facts) -> bool:
    """Is a resource of ``account`` in the role's account? (Unknown counts as the same.)"""
    return account is None or account == role_account(f)


def scp_levels(inventory: Inventory, setup: Setup, f: Facts) -> Levels:
    """The SCPs over the role's own calls; none in the management account ("SCPs don't
    affect users or roles in the management account")."""
    org = setup.organization
    if org is None or not org.service_control_policies:
        return []
    if org.management_account and org.management_account == role_account(f):
        return []
    return inventory.shared("SCP levels", org, prepare_levels,
                            org.service_control_policies)


def rcp_levels(inventory: Inventory, setup: Setup, resource_account: str | None) -> Levels:
    """The RCPs over a resource of the set-up; none in the management account ("RCPs don't
    affect resources in the management account")."""
    org = setup.organization
    if org is None or not org.resource_control_policies:
        return []
    if org.management_account and org.management_account == resource_account:
        return []
    return inventory.shared("RCP levels", org, prepare_levels,
                            org.resource_control_policies)


def prepared(inventory: Inventory, policy: Policy | None) -> PreparedPolicy | None:
    """A policy normalised once per rule pass (the rules ask it many questions)."""
    return None if policy is None else inventory.shared("prepared policy", policy, prepare,
                                                        policy)


def key_grants(inventory: Inventory, key: Key | None) -> list[PreparedPolicy]:
    """The key's KMS grants as prepared resource-policy statements, once per rule pass."""
    if key is None or not (key.grants or key.grants_unusable):
        return []
    return inventory.shared("key grants", key, lambda: [prepare(p) for p in grant_policies(key)]
                            + ([prepare(key.grants_unusable)] if key.grants_unusable else []))


def grants_for(grants: list[PreparedPolicy], action: str) -> list[PreparedPolicy]:
    """The grants that may allow ``action``: none for kms:ListGrants, which "Key policy or
    IAM policy" alone can give (KMS guide, Controlling access to grants), so grants that could
    not be read leave it decided."""
    if action.lower() != "kms:listgrants":
        return grants
    return [g for g in grants if g.doc is not None]


def org_hint(result: Result) -> str:
    """' It is denied by the service control policy statement ... (level 2).' or ''."""
    kind = result.organization_policy
    if kind is None:
        return ""
    if result.organization_level is not None:
        level = result.organization_level
        names = sorted({r.label for r in result.deciding})
        where = f" ({', '.join(names)})" if names else ""
        return (f" No {kind} at level {level + 1} of the organization (root = 1){where} "
                "allows it: every level from the root to the account must allow it (AWS "
                "attaches FullAWSAccess to each level by default; list it if it is attached "
                "there).")
    refs = ", ".join(r.describe() for r in result.deciding)
    if result.uncertain:
        return f" The {kind} {refs} may deny it." if refs else ""
    return f" It is denied by the {kind} {refs}." if refs else f" A {kind} denies it."


# --- Findings -------------------------------------------------------------------------------


def closest_hint(result: Result, wanted: str | None = None) -> str:
    """' The closest statement is ..., which does not match the action.' and typo hints."""
    ref = result.closest
    if ref is None:
        return ""
    st = ref.statement
    shown = []
    for miss in result.closest_misses:
        if miss == "action":
            miss += f" (it allows {_joined(st.actions)})"
        elif miss == "resource":
            miss += f" (it covers {_joined(st.resources)})"
        elif miss == "principal" and st.principal is not None:
            names = st.principal.service + st.principal.aws + st.principal.other
            miss += f" (it names {_joined(names) or 'other principals'})"
        shown.append(miss)
    text = f" The closest is {ref.describe()}"
    text += f", which does not match the {'; '.join(shown)}." if shown else "."
    text += _literal_wildcard_hint(st, result.closest_misses)
    text += _short_arn_hint(st, result.closest_misses)
    if "principal" in result.closest_misses and st.principal is not None:
        text += _principal_case_hint(st.principal.aws, result.request.principal.name)
    if wanted:
        for entry, hint in action_catalogue.near_misses(list(ref.statement.actions), wanted):
            text += f" {entry!r} is not an IAM action; did you mean {hint!r}?"
    return text


def condition_hint_is_the_fix(result: Result) -> bool:
    """Whether the closest statement misses only by a condition whose hint already says
    what to change (a literal wildcard, a short ARN pattern): "add a statement allowing ..."
    would ask for the statement that is already there."""
    ref = result.closest
    return ref is not None and bool(_literal_wildcard_hint(ref.statement, result.closest_misses)
                                    or _short_arn_hint(ref.statement, result.closest_misses))


def _literal_wildcard_hint(st: Statement, misses: list[str]) -> str:
    """A failing exact operator (StringEquals ...) whose value holds "*" or "?": the author
    meant a pattern, which only the Like operators (and the ARN operators) read."""
    for cond in st.conditions:
        if cond.family not in ("string", "stringi") or f"condition {cond.label}" not in misses:
            continue
        value = next((v for v in cond.values if v and ("*" in v or "?" in v)), None)
        if value is None:
            continue
        arn, string = ("ArnNotLike", "StringNotLike") if cond.negated else ("ArnLike",
                                                                             "StringLike")
        # The ARN operators only read ARNs: for an account ID or a name, StringLike it is.
        use = f"{arn} (or {string})" if value.startswith("arn:") else string
        chars = [f'"{c}"' for c in "*?" if c in value]
        what = " and ".join(chars) + (" are not wildcards" if len(chars) > 1 else
                                      " is not a wildcard")
        return (f" {cond.operator} compares literally: the {what} in {value!r}; use {use} "
                "to match a pattern.")
    return ""


def _short_arn_hint(st: Statement, misses: list[str]) -> str:
    """A failing ARN operator whose value has fewer than six fields: IAM checks "each of the
    six colon-delimited components of the ARN" separately, so it matches no ARN."""
    for cond in st.conditions:
        if cond.family != "arn" or f"condition {cond.label}" not in misses:
            continue
        value = next((v for v in cond.values if v and v != "*" and v.count(":") < 5), None)
        if value is not None:
            return (f" {cond.operator} compares the six colon-separated fields of an ARN one "
                    f"by one; {value!r} has {value.count(':') + 1}, so it matches no ARN: "
                    "write all six, or use StringLike.")
    return ""


def _principal_case_hint(entries: Iterable[str | None], principal: str) -> str:
    """A Principal entry naming the role with other letter case: IAM: "When a role name is
    used in a policy or as part of an ARN, the role name is case sensitive"."""
    for entry in entries:
        if entry and entry != principal and entry.lower() == principal.lower():
            return (f" {entry!r} differs from the role ARN {principal!r} only in letter case; "
                    "role names in policies are case-sensitive.")
    return ""


def _joined(items: Iterable[str | None], limit: int = 4) -> str:
    values = [v if v is not None else "<unresolved>" for v in items]
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def deny_hint(result: Result) -> str:
    if result.organization_policy is not None:
        return org_hint(result)
    refs = [r.describe() for r in result.deciding]
    return f" It is explicitly denied by {', '.join(refs)}." if refs else ""


def finding_location(result: Result, fallback: Location) -> tuple[Location, tuple[Location, ...]]:
    """Point at the deciding Deny, else the closest statement, else the fallback."""
    refs = (list(result.deciding)
            if result.explicit_deny or result.uncertain or result.organization_policy else [])
    if not refs and result.closest is not None:
        refs = [result.closest]
    if not refs:
        return fallback, ()
    return refs[0].location(), (*(r.location() for r in refs[1:]), fallback)


def uncertain_finding(what: str, result: Result, fallback: Location, setup: str | None) -> (
    Finding
):
    keys = ", ".join(result.uncertain_keys)
    reasons = "; ".join(result.uncertain_reasons) or "an unknown input"
    location, related = finding_location(result, fallback)
    msg = f"Could not decide whether {what}: {reasons}."
    if result.organization_policy and result.deciding:
        refs = ", ".join(r.describe() for r in result.deciding)
        msg += f" The open question is in the {result.organization_policy} {refs}."
    if keys:
        msg += f" Make the condition on {keys} decidable, or check it by hand."
    return Finding("PL003", msg, location, related=related, setup=setup,
                   properties={"conditionKeys": list(result.uncertain_keys)})


def only_setup_keys(result: Result) -> bool:
    """Is an uncertain answer due only to keys a set-up would supply (lone files)?"""
    return bool(result.uncertain_keys) and all(setup_dependent(k)
                                                for k in result.uncertain_keys) and len(
        result.uncertain_reasons) == len(result.uncertain_keys)


# --- Standalone documents ------------------------------------------------------------------


def _services(data: Any) -> Iterator[str]:
    statements = data.get("Statement") if isinstance(data, dict) else None
    for st in statements if isinstance(statements, list) else [statements]:
        principal = st.get("Principal") if isinstance(st, dict) else None
        if isinstance(principal, dict):
            svc = principal.get("Service")
            for s in svc if isinstance(svc, list) else [svc]:
                if isinstance(s, str):
                    yield s


def _near_personalize(service: str) -> bool:
    return difflib.SequenceMatcher(None, service.lower(), PERSONALIZE_SERVICE).ratio() >= 0.85


def meant_for_personalize(data: Any) -> bool:
    """Does a lone policy file look like it is for Amazon Personalize?"""
    try:
        text = json.dumps(data).lower()
    except (TypeError, ValueError):
        return False
    if "personaliz" in text or "personalis" in text:
        return True
    return any(_near_personalize(s) for s in _services(data))


def service_typo_hint(policy: Policy) -> str:
    """' 'personalise.amazonaws.com' is not the Personalize service principal; ...' or ''."""
    for svc in _services(policy.data):
        if svc != PERSONALIZE_SERVICE and _near_personalize(svc):
            return (f" {svc!r} is not the Personalize service principal; use "
                    f"{PERSONALIZE_SERVICE!r}.")
    return ""


def _policy_kind(doc: Document) -> str:
    if doc.subkind in ("identity", "trust", "bucket", "key"):
        return doc.subkind
    from personalize_lint.loaders.detect import policy_subkind

    data = _standalone_policy(doc).data
    return policy_subkind(data) if isinstance(data, dict) else "unknown"


def _standalone_policy(doc: Document) -> Policy:
    from personalize_lint.policy_shape import unwrap_policy

    data, pointer = unwrap_policy(doc.data)
    return Policy(data=data, source=Source(doc, pointer), kind=doc.subkind or "unknown",
                  name=doc.path)


def standalone_policies(inventory: Inventory, *kinds: str) -> Iterator[tuple[Document, Policy]]:
    for doc in inventory.standalone:
        if doc.kind == "policy" and _policy_kind(doc) in kinds:
            yield doc, _standalone_policy(doc)


def resource_policies(inventory: Inventory, kind: Literal["bucket", "key"]) -> Iterator[
        tuple[Policy, str | None]]:
    """Every bucket (or key) policy: each set-up's, then the lone ones; with the set-up name."""
    for setup in inventory.setups:
        resource = setup.bucket if kind == "bucket" else setup.key
        if resource is not None and resource.policy is not None:
            yield resource.policy, setup.name
    for _doc, policy in standalone_policies(inventory, kind):
        yield policy, None


# --- Statements -----------------------------------------------------------------------------


def statement_location(policy: Policy, st: Statement) -> Location:
    return policy.source.locate(*st.tokens)


def principal_allows(policy: Policy) -> Iterator[tuple[Statement, PrincipalSpec]]:
    """The Allow statements with a Principal element (not NotPrincipal), with that element."""
    doc = prepare(policy).doc
    for st in doc.statements if doc else ():
        if st.is_allow and st.principal is not None and st.principal_key == "Principal":
            yield st, st.principal


def names_personalize(principal: PrincipalSpec) -> bool:
    """Does the principal name the service principal personalize.amazonaws.com?"""
    return any(s is not None and s.lower() == PERSONALIZE_SERVICE for s in principal.service)


def has_guard(st: Statement) -> bool:
    """Does the statement carry an aws:SourceAccount or aws:SourceArn condition?"""
    return any(c.key.lower() in GUARD_KEYS and not c.negated for c in st.conditions)


# Keys that tie a public ("*") grant to an account, organisation, network or source, the way
# IAM Access Analyzer judges "public" (with a positive operator and a non-wildcard value).
RESTRICTING_KEYS = frozenset(k.lower() for k in (
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOwner", "aws:SourceOrgID",
    "aws:SourceOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceIp", "aws:userid",
    "aws:username", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
    "kms:CallerAccount", "s3:DataAccessPointAccount", "s3:DataAccessPointArn",
))


def restricting_condition(st: Statement) -> bool:
    for c in st.conditions:
        if c.key.lower() not in RESTRICTING_KEYS or c.negated or c.family is None:
            continue
        if c.if_exists or c.set_op == "all" or c.family == "null":
            continue  # passes when the key is missing: restricts nothing for outsiders
        if any(v is not None and v.strip("*?") != "" for v in c.values):
            return True
    return False


def public_statements(policy: Policy) -> Iterator[tuple[Statement, str]]:
    """Allow statements that apply to everyone: Principal "*", {"AWS": "*"} or NotPrincipal,
    with no condition restricting them to an account, organisation or source."""
    doc = prepare(policy).doc
    for st in doc.statements if doc else ():
        if not st.is_allow or st.principal is None:
            continue
        if st.principal_key == "NotPrincipal":
            who = "everyone but the NotPrincipal list"
        elif st.principal.wildcard:
            who = "everyone (Principal \"*\")"
        else:
            continue
        if not restricting_condition(st):
            yield st, who


def sentence(text: str) -> str:
    """Upper-case the first letter only; ``str.capitalize`` would lower-case Sids and names."""
    return text[:1].upper() + text[1:]
