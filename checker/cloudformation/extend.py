"""Filling the inventory from templates: discovered set-ups and ``[[setup]] template``.

* A template loaded on its own (kind ``cloudformation``, or a bare resources fragment)
  gives one set-up per ``AWS::Personalize::MetricAttribution``, no config needed.
* A template named in a ``[[setup]]`` (``template = "infra/personalize.yaml"``) fills what
  that set-up's files do not give; what the files give wins, component by component (its
  bucket policy may live elsewhere), and the template's PL003 notes about components the
  files supply are dropped.

Either way the template's policies and schemas that no set-up uses are added as
standalone documents, its metadata suppressions are registered, and the problems found
(PL002 for template errors, PL004 for malformed suppressions) are added.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config, SetupConfig
from ..document import Document
from ..findings import Finding
from ..iam.arn import parse_arn
from ..inventory import Inventory, Organization, Role, Setup, Source
from ..loaders.base import LoadContext
from ..setups import attribution_request, output_config
from .linker import SCHEMA_KEYS, Linked, Linker
from .suppress import suppressions
from .template import Template, is_fragment


def extend_inventory(inventory: Inventory, config: Config, ctx: LoadContext) -> None:
    linkers: dict[int, Linker] = {}

    def linker_of(document: Document, pseudo: dict[str, str] | None = None) -> Linker | None:
        if id(document) not in linkers:
            template = Template.of(document)
            if template is None:
                inventory.problems.append(Finding(
                    "PL002", "the CloudFormation template has no Resources section",
                    document.location()))
                return None
            linkers[id(document)] = Linker(template, pseudo)
        return linkers[id(document)]

    named = named_documents(inventory, config, ctx, "template", "cloudformation")
    for sc, setup, document in named:
        linker = linker_of(document, deployment_of(setup))
        if linker is not None:
            _merge_named(inventory, sc, setup, linker)
    for document in _discovered(inventory):
        if id(document) in linkers:
            continue
        linker = linker_of(document)
        if linker is None:
            continue
        for logical_id in linker.attributions():
            inventory.setups.append(with_notes(linker.link_attribution(logical_id)))
    for linker in linkers.values():
        inventory.standalone.extend(linker.standalone())
        specs, problems = suppressions(linker.template)
        inventory.suppressions.extend(specs)
        inventory.problems.extend(problems)
        inventory.problems.extend(linker.problems)
        inventory.problems.extend(linker.template_errors())


def _discovered(inventory: Inventory) -> list[Document]:
    found = [d for d in inventory.standalone if d.kind == "cloudformation"]
    found += [d for d in inventory.documents if d.kind == "unknown" and is_fragment(d.data)]
    return found


def with_notes(linked: Linked) -> Setup:
    """The linked set-up, with what its links could not resolve noted as missing."""
    linked.setup.missing.extend(n.missing for n in linked.notes)
    return linked.setup


def named_documents(inventory: Inventory, config: Config, ctx: LoadContext, key: str,
                    kind: str) -> list[tuple[SetupConfig, Setup, Document]]:
    """Config set-ups of this run that name a file under ``key`` (``template``,
    ``terraform-plan``), with that file loaded as ``kind``."""
    by_name = {s.name: s for s in inventory.setups if s.origin == "config"}
    found = []
    for sc in config.setups:
        written = sc.values.get(key)
        setup = by_name.get(sc.name)
        if not isinstance(written, str) or setup is None:
            continue
        path = config.root / written
        if not path.is_file():
            continue  # PL004 from the set-up's files already
        document = load_named(path, inventory, ctx, kind)
        if document is not None:
            found.append((sc, setup, document))
    return found


def load_named(path: Path, inventory: Inventory, ctx: LoadContext, kind: str) -> Document | None:
    """A file a [[setup]] key names, loaded once per run as ``kind``."""
    display = ctx.display_path(path)
    for document in inventory.documents:
        if document.path == display:
            return document
    # The engine loads only the keys it knows; a template is read here, by the built-in
    # loader (YAML with short-form tags or JSON, with positions).
    from ..loaders.builtin import personalize_lint_load_file

    result = personalize_lint_load_file(path, kind, ctx)
    inventory.problems.extend(result.problems)
    inventory.documents.extend(result.documents)
    return result.documents[0] if result.documents else None


def deployment_of(setup: Setup) -> dict[str, str]:
    """Where a set-up's own request says the stack runs: its account, region and partition
    replace the template's pseudo-parameter symbols, so both sides name the same ARNs."""
    if setup.metric_attribution is None:
        return {}
    request = attribution_request(setup.metric_attribution.data)
    output = output_config(setup.metric_attribution.data)
    pseudo: dict[str, str] = {}
    for text in (request.get("datasetGroupArn"), output.get("roleArn")):
        arn = parse_arn(text) if isinstance(text, str) else None
        if arn is None:
            continue
        if arn.account.isdigit():
            pseudo.setdefault("AWS::AccountId", arn.account)
        if arn.region:
            pseudo.setdefault("AWS::Region", arn.region)
        if arn.partition:
            pseudo.setdefault("AWS::Partition", arn.partition)
    return pseudo


