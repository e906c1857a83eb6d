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

    def as_dict(self) -> dict[str, object]:
        """Return the error as a JSON-ready mapping (code, detail, status)."""
        return {"code": self.code, "detail": self.detail, "status": self.status}


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


class Conflict(ApplicationError):
    """The request clashes with existing state (for example a duplicate slug)."""

    code = "conflict"
    status = 409


class RateLimited(ApplicationError):
    """Too many requests in too short a time; `retry_after` says how many seconds to wait."""

    code = "rate_limited"
    status = 429

    def __init__(self, detail: str, *, retry_after: int | None = None, **kwargs) -> None:
        super().__init__(detail, **kwargs)
        self.retry_after = retry_after
