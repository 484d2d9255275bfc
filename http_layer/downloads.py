"""Stored files sent to the browser as attachments, with their sha256 in a header."""

from __future__ import annotations

from litestar import Response


def file_download(content: bytes, name: str, sha256: str) -> Response[bytes]:
    media = "application/zip" if name.endswith(".zip") else "application/pdf"
    return Response(content=content, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Content-SHA256": sha256,
        "Cache-Control": "private, no-store"})
