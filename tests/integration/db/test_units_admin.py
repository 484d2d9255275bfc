"""Staff changes to units: create, edit, close, merge — checked, one transaction, audited."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest

from scoring.core.units import Cluster, Registry, Unit, registry_from_dict, registry_to_dict
from scoring.registry.store import load_registry_from_db, save_registry
from scoring.registry.workbook import CLUSTER_SHEET, UNIT_SHEET
from scoring.services.clusters_admin import (
    create_cluster,
    rename_cluster,
    set_members,
    set_officers,
)
from scoring.services.registry_sheets import export_registry_xlsx, import_registry_xlsx
from scoring.services.units_admin import close_unit, create_unit, edit_unit, merge_units
from storage.audit import verify
from storage.errors import ServiceError
from storage.tables import AuditEntry

pytestmark = pytest.mark.db

START = date(2020, 1, 1)


def small_registry() -> Registry:
    return Registry("08", "Tỉnh Tuyên Quang", (
        Cluster("khoi.tong_hop", "Khối tổng hợp", "agency"),
        Cluster("khoi.kinh_te", "Khối kinh tế", "agency"),
        Cluster("cum.xa", "Cụm các xã", "commune"),
    ), (
        Unit("08", "Tỉnh Tuyên Quang", "province", "province", None, None, START),
        Unit("CQ01", "Văn phòng UBND tỉnh", "agency.so", "agency", "08", "khoi.tong_hop", START),
        Unit("CQ02", "Sở Nội vụ", "agency.so", "agency", "08", "khoi.tong_hop", START,
             tags=("tthc",)),
        Unit("H1", "Huyện Yên Sơn", "district.huyen", "district", "08", None, START),
        Unit("X1", "Xã Kim Phú", "commune.xa", "commune", "H1", "cum.xa", START),
        Unit("X2", "Xã Mỹ Bằng", "commune.xa", "commune", "H1", "cum.xa", START),
        Unit("X3", "Xã Thái Bình", "commune.xa", "commune", "08", "cum.xa", START),
    ))


@pytest.fixture
async def stored(clean_db: str) -> Registry:
    registry = small_registry()
    await save_registry(registry, "admin")
    return registry


async def _entries(action: str) -> list[dict[str, object]]:
    return list(await AuditEntry.select(
        AuditEntry.actor, AuditEntry.entity_id, AuditEntry.before, AuditEntry.after).where(
        AuditEntry.action == action).order_by(AuditEntry.seq))


async def test_create_a_unit_is_stored_and_audited(stored: Registry) -> None:
    unit = await create_unit("staff", code=" CQ03 ", name="Sở Tài chính", kind="agency.so",
                             parent="08", cluster="khoi.kinh_te", valid_from=date(2024, 1, 1),
                             tags=["tthc", " ", "tthc", "so"])
    assert unit.code == "CQ03" and unit.level == "agency" and unit.tags == ("tthc", "so")
    assert (await load_registry_from_db()).unit("CQ03") == unit
    [entry] = await _entries("unit.create")
    assert entry["actor"] == "staff" and entry["entity_id"] == "CQ03" and not entry["before"]
    assert json.loads(str(entry["after"]))["cluster"] == "khoi.kinh_te"
    assert (await verify()).ok


async def test_a_taken_code_or_a_broken_rule_is_refused_and_nothing_written(stored: Registry) -> None:
    before = await AuditEntry.count()
    with pytest.raises(ServiceError) as taken:
        await create_unit("staff", code="CQ01", name="Trùng", kind="agency.so", parent="08",
                          cluster=None, valid_from=START)
    assert taken.value.code == "conflict" and "«CQ01»" in taken.value.message
    with pytest.raises(ServiceError) as wrong_level:
        await create_unit("staff", code="X9", name="Xã Mới", kind="commune.xa", parent="08",
                          cluster="khoi.kinh_te", valid_from=START)
    assert wrong_level.value.code == "invalid_input"
    assert "«X9»" in wrong_level.value.message and "khoi.kinh_te" in wrong_level.value.message
    with pytest.raises(ServiceError) as no_parent:
        await create_unit("staff", code="X9", name="Xã Mới", kind="commune.xa", parent="H9",
                          cluster=None, valid_from=START)
    assert "đơn vị cấp trên 'H9' không có trong danh mục" in no_parent.value.message
    with pytest.raises(ServiceError) as bad_kind:
        await create_unit("staff", code="X9", name="Xã Mới", kind="xa", parent=None,
                          cluster=None, valid_from=START)
    assert bad_kind.value.details["field"] == "kind"
    assert await AuditEntry.count() == before
    assert not (await load_registry_from_db()).has("X9")


async def test_edit_changes_name_kind_parent_cluster_tags(stored: Registry) -> None:
    after = await edit_unit("staff", "CQ02", name="Sở Nội vụ tỉnh", kind="agency.so", parent="08",
                            cluster="khoi.kinh_te", tags=["tthc", "cải cách"])
    assert after == (await load_registry_from_db()).unit("CQ02")
    assert (after.name, after.cluster, after.tags) == ("Sở Nội vụ tỉnh", "khoi.kinh_te",
                                                      ("tthc", "cải cách"))
    [entry] = await _entries("unit.edit")
    assert json.loads(str(entry["before"]))["name"] == "Sở Nội vụ"
    assert json.loads(str(entry["after"]))["name"] == "Sở Nội vụ tỉnh"
    # An edit that changes nothing writes nothing.
    await edit_unit("staff", "CQ02", name="Sở Nội vụ tỉnh", kind="agency.so", parent="08",
                    cluster="khoi.kinh_te", tags=["tthc", "cải cách"])
    assert len(await _entries("unit.edit")) == 1


async def test_an_edit_that_breaks_the_cluster_level_is_refused(stored: Registry) -> None:
    with pytest.raises(ServiceError) as caught:
        await edit_unit("staff", "CQ02", name="Sở Nội vụ", kind="district.huyen", parent="08",
                        cluster="khoi.tong_hop", tags=[])
    assert "«CQ02»" in caught.value.message and "cấp 'district'" in caught.value.message
    with pytest.raises(ServiceError) as missing:
        await edit_unit("staff", "ZZ", name="Không có", kind="agency.so", parent=None,
                        cluster=None, tags=[])
    assert missing.value.code == "not_found"
    assert (await load_registry_from_db()).unit("CQ02") == stored.unit("CQ02")
    assert await _entries("unit.edit") == []


async def test_close_a_unit_and_refuse_to_close_a_parent_with_open_children(stored: Registry) -> None:
    closed = await close_unit("staff", "X3", date(2025, 6, 30))
    assert (await load_registry_from_db()).unit("X3").valid_to == date(2025, 6, 30) == closed.valid_to
    assert len(await _entries("unit.close")) == 1
    with pytest.raises(ServiceError) as caught:
        await close_unit("staff", "H1", date(2025, 6, 30))
    assert "«H1»" in caught.value.message and "'X1'" in caught.value.message
    with pytest.raises(ServiceError) as early:
        await close_unit("staff", "CQ01", date(2019, 12, 31))
    assert "ngày hết hiệu lực trước ngày bắt đầu" in early.value.message
    assert (await load_registry_from_db()).unit("H1").valid_to is None


async def test_merge_closes_the_sources_with_the_target_as_successor(stored: Registry) -> None:
    last_day = date(2025, 6, 30)
    merged = await merge_units("staff", ["X1", "X2", "X1"], "X3", last_day)
    registry = await load_registry_from_db()
    for code in ("X1", "X2"):
        unit = registry.unit(code)
        assert (unit.valid_to, unit.successors) == (last_day, ("X3",))
    assert [u.code for u in merged] == ["X1", "X2"]
    assert registry.unit("X3").valid_to is None
    assert [e["entity_id"] for e in await _entries("unit.merge")] == ["X1", "X2"]
    assert (await verify()).ok


async def test_a_bad_merge_is_refused_and_nothing_written(stored: Registry) -> None:
    await close_unit("staff", "X3", date(2025, 6, 30))
    with pytest.raises(ServiceError) as into_closed:
        await merge_units("staff", ["X1"], "X3", date(2025, 6, 30))
    assert "«X3»" in into_closed.value.message and "hết hiệu lực" in into_closed.value.message
    with pytest.raises(ServiceError) as itself:
        await merge_units("staff", ["X1"], "X1", date(2025, 6, 30))
    assert "chính nó" in itself.value.message
    with pytest.raises(ServiceError) as unknown:
        await merge_units("staff", ["X1", "ZZ"], " YY ", date(2025, 6, 30))
    assert unknown.value.code == "invalid_input" and "«ZZ», «YY»" in unknown.value.message
    with pytest.raises(ServiceError) as nothing:
        await merge_units("staff", [" "], "X2", date(2025, 6, 30))
    assert nothing.value.details["field"] == "sources"
    with pytest.raises(ServiceError) as closed_before:
        await merge_units("staff", ["X3"], "X2", date(2025, 12, 31))
    assert "«X3»" in closed_before.value.message and "30/06/2025" in closed_before.value.message
    with pytest.raises(ServiceError) as parent_open_children:
        await merge_units("staff", ["H1"], "CQ01", date(2025, 6, 30))
    assert "'X1'" in parent_open_children.value.message
    assert await _entries("unit.merge") == []
    assert (await load_registry_from_db()).unit("X1").valid_to is None


async def test_create_and_rename_a_cluster(stored: Registry) -> None:
    cluster = await create_cluster("staff", code="khoi.noi_chinh", name=" Khối nội chính ",
                                   level="agency")
    assert (await load_registry_from_db()).cluster("khoi.noi_chinh") == cluster
    assert cluster.name == "Khối nội chính"
    renamed = await rename_cluster("staff", "khoi.noi_chinh", "Khối các cơ quan nội chính")
    assert (await load_registry_from_db()).cluster("khoi.noi_chinh").name == renamed.name
    [entry] = await _entries("cluster.rename")
    assert json.loads(str(entry["before"]))["name"] == "Khối nội chính"
    for bad, field in ((dict(code="khoi.kinh_te", name="Trùng", level="agency"), "code"),
                       (dict(code="k", name="Cấp sai", level="province"), "level"),
                       (dict(code="k", name=" ", level="agency"), "name")):
        with pytest.raises(ServiceError) as caught:
            await create_cluster("staff", **bad)
        assert caught.value.details["field"] == field
    assert len(await _entries("cluster.create")) == 1


async def test_members_leader_and_deputy(stored: Registry) -> None:
    members = await set_members("staff", "khoi.kinh_te", ["CQ02", "CQ01", ""])
    assert members == ["CQ01", "CQ02"]
    registry = await load_registry_from_db()
    assert [u.code for u in registry.members("khoi.kinh_te")] == ["CQ01", "CQ02"]
    assert registry.members("khoi.tong_hop") == ()
    cluster = await set_officers("staff", "khoi.kinh_te", "CQ01", "CQ02")
    assert (await load_registry_from_db()).cluster("khoi.kinh_te") == cluster
    assert (cluster.leader, cluster.deputy) == ("CQ01", "CQ02")
    [entry] = await _entries("cluster.officers")
    assert json.loads(str(entry["after"]))["leader"] == "CQ01"
    # The leader cannot leave the cluster, nor be moved out by a unit edit.
    with pytest.raises(ServiceError) as leaving:
        await set_members("staff", "khoi.kinh_te", ["CQ02"])
    assert "cụm trưởng 'CQ01' không phải đơn vị thành viên" in leaving.value.message
    with pytest.raises(ServiceError) as moved:
        await edit_unit("staff", "CQ02", name="Sở Nội vụ", kind="agency.so", parent="08",
                        cluster="khoi.tong_hop", tags=["tthc"])
    assert "cụm phó 'CQ02'" in moved.value.message
    assert [u.code for u in (await load_registry_from_db()).members("khoi.kinh_te")] == [
        "CQ01", "CQ02"]


async def test_bad_members_or_officers_are_refused(stored: Registry) -> None:
    with pytest.raises(ServiceError) as wrong_level:
        await set_members("staff", "khoi.kinh_te", ["CQ01", "X1"])
    assert "«khoi.kinh_te»" in wrong_level.value.message and "'X1'" in wrong_level.value.message
    with pytest.raises(ServiceError) as unknown:
        await set_members("staff", "khoi.kinh_te", ["ZZ"])
    assert "«ZZ»" in unknown.value.message
    with pytest.raises(ServiceError) as outsider:
        await set_officers("staff", "khoi.tong_hop", "CQ01", "X1")
    assert "cụm phó 'X1' không phải đơn vị thành viên" in outsider.value.message
    with pytest.raises(ServiceError) as same:
        await set_officers("staff", "khoi.tong_hop", "CQ01", "CQ01")
    assert "hai đơn vị khác nhau" in same.value.message
    with pytest.raises(ServiceError) as missing:
        await set_officers("staff", "khoi.khong_co", None, None)
    assert missing.value.code == "not_found"
    registry = await load_registry_from_db()
    assert registry.cluster("khoi.tong_hop").leader is None
    assert registry.unit("X1").cluster == "cum.xa"
    assert await _entries("cluster.members") == [] and await _entries("cluster.officers") == []


async def test_registry_file_round_trip_keeps_leader_and_deputy(stored: Registry) -> None:
    await set_officers("staff", "cum.xa", "X1", "X3")
    registry = await load_registry_from_db()
    doc = registry_to_dict(registry)
    assert next(c for c in doc["clusters"] if c["code"] == "cum.xa")["leader"] == "X1"
    assert "leader" not in next(c for c in doc["clusters"] if c["code"] == "khoi.kinh_te")
    assert registry_from_dict(doc) == registry
    await save_registry(small_registry(), "admin")  # the file's truth: no officers
    assert (await load_registry_from_db()).cluster("cum.xa").leader is None


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _save(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_xlsx_export_then_import_round_trips(stored: Registry) -> None:
    await set_officers("staff", "cum.xa", "X1", "X2")
    data = await export_registry_xlsx()
    book = _book(data)
    assert book.sheetnames == [UNIT_SHEET, CLUSTER_SHEET]
    units = list(book[UNIT_SHEET].iter_rows(values_only=True))
    assert units[0][:3] == ("Mã đơn vị", "Tên đơn vị", "Loại") and len(units) == 8
    assert [r for r in book[CLUSTER_SHEET].iter_rows(values_only=True)][3] == (
        "cum.xa", "Cụm các xã", "commune", "X1", "X2")
    before = await load_registry_from_db()
    counts = await import_registry_xlsx("staff", data)
    assert (counts["units_new"], counts["units_changed"], counts["clusters_changed"]) == (0, 0, 0)
    assert await load_registry_from_db() == before


async def test_xlsx_import_adds_and_changes_units_and_clusters(stored: Registry) -> None:
    book = _book(await export_registry_xlsx())
    units, clusters = book[UNIT_SHEET], book[CLUSTER_SHEET]
    units.append(["X4", "Phường Mới", "Phường", None, "H1", "cum.xa2", "01/07/2025", None,
                  "bien_gioi, tthc", None, None])
    units["B3"] = "Văn phòng Ủy ban nhân dân tỉnh"
    clusters.append(["cum.xa2", "Cụm xã 2", "commune", "X4", None])
    counts = await import_registry_xlsx("staff", _save(book))
    assert (counts["units_new"], counts["units_changed"], counts["clusters_new"]) == (1, 1, 1)
    registry = await load_registry_from_db()
    x4 = registry.unit("X4")
    assert (x4.kind, x4.level, x4.valid_from, x4.tags) == (
        "commune.phuong", "commune", date(2025, 7, 1), ("bien_gioi", "tthc"))
    assert registry.cluster("cum.xa2").leader == "X4"
    assert registry.unit("CQ01").name == "Văn phòng Ủy ban nhân dân tỉnh"


async def test_a_bad_xlsx_names_every_bad_row_and_saves_nothing(stored: Registry) -> None:
    book = _book(await export_registry_xlsx())
    units = book[UNIT_SHEET]
    units.append(["X5", "Xã Năm", "xã to", None, "08", None, "32/01/2025", None, None, None, None])
    units.append(["X1", "Xã Trùng", "commune.xa", None, "08", None, "01/01/2025", None, None,
                  None, None])
    units["B3"] = None
    before = await AuditEntry.count()
    with pytest.raises(ServiceError) as caught:
        await import_registry_xlsx("staff", _save(book))
    assert caught.value.code == "import_invalid"
    found = {(i["file"], i["row"], i["column"]) for i in caught.value.details}
    assert found == {(UNIT_SHEET, 9, "Loại"), (UNIT_SHEET, 9, "Hiệu lực từ ngày"),
                     (UNIT_SHEET, 10, "Mã đơn vị"), (UNIT_SHEET, 3, "Tên đơn vị")}
    assert any("trùng với dòng 6" in i["reason"] for i in caught.value.details)
    # Cells all readable, but the rules broken: a cluster of the wrong level, an outside leader.
    book = _book(await export_registry_xlsx())
    book[UNIT_SHEET]["F2"] = "cum.xa"  # the province into a commune cluster
    book[CLUSTER_SHEET]["D2"] = "X1"  # a commune leads an agency cluster
    with pytest.raises(ServiceError) as rules:
        await import_registry_xlsx("staff", _save(book))
    placed = {(i["file"], i["row"], i["column"]) for i in rules.value.details}
    assert placed == {(UNIT_SHEET, 2, "Mã khối/cụm"), (CLUSTER_SHEET, 2, "Cụm trưởng")}
    with pytest.raises(ServiceError) as unreadable:
        await import_registry_xlsx("staff", b"not a workbook")
    assert "không đọc được tệp Excel" in unreadable.value.details[0]["reason"]
    assert await AuditEntry.count() == before
    assert await load_registry_from_db() == stored


async def test_a_hostile_registry_workbook_is_refused_before_unpacking(stored: Registry) -> None:
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (70 * 1024 * 1024))
    for data, words in ((bomb.getvalue(), "vượt giới hạn 60 MB"), (b"x" * (6 * 1024 * 1024), "lớn hơn 5 MB")):
        with pytest.raises(ServiceError) as caught:
            await import_registry_xlsx("staff", data)
        assert words in json.dumps(caught.value.details, ensure_ascii=False), caught.value.details
    assert await load_registry_from_db() == stored
