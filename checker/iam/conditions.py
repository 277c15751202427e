"""Condition blocks, evaluated in three-valued logic: True, False, or None (cannot tell).

The rules, from the IAM reference ("Condition element", "Condition operators", "Single-valued
vs. multivalued context keys"):

* several operators, or several keys under one operator, must all hold (AND); several
  values for one key: any may match (OR);
* a key missing from the request makes a positive operator false and a negated one
  (``StringNotEquals``, ``ArnNotLike``, ``NotIpAddress`` ...) true; ``...IfExists`` is true
  on a missing key; ``Null`` tests presence;
* ``ForAnyValue:`` is false and ``ForAllValues:`` true on a missing key or an empty data set
  (no value, or an empty string), whatever the operator after them, ``...IfExists`` and
  negated ones included: the qualifier applies the operator to each value of the request,
  and there is none (see :func:`evaluate_condition`);
* a multivalued key (``aws:CalledVia`` ...) present in the request, under an operator
  without a set prefix, cannot be decided: "Multivalued context keys require a condition
  set operator" is all the documentation says;
* exact operators (``StringEquals``, ``StringEqualsIgnoreCase``, ``BinaryEquals``) compare
  literally: a ``*`` in their value is a ``*``. Only ``StringLike`` and the ARN operators
  (``ArnLike`` and ``ArnEquals`` alike) read ``*`` and ``?`` as wildcards;
* in a 2012-10-17 policy, ``${key}`` in a value is replaced by the request's value; a
  missing key (without a ``${key, 'default'}``) makes that value match nothing.

A key the context does not know (see :mod:`.context`) gives None with the key named, so
callers can report *uncertain*, never a pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from .arn import arn_condition_glob
from .context import UNKNOWN, Context, Partial, Value, multivalued
from .matching import covers, intersects, string_glob
from .statements import Condition, Item

Tri = bool | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A three-valued answer with the condition keys / reasons that made it None."""

    value: Tri
    keys: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


TRUE = Outcome(True)
FALSE = Outcome(False)


def any3(outcomes: Iterable[Outcome]) -> Outcome:
    keys: list[str] = []
    reasons: list[str] = []
    unknown = False
    for o in outcomes:
        if o.value is True:
            return TRUE
        if o.value is None:
            unknown = True
            keys.extend(o.keys)
            reasons.extend(o.reasons)
    return Outcome(None, tuple(keys), tuple(reasons)) if unknown else FALSE


def all3(outcomes: Iterable[Outcome]) -> Outcome:
    keys: list[str] = []
    reasons: list[str] = []
    unknown = False
    for o in outcomes:
        if o.value is False:
            return FALSE
        if o.value is None:
            unknown = True
            keys.extend(o.keys)
            reasons.extend(o.reasons)
    return Outcome(None, tuple(keys), tuple(reasons)) if unknown else TRUE


def not3(o: Outcome) -> Outcome:
    return o if o.value is None else (FALSE if o.value else TRUE)


def unknown(reason: str, key: str | None = None) -> Outcome:
    return Outcome(None, (key,) if key else (), (reason,))


# --- Policy variables ----------------------------------------------------------------------

_VAR_RE = re.compile(r"\$\{([^}]*)\}")
_LITERAL_ESCAPES = {"*", "?", "$"}


class NoMatch:
    """A value whose policy variable is missing from the request: it matches nothing."""


NO_MATCH = NoMatch()


def escape_literal(value: str) -> str:
    """Protect a substituted value's own ``*``/``?``/``$`` from being read as wildcards."""
    return value.replace("$", "${$}").replace("*", "${*}").replace("?", "${?}")


def unescape(value: str) -> str:
    return value.replace("${*}", "*").replace("${?}", "?").replace("${$}", "$")


