"""The plan loader: the shipped plan, the stable sha256, and every mistake reported at once."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

import criteria
from criteria.loader import PlanError, load_plan
from criteria.model import Plan

SHIPPED = Path(criteria.__file__).parent / "plans" / "tuyen-quang-de-an-06-2022-2025.toml"

HEADER = """
[plan]
id = "thu-nghiem"
version = "1"
title = "Phong trào thi đua thử nghiệm"
issuer = "UBND tỉnh Tuyên Quang"
source = "seeds/004"
valid_from = 2024-01-01
valid_to = 2025-12-31

[[levels]]
id = "xa"
name = "Cấp xã"
subject = "collective"
unit_kinds = ["commune"]
max_points = {max_points}

[[indicators]]
id = "ty_le"
level = "xa"
name = "Tỷ lệ hồ sơ được số hóa"
kind = "percent"
unit = "%"

[[indicators]]
id = "co_ke_hoach"
level = "xa"
name = "Có kế hoạch triển khai"
kind = "yes_no"
unit = "có/không"

[[groups]]
id = "g.chung"
level = "xa"
name = "Nhóm chung"
"""

VALID = HEADER.format(max_points=20) + """
[[criteria]]
id = "c.so-hoa"
level = "xa"
group = "g.chung"
name = "Số hóa hồ sơ"
indicator = "ty_le"
method = "ratio_to_target"
target = 90
max_points = 10
source = "seeds/004 §II.2.1.c"

[[criteria]]
id = "c.ke-hoach"
level = "xa"
group = "g.chung"
name = "Ban hành kế hoạch"
indicator = "co_ke_hoach"
method = "yes_no"
max_points = 10
mandatory = true
source = "seeds/004 §II.2.1.c"

[[bands]]
id = "tot"
level = "xa"
name = "Hoàn thành tốt"
min_percent = 80

[[bands]]
id = "khac"
level = "xa"
name = "Còn lại"
min_percent = 0

[ranking]
order = ["percent", "final_total"]
"""


def criterion(cid: str, extra: str, group: str = "g.chung") -> str:
    return (f'\n[[criteria]]\nid = "{cid}"\nlevel = "xa"\ngroup = "{group}"\nname = "Tiêu chí {cid}"\n'
            f'indicator = "ty_le"\nmax_points = 5\nsource = "seeds/004"\n{extra}\n')


BROKEN = (
    HEADER.format(max_points=35)
    + criterion("c.a", 'method = "threshold"\ntarget = 90\ntrong_so = 2')  # unknown key
    + criterion("c.b", 'method = "ratio_to_target"')  # no target
    + criterion("c.c", 'method = "threshold"\ntarget = 90', group="g.khong-co")  # unknown group
    + criterion("c.a", 'method = "threshold"\ntarget = 80')  # duplicate id
    + criterion("c.e", 'method = "threshold"\ntarget = 120')  # a percent above 100
    + criterion("c.f", 'method = "threshold"\ntarget = 90\ndirection = "up"')  # bad direction
    + criterion("c.g", 'method = "bands"\nbands = [[80, 2], [50, 5]]')  # thresholds not ascending
    + """
[[bands]]
id = "tot"
level = "xa"
name = "Hoàn thành tốt"
min_percent = 80

[[bands]]
id = "khac"
level = "xa"
name = "Còn lại"
min_percent = 10

