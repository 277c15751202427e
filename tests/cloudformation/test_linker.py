"""Resources to set-ups: what the linker finds, and how views locate it in the template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from personalize_lint.cloudformation.linker import Linked, Linker
from personalize_lint.cloudformation.links import generated_match
from personalize_lint.cloudformation.symbols import ACCOUNT, REGION, key_id
from personalize_lint.cloudformation.template import Template
from personalize_lint.cloudformation.views import anchor_view
from personalize_lint.document import Document
from personalize_lint.inventory import Setup
from personalize_lint.loaders.yamlpos import parse_yaml


def linker_of(text: str, path: str = "t.yaml") -> Linker:
    parsed = parse_yaml(text, max_depth=64, max_aliases=100)
    document = Document(path, "cloudformation", parsed.data, parsed.spans, parsed.key_spans,
                        text_format="yaml")
    template = Template.of(document)
    assert template is not None
    return Linker(template)


def linked(templates: Path, name: str = "compliant.yaml") -> Linked:
    linker = linker_of((templates / name).read_text(), name)
    return linker.link_attribution(linker.attributions()[0])


def test_the_attribution_becomes_an_api_request(templates: Path) -> None:
    setup = linked(templates).setup
    assert setup.name == "compliant.yaml#Attribution" and setup.origin == "cloudformation"
    assert setup.metric_attribution is not None
    data: dict[str, Any] = setup.metric_attribution.data
    assert data == {
        "name": "retail-attribution",
        "datasetGroupArn": f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset-group/retail",
        "metrics": [
            {"eventType": "click", "metricName": "CLICK_COUNT", "expression": "SAMPLECOUNT()"},
            {"eventType": "purchase", "metricName": "REVENUE", "expression": "SUM(Items.PRICE)"},
        ],
        "metricsOutputConfig": {
            "roleArn": f"arn:aws:iam::{ACCOUNT}:role/PersonalizeMetricsRole",
            "s3DataDestination": {
                "path": "s3://retail-personalize-metrics/attribution/",
                "kmsKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id('MetricsKey')}",
            },
        },
    }
    where = setup.metric_attribution.source.locate("metricsOutputConfig", "roleArn")
    assert where.logical_id == "Attribution"
    assert where.pointer == "/Resources/Attribution/Properties/MetricsOutputConfig/RoleArn"
    assert where.line is not None and where.path == "compliant.yaml"


def test_role_policies_from_every_kind_of_attachment(templates: Path) -> None:
    role = linked(templates).setup.role
    assert role is not None and role.name == "PersonalizeMetricsRole"
    assert role.trust_policy is not None and role.trust_policy.kind == "trust"
    # Inline policy (the Fn::If branch is AWS::NoValue: one statement left) and the
    # AWS::IAM::Policy attached through Roles.
    assert [p.name for p in role.policies] == [
        "MetricsRole policy PublishAttributionMetrics", "WriteReportsPolicy (AWS::IAM::Policy)"]
    assert len(role.policies[0].data["Statement"]) == 1


def test_managed_policies_aws_and_templated() -> None:
    linker = linker_of("""\
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonPersonalizeFullAccess
        - !Ref Listed
  Listed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: listed
      PolicyDocument: {Statement: [{Effect: Allow, Action: s3:PutObject, Resource: "*"}]}
  Attached:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref Role]
      PolicyDocument: {Statement: [{Effect: Allow, Action: kms:Decrypt, Resource: "*"}]}
  Inline:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: !Ref Role
      PolicyName: inline
      PolicyDocument: {Statement: [{Effect: Allow, Action: sqs:*, Resource: "*"}]}
""")
    role = linker.build_role("Role", [])
    refs = {m.arn: m for m in role.managed_policies}
    assert set(refs) == {
        "arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess",
        f"arn:aws:iam::{ACCOUNT}:policy/listed",
        f"arn:aws:iam::{ACCOUNT}:policy/stack-Attached",
    }
    assert refs["arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess"].policy is None
    listed = refs[f"arn:aws:iam::{ACCOUNT}:policy/listed"].policy
    assert listed is not None and listed.source.locate().logical_id == "Listed"
    assert [p.name for p in role.policies] == ["Inline (AWS::IAM::RolePolicy)"]


def test_a_role_without_policies_may_do_nothing() -> None:
    role = linker_of("""\
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
""").build_role("Role", [])
    assert [p.data["Statement"] for p in role.policies] == [[]]
    assert role.policies[0].source.locate().logical_id == "Role"


def test_bucket_encryption_is_shaped_like_get_bucket_encryption(templates: Path) -> None:
    setup: Setup = linked(templates).setup
    bucket = setup.bucket
    assert bucket is not None and bucket.name == "retail-personalize-metrics"
    assert bucket.encryption == {"ServerSideEncryptionConfiguration": {"Rules": [{
        "ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms",
            "KMSMasterKeyID": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id('MetricsKey')}"},
        "BucketKeyEnabled": True}]}}
    assert bucket.encryption_source is not None
    where = bucket.encryption_source.locate(
        "ServerSideEncryptionConfiguration", "Rules", 0, "ApplyServerSideEncryptionByDefault",
        "KMSMasterKeyID")
    assert where.pointer == ("/Resources/MetricsBucket/Properties/BucketEncryption/"
                             "ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/"
                             "KMSMasterKeyID")


def test_the_bucket_default_key_is_found_through_an_alias_and_gets_the_default_policy() -> None:
    linker = linker_of("""\
