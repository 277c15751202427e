"""Terraform resource types as the CloudFormation types the linker knows.

Each instance's attributes become the properties of the equivalent CloudFormation
resource (``aws_iam_role.assume_role_policy`` is ``AssumeRolePolicyDocument``), and what
Terraform spreads over separate resources is gathered where CloudFormation keeps it: the
role's attachments (``aws_iam_role_policy_attachment``, ``aws_iam_policy_attachment``,
``aws_iam_role_policy_attachments_exclusive``) in ``ManagedPolicyArns``, a bucket's
``aws_s3_bucket_server_side_encryption_configuration`` in ``BucketEncryption``, a key's
``aws_kms_key_policy`` in ``KeyPolicy``. Every node keeps its own plan position.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..cloudformation.nodes import RNode, unresolved
from .follow import follow
from .plan import Instance, Plan

Props = dict[str, RNode]


class Values(Protocol):
    """What mapping needs of the plan's resolver (:class:`.template.PlanResolver`)."""

    plan: Plan

    def value(self, instance: Instance, *path: str | int) -> RNode | None: ...

    def link(self, instance: Instance, *path: str | int) -> RNode | None: ...

    def text(self, instance: Instance, *path: str | int) -> str | None: ...

    def name(self, instance: Instance, attribute: str) -> RNode: ...

    def by_text(self, kind: str, attribute: str, *, each: bool = False
                ) -> dict[str, list[Instance]]: ...


TYPES: dict[str, str] = {
    "aws_iam_role": "AWS::IAM::Role",
    "aws_iam_role_policy": "AWS::IAM::RolePolicy",
    "aws_iam_policy": "AWS::IAM::ManagedPolicy",
    "aws_s3_bucket": "AWS::S3::Bucket",
    "aws_s3_bucket_policy": "AWS::S3::BucketPolicy",
    "aws_kms_key": "AWS::KMS::Key",
    "aws_kms_alias": "AWS::KMS::Alias",
    "awscc_personalize_dataset_group": "AWS::Personalize::DatasetGroup",
    "awscc_personalize_dataset": "AWS::Personalize::Dataset",
    "awscc_personalize_schema": "AWS::Personalize::Schema",
}
# What Ref and Fn::GetAtt give, as the attribute holding it once the resource exists.
IDENTITY: dict[str, dict[str, str]] = {
    "aws_iam_role": {"Ref": "name", "Arn": "arn"},
    "aws_iam_policy": {"Ref": "arn", "PolicyArn": "arn", "Arn": "arn"},
    "aws_s3_bucket": {"Ref": "bucket", "Arn": "arn"},
    "aws_kms_key": {"Ref": "key_id", "KeyId": "key_id", "Arn": "arn"},
    "aws_kms_key_policy": {"Ref": "key_id", "KeyId": "key_id"},
    "aws_kms_alias": {"Ref": "name", "Arn": "arn"},
    "awscc_personalize_dataset_group": {"Ref": "dataset_group_arn",
                                        "DatasetGroupArn": "dataset_group_arn"},
    "awscc_personalize_dataset": {"Ref": "dataset_arn", "DatasetArn": "dataset_arn"},
    "awscc_personalize_schema": {"Ref": "schema_arn", "SchemaArn": "schema_arn"},
}
# The attributes that are names (Ref gives them; unknown ones are symbols, see PlanResolver).
NAMES = frozenset({"name", "bucket"})
# How messages name CloudFormation things for a plan.
TERMS = {
    "template": "plan",
    "AWS::S3::BucketPolicy": "aws_s3_bucket_policy",
    "KeyPolicy": "policy",
    "AssumeRolePolicyDocument": "assume_role_policy",
}


def cfn_type(plan: Plan, instance: Instance) -> str | None:
    """The CloudFormation type an instance stands for, or None for what a set-up does not
    use. A key policy joins its key when the key is in the plan; for a key made elsewhere
    it stands for the key itself (its policy is all the plan says of it)."""
    if instance.mode != "managed":
        return None
    if instance.type == "aws_kms_key_policy":
        return None if key_policy_owner(plan, instance) else "AWS::KMS::Key"
    return TYPES.get(instance.type)


def reference_attribute(tf_type: str, attribute: str | None) -> str | None:
    """``aws_iam_role.x.arn`` -> ``Arn``; ``.id`` (and the object itself) -> ``Ref``."""
    if attribute in (None, "id"):
        return "Ref"
    for cfn, tf in IDENTITY.get(tf_type, {}).items():
        if tf == attribute:
            return cfn
    return None


def key_policy_owner(plan: Plan, policy: Instance) -> Instance | None:
    """The ``aws_kms_key`` of the plan an ``aws_kms_key_policy`` is for."""
    return _key_policies(plan)[0].get(policy.address)


