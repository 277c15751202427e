"""ARNs: parsing, partitions, the S3 and KMS shapes Personalize uses, and ARN patterns.

Parsing is ours rather than policyuniverse's ``ARN`` class: that one only accepts 12-digit
or ``aws`` accounts and classifies principals, while we need the six segments of any ARN
(wildcards included) and nothing else, without importing policyuniverse (its import loads
an 8 MB JSON file).

ARN patterns (``Resource``/``NotResource`` entries and ``ArnLike``/``ArnEquals`` values)
share one matcher, :func:`_arn_tokens`. An ARN has six fields split by its first five
colons; the sixth (the resource) is the rest of the string and may hold colons itself (S3
keys such as ``runs:2026/x.csv``, ``log-group:name:log-stream:x``). In the first five fields
``*`` and ``?`` stay inside their field; in the sixth they match any character, ``:``
included. The one difference between the two uses is documented at :func:`resource_glob`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .matching import ANY1, ANY1X, STAR, STARX, Glob, make_glob, tokenize

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f",
              "aws-eusc")
_REGION_PARTITION = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
    ("eusc-", "aws-eusc"),
)
ACCOUNT_RE = re.compile(r"\d{12}")
# From the Personalize API model (botocore personalize RoleArn / KmsKeyArn shapes).
ROLE_ARN_API_RE = re.compile(r"arn:([a-z\d-]+):iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")
KEY_ID_RE = re.compile(
    r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})"
)
KEY_ARN_RE = re.compile(
    r"arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key/(" + KEY_ID_RE.pattern + ")"
)


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """``role`` for ``role/x``, ``key`` for ``key/id``, ``alias`` ... ("" if none)."""
        for sep in ("/", ":"):
            if sep in self.resource:
                return self.resource.split(sep, 1)[0]
        return ""


@lru_cache(maxsize=4096)
def parse_arn(value: str) -> Arn | None:
    """The six segments of an ARN, or None when ``value`` is not ``arn:...`` with six parts."""
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(*parts[1:])


def account_of(value: str | None) -> str | None:
    """The account ID an ARN names (digits), or None (no ARN, no account, a wildcard)."""
    arn = parse_arn(value or "")
    return arn.account if arn is not None and arn.account.isdigit() else None


def partition_of_region(region: str | None) -> str:
    for prefix, partition in _REGION_PARTITION:
        if region and region.startswith(prefix):
            return partition
    return "aws"


def account_root_arn(account: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:root"


def role_name(role_arn: str) -> str | None:
    """``path/name`` -> ``name`` for role ARNs (IAM principals drop the path)."""
    arn = parse_arn(role_arn)
    if arn is None or arn.service != "iam" or not arn.resource.startswith("role/"):
        return None
    return arn.resource.rsplit("/", 1)[-1]


# --- S3 ---------------------------------------------------------------------------------

S3_URL_RE = re.compile(r"s3://(?P<bucket>[^/]*)(?:/(?P<key>.*))?\Z", re.DOTALL)
BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
IP_LIKE_RE = re.compile(r"\d+\.\d+\.\d+\.\d+")


def split_s3_url(url: str) -> tuple[str, str] | None:
    """``s3://bucket/some/prefix`` -> (bucket, "some/prefix"); None if not an s3:// URL."""
    m = S3_URL_RE.match(url)
    if not m:
        return None
    return m.group("bucket"), m.group("key") or ""


def bucket_name_problems(bucket: str) -> list[str]:
    """Why ``bucket`` breaks the S3 bucket naming rules (empty list when it is valid)."""
    problems = []
    if not 3 <= len(bucket) <= 63:
        problems.append("must be 3-63 characters long")
    if not BUCKET_RE.fullmatch(bucket):
        problems.append(
            "may hold only lowercase letters, digits, dots and hyphens, and must begin and "
            "end with a letter or digit"
        )
    if ".." in bucket:
        problems.append("must not contain two adjacent dots")
    if IP_LIKE_RE.fullmatch(bucket):
        problems.append("must not look like an IP address")
    for prefix in ("xn--", "sthree-", "amzn-s3-demo-"):
        if bucket.startswith(prefix):
            problems.append(f"must not start with {prefix!r}")
    for suffix in ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"):
        if bucket.endswith(suffix):
            problems.append(f"must not end with {suffix!r}")
    return problems


