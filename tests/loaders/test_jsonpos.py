"""parse_json / parse_json_lines: strict JSON with the line and column of every key and value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalize_lint.loaders.errors import ParseError
from personalize_lint.loaders.jsonpos import Parsed, parse_json, parse_json_lines
from personalize_lint.location import Span


def parse(text: str, max_depth: int = 64) -> Parsed:
    return parse_json(text, max_depth=max_depth)


def error(text: str, max_depth: int = 64) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_json(text, max_depth=max_depth)
    return info.value


def source(text: str, span: Span) -> str:
    """The text a span covers (lines split at \\n, columns in characters, end inclusive)."""
    lines = text.split("\n")
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1 : span.end_column]
    parts = [lines[span.line - 1][span.column - 1 :]]
    parts += lines[span.line : span.end_line - 1]
    parts.append(lines[span.end_line - 1][: span.end_column])
    return "\n".join(parts)


def resolve(data: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data


# -- positions -----------------------------------------------------------------------------

POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Ünïcode ✓",
      "Action": ["s3:PutObject", "cloudwatch:PutMetricData"],
      "Resource": "*",
      "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
      "a/b~c": {"x": [1, 2.5, true, null]}
    }
  ]
}
"""

# pointer -> (line, column, end line, end column) of the VALUE
VALUE_SPANS = {
    "": (1, 1, 12, 1),
    "/Version": (2, 14, 2, 25),
    "/Statement": (3, 16, 11, 3),
    "/Statement/0": (4, 5, 10, 5),
    "/Statement/0/Sid": (5, 14, 5, 24),
    "/Statement/0/Action": (6, 17, 6, 60),
    "/Statement/0/Action/0": (6, 18, 6, 31),
    "/Statement/0/Action/1": (6, 34, 6, 59),
    "/Statement/0/Resource": (7, 19, 7, 21),
    "/Statement/0/Condition/StringEquals/aws:SourceAccount": (8, 59, 8, 72),
    "/Statement/0/a~1b~0c": (9, 16, 9, 42),
    "/Statement/0/a~1b~0c/x/0": (9, 23, 9, 23),
    "/Statement/0/a~1b~0c/x/1": (9, 26, 9, 28),
    "/Statement/0/a~1b~0c/x/2": (9, 31, 9, 34),
    "/Statement/0/a~1b~0c/x/3": (9, 37, 9, 40),
}

# pointer -> span of the member's KEY (quotes included)
KEY_SPANS = {
    "/Version": (2, 3, 2, 11),
    "/Statement/0/Sid": (5, 7, 5, 11),
    "/Statement/0/Condition/StringEquals/aws:SourceAccount": (8, 38, 8, 56),
    "/Statement/0/a~1b~0c": (9, 7, 9, 13),
    "/Statement/0/a~1b~0c/x": (9, 17, 9, 19),
}


@pytest.mark.parametrize(("pointer", "expected"), VALUE_SPANS.items())
def test_value_spans(pointer: str, expected: tuple[int, int, int, int]) -> None:
    assert parse(POLICY).spans[pointer] == Span(*expected)


@pytest.mark.parametrize(("pointer", "expected"), KEY_SPANS.items())
def test_key_spans(pointer: str, expected: tuple[int, int, int, int]) -> None:
    assert parse(POLICY).key_spans[pointer] == Span(*expected)


def test_every_value_and_member_is_located() -> None:
    parsed = parse(POLICY)
    assert parsed.data == json.loads(POLICY)
    assert len(parsed.spans) == 18  # every value, containers included
    assert set(parsed.key_spans) == {p for p in parsed.spans if p and not p[-1].isdigit()}
    for pointer, span in parsed.spans.items():
        assert json.loads(source(POLICY, span)) == resolve(parsed.data, pointer), pointer


def test_pointer_escaping_round_trips() -> None:
    parsed = parse('{"a/b": {"~": {"~1": 0}}, "": 1}')
    assert parsed.spans.keys() >= {"/a~1b", "/a~1b/~0", "/a~1b/~0/~01", "/"}
    assert source('{"a/b": {"~": {"~1": 0}}, "": 1}', parsed.key_spans["/"]) == '""'


def test_crlf_and_columns_in_characters() -> None:
    text = '{\r\n  "k": "\U0001f600",\r\n  "n": 1\r\n}'
    parsed = parse(text)
    assert parsed.spans["/k"] == Span(2, 8, 2, 10)  # the emoji is one character
    assert parsed.spans["/n"] == Span(3, 8, 3, 8)
    assert parsed.spans[""] == Span(1, 1, 4, 1)


def test_scalar_root_and_surrounding_whitespace() -> None:
    parsed = parse('\n\n   "x"  \n')
    assert parsed.data == "x"
    assert parsed.spans == {"": Span(3, 4, 3, 6)}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(value=json_values, indent=st.sampled_from([None, 0, 2, "\t"]), ascii_only=st.booleans())
