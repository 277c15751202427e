"""Wildcards: actions (case-insensitive), ARNs (segment-aware), and set comparisons."""

from __future__ import annotations

import pytest

from personalize_lint.iam.arn import (
    arn_condition_glob,
    bucket_name_problems,
    key_arn_problem,
    parse_arn,
    partition_of_region,
    resource_glob,
    s3_objects_pattern,
    split_s3_url,
)
from personalize_lint.iam.matching import action_matches, covers, intersects, string_glob


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("cloudwatch:PutMetricData", "cloudwatch:PutMetricData", True),
        ("CloudWatch:putmetricdata", "cloudwatch:PutMetricData", True),
        ("cloudwatch:Put*", "cloudwatch:PutMetricData", True),
        ("cloudwatch:*", "cloudwatch:PutMetricData", True),
        ("*", "cloudwatch:PutMetricData", True),
        ("cloudwatch:PutMetricDat?", "cloudwatch:PutMetricData", True),
        ("cloudwatch:?utMetricData", "cloudwatch:PutMetricData", True),
        ("s3:*Object", "s3:PutObject", True),
        ("kms:GenerateDataKey*", "kms:GenerateDataKey", True),
        # bad
        ("cloudwatch:PutMetricsData", "cloudwatch:PutMetricData", False),
        ("cloudwatch:Get*", "cloudwatch:PutMetricData", False),
        ("logs:*", "cloudwatch:PutMetricData", False),
        ("cloudwatch:PutMetricDat", "cloudwatch:PutMetricData", False),
        ("cloudwatch:PutMetricData?", "cloudwatch:PutMetricData", False),
        ("s3:Put", "s3:PutObject", False),
        ("s3:PutObject", "s3:PutObjectAcl", False),
    ],
)
def test_action_globs(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("*", "arn:aws:s3:::b/k", True),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/out/x.csv", True),
        ("arn:aws:s3:::*", "arn:aws:s3:::b/out/x.csv", True),
        ("arn:aws:s3:::b*", "arn:aws:s3:::b/out/x.csv", True),
        ("arn:*:s3:::b/*", "arn:aws-cn:s3:::b/k", True),
        ("arn:aws:s3:*", "arn:aws:s3:::b/k", True),  # a segment-ending "*" crosses colons
        ("arn:aws:logs:*:*:*", "arn:aws:logs:us-east-1:1:log-group:x:log-stream:y", True),
        ("arn:aws:iam::?????????????:role/r", "arn:aws:iam::1234567890123:role/r", True),
        # bad
        ("arn:aws:s3:::b", "arn:aws:s3:::b/out/x.csv", False),  # bucket ARN is not objects
        ("arn:aws:s3:::B/*", "arn:aws:s3:::b/k", False),  # ARNs are case-sensitive
        ("arn:aws:s3:::b/out/*", "arn:aws:s3:::b/other/k", False),
        ("arn:aws:k*s:us-east-1:1:key/k", "arn:aws:kms:us-east-1:1:key/k", True),
        ("arn:aws:*s:us-east-1:1:key/k", "arn:aws:kms:us-east-1:1:key/k", True),
        ("arn:aws:k*:us-east-1:1:key/k", "arn:aws:kms:us-east-1:1:key/k", True),
        ("arn:aws:kms:us-*-1:1:key/k", "arn:aws:kms:us-east:x-1:1:key/k", False),
    ],
)
def test_resource_globs(pattern: str, resource: str, expected: bool) -> None:
    assert resource_glob(pattern).match(resource) is expected