def substitute(text: str, context: Context) -> str | NoMatch | Outcome:
    """Replace ``${key}`` / ``${key, 'default'}``; escapes (``${*}``) stay as they are.

    Returns the pattern text (escaped), :data:`NO_MATCH`, or an unknown :class:`Outcome`.
    """
    if "${" not in text:
        return text
    out: list[str] = []
    pos = 0
    for m in _VAR_RE.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        inner = m.group(1).strip()
        if inner in _LITERAL_ESCAPES:
            out.append(m.group(0))
            continue
        key, _, default = inner.partition(",")
        key = key.strip()
        default = default.strip()
        vals = context.lookup(key)
        if vals is UNKNOWN or context.may_be_absent(key):
            return unknown(f"policy variable ${{{key}}} is not known for this request", key)
        assert isinstance(vals, tuple)
        if not vals:
            if default.startswith("'") and default.endswith("'") and len(default) >= 2:
                out.append(escape_literal(default[1:-1]))
                continue
            return NO_MATCH
        if len(vals) != 1 or isinstance(vals[0], Partial):
            return unknown(f"policy variable ${{{key}}} has no single known value", key)
        out.append(escape_literal(vals[0]))
    out.append(text[pos:])
    return "".join(out)


# --- One context value against one policy value ------------------------------------------


def _parse_date(text: str) -> float | None:
    try:
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return float(text)  # epoch seconds
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.timestamp()
    except ValueError:
        return None


