"""The award pages on real data: eligibility, a batch of two communes taken through the council's
session by its forms to the dossier PDFs; the council's read-only view; who may not see them;
the yearly history import. Every page valid HTML with labelled controls and one heading.

The loaded province's 2023 commune run is published (2024's is not): awards are considered for 2023.
"""

from __future__ import annotations

import hashlib
import io
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import html5lib
import pytest
from litestar.testing import TestClient

from presentation.numbers import percent_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_admin_pages import (  # the admin pages' fixtures and page checks
    ADMIN,
    CSRF,
    admin,
    app_client,
    checked_page,
    csrf,
    login,
    page,
    province,
    table_rows,
    world,
)

from nominations import council, dossiers, service
from nominations.tables import HistoryRecord, NominationBatch

__all__ = ["admin", "app_client", "world"]
pytestmark = pytest.mark.db
Client = TestClient[Any]
AWARD = "bang-khen-tinh-tap-the"
PAGE = "/quan-tri/khen-thuong"
MEMBERS = ["Nguyễn Văn An; Chủ tịch Hội đồng", "Trần Thị Bích; Phó Chủ tịch", "Lê Minh Châu; Ủy viên",
           "Phạm Thu Dung; Ủy viên – Thư ký"]


def award(period_id: int) -> dict[str, Any]:
    found = province.run(service.eligibility(period_id))
    return next(a for a in found["awards"] if a["award"]["id"] == AWARD)


def ok(response: Any, step: str, status: int = 200) -> str:
    assert response.status_code == status, f"{step}: {response.status_code} {response.text[:800]}"
    checked_page(response.text)
    return str(response.text)


def main_of(html: str) -> Any:
    main = html5lib.parse(html, namespaceHTMLElements=False).find(".//main")
    assert main is not None
    return main


def flat(html: str) -> str:
    return " ".join("".join(main_of(html).itertext()).split())


# --- the admin's flow, through the forms ----------------------------------------------------------

@dataclass
class Flow:
    batch_id: int
    first: str  # the first nominee, whose unit the fifth member belongs to
    second: str
    pages: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"{PAGE}/dot/{self.batch_id}"


@pytest.fixture(scope="module")
def flow(app_client: Client, world: province.World) -> Iterator[Flow]:
    """Eligibility → batch → council → session → attendance → ballots → close → dossiers."""
    client = app_client
    client.cookies.clear()
    login(client, ADMIN)
    token = csrf(client)
    first, second = (c["unit_code"] for c in award(world.published_period)["eligible"][:2])
    created = client.post(f"{PAGE}/dot", data={
        "_csrf": token, "ky": str(world.published_period), "chon": [f"{AWARD}|{first}", f"{AWARD}|{second}"],
        "ten_dot": "Đề nghị tặng Bằng khen năm 2023", "so_to_trinh": "125/TTr-SNV",
        "ngay_quyet_dinh": "05/12/2024"})
    found = re.fullmatch(rf"{PAGE}/dot/(\d+)", created.url.path)
    assert found, f"lập đợt xong phải tới trang đợt, tới {created.url.path}: {created.text[:800]}"
    run = Flow(batch_id=int(found.group(1)), first=first, second=second)
    run.pages["new"] = ok(created, "lập đợt")

    members = "\n".join([*MEMBERS, f"Hoàng Đức Em; Ủy viên; {first}"])
    ok(client.post(f"{run.base}/hoi-dong", data={
        "_csrf": token, "ten": "Hội đồng Thi đua - Khen thưởng tỉnh", "so_quyet_dinh": "1234/QĐ-UBND",
        "ngay_quyet_dinh": "01/03/2024", "thanh_vien": members}), "ghi nhận hội đồng")
    made = province.run(council.list_councils())[-1]
    m = [int(x["id"]) for x in made["members"]]
    run.pages["council"] = ok(client.post(f"{run.base}/phien-hop", data={
        "_csrf": token, "hoi_dong": str(made["id"]), "thoi_gian": "10/12/2024 08:30",
        "dia_diem": "Phòng họp số 1, Sở Nội vụ", "chu_tri": str(m[0]), "thu_ky": str(m[3]),
        "so_bien_ban": "15/BB-HĐTĐKT"}), "mở phiên họp")
    attendance = {f"tt_{i}": "present" for i in m} | {f"ly_do_{i}": "" for i in m}
    attendance |= {f"tt_{m[3]}": "absent_written", f"ly_do_{m[3]}": "Đi công tác"}
    ok(client.post(f"{run.base}/diem-danh", data={"_csrf": token, **attendance}), "điểm danh")

    ids = {n["unit_code"]: int(n["id"]) for n in province.run(service.batch_nominations(run.batch_id))}

    def ballot(member: int, on_first: str, on_second: str) -> Any:
        choices = {f"n_{ids[first]}": on_first, f"n_{ids[second]}": on_second}
        return client.post(f"{run.base}/phieu", data={"_csrf": token, "thanh_vien": str(member), **choices})

    run.pages["refused"] = ok(ballot(m[4], "yes", "yes"), "thành viên cùng đơn vị chọn «Đồng ý»", 400)
    for member, (on_first, on_second) in zip(m[:4], [("yes", "yes"), ("no", "yes"), ("yes", "yes"),
                                                     ("no", "yes")], strict=True):
        ok(ballot(member, on_first, on_second), f"phiếu của thành viên {member}")
    run.pages["early_close"] = ok(client.post(f"{run.base}/ket-thuc", data={
        "_csrf": token, "phieu_khong_hop_le": "0"}), "kết thúc khi còn thiếu phiếu", 400)
    ok(ballot(m[4], "recused", "yes"), "thành viên cùng đơn vị chọn «Không tham gia»")
    run.pages["open"] = ok(client.get(run.base), "trang đợt đang họp")
    run.pages["closed"] = ok(client.post(f"{run.base}/ket-thuc", data={
        "_csrf": token, "phieu_khong_hop_le": "0"}), "kết thúc phiên họp")
    run.pages["dossiers"] = ok(client.post(f"{run.base}/ho-so", data={"_csrf": token}), "lập hồ sơ")
    client.cookies.clear()
    yield run