def key_policy_of(plan: Plan, key: Instance) -> Instance | None:
    """The ``aws_kms_key_policy`` of the plan for an ``aws_kms_key`` of it (the first)."""
    return _key_policies(plan)[1].get(key.address)


def _key_policies(plan: Plan) -> tuple[dict[str, Instance], dict[str, Instance]]:
    """(key of each key policy, first key policy of each key), by address: worked out
    once for the plan, not once per key."""
    memo = ("key policies",)
    if memo not in plan.memo:
        keys: dict[str, Instance] = {}
        for key in plan.of_types("aws_kms_key"):
            for attribute in ("id", "arn", "key_id"):
                known = key.values.get(attribute)
                if key.mode == "managed" and isinstance(known, str) and known:
                    keys.setdefault(known, key)
        owners: dict[str, Instance] = {}
        policies: dict[str, Instance] = {}
        for policy in plan.of_types("aws_kms_key_policy"):
            owner = _owner(plan, policy, keys) if policy.mode == "managed" else None
            if owner is not None:
                owners[policy.address] = owner
                policies.setdefault(owner.address, policy)
        plan.memo[memo] = (owners, policies)
    found: tuple[dict[str, Instance], dict[str, Instance]] = plan.memo[memo]
    return found


def _owner(plan: Plan, policy: Instance, keys: dict[str, Instance]) -> Instance | None:
    key_id = policy.values.get("key_id")
    if isinstance(key_id, str) and key_id:
        return keys.get(key_id)
    target = follow(plan, policy, ("key_id",))
    if isinstance(target, str) or target.instance.type != "aws_kms_key":
        return None
    return target.instance


def properties(r: Values, instance: Instance) -> Props:
    mapper = MAPPERS.get(instance.type)
    return mapper(r, instance) if mapper else {}


def _set(props: Props, name: str, node: RNode | None) -> None:
    if node is not None:
        props[name] = node


# -- IAM ---------------------------------------------------------------------------------


def role(r: Values, instance: Instance) -> Props:
    props: Props = {"RoleName": r.name(instance, "name")}
    _set(props, "Path", r.value(instance, "path"))
    _set(props, "AssumeRolePolicyDocument", r.value(instance, "assume_role_policy"))
    name = props["RoleName"].text()
    inline = r.value(instance, "inline_policy")
    items: list[RNode] = []
    if inline is not None and inline.unresolved is not None:
        props["Policies"] = inline
    elif inline is not None:
        elsewhere = _inline_names_managed_elsewhere(r, name)
        kept = [names for _, names in exclusive_names(r, name)]
        for item in inline.items():
            document = item.member("policy")
            if document is None or document.value == "":
                continue  # an empty inline_policy block: "no inline policies"
            policy_name = item.member("name")
            text = policy_name.text() if policy_name is not None else None
            if text in elsewhere:
                continue  # what the role holds now; the plan's aws_iam_role_policy decides
            if text and any(text not in names for names in kept):
                continue  # an aws_iam_role_policies_exclusive of the plan removes it
            members = {"PolicyDocument": document}
            _set(members, "PolicyName", item.member("name"))
            items.append(RNode(item.pointer, members))
    items += _exclusive_only_names(r, name, instance)
    if items and "Policies" not in props:
        props["Policies"] = RNode(instance.values_pointer, items)
    managed = _attached_arns(r, name, instance)
    if managed:
        props["ManagedPolicyArns"] = RNode(instance.values_pointer, managed)
    boundary = r.link(instance, "permissions_boundary")
    if boundary is not None and boundary.value != "":
        props["PermissionsBoundary"] = boundary
    return props


def _inline_names_managed_elsewhere(r: Values, role_name: str | None) -> set[str]:
    """Inline policy names of the role that an aws_iam_role_policy of the plan writes or
    deletes. The provider reads every inline policy of an existing role into its
    ``inline_policy`` (resourceRoleRead: ``d.Set("inline_policy", ...)`` of all of them), so
    a role the plan does not replace shows the policies as they are now, before the plan's
    aws_iam_role_policy changes or deletes them."""
    if not role_name:
        return set()
    names = {r.text(p, "name") for p in r.by_text("aws_iam_role_policy", "role").get(
        role_name, ())}
    names |= {before.get("name") for before in r.plan.deleted.get("aws_iam_role_policy", ())
              if before.get("role") == role_name}
    return {n for n in names if isinstance(n, str) and n}


def _detached_arns(r: Values, role_name: str | None) -> set[str]:
    """Policy ARNs the plan detaches from the role (a deleted attachment): the role's
    ``managed_policy_arns`` lists what is attached now, these included."""
    arns = {before.get("policy_arn")
            for before in r.plan.deleted.get("aws_iam_role_policy_attachment", ())
            if role_name and before.get("role") == role_name}
    return {a for a in arns if isinstance(a, str)}


