"""Run an audit in-process against the local endpoints and check its findings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSResponse

from personalize_lint.collectors.assemble import inventory_parts
from personalize_lint.collectors.audit import AuditOptions, AuditResult, run_audit
from personalize_lint.collectors.guard import ReadOnlyGuard
from personalize_lint.collectors.session import AuditSession, CallCounter, Settings
from personalize_lint.config import Config
from personalize_lint.engine import CheckOptions, run_inventory
from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory
from personalize_lint.plugins import make_plugin_manager
from personalize_lint.reporters.base import Report

# Short timeouts and few attempts keep the fault tests fast; the defaults are 5 s / 30 s / 5.
FAST = Settings(connect_timeout=2, read_timeout=2, max_attempts=2)


def audit(regions: tuple[str, ...] = ("us-east-1",), *, settings: Settings = FAST,
          **options: object) -> AuditResult:
    return run_audit(AuditOptions(regions=list(regions), settings=settings,
                                  **options))  # type: ignore[arg-type]


def report_of(result: AuditResult, *, fail_on: str = "warning",
              ignore: tuple[str, ...] = ("PL409",)) -> Report:
    setups, problems = inventory_parts(result.body)
    return run_inventory(Inventory(setups=setups, problems=problems),
                         Config(path=None, root=Path.cwd()),
                         make_plugin_manager(autoload=False),
                         CheckOptions(fail_on=fail_on, ignore=list(ignore)), command="audit")


def ids(findings: list[Finding], setup: str | None = None) -> list[str]:
    return sorted(f.rule_id for f in findings if setup is None or f.setup == setup)


def show(report: Report) -> str:
    return "\n".join(f"{f.rule_id} {f.setup}: {f.message}" for f in report.active)


class _Raw:
    """Just enough of urllib3's response for botocore to read a canned body."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, *args: object, **kwargs: object) -> Iterator[bytes]:
        yield self.body


# The error bodies of the query (IAM, STS), REST-XML (S3) and JSON (KMS, Organizations)
# protocols, as AWS sends them.
QUERY_ERROR = ("<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}"
               "</Message></Error><RequestId>injected</RequestId></ErrorResponse>")
REST_XML_ERROR = "<Error><Code>{code}</Code><Message>{message}</Message></Error>"
JSON_ERROR = '{{"__type": "{code}", "message": "{message}"}}'
TEMPLATES = {"s3": REST_XML_ERROR, "kms": JSON_ERROR, "organizations": JSON_ERROR,
             "personalize": JSON_ERROR}


def session_with_errors(errors: dict[str, tuple[int, str, str]],
                        settings: Settings = FAST, **guard: Any) -> AuditSession:
    """A guarded audit session whose calls of ``service:Operation`` get the canned HTTP error
    (status, code, message) instead of reaching moto: botocore parses it as from AWS."""
    session = AuditSession.create(None, settings, ReadOnlyGuard(**guard), CallCounter())
    for name, (status, code, message) in errors.items():
        service, operation = name.split(":")
        template = TEMPLATES.get(service, QUERY_ERROR)
        body = template.format(code=code, message=message).encode()

        def answer(request: Any, _body: bytes = body, _status: int = status,
                   **_: Any) -> AWSResponse:
            return AWSResponse(request.url, _status, {}, _Raw(_body))

        session.boto.events.register(f"before-send.{service}.{operation}", answer)
    return session


def audit_with(session: AuditSession, regions: tuple[str, ...] = ("us-east-1",),
               **options: Any) -> AuditResult:
    return run_audit(AuditOptions(regions=list(regions), **options), session=session)
