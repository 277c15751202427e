"""Intrinsic functions evaluated statically: values, symbols, and what stays unresolved."""

from __future__ import annotations

from typing import Any

import pytest

from personalize_lint.cloudformation.intrinsics import Resolver
from personalize_lint.cloudformation.nodes import RNode, plain
from personalize_lint.cloudformation.symbols import (
    ACCOUNT,
    REGION,
    Unresolved,
    key_id,
    parameter_symbol,
)
from personalize_lint.cloudformation.template import Template, is_fragment
from personalize_lint.document import Document
from personalize_lint.loaders.yamlpos import parse_yaml

HEADER = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  BucketName: {Type: String, Default: metrics}
  Env: {Type: String, AllowedValues: [prod, test]}
  Stage: {Type: String, Default: test}
  Names: {Type: CommaDelimitedList, Default: "a, b,c"}
  Secret: {Type: "AWS::SSM::Parameter::Value<String>", Default: /org/key}
Mappings:
  Regions:
    us-east-1: {bucket: shared-metrics}
    eu-west-1: {bucket: shared-metrics}
  Stages:
    prod: {prefix: live/}
    test: {prefix: tries/}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsTest: !Equals [!Ref Stage, test]
  NotTest: !Not [!Condition IsTest]
  InMainRegion: !Equals [!Ref AWS::Region, us-east-1]
  Both: !And [!Condition IsTest, !Equals [a, a]]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Path: /service/
      AssumeRolePolicyDocument: {}
  Named:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "${BucketName}-role"
      AssumeRolePolicyDocument: {}
  Bucket:
    Type: AWS::S3::Bucket
  Key:
    Type: AWS::KMS::Key
  Group:
    Type: AWS::Personalize::DatasetGroup
    Properties: {Name: retail}
  Data:
    Type: AWS::Personalize::Dataset
    Properties:
      DatasetGroupArn: !Ref Group
      DatasetType: interactions
  Queue:
    Type: AWS::SQS::Queue
  Nested:
    Type: AWS::CloudFormation::Stack
  Custom:
    Type: Custom::Thing
  Probe:
    Type: AWS::SNS::Topic
    Properties:
      Value: VALUE
