"""Benchmark: a national year. Every current commune and ward of the 34 provinces (from
``vietnam-provinces``) as one level, and 30,000 officials as another, through the real services.

Steps, each timed (seconds) with the process's peak memory after it (MiB): store the registry and
the two shipped plans; generate the year's data as XLSX entry sheets (one row per unit); import
(all or nothing, appraised); score each level; publish it; then open the public ranking and one
commune's dashboard through the app (cold: the first request of each). The communes are scored on
the 2025 plan (agencies and communes), the officials on the 2022–2025 plan (its individual level);
each engine runs in a fresh database in its own process, so the peaks do not mix.

    python benchmarks/bench_national.py [--engines sqlite,postgres] [--individuals 30000]
        [--postgres postgres://postgres@127.0.0.1:5432]

Goals (issue 11): import + run + publish of the communes ≤ 20 s on PostgreSQL; of the 30,000
officials ≤ 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
YEAR_COMMUNES = YEAR_OFFICIALS = 2025  # the 2022–2025 plan still runs to 31 Dec 2025
PASSWORD = "Bench-national-2026"
T = TypeVar("T")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Steps:
    """Seconds and the peak memory after each step, in order."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def time(self, name: str, work: Callable[[], Awaitable[T]]) -> T:
        start = time.perf_counter()
        result = await work()
        self.rows.append({"step": name, "seconds": round(time.perf_counter() - start, 3),
                          "peak_mib": round(peak_mib(), 1)})
        return result


def national_registry(n_officials: int) -> Any:
    """The 34 provinces' current communes (one cluster per province) and ``n_officials`` officials
    spread over them (one cluster per province)."""
    from scoring.core.units import Cluster, Registry, Unit
    from scoring.registry.provinces import build_province_registry, provinces

    clusters: list[Cluster] = []
    units: list[Unit] = []
    communes: list[Unit] = []
    for info in provinces():
        built = build_province_registry(info).registry
        units.append(next(u for u in built.units if u.level == "province"))
        clusters += [Cluster(f"XA{info.code}", f"Cụm xã, phường {info.full_name}", "commune"),
                     Cluster(f"CN{info.code}", f"Khối cá nhân {info.full_name}", "individual")]
        for u in built.units:
            if u.level == "commune":
                communes.append(Unit(u.code, u.name, u.kind, u.level, u.parent, f"XA{info.code}",
                                     u.valid_from))
    officials = [Unit(f"CN{n:06d}", f"Cán bộ số {n}", "individual.cbccvc", "individual",
                      communes[n % len(communes)].code, f"CN{communes[n % len(communes)].parent}",
                      communes[n % len(communes)].valid_from) for n in range(n_officials)]
    return Registry("VN", "Toàn quốc", tuple(clusters), (*units, *communes, *officials))


def write_sheet(folder: Path, plan: Any, registry: Any, level: str, year: int) -> Path:
    """The level's XLSX entry sheet for the year, every unit's row filled with demo values."""
    from demo.indicators import demo_values
    from scoring.core.pipeline import competing_units
    from scoring.intake.template import write_template

    units = competing_units(registry, plan, level, year)
    path = folder / f"{level}-{year}.xlsx"
    write_template(plan, level, units, path, values=demo_values(plan, registry, year))
    return path


