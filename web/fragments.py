"""Render the blocks of a page once and reuse them: a short-lived cache of page bodies.

A unit's dashboard is built from a run's stored results, which never change; what can change
(a new run, a publication) shows within ``THIDUA_CACHE_SECONDS`` (default 5). The body is
the same for every viewer of one role, so it is cached per (page, role) and only the layout
around it (the header with the viewer's name) is rendered per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from storage.cache import TTLCache, default_ttl
from web.templating import environment

_env = environment()
bodies: TTLCache[tuple[Any, ...], dict[str, Markup]] = TTLCache(maxsize=2_000, ttl=default_ttl(), spread=0.5)


@dataclass(frozen=True)
class Viewer:
    """What a cached body may depend on: the viewer's role, nothing personal."""

    role: str


_locks: dict[tuple[Any, ...], asyncio.Lock] = {}


@asynccontextmanager
async def building(key: tuple[Any, ...]) -> AsyncIterator[None]:
    """Let one request build a missing body while the others for the same key wait."""
    lock = _locks.setdefault(key, asyncio.Lock())
    async with lock:
        yield
    if not lock.locked() and len(_locks) > 4_000:
        _locks.clear()


def render_blocks(
    name: str, context: Mapping[str, Any], blocks: Sequence[str] = ("title", "head", "content", "scripts")
) -> dict[str, Markup]:
    """The blocks ``name`` defines (of ``blocks``), rendered; the layout's own stand for the others."""
    template = _env.get_template(name)
    ctx = template.new_context(dict(context))
    return {block: Markup("".join(template.blocks[block](ctx)))
            for block in blocks if block in template.blocks}


def render_page(parts: Mapping[str, Markup], user: Any = None) -> str:
    """The layout around cached blocks: the whole page, its header naming ``user`` (if any)."""
    return _env.get_template("cached_page.html").render(parts=parts, user=user)
