"""The public pages (ranking, a unit's public page, methodology) served from memory.

What a visitor sees changes only when a public change commits (see
:mod:`storage.public_version`); a page is built once per version, with its queries in one read,
and kept as its blocks (for signed-in viewers, whose header names them) and as the finished
page for anonymous visitors, plain and gzip-compressed, with its ETag. A conditional GET that
names the ETag gets ``304 Not Modified``. Visitors' browsers revalidate every time
(``Cache-Control: no-cache``), so no browser keeps a page the server has replaced.

The cache holds at most ``THIDUA_PUBLIC_CACHE_MB`` (default 64) MB per worker, least recently
used pages leaving first. Exceptions (an unknown unit: 404) are never cached.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from markupsafe import Markup

from http_layer.auth import current_user
from http_layer.read_snapshot import OWN_SNAPSHOT, snapshot
from storage.cache import on_clear
from storage.public_version import watch
from web import fragments

GZIP_LEVEL = 6
HTML = "text/html; charset=utf-8"
# The compression middleware leaves handlers with this option to themselves: they send the
# gzip bytes they keep (see ``server.app``).
PRECOMPRESSED = "precompressed"
# Route option of a cached public page: it sends its own gzip bytes and takes its own read.
PUBLIC_PAGE = {PRECOMPRESSED: True, OWN_SNAPSHOT: True}


@dataclass(frozen=True)
class CachedPage:
    blocks: dict[str, Markup]
    body: bytes
    gzipped: bytes
    etag: str

    @property
    def size(self) -> int:
        return len(self.body) * 2 + len(self.gzipped)  # the blocks hold about the body again


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


pages = PageCache(int(float(os.environ.get("THIDUA_PUBLIC_CACHE_MB", "64")) * 1024 * 1024))
on_clear(pages.clear)


def finished(blocks: dict[str, Markup], version: str) -> CachedPage:
    html = fragments.render_page(blocks).encode("utf-8")
    digest = hashlib.blake2b(html, digest_size=12).hexdigest()
    return CachedPage(blocks, html, gzip.compress(html, GZIP_LEVEL, mtime=0), f'"{version}-{digest}"')


def accepts_gzip(request: Request[Any, Any, Any]) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0"):
            return True
    return False


def etag_matches(request: Request[Any, Any, Any], etag: str) -> bool:
    wanted = request.headers.get("if-none-match", "")
    return wanted.strip() == "*" or etag in (t.strip().removeprefix("W/") for t in wanted.split(","))


async def public_page(
    request: Request[Any, Any, Any], key: tuple[Hashable, ...], template: str,
    build: Callable[[], Awaitable[dict[str, Any]]],
) -> Response[Any]:
    """The page ``template`` renders from what ``build`` reads, from the cache when it can."""
    version = await watch.current()
    full = (version, *key)
    entry = pages.get(full)
    if entry is None:
        async with fragments.building(full):  # one build per page; the others wait for it
            entry = pages.get(full)
            if entry is None:
                async with snapshot():
                    context = await build()
                blocks = fragments.render_blocks(template, {**context, "user": None})
                entry = finished(blocks, version)
                pages.put(full, entry)
    user = current_user(request)
    if user is not None:  # the header names the viewer: only the blocks are shared
        html = fragments.render_page(entry.blocks, user).encode("utf-8")
        return send(html, gzip.compress(html, GZIP_LEVEL) if accepts_gzip(request) else None,
                    {"Cache-Control": "private, no-cache", "Vary": "Accept-Encoding, Cookie"})
    headers = {"ETag": entry.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding, Cookie"}
    if etag_matches(request, entry.etag):
        return Response(content=b"", status_code=304, headers=headers)
    return send(entry.body, entry.gzipped if accepts_gzip(request) else None, headers)


def send(body: bytes, gzipped: bytes | None, headers: dict[str, str]) -> Response[bytes]:
    if gzipped is not None:
        return Response(content=gzipped, media_type=HTML, headers={**headers, "Content-Encoding": "gzip"})
    return Response(content=body, media_type=HTML, headers=headers)


async def after_write(request: Request[Any, Any, Any]) -> None:
    """After this worker answered a write, its next public page reads the version again."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        watch.expire()
