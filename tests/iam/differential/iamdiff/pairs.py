"""A deterministic, seeded generator of (policy set, request) pairs for the differential test.

Each pair is plain JSON (so it can be hashed, stored and handed to node) describing:

* the principal: the Personalize service role (its sessions) or the service principal
  ``personalize.amazonaws.com``;
* the request: action, resource (a concrete ARN, or ``{"partial": pattern}`` for "some
  object under this prefix", the way personalize-lint asks about output paths), the account
  that owns the resource, and its context keys;
* the policies: identity policies, a permissions boundary, a resource policy (S3 bucket, KMS
  key, role trust policy, or a generic one: SQS queue, SNS topic, Secrets Manager secret);
* ``samples``: the concrete requests iam-simulate is asked about. A concrete pair has one
  sample (itself). A pair that personalize-lint only partly knows has several: its
  resource instantiated a few ways, or an ``unknown`` context key given several values
  (absent included). See ``compare.py`` for how their verdicts are compared with ours.

Everything is drawn from one ``random.Random(seed)``, in list order only (no set or dict
iteration that could depend on hashing), so the same seed gives the same pairs on every
machine and Python version: the stored verdicts are keyed by a hash of each pair.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from typing import Any

SEED = 20260412
COUNT = 5600

ACCOUNT = "111122223333"
OTHER = "444455556666"
REGION = "us-east-1"
ORG = "o-abc123def4"
SERVICE = "personalize.amazonaws.com"
ROLE_NAMES = ("PersonalizeMetricsRole", "service-role/PersonalizeRole")
SESSION = "personalize-session"

Json = dict[str, Any]


def role_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def session_arn(name: str, account: str = ACCOUNT) -> str:
    """The assumed-role session a role's credentials sign requests as (path dropped)."""
    return f"arn:aws:sts::{account}:assumed-role/{name.rsplit('/', 1)[-1]}/{SESSION}"


