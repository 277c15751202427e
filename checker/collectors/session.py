"""boto3 sessions for audits: standard retries, timeouts, the read-only guard, call counts.

Every session the audit uses (the caller's, and each assumed role's) is built here, so each
one gets the guard (:mod:`.guard`) before its first client exists. Clients are cached per
(service, region) and shared by the worker threads (boto3 clients are thread-safe; creating
them is not, hence the lock).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import NoCredentialsError, ProfileNotFound

from .. import __version__
from ..errors import UsageError
from .errors import classify
from .guard import ReadOnlyGuard

SESSION_NAME = "personalize-lint-audit"
FALLBACK_REGION = "us-east-1"  # for global services (IAM, STS, Organizations) without a region


@dataclass(frozen=True)
class Settings:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 5  # in all, the first try included; throttling and 5xx back off
    max_pool_connections: int = 10

    def botocore_config(self) -> Config:
        return Config(
            retries={"mode": "standard", "total_max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=self.max_pool_connections,
            user_agent_extra=f"personalize-lint/{__version__}",
        )


class CallCounter:
    """API calls made (not HTTP attempts), by ``service:Operation``; thread-safe."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.counts[f"{model.service_model.service_name}:{model.name}"] += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def install(self, events: Any) -> None:
        # Registered after the guard: a refused call is never counted as made.
        events.register("before-call", self, unique_id=f"personalize-lint-count-{id(self)}")


def xform(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))


class AuditSession:
    """One set of credentials, guarded, with cached clients."""

    def __init__(self, boto_session: boto3.Session, settings: Settings, guard: ReadOnlyGuard,
                 counter: CallCounter) -> None:
        self.boto = boto_session
        self.settings = settings
        self.guard = guard
        self.counter = counter
        guard.install(boto_session.events)
        counter.install(boto_session.events)
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._config = settings.botocore_config()

    @classmethod
    def create(cls, profile: str | None, settings: Settings, guard: ReadOnlyGuard,
               counter: CallCounter, region: str | None = None) -> AuditSession:
        try:
            session = boto3.Session(profile_name=profile, region_name=region)
        except ProfileNotFound as exc:
            raise UsageError(str(exc)) from exc
        return cls(session, settings, guard, counter)

    @property
    def default_region(self) -> str | None:
        return self.boto.region_name

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.default_region or FALLBACK_REGION
        with self._lock:
            client = self._clients.get((service, region))
            if client is None:
                # Any: the stubs type clients per literal service name; ours is a variable.
                factory: Any = self.boto.client
                client = factory(service, region_name=region, config=self._config)
                # Clients copy the session's handlers; installing on the client as well (a
                # no-op today, by unique ID) keeps every client guarded whatever botocore does.
                self.guard.install(client.meta.events)
                self._clients[(service, region)] = client
        return client

    def call(self, service: str, region: str | None, operation: str, **params: Any) -> Any:
        """One API call; a botocore failure becomes an :class:`~.errors.ApiError`."""
        client = self.client(service, region)
        try:
            return getattr(client, xform(operation))(**params)
        except NoCredentialsError as exc:
            raise UsageError(f"no AWS credentials found ({exc}); set a profile, environment "
                             "variables or an instance role") from exc
        except Exception as exc:
            error = classify(exc, service, operation)
            if error is None:
                raise
            raise error from exc

    def pages(self, service: str, region: str | None, operation: str, key: str,
              **params: Any) -> list[Any]:
        """Every item of a paginated list operation."""
        client = self.client(service, region)
        items: list[Any] = []
        try:
            for page in client.get_paginator(xform(operation)).paginate(**params):
                items.extend(page.get(key) or [])
        except NoCredentialsError as exc:
            raise UsageError(f"no AWS credentials found ({exc})") from exc
        except Exception as exc:
            error = classify(exc, service, operation)
            if error is None:
                raise
            raise error from exc
        return items

    def assume(self, role_arn: str, external_id: str | None) -> AuditSession:
        """A session with the role's temporary credentials (the guard checks the ARN)."""
        params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME}
        if external_id:
            params["ExternalId"] = external_id
        credentials = self.call("sts", None, "AssumeRole", **params)["Credentials"]
        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.default_region,
        )
        return AuditSession(session, self.settings, self.guard, self.counter)

    def regions_offering(self, service: str, partition: str) -> list[str]:
        """Regions where the service is offered (botocore's endpoint data, no API call)."""
        return sorted(self.boto.get_available_regions(service, partition_name=partition))


@dataclass
class Scope:
    """What a collector works with: one account's session in one region."""

    session: AuditSession
    account: str
    partition: str
    region: str

    def call(self, service: str, operation: str, **params: Any) -> Any:
        return self.session.call(service, self.region, operation, **params)

    def pages(self, service: str, operation: str, key: str, **params: Any) -> list[Any]:
        return self.session.pages(service, self.region, operation, key, **params)

    def at(self, region: str | None) -> Scope:
        return Scope(self.session, self.account, self.partition, region or self.region)

