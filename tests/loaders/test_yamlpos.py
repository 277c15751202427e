"""parse_yaml: YAML 1.1 (SafeLoader) data with the line and column of every key and value."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from personalize_lint.loaders import yamlpos
from personalize_lint.loaders.errors import ParseError
from personalize_lint.loaders.jsonpos import Parsed, parse_json
from personalize_lint.loaders.text import decode
from personalize_lint.loaders.yamlpos import CFN_TAGS, parse_yaml
from personalize_lint.location import Span

Parse = Callable[..., Parsed]

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if yaml.__with_libyaml__ else [])


@pytest.fixture(params=LOADERS, ids=lambda loader: loader.__name__)
def parse(request: pytest.FixtureRequest) -> Parse:
    """parse_yaml with each available PyYAML parser: libyaml's and the pure-Python one must
    give the same data, positions and errors."""

    def run(text: str, max_depth: int = 64, max_aliases: int = 100) -> Parsed:
        return yamlpos._Builder(text, max_depth, max_aliases, request.param).parse()

    return run


def error(parse: Parse, text: str, **limits: int) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text, **limits)
    return info.value


# -- positions -------------------------------------------------------------------------------

TEMPLATE = """\
# A role with an inline policy
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "${AWS::StackName}-personalize"
      Policies:
        - PolicyName: metrics
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: [cloudwatch:PutMetricData, 's3:PutObject']
                Resource: !GetAtt Bucket.Arn
      Description: |
        Publishes metrics
        for Personalize

  "a/b~c": {ünï: 1}