def _exclusive_arns(r: Values, role_name: str | None) -> list[set[str]]:
    """The policy ARNs each ``aws_iam_role_policy_attachments_exclusive`` of the role keeps
    (it detaches the others); only lists the plan knows whole."""
    kept = []
    for exclusive in r.by_text("aws_iam_role_policy_attachments_exclusive", "role_name").get(
            role_name or "", ()):
        listed = r.value(exclusive, "policy_arns")
        if listed is None or listed.unresolved is not None:
            continue
        texts = [r.text(exclusive, "policy_arns", i) for i in range(len(listed.items()))]
        if all(texts):
            kept.append({t for t in texts if t})
    return kept


def _attached_arns(r: Values, name: str | None, role: Instance) -> list[RNode]:
    arns: list[RNode] = []
    listed = r.value(role, "managed_policy_arns")
    if listed is not None and listed.unresolved is not None:
        arns.append(listed)  # not even how many: PL003
    elif listed is not None:
        detached = _detached_arns(r, name)
        kept = _exclusive_arns(r, name)
        # An entry known only after apply: the policy its reference names, if one does.
        for i, item in enumerate(listed.items()):
            if item.unresolved is None and (item.text() in detached or any(
                    item.text() not in keeps for keeps in kept)):
                continue  # detached by the plan, or by an exclusive list of it
            linked = r.link(role, "managed_policy_arns", i) if item.unresolved else item
            _set_item(arns, linked)
    if not name:
        return arns
    for attachment in r.by_text("aws_iam_role_policy_attachment", "role").get(name, ()):
        _set_item(arns, r.link(attachment, "policy_arn"))
    for attachment in r.by_text("aws_iam_policy_attachment", "roles", each=True).get(name, ()):
        _set_item(arns, r.link(attachment, "policy_arn"))
    for exclusive in r.by_text("aws_iam_role_policy_attachments_exclusive", "role_name").get(
            name, ()):
        listed = r.value(exclusive, "policy_arns")
        for i, _ in enumerate(listed.items() if listed is not None else ()):
            _set_item(arns, r.link(exclusive, "policy_arns", i))
    return arns


def _set_item(items: list[RNode], node: RNode | None) -> None:
    if node is not None and node.value != "":
        items.append(node)


def exclusive_names(r: Values, role_name: str | None) -> list[tuple[Instance, set[str]]]:
    """The ``aws_iam_role_policies_exclusive`` resources of the role and the inline policy
    names each keeps ("This includes removal of inline policies which are not explicitly
    configured")."""
    found = []
    for exclusive in r.by_text("aws_iam_role_policies_exclusive", "role_name").get(
            role_name or "", ()):
        listed = r.value(exclusive, "policy_names")
        names = {n.text() for n in (listed.items() if listed else []) if n.text()}
        found.append((exclusive, {n for n in names if n}))
    return found


def _exclusive_only_names(r: Values, role_name: str | None, role: Instance
                          ) -> list[RNode]:
    """Inline policies an exclusive list keeps that the plan does not write: policies it
    cannot read, so the role's permissions are uncertain rather than missing."""
    written = {r.text(p, "name") for p in r.by_text("aws_iam_role_policy", "role").get(
        role_name or "", ())}
    inline = r.value(role, "inline_policy")
    for item in inline.items() if inline is not None and inline.unresolved is None else []:
        name = item.member("name")
        written.add(name.text() if name is not None else None)
    missing = []
    for exclusive, _ in exclusive_names(r, role_name):
        listed = r.value(exclusive, "policy_names")
        for item in listed.items() if listed else []:
            if item.text() and item.text() not in written:
                missing.append(RNode(item.pointer, {
                    "PolicyName": item,
                    "PolicyDocument": unresolved(item.pointer, (
                        f"{exclusive.address} keeps the inline policy {item.text()}, which "
                        "this plan does not define: its permissions are unknown"))}))
    return missing


def role_policy(r: Values, instance: Instance) -> Props:
    props: Props = {}
    _set(props, "RoleName", r.link(instance, "role"))
    _set(props, "PolicyName", r.value(instance, "name"))
    _set(props, "PolicyDocument", r.value(instance, "policy"))
    return props


def managed_policy(r: Values, instance: Instance) -> Props:
    props: Props = {"ManagedPolicyName": r.name(instance, "name")}
    _set(props, "Path", r.value(instance, "path"))
    _set(props, "PolicyDocument", r.value(instance, "policy"))
    return props


# -- S3 and KMS --------------------------------------------------------------------------


