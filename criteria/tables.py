"""Stored plan versions: a new version never overwrites an old one (sha256 is unique)."""

from __future__ import annotations

from piccolo.columns import Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class PlanVersion(Table, tablename="plan_version"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    plan_id = Varchar(length=120, index=True)
    version = Varchar(length=40)
    title = Text()
    sha256 = Varchar(length=64, unique=True)
    canonical_json = Text()
    source_toml = Text()
    created_at = Timestamptz()
    created_by = Varchar(length=80, null=True, default=None)