"""

STATEMENT = "/Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0"

VALUE_SPANS = {
    "": (2, 1, 19, 19),
    "/Resources": (3, 3, 19, 19),
    "/Resources/Role/Type": (4, 11, 4, 24),
    "/Resources/Role/Properties/RoleName": (6, 17, 6, 52),
    "/Resources/Role/Properties/RoleName/Fn::Sub": (6, 17, 6, 52),
    "/Resources/Role/Properties/Policies/0": (8, 11, 14, 44),
    "/Resources/Role/Properties/Policies/0/PolicyDocument/Version": (10, 22, 10, 31),
    f"{STATEMENT}/Action": (13, 25, 13, 66),
    f"{STATEMENT}/Action/0": (13, 26, 13, 49),
    f"{STATEMENT}/Action/1": (13, 52, 13, 65),
    f"{STATEMENT}/Resource": (14, 27, 14, 44),
    f"{STATEMENT}/Resource/Fn::GetAtt/1": (14, 27, 14, 44),
    "/Resources/Role/Properties/Description": (15, 20, 17, 23),
    "/Resources/a~1b~0c": (19, 12, 19, 19),
    "/Resources/a~1b~0c/ünï": (19, 18, 19, 18),
}

KEY_SPANS = {
    "/Resources": (2, 1, 2, 9),
    "/Resources/Role/Properties/RoleName": (6, 7, 6, 14),
    "/Resources/Role/Properties/Policies/0/PolicyDocument/Version": (10, 13, 10, 19),
    "/Resources/a~1b~0c": (19, 3, 19, 9),
    "/Resources/a~1b~0c/ünï": (19, 13, 19, 15),
}


@pytest.mark.parametrize(("pointer", "expected"), VALUE_SPANS.items())
def test_value_spans(parse: Parse, pointer: str, expected: tuple[int, int, int, int]) -> None:
    assert parse(TEMPLATE).spans[pointer] == Span(*expected)


@pytest.mark.parametrize(("pointer", "expected"), KEY_SPANS.items())
def test_key_spans(parse: Parse, pointer: str, expected: tuple[int, int, int, int]) -> None:
    assert parse(TEMPLATE).key_spans[pointer] == Span(*expected)


def test_data_of_the_template(parse: Parse) -> None:
    statement = {
        "Effect": "Allow",
        "Action": ["cloudwatch:PutMetricData", "s3:PutObject"],
        "Resource": {"Fn::GetAtt": ["Bucket", "Arn"]},
    }
    assert parse(TEMPLATE).data == {
        "Resources": {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": {"Fn::Sub": "${AWS::StackName}-personalize"},
                    "Policies": [
                        {
                            "PolicyName": "metrics",
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
                        }
                    ],
                    "Description": "Publishes metrics\nfor Personalize\n",
                },
            },
            "a/b~c": {"ünï": 1},
        }
    }


def test_every_value_is_located(parse: Parse) -> None:
    def walk(value: Any, pointer: str) -> list[str]:
        found = [pointer]
        if isinstance(value, dict):
            for key, child in value.items():
                escaped = key.replace("~", "~0").replace("/", "~1")
                found += walk(child, f"{pointer}/{escaped}")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                found += walk(child, f"{pointer}/{index}")
        return found

    parsed = parse(TEMPLATE)
    assert sorted(parsed.spans) == sorted(walk(parsed.data, ""))


def test_empty_value_points_after_its_key(parse: Parse) -> None:
    parsed = parse("key:\nother: 1\n")
    assert parsed.data == {"key": None, "other": 1}
    assert parsed.spans["/key"] == Span(1, 5, 1, 5)


# -- scalars follow SafeLoader (YAML 1.1), except timestamps and keys ------------------------

SCALARS = [
    "plain",
    "'quoted'",
    '"dq\\tescape"',
    "123",
    "-0x1F",
    "0o17",
    "017",
    "08",
    "1_000",
    "1:30",
    "1.5",
    "1e3",
    "6.02e+23",
    ".inf",
    "-.Inf",
    "yes",
    "No",
    "on",
    "OFF",
    "true",
    "~",
    "null",
    "''",
    "'123'",
    "!!str 123",
    "!!int '42'",
    "!!float 1",
    "!!bool yes",
    "! 12",
    "s3:PutObject",
    "arn:aws:s3:::bucket/*",
    "'*'",
]


@pytest.mark.parametrize("scalar", SCALARS)
def test_scalars_resolve_as_safeloader_does(parse: Parse, scalar: str) -> None:
    assert parse(f"v: {scalar}\n").data == yaml.safe_load(f"v: {scalar}\n")


def test_nan_is_a_float(parse: Parse) -> None:
    value = parse("v: .nan\n").data["v"]
    assert isinstance(value, float) and value != value


@pytest.mark.parametrize(
    "scalar", ["2012-10-17", "2001-12-14t21:59:43.10-05:00", "2002-12-14", "!!timestamp 2001-01-01"]
)
def test_timestamps_stay_strings(parse: Parse, scalar: str) -> None:
    assert parse(f"Version: {scalar}\n").data == {"Version": scalar.split()[-1]}


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("on: push\n", {"on": "push"}),
        ("1: a\n", {"1": "a"}),
        ("~: a\n", {"~": "a"}),
        ("'quoted key': a\n", {"quoted key": "a"}),
        ("? complex key\n: a\n", {"complex key": "a"}),
        ("- &k name\n- {*k : v}\n", ["name", {"name": "v"}]),
    ],
)
def test_keys_are_their_source_text(parse: Parse, text: str, data: Any) -> None:
    assert parse(text).data == data


def test_huge_integer_is_an_error_not_a_crash(parse: Parse) -> None:
    exc = error(parse, "n: " + "9" * 5000 + "\n")
    assert (exc.line, exc.column) == (1, 4)
    assert "number too large" in exc.message


# -- CloudFormation short forms ----------------------------------------------------------------

CFN = [
    ("!Ref Bucket", {"Ref": "Bucket"}),
    ("!Ref 'AWS::Region'", {"Ref": "AWS::Region"}),
    ("!Condition IsProd", {"Condition": "IsProd"}),
    ("!GetAtt Role.Arn", {"Fn::GetAtt": ["Role", "Arn"]}),
    ("!GetAtt Db.Endpoint.Address", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
    ("!GetAtt [Role, Arn]", {"Fn::GetAtt": ["Role", "Arn"]}),
    ("!Sub 'arn:${AWS::Partition}:s3:::${B}'", {"Fn::Sub": "arn:${AWS::Partition}:s3:::${B}"}),
    ('!Sub ["${X}", {X: !Ref Y}]', {"Fn::Sub": ["${X}", {"X": {"Ref": "Y"}}]}),
    ("!Join ['', [a, !Ref B]]", {"Fn::Join": ["", ["a", {"Ref": "B"}]]}),
    ("!If [C, 1, !Ref 'AWS::NoValue']", {"Fn::If": ["C", 1, {"Ref": "AWS::NoValue"}]}),
    ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
    ("!Split [',', !ImportValue Out]", {"Fn::Split": [",", {"Fn::ImportValue": "Out"}]}),
    ("!FindInMap [M, K, V]", {"Fn::FindInMap": ["M", "K", "V"]}),
    ("!Base64 abc", {"Fn::Base64": "abc"}),
    ("!Cidr [10.0.0.0/16, 6, 5]", {"Fn::Cidr": ["10.0.0.0/16", 6, 5]}),
    (
        "!And [!Equals [a, b], !Or [!Not [!Condition C], !Condition D]]",
        {
            "Fn::And": [
                {"Fn::Equals": ["a", "b"]},
                {"Fn::Or": [{"Fn::Not": [{"Condition": "C"}]}, {"Condition": "D"}]},
            ]
        },
    ),
    ("!Transform {Name: X, Parameters: {}}", {"Fn::Transform": {"Name": "X", "Parameters": {}}}),
    ("!Length [1, 2]", {"Fn::Length": [1, 2]}),
    ("!ToJsonString {a: 1}", {"Fn::ToJsonString": {"a": 1}}),
    ("!Ref 123", {"Ref": "123"}),  # a short form's scalar argument is always a string
]


@pytest.mark.parametrize(("source", "long_form"), CFN)
def test_cloudformation_short_forms(parse: Parse, source: str, long_form: Any) -> None:
    assert parse(f"v: {source}\n").data == {"v": long_form}


def test_every_short_form_is_covered() -> None:
    assert {tag for source, _ in CFN for tag in re.findall(r"![A-Za-z0-9]+", source)} == set(
        CFN_TAGS
    )


def test_short_form_inner_pointers_are_located(parse: Parse) -> None:
    parsed = parse("v: !If [C, !Ref A, B]\n")
    assert parsed.spans["/v"] == Span(1, 4, 1, 21)
    assert parsed.spans["/v/Fn::If"] == Span(1, 4, 1, 21)
    assert parsed.spans["/v/Fn::If/1/Ref"] == Span(1, 12, 1, 17)
    assert parsed.key_spans["/v/Fn::If"] == Span(1, 4, 1, 21)


# -- merge keys --------------------------------------------------------------------------------

MERGES = """\
base: &base {a: 1, b: 2}
more: &more {b: 20, c: 30}
one:
  <<: *base
  b: 3
