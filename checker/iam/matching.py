"""Wildcard patterns as IAM uses them, compiled once and cached.

IAM has three flavours of ``*``/``?`` pattern:

* actions (``cloudwatch:Put*``): case-insensitive, ``*`` and ``?`` match any character;
* ``StringLike`` condition values: case-sensitive, same wildcards;
* ARNs (``Resource`` and ``ArnLike``): case-sensitive, and a wildcard stays inside one
  colon-separated segment unless it ends a segment (see :mod:`.arn`).

A pattern becomes a tuple of tokens: a one-character string is a literal, the sentinels
below are wildcards. Besides matching a concrete string (through a cached regex), two
patterns can be compared as *sets*: :func:`covers` (every string of one matches the other)
and :func:`intersects` (some string matches both). The evaluator needs those because some
request values are only partially known: Personalize writes "some object under
``bucket/prefix/``", its ``aws:SourceArn`` is "some ARN in ``arn:aws:personalize:REGION:ACCOUNT:``".
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from functools import lru_cache

# Wildcard tokens. Literals are one-character strings, so these never clash with them.
ANY1 = "<?>"  # one character except ":"
ANY1X = "<??>"  # one character, any
STAR = "<*>"  # any run of characters except ":"
STARX = "<**>"  # any run of characters
WILDCARDS = frozenset({ANY1, ANY1X, STAR, STARX})
_OTHER = "<other>"  # stands for every character no pattern mentions

# AWS escapes for literal wildcard characters inside policy-variable aware patterns.
ESCAPES = {"${*}": "*", "${?}": "?", "${$}": "$"}


@dataclass(frozen=True, slots=True)
class Glob:
    """A compiled pattern. ``fold`` means case-insensitive (literals are stored lowered)."""

    tokens: tuple[str, ...]
    fold: bool
    regex: re.Pattern[str]

    @property
    def is_literal(self) -> bool:
        return not any(t in WILDCARDS for t in self.tokens)

    @property
    def literal(self) -> str:
        return "".join(self.tokens)

    def match(self, value: str) -> bool:
        return self.regex.fullmatch(value.lower() if self.fold else value) is not None

    def matches_everything(self) -> bool:
        return self.tokens == (STARX,)


def _regex(tokens: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for t in tokens:
        if t == STARX:
            parts.append(".*")
        elif t == STAR:
            parts.append("[^:]*")
        elif t == ANY1X:
            parts.append(".")
        elif t == ANY1:
            parts.append("[^:]")
        else:
            parts.append(re.escape(t))
    return re.compile("".join(parts), re.DOTALL)


def make_glob(tokens: tuple[str, ...], *, fold: bool = False) -> Glob:
    if fold:
        tokens = tuple(t if t in WILDCARDS else t.lower() for t in tokens)
    return Glob(tokens, fold, _regex(tokens))


def tokenize(pattern: str, *, star: str = STARX, any1: str = ANY1X, escapes: bool = False) -> (
    tuple[str, ...]
):
    """Split a pattern into tokens; with ``escapes``, ``${*}`` etc. are literal characters."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if escapes and c == "$" and pattern.startswith(("${*}", "${?}", "${$}"), i):
            out.append(ESCAPES[pattern[i : i + 4]])
            i += 4
            continue
        if c == "*":
            if not out or out[-1] != star:  # "**" is the same as "*"
                out.append(star)
        elif c == "?":
            out.append(any1)
        else:
            out.append(c)
        i += 1
    return tuple(out)


@lru_cache(maxsize=8192)
def action_glob(pattern: str) -> Glob:
    """An ``Action``/``NotAction`` entry: case-insensitive, ``*`` and ``?`` anywhere."""
    return make_glob(tokenize(pattern), fold=True)


@lru_cache(maxsize=8192)
def string_glob(pattern: str, fold: bool = False, escapes: bool = False) -> Glob:
    """A ``StringLike`` value (or a partially known context value)."""
    return make_glob(tokenize(pattern, escapes=escapes), fold=fold)


@lru_cache(maxsize=8192)
def literal_glob(value: str, fold: bool = False) -> Glob:
    """A concrete string seen as a pattern that matches only itself."""
    return make_glob(tuple(value), fold=fold)


def action_matches(pattern: str, action: str) -> bool:
    return action_glob(pattern).match(action)


# --- Set comparisons ----------------------------------------------------------------------
# Each pattern is an NFA whose state i is "tokens[:i] consumed"; star tokens loop. Patterns
# are short (an ARN is < 2 KB), and results are cached, so a plain BFS is fast enough.


def _accepts(token: str, sym: str) -> bool:
    if token in (STARX, ANY1X):
        return True
    if token in (STAR, ANY1):
        return sym != ":"
    return token == sym


def _closure(tokens: tuple[str, ...], states: frozenset[int]) -> frozenset[int]:
    out = set(states)
    stack = list(states)
    while stack:
        i = stack.pop()
        if i < len(tokens) and tokens[i] in (STAR, STARX) and i + 1 not in out:
            out.add(i + 1)
            stack.append(i + 1)
    return frozenset(out)


def _step(tokens: tuple[str, ...], states: frozenset[int], sym: str) -> frozenset[int]:
    nxt = set()
    for i in states:
        if i < len(tokens) and _accepts(tokens[i], sym):
            nxt.add(i if tokens[i] in (STAR, STARX) else i + 1)
    return _closure(tokens, frozenset(nxt))


def _alphabet(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    lits = {t for t in a + b if t not in WILDCARDS}
    lits.add(":")  # colon is special for STAR/ANY1 even when no pattern names it
    return (*sorted(lits), _OTHER)


def _pair(a: Glob, b: Glob) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Compare case-insensitively if either side is case-insensitive.
    if a.fold != b.fold:
        a = make_glob(a.tokens, fold=True)
        b = make_glob(b.tokens, fold=True)
    return a.tokens, b.tokens


@lru_cache(maxsize=16384)
def intersects(a: Glob, b: Glob) -> bool:
    """Is there a string that both patterns match?"""
    ta, tb = _pair(a, b)
    start = (_closure(ta, frozenset({0})), _closure(tb, frozenset({0})))
    seen = {start}
    queue = deque([start])
    alphabet = _alphabet(ta, tb)
    while queue:
        sa, sb = queue.popleft()
        if len(ta) in sa and len(tb) in sb:
            return True
        for sym in alphabet:
            na, nb = _step(ta, sa, sym), _step(tb, sb, sym)
            if na and nb and (na, nb) not in seen:
                seen.add((na, nb))
                queue.append((na, nb))
    return False


@lru_cache(maxsize=16384)
def covers(outer: Glob, inner: Glob) -> bool:
    """Does ``outer`` match every string that ``inner`` matches?"""
    if outer.matches_everything():
        return True
    to, ti = _pair(outer, inner)
    start = (_closure(ti, frozenset({0})), _closure(to, frozenset({0})))
    seen = {start}
    queue = deque([start])
    alphabet = _alphabet(to, ti)
    while queue:
        si, so = queue.popleft()
        if len(ti) in si and len(to) not in so:
            return False  # a string of inner that outer rejects
        for sym in alphabet:
            ni = _step(ti, si, sym)
            if not ni:
                continue
            pair = (ni, _step(to, so, sym))
            if pair not in seen:
                seen.add(pair)
                queue.append(pair)
    return True
