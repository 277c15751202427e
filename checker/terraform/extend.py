"""Filling the inventory from plans: discovered ones and ``[[setup]] terraform-plan``.

* A plan named in a ``[[setup]]`` (``terraform-plan = "plan.json"``) fills what that
  set-up's files do not give, component by component, exactly as a named CloudFormation
  template does; the metric attribution comes from the set-up's ``metric-attribution``
  file, or a ``template`` the set-up also names (read first, by the CloudFormation
  plugin), or else from a stack of the plan. With both a template and a plan, what one
  of them gives is not "not evaluated" because the other lacks it.
* A plan checked on its own gives one set-up per metric attribution in its
  ``aws_cloudformation_stack`` templates. A plan with a Personalize dataset group and no
  attribution to link is named with PL003: its set-up checks were not evaluated.

Either way the plan's policies and schemas that no set-up uses get the rules one document
decides alone, and what could not be read (PL001/PL002) is reported.
"""

from __future__ import annotations

from ..cloudformation.extend import (
    deployment_of,
    load_named,
    merge,
    named_documents,
    with_notes,
)
from ..cloudformation.linker import SCHEMA_KEYS, Linked, Linker
from ..cloudformation.template import Template
from ..config import Config, SetupConfig
from ..document import Document
from ..findings import Finding
from ..inventory import Inventory, MissingInput, Setup
from ..loaders.base import LoadContext
from .linker import PlanLinker
from .plan import Plan, plan_problems
from .stacks import Stacks, link_stack, read_stacks

KIND = "terraform-plan"
KEY = "terraform-plan"
NO_ATTRIBUTION = ("a metric attribution is not a Terraform resource: name its request file "
                  "with the plan in a [[setup]] (terraform-plan, metric-attribution), or create "
                  "it in an aws_cloudformation_stack whose template_body the plan holds")


def extend_inventory(inventory: Inventory, config: Config, ctx: LoadContext) -> None:
    linkers: list[PlanLinker] = []
    done: set[int] = set()
    named = named_documents(inventory, config, ctx, KEY, KIND)
    _note_unloaded(inventory, config, ctx, {s.name for _, s, _ in named})
    for sc, setup, document in named:
        done.add(id(document))
        plan = _readable(inventory, document)
        if plan is None:
            setup.missing.append(MissingInput(KEY, f"{document.path} is not a readable "
                                                   "Terraform plan", setup.location))
            continue
        beside = _template_beside(inventory, config, sc, setup, ctx)
        linker = PlanLinker(plan, deployment_of(setup))
        linkers.append(linker)
        _merge_named(inventory, sc, setup, linker, _stacks(linker, ctx, inventory), beside)
    standalone = {id(d) for d in inventory.standalone}
    for document in inventory.documents_of_kind(KIND):
        if id(document) in done or id(document) not in standalone:
            continue
        plan = _readable(inventory, document)
        if plan is None:
            continue
        linker = PlanLinker(plan)
        linkers.append(linker)
        stacks = _stacks(linker, ctx, inventory)
        for found in stacks.attributions:
            inventory.setups.append(with_notes(link_stack(linker, found)))
        if not stacks.attributions:
            inventory.problems.extend(_unlinked_groups(linker, stacks))
    for linker in linkers:
        inventory.standalone.extend(linker.standalone())
        inventory.problems.extend(linker.problems)


def _note_unloaded(inventory: Inventory, config: Config, ctx: LoadContext,
                   loaded: set[str]) -> None:
    """A set-up whose plan file exists but could not be parsed (PL001, reported by the
    loader) has its plan's checks named as not evaluated, as an unreadable plan's are."""
    setups = {s.name: s for s in inventory.setups if s.origin == "config"}
    for sc in config.setups:
        written, setup = sc.values.get(KEY), setups.get(sc.name)
        if (isinstance(written, str) and setup is not None and sc.name not in loaded
                and (config.root / written).is_file()):
            display = ctx.display_path(config.root / written)
            setup.missing.append(MissingInput(KEY, f"{display} is not a readable Terraform "
                                                   "plan", setup.location))


def _readable(inventory: Inventory, document: Document) -> Plan | None:
    problems = plan_problems(document)
    if problems:
        inventory.problems.extend(problems)
        return None
    return Plan(document)


