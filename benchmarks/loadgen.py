"""Load generation shared by the server benchmarks: start and stop a server, measure GETs.

Everything stays on 127.0.0.1. ``measure`` runs ``args.requests`` GETs (or ``args.seconds``)
over ``args.connections`` keep-alive connections, with httpx or a minimal raw HTTP/1.1 client.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from storage.pg_server import on_server

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def throwaway_database(postgres: str | None, prefix: str) -> Iterator[Path]:
    """A folder for the run's files and an empty database (SQLite in that folder, or a new
    database on the PostgreSQL server ``postgres``) named by ``DATABASE_URL`` for this process and
    the servers it starts; migrated; both removed at the end."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    database = f"thidua_bench_{uuid.uuid4().hex[:10]}"
    if postgres:  # set before piccolo_conf is first imported
        on_server(postgres.rstrip("/"), f'CREATE DATABASE "{database}"')
        os.environ["DATABASE_URL"] = f"{postgres.rstrip('/')}/{database}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/thidua.sqlite"
    os.environ["THIDUA_DB_POOL"] = "0"  # this process; a server started with ``server_env`` pools
    try:
        migrate = subprocess.run([sys.executable, "-m", "api.cli", "db", "migrate"], cwd=ROOT,
                                 env=os.environ, capture_output=True, text=True)
        if migrate.returncode:
            raise SystemExit(migrate.stderr)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if postgres:
            on_server(postgres.rstrip("/"), f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a server started on the throw-away database (pooled on PostgreSQL)."""
    return {**os.environ, "THIDUA_DB_POOL": "1", **extra}


def start_server(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


async def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"server exited ({process.returncode}):\n{log.read_text(errors='replace')}")
            try:
                if (await client.get(url, timeout=2)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"server at {url} not ready after {timeout:.0f} s")
            await asyncio.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the load generator ------------------------------------------------------------------------------

@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    body_bytes: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        return percentile(self.latencies_ms, p)


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


class RawConnection:
    """One keep-alive HTTP/1.1 connection speaking just enough HTTP for these endpoints
    (``Content-Length`` bodies); far cheaper per request than a general client, so that the
    client, sharing the CPUs with the server, distorts the comparison less. ``get()`` asks for
    the path and headers given at creation, ``get(path, headers)`` for others."""

    def __init__(self, host: str, port: int, path: str = "/", headers: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.request = self._request(path, headers or {})

    def _request(self, path: str, headers: dict[str, str]) -> bytes:
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 *(f"{k}: {v}" for k, v in headers.items())]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def get(self, path: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, int]:
        """(status, body length) of one GET."""
        self.writer.write(self.request if path is None else self._request(path, headers or {}))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = None
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length is None:
            raise RuntimeError("response without Content-Length")
        await self.reader.readexactly(length)
        return status, length

    def close(self) -> None:
        self.writer.close()


async def measure(name: str, url: str, headers: dict[str, str], args: argparse.Namespace) -> Result:
    """``args.requests`` GETs of ``url`` (or ``args.seconds``), over ``args.connections`` connections."""
    from urllib.parse import urlsplit

    import httpx

    connections = args.connections
    parts = urlsplit(url)
    raw = [RawConnection(parts.hostname or HOST, parts.port or 80, parts.path, headers)
           for _ in range(connections)] if args.client == "raw" else []
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    client = httpx.AsyncClient(limits=limits, headers=headers, timeout=30)

    async def hammer(i: int, n: int, deadline: float, latencies: list[float]) -> tuple[int, int]:
        errors = size = 0
        clock = time.perf_counter
        while n > 0 and clock() < deadline:
            started = clock()
            if raw:
                status, size = await raw[i].get()
            else:
                response = await client.get(url)
                status, size = response.status_code, len(response.content)
            latencies.append((clock() - started) * 1000)
            errors += status != 200
            n -= 1
        return errors, size

    async def run(count: int) -> tuple[float, list[float], int, int]:
        latencies: list[float] = []
        share = [count // connections + (i < count % connections) for i in range(connections)]
        started = time.perf_counter()
        done = await asyncio.gather(*(hammer(i, n, started + args.seconds, latencies)
                                      for i, n in enumerate(share)))
        elapsed = time.perf_counter() - started
        return elapsed, latencies, sum(e for e, _ in done), max(s for _, s in done)

    try:
        await asyncio.gather(*(c.open() for c in raw))
        await run(args.warmup)  # opens httpx's connections, warms caches
        elapsed, latencies, errors, size = await run(args.requests)
    finally:
        for c in raw:
            c.close()
        await client.aclose()
    return Result(name, len(latencies), elapsed, latencies, errors, size)


def add_load_arguments(parser: argparse.ArgumentParser, *, requests: int, warmup: int,
                       client: str) -> None:
    """The options every server benchmark takes."""
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--requests", type=int, default=requests, help="requests per measurement")
    parser.add_argument("--seconds", type=float, default=10.0, help="time limit per measurement")
    parser.add_argument("--warmup", type=int, default=warmup, help="requests before each measurement")
    parser.add_argument("--client", choices=("raw", "httpx"), default=client,
                        help="raw: minimal keep-alive HTTP/1.1 over asyncio streams (cheapest for the "
                             "shared CPUs); httpx: one httpx.AsyncClient")


def report(ours: Result, bare: Result, args: argparse.Namespace, *, setting: str, kind: str,
           goal_ratio: float, goal_p99_ms: float) -> None:
    """Both results side by side, their throughput ratio and the verdict against the goals."""
    print(f"\n{setting}{args.connections} concurrent connections ({args.client} client), one server "
          f"worker each, client and servers on the same {os.cpu_count()}-CPU machine\n")
    columns = ("requests", 8), ("req/s", 8), ("p50 ms", 7), ("p99 ms", 7), ("errors", 6), ("bytes", 6)
    print(f"{kind:<40} " + " ".join(f"{title:>{width}}" for title, width in columns))
    for r in (ours, bare):
        print(f"{r.name:<40} {r.requests:>8} {r.rps:>8.0f} {r.percentile(50):>7.1f} {r.percentile(99):>7.1f} "
              f"{r.errors:>6} {r.body_bytes:>6}")
    ratio, p99 = ours.rps / bare.rps, ours.percentile(99)
    verdict = {True: "met", False: "NOT met"}
    print(f"\nthroughput ours/bare: {ratio:.0%} (goal ≥ {goal_ratio:.0%}: {verdict[ratio >= goal_ratio]})")
    print(f"p99 ours: {p99:.1f} ms (goal < {goal_p99_ms:.0f} ms: {verdict[p99 < goal_p99_ms]})")
    print(f"mean latency ours {statistics.fmean(ours.latencies_ms):.1f} ms, bare "
          f"{statistics.fmean(bare.latencies_ms):.1f} ms")
