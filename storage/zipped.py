"""The check every reader of a zipped office file (.xlsx, .ods) makes before unpacking it: the
sizes its parts declare, in all and against their compressed size, so that a small hostile
file ("zip bomb") is refused in milliseconds without unpacking anything. The sizes a part
declares are also what ``zipfile`` enforces while unpacking it (a part that unpacks to more
than it declared is an error), so the check holds for what is read afterwards."""

from __future__ import annotations

import io
import zipfile

MB = 1024 * 1024


def check_zip(data: bytes, max_unpacked: int, max_ratio: int = 200) -> zipfile.ZipFile:
    """The archive, open, if its parts unpack to at most ``max_unpacked`` bytes and to at most
    ``max_ratio`` times their compressed size; ``ValueError`` (in Vietnamese) otherwise, and
    ``zipfile.BadZipFile`` when it is not a zip archive."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    items = archive.infolist()
    unpacked = sum(i.file_size for i in items)
    packed = sum(i.compress_size for i in items) or 1
    if unpacked > max_unpacked or unpacked > packed * max_ratio:
        archive.close()
        raise ValueError(f"tệp giải nén ra {unpacked // MB} MB, vượt giới hạn {max_unpacked // MB} MB "
                         "(hoặc tỷ lệ nén bất thường); không đọc tệp này")
    return archive
