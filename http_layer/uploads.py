"""Uploaded files saved to a temporary folder under their own names, for the file services."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar.datastructures import UploadFile

from storage.errors import ServiceError


@dataclass
class FileUpload:
    """A multipart form with one or more files under ``files``."""

    files: list[UploadFile] = field(default_factory=list)


def chosen_files(files: Sequence[Any]) -> list[UploadFile]:
    """The files a form really carries (a browser sends an empty, nameless part for no file)."""
    return [f for f in files if isinstance(f, UploadFile) and f.filename]


@asynccontextmanager
async def saved_uploads(files: Sequence[Any], what: str = "số liệu") -> AsyncIterator[list[Path]]:
    """The uploads as files (one sub-folder each, so equal names do not clash), removed afterwards.

    Every upload of the app, page or API, goes through here.
    """
    uploads = chosen_files(files)
    if not uploads:
        raise ServiceError("invalid_input", f"Chưa chọn tệp {what} nào (trường «files»).")
    with tempfile.TemporaryDirectory(prefix="thidua-import-") as folder:
        paths = []
        for n, upload in enumerate(uploads):
            name = Path(upload.filename or f"tep-{n + 1}.csv").name
            path = Path(folder) / f"{n:02d}" / name
            path.parent.mkdir()
            path.write_bytes(await upload.read())
            paths.append(path)
        yield paths
