"""Turn an audit snapshot (plain JSON, the saved-inventory format) into inventory set-ups.

The audit and the offline replay of a saved inventory (``check FILE``) both go through
:func:`inventory_parts`, so they give the rules the very same inventory and the same
findings. Every resource is located by its ARN (with a JSON pointer into its describe output
where that helps), never by a position in the saved file: alerts keep their fingerprints
whichever way they were produced.

Absence and ignorance differ: a resource that AWS said does not exist is left out (the rules
judge that), one that could not be read is a ``MissingInput`` (PL003), and a role whose
permission policies were read only in part also gets an unknown policy standing for the
rest, so the evaluator answers "uncertain" (PL003) instead of judging half a role.
"""

from __future__ import annotations

import json
from typing import Any

from ..findings import Finding
from ..inventory import (
    Bucket,
    DatasetGroup,
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
from ..location import Location, join_pointer

ROOT = "personalizeLintInventory"
OWNERS = ("audited-account", "another-account", "unknown")
VERSION = 1


def _source(arn: str | None, region: str | None = None, pointer: str = "") -> Source:
    return Source(location=Location(arn=arn, region=region, pointer=pointer))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _missing(entry: dict[str, Any]) -> MissingInput:
    where = Location(arn=entry.get("arn"), region=entry.get("region"),
                     pointer=entry.get("pointer") or "")
    return MissingInput(str(entry.get("what") or "an input"), str(entry.get("reason") or ""),
                        where)


def problem_finding(entry: dict[str, Any]) -> Finding:
    """A PL003 for what no set-up owns: an account or region the audit could not list."""
    missing = _missing(entry)
    return Finding("PL003", f"{missing.what} not evaluated: {missing.reason}", missing.location)


def inventory_parts(snapshot: dict[str, Any]) -> tuple[list[Setup], list[Finding]]:
    """Set-ups and account-level PL003 findings from the body of a saved inventory."""
    roles = _dict(snapshot.get("roles"))
    buckets = _dict(snapshot.get("buckets"))
    keys = _dict(snapshot.get("keys"))
    problems: list[Finding] = []
    organizations = {account: _organization(_dict(data), problems)
                     for account, data in _dict(snapshot.get("organizations")).items()}
    setups = [_setup(_dict(s), roles, buckets, keys) for s in snapshot.get("setups") or []]
    for raw, setup in zip(snapshot.get("setups") or [], setups, strict=True):
        found = organizations.get(str(_dict(raw).get("organization")))
        if found is not None:
            setup.organization, gaps = found
            setup.missing += gaps
    problems += [problem_finding(_dict(p)) for p in snapshot.get("problems") or []]
    return setups, problems


def _organization(data: dict[str, Any], problems: list[Finding]) -> tuple[
        Organization, list[MissingInput]]:
    """The SCP and RCP levels over an account; their PL002 problems go to ``problems``."""
    from ..iam.organizations import RCP, SCP
    from ..organization import read_content, reference_problem, usable

    org = Organization(organization_id=data.get("organizationId"),
                       management_account=data.get("managementAccount"))
    for member, policy_type, levels in (
            ("serviceControlPolicies", SCP, org.service_control_policies),
            ("resourceControlPolicies", RCP, org.resource_control_policies)):
        for level in data.get(member) or []:
            entries: list[OrgPolicy] = []
            for item in level if isinstance(level, list) else []:
                item = _dict(item)
                arn = str(item.get("arn"))
                content = item.get("content")
                where = Location(arn=arn)
                wrong = reference_problem(arn, policy_type)
                if wrong is not None:  # a hand-edited inventory: the ARN is of another kind
                    problems.append(Finding("PL002", wrong, where))
                    entries.append(UnusablePolicy(arn, Source(location=where),
                                                  "it is of the wrong kind"))
                    continue
                if content is None:
                    entries.append(arn)  # AWS managed (known by ARN) or unread: unknown
                    continue
                name = str(item.get("name") or item.get("id") or arn)
                read = read_content(content, policy_type, where, f"{name} ({arn})")
                problems.extend(read.problems)
                entries.append(usable(read, f"{name} ({arn})", Source(location=where)))
            levels.append(entries)
    return org, [_missing(_dict(g)) for g in data.get("missing") or []]


def _setup(data: dict[str, Any], roles: dict[str, Any], buckets: dict[str, Any],
           keys: dict[str, Any]) -> Setup:
    attribution = _dict(data.get("attribution"))
    body = _dict(attribution.get("metricAttribution"))
    region = data.get("region")
    arn = body.get("metricAttributionArn")
    location = Location(arn=arn, region=region)
    setup = Setup(name=str(data.get("name")), location=location, origin="account")
    setup.metric_attribution = MetricAttribution(data=attribution, source=Source(location=location),
                                                 form="describe")
    setup.dataset_group = _group(_dict(data.get("datasetGroup")), region)
    gaps = list(data.get("missing") or [])
    role = _dict(roles.get(str(data.get("role"))))
    if role:
        setup.role = _role(role)
        gaps += role.get("missing") or []
    bucket = _dict(buckets.get(str(data.get("bucket"))))
    if bucket:
        setup.bucket = _bucket(bucket) if bucket.get("exists", True) else None
        gaps += bucket.get("missing") or []
    key = _dict(keys.get(str(data.get("key"))))
    if key:
        setup.key = _key(key)
        gaps += key.get("missing") or []
    setup.missing = [_missing(_dict(g)) for g in gaps]
    return setup


def _group(data: dict[str, Any], region: str | None) -> DatasetGroup:
    group = DatasetGroup(arn=data.get("arn"), domain=data.get("domain"))
    for kind, schema in _dict(data.get("schemas")).items():
        schema = _dict(schema)
        raw = schema.get("schema")
        group.schemas[kind] = Schema(
            avro=_avro(raw), source=_source(schema.get("schemaArn"), region),
            dataset_type=kind, domain=schema.get("domain"), name=schema.get("name"),
            raw=raw if isinstance(raw, str) else None)
    group.import_jobs = [j for j in data.get("importJobs") or [] if isinstance(j, dict)]
    group.event_trackers = [t for t in data.get("eventTrackers") or [] if isinstance(t, dict)]
    return group


def _avro(raw: Any) -> Any:
    if not isinstance(raw, str):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _policy(document: Any, source: Source, kind: str, name: str) -> Policy | None:
    return Policy(data=document, source=source, kind=kind, name=name) if document else None


def _role(data: dict[str, Any]) -> Role | None:
    if not data.get("exists", True):
        return None  # IAM has no such role: PL107 says so
    arn = data.get("arn")
    label = f"role {data.get('name') or arn}"
    role = Role(source=_source(arn), arn=arn, name=data.get("name"))
    role.trust_policy = _policy(data.get("trustPolicy"), _source(arn, pointer="/AssumeRolePolicy"
                                                                 "Document"),
                                "trust", f"the trust policy of {label}")
    for inline in data.get("inlinePolicies") or []:
        name = str(_dict(inline).get("name"))
        policy = _policy(_dict(inline).get("document"),
                         _source(arn, pointer=join_pointer("/RolePolicyList", name)),
                         "identity", f"inline policy {name} of {label}")
        if policy is not None:
            role.policies.append(policy)
    for managed in data.get("managedPolicies") or []:
        managed = _dict(managed)
        policy_arn = str(managed.get("arn"))
        ref = ManagedPolicyRef(arn=policy_arn, source=_source(policy_arn))
        ref.policy = _policy(managed.get("document"), _source(policy_arn), "identity", policy_arn)
        role.managed_policies.append(ref)
    boundary = _dict(data.get("permissionsBoundary"))
    if boundary:
        boundary_arn = str(boundary.get("arn"))
        role.permissions_boundary = _policy(boundary.get("document"), _source(boundary_arn),
                                            "identity", f"permissions boundary {boundary_arn}")
        if role.permissions_boundary is None:  # known by ARN only: AWS managed, or unknown
            role.permissions_boundary = ManagedPolicyRef(boundary_arn, _source(boundary_arn))
    if not data.get("permissionsComplete", True):
        # What could not be read may grant or deny anything: an unknown policy makes the
        # evaluator answer "uncertain" (PL003) where half a role would get a wrong verdict.
        role.managed_policies.append(ManagedPolicyRef(
            arn=f"(the policies of {label} that could not be read)", source=_source(arn)))
    return role


def _bucket(data: dict[str, Any]) -> Bucket:
    arn, region, name = data.get("arn"), data.get("region"), data.get("name")
    encryption = data.get("encryption")
    return Bucket(
        source=_source(arn, region), name=name, region=region,
        policy=_policy(data.get("policy"), _source(arn, region, "/Policy"), "bucket",
                       f"the bucket policy of {name}"),
        encryption=encryption,
        encryption_source=_source(arn, region) if encryption else None,
        account=data.get("account") if isinstance(data.get("account"), str) else None,
        owner=data.get("owner") if data.get("owner") in OWNERS else None,
    )


def _key(data: dict[str, Any]) -> Key:
    arn = data.get("arn") or data.get("ref")
    region = data.get("region")
    metadata = data.get("metadata")
    grants = data.get("grants")
    unread = grants is None and any("grants" in str(_dict(g).get("what"))
                                    for g in data.get("missing") or [])
    key = Key(source=_source(arn, region), arn=arn,
               policy=_policy(data.get("policy"), _source(arn, region, "/Policy"), "key",
                              f"the key policy of {arn}"),
               metadata=metadata if isinstance(metadata, dict) else None,
               grants=grants if isinstance(grants, list) else None,
               grants_source=_source(arn, region, "/Grants") if isinstance(grants, list)
               else None)
    if unread:  # ListGrants failed: a grant may still let the role or Personalize in
        key.grants_unusable = UnusablePolicy(f"the grants of {arn}", _source(arn, region),
                                             "ListGrants could not be read", may_deny=False)
    return key