"""


def resolver() -> Resolver:
    parsed = parse_yaml(HEADER, max_depth=64, max_aliases=100)
    document = Document("t.yaml", "cloudformation", parsed.data, parsed.spans, parsed.key_spans)
    template = Template.of(document)
    assert template is not None
    return Resolver(template)


def value(expression: Any) -> Any:
    """Resolve ``expression`` (long-form data) as a property value."""
    return plain(resolver().resolve(expression, "/Resources/Probe/Properties/Value"))


def reason(expression: Any) -> str:
    out = value(expression)
    assert isinstance(out, Unresolved), out
    return out.reason


@pytest.mark.parametrize(("expression", "expected"), [
    ({"Ref": "BucketName"}, "metrics"),
    ({"Ref": "Stage"}, "test"),
    ({"Ref": "Names"}, ["a", "b", "c"]),
    ({"Ref": "Env"}, parameter_symbol("Env")),
    ({"Ref": "AWS::AccountId"}, ACCOUNT),
    ({"Ref": "AWS::Region"}, REGION),
    ({"Ref": "AWS::Partition"}, "aws"),
    ({"Ref": "AWS::URLSuffix"}, "amazonaws.com"),
    ({"Fn::Sub": "arn:${AWS::Partition}:s3:::${BucketName}/*"}, "arn:aws:s3:::metrics/*"),
    ({"Fn::Sub": ["${A}-${B}", {"A": "x", "B": {"Ref": "Stage"}}]}, "x-test"),
    ({"Fn::Sub": "${!Literal}-${Bucket}"}, "${Literal}-stack-bucket"),
    ({"Fn::Join": [":", ["a", {"Ref": "Stage"}, "c"]]}, "a:test:c"),
    ({"Fn::Join": ["", {"Ref": "Names"}]}, "abc"),
    ({"Fn::Select": [1, ["x", "y", "z"]]}, "y"),
    ({"Fn::Select": ["2", {"Fn::Split": [",", "p,q,r"]}]}, "r"),
    ({"Fn::Split": ["/", "a/b"]}, ["a", "b"]),
    ({"Fn::If": ["IsTest", "yes", "no"]}, "yes"),
    ({"Fn::If": ["NotTest", "yes", "no"]}, "no"),
    ({"Fn::If": ["Both", "yes", "no"]}, "yes"),
    ({"Fn::If": ["IsProd", "same", "same"]}, "same"),  # undecided, but both agree
    ({"Fn::FindInMap": ["Stages", {"Ref": "Stage"}, "prefix"]}, "tries/"),
    # Keyed by the region symbol: every region gives the same bucket, so it is known.
    ({"Fn::FindInMap": ["Regions", {"Ref": "AWS::Region"}, "bucket"]}, "shared-metrics"),
    ({"Fn::FindInMap": ["Stages", "dev", "prefix", {"DefaultValue": "dev/"}]}, "dev/"),
    ({"Fn::Base64": "hi"}, "aGk="),
    ({"Fn::Length": [1, 2, 3]}, 3),
    ({"Fn::ToJsonString": {"a": [1, {"Ref": "Stage"}]}}, '{"a":[1,"test"]}'),
    ({"Ref": "Role"}, "stack-Role"),
    ({"Fn::GetAtt": ["Role", "Arn"]}, f"arn:aws:iam::{ACCOUNT}:role/service/stack-Role"),
    ({"Fn::GetAtt": "Named.Arn"}, f"arn:aws:iam::{ACCOUNT}:role/metrics-role"),
    ({"Ref": "Bucket"}, "stack-bucket"),
    ({"Fn::GetAtt": ["Bucket", "Arn"]}, "arn:aws:s3:::stack-bucket"),
    ({"Fn::GetAtt": ["Bucket", "RegionalDomainName"]},
     f"stack-bucket.s3.{REGION}.amazonaws.com"),
    ({"Ref": "Key"}, key_id("Key")),
    ({"Fn::GetAtt": ["Key", "Arn"]}, f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id('Key')}"),
    ({"Ref": "Group"}, f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset-group/retail"),
    ({"Fn::GetAtt": ["Data", "DatasetArn"]},
     f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset/retail/INTERACTIONS"),
    ({"Fn::GetAtt": ["Queue", "Arn"]}, f"arn:aws:sqs:{REGION}:{ACCOUNT}:Queue"),
    ({"a": {"Ref": "AWS::NoValue"}, "b": [1, {"Ref": "AWS::NoValue"}, 2]}, {"b": [1, 2]}),
    ("plain {{not a dynamic reference}}", "plain {{not a dynamic reference}}"),
])
def test_values(expression: Any, expected: Any) -> None:
    assert value(expression) == expected


@pytest.mark.parametrize(("expression", "words"), [
    ({"Fn::ImportValue": "SharedBucket"}, ["Fn::ImportValue", "SharedBucket", "export"]),
    ({"Fn::ImportValue": {"Fn::Sub": "${Stage}-bucket"}}, ["test-bucket"]),
    ({"Ref": "Secret"}, ["Secret", "SSM Parameter Store", "/org/key"]),
    ("{{resolve:ssm:/org/bucket:3}}", ["{{resolve:ssm:/org/bucket:3}}", "SSM"]),
    ({"Fn::Sub": "s3://{{resolve:secretsmanager:name}}/"}, ["Secrets Manager"]),
    ({"Fn::Sub": "s3://${Missing.Value}/"}, ["Missing.Value"]),
    ({"Fn::If": ["IsProd", "a", "b"]}, ["Fn::If", "IsProd", "cannot be decided"]),
    ({"Fn::If": ["NoSuchCondition", "a", "b"]}, ["NoSuchCondition"]),
    ({"Fn::If": ["InMainRegion", "a", "b"]}, ["InMainRegion"]),  # AWS::Region is a symbol
    ({"Fn::GetAtt": ["Nested", "Outputs.Bucket"]}, ["nested stack"]),
    ({"Fn::GetAtt": ["Custom", "Value"]}, ["custom resource"]),
    ({"Fn::GetAZs": ""}, ["Fn::GetAZs"]),
    ({"Fn::Transform": {"Name": "AWS::Include"}}, ["Fn::Transform"]),
    ({"Fn::Select": [5, ["a"]]}, ["out of range"]),
    ({"Fn::Join": ["", [{"Fn::ImportValue": "X"}, "/*"]]}, ["'X'"]),
    ({"Fn::Equals": ["a", "a"]}, ["condition function"]),
    ({"Fn::FindInMap": ["Stages", "dev", "prefix"]}, ["no entry"]),
])
def test_unresolved_values_say_why(expression: Any, words: list[str]) -> None:
    text = reason(expression)
    for word in words:
        assert word in text


def test_parameters_without_default_are_symbols_that_equal_only_themselves() -> None:
    r = resolver()
    node = r.resolve({"Fn::Sub": "${Env}-a"}, "/x")
    assert node.value == "param-env-a" and node.params == {"Env"}
    assert r.condition("IsProd") is None  # a symbol against a literal: undecided
    assert r.condition("IsTest") is True
    assert r.condition("InMainRegion") is None


def test_pseudo_parameters_are_tracked_as_symbols() -> None:
    node = resolver().resolve({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"},
                              "/x")
    assert node.pseudo == {"AWS::Partition", "AWS::AccountId"}


def test_a_computed_value_takes_the_position_of_the_call() -> None:
    r = resolver()
    node = r.resolve({"Fn::If": ["IsTest", {"a": "literal"}, "no"]}, "/Resources/Probe/X")
    # A literal branch keeps its own position; the Sub is where it is written.
    assert node.pointer == "/Resources/Probe/X/Fn::If/1"
    assert isinstance(node.value, dict)
    assert node.value["a"].pointer == "/Resources/Probe/X/Fn::If/1/a"
    ref = r.resolve({"Ref": "BucketName"}, "/Resources/Probe/Y")
    assert ref.pointer == "/Resources/Probe/Y"


def test_circular_references_are_unresolved_not_a_crash() -> None:
    text = """\
Resources:
  A:
    Type: AWS::IAM::Role
    Properties: {RoleName: !GetAtt B.Arn}
  B:
    Type: AWS::IAM::Role
    Properties: {RoleName: !Ref A}
"""
    parsed = parse_yaml(text, max_depth=64, max_aliases=100)
    template = Template.of(Document("c.yaml", "cloudformation", parsed.data, parsed.spans))
    assert template is not None
    node: RNode = Resolver(template).ref("A", "/x")
    assert node.unresolved is not None and "circular" in node.unresolved.reason


def test_fragments_are_recognised() -> None:
    assert is_fragment({"Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {}}})
    assert not is_fragment({"Policy": {"Type": "something"}})
    assert not is_fragment({})
