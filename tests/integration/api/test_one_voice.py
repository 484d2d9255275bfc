"""One fact, one voice: the same points, money and meeting times read the same on the batch page,
in the dossier PDFs, in the CLI and in the API's ``*_text`` fields.

The closed batch of the award world is given the facts below straight in its stored rows: a
nominee with 1234.5 points and 7,020,000 đ, a meeting typed as 09:00 on 2 April 2024 (Vietnam
time; stored as 02:00 UTC) and closed at 03:30 UTC, which is 10:30 in Vietnam.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from loaded_province import PASSWORD, PEOPLE, World, load_world, run
from nomination_world import add_awards

from api.cli import main
from nominations import dossiers
from nominations.dossier import render_set
from nominations.tables import CouncilSession, Nomination
from presentation.times import parse_local_datetime
from server.app import create_app

pytestmark = pytest.mark.db

POINTS = 1234.5
MONEY = 7_020_000
HELD_TYPED = "02/04/2024 09:00"  # as staff type it in the session form
CLOSED_AT = datetime(2024, 4, 2, 3, 30, tzinfo=UTC)
SAID = ("1.234,5", "7.020.000 đ", "02/04/2024", "09:00", "10:30")
NEVER = ("02:00", "03:30", "1234,5", "1234.5", "7020000")  # UTC clock times, unformatted numbers


def flat(text: str) -> str:
    """Text as a reader sees it: tags dropped, entities read, every run of spaces (NBSP too) one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def texts_of(value: Any) -> list[str]:
    """Every ``*_text`` field of a JSON document, depth first."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k.endswith("_text") and isinstance(v, str)] + [
            t for k, v in value.items() if not k.endswith("_text") for t in texts_of(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts_of(v)]
    return []


async def _set_facts(batch_id: int, session_id: int) -> None:
    rows = await Nomination.select(Nomination.id, Nomination.evaluation).where(Nomination.batch == batch_id)
    for row in rows:
        evaluation = {**json.loads(row["evaluation"]), "total": POINTS}
        await Nomination.update({Nomination.money: MONEY, Nomination.evaluation: json.dumps(
            evaluation, ensure_ascii=False, sort_keys=True)}).where(Nomination.id == row["id"])
    await CouncilSession.update({CouncilSession.held_at: parse_local_datetime(HELD_TYPED),
                                 CouncilSession.closed_at: CLOSED_AT}).where(CouncilSession.id == session_id)


@pytest.fixture(scope="module")
def world(migrated_database: str) -> World:
    loaded = run(load_world())
    loaded.awards = run(add_awards(loaded))
    run(_set_facts(loaded.awards.closed_batch, loaded.awards.closed_session))
    return loaded


@pytest.fixture(scope="module")
def app(world: World) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app()) as client:
        yield client


@pytest.fixture(scope="module")
def batch_json(app: TestClient[Any], world: World) -> dict[str, Any]:
    url = f"/api/v1/nomination-batches/{world.awards.closed_batch}"
    response = app.get(url, headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


@pytest.fixture(scope="module")
def page(app: TestClient[Any], world: World) -> str:
    app.cookies.clear()
    login = app.post("/dang-nhap", data={"username": PEOPLE["admin"][0], "password": PASSWORD})
    assert login.status_code == 200, login.text[:300]
    response = app.get(f"/quan-tri/khen-thuong/dot/{world.awards.closed_batch}")
    app.cookies.clear()
    assert response.status_code == 200, response.text[:300]
    return flat(response.text)


@pytest.fixture(scope="module")
def cli(world: World) -> Iterator[str]:
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.stdout", out)
            assert main(["batch", "show", str(world.awards.closed_batch)]) == 0
        out.seek(0)
        yield flat(out.read())


@pytest.fixture(scope="module")
def pdf(world: World) -> dict[str, str]:
    assert shutil.which("pdftotext"), "thiếu pdftotext: make test cài poppler-utils (setup.sh --browser)"
    ctx = run(dossiers.build_context(world.awards.closed_batch))
    for n in ctx["nominees"]:  # the nominee list prints the run's total, which no test may rewrite
        n["total"] = POINTS
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for f in render_set(ctx):
            (Path(tmp) / f.name).write_bytes(f.pdf)
            read = subprocess.run(["pdftotext", str(Path(tmp) / f.name), "-"], check=True,
                                  capture_output=True, text=True)
            out[f.name] = flat(read.stdout)
    return out


def check(voice: str, text: str, said: tuple[str, ...] = SAID) -> None:
    for needle in said:
        assert needle in text, f"{voice}: thiếu «{needle}» (cùng một dữ kiện phải viết như nhau ở mọi nơi)"
    for wrong in NEVER:
        assert wrong not in text, f"{voice}: có «{wrong}» (giờ UTC hoặc số chưa định dạng)"


def test_the_batch_page(page: str) -> None:
    check("trang đợt đề nghị", page)
    assert "02/04/2024 09:00" in page and "Đã kết thúc lúc 02/04/2024 10:30" in page


def test_the_cli(cli: str) -> None:
    check("lệnh thidua batch show", cli)
    assert "Phiên họp xét: 02/04/2024 09:00" in cli and "Đã kết thúc lúc 02/04/2024 10:30" in cli


def test_the_api_text_fields(batch_json: dict[str, Any]) -> None:
    check("API (các trường *_text)", flat(" | ".join(texts_of(batch_json))))
    session = batch_json["session"]["session"]
    assert (session["held_at_text"], session["closed_at_text"]) == ("02/04/2024 09:00", "02/04/2024 10:30")
    nominee = batch_json["nominations"][0]
    assert (nominee["total_text"], nominee["money_text"]) == ("1.234,5", "7.020.000 đ")


def test_the_api_keeps_raw_numbers_and_utc(batch_json: dict[str, Any]) -> None:
    nominee = batch_json["nominations"][0]
    assert nominee["money"] == MONEY and nominee["evaluation"]["total"] == POINTS
    session = batch_json["session"]["session"]
    held = datetime.fromisoformat(session["held_at"].replace("Z", "+00:00"))
    closed = datetime.fromisoformat(session["closed_at"].replace("Z", "+00:00"))
    assert held == datetime(2024, 4, 2, 2, 0, tzinfo=UTC) and closed == CLOSED_AT
    assert held.utcoffset() is not None and closed.utcoffset() is not None


def test_the_dossier_pdfs(pdf: dict[str, str]) -> None:
    check("hồ sơ PDF (cả bộ)", " ".join(pdf.values()))
    check("danh sách đề nghị", pdf["02-danh-sach.pdf"], ("1.234,5", "7.020.000 đ"))
    check("tờ trình", pdf["01-to-trinh.pdf"], ("7.020.000 đ", "02/04/2024"))
    minutes = pdf["04-bien-ban.pdf"]
    check("biên bản họp", minutes, ("Vào hồi 09:00", "kết thúc vào hồi 10:30", "ngày 02 tháng 4 năm 2024"))


def test_a_meeting_time_without_its_zone_is_refused(app: TestClient[Any], world: World) -> None:
    """"09:00" alone could be Vietnam time or UTC: the API asks for the zone instead of guessing."""
    url = f"/api/v1/nomination-batches/{world.awards.draft_batch}/session"
    form = {**world.awards.session_form, "held_at": "2024-12-10T09:00:00"}
    refused = app.post(url, json=form, headers=world.headers("admin"))
    assert refused.status_code == 400, refused.text
    assert "múi giờ" in refused.json()["error"]["message"], refused.text
    batch = app.get(f"/api/v1/nomination-batches/{world.awards.draft_batch}", headers=world.headers("admin"))
    assert batch.json()["session"] is None, "không mở phiên họp nào"
