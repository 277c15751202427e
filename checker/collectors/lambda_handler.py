"""AWS Lambda entry point: audit on a schedule and write SARIF and JSON reports to S3.

Handler: ``personalize_lint.collectors.lambda_handler.handler``. Configuration comes from
environment variables (an EventBridge schedule passes no useful event):

=================================  ===========================================================
``PERSONALIZE_LINT_REPORT_S3_URI``  required: ``s3://bucket/prefix/``; each run writes
                                   ``<prefix><run time>/personalize-lint.sarif`` and ``.json``
``PERSONALIZE_LINT_REGIONS``        comma-separated regions (default: the function's region)
``PERSONALIZE_LINT_ALL_REGIONS``    ``1``: every region where Personalize is offered
``PERSONALIZE_LINT_ROLE_ARNS``      comma-separated roles to assume (one per account)
``PERSONALIZE_LINT_ORG_ROLE``       role name to assume in every account of the organisation
``PERSONALIZE_LINT_EXTERNAL_ID``    external ID for the assumed roles
``PERSONALIZE_LINT_IGNORE``         comma-separated rule IDs or prefixes to skip
``PERSONALIZE_LINT_FAIL_ON``        level counted as failing in the result (default warning)
``PERSONALIZE_LINT_MAX_WORKERS``    worker threads (default 8)
=================================  ===========================================================

The audit itself runs through the read-only guard. Writing the two reports is the one
write, done with a separate, unguarded client: the function's role needs the auditor
policy plus ``s3:PutObject`` on the report prefix.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import UsageError

PREFIX = "PERSONALIZE_LINT_"


def _list(name: str) -> list[str]:
    return [v.strip() for v in os.environ.get(PREFIX + name, "").split(",") if v.strip()]


def _destination() -> tuple[str, str]:
    uri = os.environ.get(PREFIX + "REPORT_S3_URI", "")
    if not uri.startswith("s3://") or len(uri) <= 5:
        raise UsageError(f"{PREFIX}REPORT_S3_URI must be s3://bucket/prefix/, not {uri!r}")
    bucket, _, prefix = uri[5:].partition("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return bucket, prefix


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Run one audit; return the exit code, the counts and where the reports went."""
    import boto3

    from ..config import Config
    from ..engine import CheckOptions, run_inventory
    from ..inventory import Inventory
    from ..plugins import make_plugin_manager
    from ..reporters.json_report import JsonReporter
    from ..reporters.sarif import SarifReporter
    from .assemble import inventory_parts
    from .audit import AuditOptions, run_audit

    bucket, prefix = _destination()
    started = datetime.now(timezone.utc)
    regions = _list("REGIONS") or [r for r in [os.environ.get("AWS_REGION")] if r]
    result = run_audit(AuditOptions(
        regions=regions,
        all_regions=os.environ.get(PREFIX + "ALL_REGIONS", "") in ("1", "true", "yes"),
        role_arns=_list("ROLE_ARNS"),
        org_role=os.environ.get(PREFIX + "ORG_ROLE") or None,
        external_id=os.environ.get(PREFIX + "EXTERNAL_ID") or None,
        max_workers=int(os.environ.get(PREFIX + "MAX_WORKERS", "8")),
    ))
    setups, problems = inventory_parts(result.body)
    fail_on = os.environ.get(PREFIX + "FAIL_ON", "warning")
    report = run_inventory(
        Inventory(setups=setups, problems=problems), Config(path=None, root=Path.cwd()),
        make_plugin_manager(), CheckOptions(fail_on=fail_on, ignore=_list("IGNORE")),
        started=started, command="audit")
    run_id = started.strftime("%Y-%m-%dT%H%M%SZ")
    s3 = boto3.client("s3")  # not the audit session: this is the function's own write
    keys = {}
    for name, reporter, content_type in (
        ("sarif", SarifReporter(), "application/sarif+json"),
        ("json", JsonReporter(), "application/json"),
    ):
        key = f"{prefix}{run_id}/personalize-lint.{name}"
        s3.put_object(Bucket=bucket, Key=key, Body=reporter.render(report).encode("utf-8"),
                      ContentType=content_type)
        keys[name] = f"s3://{bucket}/{key}"
    return {
        "exitCode": report.exit_code,
        "findings": len(report.active),
        "setups": len(setups),
        "apiCalls": result.api_calls,
        "reports": keys,
    }
