"""HTML output: one self-contained, well-formed page holding every finding of the JSON
report, with rule text, excerpts and a chart; hostile input comes out inert."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

import pytest
from html_page import (
    XHTML,
    finding_items,
    location_text,
    page_text,
    parse_page,
    png_pixels,
    tag_problems,
)

from helpers import EXAMPLES, REPO, run_cli, write
from personalize_lint.findings import Finding
from personalize_lint.inventory import Bucket, Inventory, Policy, Setup, Source
from personalize_lint.loaders.base import LoadContext
from personalize_lint.loaders.builtin import personalize_lint_load_file
from personalize_lint.location import Location, Span
from personalize_lint.reporters.base import Report
from personalize_lint.reporters.builtin import HtmlFormat
from personalize_lint.reporters.html import CSP
from personalize_lint.reporters.json_report import JsonReporter
from personalize_lint.rule import Rule

BUCKET_ARN = "arn:aws:s3:::metrics-bucket"
STARTED = datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc)
HOSTILE = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'
# Tag names that would run code or fetch something if they got through as markup.
ACTIVE_TAGS = {"script", "img", "iframe", "object", "embed", "link", "base", "form", "input",
               "audio", "video", "source", "frame", "frameset", "meta", "style", "svg", "use",
               "foreignObject", "image", "animate", "set"}


def render(report: Report) -> str:
    return HtmlFormat().render(report)


def json_findings(report: Report) -> list[dict[str, Any]]:
    return json.loads(JsonReporter().render(report))["findings"]


def tags(page: ET.Element) -> list[str]:
    return [el.tag.split("}")[-1] for el in page.iter()]


def assert_page_holds(page: ET.Element, findings: list[dict[str, Any]]) -> None:
    """Each JSON finding is one item with its rule ID, message and location."""
    items = finding_items(page)
    assert sorted((i["rule"], i["fingerprint"], i["level"]) for i in items) == sorted(
        (f["rule_id"], f["fingerprint"], f["level"]) for f in findings)
    for finding in findings:
        matching = [i for i in items if i["fingerprint"] == finding["fingerprint"]
                    and finding["message"].replace("\r\n", "\n") in i["text"]]
        assert matching, finding
        assert finding["rule_id"] in matching[0]["text"]
        assert location_text(finding) in matching[0]["text"]


# --- Markup ---------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["report", "empty_report"])
def test_the_page_is_well_formed_in_html_and_in_xml(which: str,
                                                    request: pytest.FixtureRequest) -> None:
    text = render(request.getfixturevalue(which))
    assert text.startswith("<!DOCTYPE html>\n")
    assert tag_problems(text) == []
    page = parse_page(text)  # the XML parser rejects anything not well-formed
    assert page.tag == f"{XHTML}html" and page.get("lang") == "en"
    assert page.find(f"{XHTML}head/{XHTML}meta[@charset='utf-8']") is not None


def test_every_finding_of_the_json_report_is_on_the_page(report: Report) -> None:
    assert_page_holds(parse_page(render(report)), json_findings(report))


def test_suppressed_findings_have_their_own_section_with_the_reason(report: Report) -> None:
    page = parse_page(render(report))
    section = page.find(f".//{XHTML}section[@id='suppressed']")
    assert section is not None
    (item,) = finding_items(section)
    assert item["rule"] == "PL106"
    assert "PL106 Service role is over-privileged" in item["text"]
    assert "accepted: sandbox account (external)" in item["text"]
    findings = page.find(f".//{XHTML}section[@id='findings']")
    assert "PL106" not in {i["rule"] for i in finding_items(findings)}


def test_findings_are_grouped_by_rule_with_its_title_why_fix_and_link(report: Report) -> None:
    page = parse_page(render(report))
    sections = [s for s in page.iter(f"{XHTML}section") if s.get("class") == "rule"]
    # The most severe rules first, then by ID; each rule once.
    assert [s.get("id") for s in sections] == [
        "rule-PL004", "rule-PL104", "rule-PL303", "rule-PL204", "rule-PL409"]
    pl104 = sections[1]
    text = page_text(pl104)
    rule = report.rules["PL104"]
    for part in (rule.title, rule.why, rule.fix, '"Action": "s3:PutObject"'):
        assert part in text
    (link,) = [a for a in pl104.iter(f"{XHTML}a") if a.get("href", "").startswith("http")]
    assert link.get("href") == rule.source and link.get("rel") == "noopener noreferrer"
    assert [i["rule"] for i in finding_items(pl104)] == ["PL104", "PL104"]


def test_the_summary_counts_by_level_and_by_set_up(report: Report) -> None:
    page = parse_page(render(report))
    summary = page.find(f".//{XHTML}section[@id='summary']")
    rows = [[page_text(c) for c in tr] for tr in summary.iter(f"{XHTML}tr")]
    # error, warning, note, total (active), suppressed: as the JSON summary counts.
    assert ["All", "4", "1", "1", "6", "1"] in rows
    assert ["retail", "—", "—", "1", "1", "1", "3", "1"] in rows
    assert ["cfn", "—", "—", "1", "0", "0", "1", "0"] in rows
    assert ["(no set-up)", "—", "—", "2", "0", "0", "2", "0"] in rows
    # The KMS finding's ARN names an account and region.
    assert ["123456789012", "us-east-1", "1", "0", "0", "1", "0"] in rows
    assert page_text(page.find(f"{XHTML}head/{XHTML}title")) == (
        "personalize-lint check: 4 errors, 1 warning, 1 note")


def test_the_chart_has_a_bar_per_rule_coloured_by_level(build_report: Any) -> None:
    report = build_report()
    report.findings.append(replace(report.findings[0], message="another", level="warning"))
    page = parse_page(render(report))
    svg = page.find(f".//{XHTML}section[@id='chart']/{{http://www.w3.org/2000/svg}}svg")
    assert svg is not None
    bars = [page_text(r.find("{http://www.w3.org/2000/svg}title"))
            for r in svg.iter("{http://www.w3.org/2000/svg}rect")]
    assert bars == ["PL004: 1 error", "PL104: 2 errors", "PL104: 1 warning", "PL303: 1 error",
                    "PL204: 1 warning", "PL409: 1 note"]
    widths = {t: float(r.get("width", "0")) for t, r in zip(
        bars, svg.iter("{http://www.w3.org/2000/svg}rect"), strict=True)}
    assert widths["PL104: 2 errors"] == pytest.approx(2 * widths["PL303: 1 error"], abs=0.1)
    links = [a.get("href") for a in svg.iter("{http://www.w3.org/2000/svg}a")]
    assert links == ["#rule-PL004", "#rule-PL104", "#rule-PL303", "#rule-PL204", "#rule-PL409"]


def test_a_clean_run_says_so_and_has_no_chart(empty_report: Report) -> None:
    page = parse_page(render(empty_report))
    assert page.find(f".//{XHTML}section[@id='chart']") is None
    assert "No problems found in 4 files." in page_text(page)
    assert finding_items(page) == []


def test_the_page_is_the_same_every_time_but_for_the_start_time(build_report: Any) -> None:
    first = render(build_report())
    assert render(build_report()) == first
    later = render(build_report(started=build_report().started.replace(hour=13)))
    assert later != first
    assert re.sub(r"<time .*?</time>", "", later) == re.sub(r"<time .*?</time>", "", first)
    assert '<time datetime="2026-11-30T12:00:00Z">2026-11-30 12:00:00 UTC</time>' in first


# --- Self-contained and inert ---------------------------------------------------------------


def hostile_report(tmp_path: Path) -> Report:
    """Every text a scanned file or a plugin controls, made hostile."""
    policy = write(tmp_path / "iam" / "policy.json", json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": HOSTILE, "Effect": "Allow", "Action": "s3:*",
                       "Resource": "*"}]}, indent=2))
    doc = personalize_lint_load_file(policy, None, LoadContext(root=tmp_path)).documents[0]
    rules = {
        "X<1>": Rule(id="X<1>", level="error", title=f"Title {HOSTILE}", why=f"Why {HOSTILE}",
                     fix=f"Fix {HOSTILE}", example=f"</pre>{HOSTILE}",
                     source="javascript:alert(document.domain)"),
        "PL106": Rule(id="PL106", level="warning", title="Over-privileged", why="w", fix="f",
                      source='https://docs.example/"><script>alert(1)</script>'),
    }
    findings = [
        Finding("X<1>", f"message {HOSTILE}\x1b[31m\x00\u202egnp.exe\ud800",
                Location('iam/"><img src=x onerror=alert(1)>.json', Span(1, 1, 1, 2)),
                level="error", setup=f"setup {HOSTILE}",
                properties={"note": HOSTILE}),
        Finding("PL106", "Action s3:* on Resource *", doc.location("/Statement/0/Action"),
                level="warning", related=(Location(arn=f"arn:aws:s3:::{HOSTILE}"),)),
    ]
    return Report(findings=findings, rules=rules, root=tmp_path, tool_version="0.1.0",
                  started=STARTED, exit_code=1, files_checked=2, setups_checked=1,
                  notes=[f"stale baseline entry {HOSTILE}"],
                  inventory=Inventory(documents=[doc]))


def test_hostile_text_is_escaped_and_stays_text(tmp_path: Path) -> None:
    text = render(hostile_report(tmp_path))
    assert tag_problems(text) == []
    page = parse_page(text)
    body = page.find(f"{XHTML}body")
    assert not ACTIVE_TAGS & (set(tags(body)) - {"svg"})  # the chart is the one svg
    assert all(not name.lower().startswith("on") for el in page.iter() for name in el.attrib)
    visible = page_text(body)
    assert visible.count(HOSTILE) >= 8  # message, set-up, title, why, fix, example, note...
    # The policy excerpt shows the hostile Sid as text, marked as part of the statement.
    (pl106,) = [i for i in finding_items(page) if i["rule"] == "PL106"]
    assert f' 5 |       "Sid": {json.dumps(HOSTILE)},' in excerpt_lines(pl106)
    # Controls and a right-to-left override are shown, never written raw.
    assert "message" in visible and "\\x1b[31m\\x00\\u202egnp.exe\\ud800" in visible
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u202e]", text)
    text.encode("utf-8")  # no lone surrogate left to break the file
    # A plugin's javascript: or broken URL is shown, never linked.
    hrefs = [a.get("href") for a in page.iter(f"{XHTML}a")]
    assert all(h and h.startswith("#") for h in hrefs), hrefs
    assert "javascript:alert(document.domain)" in visible
    # The rule ID with markup in it still gets a clean anchor.
    assert page.find(f".//{XHTML}section[@id='rule-X-1-']") is not None


def test_nothing_is_loaded_from_outside_the_page(report: Report) -> None:
    text = render(report)
    page = parse_page(text)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(tags(page))
    for element in page.iter():
        for name, value in element.attrib.items():
            local = name.split("}")[-1]
            assert local not in ("src", "srcset", "poster", "action", "data", "background")
            if local == "href":  # in-page anchors, and the rules' documentation links
                is_doc_link = value in {r.source for r in report.rules.values()}
                assert value.startswith("#") or (element.tag == f"{XHTML}a" and is_doc_link)
    style = page.find(f"{XHTML}head/{XHTML}style")
    assert style is not None and not re.search(r"url\(|@import", style.text or "", re.I)
    # The page's own policy forbids any load or script, should an escape ever slip.
    csp = page.find(f"{XHTML}head/{XHTML}meta[@http-equiv='Content-Security-Policy']")
    assert csp is not None and csp.get("content") == CSP
    digest = base64.b64encode(hashlib.sha256(style.text.encode()).digest()).decode()
    assert CSP.startswith(f"default-src 'none'; style-src 'sha256-{digest}';")


# --- Excerpts -------------------------------------------------------------------------------


def excerpt_lines(item: dict[str, Any]) -> list[str]:
    pre = item["element"].find(f".//{XHTML}figure/{XHTML}pre")
    assert pre is not None, item["text"]
    return page_text(pre).split("\n")


def marked(item: dict[str, Any]) -> list[str]:
    return [page_text(m) for m in item["element"].iter(f"{XHTML}mark")]


def test_a_finding_inside_a_statement_marks_the_statement_and_the_finding(
        tmp_path: Path) -> None:
    policy = write(tmp_path / "role.json", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "logs:*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "*"}]}, indent=2))
    doc = personalize_lint_load_file(policy, None, LoadContext(root=tmp_path)).documents[0]
    finding = Finding("PL106", "s3:* on *", doc.location("/Statement/1/Action/1"),
                      level="warning")
    report = Report(findings=[finding], rules={}, root=tmp_path, tool_version="0",
                    started=STARTED, inventory=Inventory(documents=[doc]))
    (item,) = finding_items(parse_page(render(report)))
    lines = excerpt_lines(item)
    gutters = {line.split()[0]: line.split()[1] for line in lines if line.strip()}
    assert gutters["13"] == ">"  # "s3:*", the finding
    assert {gutters[n] for n in ("9", "10", "11", "12", "14", "15")} == {"|"}  # its statement
    assert gutters.get("5", "") != "|"  # statement 0 is context at most
    assert marked(item) == ['"s3:*"']


def test_a_long_line_is_cut_around_the_finding(tmp_path: Path) -> None:
    statements = [{"Sid": f"S{i}", "Effect": "Allow", "Action": "s3:GetObject",
                   "Resource": f"arn:aws:s3:::bucket-{i}/*"} for i in range(30)]
    policy = write(tmp_path / "minified.json", json.dumps({"Version": "2012-10-17",
                                                          "Statement": statements}))
    doc = personalize_lint_load_file(policy, None, LoadContext(root=tmp_path)).documents[0]
    finding = Finding("PL106", "m", doc.location("/Statement/20/Resource"), level="warning")
    report = Report(findings=[finding], rules={}, root=tmp_path, tool_version="0",
                    started=STARTED, inventory=Inventory(documents=[doc]))
    (item,) = finding_items(parse_page(render(report)))
    (line,) = excerpt_lines(item)
    assert marked(item) == ['"arn:aws:s3:::bucket-20/*"']
    assert line.startswith("1 > …") and line.endswith("…") and len(line) < 260


def test_an_account_policy_is_pretty_printed_with_the_statement_at_the_pointer() -> None:
    data = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
         "Action": "s3:*", "Resource": "*"},
        {"Sid": HOSTILE, "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"{BUCKET_ARN}/*"}]}
    setup = Setup(name="1/us-east-1/retail", location=Location(arn="arn:aws:personalize:"
                                                               "us-east-1:1:metric-attribution/x"))
    source = Source(location=Location(arn=BUCKET_ARN, region="us-east-1", pointer="/Policy"))
    setup.bucket = Bucket(source=Source(location=Location(arn=BUCKET_ARN)),
                          policy=Policy(data=data, source=source, kind="bucket",
                                        name="the bucket policy of metrics-bucket"))
    where = Location(arn=BUCKET_ARN, region="us-east-1", pointer="/Policy/Statement/1/Principal")
    whole = Location(arn=BUCKET_ARN, region="us-east-1", pointer="/Policy")
    report = Report(findings=[Finding("PL203", "public", where, level="error"),
                              Finding("PL201", "no grant", whole, level="error")],
                    rules={}, root=Path("/nonexistent"), tool_version="0",
                    started=STARTED, inventory=Inventory(setups=[setup]))
    public, no_grant = sorted(finding_items(parse_page(render(report))),
                              key=lambda i: i["rule"], reverse=True)
    caption = page_text(public["element"].find(f".//{XHTML}figcaption"))
    assert caption == "the bucket policy of metrics-bucket (as collected, pretty-printed)"
    lines = excerpt_lines(public)
    assert lines[:3] == ['11         "Resource": "*"', "12       },", "13 |     {"]
    assert f'14 |       "Sid": {json.dumps(HOSTILE)},' in lines  # statement 1, marked "|"
    assert '16 >       "Principal": "*",' in lines  # the finding, marked ">"
    assert lines[-1] == "21   }"
    assert marked(public) == ['"Principal": "*"']
    # A finding about the whole policy shows it all, nothing marked.
    assert "The finding is about the whole document." in no_grant["text"]
    assert len(excerpt_lines(no_grant)) == len(json.dumps(data, indent=2).splitlines())
    assert marked(no_grant) == []


def test_an_audit_finding_marks_the_failing_statement_of_the_collected_policy() -> None:
    """A rule locates a statement of a collected policy with ``source.locate(...)``: the
    finding keeps the policy's place (its fingerprint, hence baselines, do not change),
    and the excerpt marks the statement."""
    data = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
         "Action": "s3:*", "Resource": "*"},
        {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"{BUCKET_ARN}/*"}]}
    setup = Setup(name="1/us-east-1/retail", location=Location(arn="arn:aws:personalize:"
                                                               "us-east-1:1:metric-attribution/x"))
    source = Source(location=Location(arn=BUCKET_ARN, region="us-east-1", pointer="/Policy"))
    setup.bucket = Bucket(source=Source(location=Location(arn=BUCKET_ARN)),
                          policy=Policy(data=data, source=source, kind="bucket",
                                        name="the bucket policy of metrics-bucket"))
    where = source.locate("Statement", 1, "Principal")
    assert (where.pointer, where.focus) == ("/Policy", "/Statement/1/Principal")
    finding = Finding("PL203", "public", where, level="error")
    report = Report(findings=[finding], rules={}, root=Path("/nonexistent"), tool_version="0",
                    started=STARTED, inventory=Inventory(setups=[setup]))
    whole = Finding("PL203", "public", source.locate(), level="error")
    assert json_findings(report)[0]["fingerprint"] == json_findings(
        replace(report, findings=[whole]))[0]["fingerprint"]
    (item,) = finding_items(parse_page(render(report)))
    lines = excerpt_lines(item)
    assert '14 |       "Sid": "Public",' in lines  # statement 1, marked "|"
    assert '16 >       "Principal": "*",' in lines  # the finding, marked ">"
    assert marked(item) == ['"Principal": "*"']


def test_a_plan_policy_excerpt_is_its_json_pretty_printed_with_the_statement_marked(
        tmp_path: Path) -> None:
    """Terraform plans hold policies as JSON strings (one line each): the excerpt is the
    policy pretty-printed, the statement personalize-lint names marked."""
    cwd = EXAMPLES / "terraform" / "broken"
    run_cli("check", "--format", "html", "-o", tmp_path / "report.html", cwd=cwd)
    page = parse_page((tmp_path / "report.html").read_text(encoding="utf-8"))
    items = {i["rule"]: i for i in finding_items(page)}
    write_reports = items["PL104"]  # "the closest is statement 1 (WriteReports)"
    caption = page_text(write_reports["element"].find(f".//{XHTML}figcaption"))
    assert caption == "plan.json:475:21 (the JSON string, pretty-printed)"
    finding_lines = [line for line in excerpt_lines(write_reports) if " > " in line]
    assert '13 >       "Sid": "WriteReports"' in finding_lines
    assert not any("PublishMetrics" in line for line in finding_lines)


SECRET = "s3cr3t-external-id"


def test_values_a_plan_marks_sensitive_are_not_copied_into_the_page(tmp_path: Path) -> None:
    """``terraform show -json`` writes sensitive values in clear and marks them in
    ``after_sensitive``/``sensitive_values``: the page shows where, never what."""
    plan = json.loads((EXAMPLES / "terraform" / "broken" / "plan.json").read_text())
    for change in plan["resource_changes"]:
        if change["address"] == "aws_iam_role.metrics":
            after = change["change"]["after"]
            trust = json.loads(after["assume_role_policy"])
            trust["Statement"][0]["Condition"] = {"StringEquals": {"sts:ExternalId": SECRET}}
            after["assume_role_policy"] = json.dumps(trust)
            after["description"] = f"rotated with {SECRET}"
            change["change"]["after_sensitive"] = {"assume_role_policy": True,
                                                   "description": True}
    for resource in plan["planned_values"]["root_module"]["resources"]:
        if resource["address"] == "aws_iam_role.metrics":
            resource["values"]["assume_role_policy"] = after["assume_role_policy"]
            resource["sensitive_values"] = {"assume_role_policy": True}
    folder = tmp_path / "infra"
    shutil.copytree(EXAMPLES / "terraform" / "broken", folder)
    write(folder / "plan.json", json.dumps(plan, indent=2))
    as_json = run_cli("check", "--format", "json", cwd=folder)
    assert "PL102" in {f["rule_id"] for f in as_json.json()["findings"]}
    run_cli("check", "--format", "html", "-o", tmp_path / "report.html", cwd=folder)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert SECRET not in text
    page = parse_page(text)
    assert_page_holds(page, as_json.json()["findings"])
    trust_item = {i["rule"]: i for i in finding_items(page)}["PL102"]
    assert "sensitive in the plan: not shown" in trust_item["text"]


# --- The command line -----------------------------------------------------------------------


@pytest.mark.parametrize("example", ["broken", "compliant", "cloudformation",
                                     "terraform/broken", "terraform/compliant"])
def test_the_examples_as_html_hold_what_json_reports(example: str, tmp_path: Path) -> None:
    cwd = EXAMPLES / example
    as_json = run_cli("check", "--format", "json", cwd=cwd)
    as_html = run_cli("check", "--format", "html", "-o", tmp_path / "report.html", cwd=cwd)
    assert as_html.code == as_json.code, as_html.err
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert tag_problems(text) == []
    page = parse_page(text)
    doc = as_json.json()
    assert_page_holds(page, doc["findings"])
    summary = doc["summary"]
    counts = [str(summary[k]) for k in ("error", "warning", "note")]
    total = str(sum(summary[k] for k in ("error", "warning", "note")))
    rows = [[page_text(c) for c in tr] for tr in page.iter(f"{XHTML}tr")]
    assert ["All", *counts, total, str(summary["suppressed"])] in rows
    if example == "broken":
        items = {i["rule"]: i for i in finding_items(page)}
        # PL203 is the whole of statement 1 of the bucket policy (lines 10-15).
        lines = excerpt_lines(items["PL203"])
        assert [line.split()[0] for line in lines if " > " in line] == [
            str(n) for n in range(10, 16)]
        # PL405 is one value on line 6 of the metric attribution.
        assert marked(items["PL405"]) == ['"clicks"']
        # Data rows are not copied into the report.
        assert items["PL601"]["element"].find(f".//{XHTML}figure") is None


def test_the_whole_corpus_as_html_holds_what_json_reports(corpus_dir: Path,
                                                          tmp_path: Path) -> None:
    """130+ real files, some malformed: PL001/PL002 excerpts, YAML, templates, odd bytes."""
    as_json = run_cli("check", ".", "--format", "json", cwd=corpus_dir)
    run_cli("check", ".", "--format", "html", "-o", tmp_path / "corpus.html", cwd=corpus_dir)
    text = (tmp_path / "corpus.html").read_text(encoding="utf-8")
    assert tag_problems(text) == []
    page = parse_page(text)
    findings = as_json.json()["findings"]
    assert_page_holds(page, findings)
    excerpts = [i for i in finding_items(page) if i["element"].find(f".//{XHTML}pre")]
    assert len(excerpts) > len(findings) / 2  # most findings show their source


def test_two_runs_give_the_same_page_but_for_the_start_time(tmp_path: Path) -> None:
    cwd = EXAMPLES / "broken"
    for name in ("one.html", "two.html"):
        run_cli("check", "--format", "html", "-o", tmp_path / name, cwd=cwd)
    one, two = ((tmp_path / n).read_text(encoding="utf-8") for n in ("one.html", "two.html"))
    assert re.sub(r"<time .*?</time>", "", one) == re.sub(r"<time .*?</time>", "", two)


def test_hostile_files_come_out_inert_from_the_command_line(tmp_path: Path) -> None:
    write(tmp_path / "</pre><script>x()</script>.json", '{"Version": "2012-10-17", "Statement": '
          f'[{{"Sid": {json.dumps(HOSTILE)}, "Effect": "Allow", "Action": "s3:*"')  # truncated
    write(tmp_path / "trust.json", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": HOSTILE, "Effect": "Allow", "Principal": {"Service": "personalise.amazonaws.com"},
         "Action": "sts:AssumeRole"}]}, indent=2))
    run = run_cli("check", ".", "--format", "html", "-o", "out.html", cwd=tmp_path)
    as_json = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    assert run.code == as_json.code == 1, run.err
    text = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert tag_problems(text) == []
    page = parse_page(text)
    assert not ACTIVE_TAGS & (set(tags(page.find(f"{XHTML}body"))) - {"svg"})
    assert_page_holds(page, as_json.json()["findings"])
    assert {f["rule_id"] for f in as_json.json()["findings"]} >= {"PL001"}
    assert HOSTILE in page_text(page)


def test_format_html_is_listed_and_imported_only_when_chosen(tmp_path: Path) -> None:
    write(tmp_path / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": []}))

    def imported(*args: str) -> set[str]:
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "personalize_lint",
                               "check", "policy.json", *args], cwd=tmp_path,
                              capture_output=True, text=True, check=False)
        return {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")}

    page_modules = {"personalize_lint.reporters.html", "personalize_lint.reporters.excerpts"}
    assert not page_modules & imported()
    assert page_modules <= imported("--format", "html", "-o", "out.html")
    unknown = run_cli("check", "policy.json", "--format", "nope", cwd=tmp_path)
    assert unknown.code == 2 and "html" in unknown.err
    assert "html" in run_cli("check", "--help", cwd=tmp_path).out
    assert "html" in run_cli("audit", "--help", cwd=tmp_path).out


# --- Real tools: a browser and the W3C checker ------------------------------------------------


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class _Beacons(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def beacon_server() -> Iterator[tuple[str, list[str]]]:
    """A local server that records every request: the page must make none."""
    hits: list[str] = []
    handler = type("Beacons", (_Beacons,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={tmp_path / 'chromium-profile'}"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install -y chromium)")
def test_a_real_browser_shows_every_finding_and_runs_nothing(
        tmp_path: Path, beacon_server: tuple[str, list[str]]) -> None:
    url, hits = beacon_server
    report = hostile_report(tmp_path)
    lure = f'<img src="{url}/img"><link rel="stylesheet" href="{url}/css">'
    report.findings[0].message += lure
    report.rules["PL106"] = replace(report.rules["PL106"], source=f"{url}/docs")
    path = tmp_path / "report.html"
    path.write_text(render(report), encoding="utf-8")
    # The harness sees a load: the same lure as real markup on a page of its own is fetched.
    control = write(tmp_path / "control.html", f"<!DOCTYPE html><title>c</title>{lure}")
    assert chromium(tmp_path, "--dump-dom", control.as_uri()).returncode == 0
    assert sorted(hits) == ["/css", "/img"]
    hits.clear()

    dumped = chromium(tmp_path, "--dump-dom", path.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    # What the browser built: the findings, as text; no element from the hostile input.
    assert "<title>personalize-lint check: 1 error, 1 warning, 0 notes</title>" in dom
    for finding in json_findings(report):
        assert f'data-fingerprint="{finding["fingerprint"]}"' in dom
    assert dom.count("&lt;script&gt;document.title=\"pwned\"&lt;/script&gt;") >= 8
    assert not re.search(r"<(script|img|iframe|object|embed)\b", dom)
    assert f'<a href="{url}/docs" rel="noopener noreferrer">' in dom  # a link, not a load
    assert hits == []  # nothing was fetched: not the lure, not the documentation link

    shot = tmp_path / "shot.png"
    taken = chromium(tmp_path, "--window-size=900,700", f"--screenshot={shot}", path.as_uri())
    assert taken.returncode == 0 and shot.is_file(), taken.stderr[-2000:]
    width, height, rows, channels = png_pixels(shot.read_bytes())
    assert (width, height) == (900, 700)
    colours = {row[i:i + 3] for row in rows for i in range(0, len(row), channels)}
    assert len(colours) > 20  # text and tables, not a blank page
    assert bytes.fromhex("f6f8fa") in colours  # the inline stylesheet applied under the CSP
    assert hits == []


def _vnu_jar() -> Path | None:
    candidates = [os.environ.get("VNU_JAR", ""),
                  str(REPO / ".ci" / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" /
                      "vnu.jar")]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


@pytest.mark.skipif(shutil.which("java") is None or _vnu_jar() is None,
                    reason="no java, or no vnu.jar (npm install vnu-jar; see .ci/run)")
def test_the_w3c_checker_finds_no_error_in_html_or_xhtml(report: Report, tmp_path: Path) -> None:
    """The Nu Html Checker, as HTML and (.xhtml) as XHTML: polyglot markup passes both."""
    text = render(report)
    hostile = render(hostile_report(tmp_path))
    files = []
    for name, content in (("report", text), ("hostile", hostile)):
        for suffix in (".html", ".xhtml"):
            files.append(write(tmp_path / f"{name}{suffix}", content))
    jar = _vnu_jar()
    proc = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--also-check-svg",
                           "--format", "json", *map(str, files)], capture_output=True,
                          text=True, timeout=300, check=False)
    messages = json.loads(proc.stderr or proc.stdout)["messages"]
    assert messages == [], messages
