"""The ``thidua`` command line as staff and scripts use it: exit codes, messages, output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from api.cli import main
from criteria.shipped import shipped_plan_path
from scoring.core.units import load_registry

PLAN = str(shipped_plan_path())


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out)]) == 0
    return out


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_plan_check_accepts_the_shipped_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "check", PLAN)
    assert code == 0
    assert "Kế hoạch hợp lệ" in out and "sha256" in out


def test_plan_check_lists_every_mistake_with_its_key_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = Path(PLAN).read_text(encoding="utf-8")
    broken = (
        text.replace('direction = "lower"', 'direction = "down"', 1)
        .replace("max_points = 100\n", "max_points = 90\n", 1)
        .replace('[ranking]\norder = ["percent"', '[ranking]\norder = ["diem"', 1)
    )
    assert broken.count('"down"') == 1 and '"diem"' in broken
    path = tmp_path / "sai.toml"
    path.write_text(broken, encoding="utf-8")
    code, _, err = run(capsys, "plan", "check", str(path))
    assert code == 1
    assert ".direction: giá trị «down» không hợp lệ" in err
    assert "levels[0].max_points: tổng điểm tối đa" in err
    assert "ranking.order[0]: khóa xếp hạng «diem» không hợp lệ" in err
    assert "có 3 lỗi" in err


def test_usage_errors_exit_2_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["score", PLAN])
    assert exc.value.code == 2
    assert "thiếu các tham số bắt buộc" in capsys.readouterr().err


def test_score_json_covers_every_demo_unit_and_ranks_each_cluster_1_to_n(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = demo_dir / "ket-qua.json"
    code, _, err = run(capsys, "score", PLAN, "--units", str(demo_dir / "units.json"),
                       "--data", str(demo_dir / "2024"), "--period", "2024",
                       "--format", "json", "--out", str(out_file))
    assert code == 0, err
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    assert doc["period"] == 2024 and len(doc["data_sha256"]) == 64 and len(doc["plan"]["sha256"]) == 64
    registry = load_registry(demo_dir / "units.json")
    competing = {u.code for u in registry.units if u.level != "province"}
    assert {r["unit_code"] for r in doc["results"]} == competing
    ranks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in doc["results"]:
        ranks[(r["level"], r["cluster"])].append(r["rank_in_cluster"])
        assert set(r) >= {"unit_code", "unit_name", "level", "cluster", "total", "max", "percent",
                          "band", "rank_in_cluster", "rank_overall", "bonus", "deductions", "criteria"}
        for c in r["criteria"]:
            assert set(c) >= {"id", "value", "target", "points", "max_points", "status"}
            assert 0 <= (c["points"] or 0) <= c["max_points"]
    for cluster, got in ranks.items():
        assert sorted(got) == list(range(1, len(got) + 1)), f"hạng trong {cluster} không liên tục"


def test_score_table_and_csv(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["score", PLAN, "--units", str(demo_dir / "units.json"), "--data", str(demo_dir / "2024"),
            "--period", "2024", "--level", "district"]
    code, out, _ = run(capsys, *base)
    assert code == 0
    assert "Cấp huyện" in out and "Huyện Chiêm Hóa" in out and "Xếp loại" in out
    code, out, _ = run(capsys, *base, "--format", "csv")
    lines = out.strip().splitlines()
    assert code == 0 and lines[0].startswith("unit_code,unit_name,level") and len(lines) == 1 + 7


def test_explain_shows_each_criterion_of_one_commune(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "explain", PLAN, "--units", str(demo_dir / "units.json"),
                         "--data", str(demo_dir / "2024"), "--period", "2024", "--unit", "02200")
    assert code == 0, err
    assert out.startswith("Phường Phan Thiết (02200) — Cấp xã")
    assert "Tổng điểm:" in out and "Xếp hạng:" in out and "Tình trạng" in out


def test_bad_indicator_file_names_each_row_and_column_and_scores_nothing(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = demo_dir / "2024" / "cap-xa.csv"
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    header, rows = lines[0], lines[1:]
    bad = tmp_path / "cap-xa.csv"
    rows[2] = ",".join([*rows[2].split(",")[:3], "abc"])  # text where a number belongs
    rows[5] = "99999," + ",".join(rows[5].split(",")[1:])  # unknown unit
    bad.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    out_file = tmp_path / "kq.json"
    code, out, err = run(capsys, "score", PLAN, "--units", str(demo_dir / "units.json"),
                         "--data", str(bad), "--period", "2024", "--format", "json",
                         "--out", str(out_file))
    assert code == 1
    assert "dòng 4" in err and "dòng 7" in err, err
    assert "«abc»" in err and "99999" in err
    assert "Không có số liệu nào được chấm" in err
    assert not out_file.exists() and out == ""


def test_console_script_runs(tmp_path: Path) -> None:
    exe = shutil.which("thidua", path=str(Path(sys.executable).parent))
    assert exe, "lệnh thidua chưa được cài vào môi trường"
    done = subprocess.run([exe, "plan", "check", PLAN], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Kế hoạch hợp lệ" in done.stdout