def _compare(family: str, left: float, right: float) -> bool:
    op = family[-2:] if family.endswith(("<=", ">=")) else family[-1]
    return {
        "=": left == right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[op]


@lru_cache(maxsize=256)
def _shape(regex: str, fold: bool) -> re.Pattern[str]:
    return re.compile(regex, re.IGNORECASE if fold else 0)


def _may_be(ctx: Partial, literal: str, fold: bool) -> bool:
    """Could the partly known value be exactly ``literal``? (Its pattern and its shape.)"""
    if not string_glob(ctx.pattern, fold, True).match(literal):
        return False
    return ctx.shape is None or _shape(ctx.shape, fold).fullmatch(literal) is not None


def _match_one(family: str, ctx: Value, pattern: str, key: str, variables: bool) -> Outcome:
    """Does one request value satisfy the positive form of the operator for one value?"""
    if family in ("string", "stringi", "binary"):
        # "Exact matching": the value is compared as written, "*" and "?" included.
        fold = family == "stringi"
        literal = unescape(pattern) if variables else pattern
        if isinstance(ctx, Partial):
            if not _may_be(ctx, literal, fold):
                return FALSE
            if string_glob(ctx.pattern, fold, True).is_literal:
                return TRUE
            return unknown(f"{key} is only partly known ({ctx.pattern})", key)
        if fold:
            return TRUE if ctx.lower() == literal.lower() else FALSE
        return TRUE if ctx == literal else FALSE
    if family in ("stringlike", "arn"):
        if family == "arn":
            maybe = arn_condition_glob(pattern, variables)
            if maybe is None:
                return FALSE  # not six segments: cannot match an ARN
            glob = maybe
        else:
            glob = string_glob(pattern, False, variables)
        if isinstance(ctx, Partial):
            if glob.is_literal and not _may_be(ctx, glob.literal, False):
                return FALSE  # a pattern without wildcards names one value, of another shape
            known = string_glob(ctx.pattern, False, True)
            if covers(glob, known):
                return TRUE
            if intersects(glob, known):
                return unknown(f"{key} is only partly known ({ctx.pattern})", key)
            return FALSE
        return TRUE if glob.match(ctx) else FALSE
    if isinstance(ctx, Partial):
        return unknown(f"{key} is only partly known ({ctx.pattern})", key)
    if family == "bool":
        return TRUE if ctx.lower() == pattern.lower() else FALSE
    if family.startswith("numeric"):
        try:
            return TRUE if _compare(family, float(ctx), float(pattern)) else FALSE
        except ValueError:
            return unknown(f"{key}: {pattern!r} or {ctx!r} is not a number", key)
    if family.startswith("date"):
        left, right = _parse_date(ctx), _parse_date(pattern)
        if left is None or right is None:
            return unknown(f"{key}: {pattern!r} or {ctx!r} is not a date", key)
        return TRUE if _compare(family, left, right) else FALSE
    if family == "ip":
        try:
            import ipaddress  # only IpAddress conditions need it

            net = ipaddress.ip_network(pattern, strict=False)
            return TRUE if ipaddress.ip_address(ctx) in net else FALSE
        except ValueError:
            return unknown(f"{key}: {pattern!r} is not an IP address or CIDR block", key)
    return unknown(f"operator family {family} is not supported", key)


def _positive(
    cond: Condition, ctx: Value, values: list[str | NoMatch | Outcome], variables: bool
) -> Outcome:
    assert cond.family is not None
    outcomes = []
    for v in values:
        if isinstance(v, NoMatch):
            outcomes.append(FALSE)
        elif isinstance(v, Outcome):
            outcomes.append(v)
        else:
            outcomes.append(_match_one(cond.family, ctx, v, cond.key, variables))
    return any3(outcomes)


def _resolve(value: Item, context: Context, variables: bool) -> str | NoMatch | Outcome:
    if value is None:
        return unknown("a condition value is not a plain string (unresolved reference?)")
    return substitute(value, context) if variables else value


def _null(cond: Condition, present: bool) -> Outcome:
    outcomes = []
    for v in cond.values:
        if v is None or v.lower() not in ("true", "false"):
            outcomes.append(unknown(f"Null expects true or false for {cond.key}"))
        else:
            outcomes.append(TRUE if (v.lower() == "true") != present else FALSE)
    return any3(outcomes)


def evaluate_condition(cond: Condition, context: Context, variables: bool) -> Outcome:
    """One operator/key pair of a Condition block."""
    if not context.may_be_absent(cond.key):
        return _evaluate_condition(cond, context, variables)
    present = _evaluate_condition(cond, context.replace_keys(values={
        cond.key: context.values[cond.key.lower()]}), variables)
    missing = _evaluate_condition(cond, context.replace_keys(absent=(cond.key,)), variables)
    if present.value == missing.value:
        return present
    shown = ", ".join(map(str, context.values[cond.key.lower()]))
    return unknown(f"{cond.key} is {shown} when the request carries it, and it may not",
                   cond.key)


def _evaluate_condition(cond: Condition, context: Context, variables: bool) -> Outcome:
    if cond.family is None:
        return unknown(f"unknown condition operator {cond.operator}")
    found = context.lookup(cond.key)
    if found is UNKNOWN:
        return unknown(f"condition key {cond.key} is not known for this request", cond.key)
    assert isinstance(found, tuple)
    if cond.family == "null":
        return _null(cond, bool(found))
    if cond.set_op is not None and all(v == "" for v in found):
        # No value to test (absent, or "an empty data set (for example, an empty string)"):
        # "ForAllValues ... also returns true if there are no context keys in the request";
        # "ForAnyValue ... For no matching context key or if the key does not exist, the
        # condition returns false". The qualifier applies the operator that follows it,
        # ...IfExists or negated, to each request value; with none, only the qualifier
        # decides (AWS answers so: re:Post "ForAnyValue:StringEqualsIfExists behaving
        # unexpectedly").
        return TRUE if cond.set_op == "all" else FALSE
    if not found:  # the key is absent from the request
        # "If the key is not present, evaluate the condition element as true" (...IfExists);
        # a negated operator is true on a missing key, a positive one false.
        return TRUE if cond.if_exists or cond.negated else FALSE
    if cond.set_op is None and multivalued(cond.key):
        return unknown(f"{cond.key} is multivalued and {cond.operator} has no ForAnyValue: or "
                       "ForAllValues: prefix: AWS does not document how that compares", cond.key)
    values = [_resolve(v, context, variables) for v in cond.values]
    positives = [_positive(cond, c, values, variables) for c in found]
    if cond.set_op == "all":
        return all3(not3(p) if cond.negated else p for p in positives)
    if cond.set_op == "any":
        return any3(not3(p) if cond.negated else p for p in positives)
    result = any3(positives)
    return not3(result) if cond.negated else result


def evaluate_conditions(
    conditions: Iterable[Condition], context: Context, variables: bool
) -> Outcome:
    """A whole Condition block: every pair must hold."""
    return all3(evaluate_condition(c, context, variables) for c in conditions)
