"""Domain errors. Services raise these; `functions/web.py` maps them to HTTP in one place."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, code: str | None = None, field: str | None = None, retry_after: int | None = None
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        # Seconds the caller should wait (429, 503): sent as the Retry-After header.
        self.retry_after = retry_after


class BadInput(DomainError):
    status = 400
    code = "invalid_input"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Gone(DomainError):
    status = 410
    code = "gone"


class Locked(DomainError):
    status = 423
    code = "account_locked"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


class TemporarilyUnavailable(DomainError):
    status = 503
    code = "temporarily_unavailable"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