@pytest.mark.parametrize(
    ("outer", "inner", "covered", "overlap"),
    [
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/out/*", True, True),
        ("arn:aws:s3:::b/out/*", "arn:aws:s3:::b/out/*", True, True),
        ("arn:aws:s3:::b/o*", "arn:aws:s3:::b/out/*", True, True),
        ("*", "arn:aws:s3:::b/out/*", True, True),
        ("arn:aws:s3:::b/out/report.csv", "arn:aws:s3:::b/out/*", False, True),
        ("arn:aws:s3:::b/out/a*", "arn:aws:s3:::b/out/*", False, True),
        ("arn:aws:s3:::b", "arn:aws:s3:::b/out/*", False, False),
        ("arn:aws:s3:::b/other/*", "arn:aws:s3:::b/out/*", False, False),
        ("arn:aws:s3:::c/*", "arn:aws:s3:::b/out/*", False, False),
    ],
)
def test_resource_sets(outer: str, inner: str, covered: bool, overlap: bool) -> None:
    o, i = resource_glob(outer), string_glob(inner, False, True)
    assert covers(o, i) is covered
    assert intersects(o, i) is overlap


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("arn:aws:personalize:us-east-1:111122223333:*", "arn:aws:personalize:us-east-1:"
         "111122223333:dataset-group/x", True),
        ("arn:aws:personalize:*:111122223333:*", "arn:aws:personalize:eu-west-1:111122223333:"
         "dataset-group/x", True),
        ("arn:aws:personalize:us-east-1:*", "arn:aws:personalize:us-east-1:1:x", False),
        ("arn:aws:personalize:us-east-1:999999999999:*", "arn:aws:personalize:us-east-1:"
         "111122223333:dataset-group/x", False),
        ("*", "anything", True),
    ],
)
def test_arn_condition_globs(pattern: str, value: str, expected: bool) -> None:
    glob = arn_condition_glob(pattern)
    assert (glob is not None and glob.match(value)) is expected


def test_escaped_wildcards_are_literal() -> None:
    glob = string_glob("a${*}b", False, True)
    assert glob.match("a*b") and not glob.match("axb")
    assert string_glob("a*b").match("axxb")


def test_arn_parsing_and_partitions() -> None:
    arn = parse_arn("arn:aws:iam::111122223333:role/path/Name")
    assert arn is not None and arn.account == "111122223333" and arn.resource_type == "role"
    assert parse_arn("not-an-arn") is None
    assert partition_of_region("cn-north-1") == "aws-cn"
    assert partition_of_region("us-gov-west-1") == "aws-us-gov"
    assert partition_of_region("eu-west-1") == "aws"
    assert split_s3_url("s3://bucket/a/b/") == ("bucket", "a/b/")
    assert split_s3_url("s3://bucket") == ("bucket", "")
    assert split_s3_url("https://bucket/a") is None
    assert s3_objects_pattern("b", "out") == "arn:aws:s3:::b/out/*"
    assert s3_objects_pattern("b", "") == "arn:aws:s3:::b/*"
    assert s3_objects_pattern("b", "a*b/", "aws-cn") == "arn:aws-cn:s3:::b/a${*}b/*"


@pytest.mark.parametrize(
    ("bucket", "ok"),
    [("my-bucket", True), ("a.b.c", True), ("ab", False), ("My_Bucket", False),
     ("a..b", False), ("192.168.1.1", False), ("xn--abc", False), ("x-s3alias", False),
     ("-abc", False), ("a" * 64, False)],
)
def test_bucket_names(bucket: str, ok: bool) -> None:
    assert (not bucket_name_problems(bucket)) is ok


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", None),
        ("arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-1234567890abcdef1234567890abcdef",
         None),
        ("arn:aws:kms:us-east-1:111122223333:alias/metrics", "alias ARN"),
        ("alias/metrics", "alias name"),
        ("1234abcd-12ab-34cd-56ef-1234567890ab", "bare key ID"),
        ("kms key ARN", "not an ARN"),
        ("arn:aws:s3:::bucket", "service 's3'"),
        ("arn:aws:kms:us-east-1:1234:key/1234abcd-12ab-34cd-56ef-1234567890ab", "12-digit"),
    ],
)
def test_key_arns(value: str, fragment: str | None) -> None:
    problem = key_arn_problem(value)
    if fragment is None:
        assert problem is None
    else:
        assert problem is not None and fragment in problem
