"""Whose output bucket it is, in an audit over moto_server: ListBuckets (read-only) lists the
audited account's buckets, so an unlisted one is another account's, and PL104 then needs the
bucket policy's grant as well as the role's; when ListBuckets is denied the owner is PL003 and
PL104 only speaks where both readings agree.

"In cross account access, a principal needs an Allow in the identity policy and the
resource-based policy." (IAM user guide, policy evaluation logic); ListBuckets "Returns a list
of all buckets owned by the authenticated sender of the request" (S3 API reference).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import jsonschema
from helpers_audit import audit, audit_with, ids, report_of, session_with_errors, show
from world import ACCOUNT, CREDENTIALS, Aws, Deployed, bucket_policy, deploy

from helpers import REPO
from personalize_lint.collectors.assemble import inventory_parts
from personalize_lint.config import Config
from personalize_lint.engine import CheckOptions, run_inventory
from personalize_lint.inventory import Inventory
from personalize_lint.plugins import make_plugin_manager

OTHER = "444455556666"
SCHEMA = REPO / "checker" / "schemas" / "inventory.schema.json"
LIST_DENIED = {"s3:ListBuckets": (403, "AccessDenied", "User is not authorized to perform: "
                                                       "s3:ListAllMyBuckets")}


def role_grant(deployed: Deployed) -> dict[str, Any]:
    return {"Sid": "TheRoleToo", "Effect": "Allow", "Principal": {"AWS": deployed.role_arn},
            "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{deployed.bucket}/*"}


def policy(deployed: Deployed, name_the_role: bool) -> str:
    document = bucket_policy(deployed.bucket, ACCOUNT)
    if name_the_role:
        document["Statement"].append(role_grant(deployed))
    return json.dumps(document)


def other_s3(aws: Aws) -> Any:
    """An S3 client of the other account. Fresh keys each time: moto forgets which account
    assumed-role keys belong to when it is reset between tests."""
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=aws.moto_url, **CREDENTIALS)
    found = sts.assume_role(RoleArn=f"arn:aws:iam::{OTHER}:role/Admin",
                            RoleSessionName="other-bucket")["Credentials"]
    return boto3.client("s3", region_name="us-east-1", endpoint_url=aws.moto_url,
                        aws_access_key_id=found["AccessKeyId"],
                        aws_secret_access_key=found["SecretAccessKey"],
                        aws_session_token=found["SessionToken"])


def move_bucket(aws: Aws, deployed: Deployed, *, name_the_role: bool) -> None:
    """The same bucket name, owned by another account (with the same grants)."""
    aws.client("s3").delete_bucket(Bucket=deployed.bucket)
    theirs = other_s3(aws)
    theirs.create_bucket(Bucket=deployed.bucket)
    theirs.put_bucket_policy(Bucket=deployed.bucket, Policy=policy(deployed, name_the_role))


def test_the_audited_accounts_bucket_is_recorded_as_its_own(aws: Aws) -> None:
    deploy(aws, "retail", broken={"no-key"})
    result = audit()
    (bucket,) = result.body["buckets"].values()
    assert (bucket["owner"], bucket["account"]) == ("audited-account", ACCOUNT)
    assert "s3:ListBuckets" in result.calls
    assert ids(report_of(result).active) == []


def test_another_accounts_bucket_needs_the_bucket_policy_to_grant_the_role(aws: Aws) -> None:
    deployed = deploy(aws, "retail", broken={"no-key"})
    move_bucket(aws, deployed, name_the_role=False)
    result = audit()
    (bucket,) = result.body["buckets"].values()
    assert (bucket["owner"], bucket["account"]) == ("another-account", None)
    report = report_of(result)
    assert ids(report.active) == ["PL104"], show(report)
    (pl104,) = report.active
    assert ("its own policies allow it, but the bucket is in another account (not the "
            "audited one's)") in pl104.message
    assert f'Principal {{"AWS": "{deployed.role_arn}"}}' in pl104.message


def test_another_accounts_bucket_that_names_the_role_passes(aws: Aws) -> None:
    deployed = deploy(aws, "retail", broken={"no-key"})
    move_bucket(aws, deployed, name_the_role=True)
    report = report_of(audit())
    assert ids(report.active) == [], show(report)


def test_unknown_owner_where_the_readings_differ_is_not_evaluated(aws: Aws) -> None:
    # The role's own policy grants s3:PutObject; the bucket policy grants only the service.
    # Same account: allowed. Another account: denied. The audit cannot tell which.
    deploy(aws, "retail", broken={"no-key"})
    result = audit_with(session_with_errors(LIST_DENIED))
    (bucket,) = result.body["buckets"].values()
    assert bucket["owner"] == "unknown"
    report = report_of(result)
    assert ids(report.active) == ["PL003", "PL003"], show(report)
    owner, pl104 = sorted(report.active, key=lambda f: f.message.startswith("Could not"))
    assert "the output bucket's owning account" in owner.message
    assert "ListBuckets" in owner.message or "ListAllMyBuckets" in owner.message
    assert "In the role's account it is allowed; in another account" in pl104.message
    assert "it is denied" in pl104.message


def test_unknown_owner_where_the_readings_agree_is_decided(aws: Aws) -> None:
    deployed = deploy(aws, "retail", broken={"no-key"})
    aws.client("s3").put_bucket_policy(Bucket=deployed.bucket,
                                       Policy=policy(deployed, name_the_role=True))
    result = audit_with(session_with_errors(LIST_DENIED))
    report = report_of(result)
    assert ids(report.active) == ["PL003"], show(report)  # the owner only: PL104 holds
    assert "owning account" in report.active[0].message


def test_the_saved_inventory_keeps_the_owner(aws: Aws) -> None:
    deployed = deploy(aws, "retail", broken={"no-key"})
    move_bucket(aws, deployed, name_the_role=False)
    body = audit().body
    jsonschema.validate({"personalizeLintInventory": body}, json.loads(SCHEMA.read_text()))
    setups, _problems = inventory_parts(json.loads(json.dumps(body)))
    assert setups[0].bucket is not None and setups[0].bucket.owner == "another-account"


def test_another_accounts_bucket_is_not_judged_by_the_audited_accounts_rcps(aws: Aws) -> None:
    # "RCPs apply to resources of the following AWS services" in the accounts they are
    # attached over: the audited account's RCPs say nothing about another account's bucket,
    # and that account's are not read, so the bucket's checks wait on them (PL003).
    deployed = deploy(aws, "retail", broken={"no-key"})
    move_bucket(aws, deployed, name_the_role=True)
    body = audit().body
    allow_all = {"arn": "arn:aws:organizations::aws:policy/resource_control_policy/"
                        "p-RCPFullAWSAccess"}
    body["organizations"] = {ACCOUNT: {"organizationId": "o-exampleorgid",
                                       "managementAccount": "999988887777",
                                       "serviceControlPolicies": [],
                                       "resourceControlPolicies": [[allow_all]], "missing": []}}
    body["setups"][0]["organization"] = ACCOUNT
    jsonschema.validate({"personalizeLintInventory": body}, json.loads(SCHEMA.read_text()))
    setups, problems = inventory_parts(body)
    findings = run_inventory(Inventory(setups=setups, problems=problems),
                             Config(path=None, root=Path.cwd()),
                             make_plugin_manager(autoload=False),
                             CheckOptions(ignore=["PL409"]), command="audit").findings
    waiting = [f for f in findings if "the resource control policies over the bucket's "
               "account" in f.message]
    assert waiting and {f.rule_id for f in findings} == {"PL003"}


def test_unknown_owner_and_unreadable_policy_is_not_evaluated(aws: Aws) -> None:
    # Same account: the role's own grant is enough. Another account: the bucket policy must
    # grant the role too, and it could not be read. Neither reading is a verdict.
    deploy(aws, "retail", broken={"no-key"})
    denied = {**LIST_DENIED, "s3:GetBucketPolicy": (403, "AccessDenied", "Access Denied")}
    report = report_of(audit_with(session_with_errors(denied)))
    assert "PL104" not in ids(report.active), show(report)
    (pl104,) = [f for f in report.active if f.message.startswith(
        "Could not decide whether the service role may call s3:PutObject")]
    assert "in another account" in pl104.message and "it cannot be decided" in pl104.message


def test_an_older_botocore_without_listbuckets_pages_still_tells_the_owner(
    aws: Aws, monkeypatch: Any
) -> None:
    """boto3>=1.34 is allowed; ListBuckets took Prefix and pages only later (late 2024)."""
    import botocore.client
    from botocore.exceptions import OperationNotPageableError

    real = botocore.client.BaseClient.get_paginator

    def old_get_paginator(self: Any, operation_name: str) -> Any:
        if operation_name == "list_buckets":
            raise OperationNotPageableError(operation_name=operation_name)
        return real(self, operation_name)

    monkeypatch.setattr(botocore.client.BaseClient, "get_paginator", old_get_paginator)
    deploy(aws, "retail", broken={"no-key"})
    result = audit()
    (bucket,) = result.body["buckets"].values()
    assert (bucket["owner"], bucket["account"]) == ("audited-account", ACCOUNT)
    assert ids(report_of(result).active) == []
