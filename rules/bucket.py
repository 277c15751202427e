"""PL2xx: the output bucket (its policy and the output path).

Personalize writes the attribution reports as the service principal
``personalize.amazonaws.com`` too, so the bucket policy must grant it ``s3:PutObject`` on the
objects under ``s3DataDestination.path`` (PL201), no Deny may block it (PL202: a Deny unless
``aws:SourceVpce``/``aws:SourceIp``/``aws:PrincipalOrgID``, which a service request never
carries, does; one on ``aws:SecureTransport`` false does not, its requests use TLS).

A set-up that publishes to S3 without a bucket policy gets PL003 (not evaluated). A bucket
policy checked on its own is judged only if it names Personalize (see
``meant_for_personalize`` in rules/_iam_common.py); the public-bucket check (PL203) applies to
every bucket policy.
"""

from __future__ import annotations

from collections.abc import Iterator

from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.iam.arn import bucket_name_problems, parse_arn, split_s3_url
from personalize_lint.iam.context import PERSONALIZE_SERVICE, Partial
from personalize_lint.iam.evaluator import (
    Result,
    evaluate,
    evaluate_with_and_without_denies,
    prepare,
)
from personalize_lint.iam.matching import action_glob
from personalize_lint.inventory import Inventory, Policy
from personalize_lint.location import Location
from personalize_lint.rule import RuleContext, rule

from ._iam_common import (
    DOCS,
    Facts,
    Levels,
    bucket_account,
    bucket_rcp_levels,
    closest_hint,
    deny_hint,
    facts,
    finding_location,
    has_guard,
    meant_for_personalize,
    missing_declared,
    names_personalize,
    only_setup_keys,
    output_fields,
    principal_allows,
    public_statements,
    resource_policies,
    s3_absent,
    sentence,
    service_request,
    service_typo_hint,
    spelled,
    standalone_outputs,
    standalone_policies,
    statement_location,
    uncertain_finding,
)

BUCKET_FIX = """{
  "Sid": "PersonalizeS3BucketAccessPolicy",
  "Effect": "Allow",
  "Principal": {"Service": "personalize.amazonaws.com"},
  "Action": "s3:PutObject",
  "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/attribution/*",
  "Condition": {
    "StringEquals": {"aws:SourceAccount": "111122223333"},
    "ArnLike": {"aws:SourceArn": "arn:aws:personalize:us-east-1:111122223333:*"}
  }
}"""


class Check:
    """One bucket policy against one output location, evaluated once for all PL2xx rules."""

    def __init__(self, policy: Policy | None, objects: Partial, f: Facts | None,
                 fallback: Location, setup: str | None, rcps: Levels | None = None,
                 account: str | None = None) -> None:
        self.policy = policy
        self.objects = objects
        self.facts = f
        self.fallback = fallback
        self.setup = setup
        prepared = prepare(policy) if policy is not None else None
        request = service_request(f, "s3:PutObject", objects, absent=s3_absent(f),
                                  resource_account=account)
        # self.grant answers "would anything grant it?" (ignoring Denies): PL201 tells a
        # missing grant from a blocking Deny (PL202).
        self.result: Result
        self.grant: Result
        self.result, self.grant = evaluate_with_and_without_denies(
            request, resource_policy=prepared, resource_kind="s3",
            resource_control_policies=rcps or ())

    @property
    def where(self) -> str:
        if self.facts and self.facts.path:
            return f"the objects under {self.facts.path} ({self.objects})"
        return str(self.objects)

    def skip_uncertain(self, result: Result) -> bool:
        return self.facts is None and only_setup_keys(result)


def _setup_checks(inventory: Inventory, asker: str) -> Iterator[Check | Finding]:
    for setup in inventory.setups:
        if setup.metric_attribution is None:
            continue
        f = facts(setup)
        objects = f.objects
        if objects is None:
            continue
        bucket = setup.bucket
        policy = bucket.policy if bucket else None
        unreadable = missing_declared(setup, "bucket-policy", "bucket policy")
        if policy is None and (setup.origin != "account" or unreadable):
            # An account set-up without a policy has none (PL201 judges that), unless the
            # audit could not read it: then the PL003 already reported is the whole answer.
            if asker == "PL201" and not unreadable:
                yield Finding(
                    "PL003",
                    f"The set-up publishes to {f.path} but gives no bucket policy "
                    "(bucket-policy), so PL201-PL204 were not evaluated.",
                    f.locate("path"), setup=setup.name)
            continue
        fallback = policy.source.locate() if policy else f.locate("path")
        rcps = bucket_rcp_levels(inventory, setup, f)
        yield inventory.shared("PL2xx setup check", setup, Check, policy, objects, f, fallback,
                               setup.name, rcps, bucket_account(setup, f))


