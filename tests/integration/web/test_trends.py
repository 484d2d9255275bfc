"""Trends: a unit's total, band and rank over the years (chart and table), and the public
ranking ordered by improvement since the previous published year.

The module's world is the API tests' loaded province (commune runs: 2023 published, 2024 not)
with the 2024 commune run published too, and a 2025 period with demo values and a commune run
left unpublished: the public pages show 2023 and 2024, the unit's dashboard adds 2025 as
provisional.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import pytest
from litestar.testing import TestClient

from demo.indicators import write_demo
from scoring.services import runs as run_service
from scoring.services.publish import publish_run
from server.app import create_app
from web.templating import vn_number
from web.trends import improvement, improvement_order

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
import loaded_province as province
from test_admin_pages import checked_page
from test_unit_pages import SVG, by_id, login, text

pytestmark = pytest.mark.db
Client = TestClient[Any]
NEW_YEAR = 2025


@dataclass
class Years:
    world: province.World
    runs: dict[int, int]  # year → commune run id
    published: tuple[int, ...]


async def build() -> Years:
    world = await province.load_world()
    await publish_run(world.run, actor="system")
    with tempfile.TemporaryDirectory(prefix="thidua-trends-") as tmp:
        write_demo(Path(tmp), world.plan, world.registry, periods=(NEW_YEAR,))
        period = await province._import_demo(world.plan_version, NEW_YEAR, datetime(2025, 1, 1, tzinfo=UTC),
                                             datetime(2025, 2, 1, tzinfo=UTC), Path(tmp))
    latest = await run_service.start_run(period, province.LEVEL, actor="system")
    runs = {province.PUBLISHED_YEAR: world.published_run, province.OPEN_YEAR: world.run,
            NEW_YEAR: latest["id"]}
    return Years(world, runs, (province.PUBLISHED_YEAR, province.OPEN_YEAR))


@pytest.fixture(scope="module")
def years(migrated_database: str) -> Years:
    return province.run(build())


@pytest.fixture(scope="module")
def client(years: Years) -> Iterator[Client]:
    with TestClient(app=create_app()) as c:
        yield c
        c.cookies.clear()


def results(run_id: int) -> dict[str, dict[str, Any]]:
    return {r["unit_code"]: r for r in province.run(run_service.run_results(run_id))}


def trend_rows(root: Element) -> dict[int, list[str]]:
    """Year → the cells of the trend table (year cell first)."""
    rows = {}
    for tr in by_id(root, "bang-xu-huong").find("tbody").iter("tr"):  # type: ignore[union-attr]
        cells = [text(cell) for cell in tr]
        rows[int(cells[0][:4])] = cells
    return rows


def trend_chart(root: Element) -> Element:
    for svg in root.iter(f"{{{SVG}}}svg"):
        title = svg.find(f"{{{SVG}}}title")
        if title is not None and title.get("id") == "bieu-do-xu-huong-title":
            return svg
    raise AssertionError("trang không có biểu đồ diễn biến qua các năm")


def assert_year(cells: list[str], row: dict[str, Any]) -> None:
    assert cells[1] == f"{vn_number(row['total'])}/{vn_number(row['max'])}"
    assert cells[2] == f"{vn_number(row['percent'])} %"
    assert cells[4] == f"{row['rank_in_cluster']}/{row['cluster_size']}"


def test_the_dashboard_draws_every_year_and_marks_the_provisional_one(client: Client, years: Years) -> None:
    login(client, "unit_own", years.world)
    response = client.get(f"/don-vi/{province.UNIT_A}")
    assert response.status_code == 200, response.text[:300]
    root = checked_page(response.text)
    rows = trend_rows(root)
    assert sorted(rows) == sorted(years.runs), "một điểm cho mỗi năm có kết quả"
    svg = trend_chart(root)
    desc = text(svg.find(f"{{{SVG}}}desc"))
    labels = [text(t) for t in svg.iter(f"{{{SVG}}}text")]
    for year, run_id in years.runs.items():
        row = results(run_id)[province.UNIT_A]
        assert_year(rows[year], row)
        assert f"Năm {year}: {vn_number(row['total'])}/{vn_number(row['max'])} điểm" in desc
        assert vn_number(row["total"]) in labels and str(year) in labels
    assert "tạm thời" in rows[NEW_YEAR][0] and all("tạm thời" not in rows[y][0] for y in years.published)
    hollow = [c for c in svg.iter(f"{{{SVG}}}circle") if c.get("fill") == "#fff"]
    assert len(hollow) == 1, "chỉ kết quả năm chưa công bố được vẽ chấm rỗng"
    client.cookies.clear()


def test_the_public_page_shows_only_published_years(client: Client, years: Years) -> None:
    client.cookies.clear()
    response = client.get(f"/don-vi/{province.UNIT_A}/cong-khai")
    assert response.status_code == 200
    root = checked_page(response.text)
    rows = trend_rows(root)
    assert sorted(rows) == list(years.published), "trang công khai chỉ có các năm đã công bố"
    for year in years.published:
        assert_year(rows[year], results(years.runs[year])[province.UNIT_A])
    assert "Kết quả đã công bố" in text(by_id(root, "bang-xu-huong").find("caption"))
    assert "tạm thời" not in text(trend_chart(root))


def ranking_tables(root: Element) -> list[list[tuple[str, str]]]:
    """Per cluster table of the commune level: (unit code, improvement cell) in page order."""
    section = next(s for s in root.iter("section") if s.get("aria-labelledby") == "cap-commune")
    tables = []
    for table in section.iter("table"):
        rows = []
        for tr in table.find("tbody").iter("tr"):  # type: ignore[union-attr]
            link = tr.find(".//a")
            assert link is not None
            code = link.get("href", "").split("/")[2]
            rows.append((code, text(tr.findall("td")[-1])))
        tables.append(rows)
    return tables


def test_the_ranking_sorted_by_improvement(client: Client, years: Years) -> None:
    now, before = results(years.runs[province.OPEN_YEAR]), results(years.runs[province.PUBLISHED_YEAR])
    root = checked_page(client.get("/", params={"sap_xep": "cai-thien"}).text)
    assert f"Kết quả đã công bố năm {province.OPEN_YEAR}" in text(root)
    current = [a for a in by_id(root, "sap-xep").iter("a") if a.get("aria-current")]
    assert [text(a) for a in current] == ["theo mức cải thiện"]
    tables = ranking_tables(root)
    assert sum(len(t) for t in tables) == len(now)
    for rows in tables:
        expected = []
        for code, _ in rows:
            row = dict(now[code], improvement=improvement(now[code], before.get(code)))
            expected.append(row)
        expected.sort(key=improvement_order)
        assert [code for code, _ in rows] == [r["unit_code"] for r in expected], "phải xếp theo mức cải thiện"
        for (code, cell), row in zip(rows, expected, strict=True):
            change = row["improvement"]
            assert change is not None, f"{code} có kết quả năm trước"
            same = abs(now[code]["max"] - before[code]["max"]) < 0.005
            value = now[code]["total"] - before[code]["total"] if same else (
                now[code]["percent"] - before[code]["percent"])
            assert change["value"] == pytest.approx(round(value, 2))
            assert cell == change["text"] and vn_number(abs(change["value"])) in cell
        values = [r["improvement"]["value"] for r in expected]
        assert values == sorted(values, reverse=True)
    by_rank = ranking_tables(checked_page(client.get("/").text))
    for rows in by_rank:
        ranks = [now[code]["rank_in_cluster"] for code, _ in rows]
        assert ranks == sorted(ranks), "mặc định xếp theo hạng"


def test_units_without_an_earlier_result_come_last_with_a_dash() -> None:
    rows = [
        {"unit_code": "A", "rank_in_cluster": 1, "total": 80.0, "max": 100.0, "percent": 80.0},
        {"unit_code": "B", "rank_in_cluster": 2, "total": 70.0, "max": 100.0, "percent": 70.0},
        {"unit_code": "C", "rank_in_cluster": 3, "total": 60.0, "max": 80.0, "percent": 75.0},
    ]
    before = {"A": {"total": 79.5, "max": 100.0, "percent": 79.5},
              "C": {"total": 50.0, "max": 100.0, "percent": 50.0}}
    for row in rows:
        row["improvement"] = improvement(row, before.get(row["unit_code"]))
    rows.sort(key=improvement_order)
    assert [r["unit_code"] for r in rows] == ["C", "A", "B"]
    assert rows[0]["improvement"]["text"] == "+25 điểm %", "điểm tối đa đổi thì so tỷ lệ điểm"
    assert rows[1]["improvement"]["text"] == "+0,5 điểm" and rows[2]["improvement"] is None
