"""The inventory: one model of Personalize metric-attribution set-ups.

Loaders (files) and collectors (a live account) fill it; rules only read it. Every
resource carries a ``Source`` so any finding can point at the file position or ARN it
came from. Policy documents and requests are kept as plain JSON data (dicts/lists) next
to the ``Document`` that holds their positions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from .document import Document
from .findings import Finding
from .location import Location, join_pointer

T = TypeVar("T")


@dataclass
class Source:
    """Where a resource's data lives: a pointer into a loaded document, or a cloud ARN."""

    document: Document | None = None
    pointer: str = ""
    location: Location | None = None  # used when there is no document (account, config)

    def locate(self, *tokens: str | int) -> Location:
        """The location of a value below this resource (by JSON pointer tokens)."""
        if self.document is not None:
            return self.document.location(join_pointer(self.pointer, *tokens))
        where = self.location or Location()
        # No document to place the value in (a collected policy): the place stays the
        # resource's, the value below it is its focus (see Location.focus).
        return replace(where, focus=join_pointer(where.focus, *tokens)) if tokens else where

    @property
    def path(self) -> str | None:
        if self.document is not None:
            return self.document.path
        return self.location.path if self.location else None


@dataclass
class Policy:
    """An IAM policy document: identity, trust, bucket (S3) or key (KMS) policy."""

    data: Any
    source: Source
    kind: str = "unknown"  # identity | trust | bucket | key | resource | unknown
    name: str | None = None  # inline policy name or managed policy ARN


@dataclass
class ManagedPolicyRef:
    """An attached managed policy named by ARN; ``policy`` is its document when known."""

    arn: str
    source: Source
    policy: Policy | None = None


@dataclass
class UnusablePolicy:
    """A policy the set-up names but that cannot be used: its file is missing or unreadable,
    it is not a policy, it is of the wrong kind or malformed (each reported where it is).
    It stands in its place so that the checks that depend on it are not evaluated (PL003):
    treating it as absent would pass (or fail) them on missing data."""

    name: str  # the file, policy name or ARN as given
    source: Source
    why: str = "it could not be used"
    may_deny: bool = True  # False for what can only allow (KMS grants)


@dataclass
class Role:
    source: Source
    arn: str | None = None
    name: str | None = None
    trust_policy: Policy | None = None
    policies: list[Policy] = field(default_factory=list)
    managed_policies: list[ManagedPolicyRef] = field(default_factory=list)
    # A boundary document, or a managed policy ARN (its document when known).
    permissions_boundary: Policy | ManagedPolicyRef | UnusablePolicy | None = None


@dataclass
class Bucket:
    source: Source
    name: str | None = None
    policy: Policy | None = None
    encryption: Any = None  # get-bucket-encryption output (ServerSideEncryptionConfiguration)
    encryption_source: Source | None = None
    region: str | None = None
    account: str | None = None  # the owning account, when known (bucket-account, audits)
    # Audits: "audited-account", "another-account" (not in the audited account's
    # ListBuckets; which one is not known) or "unknown" (ListBuckets could not be read).
    # None: not asked (files and templates: bucket-account, else the role's account).
    owner: str | None = None


@dataclass
class Key:
    source: Source
    arn: str | None = None
    policy: Policy | None = None
    metadata: dict[str, Any] | None = None  # describe-key KeyMetadata (account audits)
    grants: list[Any] | None = None  # list-grants Grants (None: not given)
    grants_source: Source | None = None
    # Grants that were named (key-grants, an audit's ListGrants) but could not be read: they
    # may allow, so a missing grant is not judged on their absence.
    grants_unusable: UnusablePolicy | None = None


@dataclass
class Schema:
    """A Personalize Avro schema; ``avro`` is the parsed schema, ``raw`` its JSON text if any."""

    avro: Any
    source: Source
    dataset_type: str | None = None  # Interactions | Items | Users | Actions | Action_Interactions
    domain: str | None = None  # ECOMMERCE | VIDEO_ON_DEMAND | None (custom)
    name: str | None = None
    raw: str | None = None


@dataclass
class MetricAttribution:
    """A Create/UpdateMetricAttribution request or a Describe output (``form``)."""

    data: Any
    source: Source
    form: str = "create"  # create | update | describe


@dataclass
class DataSource:
    """Bulk interactions data: local paths, globs, folders or s3:// locations."""

    location: str
    source: Source


@dataclass
class EventsPayload:
    """A PutEvents request, or JSON Lines of events."""

    data: Any
    source: Source


