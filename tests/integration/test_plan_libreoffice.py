"""A plan workbook saved by LibreOffice Calc, as a Department's specialist would after editing
it: unchanged, it is the same plan (same sha256); edited (a criterion added, points moved, a
row deleted), it reads as the person meant. LibreOffice runs headless (apt package
libreoffice-calc-nogui, installed by `make test`)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import openpyxl

from criteria.loader import load_plan
from criteria.shipped import PLAN_2025
from criteria.workbook_read import read_plan_workbook
from criteria.workbook_write import plan_workbook


def through_libreoffice(data: bytes, folder: Path) -> bytes:
    soffice = shutil.which("soffice")
    assert soffice, "thiếu LibreOffice (soffice): make test cài gói libreoffice-calc-nogui"
    source = folder / "ke-hoach.xlsx"
    source.write_bytes(data)
    out = folder / "luu-lai"
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/lo-profile", "--headless", "--calc",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=120)
    return (out / "ke-hoach.xlsx").read_bytes()


def test_a_workbook_saved_by_libreoffice_is_the_same_plan(tmp_path: Path) -> None:
    plan = load_plan(PLAN_2025)
    saved = through_libreoffice(plan_workbook(plan), tmp_path)
    assert saved != plan_workbook(plan), "LibreOffice ghi lại tệp theo cách của nó"
    assert read_plan_workbook(saved).sha256 == plan.sha256


def test_a_workbook_edited_then_saved_by_libreoffice_reads_as_meant(tmp_path: Path) -> None:
    plan = load_plan(PLAN_2025)
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan)))
    ws = book["Tiêu chí commune"]
    crits = plan.criteria_of("commune")
    rows = {ws.cell(row=r, column=2).value: r for r in range(1, ws.max_row + 1)}
    gone = crits[-1]
    ws.delete_rows(rows[gone.id])  # a row deleted …
    moved = crits[0].max_points + gone.max_points - 2
    ws.cell(row=rows[crits[0].id], column=14, value=moved)  # … its points moved
    ws.insert_rows(rows[crits[0].id] + 1)  # … and a criterion added, scored directly in points
    for column, value in {2: "xa.tu-cham", 3: "Công tác chỉ đạo, điều hành", 4: "xa_tu_cham",
                          7: "Càng cao càng tốt", 8: "Chấm trực tiếp bằng điểm", 13: "0; 1; 2",
                          14: 2, 16: "Không", 18: "Tính 0 điểm", 19: "Kế hoạch của Sở"}.items():
        ws.cell(row=rows[crits[0].id] + 1, column=column, value=value)
    book["Chỉ số"].append(["xa_tu_cham", "commune", "Điểm tự chấm công tác chỉ đạo", "Điểm tự chấm", "điểm"])
    out = io.BytesIO()
    book.save(out)
    edited = read_plan_workbook(through_libreoffice(out.getvalue(), tmp_path))
    ids = [c.id for c in edited.criteria_of("commune")]
    assert gone.id not in ids and ids[:2] == [crits[0].id, "xa.tu-cham"]
    first = next(c for c in edited.criteria if c.id == crits[0].id)
    assert first.max_points == crits[0].max_points + gone.max_points - 2
    added = next(c for c in edited.criteria if c.id == "xa.tu-cham")
    assert (added.method, added.scale, added.max_points) == ("points", (0.0, 1.0, 2.0), 2.0)
