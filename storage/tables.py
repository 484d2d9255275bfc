"""Tables every domain shares: the audit log and a small key-value store.

They are defined here, below the domains, and registered with the ``scoring`` Piccolo app
(``scoring/piccolo_app.py``), whose migrations have always created them.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    """Append-only; each entry's hash covers its content and the previous entry's hash."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    seq = BigInt(unique=True)
    at = Timestamptz()
    actor = Varchar(length=80)
    action = Varchar(length=80, index=True)
    entity = Varchar(length=80)
    entity_id = Varchar(length=200)
    unit_code = Varchar(length=40, null=True, default=None, index=True)
    before = Text(default="")
    after = Text(default="")
    prev_hash = Varchar(length=64)
    entry_hash = Varchar(length=64)


class KeyValue(Table, tablename="key_value"):
    """Small shared store for rate limits across server workers."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=200, unique=True)
    value = Text()
    expires_at = Timestamptz(null=True, default=None)
