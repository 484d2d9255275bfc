"""Hostile and unusual files at the intake: a zip bomb, a million rows (declared or not), XML
entities, NUL bytes, a huge error list — each refused within seconds in bounded memory with one
Vietnamese sentence naming the limit; a valid .ods, .xls and an .xlsx without extension read."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from scoring.intake.sheets import SheetError, read_sheet

SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
        '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
        'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships"><sheets><sheet name="Nhập liệu" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
}


def workbook(path: Path, sheet_xml: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


def rows_xml(n: int, dimension: bool) -> str:
    row = '<row r="{0}"><c r="A{0}" t="inlineStr"><is><t>X</t></is></c><c r="B{0}"><v>1</v></c></row>'
    head = f'<dimension ref="A1:B{n}"/>' if dimension else ""
    return SHEET_START + head + "<sheetData>" + "".join(row.format(i) for i in range(1, n + 1)) + \
        "</sheetData></worksheet>"


def refused_quickly(path: Path, words: str, seconds: float = 20) -> None:
    start = time.monotonic()
    with pytest.raises(SheetError) as caught:
        read_sheet(path)
    assert words in str(caught.value), str(caught.value)
    assert time.monotonic() - start < seconds


def test_a_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = workbook(tmp_path / "bom.xlsx", SHEET_START + "<sheetData>" + " " * (400 * 1024 * 1024) +
                    "</sheetData></worksheet>")
    assert bomb.stat().st_size < 2 * 1024 * 1024
    refused_quickly(bomb, "vượt giới hạn 300 MB", seconds=5)


def test_a_million_rows_are_refused_declared_or_not(tmp_path: Path) -> None:
    declared = workbook(tmp_path / "trieu-dong.xlsx", rows_xml(1_048_575, dimension=True))
    refused_quickly(declared, "tệp có hơn 200.000 dòng, vượt giới hạn", seconds=5)
    hidden = workbook(tmp_path / "an-kich-thuoc.xlsx", rows_xml(250_000, dimension=False))
    refused_quickly(hidden, "tệp có hơn 200.000 dòng, vượt giới hạn")


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>',
])
def test_xml_entities_are_refused(tmp_path: Path, doctype: str) -> None:
    sheet = SHEET_START.replace("<worksheet", doctype + "<worksheet") + \
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
    refused_quickly(workbook(tmp_path / "thuc-the.xlsx", sheet), "khai báo thực thể XML")


def test_nul_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"ma_don_vi,gia_tri\n\x00\x00\x00,1\n")
    refused_quickly(path, "có byte NUL")


def test_an_xlsx_without_extension_and_an_ods_are_read(tmp_path: Path) -> None:
    plain = workbook(tmp_path / "so-lieu", SHEET_START + '<sheetData><row r="1"><c r="A1" t="inlineStr">'
                     '<is><t>Mã đơn vị</t></is></c><c r="B1"><v>85.5</v></c></row></sheetData></worksheet>')
    assert read_sheet(plain).rows == [(1, ["Mã đơn vị", 85.5])]
    soffice = shutil.which("soffice")
    assert soffice, "thiếu LibreOffice (soffice): make test cài gói libreoffice-calc-nogui"
    csv = tmp_path / "so-lieu.csv"
    csv.write_text("Mã đơn vị,Tỷ lệ\n02200,85.5\n", encoding="utf-8")
    for target, ext in (("ods", "ods"), ("xls:MS Excel 97", "xls")):
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                        "--infilter=CSV:44,34,76", "--convert-to", target, "--outdir", str(tmp_path / ext),
                        str(csv)], check=True, capture_output=True, timeout=120)
        converted = tmp_path / ext / f"so-lieu.{ext}"
        renamed = converted.rename(tmp_path / ext / "khong-duoi")  # the content decides, not the name
        rows = read_sheet(renamed).rows
        assert rows[0] == (1, ["Mã đơn vị", "Tỷ lệ"]) and rows[1][1][1] == 85.5, rows


def test_reading_a_bomb_stays_in_bounded_memory(tmp_path: Path) -> None:
    """In a process of its own, so its peak memory (VmHWM: ru_maxrss would carry the parent's
    over exec) is the reading's alone."""
    bomb = workbook(tmp_path / "bom.xlsx", rows_xml(300_000, dimension=False))
    code = ("import json, sys\nfrom scoring.intake.sheets import SheetError, read_sheet\n"
            "try:\n    read_sheet(sys.argv[1])\nexcept SheetError as e:\n    message = str(e)\n"
            "peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
            "print(json.dumps({'peak_mib': int(peak.split()[1]) / 1024, 'message': message}))")
    done = subprocess.run([sys.executable, "-c", code, str(bomb)], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[3])
    found = json.loads(done.stdout)
    assert "vượt giới hạn" in found["message"]
    assert found["peak_mib"] < 1024, found