# --- eligibility -----------------------------------------------------------------------------------

def test_a_period_without_a_published_run_points_to_the_runs_page(admin: Client,
                                                                  world: province.World) -> None:
    html = page(admin, f"{PAGE}?ky={world.period}")
    assert "chưa có kết quả được công bố" in html and 'href="/quan-tri/cham-diem"' in html
    assert 'name="chon"' not in html


def test_the_award_page_lists_eligible_communes_with_conditions_and_money(
        admin: Client, world: province.World) -> None:
    expected = award(world.published_period)
    html = page(admin, PAGE)  # default: the newest period with a published run (2023)
    rows = table_rows(html, "Đủ điều kiện (")  # the first award with eligible units is this one
    assert len(rows) == len(expected["eligible"])
    first = expected["eligible"][0]
    assert first["unit_name"] in rows[0][2]
    assert rows[0][5] == f"{first['rank_in_cluster']}/{first['cluster_size']}"
    assert "Xếp loại năm 2023: Hoàn thành xuất sắc nhiệm vụ" in rows[0][6]
    assert f'value="{AWARD}|{first["unit_code"]}"' in html
    text = flat(html)
    assert "7.020.000 đ mỗi tập thể" in text, "tiền thưởng theo lương cơ sở 2.340.000 × 3"
    assert expected["version"]["legal_basis"] in text and "Từ 50 % tổng số thành viên" in text
    assert "Bị loại do vượt chỉ tiêu" in text and expected["cut"][0]["cut_reason"] in text
    assert "Suýt đạt" in text


