"""Our verdict on a generated pair, iam-simulate's verdicts on its samples, and how they compare.

iam-simulate answers ``Allowed``, ``ExplicitlyDenied`` or ``ImplicitlyDenied`` (stored as
``A``/``E``/``I``) for each concrete sample of a pair. Our evaluator answers ``allowed``,
``denied`` (with or without ``explicit_deny``) or ``uncertain`` for the pair itself, which
may be only partly known. The comparison, by what the pair leaves open:

* **concrete** (one sample, everything known): ``allowed`` agrees with ``A``; ``denied``
  with ``E`` when our answer is an explicit deny and with ``I`` otherwise. ``uncertain``
  never agrees: with every key known or absent there is nothing to be unsure of.
* **partial resource** ("some object under ``bucket/prefix/``"): we promise ``allowed`` only
  if every such object is allowed, and ``denied`` as soon as one is. So ``allowed`` agrees
  when every sample is ``A``; ``denied`` when some sample is denied (and, for an explicit
  deny, some sample is ``E``; for an implicit one, none is). ``uncertain`` never agrees.
* **partial or unknown context key** (``aws:SourceArn`` known only as "some Personalize ARN
  of this account", or a key left unknown; samples give it several values, absent
  included): ``allowed`` agrees when every sample is ``A``, ``denied`` when every sample is
  denied (an explicit deny when every sample is ``E``; an implicit one accepts ``E`` too,
  since a Deny whose condition we cannot decide may apply to some values). ``uncertain``
  is never counted as agreement, nor as a divergence that needs explaining. It is
  *justified* when the samples disagree among themselves (the answer truly depends on the
  value we do not know) and *conservative* when they all agree (three-valued logic did not
  see that the unknown value could not matter); both are reported apart from agreements.

Anything else is a *divergence*; each one must be a known divergence
(:mod:`.divergences`), with the AWS documentation sentence that decides it. The samples are
a finite probe, not every possible value: a verdict they cannot contradict is not proven.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from personalize_lint.iam.context import Context, Partial, Principal, Request, Value
from personalize_lint.iam.evaluator import Result, evaluate

from .pairs import ACCOUNT, KEYS, SERVICE, SESSION, Json

Status = Literal["agree", "uncertain-justified", "uncertain-conservative", "diverge"]
OURS_CODE = {"allowed": "A", "uncertain": "?"}


def mode(pair: Json) -> str:
    if isinstance(pair["resource"], dict):
        return "partial-resource"
    if pair["unknown"] or any(isinstance(v, dict) for v in pair["context"].values()):
        return "partial-context"
    return "concrete"


def _value(raw: Any) -> Value | tuple[Value, ...]:
    if isinstance(raw, dict):
        return Partial(raw["partial"])
    if isinstance(raw, list):
        return tuple(raw)
    return str(raw)


def request_of(pair: Json) -> Request:
    ctx = pair["context"]
    values = {k: _value(v) for k, v in ctx.items()}
    absent = [k for k in KEYS if k not in ctx and k not in pair["unknown"]]
    context = Context.build(values, absent=absent)
    if pair["principal"] == "service":
        principal = Principal.service(SERVICE)
    else:
        principal = Principal.role(pair["role"], session=SESSION)
    resource = pair["resource"]
    target: Value = Partial(resource["partial"]) if isinstance(resource, dict) else resource
    return Request(principal, pair["action"], target, context)


def ours(pair: Json) -> Result:
    return evaluate(
        request_of(pair),
        identity_policies=pair["identity"],
        resource_policy=pair["resource_policy"],
        resource_kind=pair["resource_kind"],
        permissions_boundary=pair["boundary"],
        same_account=pair["resource_account"] == ACCOUNT,
        service_control_policies=pair["scps"],
        resource_control_policies=pair["rcps"],
    )


def ours_code(result: Result) -> str:
    """``A``, ``E`` (denied by an explicit Deny), ``I`` (denied otherwise) or ``?``."""
    if result.decision == "denied":
        return "E" if result.explicit_deny else "I"
    return OURS_CODE[result.decision]


@dataclass(frozen=True)
class Comparison:
    status: Status
    ours: str  # one code
    theirs: str  # one code per sample
    mode: str


def compare(pair: Json, our: str, theirs: str) -> Comparison:
    kind = mode(pair)
    return Comparison(_status(kind, our, theirs), our, theirs, kind)


def _status(kind: str, our: str, theirs: str) -> Status:
    if our == "?":
        if kind != "partial-context":
            return "diverge"
        return "uncertain-justified" if len(set(theirs)) > 1 else "uncertain-conservative"
    if our == "A":
        return "agree" if set(theirs) == {"A"} else "diverge"
    denied = [c for c in theirs if c != "A"]
    if kind == "concrete":
        ok = theirs == our
    elif kind == "partial-resource":
        ok = bool(denied) and (("E" in theirs) if our == "E" else ("E" not in theirs))
    else:
        # Every value of the key is denied; "explicit" only if a Deny applies to each.
        ok = len(denied) == len(theirs) and (our == "I" or set(denied) == {"E"})
    return "agree" if ok else "diverge"