@dataclass
class DatasetGroup:
    arn: str | None = None
    domain: str | None = None
    schemas: dict[str, Schema] = field(default_factory=dict)  # by dataset type
    import_jobs: list[dict[str, Any]] = field(default_factory=list)
    event_trackers: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class MissingInput:
    """An input a check needs that the set-up does not provide or that could not be read."""

    what: str  # e.g. "bucket-policy", "key-policy", "role trust policy"
    reason: str
    location: Location


# An organization policy: its document, or the name/ARN of an AWS managed one
# (FullAWSAccess, RCPFullAWSAccess) or of one whose document is not known.
OrgPolicy = Policy | str | UnusablePolicy


@dataclass
class Organization:
    """The AWS Organizations policies over a set-up: SCPs of the role's account and RCPs of
    its resources, one list per level of the hierarchy (root first, account last). An empty
    outer list means none were given."""

    service_control_policies: list[list[OrgPolicy]] = field(default_factory=list)
    resource_control_policies: list[list[OrgPolicy]] = field(default_factory=list)
    organization_id: str | None = None
    management_account: str | None = None


@dataclass
class Setup:
    """One metric-attribution set-up: a dataset group and everything around it."""

    name: str
    location: Location
    dataset_group: DatasetGroup = field(default_factory=DatasetGroup)
    metric_attribution: MetricAttribution | None = None
    role: Role | None = None
    bucket: Bucket | None = None
    key: Key | None = None
    interactions_data: list[DataSource] = field(default_factory=list)
    events: list[EventsPayload] = field(default_factory=list)
    missing: list[MissingInput] = field(default_factory=list)
    origin: str = "config"  # config | cloudformation | terraform | account
    organization: Organization | None = None


@dataclass(frozen=True)
class SuppressionSpec:
    """Hide findings of ``rule`` (an ID or prefix) at a place, for a stated reason.

    ``path`` is a glob over display paths (None = any file); ``pointer`` a JSON-pointer
    prefix; ``logical_id`` a CloudFormation logical resource ID; ``arn`` an ARN. Config
    entries are "external" suppressions, template metadata "inSource" ones (SARIF kinds).
    """

    rule: str
    reason: str
    kind: str = "external"
    path: str | None = None
    pointer: str | None = None
    logical_id: str | None = None
    arn: str | None = None
    origin: Location | None = None


@dataclass
class Inventory:
    """Everything one run looks at.

    ``documents`` holds every loaded document; ``standalone`` those that belong to no set-up
    (they get the rules one file can decide alone). ``problems`` are PL001/PL002/PL004
    findings raised while loading; the input rules report them. ``suppressions`` hide
    findings after the rules ran (config, template metadata).
    """

    setups: list[Setup] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    standalone: list[Document] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    suppressions: list[SuppressionSpec] = field(default_factory=list)
    # What the rules of one pass share (see rule_pass); None outside a pass.
    _shared: dict[tuple[str, int], tuple[object, Any]] | None = field(
        default=None, init=False, repr=False, compare=False)

    @contextmanager
    def rule_pass(self) -> Iterator[None]:
        """The rules run over this inventory, which holds still meanwhile (and so does the
        rule context: the engine runs one pass per run): what several rules work out alike
        (:meth:`shared`) is kept until the pass ends, and no longer."""
        if self._shared is not None:  # nested: the outer pass owns what is kept
            yield
            return
        self._shared = {}
        try:
            yield
        finally:
            self._shared = None

    def shared(self, name: str, obj: object, compute: Callable[..., T], *args: Any) -> T:
        """``compute(*args)`` for ``obj`` once per rule pass (by ``name`` and identity), and
        on every call outside one. ``obj`` is kept alive with the result, so an identity is
        never taken for another object's; a call that raises keeps nothing.

        The one place rules share work: parsed schemas and policy checks (PL2xx, PL5xx) as
        well as the scan of a set-up's interactions data (PL6xx, read by PL406 and PL409)."""
        kept = self._shared
        if kept is None:
            return compute(*args)
        key = (name, id(obj))
        hit = kept.get(key)
        if hit is not None and hit[0] is obj:
            return hit[1]
        value = compute(*args)
        kept[key] = (obj, value)
        return value

    def documents_of_kind(self, kind: str, *, standalone_only: bool = False) -> Iterator[Document]:
        pool = self.standalone if standalone_only else self.documents
        return (d for d in pool if d.kind == kind)
