"""STS: who the audit runs as (account, partition)."""

from __future__ import annotations

from dataclasses import dataclass

from .session import AuditSession


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str
    partition: str


def caller_identity(session: AuditSession) -> Identity:
    """Raises ApiError when the credentials do not work."""
    found = session.call("sts", None, "GetCallerIdentity")
    arn = str(found["Arn"])
    partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
    return Identity(str(found["Account"]), arn, partition)
