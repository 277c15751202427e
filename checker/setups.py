"""Assemble set-ups from the configuration and the loaded documents into the inventory."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, SetupConfig, config_problem
from .document import Document
from .files import expand_glob
from .findings import Finding
from .inventory import (
    Bucket,
    DataSource,
    EventsPayload,
    Inventory,
    Key,
    ManagedPolicyRef,
    MetricAttribution,
    MissingInput,
    Organization,
    OrgPolicy,
    Policy,
    Role,
    Schema,
    Setup,
    Source,
    UnusablePolicy,
)
from .location import Location
from .organization import is_managed_reference
from .policy_shape import unwrap_policy

# The kind each set-up key implies for its files (config forces it, no detection needed).
KEY_KINDS: dict[str, str] = {
    "metric-attribution": "metric-attribution",
    "role-trust-policy": "trust-policy",
    "role-policies": "identity-policy",
    "bucket-policy": "bucket-policy",
    "bucket-encryption": "bucket-encryption",
    "key-policy": "key-policy",
    "interactions-schema": "schema",
    "items-schema": "schema",
    "users-schema": "schema",
    "events": "putevents",
    "interactions-data": "interactions",
    "template": "cloudformation",
    "terraform-plan": "terraform-plan",
    "role-permissions-boundary": "identity-policy",
    "key-grants": "kms-grants",
    "service-control-policies": "service-control-policy",
    "resource-control-policies": "resource-control-policy",
}
ORG_KEYS = ("service-control-policies", "resource-control-policies")
BOUNDARY_ARN = re.compile(r"arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/.+")
SCHEMA_KEYS = {
    "interactions-schema": "Interactions",
    "items-schema": "Items",
    "users-schema": "Users",
}

LoadFn = Callable[[Path, str | None], list[Document]]


@dataclass
class SetupFiles:
    """The files a set-up names, resolved: by key, and all of them for membership tests."""

    config: SetupConfig
    by_key: dict[str, list[Path]] = field(default_factory=dict)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (key, path as written)

    def all_files(self) -> set[Path]:
        return {p.resolve() for paths in self.by_key.values() for p in paths}


def resolve_setup_files(config: Config, setup: SetupConfig) -> SetupFiles:
    files = SetupFiles(setup)
    for key, value in setup.values.items():
        if key not in KEY_KINDS:
            continue
        patterns = value if isinstance(value, list) else [value]
        if key in ORG_KEYS:  # levels of files and policy names
            patterns = [p for level in value for p in level if not is_managed_reference(p)]
        elif key == "role-permissions-boundary" and value.startswith("arn:"):
            patterns = []  # a managed policy ARN, not a file
        paths: list[Path] = []
        for pattern in patterns:
            if key == "interactions-data" and pattern.startswith("s3://"):
                continue  # read where it lies by the data checker
            expanded = expand_glob(config.root, pattern)
            existing = [p for p in expanded if p.exists()]
            if not existing:
                files.missing.append((key, pattern))
            paths.extend(existing)
        files.by_key[key] = paths
    return files


def build_setup(config: Config, files: SetupFiles, load: LoadFn, problems: list[Finding]) -> Setup:
    sc = files.config
    setup = Setup(name=sc.name, location=sc.location)
    for key, written in files.missing:
        problems.append(
            config_problem(
                config, f"set-up {sc.name!r}: {key} {written!r} does not exist", key, sc.index
            )
        )
        setup.missing.append(MissingInput(key, f"{written} does not exist", sc.location))

    def documents(key: str) -> list[Document]:
        docs: list[Document] = []
        for path in files.by_key.get(key, []):
            loaded = load(path, KEY_KINDS[key])
            if not loaded:
                setup.missing.append(
                    MissingInput(key, f"{path.name} could not be read", sc.location)
                )
            docs.extend(loaded)
        return docs

    def single(key: str) -> Document | None:
        docs = documents(key)
        return docs[0] if docs else None

    attribution_doc = single("metric-attribution")
    if attribution_doc is not None:
        setup.metric_attribution = MetricAttribution(
            data=attribution_doc.data,
            source=Source(attribution_doc),
            form=attribution_doc.subkind or "create",
        )
        setup.dataset_group.arn = as_str(
            attribution_request(attribution_doc.data).get("datasetGroupArn")
        )
    output = output_config(setup.metric_attribution.data if setup.metric_attribution else None)

    setup.role = _build_role(sc, output, single("role-trust-policy"), documents("role-policies"))
    _add_boundary(config, setup, sc, single("role-permissions-boundary"), problems)
    bucket_policy = single("bucket-policy")
    encryption = single("bucket-encryption")
    if bucket_policy or encryption or output.get("s3DataDestination"):
        setup.bucket = Bucket(
            source=Source(bucket_policy) if bucket_policy else Source(location=sc.location),
            name=bucket_name(as_str(as_dict(output.get("s3DataDestination")).get("path"))),
            policy=_policy(bucket_policy, "bucket"),
            encryption=encryption.data if encryption else None,
            encryption_source=Source(encryption) if encryption else None,
            account=as_str(sc.values.get("bucket-account")),
        )
    key_policy = single("key-policy")
    kms_key_arn = as_str(as_dict(output.get("s3DataDestination")).get("kmsKeyArn"))
    grants = single("key-grants")
    if key_policy or kms_key_arn or grants:
        setup.key = Key(
            source=Source(key_policy) if key_policy else Source(location=sc.location),
            arn=kms_key_arn,
            policy=_policy(key_policy, "key"),
        )
        if grants is not None:
            add_grants(setup.key, grants, problems)
        elif as_str(sc.values.get("key-grants")):  # named, but missing or unreadable
            setup.key.grants_unusable = UnusablePolicy(
                str(sc.values["key-grants"]), Source(location=sc.location),
                "it could not be read", may_deny=False)
    organization = Organization()
    for key, levels in ((ORG_KEYS[0], organization.service_control_policies),
                        (ORG_KEYS[1], organization.resource_control_policies)):
        for level in sc.values.get(key) or []:
            levels.append(_org_level(config, setup, sc, key, level, load, problems,
                                     organization))
    if organization.service_control_policies or organization.resource_control_policies:
        setup.organization = organization
    for key, dataset_type in SCHEMA_KEYS.items():
        doc = single(key)
        if doc is not None:
            setup.dataset_group.schemas[dataset_type] = schema_from_document(doc, dataset_type)
    for doc in documents("events"):
        setup.events.append(EventsPayload(data=doc.data, source=Source(doc)))
    for pattern in as_list(sc.values.get("interactions-data")):
        targets = (
            [pattern]
            if pattern.startswith("s3://")
            else [
                str(p)
                for p in files.by_key.get("interactions-data", [])
                if p in expand_glob(config.root, pattern)
            ]
        )
        for target in targets:
            setup.interactions_data.append(
                DataSource(
                    location=target, source=Source(location=Location(path=_display(config, target)))
                )
            )
    return setup


def _build_role(
    sc: SetupConfig, output: dict[str, Any], trust: Document | None, policies: list[Document]
) -> Role | None:
    managed = as_list(sc.values.get("role-managed-policies"))
    role_arn = as_str(output.get("roleArn"))
    if not (trust or policies or managed or role_arn):
        return None
    anchor = trust or (policies[0] if policies else None)
    role = Role(
        source=Source(anchor) if anchor else Source(location=sc.location),
        arn=role_arn,
        name=role_arn.rsplit("/", 1)[-1] if role_arn else None,
        trust_policy=_policy(trust, "trust"),
        policies=[p for p in (_policy(d, "identity") for d in policies) if p is not None],
    )
    role.managed_policies = [
        ManagedPolicyRef(arn=arn, source=Source(location=sc.location)) for arn in managed
    ]
    return role


def _add_boundary(config: Config, setup: Setup, sc: SetupConfig, doc: Document | None,
                  problems: list[Finding]) -> None:
    """The role's permissions boundary: a file, or a managed policy ARN. One that was given
    but cannot be used (missing, unreadable, not a policy, malformed) stands as unusable:
    the checks it caps are not evaluated rather than decided as if there were none."""
    from .policy_shape import policy_problems

    key = "role-permissions-boundary"
    value = as_str(sc.values.get(key))
    if setup.role is None or value is None:
        return
    where = Source(location=sc.location)
    if value.startswith("arn:"):
        if not BOUNDARY_ARN.fullmatch(value):
            problems.append(config_problem(
                config, f"set-up {sc.name!r}: {key} {value!r} is not an IAM managed policy ARN "
                "(arn:<partition>:iam::<account or aws>:policy/<name>)", key, sc.index))
            setup.role.permissions_boundary = UnusablePolicy(value, where, "it is not a policy ARN")
            return
        setup.role.permissions_boundary = ManagedPolicyRef(value, where)
        return
    policy = _policy(doc, "identity")
    if policy is None:
        why = "it could not be read" if doc is None else "it is not a policy"
        setup.role.permissions_boundary = UnusablePolicy(value, where, why)
    elif next(iter(policy_problems(policy.data, "identity")), None) is not None:
        setup.role.permissions_boundary = UnusablePolicy(value, policy.source, "it is malformed")
    else:
        setup.role.permissions_boundary = policy


def _org_level(config: Config, setup: Setup, sc: SetupConfig, key: str, entries: list[str],
               load: LoadFn, problems: list[Finding],
               organization: Organization) -> list[OrgPolicy]:
    """One level of organization policies: names kept as they are, files read. An entry
    that cannot be used (a name of the wrong kind, a missing, unreadable or malformed file,
    a policy of the wrong kind) keeps its place as unusable, so that the level never reads
    as "nothing allowed" or "no constraint" for want of it."""
    from .iam.organizations import RCP, SCP
    from .organization import add_read, read_document, reference_problem, usable

    policy_type = SCP if key == ORG_KEYS[0] else RCP
    where = Source(location=sc.location)
    level: list[OrgPolicy] = []
    for entry in entries:
        if is_managed_reference(entry):
            wrong = reference_problem(entry, policy_type)
            if wrong is not None:
                problems.append(config_problem(config, f"set-up {sc.name!r}: {wrong}", key,
                                               sc.index))
                level.append(UnusablePolicy(entry, where, "it is of the wrong kind"))
            else:
                level.append(entry)
            continue
        paths = [p for p in expand_glob(config.root, entry) if p.exists()]
        if not paths:  # PL004 "does not exist" is reported with the set-up's files
            level.append(UnusablePolicy(entry, where, "it does not exist"))
        for path in paths:
            loaded = load(path, KEY_KINDS[key])
            if not loaded:
                setup.missing.append(MissingInput(key, f"{path.name} could not be read",
                                                  setup.location))
                level.append(UnusablePolicy(_display(config, str(path)), where,
                                            "it could not be read"))
            for doc in loaded:
                read = read_document(doc, policy_type)
                problems.extend(read.problems)
                add_read(organization, read)
                level.append(usable(read, doc.path, Source(doc)))
    return level


def add_grants(key: Key, doc: Document, problems: list[Finding]) -> None:
    """`aws kms list-grants` output (or its Grants list) as the key's grants."""
    data = doc.data
    grants = data.get("Grants") if isinstance(data, dict) else data
    if not isinstance(grants, list) or not all(isinstance(g, dict) for g in grants):
        problems.append(Finding("PL002", "key-grants must be the output of aws kms list-grants "
                                '({"Grants": [...]}), a list of grant objects',
                                doc.location()))
        key.grants_unusable = UnusablePolicy(doc.path, Source(doc), "it is not a list of grants",
                                             may_deny=False)
        return
    for i, grant in enumerate(grants):
        if not isinstance(grant.get("GranteePrincipal"), str) or not isinstance(
                grant.get("Operations"), list):
            pointer = f"/Grants/{i}" if isinstance(data, dict) else f"/{i}"
            problems.append(Finding("PL002", "a grant needs GranteePrincipal (a string) and "
                                    "Operations (a list)", doc.location(pointer)))
    key.grants = grants
    key.grants_source = Source(doc, "/Grants" if isinstance(data, dict) else "")


