"""The dossier PDFs, read back with poppler (pdftotext, pdffonts, pdfinfo) as a reader would."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from demo.dossier_sample import sample_context
from nominations.dossier import (
    DossierFile,
    normalize_context,
    render_set,
    render_set_async,
    shutdown_pool,
    zip_set,
)
from nominations.dossier.render import date_line
from presentation.numbers import number_text

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DATE_LINE = "Tuyên Quang, ngày 05 tháng 12 năm 2025"
VOTE_ROW = re.compile(r"^\s*(\d+)\s+(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d,]+)\s+(Đạt|Không)")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@pytest.fixture(scope="module")
def ctx() -> dict[str, Any]:
    return dict(sample_context(12))


@pytest.fixture(scope="module")
def files(ctx: dict[str, Any]) -> list[DossierFile]:
    return render_set(ctx)


@pytest.fixture(scope="module")
def folder(files: list[DossierFile]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            (Path(tmp) / f.name).write_bytes(f.pdf)
        yield Path(tmp)


def run(*args: str | Path) -> str:
    return nfc(subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout)


def text(path: Path, *flags: str) -> str:
    return run("pdftotext", *flags, path, "-")


def by_name(files: list[DossierFile], name: str) -> DossierFile:
    return next(f for f in files if f.name == name)


def test_the_set_has_every_part_in_a_stable_order(ctx: dict[str, Any], files: list[DossierFile]) -> None:
    proposed = [n for n in ctx["nominees"] if n["votes"]["passed"]]
    assert [f.name for f in files] == [
        "01-to-trinh.pdf", "02-danh-sach.pdf",
        *[f"03-bao-cao-{n['unit_code']}.pdf" for n in proposed], "04-bien-ban.pdf",
    ]  # fmt: skip
    assert 0 < len(proposed) < len(ctx["nominees"])  # the sample has nominees who failed the vote
    for f in files:
        assert f.pdf.startswith(b"%PDF-") and f.sha256 == hashlib.sha256(f.pdf).hexdigest()


def test_every_page_is_a4_portrait_with_title_and_author(files: list[DossierFile], folder: Path) -> None:
    for f in files:
        info = run("pdfinfo", "-f", "1", "-l", "999", folder / f.name)
        sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
        assert len(sizes) == f.pages >= 1
        for width, height in sizes:
            assert abs(float(width) - 595.28) < 1 and abs(float(height) - 841.89) < 1
        assert re.search(r"^Title:\s+" + re.escape(f.title) + "$", info, re.M)
        assert re.search(r"^Author:\s+\S", info, re.M)


def test_all_fonts_are_embedded_liberation_serif(files: list[DossierFile], folder: Path) -> None:
    for f in files:
        rows = run("pdffonts", folder / f.name).splitlines()[2:]
        assert rows, f.name
        for row in rows:
            name, emb = row.split()[0], row.split()[-5]
            assert "LiberationSerif" in name.replace("-", ""), row
            assert emb == "yes", row


def test_header_national_title_motto_number_and_date(files: list[DossierFile], folder: Path) -> None:
    for f in files:
        first = text(folder / f.name, "-f", "1", "-l", "1")
        assert NATION in first and MOTTO in first, f.name
        if f.name != "04-bien-ban.pdf":
            assert DATE_LINE in first, f.name
    assert "Số: 125/TTr-SNV" in text(folder / "01-to-trinh.pdf")
    minutes = text(folder / "04-bien-ban.pdf")
    assert "Số: 15/BB-HĐTĐKT" in minutes and "Tuyên Quang, ngày 03 tháng 12 năm 2025" in minutes


def test_letter_cites_the_law_and_asks_for_the_awards(ctx: dict[str, Any], folder: Path) -> None:
    letter = " ".join(text(folder / "01-to-trinh.pdf").split())
    for needle in ("TỜ TRÌNH", "Về việc đề nghị tặng", "Luật Thi đua, khen thưởng số 06/2022/QH15",
                   "Kính gửi: Ủy ban nhân dân tỉnh Tuyên Quang.", "Nơi nhận:", "- Lưu: VT, TĐKT.",
                   "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", ctx["signer"]["name"], number_text(ctx["money_total"])):
        assert needle in letter, needle


def test_names_keep_their_diacritics(ctx: dict[str, Any], files: list[DossierFile], folder: Path) -> None:
    listing = " ".join(text(folder / "02-danh-sach.pdf").split())
    minutes = " ".join(text(folder / "04-bien-ban.pdf").split())
    for n in ctx["nominees"]:
        name = nfc(n["name"])
        assert name in minutes, name
        assert (name in listing) == n["votes"]["passed"], name
    for n in (n for n in ctx["nominees"] if n["votes"]["passed"]):
        report = " ".join(text(folder / f"03-bao-cao-{n['unit_code']}.pdf").split())
        assert nfc(n["name"]) in report and "BÁO CÁO THÀNH TÍCH" in report
        assert n["criteria"][0]["name"][:40] in report


def test_list_carries_the_money_total(ctx: dict[str, Any], folder: Path) -> None:
    listing = " ".join(text(folder / "02-danh-sach.pdf").split())
    total = re.escape(number_text(ctx["money_total"]))
    assert re.search(r"Tổng cộng: \d+ tập thể, \d+ cá nhân " + total, listing)
    assert ctx["money_total"] == sum(n["money"] for n in ctx["nominees"] if n["votes"]["passed"])


def test_minutes_votes_equal_the_context_sorted_by_yes(ctx: dict[str, Any], folder: Path) -> None:
    minutes = text(folder / "04-bien-ban.pdf", "-layout")
    rows = [m.groups() for line in minutes.splitlines() if (m := VOTE_ROW.match(line))]
    expected = sorted(ctx["nominees"], key=lambda n: -n["votes"]["yes"])
    assert len(rows) == len(expected)
    for (_, cells, yes, no_votes, other, percent, result), n in zip(rows, expected, strict=True):
        v, words = n["votes"], nfc(n["name"]).split()[:3]  # the first line of the name's cell
        assert (int(yes), int(no_votes), int(other)) == (v["yes"], v["no"], v["abstain"] + v["recused"])
        assert percent == number_text(v["percent"]) and cells.split()[: len(words)] == words
        assert (result == "Đạt") == v["passed"]
    assert [int(r[2]) for r in rows] == sorted((int(r[2]) for r in rows), reverse=True)
    flat = " ".join(minutes.split())
    s = ctx["session"]
    members = f"(Quyết định số {s['council_decision']}): {s['members_total']} người"
    for needle in (f"Số phiếu phát ra: {s['ballots_issued']}", f"số phiếu hợp lệ: {s['ballots_valid']}",
                   f"số phiếu không hợp lệ: {s['ballots_invalid']}", members,
                   s["absent"][0]["reason"], s["recused"][0]["name"], "THƯ KÝ", "TM. HỘI ĐỒNG"):
        assert needle in flat, needle


def test_page_numbers_from_page_two_at_the_top(files: list[DossierFile], folder: Path) -> None:
    multi = [f for f in files if f.pages >= 2]
    assert multi
    for f in multi:
        first = [ln.strip() for ln in text(folder / f.name, "-f", "1", "-l", "1").splitlines() if ln.strip()]
        second = [ln.strip() for ln in text(folder / f.name, "-f", "2", "-l", "2").splitlines() if ln.strip()]
        assert not first[0].isdigit(), f.name
        assert second[0] == "2", f.name


def test_rendering_is_deterministic(ctx: dict[str, Any], files: list[DossierFile]) -> None:
    again = render_set(ctx)
    assert [f.sha256 for f in again] == [f.sha256 for f in files]


async def test_pool_gives_the_same_files_as_serial(
    ctx: dict[str, Any], files: list[DossierFile], folder: Path
) -> None:
    gaps: list[float] = []

    async def ticker() -> None:  # the event loop must stay free while the pool renders
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    try:
        pooled = await render_set_async(ctx, workers=2)
    finally:
        tick.cancel()
        shutdown_pool()
    assert gaps and max(gaps) < 1.0, max(gaps)  # rendering the set in the loop would take seconds
    assert [f.name for f in pooled] == [f.name for f in files]
    with tempfile.TemporaryDirectory() as tmp:
        for f in pooled:
            (Path(tmp) / f.name).write_bytes(f.pdf)
            assert text(Path(tmp) / f.name) == text(folder / f.name), f.name


def test_zip_lists_every_file_with_its_sha256(files: list[DossierFile]) -> None:
    data = zip_set(files)
    assert zip_set(list(reversed(files))) == data  # deterministic, whatever the order given
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == sorted([f.name for f in files] + ["muc-luc.txt"])
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        index = archive.read("muc-luc.txt").decode("utf-8").splitlines()[1:]
        listed = {row.split("\t")[0]: row.split("\t") for row in index}
        assert set(listed) == {f.name for f in files}
        for f in files:
            assert listed[f.name][2] == hashlib.sha256(archive.read(f.name)).hexdigest() == f.sha256
            assert listed[f.name][1] == str(f.pages) and listed[f.name][3] == f.title


def test_text_is_nfc_normalised_and_escaped(ctx: dict[str, Any], tmp_path: Path) -> None:
    odd = dict(ctx)
    odd["nominees"] = [dict(n) for n in ctx["nominees"]]
    odd["nominees"][0]["name"] = unicodedata.normalize("NFD", "Tổ <b>Đức</b> & Hương")
    assert normalize_context(odd)["nominees"][0]["name"] == nfc("Tổ <b>Đức</b> & Hương")
    minutes = by_name(render_set(odd), "04-bien-ban.pdf")
    (tmp_path / "m.pdf").write_bytes(minutes.pdf)
    assert "Tổ <b>Đức</b> & Hương" in " ".join(text(tmp_path / "m.pdf").split())


def test_a_bad_context_names_every_problem(ctx: dict[str, Any]) -> None:
    bad = {k: v for k, v in ctx.items() if k not in ("number", "session")}
    with pytest.raises(ValueError, match=r"ctx\.number.*ctx\.session"):
        normalize_context(bad)
    with pytest.raises(ValueError, match="money_total"):
        normalize_context({**ctx, "money_total": ctx["money_total"] + 10_000})


@pytest.mark.parametrize(("day", "line"), [
    (date(2025, 12, 5), "Tuyên Quang, ngày 05 tháng 12 năm 2025"),
    (date(2025, 3, 15), "Tuyên Quang, ngày 15 tháng 3 năm 2025"),
    (date(2026, 2, 1), "Tuyên Quang, ngày 01 tháng 02 năm 2026"),
    (date(2026, 1, 10), "Tuyên Quang, ngày 10 tháng 01 năm 2026"),
])  # fmt: skip
def test_date_line_pads_days_below_10_and_months_1_and_2(day: date, line: str) -> None:
    assert date_line(day, "Tuyên Quang") == line


@pytest.mark.parametrize(("x", "shown"), [
    (67_860_000, "67.860.000"), (87.5, "87,5"), (93.33, "93,33"), (100, "100"), (0, "0"), (-0.5, "-0,5"),
    (None, ""),
])  # fmt: skip
def test_vietnamese_numbers(x: float | None, shown: str) -> None:
    assert number_text(x) == shown