list:
  <<: [*base, *more]
  d: 4
inline:
  <<: {x: 1}
  y: 2
"""


def test_merge_keys(parse: Parse) -> None:
    assert parse(MERGES).data == yaml.safe_load(MERGES)


def test_merge_key_spans_point_at_the_merged_source(parse: Parse) -> None:
    parsed = parse(MERGES)
    assert parsed.spans["/one/a"] == Span(1, 17, 1, 17)  # from &base
    assert parsed.spans["/one/b"] == Span(5, 6, 5, 6)  # the explicit key wins
    assert parsed.key_spans["/list/c"] == Span(2, 21, 2, 21)
    assert "/one/<<" not in parsed.spans


def test_explicit_key_may_override_a_merged_one_but_not_repeat(parse: Parse) -> None:
    exc = error(parse, "base: &b {a: 1}\nm:\n  <<: *b\n  a: 2\n  a: 3\n")
    assert (exc.line, exc.column) == (5, 3)


@pytest.mark.parametrize("value", ["1", "[1, 2]", "!Ref X", "[{a: 1}, x]"])
def test_merge_needs_mappings(parse: Parse, value: str) -> None:
    assert "merge key (<<) needs a mapping" in error(parse, f"m:\n  <<: {value}\n").message


def test_quoted_merge_key_is_an_ordinary_key(parse: Parse) -> None:
    assert parse("'<<': 1\n").data == {"<<": 1}


# -- aliases and their bounds -----------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.parametrize(("max_aliases", "line"), [(1000, 5), (10**12, 7)])
def test_billion_laughs_is_refused_fast(parse: Parse, max_aliases: int, line: int) -> None:
    """Counted before expansion: over max_aliases, or past a million values either way."""
    started = time.perf_counter()
    exc = error(parse, BILLION_LAUGHS, max_aliases=max_aliases)
    # A hang guard, not a benchmark: expanding the bomb would take hours and gigabytes.
    assert time.perf_counter() - started < 30.0
    assert exc.limit == "max-yaml-aliases"
    assert exc.line == line


def test_alias_count_includes_aliases_inside_the_anchored_value(parse: Parse) -> None:
    text = "a: &a [1]\nb: &b [*a, *a]\nc: [*b, *b]\n"  # 2 + 2 * (1 + 2) = 8 expansions
    assert parse(text, max_aliases=8).data["c"] == [[[1], [1]], [[1], [1]]]
    exc = error(parse, text, max_aliases=7)
    assert (exc.line, exc.column, exc.limit) == (3, 9, "max-yaml-aliases")


def test_alias_spans_point_at_the_anchor(parse: Parse) -> None:
    parsed = parse("a: &x {k: v}\nb: *x\n")
    assert parsed.data == {"a": {"k": "v"}, "b": {"k": "v"}}
    assert parsed.spans["/b"] == parsed.spans["/a"] == Span(1, 4, 1, 12)
    assert parsed.spans["/b/k"] == Span(1, 11, 1, 11)


# -- the depth bound ---------------------------------------------------------------------------


def test_depth_exactly_at_the_limit_parses(parse: Parse) -> None:
    assert parse("a:\n  b:\n    c: [1]\n", max_depth=4).data == {"a": {"b": {"c": [1]}}}


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a:\n  b:\n    c:\n      d: [1]\n", 4, 10),  # block mappings, then a flow sequence
        ("- - - - - x\n", 1, 9),  # block sequences on one line
        ("a: {b: {c: {d: !Ref e}}}\n", 1, 16),  # a short form's long form is a level too
        ("x: &x [[[1]]]\ny: {z: *x}\n", 2, 8),  # an alias may not carry a value too deep
    ],
)
def test_one_past_the_limit_is_refused_where_it_crosses(
    parse: Parse, text: str, line: int, column: int
) -> None:
    exc = error(parse, text, max_depth=4)
    assert (exc.line, exc.column, exc.limit) == (line, column, "max-depth")


def test_deep_nesting_does_not_recurse(parse: Parse) -> None:
    exc = error(parse, "[" * 100_000, max_depth=64)
    assert exc.limit == "max-depth"


# -- errors ------------------------------------------------------------------------------------

ERRORS = [
    ("", "empty document", 1, 1),
    ("# only a comment\n", "empty document", 1, 1),
    ("---\n", "empty document", 1, 1),
    ("a: 1\na: 2\n", "duplicate key 'a' (first defined on line 1)", 2, 1),
    ("x:\n  {k: 1, k: 2}\n", "duplicate key 'k'", 2, 10),
    ("a: 1\n---\nb: 2\n", "multiple YAML documents", 2, 1),
    ("a: 1\n...\n---\nb: 2\n", "multiple YAML documents", 3, 1),
    ("a: !Foo x\n", "unknown YAML tag !Foo", 1, 4),
    ("a: !Foo [x]\n", "unknown YAML tag !Foo", 1, 4),
    ("a: !!binary aGk=\n", "unsupported YAML tag !!binary", 1, 4),
    ("a: !!set {x}\n", "unsupported YAML tag !!set", 1, 4),
    ("a: !!python/name:os.system x\n", "unsupported YAML tag !!python/name:os.system", 1, 4),
    ("a: !!float x\n", "invalid value 'x' for tag !!float", 1, 4),
    ("!Ref k: v\n", "!Ref cannot be used on a mapping key", 1, 1),
    ("? [a]\n: 1\n", "a mapping key must be a scalar, not a sequence", 1, 3),
    ("{{a: b}: c}\n", "a mapping key must be a scalar, not a mapping", 1, 2),
    ("a: *nope\n", "undefined alias *nope", 1, 4),
    ("&a [*a]\n", "recursive alias *a", 1, 5),
    ("x: &a 1\ny: &a 2\n", "duplicate anchor &a (first defined on line 1)", 2, 4),
    ("a: b: c\n", "mapping values are not allowed", 1, 5),
    ("a:\n\tb: 1\n", "found character", 2, 1),
    ("a: [1, 2\n", "expected ',' or ']'", 2, 1),
    ("a: 'open\n", "found unexpected end of stream", 2, 1),
    ("a: \x07\n", "character U+0007 is not allowed in YAML", 1, 4),
    ("é: x\nb: \x1b\n", "character U+001B is not allowed in YAML", 2, 4),
]


@pytest.mark.parametrize(("text", "message", "line", "column"), ERRORS)
def test_errors(parse: Parse, text: str, message: str, line: int, column: int) -> None:
    exc = error(parse, text)
    assert message in exc.message
    assert "\n" not in exc.message
    assert (exc.line, exc.column) == (line, column)


def test_syntax_error_names_its_context(parse: Parse) -> None:
    exc = error(parse, "key: [a,\n  b\nother: 1\n")
    assert "flow sequence at line 1, column 6" in exc.message


def test_unsafe_tags_never_construct_objects(parse: Parse) -> None:
    exc = error(parse, "a: !!python/object/apply:os.system ['echo hi']\n")
    assert "unsupported YAML tag" in exc.message


def test_public_parse_yaml_uses_the_fast_parser_when_available() -> None:
    parsed = parse_yaml("a: [1, !Ref b]\n", max_depth=8, max_aliases=10)
    assert parsed.data == {"a": [1, {"Ref": "b"}]}
    assert parsed.spans["/a/1/Ref"] == Span(1, 8, 1, 13)


def test_a_megabyte_of_yaml_parses_in_reasonable_time() -> None:
    statement = {
        "Effect": "Allow",
        "Action": ["s3:PutObject", "cloudwatch:PutMetricData"],
        "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"],
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
    }
    statements = [dict(json.loads(json.dumps(statement)), Sid=f"S{i}") for i in range(5000)]
    text = yaml.safe_dump({"Version": "2012-10-17", "Statement": statements}, sort_keys=False)
    assert "*id" not in text  # no aliases: each statement is its own text
    assert len(text) > 1_000_000
    parsed = parse_yaml(text, max_depth=64, max_aliases=1000)
    assert parsed.data["Statement"][-1]["Sid"] == "S4999"  # speed: bench/bench_loaders.py


# -- the real-world corpus -----------------------------------------------------------------


def test_corpus_files_parse_or_raise_parse_error(corpus_dir: Path) -> None:
    suffixes = {".json", ".yaml", ".yml", ".template"}
    files = sorted(p for p in corpus_dir.rglob("*") if p.suffix in suffixes)
    assert len(files) > 100
    outcomes: dict[str, int] = {"parsed": 0, "ParseError": 0}
    for path in files:
        try:
            text = decode(path.read_bytes(), max_bytes=10 * 1024 * 1024).text
            if path.suffix == ".json":
                parsed = parse_json(text, max_depth=64)
            else:
                parsed = parse_yaml(text, max_depth=64, max_aliases=1000)
        except ParseError as exc:
            assert exc.line >= 1 and exc.column >= 1, path.name
            outcomes["ParseError"] += 1
            continue
        outcomes["parsed"] += 1
        json.dumps(parsed.data)  # JSON-like data only: no dates, bytes or sets
        assert "" in parsed.spans, path.name
    assert outcomes["parsed"] > outcomes["ParseError"] > 0