def _object_patterns(policy: Policy) -> list[str]:
    """Object ARNs a lone bucket policy grants Personalize s3:PutObject on."""
    found: list[str] = []
    for st, principal in principal_allows(policy):
        if not (principal.wildcard or names_personalize(principal)) or st.action_key != "Action":
            continue
        if not any(a and action_glob(a).match("s3:PutObject") for a in st.actions):
            continue
        for arn_text in st.resources:
            arn = parse_arn(arn_text) if arn_text else None
            if arn_text and arn is not None and arn.service == "s3" and "/" in arn.resource:
                found.append(arn_text)
    return list(dict.fromkeys(found))


def _any_bucket(policy: Policy) -> str:
    doc = prepare(policy).doc
    for st in doc.statements if doc else ():
        for r in st.resources:
            arn = parse_arn(r) if r else None
            if arn is not None and arn.service == "s3" and arn.resource:
                return f"arn:{arn.partition}:s3:::{arn.resource.split('/', 1)[0]}/*"
    return "arn:aws:s3:::*/*"


def _standalone_checks(inventory: Inventory) -> Iterator[Check | tuple[Policy, Result]]:
    # PL201, PL202 and PL204 ask the same questions of each lone bucket policy: answered once
    # per rule pass (each answer kept as it is reached, so a crash stops where it did).
    for doc, policy in standalone_policies(inventory, "bucket"):
        if not inventory.shared("PL2xx for personalize", doc, meant_for_personalize,
                                policy.data):
            continue
        patterns = inventory.shared("PL2xx patterns", doc, _object_patterns, policy)
        if not patterns:
            yield inventory.shared("PL2xx closest", doc, _closest, policy)
            continue
        for pattern in patterns:
            yield inventory.shared(f"PL2xx check {pattern}", doc, _lone_check, policy, pattern,
                                   doc)


def _lone_check(policy: Policy, pattern: str, doc: Document) -> Check:
    return Check(policy, Partial(pattern), None, doc.location(), None)


def _closest(policy: Policy) -> tuple[Policy, Result]:
    """Nothing grants Personalize PutObject on objects: show the closest statement."""
    request = service_request(None, "s3:PutObject", Partial(_any_bucket(policy)),
                              absent=s3_absent(None))
    return policy, evaluate(request, resource_policy=policy, resource_kind="s3",
                            ignore_denies=True)


def _no_grant(policy: Policy | None, result: Result, where: str, fallback: Location,
              setup: str | None) -> Finding:
    location, related = finding_location(result, fallback)
    hint = closest_hint(result, "s3:PutObject")
    typo = service_typo_hint(policy) if policy is not None else ""
    none = " There is no bucket policy." if policy is None else ""
    return Finding(
        "PL201",
        f"The bucket policy does not allow {PERSONALIZE_SERVICE} s3:PutObject on {where}, so "
        f"Personalize cannot write the attribution reports.{none}{hint}{typo} Add a statement "
        f'with Principal {{"Service": "{PERSONALIZE_SERVICE}"}}, Action "s3:PutObject" and the '
        "object ARN of the output prefix (bucket/prefix/*; the bucket ARN alone is not enough).",
        location, related=related, setup=setup,
    )


