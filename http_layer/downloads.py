"""Stored files sent to the browser, with their sha256 in a header."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Response

from presentation.text import without_diacritics


def file_download(content: bytes, name: str, sha256: str, media_type: str | None = None,
                  inline: bool = False) -> Response[bytes]:
    """``content`` as ``name``: an attachment (or shown in the browser with ``inline``), its type
    given or read from the name (a PDF, a zip); the name in ASCII and, exactly, as UTF-8 (RFC 6266)."""
    media = media_type or ("application/zip" if name.endswith(".zip") else "application/pdf")
    plain = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_"
                    for ch in without_diacritics(name))
    disposition = f"{'inline' if inline else 'attachment'}; filename=\"{plain}\""
    if plain != name:
        disposition += f"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(content=content, media_type=media, headers={
        "Content-Disposition": disposition, "X-Content-SHA256": sha256, "Cache-Control": "private, no-store"})
