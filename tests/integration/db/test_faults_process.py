"""A ``thidua run`` process killed (SIGKILL) in the middle of its transaction leaves the database
exactly as it was: every table has the same number of rows, the file is sound (SQLite), the
audit chain holds, and the next run succeeds.

The run is paused mid-write at the fault point ``run.chunk`` (:mod:`storage.faults`): after the
first chunk of results (``THIDUA_RESULT_CHUNK`` rows) has been written inside the open
transaction; it touches ``THIDUA_FAULT_MARKER`` so the test knows when to kill it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from open_province import YEAR, open_year, row_counts

from scoring.tables import ScoreRun, UnitResult
from storage.audit import verify
from storage.db import is_sqlite

pytestmark = pytest.mark.db

ROOT = Path(__file__).parents[3]
LEVEL, CHUNK = "commune", 20
WAIT_S = 60.0


def thidua() -> list[str]:
    script = Path(sys.executable).with_name("thidua")
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def sqlite_file() -> Path:
    url = os.environ["DATABASE_URL"]
    assert url.startswith("sqlite:///"), url
    return Path(url.removeprefix("sqlite://"))


async def write_transaction_is_open() -> bool:
    """Another process holds an open write transaction on the test database right now."""
    if is_sqlite():
        db = sqlite3.connect(sqlite_file(), timeout=0)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.rollback()
            return False
        except sqlite3.OperationalError as exc:  # "database is locked": the run holds the write lock
            return "locked" in str(exc)
        finally:
            db.close()
    rows = await ScoreRun.raw(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() "
        "AND state = 'idle in transaction'")
    return bool(rows[0]["n"])


async def wait_for(marker: Path, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(f"«thidua run» kết thúc (mã {process.returncode}) trước khi tới điểm dừng:\n"
                        f"{log.read_text(encoding='utf-8', errors='replace')}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"«thidua run» không tới điểm dừng sau {WAIT_S:.0f} giây")
        await asyncio.sleep(0.05)


async def test_a_run_killed_mid_transaction_leaves_the_database_as_before(
    clean_db: str, tmp_path: Path
) -> None:
    await load_commune_period(tmp_path)
    before = await row_counts()
    marker, log = tmp_path / "giua-chung", tmp_path / "run.log"
    env = {**os.environ, "THIDUA_FAULT_AT": "run.chunk", "THIDUA_FAULT_PAUSE": "120",
           "THIDUA_FAULT_MARKER": str(marker), "THIDUA_RESULT_CHUNK": str(CHUNK)}
    with log.open("wb") as out:
        process = subprocess.Popen([*thidua(), "run", "--period", str(YEAR), "--level", LEVEL],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        await wait_for(marker, process, log)
        assert await write_transaction_is_open(), "lần chấm phải đang dừng giữa một giao dịch ghi"
        assert await row_counts() == before, "dòng của lần chấm chưa xong không được lộ ra ngoài giao dịch"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert await row_counts() == before, "tiến trình bị giết giữa chừng không được để lại dòng nào"
    if is_sqlite():
        with sqlite3.connect(sqlite_file()) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert (await verify()).ok

    again = subprocess.run([*thidua(), "run", "--period", str(YEAR), "--level", LEVEL], cwd=ROOT,
                           env=os.environ, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Lượt chấm số "), again.stdout
    after = await row_counts()
    runs = await ScoreRun.select(ScoreRun.id, ScoreRun.n_units)
    assert len(runs) == 1, "chỉ lần chấm sau mới được lưu"
    n_units = runs[0]["n_units"]
    assert n_units > 2 * CHUNK, "lần chấm phải có nhiều hơn một nhóm dòng để dừng được giữa chừng"
    assert await UnitResult.count().where(UnitResult.run == runs[0]["id"]) == n_units
    expected = {**before, "score_run": before["score_run"] + 1,
                "unit_result": before["unit_result"] + n_units, "audit_entry": before["audit_entry"] + 1}
    assert after == expected
    assert (await verify()).ok


async def load_commune_period(folder: Path) -> int:
    period_id, _, _ = await open_year(folder)
    return period_id