def test_agrees_with_stdlib_and_every_span_holds_its_value(
    value: Any, indent: int | str | None, ascii_only: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    parsed = parse(text)
    assert parsed.data == value
    for pointer, span in parsed.spans.items():
        assert json.loads(source(text, span)) == resolve(value, pointer)
    for pointer, span in parsed.key_spans.items():
        assert json.loads(source(text, span)) == pointer.rsplit("/", 1)[1].replace(
            "~1", "/"
        ).replace("~0", "~")


# -- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("-0", 0),
        ("-12", -12),
        ("1.5e3", 1500.0),
        ("1E-2", 0.01),
        ("123456789012345678901234567890", 123456789012345678901234567890),
        ('"\\u00e9\\ud83d\\ude00\\/\\n"', "é\U0001f600/\n"),
        ("[true, false, null]", [True, False, None]),
        ("{}", {}),
        ("[]", []),
        ("[{}, [[]]]", [{}, [[]]]),
    ],
)
def test_values(text: str, value: Any) -> None:
    assert parse(text).data == value
    assert type(parse(text).data) is type(value)


def test_huge_integer_is_an_error_not_a_crash() -> None:
    exc = error('{"n": ' + "9" * 5000 + "}")
    assert (exc.line, exc.column) == (1, 7)
    assert "number too large" in exc.message


# -- errors ----------------------------------------------------------------------------------

# text, words the message contains, line, column
ERRORS = [
    ("", "empty document", 1, 1),
    ("   \n\t\n", "empty document", 1, 1),
    ('{"a": 1,}', "trailing comma before '}'", 1, 8),
    ("[1,\n 2,\n]", "trailing comma before ']'", 2, 3),
    ('{"a" 1}', "expected ':' after object key", 1, 6),
    ('{"a": 1 "b": 2}', "expected ',' or '}' after object member (missing comma?)", 1, 9),
    ("[1 2]", "expected ',' or ']' after array element (missing comma?)", 1, 4),
    ('{"a": }', "expected a value, found '}'", 1, 7),
    ("[NaN]", "NaN and Infinity are not allowed", 1, 2),
    ("[-Infinity]", "NaN and Infinity are not allowed", 1, 2),
    ("{'a': 1}", "double quotes, not single quotes", 1, 2),
    ("{a: 1}", "object keys must be double-quoted strings, found 'a'", 1, 2),
    ("[True]", "unexpected word 'True'", 1, 2),
    ("// note\n{}", "comments are not allowed", 1, 1),
    ('{"a": 1 /* c */}', "comments are not allowed", 1, 9),
    ("# c\n{}", "comments are not allowed", 1, 1),
    ('{"a": 01}', "leading zeros are not allowed", 1, 7),
    ("[-01]", "leading zeros are not allowed", 1, 2),
    ("[1.]", "expected a digit after '.'", 1, 4),
    ("[.5]", "expected a value, found '.'", 1, 2),
    ("[+1]", "expected a value, found '+'", 1, 2),
    ("[1e]", "expected a digit in the exponent", 1, 4),
    ("[-]", "expected a digit after '-', found ']'", 1, 3),
    ("[0x1F]", "hexadecimal numbers are not allowed", 1, 2),
    ("[1x]", "expected ',' or ']' after array element, found 'x'", 1, 3),
    ("[1.5.]", "expected ',' or ']' after array element, found '.'", 1, 5),
    ("[1.5e3e]", "expected ',' or ']' after array element, found 'e'", 1, 7),
    ("[1e400]", "number too large", 1, 2),
    ('{"a": "b', "unterminated string", 1, 7),
    ('{"a": "b\n"}', "unterminated string (a line break cannot be inside a string", 1, 7),
    ('["a\tb"]', "invalid control character U+0009 in string", 1, 4),
    ('["\\q"]', "invalid escape '\\\\q' in string", 1, 3),
    ('["\\u12G4"]', "invalid \\u escape", 1, 3),
    ('["\\ud800"]', "unpaired UTF-16 surrogate", 1, 2),
    ('{"a": 1} {"b": 2}', "unexpected '{' after the end of the JSON value", 1, 10),
    ("[1]]", "unexpected ']' after the end of the JSON value", 1, 4),
    ("\ufeff{}", "expected a value, found character U+FEFF", 1, 1),
    (
        '{"k": [1, 2',
        "unexpected end of input: expected ',' or ']' after array element "
        "(the '[' at line 1, column 7 is not closed)",
        1,
        12,
    ),
    (
        '{\n  "k": {\n',
        "unexpected end of input: expected a double-quoted object key "
        "(the '{' at line 2, column 8 is not closed)",
        3,
        1,
    ),
    ('{"a": 1,\n "a": 2}', "duplicate key 'a' (first defined on line 1)", 2, 2),
    ('{"x": {"k": 1, "k": 1}}', "duplicate key 'k'", 1, 16),
]