[ranking]
order = ["percent"]
"""  # the last band does not take every unit
)


def write(tmp_path: Path, text: str, name: str = "ke-hoach.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped_plan() -> Plan:
    return load_plan(SHIPPED)


def test_shipped_plan_has_four_levels_whose_criteria_fill_their_scale(shipped_plan: Plan) -> None:
    assert [lvl.id for lvl in shipped_plan.levels] == ["agency", "district", "commune", "individual"]
    for lvl in shipped_plan.levels:
        total = sum(c.max_points for c in shipped_plan.criteria_of(lvl.id))
        assert total == pytest.approx(lvl.max_points), f"Cấp {lvl.id}: tổng điểm tiêu chí {total}"
        assert shipped_plan.bands_of(lvl.id)[-1].min_percent == 0


def test_every_shipped_criterion_cites_a_seed(shipped_plan: Plan) -> None:
    uncited = [c.id for c in shipped_plan.criteria if "seeds/00" not in c.source]
    assert not uncited, f"Tiêu chí không ghi nguồn (seeds/00…): {uncited}"


def test_sha256_is_stable_across_loads(shipped_plan: Plan) -> None:
    again = load_plan(SHIPPED)
    assert again.sha256 == shipped_plan.sha256 and len(again.sha256) == 64
    assert again.canonical_json == shipped_plan.canonical_json


def test_sha256_changes_when_one_target_changes(tmp_path: Path, shipped_plan: Plan) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    assert "\ntarget = 100\n" in text
    edited = load_plan(write(tmp_path, text.replace("\ntarget = 100\n", "\ntarget = 99\n", 1)))
    assert edited.sha256 != shipped_plan.sha256, "Đổi một chỉ tiêu mà mã băm kế hoạch không đổi"


def test_sha256_ignores_key_order_comments_defaults_and_unicode_form(tmp_path: Path) -> None:
    reference = load_plan(write(tmp_path, VALID, "goc.toml")).sha256
    reordered = VALID.replace(
        'id = "thu-nghiem"\nversion = "1"\n', 'version = "1"\n# mã kế hoạch\nid = "thu-nghiem"\n'
    ).replace(
        'method = "ratio_to_target"\ntarget = 90\nmax_points = 10\n',
        'max_points = 10\ntarget = 90\nmethod = "ratio_to_target"\n',
    )
    with_defaults = VALID.replace('method = "ratio_to_target"\n',
                                  'method = "ratio_to_target"\ndirection = "higher"\nmissing = "zero"\n')
    decomposed = VALID.replace("Số hóa hồ sơ", unicodedata.normalize("NFD", "Số hóa hồ sơ"))
    assert decomposed != VALID
    for name, text in [("reordered", reordered), ("defaults", with_defaults), ("nfd", decomposed)]:
        assert text != VALID, name
        assert load_plan(write(tmp_path, text, f"{name}.toml")).sha256 == reference, (
            f"Cùng nội dung kế hoạch ({name}) mà mã băm khác"
        )


def test_every_mistake_is_reported_with_its_key_path(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(write(tmp_path, BROKEN))
    issues = {issue.path: issue.message for issue in caught.value.issues}
    assert len(caught.value.issues) == len(issues), "Một chỗ sai bị báo nhiều lần"
    assert set(issues) == {
        "criteria[0].trong_so", "criteria[1].target", "criteria[2].group", "criteria[3].id",
        "criteria[4].target", "criteria[5].direction", "criteria[6].bands", "bands[1]",
    }
    assert "khóa không được hỗ trợ" in issues["criteria[0].trong_so"]
    assert issues["criteria[1].target"] == "thiếu khóa bắt buộc"
    assert "nhóm «g.khong-co» không có trong [[groups]]" in issues["criteria[2].group"]
    assert "mã «c.a» bị trùng với criteria[0]" in issues["criteria[3].id"]
    assert "0–100" in issues["criteria[4].target"] and "120" in issues["criteria[4].target"]
    assert "giá trị «up» không hợp lệ" in issues["criteria[5].direction"]
    assert "tăng dần" in issues["criteria[6].bands"]
    assert "mức xếp loại cuối phải nhận mọi đơn vị" in issues["bands[1]"]
    assert f"có {len(issues)} lỗi" in str(caught.value)


def test_invalid_toml_gives_one_clear_issue(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(write(tmp_path, '[plan\nid = "x"\n'))
    (issue,) = caught.value.issues
    assert issue.path == "(cú pháp TOML)"
    assert "line 1" in issue.message, f"Lỗi cú pháp phải chỉ ra dòng: {issue.message}"


def test_a_missing_file_is_reported_not_raised_raw(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path / "khong-co.toml")
    (issue,) = caught.value.issues
    assert (issue.path, issue.message) == ("(tệp)", "không tìm thấy tệp")
