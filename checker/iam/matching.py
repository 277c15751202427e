"""Wildcard patterns as IAM uses them, compiled once and cached.

IAM has three flavours of ``*``/``?`` pattern:

* actions (``cloudwatch:Put*``): case-insensitive, ``*`` and ``?`` match any character;
* ``StringLike`` condition values: case-sensitive, same wildcards;
* ARNs (``Resource`` and ``ArnLike``): case-sensitive; in the first five colon-separated
  fields a wildcard stays inside its field, in the sixth (the resource) it matches any
  character, ``:`` included (see :mod:`.arn`).

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
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    """A compiled pattern. ``fold`` means case-insensitive (literals are stored lowered).

    The regex is compiled on first use: set comparisons (:func:`covers`, :func:`intersects`)
    only need the tokens, and a run over many files sees many one-off patterns.
    """

    tokens: tuple[str, ...]
    fold: bool
    _compiled: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @property
    def regex(self) -> re.Pattern[str]:
        compiled = self._compiled
        if compiled is None:
            compiled = _regex(self.tokens)
            object.__setattr__(self, "_compiled", compiled)
        return compiled

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


def _fold(tokens: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t if t in WILDCARDS else t.lower() for t in tokens)


def make_glob(tokens: tuple[str, ...], *, fold: bool = False) -> Glob:
    return Glob(_fold(tokens) if fold else tokens, fold)


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
# Each pattern is an NFA whose state i is "tokens[:i] consumed"; star tokens loop. A token is
# one symbol (a literal token may be longer than one character once lowered: "İ" -> "i̇").
# covers/intersects first take exact shortcuts (shared literal prefix and suffix, equal
# patterns, a literal side), then explore the product automaton. The product only tries the
# symbols that can tell states apart: the literals at the current positions, ":" (special
# for STAR/ANY1) and one stand-in for every other symbol. ``_covers_reference`` and
# ``_intersects_reference`` are the plain product over the whole alphabet; the tests hold
# the fast versions to them.


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
        return _fold(a.tokens), _fold(b.tokens)
    return a.tokens, b.tokens


def _trim(
    a: tuple[str, ...], b: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Drop the literal tokens both patterns begin (then end) with.

    A shared first symbol c gives L(cX) = c.L(X), so inclusion and overlap of the rest are
    those of the whole. None when both begin (or end) with different literals: then no string
    matches both, and (every pattern matching some string) neither covers the other.
    """
    n = min(len(a), len(b))
    i = 0
    while i < n:
        x, y = a[i], b[i]
        if x in WILDCARDS or y in WILDCARDS:
            break
        if x != y:
            return None
        i += 1
    j = 0
    while j < n - i:
        x, y = a[-1 - j], b[-1 - j]
        if x in WILDCARDS or y in WILDCARDS:
            break
        if x != y:
            return None
        j += 1
    return a[i : len(a) - j], b[i : len(b) - j]


def _is_literal(tokens: tuple[str, ...]) -> bool:
    return not any(t in WILDCARDS for t in tokens)


def _accepts_word(tokens: tuple[str, ...], word: tuple[str, ...]) -> bool:
    """Does the pattern match the literal token sequence ``word``?"""
    states = _closure(tokens, frozenset({0}))
    for sym in word:
        states = _step(tokens, states, sym)
        if not states:
            return False
    return len(tokens) in states


def _symbols(
    ta: tuple[str, ...], sa: frozenset[int], tb: tuple[str, ...], sb: frozenset[int]
) -> set[str]:
    """The symbols worth trying from the state pair (sa, sb): any other symbol is neither a
    literal at these positions nor ":", so every wildcard and no literal takes it, as with
    the stand-in ``_OTHER``."""
    syms = {":", _OTHER}
    for tokens, states in ((ta, sa), (tb, sb)):
        for i in states:
            if i < len(tokens) and tokens[i] not in WILDCARDS:
                syms.add(tokens[i])
    return syms


def _intersects_tokens(ta: tuple[str, ...], tb: tuple[str, ...]) -> bool:
    trimmed = _trim(ta, tb)
    if trimmed is None:
        return False
    ta, tb = trimmed
    if ta == tb:
        return True
    if _is_literal(ta):
        return _accepts_word(tb, ta)
    if _is_literal(tb):
        return _accepts_word(ta, tb)
    end_a, end_b = len(ta), len(tb)
    return any(end_a in sa and end_b in sb for sa, sb in _pairs(ta, tb, prune_b=True))


def _covers_tokens(to: tuple[str, ...], ti: tuple[str, ...]) -> bool:
    trimmed = _trim(to, ti)
    if trimmed is None:
        return False
    to, ti = trimmed
    if to == ti or to == (STARX,):
        return True
    if _is_literal(ti):
        return _accepts_word(to, ti)
    end_i, end_o = len(ti), len(to)
    # A string of inner that outer rejects is a pair where inner accepts and outer does not.
    return not any(end_i in si and end_o not in so for si, so in _pairs(ti, to, prune_b=False))


def _pairs(
    ta: tuple[str, ...], tb: tuple[str, ...], *, prune_b: bool
) -> Iterator[tuple[frozenset[int], frozenset[int]]]:
    """The pairs of state sets the two patterns' automata reach reading the same string,
    breadth first. A pair where ``ta`` is dead leads nowhere and is skipped; so is one where
    ``tb`` is dead, when ``prune_b`` (an intersection needs both alive; a cover test needs
    the strings ``tb`` rejects)."""
    start = (_closure(ta, frozenset({0})), _closure(tb, frozenset({0})))
    seen = {start}
    queue = deque([start])
    while queue:
        sa, sb = queue.popleft()
        yield sa, sb
        for sym in _symbols(ta, sa, tb, sb):
            na = _step(ta, sa, sym)
            if not na:
                continue
            nb = _step(tb, sb, sym)
            if (nb or not prune_b) and (na, nb) not in seen:
                seen.add((na, nb))
                queue.append((na, nb))


@lru_cache(maxsize=16384)
def intersects(a: Glob, b: Glob) -> bool:
    """Is there a string that both patterns match?"""
    return _intersects_tokens(*_pair(a, b))


@lru_cache(maxsize=16384)
def covers(outer: Glob, inner: Glob) -> bool:
    """Does ``outer`` match every string that ``inner`` matches?"""
    if outer.matches_everything():
        return True
    return _covers_tokens(*_pair(outer, inner))


def _intersects_reference(a: Glob, b: Glob) -> bool:
    """:func:`intersects` as the plain product automaton over the whole alphabet."""
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


def _covers_reference(outer: Glob, inner: Glob) -> bool:
    """:func:`covers` as the plain product automaton over the whole alphabet."""
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