@pytest.mark.parametrize(("text", "message", "line", "column"), ERRORS)
def test_errors(text: str, message: str, line: int, column: int) -> None:
    exc = error(text)
    assert message in exc.message
    assert (exc.line, exc.column) == (line, column)
    assert exc.limit is None


def test_duplicate_keys_in_separate_objects_are_fine() -> None:
    assert parse('[{"a": 1}, {"a": 2}]').data == [{"a": 1}, {"a": 2}]


def test_every_truncation_is_a_parse_error() -> None:
    for end in range(len(POLICY.rstrip())):
        with pytest.raises(ParseError):
            parse(POLICY[:end])


# -- the depth bound -------------------------------------------------------------------------


@pytest.mark.parametrize("opener", ["[", '{"k":'])
def test_depth_exactly_at_the_limit_parses(opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    assert parse(opener * 5 + "1" + closer * 5, max_depth=5).data is not None


@pytest.mark.parametrize(("opener", "column"), [("[", 6), ('{"k":', 26)])
def test_one_past_the_limit_is_refused_where_it_crosses(opener: str, column: int) -> None:
    closer = "]" if opener == "[" else "}"
    exc = error(opener * 6 + "1" + closer * 6, max_depth=5)
    assert (exc.line, exc.column, exc.limit) == (1, column, "max-depth")
    assert "max-depth" in exc.message


def test_depth_counts_containers_not_scalars() -> None:
    assert parse('"just a string"', max_depth=0).data == "just a string"
    assert error("[]", max_depth=0).limit == "max-depth"


def test_nesting_far_past_the_recursion_limit_is_handled_iteratively() -> None:
    assert parse("[" * 3000 + "]" * 3000, max_depth=3000).data is not None
    exc = error("[" * 200_000, max_depth=3000)
    assert (exc.column, exc.limit) == (3001, "max-depth")


# -- JSON Lines ------------------------------------------------------------------------------


def test_json_lines_records_and_pointers() -> None:
    text = '{"eventType": "click"}\n\n  [1, 2]\r\n"x"\n'
    parsed = parse_json_lines(text, max_depth=4)
    assert parsed.data == [{"eventType": "click"}, [1, 2], "x"]
    assert parsed.spans["/0"] == Span(1, 1, 1, 22)
    assert parsed.key_spans["/0/eventType"] == Span(1, 2, 1, 12)
    assert parsed.spans["/1/1"] == Span(3, 7, 3, 7)
    assert parsed.spans["/2"] == Span(4, 1, 4, 3)
    assert parsed.spans[""] == Span(1, 1, 4, 3)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('{"a": 1}\n{"a": }\n', "record on line 2: expected a value", 2, 7),
        ('{"a":\n1}\n', "record on line 1: unexpected end of input", 1, 6),
        ("1\n2 3\n", "record on line 2: unexpected '3' after the end", 2, 3),
        ("\n \n", "empty document", 1, 1),
    ],
)
def test_json_lines_errors_name_their_line(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_json_lines(text, max_depth=4)
    assert message in info.value.message
    assert (info.value.line, info.value.column) == (line, column)


def test_json_lines_depth_is_per_record() -> None:
    assert parse_json_lines("[[1]]\n[[2]]\n", max_depth=2).data == [[[1]], [[2]]]
    with pytest.raises(ParseError) as info:
        parse_json_lines("[[1]]\n[[[2]]]\n", max_depth=2)
    assert (info.value.line, info.value.column, info.value.limit) == (2, 3, "max-depth")


# -- speed -----------------------------------------------------------------------------------


def test_a_megabyte_policy_parses_quickly() -> None:
    statement = {
        "Effect": "Allow",
        "Action": ["s3:PutObject", "cloudwatch:PutMetricData"],
        "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"],
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
    }
    statements = [dict(statement, Sid=f"S{i}") for i in range(3500)]
    text = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)
    assert len(text) > 1_000_000
    parsed = parse(text)
    assert parsed.data["Statement"][-1]["Sid"] == "S3499"  # speed: bench/bench_loaders.py


# -- the real-world corpus -------------------------------------------------------------------


def _strict_stdlib(text: str) -> Any:
    """json.loads, but refusing what parse_json refuses on purpose (duplicates, NaN)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({k for k, _ in items}) != len(items):
            raise ValueError("duplicate key")
        return dict(items)

    def constant(name: str) -> Any:
        raise ValueError(name)

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


def test_corpus_json_agrees_with_the_stdlib(corpus_dir: Path) -> None:
    files = sorted(corpus_dir.rglob("*.json"))
    assert files
    for path in files:
        text = path.read_bytes().decode("utf-8-sig")
        try:
            expected = _strict_stdlib(text)
        except ValueError:
            with pytest.raises(ParseError):
                parse(text)
            continue
        assert parse(text).data == expected, path.name