def test_a_refused_batch_names_the_unit_stores_nothing_and_keeps_the_choices(
        admin: Client, world: province.World) -> None:
    expected = award(world.published_period)
    good, cut = expected["eligible"][0]["unit_code"], expected["cut"][0]["unit_code"]
    before = province.run(NominationBatch.count().run())
    response = admin.post(f"{PAGE}/dot", data={
        "_csrf": csrf(admin), "ky": str(world.published_period),
        "chon": [f"{AWARD}|{good}", f"{AWARD}|{cut}"], "ten_dot": "Đợt thử", "so_to_trinh": "1/TTr-SNV",
        "ngay_quyet_dinh": "05/12/2024"})
    html = ok(response, "lập đợt có đơn vị vượt chỉ tiêu", 400)
    assert f"«{cut}» không được đề nghị" in html and "vượt chỉ tiêu" in html
    assert province.run(NominationBatch.count().run()) == before, "bị từ chối thì không lưu gì"
    doc = checked_page(html)
    checked = {el.get("value") for el in doc.iter("input")
               if el.get("name") == "chon" and el.get("checked") is not None}
    assert f"{AWARD}|{good}" in checked, "lựa chọn của người dùng phải được giữ"
    bad_day = admin.post(f"{PAGE}/dot", data={"_csrf": csrf(admin), "ky": str(world.published_period),
                                              "chon": f"{AWARD}|{good}", "ten_dot": "Đợt thử",
                                              "so_to_trinh": "1/TTr-SNV", "ngay_quyet_dinh": "2024-12-05"})
    assert "ngày/tháng/năm" in ok(bad_day, "ngày sai dạng", 400)


# --- the council session and the dossiers ----------------------------------------------------------