@rule(
    id="PL201",
    level="error",
    title="The bucket policy does not let Personalize write the output",
    why="""
Besides the service role's own permission (PL104), the output bucket's policy must allow the
service principal personalize.amazonaws.com s3:PutObject on the objects under the output
path. Import-only bucket policies (GetObject and ListBucket), grants on the bucket ARN
without /*, another prefix, a typo'd service name, or a grant conditioned on another
account's aws:SourceAccount all leave Personalize unable to write.
""",
    fix="Add a statement allowing Principal {\"Service\": \"personalize.amazonaws.com\"} "
        "s3:PutObject on arn:<partition>:s3:::<bucket>/<prefix>/*.",
    example=BUCKET_FIX,
    source=f"{DOCS}/metric-attribution-requirements.html#metric-attribution-s3-permissions",
    tags=("s3", "bucket-policy"),
)
def pl201(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for check in _setup_checks(inventory, "PL201"):
        if isinstance(check, Finding):
            yield check
            continue
        yield from _grant_findings(check)
    for item in _standalone_checks(inventory):
        if isinstance(item, Check):
            yield from _grant_findings(item)
        else:
            policy, result = item
            if result.denied:
                yield _no_grant(policy, result, "any object", policy.source.locate(), None)


def _grant_findings(check: Check) -> Iterator[Finding]:
    grant = check.grant
    if grant.denied:
        yield _no_grant(check.policy, grant, check.where, check.fallback, check.setup)
    elif grant.uncertain and not check.skip_uncertain(grant):
        yield uncertain_finding(f"the bucket policy lets {PERSONALIZE_SERVICE} write "
                                f"{check.where}", grant, check.fallback, check.setup)


@rule(
    id="PL202",
    level="error",
    title="A Deny in the bucket policy blocks Personalize's writes",
    why="""
An explicit Deny beats any Allow. Data-perimeter statements such as "deny unless
aws:SourceVpce / aws:SourceIp / aws:PrincipalOrgID is ..." also deny the Personalize service
principal, whose requests carry none of these keys; so does "deny unless a specific
encryption header" when Personalize does not send it, or "deny everyone but these
principals" (NotPrincipal). A Deny of insecure transport (aws:SecureTransport false) does not
count: the service uses TLS. Resource control policies of the organization apply to the
service principal's writes too (SCPs never do): an RCP Deny is reported here at its
statement, e.g. a confused-deputy RCP whose aws:SourceAccount list misses the account.
""",
    fix="Exempt the service principal: add a condition such as \"StringNotEquals\": "
        "{\"aws:PrincipalServiceName\": \"personalize.amazonaws.com\"} (or "
        "\"Bool\": {\"aws:PrincipalIsAWSService\": \"false\"}) to the Deny.",
    example="""{
  "Sid": "DenyOutsideTheVpc",
  "Effect": "Deny",
  "Principal": "*",
  "Action": "s3:*",
  "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
  "Condition": {
    "StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"},
    "Bool": {"aws:PrincipalIsAWSService": "false"}
  }
}""",
    source="https://docs.aws.amazon.com/IAM/latest/UserGuide/"
           "reference_policies_evaluation-logic.html",
    tags=("s3", "bucket-policy"),
)
def pl202(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    checks: list[Check] = [c for c in _setup_checks(inventory, "PL202") if isinstance(c, Check)]
    checks += [c for c in _standalone_checks(inventory) if isinstance(c, Check)]
    for check in checks:
        result = check.result
        if result.explicit_deny and result.organization_policy:
            location, related = finding_location(result, check.fallback)
            yield Finding(
                "PL202",
                f"A {result.organization_policy} of the organization blocks "
                f"{PERSONALIZE_SERVICE} from writing {check.where}.{deny_hint(result)} "
                "Exempt Personalize's requests in it (for example deny only when "
                "\"aws:SourceAccount\" is not one of your accounts, or when "
                "\"aws:PrincipalIsAWSService\" is \"false\").",
                location, related=related, setup=check.setup,
            )
        elif result.explicit_deny:
            location, related = finding_location(result, check.fallback)
            yield Finding(
                "PL202",
                f"A Deny in the bucket policy blocks {PERSONALIZE_SERVICE} from writing "
                f"{check.where}.{deny_hint(result)} Exempt the service principal from the "
                "Deny (for example with \"Bool\": {\"aws:PrincipalIsAWSService\": \"false\"}).",
                location, related=related, setup=check.setup,
            )
        elif result.uncertain and check.grant.allowed and not check.skip_uncertain(result):
            where = ("the bucket policy" if not result.organization_policy
                     else f"a {result.organization_policy}")
            yield uncertain_finding(
                f"a Deny in {where} blocks {PERSONALIZE_SERVICE} from writing "
                f"{check.where}", result, check.fallback, check.setup)


@rule(
    id="PL203",
    level="error",
    title="The bucket policy grants access to everyone",
    why="""
A statement with Principal "*" (or {"AWS": "*"}, or an Allow with NotPrincipal) and no
condition tying it to an account, organisation, VPC or source makes the bucket public: the
attribution reports (revenue per recommender) would be readable or writable by anyone.
""",
    fix="Name the principals (the Personalize service principal, your roles), or restrict the "
        "statement with aws:SourceAccount, aws:PrincipalOrgID or aws:SourceVpce.",
    example=BUCKET_FIX,
    source="https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
           "access-control-block-public-access.html",
    tags=("s3", "bucket-policy", "security"),
)
def pl203(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for policy, setup in resource_policies(inventory, "bucket"):
        for st, who in public_statements(policy):
            actions = ", ".join(a or "?" for a in st.actions)
            yield Finding(
                "PL203",
                f"{sentence(st.describe())} of the bucket policy grants {actions} to {who} "
                "without a condition restricting it to an account, organisation or source. "
                "Name the principals, or add an aws:SourceAccount / aws:PrincipalOrgID "
                "condition.",
                statement_location(policy, st), setup=setup,
            )


@rule(
    id="PL204",
    level="warning",
    title="The bucket grant to Personalize has no confused-deputy guard",
    why="""
The docs recommend conditioning the grant to personalize.amazonaws.com on aws:SourceAccount
or aws:SourceArn: otherwise any account's Personalize resources could be steered to write
into (or read from) your bucket.
""",
    fix="Add \"StringEquals\": {\"aws:SourceAccount\": \"<account>\"} and/or \"ArnLike\": "
        "{\"aws:SourceArn\": \"arn:aws:personalize:<region>:<account>:*\"} to the statement.",
    example=BUCKET_FIX,
    source=f"{DOCS}/cross-service-confused-deputy-prevention.html",
    tags=("s3", "bucket-policy", "security"),
)
def pl204(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    checks: list[Check] = [c for c in _setup_checks(inventory, "PL204") if isinstance(c, Check)]
    checks += [c for c in _standalone_checks(inventory) if isinstance(c, Check)]
    seen: set[tuple[str, str]] = set()
    for check in checks:
        grant = check.grant if check.grant.allowed else None
        if grant is None and check.facts is None and check.grant.uncertain:
            grant = check.grant  # a lone file: the account is what it cannot know
        for ref in grant.deciding if grant else ():
            st = ref.statement
            key = (str(ref.location().path), ref.pointer)
            if key in seen or has_guard(st) or st.principal is None or st.principal.wildcard:
                continue
            seen.add(key)
            yield Finding(
                "PL204",
                f"{sentence(ref.describe())} grants {PERSONALIZE_SERVICE} s3:PutObject "
                "without an aws:SourceAccount or aws:SourceArn condition (confused deputy). "
                "Add both, for your own account.",
                ref.location(), setup=check.setup,
            )


def path_problems(path: str) -> list[str]:
    problems = []
    if len(path) > 256:
        problems.append(f"is {len(path)} characters long (at most 256)")
    split = split_s3_url(path)
    if split is None:
        problems.append("is not an s3://bucket/prefix location")
        return problems
    bucket = split[0]
    if not bucket:
        problems.append("names no bucket")
    else:
        problems.extend(f"bucket name {bucket!r} {p}" for p in bucket_name_problems(bucket))
    return problems


@rule(
    id="PL205",
    level="error",
    title="The output path is not a valid S3 location",
    why="""
s3DataDestination.path must be an s3://bucket/prefix location of at most 256 characters,
with a bucket name that follows the S3 naming rules (3-63 lowercase letters, digits, dots
and hyphens, no IP address form). Otherwise the request fails, or the policies checked
against it mean nothing.
""",
    fix="Use s3://<bucket>/<prefix>/ with a valid bucket name.",
    example='"s3DataDestination": {"path": "s3://amzn-s3-demo-bucket/attribution/"}',
    source=f"{DOCS}/API_S3DataConfig.html",
    tags=("s3", "attribution"),
)
def pl205(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for setup in inventory.setups:
        f = facts(setup)
        if f.path is not None:
            for problem in path_problems(f.path):
                yield Finding("PL205", f"s3DataDestination.path {f.path!r} {problem}.",
                              f.locate("path"), setup=setup.name)
    for doc, output, tokens in standalone_outputs(inventory):
        path = output_fields(output)[1]
        if path is None:
            continue
        dest_key = spelled(output, "s3DataDestination")
        pointer = "/" + "/".join((*tokens, dest_key, "path"))
        for problem in path_problems(path):
            yield Finding("PL205", f"s3DataDestination.path {path!r} {problem}.",
                          doc.location(pointer))
