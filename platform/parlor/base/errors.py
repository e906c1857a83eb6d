"""Parlor's one error family: every refusal carries a machine code, one line and an HTTP status."""

from __future__ import annotations


class ApplicationError(Exception):
    """Base of every error Parlor reports to a client; `detail` must never name a secret."""

    code = "error"
    status = 400

    def __init__(self, detail: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class ValidationFailed(ApplicationError):
    """Input that is malformed or out of range."""

    code = "invalid"
    status = 400


class NotAuthenticated(ApplicationError):
    """Missing, invalid or expired credentials."""

    code = "unauthenticated"
    status = 401


class PermissionDenied(ApplicationError):
    """Valid credentials that do not allow this action."""

    code = "forbidden"
    status = 403


class NotFound(ApplicationError):
    """The thing asked for does not exist (or is not visible to the caller)."""

    code = "not_found"
    status = 404


class MethodNotAllowed(ApplicationError):
    """An HTTP method the endpoint does not serve."""

    code = "method_not_allowed"
    status = 405


class Conflict(ApplicationError):
    """The request clashes with existing state (for example a duplicate slug)."""

    code = "conflict"
    status = 409


class PayloadTooLarge(ApplicationError):
    """A request body over the size limit."""

    code = "payload_too_large"
    status = 413


class UnsupportedMediaType(ApplicationError):
    """A request body in a format the endpoint does not read (the API reads only JSON)."""

    code = "unsupported_media_type"
    status = 415


class RateLimited(ApplicationError):
    """Too many requests in too short a time; `retry_after` says how many seconds to wait."""

    code = "rate_limited"
    status = 429

    def __init__(self, detail: str, *, retry_after: int | None = None, **kwargs) -> None:
        super().__init__(detail, **kwargs)
        self.retry_after = retry_after


class QuotaExceeded(ApplicationError):
    """An action over the tenant's plan quota (tenants.quotas); `quota` names which one."""

    code = "quota_exceeded"
    status = 429

    def __init__(
        self, detail: str, *, quota: str, retry_after: int | None = None, **kwargs
    ) -> None:
        super().__init__(detail, **kwargs)
        self.quota = quota
        self.retry_after = retry_after


class TenantSuspended(PermissionDenied):
    """The platform operator has suspended the tenant: nothing of it is served until resumed."""

    code = "tenant_suspended"
    status = 403