Resources:
  Key:
    Type: AWS::KMS::Key
  Alias:
    Type: AWS::KMS::Alias
    Properties: {AliasName: alias/metrics, TargetKeyId: !Ref Key}
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: "aws:kms", KMSMasterKeyID: alias/metrics}
  Attribution:
    Type: AWS::Personalize::MetricAttribution
    Properties:
      MetricsOutputConfig:
        S3DataDestination: {Path: !Sub "s3://${Bucket}/out/"}
""")
    result = linker.link_attribution("Attribution")
    key = result.setup.key
    assert key is not None and key.arn == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id('Key')}"
    assert key.policy is not None
    statement = key.policy.data["Statement"][0]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert key.policy.source.locate().logical_id == "Key"
    # The bucket has no policy in the template: an empty one, at the bucket.
    assert result.setup.bucket is not None and result.setup.bucket.policy is not None
    assert result.setup.bucket.policy.data["Statement"] == []


def test_resources_outside_the_template_are_notes_for_their_config_keys() -> None:
    linker = linker_of("""\
Resources:
  Attribution:
    Type: AWS::Personalize::MetricAttribution
    Properties:
      MetricsOutputConfig:
        RoleArn: arn:aws:iam::111122223333:role/elsewhere
        S3DataDestination:
          Path: s3://shared-bucket/out/
          KmsKeyArn: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
""")
    result = linker.link_attribution("Attribution")
    assert result.setup.role is None
    assert [(n.keys, n.missing.what) for n in result.notes] == [
        (("bucket-policy",), "bucket policy"), (("key-policy",), "key policy")]
    assert "shared-bucket" in result.notes[0].missing.reason
    assert result.notes[0].missing.location.pointer.endswith("/S3DataDestination/Path")


def test_views_locate_the_whole_resource_from_its_logical_id(templates: Path) -> None:
    linker = linker_of((templates / "compliant.yaml").read_text(), "compliant.yaml")
    lines = (templates / "compliant.yaml").read_text().splitlines()
    where = anchor_view(linker.template, "/Resources/MetricsKey").location()
    assert where.line is not None and lines[where.line - 1].strip() == "MetricsKey:"
    assert where.span is not None and where.span.end_line > where.line
    key = anchor_view(linker.template, "/Resources/MetricsKey/Properties/KeyPolicy").location(
        key=True)
    assert key.line is not None and lines[key.line - 1].strip() == "KeyPolicy:"


def test_fragments_have_their_resources_at_the_top() -> None:
    linker = linker_of("""\
Policy:
  Type: AWS::S3::BucketPolicy
  Properties:
    Bucket: !Ref Bucket
    PolicyDocument:
      Statement:
        - {Effect: Allow, Principal: {Service: personalize.amazonaws.com},
           Action: s3:PutObject, Resource: !Sub "arn:aws:s3:::${Bucket}/*"}
""")
    assert linker.template.base == ""
    [view] = linker.standalone()
    assert view.data["Statement"][0]["Resource"] == "arn:aws:s3:::param-bucket/*"
    where = view.location("/Statement/0/Resource")
    assert (where.logical_id, where.pointer) == (
        "Policy", "/Policy/Properties/PolicyDocument/Statement/0/Resource")


@pytest.mark.parametrize(("name", "logical_id", "expected"), [
    ("demo-PersonalizeIamRole-1X2Y3Z4W5V6U", "PersonalizeIamRole", True),
    ("mystack-metricsbucket-1a2b3c", "metricsbucket", True),
    ("PersonalizeIamRole", "PersonalizeIamRole", False),
    ("demo-OtherRole-1X2Y", "PersonalizeIamRole", False),
    ("s-AVeryLongLogicalIdOf-ABC", "AVeryLongLogicalIdOfARole", True),
])
def test_generated_names(name: str, logical_id: str, expected: bool) -> None:
    assert generated_match(name, logical_id) is expected
