"""A publication reaches every worker of every server: two servers of two workers each (as two
machines would run them) share one database; the run is published from a third process (the
CLI); once the documented bound (``THIDUA_PUBLIC_RECHECK_SECONDS``, 1 s) has passed, every
answer of every worker shows the new ranking, and none showed it before the publication."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration" / "api"))
from e2e_browse import HOST, free_port, wait_ready
from loaded_province import OPEN_YEAR, World, load_world
from test_cli_db import thidua

from storage.versions import recheck_seconds

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[3]
CONNECTIONS = 16  # fresh connections per server and round: both workers answer some
NEW = f"Kết quả đã công bố năm {OPEN_YEAR}"


def start(tmp_path: Path, name: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--host", HOST,
             "--port", str(port), "--workers", "2", "--log-level", "warning"],
            cwd=ROOT, env=os.environ, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        wait_ready(base + "/api/v1/health", process, log)
    except BaseException:
        process.kill()
        raise
    return base, process


@pytest.fixture
def servers(clean_db: str, tmp_path: Path) -> Iterator[tuple[World, list[str]]]:
    world = asyncio.run(load_world())
    with ExitStack() as stack:
        bases = []
        for name in ("may-1", "may-2"):
            base, process = start(tmp_path, name)
            stack.callback(lambda p=process: (p.terminate(), p.wait(timeout=30)))
            bases.append(base)
        yield world, bases


async def pages(base: str, path: str) -> list[str]:
    """``path`` over ``CONNECTIONS`` fresh connections at once (no keep-alive between them)."""
    async def one() -> str:
        async with httpx.AsyncClient(base_url=base, timeout=20) as c:
            answer = await c.get(path)
            assert answer.status_code == 200, answer.text[:300]
            return answer.text
    return await asyncio.gather(*(one() for _ in range(CONNECTIONS)))


def test_every_worker_of_both_servers_serves_the_new_ranking_within_the_bound(
        servers: tuple[World, list[str]]) -> None:
    world, bases = servers
    paths = ("/", f"/?ky={world.period}")
    for base in bases:
        for path in paths:
            for _ in range(2):  # every worker has the old page cached
                assert not any(NEW in text for text in asyncio.run(pages(base, path))), (base, path)

    published = thidua("publish", str(world.run))
    assert published.returncode == 0, published.stderr
    done = time.monotonic()
    time.sleep(recheck_seconds() + 0.2)
    for base in bases:
        for path in paths:
            stale = [text for text in asyncio.run(pages(base, path)) if NEW not in text]
            assert not stale, f"{base}{path}: {len(stale)} trang cũ sau {time.monotonic() - done:.1f} s"
