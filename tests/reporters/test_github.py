"""GitHub Actions annotations: command shape, levels and the toolkit's escaping."""

from __future__ import annotations

import pytest

from personalize_lint.findings import Finding
from personalize_lint.location import Location, Span
from personalize_lint.reporters.github import GithubReporter, escape_data, escape_property


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain text", "plain text", "plain text"),
        ("100%", "100%25", "100%25"),
        ("%0A literally", "%250A literally", "%250A literally"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("key: value", "key: value", "key%3A value"),
        ("a,b", "a,b", "a%2Cb"),
        ("::error::", "::error::", "%3A%3Aerror%3A%3A"),
        ("für ✓", "für ✓", "für ✓"),
    ],
)
def test_escaping_table(raw, data, prop):
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def lines(report) -> list[str]:
    return GithubReporter().render(report).splitlines()


def test_single_line_span(report):
    assert lines(report)[0] == (
        "::error file=iam/role-policy.json,line=12,col=5,endLine=12,endColumn=30,"
        "title=PL104 Service role cannot write the metrics to S3"
        "::Service role cannot write s3://metrics-bucket/out/"  # ":" is escaped only in properties
    )


def test_multi_line_span_drops_columns_and_escapes(report):
    (line,) = [x for x in lines(report) if "PL204" in x]
    assert line == (
        "::warning file=s3/bucket policy.json,line=3,endLine=9,"
        "title=PL204 No confused-deputy guard on the bucket policy"
        "::Grant für „personalize“ ✓ 100%25 done, see: a,b%0Asecond line%0D%0Athird"
    )


def test_note_is_notice_and_no_span_has_no_line(report):
    (line,) = [x for x in lines(report) if "PL409" in x]
    assert line.startswith(
        "::notice file=personalize/metric-attribution.json,title=PL409 CloudWatch cost::"
    )


def test_account_and_config_findings_name_the_place_in_the_message(report):
    out = lines(report)
    (arn,) = [x for x in out if "PL303" in x]
    assert arn == (
        "::error title=PL303 KMS key is not usable"
        "::arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        ": Key is pending deletion"
    )
    (config,) = [x for x in out if "PL004" in x]
    assert config.startswith("::error title=PL004 Configuration is invalid::<config>: Unknown key")


def test_properties_with_commas_and_colons_are_escaped(build_report):
    finding = Finding("XPL9", "m", Location("dir,x/a:b.json", Span(1, 2, 1, 3)), "warning")
    assert lines(build_report([finding])) == [
        "::warning file=dir%2Cx/a%3Ab.json,line=1,col=2,endLine=1,endColumn=3,title=XPL9::m"
    ]


def test_one_line_per_active_finding(report):
    out = lines(report)
    assert len(out) == len(report.active)
    assert not any("PL106" in line for line in out)  # suppressed


def test_empty_report(empty_report):
    assert GithubReporter().render(empty_report) == ""
