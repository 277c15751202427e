"""Resources to set-ups: what a metric attribution leads to in the same template.

Each ``AWS::Personalize::MetricAttribution`` is a set-up. Its resolved ``RoleArn``,
``S3DataDestination.Path``, ``KmsKeyArn`` and ``DatasetGroupArn`` are matched against the
names and ARNs the template's resources resolve to, whichever intrinsic spelled them
(``!GetAtt Role.Arn``, ``!Sub arn:...:role/${RoleName}``, a literal):

* the role (``AWS::IAM::Role``) with its trust policy, inline ``Policies``, the
  ``AWS::IAM::Policy`` / ``RolePolicy`` / ``ManagedPolicy`` resources attached through
  ``Roles``, and ``ManagedPolicyArns`` (AWS managed ones are known by name; a template
  ``ManagedPolicy`` is a known document);
* the bucket (``AWS::S3::Bucket``: ``BucketEncryption`` shaped like get-bucket-encryption
  output) and its ``AWS::S3::BucketPolicy``;
* the KMS key (``kmsKeyArn``, or the bucket's default SSE-KMS key, through an alias if
  need be) with its ``KeyPolicy``, or the default key policy when none is written;
* the dataset group, its datasets and their schemas;
* the SCPs and RCPs it writes (``AWS::Organizations::Policy``, see :mod:`.organization`).

What a set-up needs but the template cannot give (a bucket defined elsewhere, an
unresolvable value) becomes a :class:`Note`: a PL003 "not evaluated" entry, tagged with
the config keys that could supply it, so a ``[[setup]]`` naming the template together with
files drops the notes its files answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from ..inventory import MetricAttribution, Setup, Source
from ..location import Location
from ..personalize.schemas import canonical_dataset_type
from ..setups import attribution_request, bucket_name, output_config
from .attribution import Translated, translate
from .intrinsics import Resolver
from .links import Note
from .nodes import RNode
from .organization import OrgLinks
from .roles import ROLE_KEYS, RoleLinks
from .schemas import BuiltSchema, build_schema
from .storage import StorageLinks, default_key
from .template import Template
from .views import TemplateView, anchor_view

METRIC_ATTRIBUTION = "AWS::Personalize::MetricAttribution"
SCHEMA_KEYS = {"Interactions": "interactions-schema", "Items": "items-schema",
               "Users": "users-schema"}


@dataclass
class Linked:
    setup: Setup
    notes: list[Note] = field(default_factory=list)


@dataclass
class Targets:
    """What a metric attribution names, as resolved strings."""

    dataset_group_arn: str | None = None
    role_arn: str | None = None
    path: str | None = None
    kms_key_arn: str | None = None

    @classmethod
    def of(cls, request: Any) -> Targets:
        body = attribution_request(request)
        output = output_config(request)
        dest = output.get("s3DataDestination")
        dest = dest if isinstance(dest, dict) else {}
        return cls(*(v if isinstance(v, str) else None for v in (
            body.get("datasetGroupArn"), output.get("roleArn"), dest.get("path"),
            dest.get("kmsKeyArn"))))


def attribution_setup(template: Template, logical_id: str, resolver: Resolver, name: str,
                      origin: str) -> tuple[Setup, Translated]:
    """A set-up holding the request the MetricAttribution ``logical_id`` stands for, read
    through ``resolver`` (a template's own, or a Terraform stack's); the translation's
    problems and unknown parts are the caller's to report."""
    pointer = template.property_pointer(logical_id)
    properties = resolver.at_pointer(pointer)
    if not isinstance(properties.value, dict):
        properties = RNode(pointer, {})
    translated = translate(template, logical_id, properties, resolver.pseudo_values)
    view = translated.view
    setup = Setup(name=name, origin=origin,
                  location=anchor_view(template, template.resource_pointer(logical_id))
                  .location())
    setup.metric_attribution = MetricAttribution(data=view.data, source=Source(view),
                                                 form="create")
    return setup, translated


