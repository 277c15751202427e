"""The known divergences between our evaluator and iam-simulate, each with the AWS sentence
that decides it (or, for two, the sentence that shows the documentation does not).

A divergence is a generated pair whose comparison (``compare.py``) is neither an agreement
nor a justified "uncertain". Each one must be claimed by a class below; each class must
still claim at least one pair, so that a class whose cause was fixed is noticed and
removed. (Issue 16's class, "wildcards in the sixth ARN field stop at ':'", recognised by
a counterfactual with issue 16's ARN matching, claimed 28 pairs until that work landed.)

Classes are recognised by the feature of the pair that triggers them, or, on our side, by
a counterfactual (our verdict on each sample alone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from personalize_lint.iam.organizations import RCP_SERVICES

from .compare import Comparison, ours, ours_code
from .pairs import ACCOUNT, MULTI, Json, all_policies, session_arn


@dataclass(frozen=True)
class Divergence:
    name: str
    side: str  # "iam-simulate", "ours: ...", "not decided by the documentation"
    quote: str  # the AWS documentation sentence(s) that decide it
    source: str
    claims: Callable[[Json, Comparison], bool]


def _statements(doc: Json) -> list[Json]:
    st = doc["Statement"]
    return st if isinstance(st, list) else [st]


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _all_statements(pair: Json) -> list[Json]:
    return [st for doc in all_policies(pair) for st in _statements(doc)]


# --- Ours, a documented approximation --------------------------------------------------


def _allows_combined(pair: Json, c: Comparison) -> bool:
    """Every sampled object is allowed, by us too when asked about it alone: only the
    Partial "some object under the prefix" is not, because no single Allow covers it."""
    if c.mode != "partial-resource" or c.ours == "A" or set(c.theirs) != {"A"}:
        return False
    for sample in pair["samples"]:
        concrete = {**pair, "resource": sample["resource"], "samples": [sample]}
        if ours_code(ours(concrete)) != "A":
            return False
    return True


# --- iam-simulate's side ----------------------------------------------------------------


def _star_request(pair: Json, c: Comparison) -> bool:
    if pair["action"] != "cloudwatch:PutMetricData":
        return False
    return any(r != "*" for st in _all_statements(pair)
               for r in _listify(st.get("Resource", st.get("NotResource", "*"))))


def _caller_identities(pair: Json) -> tuple[set[str], set[str]]:
    role = pair["role"]
    name = role.split(":role/", 1)[1]
    plain = f"arn:aws:iam::{ACCOUNT}:role/{name.rsplit('/', 1)[-1]}"
    return {role, plain, session_arn(name)}, {ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root"}


def _notprincipal_names_part(pair: Json, c: Comparison) -> bool:
    """A NotPrincipal that lists the caller's role (or session) without its account, or the
    account without the role: iam-simulate excepts the caller either way."""
    if pair["principal"] != "role" or not pair["resource_policy"]:
        return False
    me, account = _caller_identities(pair)
    for st in _statements(pair["resource_policy"]):
        spec = st.get("NotPrincipal")
        if not isinstance(spec, dict):
            continue
        listed = set(_listify(spec.get("AWS", [])))
        if bool(listed & me) != bool(listed & account):
            return True
    return False


def _scp_on_service_principal(pair: Json, c: Comparison) -> bool:
    return pair["principal"] == "service" and bool(pair["scps"])


def _rcp_on_unsupported_service(pair: Json, c: Comparison) -> bool:
    return bool(pair["rcps"]) and pair["action"].split(":")[0].lower() not in RCP_SERVICES


# --- Not decided by the documentation -------------------------------------------------------


def _multivalued_without_set_operator(pair: Json, c: Comparison) -> bool:
    keys = {k.lower() for s in pair["samples"] for k in s["context"] if k in MULTI}
    for st in _all_statements(pair):
        for op, block in st.get("Condition", {}).items():
            if ":" in op or op.lower() == "null":
                continue
            if any(k.lower() in keys for k in block):
                return True
    return False


def _grant_to_everyone_under_a_boundary(pair: Json, c: Comparison) -> bool:
    if pair["principal"] != "role" or not pair["boundary"] or not pair["resource_policy"]:
        return False
    if c.ours == "A" or "A" not in c.theirs:
        return False
    for st in _statements(pair["resource_policy"]):
        if st["Effect"] != "Allow":
            continue
        principal = st.get("Principal")
        if "NotPrincipal" in st or principal == "*" or (
                isinstance(principal, dict) and "*" in _listify(principal.get("AWS", []))):
            return True
    return False


NOTPRINCIPAL = ("AWS JSON policy elements: NotPrincipal", (
    "When you use NotPrincipal with Deny, you must also specify the account ARN of the "
    "not-denied principal. Otherwise, the policy might deny access to the entire account "
    "containing the principal. [...] If an assumed-role user (someone who is using a role) "
    "is being evaluated, AWS might validate the account first, then the role, and then the "
    "assumed-role user."))

KNOWN: tuple[Divergence, ...] = (
    Divergence(
        "Allows that only together cover an output prefix",
        "ours: documented approximation",
        "Several Allows that only together cover the pattern are not combined (a "
        "documented approximation: it reports rather than passes).",
        "our evaluator's module docstring (checker/iam/evaluator.py); AWS evaluates each "
        "object on its own, as iam-simulate does for each sample",
        _allows_combined,
    ),
    Divergence(
        "PutMetricData on \"*\" read as 'some resource'",
        "iam-simulate",
        "If there is no value for this column, you must specify all resources (\"*\") to "
        "which the policy applies in the Resource element of your policy statement.",
        "Service Authorization Reference, Amazon CloudWatch (PutMetricData names no required "
        "resource type: a statement scoped to an ARN does not apply to it; iam-simulate runs "
        "a request for \"*\" as a wildcard and allows it if any resource is allowed)",
        _star_request,
    ),
    Divergence(
        "NotPrincipal naming only part of the caller",
        "iam-simulate",
        NOTPRINCIPAL[1],
        f"IAM user guide, \"{NOTPRINCIPAL[0]}\" (iam-simulate excepts a role session when "
        "any one of its account, role or session is listed)",
        _notprincipal_names_part,
    ),
    Divergence(
        "SCPs applied to the service principal",
        "iam-simulate",
        "SCPs affect only IAM users and roles that are managed by accounts that are part of "
        "the organization. SCPs don't affect resource-based policies directly.",
        "AWS Organizations user guide, \"Service control policies (SCPs)\"",
        _scp_on_service_principal,
    ),
    Divergence(
        "RCPs applied to services that do not support them",
        "iam-simulate",
        "RCPs apply to actions for the following AWS services: [...] (the list has CloudWatch "
        "Logs, not CloudWatch metrics nor Amazon SNS)",
        "AWS Organizations user guide, \"List of AWS services that support RCPs\"",
        _rcp_on_unsupported_service,
    ),
    Divergence(
        "a multivalued key under an operator without a set prefix",
        "not decided by the documentation",
        "Multivalued context keys require a condition set operator.",
        "IAM user guide, \"Single-valued vs. multivalued context keys\": nothing says what "
        "such an operator does on them, so we answer uncertain; iam-simulate answers no match",
        _multivalued_without_set_operator,
    ),
    Divergence(
        "a grant to everyone (\"*\" or NotPrincipal) for a role with a boundary",
        "not decided by the documentation",
        "Resource-based policies that grant permissions to an IAM role ARN are limited by an "
        "implicit deny in a permissions boundary or session policy. [...] Permissions granted "
        "directly to a session are not limited by an implicit deny in an identity-based "
        "policy, a permissions boundary, or session policy.",
        "IAM user guide, \"Policy evaluation logic\": a grant to \"*\" names neither; we "
        "cap it by the boundary (reports rather than passes), iam-simulate does not",
        _grant_to_everyone_under_a_boundary,
    ),
)


def classify(pair: Json, c: Comparison) -> list[str]:
    """The names of the known divergences that claim a diverging pair."""
    return [d.name for d in KNOWN if d.claims(pair, c)]
