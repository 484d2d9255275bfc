"""Errors a service raises for the user to read: a stable code and a Vietnamese message."""

from __future__ import annotations

from typing import Any

# code → HTTP status the API answers with
STATUS = {
    "invalid_input": 400,
    "import_invalid": 400,
    "invalid_value": 400,
    "plan_invalid": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "period_locked": 409,
    "entry_window_closed": 409,
    "already_published": 409,
    "conflict": 409,
    "disputes_open": 409,
    "reply_window_closed": 409,
    "not_shared": 409,
    "dispute_closed": 409,
    "rate_limited": 429,
}


class ServiceError(Exception):
    """A refusal with a stable ``code``, a Vietnamese ``message`` and optional ``details``."""

    def __init__(self, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    @property
    def http_status(self) -> int:
        return STATUS.get(self.code, 400)
