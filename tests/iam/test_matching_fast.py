"""The fast set comparisons (covers/intersects) agree with the plain product automaton.

``covers`` and ``intersects`` take shortcuts (shared literal prefix/suffix, equal patterns,
a literal side, a reduced alphabet per state pair); ``_covers_reference`` and
``_intersects_reference`` explore the product over the whole alphabet. Hypothesis draws
many patterns, including related pairs (a shared prefix and suffix around different
middles), colons (special for the segment wildcards), and a letter whose lower case is two
characters ("İ" -> "i̇"), which is one symbol to the automaton.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalize_lint.iam.arn import arn_condition_glob, resource_glob
from personalize_lint.iam.matching import (
    ANY1,
    ANY1X,
    STAR,
    STARX,
    Glob,
    _covers_reference,
    _intersects_reference,
    _regex,
    action_glob,
    covers,
    intersects,
    literal_glob,
    make_glob,
    string_glob,
)

LITERALS = ["a", "b", "A", ":", "/", "İ", "-"]
TOKENS = st.sampled_from([*LITERALS, ANY1, ANY1X, STAR, STARX])
PIECES = st.lists(TOKENS, max_size=6).map(tuple)
# The reference automaton is slow on long patterns; raise this for a longer search
# (PERSONALIZE_LINT_MATCHING_EXAMPLES=20000 was run when the fast paths were written).
EXAMPLES = int(os.environ.get("PERSONALIZE_LINT_MATCHING_EXAMPLES", "600"))


@st.composite
def globs(draw: st.DrawFn) -> Glob:
    return make_glob(draw(PIECES), fold=draw(st.booleans()))


@st.composite
def related_pairs(draw: st.DrawFn) -> tuple[Glob, Glob]:
    """Two patterns sharing a prefix and a suffix, which the fast paths strip."""
    prefix = draw(st.lists(st.sampled_from([*LITERALS, STAR, STARX]), max_size=6).map(tuple))
    suffix = draw(st.lists(st.sampled_from([*LITERALS, STAR, STARX]), max_size=4).map(tuple))
    a = make_glob(prefix + draw(PIECES) + suffix, fold=draw(st.booleans()))
    b = make_glob(prefix + draw(PIECES) + suffix, fold=draw(st.booleans()))
    return a, b


def _agree(a: Glob, b: Glob) -> None:
    assert covers.__wrapped__(a, b) is _covers_reference(a, b), (a.tokens, b.tokens)
    assert covers.__wrapped__(b, a) is _covers_reference(b, a), (b.tokens, a.tokens)
    assert intersects.__wrapped__(a, b) is _intersects_reference(a, b), (a.tokens, b.tokens)
    assert intersects.__wrapped__(b, a) is _intersects_reference(b, a), (b.tokens, a.tokens)


@settings(max_examples=EXAMPLES, deadline=None)
@given(globs(), globs())
def test_random_patterns_agree_with_the_automaton(a: Glob, b: Glob) -> None:
    _agree(a, b)


@settings(max_examples=EXAMPLES, deadline=None)
@given(related_pairs())
def test_related_patterns_agree_with_the_automaton(pair: tuple[Glob, Glob]) -> None:
    _agree(*pair)


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(globs())
def test_a_pattern_against_itself_and_its_literals(a: Glob) -> None:
    _agree(a, a)
    word = tuple("x" if t in (ANY1, ANY1X) else t for t in a.tokens if t not in (STAR, STARX))
    _agree(a, make_glob(word, fold=a.fold))


ARN_PARTS = st.sampled_from(["arn", "aws", "s3", "", "b", "bucket-1", "out", "key/k", "*", "?",
                             "a*", "*b", "x?y", "${*}", "B"])


@st.composite
def arn_texts(draw: st.DrawFn) -> str:
    segments = draw(st.lists(ARN_PARTS, min_size=1, max_size=7))
    text = ":".join(segments)
    if draw(st.booleans()):
        text += "/" + "/".join(draw(st.lists(ARN_PARTS, max_size=3)))
    return text


@settings(max_examples=EXAMPLES // 4, deadline=None)
@given(arn_texts(), arn_texts(), st.booleans())
def test_arn_and_string_patterns_agree_with_the_automaton(
    outer: str, inner: str, escapes: bool
) -> None:
    """The pairs the evaluator asks about: Resource entries against partially known ARNs."""
    resource = resource_glob(outer, escapes)
    known = string_glob(inner, False, True)
    _agree(resource, known)
    _agree(resource, literal_glob(inner))
    _agree(action_glob(outer), action_glob(inner))
    condition = arn_condition_glob(outer)
    if condition is not None:
        _agree(condition, known)


@pytest.mark.parametrize(
    ("outer", "inner", "covered", "overlap"),
    [
        # identical patterns
        ("arn:aws:s3:::bucket-7/*", "arn:aws:s3:::bucket-7/*", True, True),
        # a shared prefix, then everything
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/out/*", True, True),
        # different literals after a shared prefix: disjoint
        ("arn:aws:s3:::b/x*", "arn:aws:s3:::b/y*", False, False),
        # different last literals: disjoint
        ("arn:aws:s3:::*x", "arn:aws:s3:::*y", False, False),
        # a literal inner side: a plain match
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/k", True, True),
        ("arn:aws:s3:::b/o?t/*", "arn:aws:s3:::b/out/k", True, True),
        # in the resource field "?" is any character, ":" included; in the others it is not
        ("arn:aws:s3:::b/o?t/*", "arn:aws:s3:::b/o:t/k", True, True),
        ("arn:aws:kms:us-eas?:1:key/k", "arn:aws:kms:us-eas::1:key/k", False, False),
    ],
)
def test_shortcut_cases(outer: str, inner: str, covered: bool, overlap: bool) -> None:
    o, i = resource_glob(outer), string_glob(inner, False, True)
    assert covers(o, i) is covered is _covers_reference(o, i)
    assert intersects(o, i) is overlap is _intersects_reference(o, i)


def test_segment_wildcards_do_not_cross_colons() -> None:
    # "?" and a mid-segment "*" of an ARN stay inside one segment.
    o = make_glob(("a", ANY1, "b"))
    assert not covers(o, make_glob(("a", ANY1X, "b")))
    assert not intersects(o, literal_glob("a:b"))
    assert covers(make_glob(("a", STARX)), make_glob(("a", STAR, ":", STAR)))
    assert not covers(make_glob(("a", STAR)), make_glob(("a", STAR, ":", STAR)))


def test_lazy_regex_is_the_compiled_tokens() -> None:
    glob = make_glob(("a", STAR, ":", ANY1, "b", STARX), fold=True)
    assert glob.regex.pattern == _regex(glob.tokens).pattern
    assert glob.regex is glob.regex
    assert glob == make_glob(("a", STAR, ":", ANY1, "b", STARX), fold=True)
    assert glob.match("AxY:zB/anything") and not glob.match("a:y:zb")
