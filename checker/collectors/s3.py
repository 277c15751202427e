"""S3: the output bucket's region, policy and default encryption."""

from __future__ import annotations

import json
from typing import Any

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
                              "policy": None, "encryption": None, "missing": []}
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
