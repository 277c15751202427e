"""ARN patterns: wildcards per field, for Resource entries and ARN condition values.

The rule, from the IAM reference:

* ARN condition operators: "Each of the six colon-delimited components of the ARN is checked
  separately and each can include multi-character match wildcards (*) or single-character
  match wildcards (?)." The sixth component is everything after the fifth colon, so there
  ``*`` and ``?`` match any character, ``:`` included; in the first five they do not.
* Resource element, the one difference: "If the * wildcard is the last character of a
  resource ARN segment, it can expand to match beyond the colon boundaries."
* Both: "The asterisk (*) character can expand to replace everything within a segment,
  including characters like a forward slash (/)".

The property tests hold :func:`resource_glob` and :func:`arn_condition_glob` (the regex
and the automaton behind covers/intersects) to a character-by-character matcher written
here from those sentences.
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalize_lint.iam.arn import arn_condition_glob, resource_glob
from personalize_lint.iam.matching import intersects, literal_glob

# --- the reference ----------------------------------------------------------------------


def reference(pattern: str, value: str, *, resource: bool) -> bool:
    """Does ``value`` match ``pattern``? One character at a time, straight from the rule."""
    if pattern == "*":
        return True
    fields = pattern.split(":", 5)
    if not resource and len(fields) < 6:
        return False  # an ARN condition value names all six components
    items: list[tuple[str, str, bool]] = []  # (kind, literal, may take ":")
    for i, field in enumerate(fields):
        if i:
            items.append(("literal", ":", False))
        for j, c in enumerate(field):
            sixth = i == 5
            if c == "*":
                ends_field = j == len(field) - 1
                items.append(("star", "", sixth or (resource and ends_field)))
            elif c == "?":
                items.append(("one", "", sixth))
            else:
                items.append(("literal", c, False))

    @cache
    def match(i: int, k: int) -> bool:
        if i == len(items):
            return k == len(value)
        kind, literal, colon = items[i]
        fits = k < len(value) and (colon or value[k] != ":")
        if kind == "literal":
            return k < len(value) and value[k] == literal and match(i + 1, k + 1)
        if kind == "one":
            return fits and match(i + 1, k + 1)
        return match(i + 1, k) or (fits and match(i, k + 1))  # "*": none, or one more

    return match(0, 0)


# --- tables -----------------------------------------------------------------------------

BUCKET = "arn:aws:s3:::acme-personalize-metrics"


@pytest.mark.parametrize(
    ("pattern", "value", "resource", "condition"),
    [
        # "*" and "?" in the resource field take colons and slashes
        (f"{BUCKET}/runs*/*", f"{BUCKET}/runs:2026/report.csv", True, True),
        ("arn:aws:s3:::bkt/*/file.csv", "arn:aws:s3:::bkt/a:b/file.csv", True, True),
        ("arn:aws:s3:::bkt/a?b/*", "arn:aws:s3:::bkt/a:b/x", True, True),
        ("arn:aws:s3:::bkt/*/test/*", "arn:aws:s3:::bkt/1/2/test/3/object.jpg", True, True),
        ("arn:aws:s3:::bkt/*/test/*", "arn:aws:s3:::bkt//test/object.jpg", True, True),
        ("arn:aws:logs:us-east-1:1:log-group:*:log-stream:x",
         "arn:aws:logs:us-east-1:1:log-group:a:b:log-stream:x", True, True),
        ("arn:aws:logs:*:*:*", "arn:aws:logs:us-east-1:1:log-group:x:log-stream:y", True, True),
        # the IAM example of what "*/test/*" does not match
        ("arn:aws:s3:::bkt/*/test/*", "arn:aws:s3:::bkt/1-test/object.jpg", False, False),
        ("arn:aws:s3:::bkt/*/test/*", "arn:aws:s3:::bkt/test/object.jpg", False, False),
        ("arn:aws:s3:::bkt/*/test/*", "arn:aws:s3:::bkt/1/2/test.jpg", False, False),
        # in the first five fields a wildcard inside a field does not take ":"
        ("arn:aws:kms:us-*-1:1:key/k", "arn:aws:kms:us-east:x-1:1:key/k", False, False),
        ("arn:aws:kms:us-eas?:1:key/k", "arn:aws:kms:us-eas::1:key/k", False, False),
        # a "*" ending one of them: the Resource element lets it run on, ArnLike does not
        ("arn:aws:sns:*:topic", "arn:aws:sns:us-east-1:111122223333:topic", True, False),
        ("arn:aws:s3:*", "arn:aws:s3:::bkt/k", True, False),
        # ArnLike's IAM example: "The first asterisk matches only us-east-2"
        ("arn:aws:someservice:*:111122223333:finance/*",
         "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
         True, False),
        # case-sensitive
        ("arn:aws:s3:::Bkt/*", "arn:aws:s3:::bkt/k", False, False),
    ],
)
def test_fields(pattern: str, value: str, resource: bool, condition: bool) -> None:
    assert resource_glob(pattern).match(value) is resource
    glob = arn_condition_glob(pattern)
    assert (glob is not None and glob.match(value)) is condition
    assert reference(pattern, value, resource=True) is resource
    assert reference(pattern, value, resource=False) is condition


def test_arn_equals_and_arn_like_are_one_matcher() -> None:
    # IAM: "The ArnEquals and ArnLike condition operators behave identically."
    # Both come through arn_condition_glob: one function, no operator argument.
    glob = arn_condition_glob("arn:aws:personalize:us-east-1:111122223333:*")
    assert glob is not None
    assert glob.match("arn:aws:personalize:us-east-1:111122223333:dataset-group/retail")


# --- properties -------------------------------------------------------------------------

HEAD = st.sampled_from(["aws", "s3", "us-east-1", "1", "", "*", "?", "a*", "*1", "a?b", "a"])
RESOURCE_CHARS = st.sampled_from(["a", "b", ":", "/", "*", "?"])
VALUE_CHARS = st.sampled_from(["a", "b", ":", "/", "1"])


@st.composite
def patterns(draw: st.DrawFn) -> str:
    head = draw(st.lists(HEAD, min_size=0, max_size=4))
    if len(head) < 4 and draw(st.booleans()):
        return ":".join(["arn", *head])  # a short pattern such as arn:aws:s3:*
    head = (head + ["a"] * 4)[:4]
    rest = "".join(draw(st.lists(RESOURCE_CHARS, max_size=8)))
    return ":".join(["arn", *head, rest])


@st.composite
def pattern_and_value(draw: st.DrawFn) -> tuple[str, str]:
    """A pattern and, half of the time, a value made from it (its wildcards filled with
    random text, colons and slashes included), else a random ARN."""
    pattern = draw(patterns())
    text = st.text(VALUE_CHARS, max_size=4)
    if draw(st.booleans()):
        value = "".join(draw(text) if c == "*" else draw(VALUE_CHARS) if c == "?" else c
                        for c in pattern)
    else:
        head = [draw(st.sampled_from(["aws", "s3", "us-east-1", "1", "", "a", "a:b"]))
                for _ in range(4)]
        value = ":".join(["arn", *head, draw(text)])
    return pattern, value


@settings(max_examples=800, deadline=None)
@given(pattern_and_value())
def test_resource_glob_agrees_with_the_reference(pair: tuple[str, str]) -> None:
    pattern, value = pair
    expected = reference(pattern, value, resource=True)
    glob = resource_glob(pattern)
    assert glob.match(value) is expected, (pattern, value)
    assert intersects(glob, literal_glob(value)) is expected, (pattern, value)


@settings(max_examples=400, deadline=None)
@given(pattern_and_value())
def test_arn_condition_glob_agrees_with_the_reference(pair: tuple[str, str]) -> None:
    pattern, value = pair
    glob = arn_condition_glob(pattern)
    got = glob is not None and glob.match(value)
    assert got is reference(pattern, value, resource=False), (pattern, value)