def test_the_admin_takes_two_communes_through_the_council_to_the_dossiers(admin: Client, flow: Flow) -> None:
    assert "Mở phiên họp" in flow.pages["new"] and "Ghi nhận hội đồng" in flow.pages["new"]
    assert "không được biểu quyết cho đề nghị này" in flow.pages["refused"], "phải báo thành viên cùng đơn vị"
    assert "Hoàng Đức Em chưa có phiếu" in flow.pages["early_close"]
    names = {n["unit_code"]: n["evaluation"]["unit_name"]
             for n in province.run(service.batch_nominations(flow.batch_id))}
    tally = table_rows(flow.pages["open"], "Kết quả biểu quyết")
    # first: 2 yes of 5 members (40 %) fails; second: 5 of 5 passes and comes first (most yes votes)
    assert [(r[1], r[3], r[5], r[7]) for r in tally] == [
        (names[flow.second], "5", percent_text(100), "Đạt"),
        (names[flow.first], "2", percent_text(40), "Không đạt")]
    assert "Kết thúc phiên họp" in flow.pages["open"] and "trở thành chính thức" in flow.pages["open"]
    closed = flow.pages["dossiers"]
    assert "Kết quả kiểm phiếu (chính thức)" in closed
    results = {r[1].split(" (")[0]: r[5] for r in table_rows(closed, "Các tập thể, cá nhân được đề nghị")}
    assert results == {names[flow.first]: "Không đạt", names[flow.second]: "Đạt"}
    files = province.run(dossiers.list_files(flow.batch_id))
    assert files and all(f["name"] in closed for f in files)
    pdf = admin.get(f"{flow.base}/ho-so/{files[0]['name']}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["x-content-sha256"] == hashlib.sha256(pdf.content).hexdigest()
    bundle = admin.get(f"{flow.base}/ho-so.zip")
    assert bundle.status_code == 200
    assert bundle.headers["x-content-sha256"] == hashlib.sha256(bundle.content).hexdigest()
    assert {f["name"] for f in files} <= set(zipfile.ZipFile(io.BytesIO(bundle.content)).namelist())
    assert "Lập hồ sơ đề nghị (PDF)" not in page(admin, flow.base), "hồ sơ đã lập thì không lập lại"


def test_a_council_member_reads_the_batch_without_forms_and_downloads_a_pdf(app_client: Client,
                                                                           flow: Flow) -> None:
    app_client.cookies.clear()
    login(app_client, province.PEOPLE["council"][0])
    listing = page(app_client, "/hoi-dong/khen-thuong")
    assert f"/hoi-dong/khen-thuong/dot/{flow.batch_id}" in listing
    html = page(app_client, f"/hoi-dong/khen-thuong/dot/{flow.batch_id}")
    main = main_of(html)
    assert main.find(".//form") is None, "hội đồng chỉ xem: không có biểu mẫu"
    assert main.find(".//input[@name='_csrf']") is None
    assert "Kết quả kiểm phiếu (chính thức)" in html and "Quản trị" not in flat(html)
    name = province.run(dossiers.list_files(flow.batch_id))[0]["name"]
    assert f'href="/hoi-dong/khen-thuong/dot/{flow.batch_id}/ho-so/{name}"' in html
    pdf = app_client.get(f"/hoi-dong/khen-thuong/dot/{flow.batch_id}/ho-so/{name}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["x-content-sha256"] == hashlib.sha256(pdf.content).hexdigest()
    page(app_client, flow.base, 403)
    token = CSRF.search(html)
    assert token, "trang có nút đăng xuất với mã chống giả mạo"
    refused = app_client.post(f"{flow.base}/ho-so", data={"_csrf": token.group(1)})
    assert refused.status_code == 403, "hội đồng không được thao tác"
    app_client.cookies.clear()


def test_a_unit_officer_is_refused_and_anonymous_is_sent_to_login(app_client: Client, flow: Flow) -> None:
    name = province.run(dossiers.list_files(flow.batch_id))[0]["name"]
    urls = [PAGE, flow.base, f"{flow.base}/ho-so/{name}", f"{flow.base}/ho-so.zip", "/quan-tri/lich-su",
            "/hoi-dong/khen-thuong", f"/hoi-dong/khen-thuong/dot/{flow.batch_id}",
            f"/hoi-dong/khen-thuong/dot/{flow.batch_id}/ho-so/{name}",
            f"/hoi-dong/khen-thuong/dot/{flow.batch_id}/ho-so.zip"]
    app_client.cookies.clear()
    for url in urls:
        assert app_client.get(url).url.path == "/dang-nhap", f"{url}: chưa đăng nhập phải tới trang đăng nhập"
    login(app_client, province.PEOPLE["unit_own"][0])
    for url in urls:
        assert "Không có quyền truy cập" in page(app_client, url, 403), url
    app_client.cookies.clear()


# --- history ---------------------------------------------------------------------------------------

def history_csv(bad: bool) -> bytes:
    unit = province.UNIT_B
    lines = ["ma_don_vi,nam,loai,gia_tri,chi_tiet", f"{unit},2022,Xếp loại,HTXSNV,",
             f"{unit},2023,xếp loại,{'xuất sắc lắm' if bad else 'httnv'},",
             f"{unit},2023,Danh hiệu,Bằng khen tỉnh,QĐ 321/QĐ-UBND"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_history_file_with_a_bad_row_stores_nothing_then_the_good_one_is_counted(admin: Client) -> None:
    page(admin, "/quan-tri/lich-su")
    before = province.run(HistoryRecord.count().run())
    upload = {"file": ("lich-su.csv", history_csv(bad=True), "text/csv")}
    bad = admin.post("/quan-tri/lich-su", data={"_csrf": csrf(admin)}, files=upload)
    html = ok(bad, "tệp lịch sử có dòng sai", 400)
    [(file, row, column, reason)] = table_rows(html, "Danh sách lỗi")
    assert (file, row) == ("lich-su.csv", "3") and column.startswith("D"), (file, row, column)
    assert "xuất sắc lắm" in reason
    assert province.run(HistoryRecord.count().run()) == before, "tệp có lỗi thì không lưu dòng nào"

    good = {"file": ("lich-su.csv", history_csv(bad=False), "text/csv")}
    dry = admin.post("/quan-tri/lich-su", data={"_csrf": csrf(admin), "kiem_tra": "1"}, files=good)
    assert "Kiểm tra xong" in ok(dry, "kiểm tra trước")
    assert province.run(HistoryRecord.count().run()) == before, "kiểm tra trước thì chưa lưu"
    saved = ok(admin.post("/quan-tri/lich-su", data={"_csrf": csrf(admin)}, files=good), "nhập lịch sử")
    assert "Đã nhập lịch sử thi đua, khen thưởng" in saved
    counts = dict((r[0], r[1]) for r in table_rows(saved, "Kết quả nhập"))
    assert counts["Mục mới"] == "3" and counts["Xếp loại"] == "2" and counts["Danh hiệu, khen thưởng"] == "1"
    assert province.run(HistoryRecord.count().run()) == before + 3
    shown = flat(page(admin, f"/quan-tri/lich-su?ma={province.UNIT_B}"))
    assert "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in shown and "QĐ 321/QĐ-UBND" in shown
    assert "Hoàn thành tốt nhiệm vụ (HTTNV)" in shown
    assert "Không có đơn vị" in page(admin, "/quan-tri/lich-su?ma=KHONG-CO", 404)
