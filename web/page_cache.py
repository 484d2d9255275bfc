"""Pages built once per version of what they show, then served from memory.

A page's content changes only when a change it shows commits (see :mod:`storage.versions`):
it is built once per version, with its queries in one read, and kept as its blocks; only the
layout around them (the header naming the signed-in viewer) is rendered per request.

- :func:`public_page` (the ranking, a unit's public page, the methodology; the public version)
  also keeps the finished page for anonymous visitors, plain and gzip-compressed, with its
  ETag: a conditional GET that names it gets ``304 Not Modified``; browsers revalidate every
  time (``Cache-Control: no-cache``), so none keeps a page the server has replaced.
- :func:`viewer_page` (a unit's dashboard; the results version) keeps the blocks per viewer
  role: what the page body may depend on, nothing personal.

The cache holds at most ``THIDUA_PAGE_CACHE_MB`` (default 64) MB per worker, least recently
used pages leaving first. Exceptions (an unknown unit: 404) are never cached.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from markupsafe import Markup

from http_layer.auth import current_user
from http_layer.read_snapshot import OWN_SNAPSHOT, snapshot
from storage.cache import on_clear
from storage.versions import VersionWatch, expire_all, public_watch, results_watch
from web.templating import environment

GZIP_LEVEL = 6
GZIP_LEVEL_PER_REQUEST = 1  # a page compressed for one viewer: speed first (about 1/3 the time of 6)
HTML = "text/html; charset=utf-8"
# The compression middleware leaves handlers with this option to themselves: they send the
# gzip bytes they keep (see ``server.app``).
PRECOMPRESSED = "precompressed"
# Route option of a cached public page: it sends its own gzip bytes and takes its own read
# (a dashboard's page shares the read its session lookup opened: it is only PRECOMPRESSED).
PUBLIC_PAGE = {PRECOMPRESSED: True, OWN_SNAPSHOT: True}


_env = environment()


@dataclass(frozen=True)
class Viewer:
    """What a cached body may depend on: the viewer's role, nothing personal."""

    role: str


_locks: dict[Hashable, asyncio.Lock] = {}
# Pages built at once per worker: a burst of cold pages (a server's first minute, every
# dashboard after a new run) takes turns, so pages already built are served between them.
BUILDERS = 2
_turns: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}


def _lock(key: Hashable) -> asyncio.Lock:
    """The lock of one page: one request builds it, the others wait and then find it."""
    global _locks
    if len(_locks) > 4_000:
        _locks = {k: lock for k, lock in _locks.items() if lock.locked()}
    return _locks.setdefault(key, asyncio.Lock())


def _turn() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _turns:  # a semaphore belongs to one event loop (tests start several)
        _turns.clear()
        _turns[loop] = asyncio.Semaphore(BUILDERS)
    return _turns[loop]


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


@dataclass(frozen=True)
class CachedPage:
    blocks: dict[str, Markup]
    body: bytes = b""  # the finished anonymous page (public pages only)
    gzipped: bytes = b""
    etag: str = ""
    until: float = float("inf")  # time.time() after which the page says something untrue

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.blocks.values()) + len(self.body) + len(self.gzipped)


