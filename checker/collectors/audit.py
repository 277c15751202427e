"""Walk accounts × regions with a bounded thread pool and build the audit snapshot.

The work is a tree of small tasks, all run by one ``ThreadPoolExecutor``: open an account
(assume its role, ask STS who we are) → list a region's metric attributions → collect one
attribution with its dataset group, role, bucket and key. A task returns its follow-up tasks
and the coordinating thread submits them, so no worker ever waits for another task and the
bounded pool cannot deadlock. Roles, buckets, keys, managed policies and schemas shared by
several attributions are read once (:class:`~.gaps.OnceCache`).

Fail closed: a failed read is recorded as a gap (PL003 for the set-ups that needed it, or
for the whole account or region) and the walk goes on. Only a run that could not open any
account at all stops with an error (exit 2), since it would otherwise look like a pass.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import partial
from typing import Any

from .. import __version__
from ..errors import UsageError
from .assemble import ROOT, VERSION
from .cache import OnceCache
from .errors import ApiError
from .gaps import gap
from .guard import ReadOnlyGuard
from .iam import collect_role
from .kms import collect_key, key_region
from .organization import collect_organization
from .orgs import active_accounts, org_role_arn
from .personalize import collect_attribution, list_attributions
from .progress import Progress
from .s3 import collect_bucket
from .session import AuditSession, CallCounter, Scope, Settings
from .sts import caller_identity

Task = Callable[[], list["Task"]]


class AuditAborted(UsageError):
    """Nothing could be audited (exit 2): no account could be opened."""


@dataclass
class AuditOptions:
    profile: str | None = None
    regions: list[str] = field(default_factory=list)
    all_regions: bool = False
    role_arns: list[str] = field(default_factory=list)
    external_id: str | None = None
    org_role: str | None = None
    organization: bool = False  # read the SCPs and RCPs over each account
    max_workers: int = 8
    settings: Settings = field(default_factory=Settings)


@dataclass
class AuditResult:
    snapshot: dict[str, Any]  # the saved-inventory document: {"personalizeLintInventory": ...}
    calls: dict[str, int]
    seconds: float

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.snapshot[ROOT]
        return body

    @property
    def api_calls(self) -> int:
        return sum(self.calls.values())


@dataclass(frozen=True)
class Target:
    role_arn: str | None  # None: the caller's own credentials


def run_audit(options: AuditOptions, progress: Progress | None = None,
              session: AuditSession | None = None) -> AuditResult:
    """Audit the accounts and regions the options name. ``session`` replaces the caller's
    session (tests, the Lambda); it must carry the read-only guard."""
    return Audit(options, progress or Progress(enabled=False), session).run()


class Audit:
    def __init__(self, options: AuditOptions, progress: Progress,
                 session: AuditSession | None) -> None:
        self.options = options
        self.progress = progress
        if session is None:
            settings = replace(options.settings,
                               max_pool_connections=max(options.max_workers, 10))
            guard = ReadOnlyGuard(options.role_arns, options.org_role)
            session = AuditSession.create(options.profile, settings, guard, CallCounter())
        self.base = session
        self._lock = threading.Lock()
        self.setups: list[dict[str, Any]] = []
        self.problems: list[dict[str, Any]] = []
        self.accounts: list[dict[str, Any]] = []
        self.resources: dict[str, dict[str, Any]] = {"roles": {}, "buckets": {}, "keys": {}}
        self.cache: OnceCache[dict[str, Any]] = OnceCache()
        self.policies: OnceCache[dict[str, Any]] = OnceCache()
        self.schemas: OnceCache[dict[str, Any]] = OnceCache()
        self.org_documents: OnceCache[dict[str, Any]] = OnceCache()
        self.organizations: dict[str, dict[str, Any]] = {}

    # --- the walk ---------------------------------------------------------------------

    def run(self) -> AuditResult:
        started = time.perf_counter()
        before = dict(self.base.counter.counts)
        if not (self.options.regions or self.options.all_regions or self.base.default_region):
            raise UsageError("no region to audit: pass --region R (repeatable) or "
                             "--all-regions, or configure a default region")
        targets = self._targets()
        self.progress.expect("accounts", len(targets))
        try:
            self._drain([partial(self._open_account, t) for t in targets])
        finally:
            self.progress.close()
        if targets and not self.accounts:
            reasons = "; ".join(p["reason"] for p in self.problems[:3])
            raise AuditAborted(f"no account could be audited: {reasons}")
        calls = {k: v - before.get(k, 0) for k, v in self.base.counter.counts.items()
                 if v - before.get(k, 0)}
        return AuditResult(self._snapshot(), calls, time.perf_counter() - started)

    def _drain(self, tasks: list[Task]) -> None:
        pool = ThreadPoolExecutor(max_workers=max(self.options.max_workers, 1),
                                  thread_name_prefix="personalize-lint-audit")
        try:
            pending: set[Future[list[Task]]] = {pool.submit(t) for t in tasks}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    for follow_up in future.result():  # a bug or guard refusal ends the run
                        pending.add(pool.submit(follow_up))
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

    def _targets(self) -> list[Target]:
        if self.options.org_role:
            try:
                me = caller_identity(self.base)
                accounts = active_accounts(self.base)
            except ApiError as exc:
                raise AuditAborted(f"cannot list the organisation's accounts: {exc.reason}"
                                   ) from exc
            role = self.options.org_role
            # The management account has no org role of its own: audit it as the caller.
            return [Target(None if a == me.account else org_role_arn(a, role, me.partition))
                    for a in accounts]
        if self.options.role_arns:
            return [Target(arn) for arn in dict.fromkeys(self.options.role_arns)]
        return [Target(None)]

    def _open_account(self, target: Target) -> list[Task]:
        try:
            session = self.base
            if target.role_arn:
                session = self.base.assume(target.role_arn, self.options.external_id)
            identity = caller_identity(session)
        except ApiError as exc:
            account = target.role_arn.split(":")[4] if target.role_arn else "of the caller"
            self._problem(gap(f"account {account} (every check)", exc, target.role_arn))
            self.progress.advance("accounts")
            return []
        regions = self._regions(session, identity.partition)
        with self._lock:
            self.accounts.append({"account": identity.account, "partition": identity.partition,
                                  "regions": regions, "via": target.role_arn})
        self.progress.advance("accounts")
        self.progress.expect("regions", len(regions))
        tasks: list[Task] = [partial(self._walk_region, Scope(
            session, identity.account, identity.partition, region)) for region in regions]
        if self.options.organization:
            tasks.append(partial(self._collect_organization, identity.account,
                                 identity.partition))
        return tasks

    def _collect_organization(self, account: str, partition: str) -> list[Task]:
        # The caller's own session: Organizations answers in the management account (or a
        # delegated administrator), not in the member accounts entered with a role.
        found = collect_organization(self.base, account, partition, self.org_documents)
        with self._lock:
            self.organizations[account] = found
        return []

    def _regions(self, session: AuditSession, partition: str) -> list[str]:
        if self.options.regions:
            return list(dict.fromkeys(self.options.regions))
        if self.options.all_regions:
            return session.regions_offering("personalize", partition)
        return [session.default_region or self.base.default_region or "us-east-1"]

    def _walk_region(self, scope: Scope) -> list[Task]:
        try:
            summaries = list_attributions(scope)
        except ApiError as exc:
            everything = (f"arn:{scope.partition}:personalize:{scope.region}:{scope.account}:"
                          "metric-attribution/*")
            self._problem(gap(f"the metric attributions of account {scope.account} in "
                              f"{scope.region} (every check)", exc, everything,
                              region=scope.region))
            summaries = []
        self.progress.advance("regions")
        self.progress.expect("resources", len(summaries))
        return [partial(self._collect_setup, scope, s) for s in summaries]

    def _collect_setup(self, scope: Scope, summary: dict[str, Any]) -> list[Task]:
        gaps: list[dict[str, Any]] = []
        found = collect_attribution(scope, summary, gaps, self.schemas)
        if found is not None:
            body = found["attribution"]["metricAttribution"]
            setup = {
                "name": f"{scope.account}/{scope.region}/{body.get('name') or summary['name']}",
                "account": scope.account, "region": scope.region,
                "attribution": found["attribution"], "datasetGroup": found["datasetGroup"],
                "missing": gaps,
                **self._shared(scope, body.get("metricsOutputConfig") or {}),
            }
            if self.options.organization:
                setup["organization"] = scope.account
            with self._lock:
                self.setups.append(setup)
        self.progress.advance("resources")
        return []

    def _shared(self, scope: Scope, output: dict[str, Any]) -> dict[str, str | None]:
        """The role, bucket and key the output configuration names, each read once per
        account; returns their keys into the snapshot's ``roles``/``buckets``/``keys``."""
        refs: dict[str, str | None] = {"role": None, "bucket": None, "key": None}
        destination = output.get("s3DataDestination") or {}
        role_arn = output.get("roleArn")
        if isinstance(role_arn, str) and role_arn:
            refs["role"] = self._resource("roles", f"{scope.account}/{role_arn}", partial(
                collect_role, scope, role_arn, self.policies))
        name = _bucket_name(destination.get("path"))
        bucket: dict[str, Any] = {}
        if name:
            refs["bucket"] = key = self._resource("buckets", f"{scope.account}/{name}",
                                                  partial(collect_bucket, scope, name))
            bucket = self.resources["buckets"][key]
        # No kmsKeyArn: the bucket's default SSE-KMS key encrypts the reports, if it has one.
        key_ref = destination.get("kmsKeyArn") or _default_key(bucket.get("encryption"))
        if isinstance(key_ref, str) and key_ref:
            region = key_region(key_ref, bucket.get("region") or scope.region)
            refs["key"] = self._resource("keys", f"{scope.account}/{region}/{key_ref}",
                                         partial(collect_key, scope.at(region), key_ref))
        return refs

    def _resource(self, kind: str, key: str, collect: Callable[[], dict[str, Any]]) -> str:
        data = self.cache.get((kind, key), collect)
        with self._lock:
            self.resources[kind][key] = data
        return key

    def _problem(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.problems.append(entry)

    # --- the result -------------------------------------------------------------------

    def _snapshot(self) -> dict[str, Any]:
        body = {
            "version": VERSION,
            "generatedAt": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "tool": {"name": "personalize-lint", "version": __version__},
            "accounts": sorted(self.accounts, key=lambda a: a["account"]),
            "setups": sorted(self.setups, key=lambda s: s["name"]),
            "roles": dict(sorted(self.resources["roles"].items())),
            "buckets": dict(sorted(self.resources["buckets"].items())),
            "keys": dict(sorted(self.resources["keys"].items())),
            "problems": sorted(self.problems, key=lambda p: (p.get("arn") or "", p["what"])),
        }
        if self.options.organization:
            body["organizations"] = dict(sorted(self.organizations.items()))
        return {ROOT: body}


def _bucket_name(path: Any) -> str | None:
    if not isinstance(path, str) or not path.startswith("s3://"):
        return None
    return path[5:].split("/", 1)[0] or None


def _default_key(encryption: Any) -> str | None:
    """The customer key of a bucket's default SSE-KMS encryption, if any."""
    config = encryption.get("ServerSideEncryptionConfiguration") if isinstance(
        encryption, dict) else None
    for rule in (config or {}).get("Rules") or []:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse") and default.get(
                "KMSMasterKeyID"):
            return str(default["KMSMasterKeyID"])
    return None
