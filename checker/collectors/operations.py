"""The explicit allow-list of AWS operations the collectors may call, and their IAM actions.

This table is the single source for the read-only guard (:mod:`.guard`) and for the auditor
policy that ``--print-policy`` prints (:mod:`.policy`), so the two cannot drift. A test checks
that it lists exactly the operations the collectors call.
"""

from __future__ import annotations

from dataclasses import dataclass

# Operations by botocore service name, in the model's CamelCase spelling.
READ_OPERATIONS: dict[str, tuple[str, ...]] = {
    "personalize": (
        "ListMetricAttributions",
        "DescribeMetricAttribution",
        "ListMetricAttributionMetrics",
        "DescribeDatasetGroup",
        "ListDatasets",
        "DescribeDataset",
        "DescribeSchema",
        "ListDatasetImportJobs",
        "DescribeDatasetImportJob",
        "ListEventTrackers",
    ),
    "iam": (
        "GetRole",
        "ListRolePolicies",
        "GetRolePolicy",
        "ListAttachedRolePolicies",
        "GetPolicy",
        "GetPolicyVersion",
    ),
    "s3": ("GetBucketLocation", "GetBucketPolicy", "GetBucketEncryption", "ListBuckets"),
    "kms": ("DescribeKey", "GetKeyPolicy", "ListGrants"),
    "sts": ("GetCallerIdentity",),
    "organizations": ("ListAccounts", "ListParents", "ListPoliciesForTarget", "DescribePolicy"),
}

# Not a read, but how --role-arn and --org-role reach other accounts. The guard allows it
# only for the role ARNs the command line named (or arn:*:iam::*:role/<org role>).
ASSUME_ROLE = ("sts", "AssumeRole")

# Where the IAM action differs from "<service>:<Operation>"; None = needs no permission.
ACTION_EXCEPTIONS: dict[tuple[str, str], str | None] = {
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("sts", "GetCallerIdentity"): None,  # always allowed; an explicit Deny cannot stop it
}

READ_PREFIXES = ("Get", "List", "Describe")


@dataclass(frozen=True)
class Operation:
    service: str
    name: str

    @property
    def action(self) -> str | None:
        """The IAM action this operation needs, or None when it needs none."""
        key = (self.service, self.name)
        if key in ACTION_EXCEPTIONS:
            return ACTION_EXCEPTIONS[key]
        return f"{self.service}:{self.name}"

    def __str__(self) -> str:
        return f"{self.service}:{self.name}"


def read_operations() -> list[Operation]:
    return [Operation(s, op) for s, ops in READ_OPERATIONS.items() for op in ops]


def is_read(service: str, operation: str) -> bool:
    return operation in READ_OPERATIONS.get(service, ())