def s3_objects_pattern(bucket: str, prefix: str, partition: str = "aws") -> str:
    """The object ARNs under an output path, as a pattern: ``arn:aws:s3:::b/prefix/*``.

    Personalize names its output files itself, so only "some key under the prefix" is
    known; a grant must cover every such key.
    """
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    escaped = prefix.replace("$", "${$}").replace("*", "${*}").replace("?", "${?}")
    return f"arn:{partition}:s3:::{bucket}/{escaped}*"


def s3_bucket_arn(bucket: str, partition: str = "aws") -> str:
    return f"arn:{partition}:s3:::{bucket}"


# --- KMS --------------------------------------------------------------------------------


def key_arn_problem(value: str) -> str | None:
    """Why ``value`` is not a KMS key ARN (alias ARN, bare key ID, alias name ...), or None."""
    if KEY_ARN_RE.fullmatch(value):
        return None
    if value.startswith("alias/"):
        return "is an alias name, not a key ARN"
    if KEY_ID_RE.fullmatch(value):
        return "is a bare key ID, not a key ARN"
    arn = parse_arn(value)
    if arn is None:
        return "is not an ARN"
    if arn.service != "kms":
        return f"is an ARN of service {arn.service!r}, not a KMS key"
    if arn.resource.startswith("alias/"):
        return "is an alias ARN; Personalize needs the ARN of the key the alias points to"
    if arn.partition not in PARTITIONS:
        return f"has an unknown partition {arn.partition!r}"
    if not ACCOUNT_RE.fullmatch(arn.account):
        return "has no 12-digit account ID"
    if not arn.region:
        return "has no region"
    return "does not have the form arn:<partition>:kms:<region>:<account>:key/<key-id>"


# --- Patterns ----------------------------------------------------------------------------


def _arn_tokens(pattern: str, escapes: bool, *, field_end_crosses: bool) -> tuple[str, ...]:
    """An ARN pattern as tokens, field by field.

    IAM: "Each of the six colon-delimited components of the ARN is checked separately and
    each can include multi-character match wildcards (*) or single-character match wildcards
    (?)" (condition operators, ARN). The sixth component is everything after the fifth
    colon, so its wildcards match colons too. ``field_end_crosses``: a ``*`` that ends one
    of the first five fields may run on past the colon (the Resource element only).
    A pattern with fewer than six fields is tokenized the same way; only a ``*`` ending it
    (with ``field_end_crosses``) can reach further.
    """
    fields = pattern.split(":", 5)  # escapes (${*}, ${?}, ${$}) hold no colon
    out: list[str] = []
    for i, text in enumerate(fields):
        if i:
            out.append(":")
        if i == 5:
            out.extend(tokenize(text, star=STARX, any1=ANY1X, escapes=escapes))
            continue
        tokens = tokenize(text, star=STAR, any1=ANY1, escapes=escapes)
        if field_end_crosses and tokens and tokens[-1] == STAR:
            tokens = (*tokens[:-1], STARX)
        out.extend(tokens)
    return tuple(out)


@lru_cache(maxsize=8192)
def resource_glob(pattern: str, escapes: bool = False) -> Glob:
    """A ``Resource``/``NotResource`` entry (case-sensitive, field-aware wildcards).

    It differs from an ARN condition value in one point, from the IAM reference (Resource
    element): "If the * wildcard is the last character of a resource ARN segment, it can
    expand to match beyond the colon boundaries." So ``arn:aws:s3:*`` covers every S3 ARN
    here, while ``ArnLike`` compares the six components one by one.
    """
    if pattern == "*":
        return make_glob((STARX,))
    return make_glob(_arn_tokens(pattern, escapes, field_end_crosses=True))


@lru_cache(maxsize=8192)
def arn_condition_glob(pattern: str, escapes: bool = False) -> Glob | None:
    """An ``ArnLike``/``ArnEquals`` value: six fields compared one by one.

    IAM: "The ArnEquals and ArnLike condition operators behave identically" (both treat
    ``*`` and ``?`` as wildcards). None when the value has fewer than six fields (it can
    then match no ARN).
    """
    if pattern == "*":
        return make_glob((STARX,))
    if pattern.count(":") < 5:
        return None
    return make_glob(_arn_tokens(pattern, escapes, field_end_crosses=False))
