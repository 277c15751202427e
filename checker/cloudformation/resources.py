"""What ``Ref`` and ``Fn::GetAtt`` return for each resource type.

Names and ARNs are built the way CloudFormation and the services build them, from the
resource's own properties (resolved) or, when unnamed, from a generated name; the account,
region and partition are the pseudo-parameter symbols. For resource types this linter
does not model, ``Ref`` and ``Arn`` give a symbol unique to the resource: it equals only
itself, which is exactly what one resource's identity does. Custom resources and nested
stacks compute their values when deployed: those are unresolved.
"""

from __future__ import annotations

from typing import Protocol

from .nodes import RNode, concat, unresolved
from .symbols import generated_name, key_id
from .template import Template


class Resolver(Protocol):
    """What building a resource's values needs of the resolver of its template
    (:class:`.intrinsics.Resolver`, which calls :func:`ref` and :func:`get_att`)."""

    template: Template

    def prop(self, logical_id: str, *tokens: str | int) -> RNode | None: ...

    def pseudo(self, name: str) -> RNode: ...

_GENERATED = frozenset({"AWS::StackName"})

# Personalize resources: (ARN resource type, the GetAtt attribute holding the ARN).
PERSONALIZE = {
    "AWS::Personalize::DatasetGroup": ("dataset-group", "DatasetGroupArn"),
    "AWS::Personalize::Schema": ("schema", "SchemaArn"),
    "AWS::Personalize::MetricAttribution": ("metric-attribution", "MetricAttributionArn"),
    "AWS::Personalize::Solution": ("solution", "SolutionArn"),
    "AWS::Personalize::Dataset": ("dataset", "DatasetArn"),
}


def _name(r: Resolver, logical_id: str, prop: str, *, lower: bool = False,
          limit: int = 64) -> RNode:
    node = r.prop(logical_id, prop)
    if node is not None:
        return node
    return RNode("", generated_name(logical_id, lower=lower, limit=limit), pseudo=_GENERATED)


def _path(r: Resolver, logical_id: str) -> RNode:
    node = r.prop(logical_id, "Path")
    return node if node is not None else RNode("", "/")


def _arn(r: Resolver, service: str, *resource: str | RNode, region: bool = True) -> RNode:
    return concat("", "arn:", r.pseudo("AWS::Partition"), f":{service}:",
                  r.pseudo("AWS::Region") if region else "", ":", r.pseudo("AWS::AccountId"),
                  ":", *resource)


def _personalize_arn(r: Resolver, logical_id: str, kind: str) -> RNode:
    if kind == "dataset":
        group = r.prop(logical_id, "DatasetGroupArn")
        dataset_type = r.prop(logical_id, "DatasetType")
        if group is None or dataset_type is None:
            return unresolved("", f"the dataset {logical_id} lacks DatasetGroupArn or DatasetType")
        if group.unresolved is not None or dataset_type.unresolved is not None:
            return RNode("", group.unresolved or dataset_type.unresolved)
        group_name = str(group.value).rsplit("dataset-group/", 1)[-1]
        return concat("", _arn(r, "personalize", "dataset/"), group_name, "/",
                      RNode("", str(dataset_type.value).upper(), dataset_type.params,
                            dataset_type.pseudo))
    return _arn(r, "personalize", f"{kind}/", _name(r, logical_id, "Name", limit=63))


def ref(r: Resolver, logical_id: str) -> RNode:
    kind = r.template.type_of(logical_id) or ""
    if kind == "AWS::IAM::Role":
        return _name(r, logical_id, "RoleName")
    if kind == "AWS::IAM::ManagedPolicy":
        return get_att(r, logical_id, "PolicyArn")
    if kind == "AWS::S3::Bucket":
        return _name(r, logical_id, "BucketName", lower=True, limit=63)
    if kind == "AWS::KMS::Key":
        return RNode("", key_id(logical_id), pseudo=frozenset({f"resource:{logical_id}"}))
    if kind == "AWS::KMS::Alias":
        return r.prop(logical_id, "AliasName") or unresolved("", f"{logical_id} has no AliasName")
    if kind in PERSONALIZE:
        return _personalize_arn(r, logical_id, PERSONALIZE[kind][0])
    if kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource":
        return unresolved("", f"the custom resource {logical_id} returns its physical ID when "
                              "deployed")
    if kind == "AWS::CloudFormation::Stack":
        return unresolved("", f"the nested stack {logical_id} is known only when deployed")
    return RNode("", generated_name(logical_id), pseudo=frozenset({f"resource:{logical_id}"}))


def get_att(r: Resolver, logical_id: str, attribute: str) -> RNode:
    kind = r.template.type_of(logical_id) or ""
    if kind == "AWS::IAM::Role" and attribute == "Arn":
        return _arn(r, "iam", "role", _path(r, logical_id), _name(r, logical_id, "RoleName"),
                    region=False)
    if kind == "AWS::IAM::ManagedPolicy" and attribute in ("PolicyArn", "Arn"):
        return _arn(r, "iam", "policy", _path(r, logical_id),
                    _name(r, logical_id, "ManagedPolicyName"), region=False)
    if kind == "AWS::S3::Bucket":
        name = _name(r, logical_id, "BucketName", lower=True, limit=63)
        partition, region, url = (r.pseudo(p) for p in (
            "AWS::Partition", "AWS::Region", "AWS::URLSuffix"))
        built = {
            "Arn": lambda: concat("", "arn:", partition, ":s3:::", name),
            "DomainName": lambda: concat("", name, ".s3.", url),
            "RegionalDomainName": lambda: concat("", name, ".s3.", region, ".", url),
            "DualStackDomainName": lambda: concat("", name, ".s3.dualstack.", region, ".",
                                                  url),
            "WebsiteURL": lambda: concat("", "http://", name, ".s3-website-", region, ".",
                                         url),
        }.get(attribute)
        if built is not None:
            return built()
    if kind == "AWS::KMS::Key":
        if attribute == "KeyId":
            return ref(r, logical_id)
        if attribute == "Arn":
            return _arn(r, "kms", "key/", ref(r, logical_id))
    if kind in PERSONALIZE and attribute == PERSONALIZE[kind][1]:
        return _personalize_arn(r, logical_id, PERSONALIZE[kind][0])
    if kind == "AWS::CloudFormation::Stack":
        return unresolved("", f"{logical_id}.{attribute} (a nested stack's output) is known "
                              "only when deployed")
    if kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource":
        return unresolved("", f"{logical_id}.{attribute} (a custom resource's result) is known "
                              "only when deployed")
    identity = frozenset({f"resource:{logical_id}"})
    if attribute == "Arn":
        service = kind.split("::")[1].lower() if kind.count("::") >= 2 else "unknown"
        return concat("", _arn(r, service, RNode("", logical_id, pseudo=identity)))
    return RNode("", f"{generated_name(logical_id)}.{attribute}", pseudo=identity)
