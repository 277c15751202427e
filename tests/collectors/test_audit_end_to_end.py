"""End to end over HTTP: set-ups deployed in moto_server and the fake Personalize endpoint,
audited, and the findings the rules report on them."""

from __future__ import annotations

import json
from pathlib import Path

from helpers_audit import audit, ids, report_of, show
from world import ACCOUNT, INTERACTIONS, ITEMS, Aws, bucket_policy, deploy, role_policy, trust

from helpers import write
from personalize_lint.config import load_config
from personalize_lint.engine import CheckOptions, run_check
from personalize_lint.plugins import make_plugin_manager

BROKEN = {"trust-unguarded", "no-cloudwatch", "bucket-no-grant", "key-disabled", "early-import",
          "early-tracker"}


def test_compliant_setup_has_no_findings(aws: Aws) -> None:
    deployed = deploy(aws, "retail")
    result = audit()
    report = report_of(result)
    assert report.active == [], show(report)
    assert report.exit_code == 0
    assert report.command == "audit"
    (setup,) = result.body["setups"]
    assert setup["name"] == deployed.setup == f"{ACCOUNT}/us-east-1/retail"
    # Everything the rules need was read: metrics, both schemas, import jobs, the tracker.
    assert len(setup["attribution"]["metrics"]) == 2
    assert set(setup["datasetGroup"]["schemas"]) == {"Interactions", "Items"}
    (job,) = setup["datasetGroup"]["importJobs"]
    assert job["importMode"] == "FULL" and job["publishAttributionMetricsToS3"] is True
    assert job["dataSource"]["dataLocation"].startswith("s3://")
    assert setup["datasetGroup"]["eventTrackers"][0]["name"] == "retail-tracker"
    role = result.body["roles"][setup["role"]]
    assert role["trustPolicy"]["Statement"][0]["Principal"] == {
        "Service": "personalize.amazonaws.com"}
    assert [p["name"] for p in role["inlinePolicies"]] == ["attribution"]
    assert role["managedPolicies"][0]["document"]["Statement"][0]["Sid"] == "UseMetricsKey"
    key = result.body["keys"][setup["key"]]
    assert key["metadata"]["KeyState"] == "Enabled" and key["policy"]["Statement"]
    assert result.body["buckets"][setup["bucket"]]["region"] == "us-east-1"


def test_broken_setup_reports_each_problem(aws: Aws) -> None:
    deploy(aws, "retail")
    broken = deploy(aws, "broken", broken=BROKEN)
    report = report_of(audit())
    assert ids(report.active) == ["PL102", "PL103", "PL201", "PL303", "PL408", "PL408"], show(
        report)
    assert {f.setup for f in report.active} == {broken.setup}
    by_rule = {f.rule_id: f for f in report.active}
    assert by_rule["PL303"].location.arn == broken.key_arn
    assert "Disabled" in by_rule["PL303"].message
    assert by_rule["PL103"].location.arn == broken.role_arn
    assert by_rule["PL201"].location.arn == f"arn:aws:s3:::{broken.bucket}"
    assert by_rule["PL201"].location.pointer == "/Policy"
    messages = " ".join(f.message for f in report.active if f.rule_id == "PL408")
    assert "broken-import-0" in messages and "broken-tracker" in messages


def test_same_rule_ids_as_file_mode(aws: Aws, tmp_path: Path) -> None:
    """The audit feeds the same rules: a broken role and bucket give the rule IDs the same
    documents give as files (PL303 and PL408 need the account and are left out)."""
    broken = deploy(aws, "broken", broken=BROKEN - {"key-disabled"} | {"no-key"})
    audited = report_of(audit())

    write(tmp_path / "trust.json", json.dumps(trust(ACCOUNT, "us-east-1", guarded=False)))
    write(tmp_path / "role.json", json.dumps(role_policy(broken.bucket, cloudwatch=False)))
    write(tmp_path / "bucket.json", json.dumps(bucket_policy(broken.bucket, ACCOUNT, False)))
    write(tmp_path / "interactions.json", json.dumps(INTERACTIONS))
    write(tmp_path / "items.json", json.dumps(ITEMS))
    write(tmp_path / "attribution.json", json.dumps({
        "name": "broken", "datasetGroupArn": broken.group_arn,
        "metrics": [{"eventType": "click", "metricName": "CLICK_COUNT",
                     "expression": "SAMPLECOUNT()"},
                    {"eventType": "purchase", "metricName": "REVENUE",
                     "expression": "SUM(Items.PRICE)"}],
        "metricsOutputConfig": {"roleArn": broken.role_arn, "s3DataDestination": {
            "path": f"s3://{broken.bucket}/attribution/"}}}))
    write(tmp_path / "personalize-lint.toml", """
[[setup]]
name = "broken"
metric-attribution = "attribution.json"
role-trust-policy = "trust.json"
role-policies = ["role.json"]
bucket-policy = "bucket.json"
interactions-schema = "interactions.json"
items-schema = "items.json"
""")
    config = load_config(None, tmp_path)
    files = run_check(config, make_plugin_manager(autoload=False),
                      CheckOptions(ignore=["PL409"], fail_on="warning"))
    account_only = ("PL303", "PL408")
    assert [i for i in ids(audited.active) if i not in account_only] == ids(files.active)
    assert ids(files.active) == ["PL102", "PL103", "PL201"]


