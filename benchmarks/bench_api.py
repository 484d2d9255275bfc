"""Benchmark: the per-unit breakdown endpoint against a bare Litestar endpoint, over real HTTP.

    python benchmarks/bench_api.py [--connections 32] [--requests 4000] [--seconds 10]
                                   [--client raw|httpx] [--postgres postgres://postgres@127.0.0.1:5432]

Builds a throw-away SQLite database (``DATABASE_URL=sqlite:////tmp/…``; with ``--postgres``,
a throw-away database on that server, dropped at the end): migrations, the shipped plan, the
Tuyên Quang registry, a 2024 period with the demo commune data, one scoring run, an
administrator and an API token. Then starts two uvicorn servers on 127.0.0.1 (free ports, one
worker each, as ``thidua serve`` runs them):

- ours: ``server.app:create_app``, timed on ``GET /api/v1/runs/{id}/units/{code}`` with
  ``Authorization: Bearer …`` (token lookup, run lookup, access check, breakdown read);
- bare: a Litestar app defined here, whose one handler returns the same breakdown (the JSON
  ours answered, parsed once at start-up) with no database and no middleware.

Each is measured with ``--connections`` concurrent keep-alive connections, one asyncio task
per connection, for ``--requests`` requests or ``--seconds`` seconds, whichever ends first,
after a short warm-up. The default client is a minimal HTTP/1.1 reader on asyncio streams;
``--client httpx`` uses one ``httpx.AsyncClient`` instead, which costs several times more CPU
per request and so caps the bare figure on a small machine. Prints requests/s, p50 and p99
latency of both and the throughput ratio ours/bare, against the goals: ours ≥ 50 % of bare,
p99 < 100 ms. The client shares the machine's CPUs with the servers, so the bare figure is a
floor of what the bare server could do. All traffic stays on 127.0.0.1; both servers and the
database are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` importable
from benchmarks.loadgen import (  # noqa: E402
    add_load_arguments,
    free_port,
    measure,
    report,
    server_env,
    start_server,
    stop,
    throwaway_database,
    wait_ready,
)

HOST = "127.0.0.1"
GOAL_RATIO, GOAL_P99_MS = 0.5, 100.0


# --- the bare server (this script run as ``--bare-server PAYLOAD PORT``) ---------------------------

def serve_bare(payload_file: str, port: int) -> None:
    import uvicorn
    from litestar import Litestar, get

    document: dict[str, Any] = json.loads(Path(payload_file).read_text(encoding="utf-8"))

    @get("/bare")
    async def bare() -> dict[str, Any]:
        return document

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(Litestar(route_handlers=[bare, health]), host=HOST, port=port, log_level="warning")


# --- set-up ------------------------------------------------------------------------------------------

async def load_data(folder: Path) -> tuple[int, str, str]:
    """Plan, registry, a 2024 period with commune data, one run, an admin token: (run id, unit, token)."""
    from accounts.service import create_account, create_api_token
    from criteria.shipped import shipped_plan_path
    from demo.indicators import demo_values
    from demo.registry_tuyen_quang import build_tuyen_quang_registry
    from scoring.intake.template import write_long_csv
    from scoring.registry.store import save_registry
    from scoring.services.periods import open_period
    from scoring.services.plan_store import save_plan_version
    from scoring.services.runs import run_results, start_run
    from scoring.services.values import import_files

    version_id, plan, _ = await save_plan_version(shipped_plan_path().read_text(encoding="utf-8"), "bench")
    registry = build_tuyen_quang_registry()
    await save_registry(registry, "bench")
    now = datetime.now(UTC)
    period_id = await open_period(version_id, 2024, now - timedelta(days=1), now + timedelta(days=30),
                                  "bench")
    values = demo_values(plan, registry, 2024)
    path = folder / "cap-xa.csv"
    write_long_csv(values[values["indicator"].isin({i.id for i in plan.indicators_of("commune")})], 2024,
                   path, plan=plan)
    await import_files(period_id, [path], actor="bench")
    run = await start_run(period_id, "commune", "bench")
    unit = (await run_results(run["id"]))[0]["unit_code"]
    admin = await create_account("bench.admin", "Quản trị đo tải", "mat-khau-do-tai-2025", "admin")
    return run["id"], unit, await create_api_token(admin["id"], "bench")


async def benchmark(args: argparse.Namespace, folder: Path) -> None:
    import httpx

    env = server_env()
    started = time.perf_counter()
    run_id, unit, token = await load_data(folder)
    print(f"data loaded in {time.perf_counter() - started:.1f} s: run {run_id}, unit {unit}")

    ours_port, bare_port = free_port(), free_port()
    ours_log, bare_log = folder / "ours.log", folder / "bare.log"
    ours = start_server([sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app",
                         "--host", HOST,
                         "--port", str(ours_port), "--workers", "1", "--log-level", "warning"], env, ours_log)
    bare: subprocess.Popen[bytes] | None = None
    try:
        await wait_ready(f"http://{HOST}:{ours_port}/api/v1/health", ours, ours_log)
        url = f"http://{HOST}:{ours_port}/api/v1/runs/{run_id}/units/{unit}"
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient() as client:
            answer = await client.get(url, headers=headers)
        answer.raise_for_status()
        payload = folder / "payload.json"
        payload.write_bytes(answer.content)
        print(f"breakdown of {unit}: {len(answer.content)} bytes of JSON")
        bare = start_server([sys.executable, str(Path(__file__).resolve()), "--bare-server", str(payload),
                             str(bare_port)], env, bare_log)
        await wait_ready(f"http://{HOST}:{bare_port}/health", bare, bare_log)

        ours_result = await measure(f"GET /api/v1/runs/{run_id}/units/{unit}", url, headers, args)
        bare_result = await measure("GET /bare (same JSON, no database)", f"http://{HOST}:{bare_port}/bare",
                                    {}, args)
        engine = "PostgreSQL" if args.postgres else "SQLite"
        report(ours_result, bare_result, args, setting=f"{engine}; ", kind="endpoint",
               goal_ratio=GOAL_RATIO, goal_p99_ms=GOAL_P99_MS)
    finally:
        stop(ours)
        if bare is not None:
            stop(bare)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--bare-server":
        serve_bare(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_load_arguments(parser, requests=4000, warmup=300, client="raw")
    parser.add_argument("--postgres", metavar="postgres://user@127.0.0.1:5432",
                        help="use a throw-away database on this PostgreSQL server instead of SQLite")
    args = parser.parse_args()
    with throwaway_database(args.postgres, "thidua-bench-") as folder:
        asyncio.run(benchmark(args, folder))


if __name__ == "__main__":
    main()