async def child(n_officials: int) -> dict[str, Any]:
    from litestar.testing import TestClient

    from accounts.service import create_account
    from criteria.shipped import PLAN_2022_2025, PLAN_2025
    from scoring.registry.store import save_registry
    from scoring.services import periods, plan_store, runs, values
    from scoring.services.publish import publish_run
    from server.app import create_app
    from storage.db import migrate

    steps = Steps()
    await migrate()
    registry = await steps.time("danh mục: dựng từ vietnam-provinces",
                                lambda: asyncio.to_thread(national_registry, n_officials))
    await steps.time("danh mục: lưu", lambda: save_registry(registry, "bench"))
    await create_account("quantri", "Quản trị", PASSWORD, "admin")
    window = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2026, 1, 31, tzinfo=UTC))
    counts: dict[str, int] = {}
    dashboard = ""
    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as tmp:
        for level, plan_path, year in (("commune", PLAN_2025, YEAR_COMMUNES),
                                       ("individual", PLAN_2022_2025, YEAR_OFFICIALS)):
            version, plan, _ = await plan_store.save_plan_version(plan_path.read_text("utf-8"), "bench")
            period = await periods.open_period(version, year, *window, actor="bench")
            sheet = await steps.time(f"{level}: sinh tệp XLSX", lambda: asyncio.to_thread(
                write_sheet, Path(tmp), plan, registry, level, year))  # noqa: B023 (awaited at once)
            summary = await steps.time(f"{level}: nhập", lambda: values.import_files(
                period, [sheet], actor="bench", as_appraised=True))  # noqa: B023
            run = await steps.time(f"{level}: chấm điểm", lambda: runs.start_run(
                period, level, actor="bench"))  # noqa: B023
            await steps.time(f"{level}: công bố", lambda: publish_run(run["id"], actor="bench"))  # noqa: B023
            counts[level] = len(await runs.run_results(run["id"]))
            counts[f"{level}_values"] = int(summary.get("rows", 0)) if isinstance(summary, dict) else 0
            if level == "commune":
                dashboard = f"/don-vi/{(await runs.run_results(run['id']))[0]['unit_code']}?ky={period}"
                ranking = f"/?ky={period}"

    def pages() -> dict[str, float]:
        out = {}
        with TestClient(create_app()) as client:
            start = time.perf_counter()
            assert client.get(ranking).status_code == 200
            out["ranking"] = time.perf_counter() - start
            client.post("/dang-nhap", data={"username": "quantri", "password": PASSWORD})
            start = time.perf_counter()
            assert client.get(dashboard).status_code == 200
            out["dashboard"] = time.perf_counter() - start
        return out

    start = time.perf_counter()
    opened = await asyncio.to_thread(pages)
    steps.rows.append({"step": "trang xếp hạng công khai (lần đầu)", "seconds": round(opened["ranking"], 3),
                       "peak_mib": round(peak_mib(), 1)})
    steps.rows.append({"step": "trang một xã (lần đầu)", "seconds": round(opened["dashboard"], 3),
                       "peak_mib": round(peak_mib(), 1)})
    del start
    return {"steps": steps.rows, "units": counts}


def database_for(engine: str, server: str) -> tuple[str, Callable[[], None]]:
    if engine == "sqlite":
        folder = tempfile.mkdtemp(prefix="thidua-bench-")
        return f"sqlite:///{folder}/bench.sqlite", lambda: None
    from storage.pg_server import on_server

    name = f"thidua_bench_{uuid.uuid4().hex[:8]}"
    on_server(server, f'CREATE DATABASE "{name}"')
    return f"{server}/{name}", lambda: on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(engine: str, found: dict[str, Any]) -> None:
    print(f"\n{engine}: {found['units']}")
    print(f"  {'bước':<42} {'giây':>9} {'bộ nhớ đỉnh (MiB)':>18}")
    for row in found["steps"]:
        print(f"  {row['step']:<42} {row['seconds']:>9.3f} {row['peak_mib']:>18.1f}")
    for level, goal in (("commune", 20.0), ("individual", 60.0)):
        total = sum(r["seconds"] for r in found["steps"]
                    if r["step"] in (f"{level}: nhập", f"{level}: chấm điểm", f"{level}: công bố"))
        print(f"  {level}: nhập + chấm + công bố = {total:.2f} s (mục tiêu ≤ {goal:.0f} s trên PostgreSQL)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--individuals", type=int, default=30_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(asyncio.run(child(args.individuals)), ensure_ascii=False))
        return 0
    for engine in args.engines.split(","):
        url, drop = database_for(engine, args.postgres)
        env = {**os.environ, "DATABASE_URL": url, "THIDUA_DB_POOL": "0", "PYTHONPATH": str(ROOT)}
        try:
            argv = [sys.executable, __file__, "--child", "--individuals", str(args.individuals)]
            done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        finally:
            drop()
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return 1
        report(engine, json.loads(done.stdout.strip().splitlines()[-1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