def pair_id(pair: Json) -> str:
    """A short stable hash of everything in the pair: generator drift changes it."""
    text = json.dumps(pair, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- Targets: what is asked, on which resource ----------------------------------------------


class Target:
    """One request shape: action family, resource ARN, resource-policy kind."""

    def __init__(self, rng: random.Random, principal_kind: str) -> None:
        self.rng = rng
        self.principal_kind = principal_kind
        self.account = ACCOUNT if principal_kind == "service" or rng.random() < 0.7 else OTHER
        self.bucket = rng.choice(["acme-personalize-metrics", "metrics-bucket", "acme-data"])
        self.prefix = rng.choice(["attribution/", "runs:2026/", "out/daily/", ""])
        self.key_id = rng.choice([
            "1234abcd-12ab-34cd-56ef-1234567890ab", "0987dcba-09fe-87dc-65ba-ab0987654321"])
        self.role = rng.choice(ROLE_NAMES)
        self.partial = False
        self.kind: str | None = None
        self.action = ""
        self.resource = ""
        self._pick()

    @property
    def role_arn(self) -> str:
        return role_arn(self.role)

    @property
    def key_arn(self) -> str:
        return f"arn:aws:kms:{REGION}:{self.account}:key/{self.key_id}"

    @property
    def service(self) -> str:
        return self.action.split(":", 1)[0]

    def _pick(self) -> None:
        rng = self.rng
        if self.principal_kind == "service":
            choice = rng.choice(["s3-object", "s3-object", "s3-object", "s3-bucket", "kms",
                                 "kms", "trust", "generic"])
        else:
            choice = rng.choice(["cloudwatch", "cloudwatch", "s3-object", "s3-object",
                                 "s3-bucket", "kms", "kms", "generic", "logs"])
        if choice == "cloudwatch":
            self.account = ACCOUNT
            self.action, self.resource = "cloudwatch:PutMetricData", "*"
        elif choice == "logs":
            self.account = ACCOUNT
            self.action = "logs:PutLogEvents"
            self.resource = (f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/personalize:"
                             "log-stream:run-1")
        elif choice == "s3-object":
            self.action = rng.choice(["s3:PutObject", "s3:PutObject", "s3:GetObject"])
            self.kind = "s3"
            name = rng.choice(["report.csv", "part-0001.json", "a/b.csv", "x:y.csv"])
            self.resource = f"arn:aws:s3:::{self.bucket}/{self.prefix}{name}"
            self.partial = rng.random() < 0.25
        elif choice == "s3-bucket":
            self.action, self.kind = "s3:ListBucket", "s3"
            self.resource = f"arn:aws:s3:::{self.bucket}"
        elif choice == "kms":
            self.action = rng.choice(["kms:GenerateDataKey", "kms:Decrypt"])
            self.kind, self.resource = "kms", self.key_arn
        elif choice == "trust":
            self.action, self.kind, self.resource = "sts:AssumeRole", "trust", self.role_arn
        else:
            self.kind = "generic"
            self.action, self.resource = rng.choice([
                ("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{self.account}:personalize-events"),
                ("sns:Publish", f"arn:aws:sns:{REGION}:{self.account}:metrics-topic"),
                ("secretsmanager:GetSecretValue",
                 f"arn:aws:secretsmanager:{REGION}:{self.account}:secret:personalize-AbC123"),
            ])
        if self.kind is None:
            return
        # Without a resource policy the role's own policies decide (same account only: a
        # KMS key always has a key policy, and a cross-account grant needs one).
        if (self.principal_kind == "role" and self.account == ACCOUNT and self.kind != "kms"
                and rng.random() < 0.25):
            self.kind = None

    # Wildcard and near-miss spellings of the action and resource, for policy statements.

    def action_entries(self) -> list[str]:
        action = self.action
        service, name = action.split(":", 1)
        return [
            action, action, action.lower(), action.upper(), f"{service.upper()}:{name.lower()}",
            f"{service}:*", f"{service}:{name[:3]}*", f"{service}:{name[:-1]}?",
            f"{service}:?{name[1:]}", f"{service}:*{name[-4:]}", "*",
            f"{service}:{name}s", f"{service}:Delete*", "iam:PassRole",
            "logs:PutLogEvents", f"{service}:List*", "cloudwatch:PutMetricData",
        ]

    def resource_entries(self) -> list[str]:
        base = ["*", self.resource, self.resource]
        b, p, acct = self.bucket, self.prefix, self.account
        if self.action.startswith("s3:"):
            base += [
                f"arn:aws:s3:::{b}/*", f"arn:aws:s3:::{b}/{p}*", f"arn:aws:s3:::{b}",
                f"arn:aws:s3:::{b[:4]}*/*", f"arn:aws:s3:::{b[:-1]}?/*", "arn:aws:s3:::*",
                f"arn:aws:s3:::{b}/*/*", f"arn:aws:s3:::{b}/runs*/*", f"arn:aws:s3:::{b}/*.csv",
                f"arn:aws:s3:::{b}/{p}?*", "arn:aws:s3:::other-bucket/*", f"arn:aws:s3:::{b}*",
                f"arn:aws:s3:::{b.upper()}/*", "arn:aws:s3:::*/*",
            ]
        elif self.service == "kms":
            base += [
                f"arn:aws:kms:{REGION}:{acct}:key/*", f"arn:aws:kms:*:{acct}:key/*",
                f"arn:aws:kms:{REGION}:*:key/*", f"arn:aws:kms:{REGION}:{acct}:alias/*",
                f"arn:aws:kms:{REGION}:{acct}:*", f"arn:aws:kms:{REGION}:{acct}:key/1234*",
                f"arn:aws:kms:*:*:key/{self.key_id[:-1]}?", "arn:aws:kms:*:*:*",
                f"arn:aws:kms:eu-west-1:{acct}:key/*", f"arn:aws:kms:{REGION}:{OTHER}:key/*",
            ]
        elif self.service == "cloudwatch":
            base += ["*", "*", "arn:aws:s3:::other-bucket/*", "arn:aws:logs:*:*:*"]
        else:
            head = self.resource.rsplit(":", 1)[0] if self.service in ("sqs", "sns") else (
                self.resource.split(":secret:")[0] + ":secret")
            base += [
                f"{head}:*", f"{self.resource[:-3]}*", f"{self.resource[:-1]}?",
                f"arn:aws:{self.service}:*:*:*", f"arn:aws:{self.service}:{REGION}:{acct}:*",
                f"arn:aws:{self.service}:{REGION}:*:*", f"arn:aws:{self.service}:*",
                f"arn:aws:logs:{REGION}:{acct}:log-group:*",
                f"arn:aws:logs:{REGION}:{acct}:log-group:/aws/personalize:*",
                f"arn:aws:logs:{REGION}:{acct}:log-group:/aws/*:log-stream:*",
                f"arn:aws:logs:{REGION}:{acct}:log-group:/aws/personalize*",
            ]
        return base


# --- Context keys ----------------------------------------------------------------------------

# Every key a generated condition may name. A key not set in a request's context is absent
# there (for us and for iam-simulate alike), unless the pair makes it "unknown".
KEYS = (
    "aws:SecureTransport", "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths", "aws:PrincipalTag/team", "aws:RequestedRegion",
    "aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceVpce", "aws:CalledVia",
    "cloudwatch:namespace", "s3:x-amz-server-side-encryption", "s3:prefix",
    "kms:CallerAccount", "kms:ViaService", "kms:EncryptionContextKeys",
)
MULTI = frozenset({"aws:PrincipalOrgPaths", "aws:PrincipalServiceNamesList", "aws:CalledVia",
                   "kms:EncryptionContextKeys"})
ACTION_KEYS = {
    "cloudwatch:namespace": ("cloudwatch:PutMetricData",),
    "s3:x-amz-server-side-encryption": ("s3:PutObject",),
    "s3:prefix": ("s3:ListBucket",),
    "kms:CallerAccount": ("kms:GenerateDataKey", "kms:Decrypt"),
    "kms:ViaService": ("kms:GenerateDataKey", "kms:Decrypt"),
    "kms:EncryptionContextKeys": ("kms:GenerateDataKey", "kms:Decrypt"),
}
ORG_PATH = f"{ORG}/r-ab12/ou-ab12-11111111/"


def applies(key: str, action: str) -> bool:
    """Can a request for ``action`` carry ``key``? (Global keys: any request.)"""
    return key not in ACTION_KEYS or action in ACTION_KEYS[key]
DATASET_GROUP = f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset-group/retail"


def request_context(rng: random.Random, t: Target) -> Json:
    ctx: Json = {"aws:SecureTransport": "true" if rng.random() < 0.9 else "false"}
    if rng.random() < 0.85:
        ctx["aws:RequestedRegion"] = REGION if rng.random() < 0.85 else "eu-west-1"
    if t.principal_kind == "service":
        ctx["aws:PrincipalIsAWSService"] = "true"
        ctx["aws:PrincipalServiceName"] = SERVICE
        ctx["aws:PrincipalServiceNamesList"] = [SERVICE]
        ctx["aws:SourceAccount"] = ACCOUNT if rng.random() < 0.85 else OTHER
        ctx["aws:SourceArn"] = rng.choice([
            DATASET_GROUP, f"arn:aws:personalize:{REGION}:{ACCOUNT}:metric-attribution/retail",
            f"arn:aws:personalize:{REGION}:{OTHER}:dataset-group/retail"])
    else:
        ctx["aws:PrincipalIsAWSService"] = "false"
        ctx["aws:PrincipalArn"] = t.role_arn
        ctx["aws:PrincipalAccount"] = ACCOUNT
        if rng.random() < 0.6:
            ctx["aws:PrincipalOrgID"] = ORG
            ctx["aws:PrincipalOrgPaths"] = [ORG_PATH]
        tag = rng.random()
        if tag < 0.5:
            ctx["aws:PrincipalTag/team"] = "ml"
        elif tag < 0.6:
            ctx["aws:PrincipalTag/team"] = "ML"
        via = rng.random()
        if via < 0.2:
            ctx["aws:CalledVia"] = ["athena.amazonaws.com"]
        elif via < 0.3:
            ctx["aws:CalledVia"] = ["athena.amazonaws.com", "dynamodb.amazonaws.com"]
        if rng.random() < 0.15:
            ctx["aws:SourceVpce"] = "vpce-1a2b3c4d"
    if t.action == "cloudwatch:PutMetricData":
        ctx["cloudwatch:namespace"] = rng.choice(["AWS/Personalize", "AWS/Personalize", "Custom"])
    elif t.action == "s3:PutObject" and rng.random() < 0.7:
        ctx["s3:x-amz-server-side-encryption"] = rng.choice(["aws:kms", "AES256"])
    elif t.action == "s3:ListBucket" and rng.random() < 0.7:
        ctx["s3:prefix"] = rng.choice([t.prefix, "other/"])
    elif t.service == "kms":
        if t.principal_kind == "role":
            ctx["kms:CallerAccount"] = ACCOUNT
            if rng.random() < 0.6:
                ctx["kms:ViaService"] = f"s3.{REGION}.amazonaws.com"
        if rng.random() < 0.6:
            ctx["kms:EncryptionContextKeys"] = rng.choice([["aws:s3:arn"],
                                                           ["aws:s3:arn", "team"]])
    return ctx


# --- Conditions ------------------------------------------------------------------------------


def _values_for(key: str, t: Target) -> list[str]:
    """Condition values for a key: ones that match typical requests, and near misses."""
    role = t.role_arn
    table: dict[str, list[str]] = {
        "aws:SecureTransport": ["true", "false"],
        "aws:PrincipalIsAWSService": ["true", "false"],
        "aws:PrincipalArn": [
            role, role, f"arn:aws:iam::{ACCOUNT}:role/*", "arn:aws:iam::*:role/Personalize*",
            f"arn:aws:iam::{ACCOUNT}:role/service-role/*", role.lower(),
            f"arn:aws:iam::{OTHER}:role/*", f"arn:aws:iam::{ACCOUNT}:role/*Metrics?ole",
            f"arn:aws:iam::{ACCOUNT}:*"],
        "aws:PrincipalAccount": [ACCOUNT, ACCOUNT, OTHER, "1111*"],
        "aws:PrincipalOrgID": [ORG, ORG, "o-other00000", "o-abc*"],
        "aws:PrincipalOrgPaths": [ORG_PATH, f"{ORG}/r-ab12/*", f"{ORG}/r-zz99/*", "o-*"],
        "aws:PrincipalTag/team": ["ml", "ml", "ML", "m*", "data"],
        "aws:RequestedRegion": [REGION, REGION, "us-*", "eu-west-1", "eu-*"],
        "aws:PrincipalServiceName": [SERVICE, "s3.amazonaws.com", "*.amazonaws.com"],
        "aws:PrincipalServiceNamesList": [SERVICE, "s3.amazonaws.com", "personalize.*"],
        "aws:SourceAccount": [ACCOUNT, ACCOUNT, OTHER, "1111*", "????????????"],
        "aws:SourceArn": [
            f"arn:aws:personalize:{REGION}:{ACCOUNT}:*", DATASET_GROUP,
            f"arn:aws:personalize:*:{ACCOUNT}:dataset-group/*",
            f"arn:aws:personalize:{REGION}:{ACCOUNT}:*/retail",
            f"arn:aws:personalize:{REGION}:{OTHER}:*", "arn:aws:personalize:*:*:*",
            f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset-group/*",
            f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset-group/re??il"],
        "aws:SourceVpce": ["vpce-1a2b3c4d", "vpce-0000000"],
        "aws:CalledVia": ["athena.amazonaws.com", "dynamodb.amazonaws.com", "*.amazonaws.com"],
        "cloudwatch:namespace": ["AWS/Personalize", "AWS/Personalize", "AWS/*", "Custom",
                                 "aws/personalize"],
        "s3:x-amz-server-side-encryption": ["aws:kms", "aws:kms", "AES256", "aws:*"],
        "s3:prefix": [t.prefix, f"{t.prefix}*", "other/", "*"],
        "kms:CallerAccount": [ACCOUNT, OTHER],
        "kms:ViaService": [f"s3.{REGION}.amazonaws.com", "s3.*.amazonaws.com",
                           f"personalize.{REGION}.amazonaws.com"],
        "kms:EncryptionContextKeys": ["aws:s3:arn", "aws:*", "team"],
    }
    return table[key]


_STRING_OPS = ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike",
               "StringEqualsIgnoreCase"]
_ARN_OPS = ["ArnLike", "ArnEquals", "ArnNotLike", "StringLike"]


def _operator(rng: random.Random, key: str) -> str:
    if key in ("aws:SecureTransport", "aws:PrincipalIsAWSService"):
        return "Bool"
    if key in ("aws:PrincipalArn", "aws:SourceArn"):
        op = rng.choice(_ARN_OPS)
    else:
        op = rng.choice(_STRING_OPS)
    if key in MULTI or rng.random() < 0.12:
        op = rng.choice(["ForAnyValue:", "ForAllValues:", ""]) + op
    return op


def condition_block(rng: random.Random, t: Target, deny: bool) -> Json:
    block: Json = {}
    for _ in range(1 if rng.random() < 0.75 else 2):
        key = rng.choice(KEYS)
        if rng.random() < 0.1:
            op = "Null"
            values: list[str] = [rng.choice(["true", "false"])]
        else:
            op = _operator(rng, key)
            if rng.random() < (0.35 if deny else 0.2):
                op += "IfExists"
            pool = _values_for(key, t)
            values = [rng.choice(pool) for _ in range(1 if rng.random() < 0.75 else 2)]
            values = list(dict.fromkeys(values))
        block.setdefault(op, {})[key] = values[0] if len(values) == 1 else values
    return block


# --- Statements and policies ---------------------------------------------------------------


def _some(rng: random.Random, pool: list[str], weights: tuple[float, ...] = (0.6, 0.3)) -> (
    str | list[str]
):
    n = 1 if rng.random() < weights[0] else (2 if rng.random() < weights[1] / (1 - weights[0])
                                              else 3)
    items = list(dict.fromkeys(rng.choice(pool) for _ in range(n)))
    return items[0] if len(items) == 1 and rng.random() < 0.7 else items


def principal_entries(t: Target) -> list[Any]:
    role, session = t.role_arn, session_arn(t.role)
    return [
        {"Service": SERVICE}, {"Service": SERVICE}, {"Service": "s3.amazonaws.com"},
        {"Service": [SERVICE, "s3.amazonaws.com"]},
        {"AWS": role}, {"AWS": role}, {"AWS": ACCOUNT}, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        {"AWS": OTHER}, {"AWS": f"arn:aws:iam::{OTHER}:root"}, "*", {"AWS": "*"},
        {"AWS": session}, {"AWS": role_arn("OtherRole")}, {"AWS": [role, ACCOUNT]},
        {"AWS": role_arn(t.role.rsplit("/", 1)[-1])},
    ]


def statement(rng: random.Random, t: Target, *, kind: str, deny_rate: float) -> Json:
    """One statement of a policy of ``kind``: identity, boundary, resource, trust."""
    deny = rng.random() < deny_rate
    st: Json = {"Effect": "Deny" if deny else "Allow"}
    if rng.random() < 0.15:
        st["Sid"] = f"S{rng.randrange(100)}"
    if kind == "rcp":
        st["Effect"] = "Deny"  # RCPFullAWSAccess is always there: an RCP can only deny
        st["Principal"] = "*"
    elif kind in ("resource", "trust"):
        pool = principal_entries(t)
        if rng.random() < 0.1:
            choice = rng.choice(pool)
            st["NotPrincipal"] = {"AWS": ACCOUNT} if choice in ("*", {"AWS": "*"}) else choice
        else:
            st["Principal"] = rng.choice(pool)
    actions = t.action_entries()
    if rng.random() < 0.13 and kind != "rcp":  # RCPs take no NotAction
        st["NotAction"] = _some(rng, actions[5:])
    else:
        st["Action"] = _some(rng, [a for a in actions if a != "*"] if kind == "rcp" else actions)
    if kind != "trust":
        resources = t.resource_entries()
        if kind == "rcp":  # iam-simulate rejects ARNs of fewer than six fields in RCPs
            resources = [r for r in resources if r == "*" or r.count(":") >= 5]
        if rng.random() < 0.12:
            st["NotResource"] = _some(rng, resources[1:])
        else:
            st["Resource"] = _some(rng, resources)
    if rng.random() < (0.45 if deny else 0.35) or kind == "rcp":
        st["Condition"] = condition_block(rng, t, deny)
    return st


FULL_ACCESS: Json = {"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def org_levels(rng: random.Random, t: Target, kind: str) -> list[list[Json]]:
    """SCPs or RCPs: one list of policies per level, root first. An SCP level usually keeps
    FullAWSAccess beside its own policies (it is attached by default)."""
    levels = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        level: list[Json] = []
        if kind == "scp" and rng.random() < 0.7:
            level.append(FULL_ACCESS)
        for _ in range(rng.choice([0, 1, 1, 2]) if level else 1):
            level.append(policy(rng, t, kind, 0.5 if kind == "scp" else 1.0))
        levels.append(level)
    return levels


def policy(rng: random.Random, t: Target, kind: str, deny_rate: float) -> Json:
    n = 1 if rng.random() < 0.5 else (2 if rng.random() < 0.7 else 3)
    statements = [statement(rng, t, kind=kind, deny_rate=deny_rate) for _ in range(n)]
    version = "2012-10-17" if rng.random() < 0.97 or kind == "rcp" else "2008-10-17"
    return {"Version": version,
            "Statement": statements if n > 1 or rng.random() < 0.8 else statements[0]}


# --- Samples: the concrete requests behind a partly known one -----------------------------


def _instances(pattern: str) -> list[str]:
    """A few concrete strings matching a wildcard pattern."""
    return list(dict.fromkeys([
        pattern.replace("*", "").replace("?", "x"),
        pattern.replace("*", "q:z/w").replace("?", "Q"),
    ]))


def _policy_strings(policies: list[Json], pick: Callable[[Json], list[Any]]) -> list[str]:
    out: list[str] = []
    for doc in policies:
        sts = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
        for st in sts:
            for item in pick(st):
                if isinstance(item, str):
                    out.append(item)
    return out


def _resources_of(st: Json) -> list[Any]:
    value = st.get("Resource", st.get("NotResource", []))
    return value if isinstance(value, list) else [value]


def _condition_values(key: str) -> Callable[[Json], list[Any]]:
    def pick(st: Json) -> list[Any]:
        out: list[Any] = []
        for pairs in st.get("Condition", {}).values():
            for k, v in pairs.items():
                if k == key:
                    out.extend(v if isinstance(v, list) else [v])
        return out
    return pick


def all_policies(pair: Json) -> list[Json]:
    out = list(pair["identity"])
    for name in ("boundary", "resource_policy"):
        if pair.get(name):
            out.append(pair[name])
    for levels in (pair.get("scps", []), pair.get("rcps", [])):
        for level in levels:
            out.extend(level)
    return out


def object_samples(pattern: str, policies: list[Json]) -> list[str]:
    """Object ARNs under ``pattern`` (which ends in ``*``): some fixed ones, and instances of
    the policies' resource patterns that fall under it (to hit their edges)."""
    head = pattern[:-1]
    found = [head + s for s in ("report.csv", "a:b/c.json", "deep/er/x.csv", "z", "")]
    for entry in _policy_strings(policies, _resources_of):
        for inst in _instances(entry):
            if inst.startswith(head):
                found.append(inst)
    # An object key is never empty: "bucket/" alone is not an object.
    return [f for f in dict.fromkeys(found) if f.split(":::", 1)[1].partition("/")[2]][:14]


def key_samples(key: str, known: Any, policies: list[Json]) -> list[Any]:
    """Values an unknown key might have: absent (None), its usual value, condition values."""
    found: list[Any] = [None]
    if known is not None:
        found.append(known)
    for value in _policy_strings(policies, _condition_values(key)):
        for inst in [value, *_instances(value)]:  # the value itself: StringEquals is literal
            found.append([inst] if key in MULTI else inst)
    found.append(["zz-nomatch"] if key in MULTI else "zz-nomatch")
    unique: list[Any] = []
    for v in found:
        if v not in unique:
            unique.append(v)
    return unique[:10]


def source_arn_samples(pattern: str, policies: list[Json]) -> list[str]:
    head = pattern[:-1]
    found = [head + s for s in ("dataset-group/retail", "metric-attribution/retail-metrics",
                                "recommender/x:y")]
    for value in _policy_strings(policies, _condition_values("aws:SourceArn")):
        for inst in [value, *_instances(value)]:
            if inst.startswith(head) and inst != head:
                found.append(inst)
    return list(dict.fromkeys(found))[:10]


# --- Pairs ------------------------------------------------------------------------------------


def make_pair(rng: random.Random) -> Json:
    principal_kind = "service" if rng.random() < 0.35 else "role"
    t = Target(rng, principal_kind)
    ctx = request_context(rng, t)
    identity: list[Json] = []
    boundary = None
    if principal_kind == "role":
        identity = [policy(rng, t, "identity", 0.25)
                    for _ in range(rng.choice([0, 1, 1, 1, 2, 2]))]
        if rng.random() < 0.3:
            boundary = policy(rng, t, "identity", 0.15)
    resource_policy = None
    if t.kind is not None:
        resource_policy = policy(rng, t, "trust" if t.kind == "trust" else "resource", 0.25)
    # SCPs never apply to the service principal's own calls: a few such pairs show it.
    scps = org_levels(rng, t, "scp") if rng.random() < (
        0.3 if principal_kind == "role" else 0.05) else []
    rcps = org_levels(rng, t, "rcp") if rng.random() < 0.25 else []
    pair: Json = {
        "principal": principal_kind,
        "role": t.role_arn,
        "action": t.action,
        "resource": t.resource,
        "resource_account": t.account,
        "resource_kind": t.kind,
        "identity": identity,
        "boundary": boundary,
        "resource_policy": resource_policy,
        "scps": scps,
        "rcps": rcps,
        "context": ctx,
        "unknown": [],
    }
    pair["samples"] = samples(rng, pair, t)
    return pair


def samples(rng: random.Random, pair: Json, t: Target) -> list[Json]:
    """The concrete requests for iam-simulate; marks what is partly known in ``pair``."""
    policies = all_policies(pair)
    ctx = pair["context"]
    if t.partial:
        pattern = f"arn:aws:s3:::{t.bucket}/{t.prefix}*"
        pair["resource"] = {"partial": pattern}
        return [{"resource": r, "context": ctx} for r in object_samples(pattern, policies)]
    roll = rng.random()
    if roll < 0.08 and "aws:SourceArn" in ctx:
        pattern = f"arn:aws:personalize:{REGION}:{ACCOUNT}:*"
        ctx["aws:SourceArn"] = {"partial": pattern}
        return [{"resource": t.resource, "context": {**ctx, "aws:SourceArn": v}}
                for v in source_arn_samples(pattern, policies)]
    if roll < 0.2:
        named = [k for k in KEYS if applies(k, t.action)
                 and _policy_strings(policies, _condition_values(k))]
        if named:
            key = rng.choice(named)
            known = ctx.pop(key, None)
            pair["unknown"] = [key]
            out = []
            for value in key_samples(key, known, policies):
                sample = dict(ctx)
                if value is not None:
                    sample[key] = value
                out.append({"resource": t.resource, "context": sample})
            return out
    return [{"resource": t.resource, "context": ctx}]


def generate(seed: int = SEED, count: int = COUNT) -> list[Json]:
    """``count`` distinct pairs (a small pair is now and then drawn twice)."""
    rng = random.Random(seed)
    out: dict[str, Json] = {}
    while len(out) < count:
        pair = make_pair(rng)
        out.setdefault(pair_id(pair), pair)
    return list(out.values())