def bucket(r: Values, instance: Instance) -> Props:
    props: Props = {"BucketName": r.name(instance, "bucket")}
    name = props["BucketName"].text()
    for config in r.plan.of_types("aws_s3_bucket_server_side_encryption_configuration"):
        if name and r.text(config, "bucket") == name:
            _set(props, "BucketEncryption", _encryption(r, config, "rule"))
            break
    else:
        # The bucket's own (deprecated) block, when it is written or already known.
        legacy = r.value(instance, "server_side_encryption_configuration")
        block = legacy.member(0) if legacy is not None and legacy.unresolved is None else None
        if block is not None:
            _set(props, "BucketEncryption", _encryption(r, instance, (
                "server_side_encryption_configuration", 0, "rule")))
    return props


def _encryption(r: Values, instance: Instance, rules_at: str | tuple[str | int, ...]
                ) -> RNode | None:
    """``rule`` blocks as ``BucketEncryption.ServerSideEncryptionConfiguration``."""
    path = (rules_at,) if isinstance(rules_at, str) else rules_at
    listed = r.value(instance, *path)
    if listed is None:
        return None
    if listed.unresolved is not None:
        return listed
    rules = []
    for index, item in enumerate(listed.items()):
        rule: Props = {}
        default = (*path, index, "apply_server_side_encryption_by_default", 0)
        block = r.value(instance, *default)
        if block is not None:
            members: Props = {}
            _set(members, "SSEAlgorithm", r.value(instance, *default, "sse_algorithm"))
            key = r.link(instance, *default, "kms_master_key_id")
            if key is not None and key.value != "":
                members["KMSMasterKeyID"] = key
            rule["ServerSideEncryptionByDefault"] = RNode(block.pointer, members)
        _set(rule, "BucketKeyEnabled", r.value(instance, *path, index, "bucket_key_enabled"))
        rules.append(RNode(item.pointer, rule))
    return RNode(listed.pointer, {"ServerSideEncryptionConfiguration": RNode(listed.pointer,
                                                                             rules)})


def bucket_policy(r: Values, instance: Instance) -> Props:
    props: Props = {}
    _set(props, "Bucket", r.link(instance, "bucket"))
    _set(props, "PolicyDocument", r.value(instance, "policy"))
    return props


def kms_key(r: Values, instance: Instance) -> Props:
    props: Props = {}
    separate = key_policy_of(r.plan, instance)
    policy = r.value(separate, "policy") if separate else r.value(instance, "policy")
    _set(props, "KeyPolicy", policy)
    _set(props, "Enabled", r.value(instance, "is_enabled"))
    _set(props, "KeySpec", r.value(instance, "customer_master_key_spec"))
    _set(props, "KeyUsage", r.value(instance, "key_usage"))
    return props


def external_key_policy(r: Values, instance: Instance) -> Props:
    props: Props = {}
    _set(props, "KeyPolicy", r.value(instance, "policy"))
    return props


def kms_alias(r: Values, instance: Instance) -> Props:
    props: Props = {}
    _set(props, "AliasName", r.value(instance, "name"))
    _set(props, "TargetKeyId", r.link(instance, "target_key_id"))
    return props


# -- Personalize (the awscc provider: CloudFormation's properties in snake case) ---------


def dataset_group(r: Values, instance: Instance) -> Props:
    props: Props = {}
    _set(props, "Name", r.value(instance, "name"))
    _set(props, "Domain", r.value(instance, "domain"))
    return props


def dataset(r: Values, instance: Instance) -> Props:
    props: Props = {}
    _set(props, "Name", r.value(instance, "name"))
    _set(props, "DatasetType", r.value(instance, "dataset_type"))
    _set(props, "DatasetGroupArn", r.link(instance, "dataset_group_arn"))
    _set(props, "SchemaArn", r.link(instance, "schema_arn"))
    return props


def schema(r: Values, instance: Instance) -> Props:
    props: Props = {}
    _set(props, "Name", r.value(instance, "name"))
    _set(props, "Schema", r.value(instance, "schema"))
    _set(props, "Domain", r.value(instance, "domain"))
    return props


MAPPERS: dict[str, Callable[[Values, Instance], Props]] = {
    "aws_iam_role": role,
    "aws_iam_role_policy": role_policy,
    "aws_iam_policy": managed_policy,
    "aws_s3_bucket": bucket,
    "aws_s3_bucket_policy": bucket_policy,
    "aws_kms_key": kms_key,
    "aws_kms_key_policy": external_key_policy,
    "aws_kms_alias": kms_alias,
    "awscc_personalize_dataset_group": dataset_group,
    "awscc_personalize_dataset": dataset,
    "awscc_personalize_schema": schema,
}
