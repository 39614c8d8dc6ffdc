"""Domain errors: a stable machine-readable code, an HTTP status and structured detail.

Services raise these; `config.error_handlers` turns them (and every other error) into the
API's error contract. This module imports nothing from DRF, so any layer may raise them.
"""

from __future__ import annotations

from typing import Any, ClassVar

MESSAGE_INVALID = "The request is not valid."
MESSAGE_NOT_FOUND = "Not found."
MESSAGE_UNAVAILABLE = "A backing service is unavailable; try again shortly."


class ApplicationError(Exception):
    """Base of every domain error: a stable code, an HTTP status and structured detail."""

    code: ClassVar[str] = "application_error"
    status: ClassVar[int] = 400
    default_message: ClassVar[str] = "The request cannot be completed."

    def __init__(self, message: str | None = None, *, detail: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.detail = detail or {}
        super().__init__(self.message)


class NotFoundError(ApplicationError):
    code = "not_found"
    status = 404
    default_message = MESSAGE_NOT_FOUND


class ForbiddenError(ApplicationError):
    code = "permission_denied"
    status = 403
    default_message = "You do not have permission to perform this action."


class ConflictError(ApplicationError):
    code = "conflict"
    status = 409
    default_message = "The request conflicts with the current state."


class InvalidInputError(ApplicationError):
    code = "invalid"
    status = 400
    default_message = MESSAGE_INVALID


class ServiceUnavailableError(ApplicationError):
    """A backing service (database, broker, cache) does not answer: retry later (503)."""

    code = "service_unavailable"
    status = 503
    default_message = MESSAGE_UNAVAILABLE
