"""The demo data set: deterministic, readable by the intake, and realistic once scored."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from criteria.loader import load_plan
from criteria.model import Plan
from demo.indicators import FILE_NAMES, demo_values, write_demo
from demo.registry_tuyen_quang import build_tuyen_quang_registry
from scoring.core.pipeline import LevelResult, competing_units, score_level
from scoring.core.units import Registry, load_registry
from scoring.intake.reader import read_indicator_files

ROOT = Path(__file__).resolve().parents[3]
PLAN_PATH = ROOT / "criteria" / "plans" / "tuyen-quang-de-an-06-2022-2025.toml"
PERIODS = (2023, 2024)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(PLAN_PATH)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return build_tuyen_quang_registry()


@pytest.fixture(scope="module")
def frames(plan: Plan, registry: Registry) -> dict[int, pd.DataFrame]:
    return {period: demo_values(plan, registry, period) for period in PERIODS}


@pytest.fixture(scope="module")
def scored(
    plan: Plan, registry: Registry, frames: dict[int, pd.DataFrame]
) -> dict[tuple[int, str], LevelResult]:
    return {
        (period, level.id): score_level(plan, registry, frames[period], level.id, period)
        for period in PERIODS
        for level in plan.levels
    }


@pytest.fixture(scope="module")
def written(
    plan: Plan, registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Path], float]:
    out = tmp_path_factory.mktemp("demo")
    start = time.perf_counter()
    paths = write_demo(out, plan, registry)
    return out, paths, time.perf_counter() - start


def _digests(root: Path, paths: list[Path]) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _level_frame(frame: pd.DataFrame, plan: Plan, level: str) -> pd.DataFrame:
    ids = {i.id for i in plan.indicators_of(level)}
    return frame[frame["indicator"].isin(ids)].reset_index(drop=True)


def test_files_written(written: tuple[Path, list[Path], float], plan: Plan) -> None:
    out, paths, seconds = written
    expected = [out / "units.json"] + [
        out / str(period) / FILE_NAMES[level.id] for period in PERIODS for level in plan.levels
    ]
    assert paths == expected
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert seconds < 5.0


def test_registry_file_round_trips(written: tuple[Path, list[Path], float], registry: Registry) -> None:
    out, _, _ = written
    assert load_registry(out / "units.json") == registry


def test_same_seed_gives_identical_bytes_and_frames(
    written: tuple[Path, list[Path], float],
    plan: Plan,
    registry: Registry,
    frames: dict[int, pd.DataFrame],
    tmp_path: Path,
) -> None:
    out, paths, _ = written
    again = write_demo(tmp_path, plan, registry)
    assert _digests(tmp_path, again) == _digests(out, paths)
    np.random.seed(12345)  # global state must not matter
    for period in PERIODS:
        pd.testing.assert_frame_equal(demo_values(plan, registry, period), frames[period])


def test_same_seed_is_identical_in_a_fresh_process(
    plan: Plan, registry: Registry, frames: dict[int, pd.DataFrame]
) -> None:
    code = (
        "import hashlib;from criteria.loader import load_plan;from demo.indicators import demo_values;"
        "from demo.registry_tuyen_quang import build_tuyen_quang_registry as b;"
        f"f=demo_values(load_plan({str(PLAN_PATH)!r}),b(),2024);"
        "print(hashlib.sha256(f.to_csv(index=False).encode()).hexdigest())"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    expected = hashlib.sha256(frames[2024].to_csv(index=False).encode()).hexdigest()
    assert run.stdout.strip() == expected


def test_different_seed_gives_different_values(
    written: tuple[Path, list[Path], float],
    plan: Plan,
    registry: Registry,
    frames: dict[int, pd.DataFrame],
    tmp_path: Path,
) -> None:
    other = demo_values(plan, registry, 2024, seed=7)
    merged = frames[2024].merge(other, on=["unit_code", "indicator"], suffixes=("", "_other"))
    assert len(merged) > 0.9 * len(other)
    assert (merged["value"] != merged["value_other"]).mean() > 0.3
    out, paths, _ = written
    mine = _digests(out, [p for p in paths if p.parent.name == "2024"])
    theirs = _digests(tmp_path, write_demo(tmp_path, plan, registry, periods=(2024,), seed=7)[1:])
    assert mine.keys() == theirs.keys()
    assert all(mine[name] != theirs[name] for name in mine)


def test_xlsx_files_carry_no_write_time(written: tuple[Path, list[Path], float]) -> None:
    _, paths, _ = written
    for path in (p for p in paths if p.suffix == ".xlsx"):
        with zipfile.ZipFile(path) as book:
            assert {info.date_time for info in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            core = book.read("docProps/core.xml").decode("utf-8")
        stamp = f"{path.parent.name}-12-31T00:00:00Z"
        assert core.count(stamp) == 2, path


def test_files_read_back_to_the_generated_values(
    written: tuple[Path, list[Path], float],
    plan: Plan,
    registry: Registry,
    frames: dict[int, pd.DataFrame],
) -> None:
    out, _, _ = written
    for period in PERIODS:
        for level in plan.levels:
            path = out / str(period) / FILE_NAMES[level.id]
            data = read_indicator_files([path], plan, registry, period, level.id)
            expected = _level_frame(frames[period], plan, level.id)
            pd.testing.assert_frame_equal(data.frame, expected, check_dtype=False)
            assert data.frame["value"].dtype == np.float64


def test_every_unit_has_values_and_about_three_percent_are_missing(
    plan: Plan, registry: Registry, frames: dict[int, pd.DataFrame]
) -> None:
    for period, frame in frames.items():
        cells = 0
        for level in plan.levels:
            codes = {u.code for u in competing_units(registry, plan, level.id, period)}
            part = _level_frame(frame, plan, level.id)
            assert set(part["unit_code"]) == codes, (period, level.id)
            cells += len(codes) * len(plan.indicators_of(level.id))
        assert not frame.duplicated(["unit_code", "indicator"]).any()
        assert 0.01 <= 1 - len(frame) / cells <= 0.06, period


def test_values_respect_kinds_and_ranges(plan: Plan, frames: dict[int, pd.DataFrame]) -> None:
    indicators = {i.id: i for i in plan.indicators}
    for frame in frames.values():
        assert list(frame.columns) == ["unit_code", "indicator", "value"]
        assert frame["value"].dtype == np.float64 and frame["value"].notna().all()
        for ind_id, values in frame.groupby("indicator")["value"]:
            ind = indicators[str(ind_id)]
            v = values.to_numpy()
            if ind.kind in ("count", "days", "date", "yes_no"):
                assert (v == np.round(v)).all(), ind.id
            if ind.kind != "date":
                assert (v >= 0).all(), ind.id
            if ind.kind == "percent":
                assert (v <= 100).all() and (np.round(v, 1) == v).all(), ind.id
            if ind.kind == "yes_no":
                assert set(v) <= {0.0, 1.0}, ind.id
            assert ind.min is None or (v >= ind.min).all(), ind.id
            assert ind.max is None or (v <= ind.max).all(), ind.id
        yes_no = frame[frame["indicator"].map(lambda i: indicators[i].kind == "yes_no")]
        criteria_yes_no = yes_no[yes_no["indicator"].isin({c.indicator for c in plan.criteria})]
        assert 0.75 <= criteria_yes_no["value"].mean() <= 0.95


def test_report_dates_are_mostly_on_time(plan: Plan, frames: dict[int, pd.DataFrame]) -> None:
    for period, frame in frames.items():
        days_late: list[pd.Series] = []
        for ded in plan.deductions:
            if ded.deadline is None:
                continue
            month, day = (int(x) for x in ded.deadline.split("-"))
            deadline = (pd.Timestamp(period, month, day) - pd.Timestamp(1970, 1, 1)).days
            days_late.append(frame.loc[frame["indicator"] == ded.indicator, "value"] - deadline)
        late = pd.concat(days_late)
        assert late.between(-30, 10).all(), period
        assert 0.05 < (late > 0).mean() < 0.3, period


def test_some_units_lose_points_for_a_late_annual_report(
    plan: Plan, scored: dict[tuple[int, str], LevelResult]
) -> None:
    for period in PERIODS:
        late = 0
        for level in plan.levels:
            result = scored[(period, level.id)]
            for d, ded in enumerate(result.compiled.deductions):
                if ded.deadline and ded.deadline.startswith("12-"):
                    late += int((result.result.deduction_items[:, d] > 0).sum())
        assert late > 0, period


def test_bands_vary_and_progress_shows(plan: Plan, scored: dict[tuple[int, str], LevelResult]) -> None:
    for level in plan.levels:
        for period in PERIODS:
            result = scored[(period, level.id)]
            band_ids = [result.compiled.bands[b].id for b in result.result.band]
            assert len(set(band_ids)) > 1, (period, level.id)
            assert any(b != "htxs" for b in band_ids), (period, level.id)
        latest = scored[(2024, level.id)]
        assert "htxs" in {latest.compiled.bands[b].id for b in latest.result.band}, level.id
        before = scored[(2023, level.id)].result.percent.mean()
        assert latest.result.percent.mean() > before, level.id