class Linker(RoleLinks, StorageLinks, OrgLinks):
    """Builds the set-ups of one template (and the documents no set-up uses)."""

    # -- set-ups -----------------------------------------------------------------------

    def attributions(self) -> list[str]:
        return self.live(METRIC_ATTRIBUTION)

    def link_attribution(self, logical_id: str) -> Linked:
        """The set-up a MetricAttribution resource stands for."""
        setup, translated = attribution_setup(self.template, logical_id, self.resolver,
                                              f"{self.template.path}#{logical_id}",
                                              "cloudformation")
        self.problems.extend(translated.problems)
        view = translated.view
        linked = Linked(setup, self.notes_of(("metric-attribution",), translated.unknown))
        self.present(logical_id, linked.notes, ("metric-attribution",))
        self.link(setup, Targets.of(view.data), view, linked.notes)
        return linked

    def link_request(self, name: str, location: Location, request: Any) -> Linked:
        """What the template gives a set-up whose attribution comes from a file."""
        linked = Linked(Setup(name=name, location=location, origin="cloudformation"))
        self.link(linked.setup, Targets.of(request), None, linked.notes)
        return linked

    def link(self, setup: Setup, targets: Targets, view: TemplateView | None,
             notes: list[Note]) -> None:
        def at(*tokens: str) -> Location:
            return view.location("/" + "/".join(tokens)) if view else setup.location

        setup.dataset_group.arn = targets.dataset_group_arn
        if targets.dataset_group_arn:
            self.link_dataset_group(setup, targets.dataset_group_arn, notes)
        if targets.role_arn:
            role = self.find_role(targets.role_arn)
            if role is not None and self.present(role, notes, ROLE_KEYS):
                setup.role = self.build_role(role, notes)
        self.link_organization(setup, targets.role_arn, notes)
        if targets.path:
            name = bucket_name(targets.path)
            if name:
                setup.bucket = self.build_bucket(
                    name, at("metricsOutputConfig", "s3DataDestination", "path"), notes)
        key_ref, output = targets.kms_key_arn, True
        if key_ref is None and setup.bucket is not None:
            key_ref, output = default_key(setup.bucket), False
        if key_ref:
            where = at("metricsOutputConfig", "s3DataDestination", "kmsKeyArn") if output else (
                setup.bucket.encryption_source.locate() if setup.bucket and
                setup.bucket.encryption_source else setup.location)
            setup.key = self.build_key(key_ref, output, where, notes)

    # -- the role ----------------------------------------------------------------------

    # -- the dataset group -------------------------------------------------------------

    def link_dataset_group(self, setup: Setup, arn: str, notes: list[Note]) -> None:
        r = self.resolver
        for lid in self.live("AWS::Personalize::DatasetGroup"):
            if self.ref(lid) == arn:
                setup.dataset_group.domain = r.prop_text(lid, "Domain")
        for lid in self.live("AWS::Personalize::Dataset"):
            if r.prop_text(lid, "DatasetGroupArn") != arn:
                continue
            dataset_type = canonical_dataset_type(r.prop_text(lid, "DatasetType"))
            schema_arn = r.prop(lid, "SchemaArn")
            if dataset_type is None or schema_arn is None:
                continue
            keys = (SCHEMA_KEYS.get(dataset_type, "schema"),)
            what = f"{dataset_type} schema"
            found = next((s for s in self.live("AWS::Personalize::Schema")
                          if schema_arn.text() and self.ref(s) == schema_arn.text()), None)
            if found is None:
                reason = schema_arn.unresolved.reason if schema_arn.unresolved else (
                    f"the schema {schema_arn.value} of the dataset {lid} is not defined in this "
                    f"{self.term('template')}")
                notes.append(self.note(keys, what, reason, schema_arn.pointer))
                continue
            built = self.schema(found, dataset_type)
            self.used.add(f"schema:{found}")
            if built.schema is not None:
                setup.dataset_group.schemas[dataset_type] = built.schema
            notes.extend(self.notes_of(keys, built.unknown))

    def schema(self, lid: str, dataset_type: str | None) -> BuiltSchema:
        built = self._schemas.get(lid)
        if built is None:
            built = build_schema(self.resolver, lid, dataset_type,
                                 "the schema checks (PL404, PL501-PL505) were not evaluated")
            self._schemas[lid] = built
        return built

    # -- what no set-up uses -----------------------------------------------------------

    def standalone(self) -> list[TemplateView]:
        """Policies and schemas of the template that no set-up uses: they get the rules
        one document decides alone, as a lone policy or schema file would."""
        views: list[TemplateView] = []
        for node, kind, label in self.documents():
            if node.pointer in self.used:
                continue
            built = self.policy(node, kind, label)
            if built.view is not None:
                views.append(built.view)
        types = self.dataset_types()
        for lid in self.live("AWS::Personalize::Schema"):
            if f"schema:{lid}" in self.used:
                continue
            built_schema = self.schema(lid, types.get(lid))
            if built_schema.view is not None:
                views.append(built_schema.view)
        return views

    def documents(self) -> list[tuple[RNode, str, str]]:
        """Every policy document the template writes: (node, policy kind, label)."""
        r, found = self.resolver, []
        for lid in self.live("AWS::IAM::Role"):
            trust = r.prop(lid, "AssumeRolePolicyDocument")
            if trust is not None:
                found.append((trust, "trust", f"{lid} trust policy"))
            inline = r.prop(lid, "Policies")
            for index, item in enumerate(inline.items() if inline and not inline.unresolved
                                         else []):
                document = item.member("PolicyDocument")
                if document is not None:
                    found.append((document, "identity", f"{lid} policy {index}"))
        for lid in self.live("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
                             "AWS::IAM::RolePolicy"):
            document = r.prop(lid, "PolicyDocument")
            if document is not None:
                found.append((document, "identity", lid))
        for lid in self.live("AWS::S3::BucketPolicy"):
            document = r.prop(lid, "PolicyDocument")
            if document is not None:
                found.append((document, "bucket", lid))
        for lid in self.live("AWS::KMS::Key"):
            document = r.prop(lid, "KeyPolicy")
            if document is not None:
                found.append((document, "key", lid))
        return found

    def dataset_types(self) -> dict[str, str]:
        """Schema logical ID -> the dataset type of a dataset that uses it."""
        types: dict[str, str] = {}
        for lid in self.live("AWS::Personalize::Dataset"):
            dataset_type = canonical_dataset_type(self.resolver.prop_text(lid, "DatasetType"))
            arn = self.resolver.prop_text(lid, "SchemaArn")
            for schema in self.live("AWS::Personalize::Schema"):
                if dataset_type and arn and self.ref(schema) == arn:
                    types.setdefault(schema, dataset_type)
        return types

    def template_errors(self) -> list[Finding]:
        """PL002 for references the template cannot satisfy (found while resolving)."""
        seen: dict[str, str] = dict(self.resolver.errors)
        return [Finding("PL002", message, self.where(pointer))
                for pointer, message in seen.items()]
