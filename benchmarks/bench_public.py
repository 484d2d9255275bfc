"""Benchmark: the public ranking and a public unit page against a bare Litestar + Jinja app.

    python benchmarks/bench_public.py [--connections 32] [--requests 4000] [--seconds 10]
                                      [--client raw|httpx] [--gzip]

Builds a throw-away SQLite database (``DATABASE_URL=sqlite:////tmp/…``): migrations, the
shipped plan, the Tuyên Quang registry, a 2024 period with the demo commune data, one scoring
run, published. Then starts two uvicorn servers on 127.0.0.1 (free ports, one worker each, as
``thidua serve`` runs them):

- ours: ``server.app:create_app``, timed on ``GET /`` (the published ranking of every cluster)
  and on ``GET /don-vi/<code>/cong-khai`` (a commune's public page), as an anonymous visitor;
- bare: a Litestar app (``bench_pages``'s) whose one handler renders, through Litestar's Jinja
  engine, a template made of the HTML ours answered: the same bytes, no database, no middleware.

Without ``--gzip`` the client asks for no compression, so both send the same bytes; with it,
ours sends the gzip bytes it keeps and bare the plain page. Each page is measured with
``--connections`` keep-alive connections for ``--requests`` requests or ``--seconds`` seconds,
after a warm-up; the ratio ours/bare of requests per second is printed against the goal ≥ 50 %.
All traffic stays on 127.0.0.1; both servers and the database are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` importable
from benchmarks.bench_pages import UNIT, load_data, serve_bare, write_bare_template  # noqa: E402
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
GOAL_RATIO, GOAL_P99_MS = 0.5, 250.0


async def publish_all() -> None:
    from scoring.services.publish import publish_run
    from scoring.services.runs import list_runs

    for run in await list_runs():
        await publish_run(run["id"], "bench")


async def compare(name: str, path: str, base: str, folder: Path, env: dict[str, str],
                  args: argparse.Namespace, unit_name: str) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        answer = await client.get(base + path, headers={"Accept-Encoding": "identity"})
    if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
        raise SystemExit(f"{path}: {answer.status_code} {answer.text[:300]}")
    template = folder / f"bare-{name}"
    write_bare_template(answer.text, unit_name, UNIT, template)
    port = free_port()
    log = folder / f"bare-{name}.log"
    bare = start_server([sys.executable, str(ROOT / "benchmarks" / "bench_pages.py"), "--bare-server",
                         str(template), str(port)], env, log)
    try:
        await wait_ready(f"http://{HOST}:{port}/health", bare, log)
        headers = {"Accept-Encoding": "gzip"} if args.gzip else {"Accept-Encoding": "identity"}
        ours_result = await measure(f"GET {path[:28]}", base + path, headers, args)
        bare_result = await measure("GET /bare (same HTML, Jinja, no DB)", f"http://{HOST}:{port}/bare",
                                    {"Accept-Encoding": "identity"}, args)
        print(f"\n== {name}: {len(answer.content)} bytes of HTML"
              + (f", {ours_result.body_bytes} bytes gzip-compressed" if args.gzip else ""))
        report(ours_result, bare_result, args, setting="", kind="page", goal_ratio=GOAL_RATIO,
               goal_p99_ms=GOAL_P99_MS)
    finally:
        stop(bare)


async def benchmark(args: argparse.Namespace, folder: Path) -> None:
    env = server_env()
    started = time.perf_counter()
    code, name, _, _ = await load_data(folder)
    await publish_all()
    print(f"data loaded and published in {time.perf_counter() - started:.1f} s")
    port = free_port()
    log = folder / "ours.log"
    ours = start_server([sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app",
                         "--host", HOST, "--port", str(port), "--workers", "1", "--log-level", "warning"],
                        env, log)
    try:
        base = f"http://{HOST}:{port}"
        await wait_ready(f"{base}/api/v1/health", ours, log)
        await compare("ranking", "/", base, folder, env, args, name)
        await compare("unit", f"/don-vi/{code}/cong-khai", base, folder, env, args, name)
    finally:
        stop(ours)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--bare-server":
        serve_bare(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_load_arguments(parser, requests=4000, warmup=300, client="raw")
    parser.add_argument("--gzip", action="store_true", help="ask ours for gzip (bare sends plain HTML)")
    args = parser.parse_args()
    with throwaway_database(None, "thidua-bench-public-") as folder:
        asyncio.run(benchmark(args, folder))


if __name__ == "__main__":
    main()
