"""S3: the output bucket's region, owner, policy and default encryption.

Whose bucket it is decides PL104: "In cross account access, a principal needs an Allow in the
identity policy and the resource-based policy" (IAM user guide). No read-only call names a
bucket's owning account, but ``ListBuckets`` "returns a list of all buckets owned by the
authenticated sender of the request" (S3 API reference): the bucket is the audited account's
if it is listed there, another account's if it is not. When that list cannot be read, the
owner is "unknown" and PL104 reports what it cannot decide rather than assume either.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import OperationNotPageableError, ParamValidationError

from .errors import ApiError
from .gaps import gap, plain
from .session import Scope

SERVICE = "s3"


def bucket_region(constraint: Any) -> str:
    # GetBucketLocation answers None for us-east-1 and "EU" for the oldest eu-west-1 buckets.
    if not constraint:
        return "us-east-1"
    return "eu-west-1" if constraint == "EU" else str(constraint)


def collect_bucket(scope: Scope, name: str) -> dict[str, Any]:
    arn = f"arn:{scope.partition}:s3:::{name}"
    bucket: dict[str, Any] = {"name": name, "arn": arn, "region": None, "exists": True,
                              "policy": None, "encryption": None, "account": None,
                              "owner": "unknown", "missing": []}
    missing = bucket["missing"]
    try:
        location = scope.call(SERVICE, "GetBucketLocation", Bucket=name)
        bucket["region"] = bucket_region(location.get("LocationConstraint"))
    except ApiError as exc:
        if exc.code == "NoSuchBucket":
            bucket["exists"] = False
            missing.append(gap("the output bucket (it does not exist: Personalize cannot "
                               "write the reports; PL201-PL204)", exc, arn))
            return bucket
        missing.append(gap("the output bucket's region (PL303)", exc, arn, "/LocationConstraint"))
    _owner(scope, name, bucket)
    here = scope.at(bucket["region"])  # ask the bucket's own region, no redirects
    try:
        text = here.call(SERVICE, "GetBucketPolicy", Bucket=name)["Policy"]
        bucket["policy"] = json.loads(text)
    except ApiError as exc:
        if exc.code != "NoSuchBucketPolicy":  # no policy is a fact the rules judge
            missing.append(gap("the bucket policy (PL201-PL204, PL104)", exc, arn, "/Policy"))
    except ValueError:
        bucket["policy"] = None
    try:
        encryption = here.call(SERVICE, "GetBucketEncryption", Bucket=name)
        bucket["encryption"] = plain(
            {"ServerSideEncryptionConfiguration": encryption["ServerSideEncryptionConfiguration"]})
    except ApiError as exc:
        # No configuration: S3 encrypts with SSE-S3, the default the rules assume.
        if exc.code != "ServerSideEncryptionConfigurationNotFoundError":
            missing.append(gap("the bucket's default encryption (PL105, PL301)", exc, arn,
                               "/ServerSideEncryptionConfiguration"))
    return bucket


def _owner(scope: Scope, name: str, bucket: dict[str, Any]) -> None:
    """Is the bucket the audited account's? (``owner``: "audited-account", "another-account"
    or "unknown", with a gap saying why.)"""
    try:
        try:
            # Paginated: unpaginated ListBuckets is refused above the default bucket quota.
            listed = scope.pages(SERVICE, "ListBuckets", "Buckets", Prefix=name,
                                 PaginationConfig={"PageSize": 1000})
        except (OperationNotPageableError, ParamValidationError):
            # botocore before ListBuckets took Prefix and pages (late 2024): one call.
            listed = scope.call(SERVICE, "ListBuckets").get("Buckets") or []
    except ApiError as exc:
        bucket["missing"].append(gap(
            "the output bucket's owning account (PL104: a bucket in another account needs the "
            "bucket policy's grant as well as the role's)", exc, bucket["arn"]))
        return
    if any(isinstance(b, dict) and b.get("Name") == name for b in listed):
        bucket["owner"], bucket["account"] = "audited-account", scope.account
    else:
        bucket["owner"] = "another-account"
