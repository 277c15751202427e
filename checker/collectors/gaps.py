"""What an audit could not read, as plain JSON, and the JSON form of AWS responses.

A gap becomes a ``MissingInput`` of the set-ups that needed it, hence a PL003 finding that
names the input, the checks it feeds and the API error. Gaps are data (not exceptions) so a
saved inventory replays them exactly.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from .errors import ApiError


def plain(value: Any) -> Any:
    """An AWS response as JSON data: datetimes as ISO 8601 (UTC), no ResponseMetadata."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return aware.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def gap(what: str, error: ApiError, arn: str | None, pointer: str = "",
        region: str | None = None) -> dict[str, Any]:
    """One unreadable input: ``what`` names it and the checks it feeds."""
    return {"what": what, "reason": error.reason, "api": error.api, "code": error.code,
            "arn": arn, "pointer": pointer, "region": region}
