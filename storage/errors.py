"""Errors a service raises for the user to read: a stable code and a Vietnamese message.

The domain knows nothing of HTTP: ``http_layer.errors.status_of`` maps each code to a status.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A refusal with a stable ``code``, a Vietnamese ``message`` and optional ``details``."""

    def __init__(self, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