def test_key_in_another_region_than_the_bucket(aws: Aws) -> None:
    deploy(aws, "retail", broken={"key-other-region"})
    report = report_of(audit())
    assert ids(report.active) == ["PL303"], show(report)
    assert "is in us-west-2, but the output bucket is in us-east-1" in report.active[0].message


def test_shared_role_bucket_and_key_are_read_once(aws: Aws) -> None:
    for name in ("one", "two", "three"):
        deploy(aws, name, resources="shared")
    result = audit()
    assert len(result.body["setups"]) == 3
    assert result.calls["iam:GetRole"] == 1
    assert result.calls["s3:GetBucketPolicy"] == 1
    assert result.calls["kms:DescribeKey"] == 1
    assert result.calls["personalize:DescribeSchema"] == 2  # the two shared schemas
    assert report_of(result).active == []


def test_regions_and_pagination(aws: Aws) -> None:
    # The fake pages every list by two: five attributions take three pages.
    for i in range(5):
        deploy(aws, f"east-{i}", resources="east")
    deploy(aws, "west", region="eu-west-1")
    result = audit(("us-east-1", "eu-west-1"))
    names = [s["name"] for s in result.body["setups"]]
    assert names == [f"{ACCOUNT}/eu-west-1/west"] + [f"{ACCOUNT}/us-east-1/east-{i}"
                                                      for i in range(5)]
    assert aws.fake.calls[("ListMetricAttributions", "us-east-1")] == 3
    assert result.body["buckets"][f"{ACCOUNT}/west-metrics-eu-west-1"]["region"] == "eu-west-1"
    assert result.body["accounts"] == [{"account": ACCOUNT, "partition": "aws",
                                        "regions": ["us-east-1", "eu-west-1"], "via": None}]
    assert report_of(result).active == []


def test_a_missing_role_and_bucket_are_facts_not_gaps(aws: Aws) -> None:
    deployed = deploy(aws, "retail", broken={"no-key"})
    aws.client("iam").delete_role_policy(RoleName="retail-role", PolicyName="attribution")
    aws.client("iam").delete_role(RoleName="retail-role")
    data = aws.fake.region(ACCOUNT, "us-east-1").attributions[deployed.attribution_arn]
    data["metricsOutputConfig"]["s3DataDestination"]["path"] = "s3://no-such-bucket-here/x/"
    report = report_of(audit())
    found = ids(report.active)
    assert "PL107" in found  # the role does not exist
    gaps = [f.message for f in report.active if f.rule_id == "PL003"]
    assert len(gaps) == 1 and "does not exist" in gaps[0] and "NoSuchBucket" in gaps[0]


def test_a_permissions_boundary_is_read_and_applied(aws: Aws) -> None:
    deployed = deploy(aws, "retail", broken={"no-key"})
    iam = aws.client("iam")
    boundary = iam.create_policy(PolicyName="only-s3", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName="retail-role", PermissionsBoundary=boundary)
    result = audit()
    role = result.body["roles"][f"{ACCOUNT}/{deployed.role_arn}"]
    assert role["permissionsBoundary"]["arn"] == boundary
    assert role["permissionsBoundary"]["document"]["Statement"][0]["Action"] == "s3:*"
    report = report_of(result)
    assert ids(report.active) == ["PL103"], show(report)  # the boundary caps CloudWatch
