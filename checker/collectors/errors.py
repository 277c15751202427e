"""Failed reads, classified: what the audit reports as PL003 instead of a pass.

Every botocore failure of an allowed read becomes an :class:`ApiError` naming the API
(``service:Operation``), the error code and AWS's message. The kind tells absence
(``not-found``: a fact the rules use) from not knowing (everything else: fail closed).
"""

from __future__ import annotations

from typing import Any

DENIED = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
    "Forbidden", "AllAccessDisabled", "AccessDeniedForDependencyException",
})
# A region the account has not opted into answers with a credentials error.
NOT_ENABLED = frozenset({
    "UnrecognizedClientException", "InvalidClientTokenId", "OptInRequired", "AuthFailure",
    "SignatureDoesNotMatch", "InvalidSignatureException",
})
THROTTLED = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
})
NOT_FOUND = frozenset({
    "NoSuchEntity", "ResourceNotFoundException", "NoSuchBucket", "NotFoundException",
    "NoSuchBucketPolicy", "ServerSideEncryptionConfigurationNotFoundError",
    "AWSOrganizationsNotInUseException",
})
EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})


class ApiError(Exception):
    """One failed AWS read, with enough to say what could not be seen and why."""

    def __init__(self, service: str, operation: str, kind: str, code: str, message: str,
                 attempts: int | None = None) -> None:
        self.service = service
        self.operation = operation
        self.kind = kind
        self.code = code
        self.message = message.strip()
        self.attempts = attempts
        super().__init__(self.reason)

    @property
    def api(self) -> str:
        return f"{self.service}:{self.operation}"

    @property
    def reason(self) -> str:
        after = f" after {self.attempts} attempt(s)" if self.attempts else " after retries"
        verb = {
            "denied": "was denied",
            "throttled": f"was still throttled{after}",
            "not-enabled": "was refused (the region is not enabled for the account, or the "
                           "credentials are not valid there)",
            "unreachable": "could not reach the endpoint (region not enabled or not offered)",
            "timeout": f"timed out{after}",
            "server": f"failed with a server error{after}",
            "expired": "failed: the credentials expired",
            "not-found": "found nothing",
        }.get(self.kind, "failed")
        detail = f"{self.code}: {self.message}" if self.message else self.code
        return f"{self.api} {verb} ({detail})"


def _kind(code: str, status: int) -> str:
    if code in DENIED:
        return "denied"
    if code in NOT_ENABLED:
        return "not-enabled"
    if code in THROTTLED or status == 429:
        return "throttled"
    if code in NOT_FOUND:
        return "not-found"
    if code in EXPIRED:
        return "expired"
    if status == 403:
        return "denied"
    if status >= 500:
        return "server"
    return "other"


def classify(exc: BaseException, service: str, operation: str) -> ApiError | None:
    """An :class:`ApiError` for a botocore failure, or None for anything else (a bug)."""
    from botocore import exceptions as bce

    if isinstance(exc, bce.ClientError):
        response: dict[str, Any] = dict(exc.response)
        error = response.get("Error", {})
        meta = response.get("ResponseMetadata", {})
        code = str(error.get("Code") or "Unknown")
        status = int(meta.get("HTTPStatusCode") or 0)
        attempts = int(meta.get("RetryAttempts") or 0) + 1
        return ApiError(service, operation, _kind(code, status), code,
                        str(error.get("Message") or ""), attempts)
    if isinstance(exc, (bce.ConnectTimeoutError, bce.ReadTimeoutError)):
        return ApiError(service, operation, "timeout", type(exc).__name__, str(exc))
    if isinstance(exc, bce.EndpointConnectionError):
        return ApiError(service, operation, "unreachable", type(exc).__name__, str(exc))
    if isinstance(exc, (bce.ConnectionError, bce.HTTPClientError)):
        return ApiError(service, operation, "timeout", type(exc).__name__, str(exc))
    return None