def _policy(doc: Document | None, kind: str) -> Policy | None:
    if doc is None or doc.kind != "policy":
        return None
    data, pointer = unwrap_policy(doc.data)
    return Policy(data=data, source=Source(doc, pointer), kind=kind, name=doc.path)


def schema_from_document(doc: Document, dataset_type: str | None) -> Schema:
    """A Schema from an Avro document or a create-schema request (schema as a JSON string)."""
    data = doc.data
    raw: str | None = None
    domain: str | None = None
    name: str | None = None
    avro: Any = data
    if isinstance(data, dict) and isinstance(data.get("schema"), str):
        raw = data["schema"]
        domain = as_str(data.get("domain"))
        name = as_str(data.get("name"))
        try:
            avro = json.loads(raw)
        except ValueError:
            avro = None
    return Schema(
        avro=avro,
        source=Source(doc),
        dataset_type=dataset_type or doc.subkind,
        domain=domain,
        name=name,
        raw=raw,
    )


def attribution_request(data: Any) -> dict[str, Any]:
    """The request members, whatever the form (a describe output wraps them)."""
    if isinstance(data, dict) and isinstance(data.get("metricAttribution"), dict):
        return data["metricAttribution"]
    return data if isinstance(data, dict) else {}


def output_config(data: Any) -> dict[str, Any]:
    request = attribution_request(data)
    return as_dict(request.get("metricsOutputConfig") or request.get("MetricsOutputConfig"))


def bucket_name(path: str | None) -> str | None:
    if not path or not path.startswith("s3://"):
        return None
    return path[5:].split("/", 1)[0] or None


def add_setups(
    inventory: Inventory, config: Config, setup_files: list[SetupFiles], load: LoadFn
) -> None:
    for files in setup_files:
        inventory.setups.append(build_setup(config, files, load, inventory.problems))


def _display(config: Config, target: str) -> str:
    """A data location as findings show it: a file relative to the root, an ``s3://`` URI
    as written (a path would fold its ``//``)."""
    if target.startswith("s3://"):
        return target
    try:
        return Path(target).resolve().relative_to(config.root).as_posix()
    except ValueError:
        return target


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
