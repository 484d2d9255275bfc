"""Log in and out, who am I, personal API tokens, the account list: bodies."""

from __future__ import annotations

from datetime import datetime

import msgspec

from accounts.service import CurrentUser

# --- requests ------------------------------------------------------------------------------------


class LoginRequest(msgspec.Struct):
    username: str
    password: str


class TokenCreate(msgspec.Struct):
    name: str


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


class AccountOut(msgspec.Struct):
    id: int
    username: str
    full_name: str
    role: str
    unit_code: str | None
    active: bool
    created_at: datetime