def _merge_named(inventory: Inventory, sc: SetupConfig, setup: Setup, linker: Linker) -> None:
    given = set(sc.values)
    attributions = linker.attributions()
    if setup.metric_attribution is not None:
        linked = linker.link_request(setup.name, setup.location, setup.metric_attribution.data)
    elif attributions:
        linked = linker.link_attribution(attributions[0])
        for extra in attributions[1:]:  # more attributions than the set-up: their own set-ups
            inventory.setups.append(with_notes(linker.link_attribution(extra)))
    else:
        return
    merge(setup, linked, given)


def merge(setup: Setup, linked: Linked, given: set[str]) -> None:
    """Fill ``setup`` from the template's set-up where its config gives nothing."""
    other = linked.setup
    if setup.metric_attribution is None:
        setup.metric_attribution = other.metric_attribution
    group = setup.dataset_group
    group.arn = group.arn or other.dataset_group.arn
    group.domain = group.domain or other.dataset_group.domain
    for dataset_type, schema in other.dataset_group.schemas.items():
        if SCHEMA_KEYS.get(dataset_type) not in given:
            group.schemas.setdefault(dataset_type, schema)
    _merge_role(setup, other.role, given)
    if other.bucket is not None:
        if setup.bucket is None:
            setup.bucket = other.bucket
        else:
            bucket = setup.bucket
            bucket.source = _own_or(bucket.source, other.bucket.source)
            bucket.name = bucket.name or other.bucket.name
            if "bucket-policy" not in given and bucket.policy is None:
                bucket.policy = other.bucket.policy
            if "bucket-encryption" not in given and bucket.encryption is None:
                bucket.encryption = other.bucket.encryption
                bucket.encryption_source = other.bucket.encryption_source
    if other.key is not None:
        if setup.key is None:
            setup.key = other.key
        else:
            setup.key.source = _own_or(setup.key.source, other.key.source)
            setup.key.arn = setup.key.arn or other.key.arn
            setup.key.metadata = setup.key.metadata or other.key.metadata
            if "key-policy" not in given and setup.key.policy is None:
                setup.key.policy = other.key.policy
    _merge_organization(setup, other, given)
    for note in linked.notes:
        if not any(key in given for key in note.keys):
            setup.missing.append(note.missing)


def _merge_organization(setup: Setup, other: Setup, given: set[str]) -> None:
    """The template's SCPs/RCPs, unless the set-up's config gives its own of that type."""
    theirs = other.organization
    if theirs is None:
        return
    if setup.organization is None:
        setup.organization = Organization()
    mine = setup.organization
    if "service-control-policies" not in given and not mine.service_control_policies:
        mine.service_control_policies = theirs.service_control_policies
    if "resource-control-policies" not in given and not mine.resource_control_policies:
        mine.resource_control_policies = theirs.resource_control_policies


def _own_or(mine: Source, theirs: Source) -> Source:
    """A component the set-up only names (its source is the config) is located where the
    template defines it."""
    return mine if mine.document is not None else theirs


def _merge_role(setup: Setup, role: Role | None, given: set[str]) -> None:
    if role is None:
        return
    if setup.role is None:
        setup.role = Role(source=role.source, arn=role.arn, name=role.name)
    mine = setup.role
    mine.source = _own_or(mine.source, role.source)
    mine.arn = mine.arn or role.arn
    mine.name = mine.name or role.name
    if "role-trust-policy" not in given and mine.trust_policy is None:
        mine.trust_policy = role.trust_policy
    if "role-policies" not in given and not mine.policies:
        mine.policies = role.policies
    if "role-permissions-boundary" not in given:
        mine.permissions_boundary = mine.permissions_boundary or role.permissions_boundary
    if "role-managed-policies" not in given and not mine.managed_policies:
        mine.managed_policies = role.managed_policies
