"""The read-only guard: a botocore event handler that refuses every non-allow-listed call.

Installed on each audit session's event emitter before any client exists, so every client
inherits it. It runs on ``before-parameter-build`` (before anything is serialised) and again
on ``before-call`` (the last step before the HTTP request), so neither a collector bug nor a
botocore customisation that builds its own request can send a write.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from .operations import ASSUME_ROLE, is_read

APPROVED = "personalize_lint_guard_approved"


class ReadOnlyViolation(RuntimeError):
    """A collector tried an operation outside the allow-list: a bug, never an API failure."""

    def __init__(self, service: str, operation: str, detail: str = "") -> None:
        self.service = service
        self.operation = operation
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"refused {service}:{operation}: personalize-lint audits are read-only and this "
            f"operation is not on the allow-list{extra}"
        )


class ReadOnlyGuard:
    """Allows the read operations of :mod:`.operations`, and ``sts:AssumeRole`` only for the
    role ARNs given on the command line or, with ``--org-role NAME``, roles named NAME."""

    def __init__(self, role_arns: Iterable[str] = (), org_role: str | None = None) -> None:
        self._roles = {r for r in role_arns}
        self._org_role = (
            re.compile(rf"arn:[a-z-]+:iam::\d{{12}}:role/{re.escape(org_role)}")
            if org_role else None
        )
        self._lock = threading.Lock()
        self.refused: list[str] = []  # what was stopped, for tests and --debug

    def may_assume(self, role_arn: Any) -> bool:
        if not isinstance(role_arn, str):
            return False
        return role_arn in self._roles or bool(
            self._org_role and self._org_role.fullmatch(role_arn))

    def check(self, service: str, operation: str, params: Any) -> None:
        if is_read(service, operation):
            return
        if (service, operation) == ASSUME_ROLE:
            role = params.get("RoleArn") if isinstance(params, dict) else None
            if self.may_assume(role):
                return
            self._refuse(service, operation, f"role {role!r} was not named by --role-arn "
                                             "or --org-role")
        self._refuse(service, operation)

    def _refuse(self, service: str, operation: str, detail: str = "") -> None:
        with self._lock:
            self.refused.append(f"{service}:{operation}")
        raise ReadOnlyViolation(service, operation, detail)

    # botocore passes the OperationModel as ``model``; its service name is the botocore one.
    def before_parameter_build(self, params: Any, model: Any, context: Any = None,
                               **_: Any) -> None:
        self.check(model.service_model.service_name, model.name, params)
        if isinstance(context, dict):
            context[APPROVED] = (model.service_model.service_name, model.name)

    def before_call(self, model: Any, context: Any = None, **_: Any) -> None:
        # Here ``params`` is the serialised request, so AssumeRole's RoleArn was judged in
        # before-parameter-build, which leaves its approval in the shared request context.
        service, operation = model.service_model.service_name, model.name
        if is_read(service, operation):
            return
        approved = context.get(APPROVED) if isinstance(context, dict) else None
        if (service, operation) == ASSUME_ROLE and approved == ASSUME_ROLE:
            return
        self._refuse(service, operation, "not approved before the parameters were built")

    def install(self, events: Any) -> None:
        """Register on a botocore event emitter (a session's or a client's)."""
        # Unique IDs make a second install on the same emitter a no-op, not a double check.
        events.register("before-parameter-build", self.before_parameter_build,
                        unique_id=f"personalize-lint-guard-build-{id(self)}")
        events.register("before-call", self.before_call,
                        unique_id=f"personalize-lint-guard-call-{id(self)}")
