"""Benchmark: a unit's dashboard page against a bare Litestar + Jinja page of the same size.

    python benchmarks/bench_pages.py [--connections 32] [--requests 3000] [--seconds 10] [--client httpx]

Builds a throw-away SQLite database (``DATABASE_URL=sqlite:////tmp/…``): migrations, the
shipped plan, the Tuyên Quang registry, a 2024 period with the demo commune data, one
scoring run and the demo account of one commune's officer. Then starts two uvicorn servers
on 127.0.0.1 (free ports, one worker each, as ``thidua serve`` runs them):

- ours: ``server.app:create_app``, timed on ``GET /don-vi/<code>`` with the officer's session
  cookie (session lookup, access check, runs, breakdowns of the cluster, chart, template);
- bare: a Litestar app defined here whose one handler renders, through Litestar's Jinja
  engine, a template made of the HTML ours answered (saved once) with the unit's name and
  code as template variables: the same bytes, no database, no middleware.

Each is measured with ``--connections`` concurrent keep-alive connections for
``--requests`` requests or ``--seconds`` seconds, whichever ends first, after a short
warm-up. The default client is one ``httpx.AsyncClient`` (``max_connections`` =
connections, reused); ``--client raw`` speaks minimal HTTP/1.1 over asyncio streams, which
takes far less CPU from the server it shares the machine with. Prints requests/s, p50 and
p99 latency of both and the throughput ratio ours/bare, against the goals: ours ≥ 50 % of
bare, p99 < 250 ms. All traffic stays on 127.0.0.1; both servers and the database are
removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
GOAL_RATIO, GOAL_P99_MS = 0.5, 250.0
UNIT = "02200"  # a commune of Tuyên Quang city (cluster of 10 communes)


# --- the bare server (this script run as ``--bare-server TEMPLATE_DIR PORT``) ---------------------

def serve_bare(template_dir: str, port: int) -> None:
    import uvicorn
    from litestar import Litestar, get
    from litestar.plugins.jinja import JinjaTemplateEngine
    from litestar.response import Template
    from litestar.template.config import TemplateConfig

    unit_name, unit_code = (Path(template_dir) / "context.txt").read_text(encoding="utf-8").split("\n")[:2]

    @get("/bare")
    async def bare() -> Template:
        return Template(template_name="page.html", context={"unit_name": unit_name, "unit_code": unit_code})

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app = Litestar(route_handlers=[bare, health], signature_namespace={"Template": Template},
                   template_config=TemplateConfig(directory=Path(template_dir), engine=JinjaTemplateEngine))
    uvicorn.run(app, host=HOST, port=port, log_level="warning")


def write_bare_template(html: str, unit_name: str, unit_code: str, folder: Path) -> None:
    """The page ours sent as a Jinja template with the unit's name and code as variables."""
    marks = {unit_name: "{{ unit_name }}", unit_code: "{{ unit_code }}"}
    pieces: list[str] = []
    rest = html
    while rest:
        found = [(rest.find(text), text) for text in marks if rest.find(text) >= 0]
        if not found:
            pieces.append("{% raw %}" + rest + "{% endraw %}")
            break
        at, text = min(found)
        pieces.append("{% raw %}" + rest[:at] + "{% endraw %}" + marks[text])
        rest = rest[at + len(text):]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_text("".join(pieces), encoding="utf-8")
    (folder / "context.txt").write_text(f"{unit_name}\n{unit_code}\n", encoding="utf-8")


# --- set-up ------------------------------------------------------------------------------------------

async def load_data(folder: Path) -> tuple[str, str, str, str]:
    """Plan, registry, 2024 commune data and run, the officer of ``UNIT``: (code, name, user, password)."""
    from accounts.service import create_account
    from criteria.shipped import shipped_plan_path
    from demo.indicators import demo_values
    from demo.load import unit_password, unit_username
    from demo.registry_tuyen_quang import build_tuyen_quang_registry
    from scoring.intake.template import write_long_csv
    from scoring.registry.store import save_registry
    from scoring.services.periods import open_period
    from scoring.services.plan_store import save_plan_version
    from scoring.services.runs import start_run
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
    await start_run(period_id, "commune", "bench")
    name = registry.unit(UNIT).name
    username, password = unit_username(UNIT), unit_password(UNIT)
    await create_account(username, name, password, "unit", unit_code=UNIT, actor="bench")
    return UNIT, name, username, password


async def log_in(base: str, username: str, password: str) -> str:
    """The session cookie of a login through the page's form."""
    import httpx

    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{base}/dang-nhap", data={"username": username, "password": password})
    if answer.status_code not in (302, 303) or "thidua_session" not in answer.cookies:
        raise SystemExit(f"login failed: {answer.status_code} {answer.text[:300]}")
    return f"thidua_session={answer.cookies['thidua_session']}"


async def benchmark(args: argparse.Namespace, folder: Path) -> None:
    import httpx

    env = server_env()
    started = time.perf_counter()
    code, name, username, password = await load_data(folder)
    print(f"data loaded in {time.perf_counter() - started:.1f} s: officer {username} of {code} ({name})")

    ours_port, bare_port = free_port(), free_port()
    ours_log, bare_log = folder / "ours.log", folder / "bare.log"
    ours = start_server([sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app",
                         "--host", HOST,
                         "--port", str(ours_port), "--workers", "1", "--log-level", "warning"], env, ours_log)
    bare: subprocess.Popen[bytes] | None = None
    try:
        base = f"http://{HOST}:{ours_port}"
        await wait_ready(f"{base}/api/v1/health", ours, ours_log)
        headers = {"Cookie": await log_in(base, username, password)}
        url = f"{base}/don-vi/{code}"
        async with httpx.AsyncClient() as client:
            answer = await client.get(url, headers=headers)
        if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
            raise SystemExit(f"{url}: {answer.status_code} {answer.text[:300]}")
        write_bare_template(answer.text, name, code, folder / "bare")
        print(f"dashboard of {code}: {len(answer.content)} bytes of HTML")
        bare = start_server([sys.executable, str(Path(__file__).resolve()), "--bare-server",
                             str(folder / "bare"), str(bare_port)], env, bare_log)
        await wait_ready(f"http://{HOST}:{bare_port}/health", bare, bare_log)
        async with httpx.AsyncClient() as client:
            same = await client.get(f"http://{HOST}:{bare_port}/bare")
        if same.content != answer.content:
            print(f"note: the bare page is {len(same.content)} bytes, ours {len(answer.content)}")

        ours_result = await measure(f"GET /don-vi/{code} (officer's cookie)", url, headers, args)
        bare_result = await measure("GET /bare (same HTML, Jinja, no DB)", f"http://{HOST}:{bare_port}/bare",
                                    {}, args)
        report(ours_result, bare_result, args, setting="", kind="page",
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
    add_load_arguments(parser, requests=3000, warmup=200, client="httpx")
    args = parser.parse_args()
    with throwaway_database(None, "thidua-bench-pages-") as folder:
        asyncio.run(benchmark(args, folder))


if __name__ == "__main__":
    main()
