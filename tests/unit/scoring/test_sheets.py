"""Files that are not what they claim: a clear Vietnamese refusal, never a crash."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from scoring.intake.sheets import SheetError, read_sheet


@pytest.mark.parametrize("name", ["so-lieu.zip", "so-lieu.xlsx", "so-lieu"])
def test_a_zip_that_is_not_a_workbook_is_refused_in_vietnamese(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:  # starts with PK like an .xlsx, holds no workbook
        archive.writestr("a.txt", "a")
    with pytest.raises(SheetError, match=r"tệp Excel bị hỏng hoặc không đúng định dạng"):
        read_sheet(path)