def _stacks(linker: PlanLinker, ctx: LoadContext, inventory: Inventory) -> Stacks:
    stacks = read_stacks(linker, ctx.limits.max_depth, ctx.limits.max_yaml_aliases)
    inventory.problems.extend(stacks.problems)
    return stacks


def _template_beside(inventory: Inventory, config: Config, sc: SetupConfig, setup: Setup,
                     ctx: LoadContext) -> Linked | None:
    """What the ``template`` the set-up also names gave it, linked again as the
    CloudFormation plugin linked it (its notes are already among the set-up's)."""
    written = sc.values.get("template")
    path = config.root / written if isinstance(written, str) else None
    if path is None or not path.is_file():
        return None
    document = load_named(path, inventory, ctx, "cloudformation")
    template = Template.of(document) if document is not None else None
    if template is None:
        return None
    if "metric-attribution" in sc.values and setup.metric_attribution is not None:
        # The request file was linked into the template by its names and ARNs.
        linker = Linker(template, deployment_of(setup))
        return linker.link_request(setup.name, setup.location, setup.metric_attribution.data)
    attributions = Linker(template).attributions()
    return Linker(template).link_attribution(attributions[0]) if attributions else None


def supplied(linked: Linked) -> set[str]:
    """The [[setup]] keys whose component a linked set-up holds with nothing about it
    left unknown: another source's "not defined here" note for them does not stand."""
    setup, have = linked.setup, set()
    role = setup.role
    if role is not None:
        for key, present in (("role-trust-policy", role.trust_policy is not None),
                             ("role-policies", bool(role.policies)),
                             ("role-managed-policies", bool(role.managed_policies)),
                             ("role-permissions-boundary", role.permissions_boundary is not None)):
            if present:
                have.add(key)
    if setup.bucket is not None and setup.bucket.policy is not None:
        have.add("bucket-policy")
    if setup.bucket is not None and setup.bucket.encryption is not None:
        have.add("bucket-encryption")
    if setup.key is not None and setup.key.policy is not None:
        have.add("key-policy")
    have.update(SCHEMA_KEYS[t] for t in setup.dataset_group.schemas if t in SCHEMA_KEYS)
    return have - {key for note in linked.notes for key in note.keys}


def _merge_named(inventory: Inventory, sc: SetupConfig, setup: Setup, linker: PlanLinker,
                 stacks: Stacks, beside: Linked | None = None) -> None:
    if setup.metric_attribution is not None:
        linked = linker.link_request(setup.name, setup.location, setup.metric_attribution.data)
    elif stacks.attributions:
        linked = link_stack(linker, stacks.attributions[0])
        for extra in stacks.attributions[1:]:  # more attributions: their own set-ups
            inventory.setups.append(with_notes(link_stack(linker, extra)))
    else:
        unread = f" ({'; '.join(stacks.unread)})" if stacks.unread else ""
        setup.missing.append(MissingInput(
            "metric attribution", f"{linker.plan.path} holds no metric attribution{unread}; "
            f"{NO_ATTRIBUTION}", setup.location))
        return
    given = set(sc.values)
    if beside is not None:
        # The template's notes about what the plan gives are dropped; the plan's about
        # what the template gives are not added.
        plan_gives = supplied(linked)
        stale = {(n.missing.what, n.missing.location) for n in beside.notes
                 if plan_gives.intersection(n.keys)}
        setup.missing = [m for m in setup.missing if (m.what, m.location) not in stale]
        given |= supplied(beside)
    merge(setup, linked, given)


def _unlinked_groups(linker: PlanLinker, stacks: Stacks) -> list[Finding]:
    """PL003 for each dataset group of a plan that no metric attribution is linked to."""
    unread = f" ({'; '.join(stacks.unread)})" if stacks.unread else ""
    return [Finding("PL003", f"{group.address} is a Personalize dataset group, but no metric "
                             f"attribution in this plan is linked to it{unread}: the set-up "
                             f"checks were not evaluated; {NO_ATTRIBUTION}",
                    linker.location_of(group.address))
            for group in linker.plan.of_types("awscc_personalize_dataset_group")
            if group.mode == "managed"]
