"""Descriptions of schema fields, as the OpenAPI document shows them (in Vietnamese)."""

from __future__ import annotations

import msgspec


def doc(text: str) -> msgspec.Meta:
    """``Annotated[T, doc("…")]``: the field's description in /schema/openapi.json."""
    return msgspec.Meta(description=text)
