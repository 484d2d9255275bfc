"""Accounts, login sessions and API tokens. Secrets are stored only as hashes."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

ROLES = ("admin", "unit", "council")


class Account(Table, tablename="account"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    username = Varchar(length=80, unique=True)
    full_name = Text()
    password_hash = Text()
    role = Varchar(length=20)
    unit_code = Varchar(length=40, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()
    must_change_password = Boolean(default=False)  # set by a password reset: change it at next login


class LoginSession(Table, tablename="login_session"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    token_hash = Varchar(length=64, unique=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    csrf_token = Varchar(length=64)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class ApiToken(Table, tablename="api_token"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    token_hash = Varchar(length=64, unique=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    name = Varchar(length=80)
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)  # None only for tokens made before expiry existed
