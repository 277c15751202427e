"""The CloudFormation linker, over a plan: the same roles, buckets, keys and schemas.

What differs is said here: the resolver (:class:`~.template.PlanResolver`), how messages
name things (``plan``, ``aws_s3_bucket_policy``), inline policies removed by an
``aws_iam_role_policies_exclusive``, and the ``aws_iam_policy_document`` data sources the
plan renders, which are policies too when no resource uses them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ..cloudformation.intrinsics import Resolver
from ..cloudformation.linker import SCHEMA_KEYS, Linker
from ..cloudformation.links import Note
from ..cloudformation.nodes import RNode
from ..cloudformation.template import Template
from ..inventory import Bucket, Key, Role, Setup
from ..loaders.detect import policy_subkind
from ..location import Location
from ..personalize.schemas import canonical_dataset_type
from . import mapping
from .follow import references
from .plan import Instance, Plan
from .template import PlanResolver, PlanTemplate

POLICY_DOCUMENT = "aws_iam_policy_document"
SSE = "aws_s3_bucket_server_side_encryption_configuration"
# Resources that attach policies to a role, and the attribute naming the role.
ROLE_LINKS = (("aws_iam_role_policy", "role"), ("aws_iam_role_policy_attachment", "role"),
              ("aws_iam_policy_attachment", "roles"),
              ("aws_iam_role_policy_attachments_exclusive", "role_name"),
              ("aws_iam_role_policies_exclusive", "role_name"))


class PlanLinker(Linker):
    """Builds what a plan gives a set-up, and the documents no set-up uses."""

    template: PlanTemplate
    resolver: PlanResolver

    def __init__(self, plan: Plan, pseudo: Mapping[str, str] | None = None) -> None:
        # Where the plan says it deploys wins; a set-up's request fills in the rest.
        super().__init__(PlanTemplate(plan), {**(pseudo or {}), **plan.deployment()})
        self.plan = plan

    def make_resolver(self, template: Template, pseudo: Mapping[str, str] | None) -> Resolver:
        assert isinstance(template, PlanTemplate)
        return PlanResolver(template, pseudo)

    def term(self, word: str) -> str:
        return mapping.TERMS.get(word, word)

    def attached_label(self, lid: str) -> str:
        return lid  # the address names the type already

    def location_of(self, address: str) -> Location:
        return self.where(self.template.resource_pointer(address))

    def build_role(self, lid: str, notes: list[Note]) -> Role:
        role = super().build_role(lid, notes)
        r = self.resolver
        for policy in self.plan.of_types("aws_iam_role_policy"):
            remover = r.removed_by(policy) if r.text(policy, "role") == role.name else None
            if remover is not None:
                notes.append(self.note(
                    ("role-policies",), policy.address,
                    f"{remover.address} manages the role's inline policies exclusively and does "
                    f"not list {r.text(policy, 'name')!r}, so applying it removes this policy; "
                    "the role was checked without it", policy.pointer))
        # A policy whose role is known only after apply may be this role's: the role's
        # permissions are then uncertain (the evaluator treats an unknown policy so).
        for kind, link in ROLE_LINKS:
            for instance, node in self.pending(kind, link):
                notes.append(self.note(("role-policies", "role-managed-policies"),
                                       instance.address, self.maybe(instance, link, node,
                                                                    "one of the role's policies"),
                                       node.pointer))
                role.managed_policies.append(self.unknown_policy(node.pointer))
        return role

    def build_bucket(self, name: str, where: Location, notes: list[Note]) -> Bucket:
        bucket = super().build_bucket(name, where, notes)
        r = self.resolver
        owned = any(r.prop_text(p, "Bucket") == name for p in self.live("AWS::S3::BucketPolicy"))
        own = None if owned else self._policy_argument(name)
        if own is not None:
            # aws_s3_bucket's (deprecated) policy argument: the bucket's policy all the same.
            label = f"{self.template.describe(own.pointer)} (bucket policy)"
            bucket.policy = self.use_policy(own, "bucket", label, ("bucket-policy",),
                                            "bucket policy", notes)
        pending = self.pending("aws_s3_bucket_policy", "bucket")
        if pending and not owned:
            bucket.policy = None  # not "no policy": a policy of the plan may be its
            for instance, node in pending:
                notes.append(self.note(("bucket-policy",), "bucket policy", self.maybe(
                    instance, "bucket", node, f"the policy of {name}"), node.pointer))
        if bucket.encryption is None:
            for instance, node in self.pending(SSE, "bucket"):
                notes.append(self.note(("bucket-encryption",), "bucket encryption", self.maybe(
                    instance, "bucket", node, f"the default encryption of {name}"),
                    node.pointer))
        return bucket

    def _policy_argument(self, name: str) -> RNode | None:
        """The ``policy`` argument of the plan's ``aws_s3_bucket`` named ``name``. None when
        the plan deletes an aws_s3_bucket_policy of the bucket: the provider reads the
        bucket's policy into that argument, so it shows the policy the plan deletes."""
        if any(before.get("bucket") == name
               for before in self.plan.deleted.get("aws_s3_bucket_policy", ())):
            return None
        for address in self.live("AWS::S3::Bucket"):
            if self.ref(address) == name:
                node = self.resolver.value(self.template.instance(address), "policy")
                return node if node is not None and node.value != "" else None
        return None

    def build_key(self, key_ref: str, output: bool, where: Location,
                  notes: list[Note]) -> Key | None:
        key = super().build_key(key_ref, output, where, notes)
        lid = self.find_key(key_ref)
        if key is not None and lid is not None and self.resolver.prop(lid, "KeyPolicy") is None:
            pending = self.pending("aws_kms_key_policy", "key_id")
            if pending:
                key.policy = None  # not the default policy: a key policy of the plan may be its
            for instance, node in pending:
                notes.append(self.note(("key-policy",), "key policy", self.maybe(
                    instance, "key_id", node, f"the policy of {lid}"), node.pointer))
        return key

    def link_dataset_group(self, setup: Setup, arn: str, notes: list[Note]) -> None:
        super().link_dataset_group(setup, arn, notes)
        # A dataset whose dataset group is known only after apply may be this group's.
        for instance, node in self.pending("awscc_personalize_dataset", "dataset_group_arn"):
            dataset_type = canonical_dataset_type(self.resolver.text(instance, "dataset_type"))
            what = f"{dataset_type} schema" if dataset_type else "dataset schema"
            notes.append(self.note((SCHEMA_KEYS.get(dataset_type or "", "schema"),), what,
                                   self.maybe(instance, "dataset_group_arn", node,
                                              f"a dataset of {arn}"), node.pointer))

    def pending(self, kind: str, link: str) -> list[tuple[Instance, RNode]]:
        """Instances of ``kind`` whose ``link`` (the role, bucket or key they belong to) is
        known only after apply and could not be followed: they may belong to any."""
        found = []
        for instance in self.plan.of_types(kind):
            node = self.resolver.link(instance, link) if instance.mode == "managed" else None
            if node is not None and node.unresolved is None and isinstance(node.value, list):
                node = next((n for n in node.value if n.unresolved is not None), None)
            if node is not None and node.unresolved is not None:
                found.append((instance, node))
        return found

    @staticmethod
    def maybe(instance: Instance, link: str, node: RNode, what: str) -> str:
        reason = node.unresolved.reason if node.unresolved else "unknown"
        return (f"{instance.address} may be {what}: its {link} is not known ({reason}), so "
                "this was not evaluated")

    def documents(self) -> list[tuple[RNode, str, str]]:
        """The resources' policy documents, and the ``aws_iam_policy_document`` data sources
        whose JSON the plan renders and no configuration expression uses."""
        found = super().documents()
        used = self._referenced_documents()
        for instance in self.plan.of_types(POLICY_DOCUMENT):
            if instance.mode != "data" or instance.address in used:
                continue
            node = self.resolver.value(instance, "json")
            if node is None or node.text() is None:
                continue  # read at apply time: nothing rendered to check
            try:
                data = json.loads(str(node.value))
            except ValueError:
                continue
            kind = policy_subkind(data) if isinstance(data, dict) else "unknown"
            found.append((node, kind, instance.address))
        return found

    def _referenced_documents(self) -> set[str]:
        """Addresses of policy document data sources some expression of their module uses
        (the resource using the JSON is checked instead, where the same text sits)."""
        used: set[str] = set()
        for instance in self.plan.of_types(POLICY_DOCUMENT):
            wanted = f"data.{POLICY_DOCUMENT}.{instance.name}"
            module = self.plan.module_config(instance.calls)
            if module is None:
                continue
            texts = _all_references([e for _, e in module.resources.values()]
                                    + list(module.outputs.values())
                                    + [c[1] for c in module.calls.values()])
            if any(t == wanted or t.startswith((wanted + ".", wanted + "[")) for t in texts):
                used.add(instance.address)
        return used


def _all_references(values: list[object]) -> set[str]:
    found: set[str] = set()
    stack: list[object] = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            found.update(references(value))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found
