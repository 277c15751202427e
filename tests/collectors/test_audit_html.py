"""`audit --format html` over real HTTP (moto_server and the fake Personalize endpoint), and
the same page from `check` on the saved inventory: every finding of the JSON report is on
it, with the collected policy pretty-printed around the finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from html_page import XHTML, finding_items, location_text, page_text
from world import ACCOUNT, Aws, deploy

from helpers import run_cli


def test_an_audit_page_holds_every_finding_by_account_region_and_set_up(
        aws: Aws, tmp_path: Path) -> None:
    deploy(aws, "retail")
    deploy(aws, "broken", broken={"trust-unguarded", "no-cloudwatch", "bucket-no-grant"})
    deploy(aws, "west", region="eu-west-1", broken={"key-disabled"})
    audited = run_cli("audit", "--region", "us-east-1", "--region", "eu-west-1", "--format",
                      "html", "-o", "audit.html", "--save-inventory", "inventory.json",
                      "--quiet", cwd=tmp_path, env=aws.env)
    assert audited.code == 1, audited.err
    as_json = run_cli("check", "inventory.json", "--format", "json", cwd=tmp_path,
                      env={"AWS_ENDPOINT_URL": "x"})
    replayed = run_cli("check", "inventory.json", "--format", "html", "-o", "check.html",
                       cwd=tmp_path, env={"AWS_ENDPOINT_URL": "x"})
    assert replayed.code == 1, replayed.err
    findings = as_json.json()["findings"]
    assert {"PL102", "PL103", "PL201", "PL303"} <= {f["rule_id"] for f in findings}

    for name in ("audit.html", "check.html"):
        page = ET.parse(tmp_path / name).getroot()
        items = finding_items(page)
        assert sorted((i["rule"], i["fingerprint"]) for i in items) == sorted(
            (f["rule_id"], f["fingerprint"]) for f in findings), name
        for finding in findings:
            item = next(i for i in items if i["fingerprint"] == finding["fingerprint"])
            assert finding["message"] in item["text"]
            assert location_text(finding) in item["text"]

        setups = page.find(f".//{XHTML}section[@id='summary']")
        assert setups is not None
        rows = [[page_text(td) for td in tr.findall(f"{XHTML}td")]
                for tr in setups.iter(f"{XHTML}tr")]
        # By account and region (error, warning, note, total, suppressed): the role's
        # findings (IAM is global) count where the set-up that uses the role is.
        assert [ACCOUNT, "us-east-1", "2", "1", "2", "5", "0"] in rows
        assert [ACCOUNT, "eu-west-1", "1", "0", "1", "2", "0"] in rows
        # By set-up: every set-up audited, the clean one with its note only.
        assert [f"{ACCOUNT}/eu-west-1/west", ACCOUNT, "eu-west-1", "1", "0", "1", "2",
                "0"] in rows
        assert [f"{ACCOUNT}/us-east-1/retail", ACCOUNT, "us-east-1", "0", "0", "1", "1",
                "0"] in rows

    page = ET.parse(tmp_path / "audit.html").getroot()
    # PL102: the unguarded trust policy, pretty-printed from what the audit read.
    item = next(i for i in finding_items(page) if i["rule"] == "PL102")
    excerpt = item["element"].find(f".//{XHTML}figure")
    assert excerpt is not None
    caption = page_text(excerpt.find(f"{XHTML}figcaption"))
    assert "the trust policy of role broken-role" in caption
    assert "as collected, pretty-printed" in caption
    code = page_text(excerpt.find(f"{XHTML}pre"))
    assert '"Service": "personalize.amazonaws.com"' in code
