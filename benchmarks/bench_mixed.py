"""Benchmark: publication day under a mixed load, while an import and a scoring run go on.

    python benchmarks/bench_mixed.py [--connections 64] [--seconds 20] [--units 0] [--workers 1]
                                     [--all-cold] [--postgres postgres://postgres@127.0.0.1:5432]

Builds a throw-away database (SQLite, or with ``--postgres`` a throw-away database on that
server, dropped at the end): the shipped plan, the Tuyên Quang registry, a 2024 period with
the demo commune data, scored and published, a 2025 period open for entry, and the accounts of
``--units`` communes (0: every commune), each with a session. Starts ``thidua``'s server on
127.0.0.1 (one uvicorn process, ``--workers`` workers), its caches cold: each unit's dashboard
is built from the database on its first view and again after the run below (a new results
version); with ``--all-cold`` the page cache is off (``THIDUA_PAGE_CACHE_MB=0``) and every
page is built from the database.

Then ``--connections`` keep-alive connections ask, in turn, for the public ranking ``/``, a
public unit page ``/don-vi/<code>/cong-khai`` and a commune officer's own dashboard
``/don-vi/<code>`` (each with that officer's cookie), the units drawn in turn from the
``--units`` communes, for ``--seconds`` seconds; meanwhile two other processes, as the
Department's staff would, import the 2025 commune data (``thidua import``) and then score it
(``thidua run``). The load lasts at least until both are done. Prints per kind of page:
requests, errors, p50, p99 and max latency; the verdict is no errors and p99 < 500 ms overall.
All traffic stays on 127.0.0.1; the server, the files and the database are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` importable
from benchmarks.loadgen import (  # noqa: E402
    RawConnection,
    free_port,
    percentile,
    server_env,
    start_server,
    stop,
    throwaway_database,
    wait_ready,
)

HOST = "127.0.0.1"
GOAL_P99_MS = 500.0
NEW_YEAR = 2025


async def load_data(folder: Path, units: int) -> tuple[list[tuple[str, str]], Path]:
    """The published 2024 ranking, an open 2025 period, and (code, session token) of ``units``
    communes; returns those and the 2025 data file to import."""
    from accounts.service import create_account, start_session
    from criteria.shipped import shipped_plan_path
    from demo.indicators import demo_values
    from demo.registry_tuyen_quang import build_tuyen_quang_registry
    from scoring.intake.template import write_long_csv
    from scoring.registry.store import save_registry
    from scoring.services.periods import open_period
    from scoring.services.plan_store import save_plan_version
    from scoring.services.publish import publish_run
    from scoring.services.runs import start_run
    from scoring.services.values import import_files

    version_id, plan, _ = await save_plan_version(shipped_plan_path().read_text(encoding="utf-8"), "bench")
    registry = build_tuyen_quang_registry()
    await save_registry(registry, "bench")
    commune = {i.id for i in plan.indicators_of("commune")}
    now = datetime.now(UTC)
    files = {}
    for year in (2024, NEW_YEAR):
        values = demo_values(plan, registry, year)
        files[year] = folder / f"cap-xa-{year}.csv"
        write_long_csv(values[values["indicator"].isin(commune)], year, files[year], plan=plan)
    closed = await open_period(version_id, 2024, datetime(2024, 1, 1, tzinfo=UTC),
                               datetime(2024, 12, 31, tzinfo=UTC), "bench")
    await import_files(closed, [files[2024]], actor="bench")
    await publish_run((await start_run(closed, "commune", "bench"))["id"], "bench")
    await open_period(version_id, NEW_YEAR, now - timedelta(days=1), now + timedelta(days=30), "bench")
    codes = [u.code for u in registry.units if u.level == "commune"][:units or None]
    sessions = []
    for code in codes:
        account = await create_account(f"canbo.{code}", f"Cán bộ {code}", f"mat-khau-do-kho-{code}-2025",
                                       "unit", unit_code=code, actor="bench")
        token, _ = await start_session(account["id"])
        sessions.append((code, token))
    return sessions, files[NEW_YEAR]


async def staff_work(env: dict[str, str], data_file: Path, log: Path) -> dict[str, float]:
    """Import the 2025 data, then score it, each as its own process; their durations."""
    cli = [sys.executable, "-m", "api.cli"]
    took = {}
    for name, argv in (("import", ["import", str(data_file), "--period", str(NEW_YEAR)]),
                       ("run", ["run", "--period", str(NEW_YEAR), "--level", "commune"])):
        started = time.perf_counter()
        with log.open("ab") as out:
            process = await asyncio.create_subprocess_exec(*cli, *argv, cwd=ROOT, env=env, stdout=out,
                                                           stderr=subprocess.STDOUT)
            if await process.wait():
                raise SystemExit(f"thidua {' '.join(argv)} failed:\n{log.read_text(errors='replace')}")
        took[name] = time.perf_counter() - started
    return took


async def load(port: int, sessions: list[tuple[str, str]], args: argparse.Namespace,
               staff: asyncio.Task[dict[str, float]]) -> tuple[dict[str, list[float]], dict[str, int], float]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    turn = itertools.count()
    started = time.perf_counter()
    deadline = started + args.seconds

    async def client() -> None:
        connection = RawConnection(HOST, port)
        await connection.open()
        try:
            while time.perf_counter() < deadline or not staff.done():
                n = next(turn)
                code, token = sessions[n // 3 % len(sessions)]
                kind, path, cookie = (("ranking", "/", None),
                                      ("public unit", f"/don-vi/{code}/cong-khai", None),
                                      ("dashboard", f"/don-vi/{code}", token))[n % 3]
                headers = {"Accept-Encoding": "gzip"}  # as a browser asks
                if cookie:
                    headers["Cookie"] = f"thidua_session={cookie}"
                began = time.perf_counter()
                status, _ = await connection.get(path, headers)
                latencies[kind].append((time.perf_counter() - began) * 1000)
                errors[kind] += status != 200
        finally:
            connection.close()

    await asyncio.gather(*(client() for _ in range(args.connections)))
    return latencies, errors, time.perf_counter() - started


async def benchmark(args: argparse.Namespace, folder: Path) -> None:
    cache = {"THIDUA_PAGE_CACHE_MB": "0"} if args.all_cold else {}
    env = {**os.environ, **cache}
    began = time.perf_counter()
    sessions, data_file = await load_data(folder, args.units)
    print(f"data loaded in {time.perf_counter() - began:.1f} s: {len(sessions)} commune officers signed in")
    port = free_port()
    log = folder / "server.log"
    server = start_server([sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app",
                           "--host", HOST, "--port", str(port), "--workers", str(args.workers),
                           "--log-level", "warning"],
                          server_env(**cache), log)
    try:
        await wait_ready(f"http://{HOST}:{port}/api/v1/health", server, log)
        staff = asyncio.create_task(staff_work(env, data_file, folder / "staff.log"))
        latencies, errors, elapsed = await load(port, sessions, args, staff)
        took = await staff
    finally:
        stop(server)
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\n{engine}, {args.workers} worker(s), {args.connections} connections, {elapsed:.1f} s, "
          f"{len(sessions)} units' dashboards "
          f"({'all built cold' if args.all_cold else 'cold at first and after the run'}); "
          f"meanwhile import {took['import']:.1f} s, "
          f"run {took['run']:.1f} s\n")
    print(f"{'page':<14} {'requests':>8} {'req/s':>7} {'errors':>6} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'max ms':>7}")
    every: list[float] = []
    for kind, values in latencies.items():
        every += values
        print(f"{kind:<14} {len(values):>8} {len(values) / elapsed:>7.0f} {errors[kind]:>6} "
              f"{percentile(values, 50):>7.1f} {percentile(values, 99):>7.1f} {max(values):>7.1f}")
    p99, failed = percentile(every, 99), sum(errors.values())
    print(f"{'all':<14} {len(every):>8} {len(every) / elapsed:>7.0f} {failed:>6} "
          f"{percentile(every, 50):>7.1f} {p99:>7.1f} {max(every):>7.1f}")
    met = failed == 0 and p99 < GOAL_P99_MS
    print(f"\ngoal: no errors and p99 < {GOAL_P99_MS:.0f} ms: {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20.0, help="least duration of the load")
    parser.add_argument("--units", type=int, default=0,
                        help="communes whose officers open their dashboard (0: every commune)")
    parser.add_argument("--all-cold", action="store_true",
                        help="page cache off (THIDUA_PAGE_CACHE_MB=0): every page built anew")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--postgres", metavar="postgres://user@127.0.0.1:5432",
                        help="use a throw-away database on this PostgreSQL server instead of SQLite")
    args = parser.parse_args()
    with throwaway_database(args.postgres, "thidua-bench-mixed-") as folder:
        asyncio.run(benchmark(args, folder))


if __name__ == "__main__":
    main()
