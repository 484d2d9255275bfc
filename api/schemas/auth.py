"""Log in and out, who am I, personal API tokens, the account list: bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from accounts.service import CurrentUser

# --- requests ------------------------------------------------------------------------------------


class LoginRequest(msgspec.Struct):
    username: str
    password: str


class TokenCreate(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    days: Annotated[int, msgspec.Meta(ge=1, le=365, description="Thời hạn (ngày), mặc định 90")] = 90


# --- responses -----------------------------------------------------------------------------------


class UserOut(msgspec.Struct):
    id: int
    username: str
    full_name: str
    role: str
    unit_code: str | None
    via: str

    @classmethod
    def of(cls, user: CurrentUser) -> UserOut:
        return cls(id=user.id, username=user.username, full_name=user.full_name, role=user.role,
                   unit_code=user.unit_code, via=user.via)


class LoginResponse(msgspec.Struct):
    user: UserOut
    csrf_token: str


class MeResponse(msgspec.Struct):
    user: UserOut
    csrf_token: str | None = None  # cookie sessions: send it back in X-CSRF-Token


class TokenCreated(msgspec.Struct):
    name: str
    token: str  # shown once; only its digest is kept
    expires_at: datetime


class TokenOut(msgspec.Struct):
    """An API token as listed: never the token itself."""

    id: int
    name: str
    username: str
    created_at: datetime
    expires_at: datetime | None
    expired: bool


class AccountOut(msgspec.Struct):
    id: int
    username: str
    full_name: str
    role: str
    unit_code: str | None
    active: bool
    created_at: datetime