class PageCache:
    """Least recently used pages, at most ``limit`` bytes in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._pages: OrderedDict[Hashable, CachedPage] = OrderedDict()

    def get(self, key: Hashable) -> CachedPage | None:
        found = self._pages.get(key)
        if found is not None:
            self._pages.move_to_end(key)
        return found

    def put(self, key: Hashable, page: CachedPage) -> None:
        self.drop(key)
        if page.size > self.limit:
            return
        self._pages[key] = page
        self.used += page.size
        while self.used > self.limit:
            _, old = self._pages.popitem(last=False)
            self.used -= old.size

    def drop(self, key: Hashable) -> None:
        old = self._pages.pop(key, None)
        if old is not None:
            self.used -= old.size

    def clear(self) -> None:
        self._pages.clear()
        self.used = 0


LIMIT = int(float(os.environ.get("THIDUA_PAGE_CACHE_MB", "64")) * 1024 * 1024)
pages = PageCache(LIMIT)
# The pages of searches (any words a visitor types) have their own, smaller room: they can
# never push the ranking or the dashboards out.
searches = PageCache(LIMIT // 16)
on_clear(pages.clear)
on_clear(searches.clear)
# A page whose words change with the clock (an entry window opening or closing) gives, in
# this key of its context, the moment (a datetime) until which it may be kept.
VALID_UNTIL = "_valid_until"


def finished(blocks: dict[str, Markup], version: str, until: float) -> CachedPage:
    html = render_page(blocks).encode("utf-8")
    digest = hashlib.blake2b(html, digest_size=12).hexdigest()
    return CachedPage(blocks, html, gzip.compress(html, GZIP_LEVEL, mtime=0), f'"{version}-{digest}"',
                      until)


def accepts_gzip(request: Request[Any, Any, Any]) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0"):
            return True
    return False


def etag_matches(request: Request[Any, Any, Any], etag: str) -> bool:
    wanted = request.headers.get("if-none-match", "")
    return wanted.strip() == "*" or etag in (t.strip().removeprefix("W/") for t in wanted.split(","))


def _fresh(store: PageCache, key: Hashable) -> CachedPage | None:
    entry = store.get(key)
    if entry is not None and entry.until <= time.time():
        store.drop(key)
        return None
    return entry


async def cached(key: tuple[Hashable, ...], watch: VersionWatch, template: str,
                 build: Callable[[], Awaitable[dict[str, Any]]], viewer: Any,
                 finish: bool, store: PageCache = pages) -> CachedPage:
    """The page of ``key`` at the current version of ``watch``: built (once, however many ask
    at the same time) from what ``build`` reads, rendered for ``viewer``."""
    version = await watch.current()
    full = (watch.key, version, *key)
    entry = _fresh(store, full)
    if entry is None:
        async with _lock(full):
            entry = _fresh(store, full)
            if entry is None:
                async with _turn(), snapshot():
                    context = await build()
                    moment = context.pop(VALID_UNTIL, None)
                    until = moment.timestamp() if moment is not None else float("inf")
                    blocks = render_blocks(template, {**context, "user": viewer})
                    entry = finished(blocks, version, until) if finish else CachedPage(blocks, until=until)
                store.put(full, entry)
    return entry


async def public_page(
    request: Request[Any, Any, Any], key: tuple[Hashable, ...], template: str,
    build: Callable[[], Awaitable[dict[str, Any]]], store: PageCache = pages,
) -> Response[Any]:
    """A public page: the same for everyone but the header."""
    entry = await cached(key, public_watch, template, build, None, finish=True, store=store)
    if current_user(request) is not None:
        return personal(request, entry)
    zipped = accepts_gzip(request)
    etag = entry.etag[:-1] + '-gz"' if zipped else entry.etag  # one tag per representation
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding, Cookie"}
    if etag_matches(request, etag):
        return Response(content=b"", status_code=304, headers=headers)
    return send(entry.body, entry.gzipped if zipped else None, headers)


async def viewer_page(
    request: Request[Any, Any, Any], key: tuple[Hashable, ...], template: str,
    build: Callable[[], Awaitable[dict[str, Any]]], role: str,
) -> Response[Any]:
    """A page whose body depends on the results and on the viewer's role only."""
    entry = await cached((*key, role), results_watch, template, build, Viewer(role),
                         finish=False)
    return personal(request, entry)


def personal(request: Request[Any, Any, Any], entry: CachedPage) -> Response[bytes]:
    """The cached blocks in the layout whose header names the signed-in viewer."""
    html = render_page(entry.blocks, current_user(request)).encode("utf-8")
    return send(html, gzip.compress(html, GZIP_LEVEL_PER_REQUEST) if accepts_gzip(request) else None,
                {"Cache-Control": "private, no-cache", "Vary": "Accept-Encoding, Cookie"})


def send(body: bytes, gzipped: bytes | None, headers: dict[str, str]) -> Response[bytes]:
    if gzipped is not None:
        return Response(content=gzipped, media_type=HTML, headers={**headers, "Content-Encoding": "gzip"})
    return Response(content=body, media_type=HTML, headers=headers)


async def after_write(message: Any, scope: Any) -> None:
    """When this worker starts the answer to a write (committed by then), its next page reads
    the versions again: before the client has the answer, so before it can ask for a page."""
    if message.get("type") == "http.response.start" and scope.get("method") not in ("GET", "HEAD",
                                                                                      "OPTIONS"):
        expire_all()
