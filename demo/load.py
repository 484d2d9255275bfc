"""``thidua demo load``: the demo province, plans, data, runs and accounts in the database.

Tuyên Quang before and after 1 Jul 2025 (one registry, linked by successors): the 2022–2025 plan
with its 2023 (published) and 2024 (open) periods, and the two-level plan from 1 Jul 2025 with
its 2025 period, published.

Idempotent: a second load keeps what is there (plan versions and runs are never
overwritten) and only adds what is missing. Demo passwords are printed and written to
``var/demo-accounts.txt``; they are for trying the system, never for production.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from criteria.shipped import PLAN_2025, shipped_plan_path
from scoring.services.publish import publish_run
from storage.settings import ROOT

ADMIN = ("admin", "Cán bộ Ban Thi đua – Khen thưởng", "ThiDua@2024")
COUNCIL = [("hoidong1", "Nguyễn Văn An"), ("hoidong2", "Trần Thị Bích"), ("hoidong3", "Lê Minh Châu")]
# The provincial council as its (demo) founding decision lists it: (name, position, own unit, account).
# Members from an agency must recuse when their agency is nominated.
COUNCIL_MEMBERS = [
    ("Nguyễn Văn An", "Chủ tịch UBND tỉnh, Chủ tịch Hội đồng", None, "hoidong1"),
    ("Trần Thị Bích", "Giám đốc Sở Nội vụ, Phó Chủ tịch Thường trực", "CQ02", "hoidong2"),
    ("Lê Minh Châu", "Giám đốc Công an tỉnh, Phó Chủ tịch", "CQ20", "hoidong3"),
    ("Phạm Thu Dung", "Chủ tịch Ủy ban MTTQ Việt Nam tỉnh, Ủy viên", "CQ23", None),
    ("Hoàng Đức Em", "Chủ tịch Liên đoàn Lao động tỉnh, Ủy viên", None, None),
    ("Vũ Thị Giang", "Trưởng ban Thi đua - Khen thưởng, Ủy viên – Thư ký", "CQ02", None),
    ("Đỗ Quang Huy", "Giám đốc Sở Tài chính, Ủy viên", "CQ05", None),
]
PUBLISHED_YEAR, OPEN_YEAR = 2023, 2024
# The plan of the two-level structure from 1 Jul 2025; its 2025 period is loaded and published.
YEAR_2025 = 2025


def unit_username(code: str) -> str:
    return f"dv{code.lower()}"


def unit_password(code: str) -> str:
    return f"Demo-{code}-2024"


def cmd_demo_load(args: Any, progress: Callable[[str], None]) -> int:
    lines = asyncio.run(load_demo(progress))
    out = ROOT / "var" / "demo-accounts.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[:12]))
    print(f"… và {len(lines) - 12} tài khoản đơn vị khác: xem {out}")
    return 0


async def load_demo_history(registry: Any, progress: Callable[[str], None]) -> None:
    """The demo history 2019–2024 through the real import path, if no history is stored yet."""
    from demo.history import DEMO_FILE, demo_history, write_history_csv
    from nominations.history_store import import_history
    from nominations.tables import HistoryRecord

    if await HistoryRecord.count() > 0:
        return
    progress("Đang nhập lịch sử thi đua, khen thưởng mẫu 2019–2024")
    with tempfile.TemporaryDirectory(prefix="thidua-history-") as folder:
        path = write_history_csv(Path(folder) / DEMO_FILE, demo_history(registry))
        await import_history([path], actor="system")


Window = tuple[datetime, datetime]


async def load_plan_periods(plan_text: str, registry: Any, windows: dict[int, Window], published: set[int],
                            progress: Callable[[str], None]) -> None:
    """Store the plan version; for each year without a period yet, open it, import the demo values
    and score every level (publishing the years in ``published``)."""
    from demo.indicators import write_demo
    from scoring.services import periods, plan_store, runs, values

    version_id, plan, _ = await plan_store.save_plan_version(plan_text, actor="system")
    missing = [year for year in windows if await periods.find_period(version_id, year) is None]
    if not missing:
        return
    with tempfile.TemporaryDirectory(prefix="thidua-demo-") as folder:
        write_demo(Path(folder), plan, registry, periods=missing)
        for year in missing:
            period_id = await periods.open_period(version_id, year, *windows[year], actor="system")
            progress(f"Đang nhập số liệu mẫu năm {year}")
            files = sorted((Path(folder) / str(year)).iterdir())
            await values.import_files(period_id, files, actor="system", as_appraised=year in published)
            for level in plan.levels:
                progress(f"Đang chấm điểm {level.name} năm {year}")
                run = await runs.start_run(period_id, level.id, actor="system")
                if year in published:
                    await publish_run(run["id"], actor="system")


async def load_demo(progress: Callable[[str], None]) -> list[str]:
    from accounts.service import create_account, list_accounts
    from demo.registry_2025 import build_tuyen_quang_2025_registry
    from demo.registry_tuyen_quang import build_tuyen_quang_registry
    from scoring.registry.store import save_registry
    from storage.db import migrate

    progress("Đang cập nhật cơ sở dữ liệu")
    await migrate()

    legacy = build_tuyen_quang_registry()
    registry = build_tuyen_quang_2025_registry(legacy)
    progress("Đang lưu danh mục đơn vị tỉnh Tuyên Quang (trước và sau sắp xếp ngày 01/7/2025)")
    await save_registry(registry, actor="system")
    await load_demo_history(legacy, progress)  # 2019–2024: only the units of that time
    now = datetime.now(UTC)
    await load_plan_periods(shipped_plan_path().read_text(encoding="utf-8"), registry, {
        PUBLISHED_YEAR: (datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 1, 15, tzinfo=UTC)),
        OPEN_YEAR: (now - timedelta(days=30), now + timedelta(days=60)),
    }, {PUBLISHED_YEAR}, progress)
    window_2025 = (datetime(2025, 7, 1, tzinfo=UTC), datetime(2026, 1, 15, tzinfo=UTC))
    await load_plan_periods(PLAN_2025.read_text(encoding="utf-8"), registry, {YEAR_2025: window_2025},
                            {YEAR_2025}, progress)
    existing = {a["username"] for a in await list_accounts()}
    lines = ["Tài khoản mẫu (chỉ để dùng thử):", f"  quản trị: {ADMIN[0]} / {ADMIN[2]}"]
    if ADMIN[0] not in existing:
        await create_account(ADMIN[0], ADMIN[1], ADMIN[2], "admin", actor="system")
    for username, name in COUNCIL:
        password = f"HoiDong-{username[-1]}-2024"
        lines.append(f"  hội đồng: {username} / {password} ({name})")
        if username not in existing:
            await create_account(username, name, password, "council", actor="system")
    from nominations.council import create_council, list_councils

    if not await list_councils():
        await create_council("Hội đồng Thi đua - Khen thưởng tỉnh Tuyên Quang", "1520/QĐ-UBND",
                             date(2024, 3, 1), [{"full_name": n, "position": p, "unit_code": u, "username": a}
                              for n, p, u, a in COUNCIL_MEMBERS], actor="system")
    collectives = [u for u in registry.units if u.level in ("agency", "district", "commune")]
    progress(f"Đang tạo {len(collectives)} tài khoản đơn vị")
    gate = asyncio.Semaphore(4)  # argon2 hashes run in threads: both cores work at once

    async def add(unit: Any) -> None:
        async with gate:
            await create_account(unit_username(unit.code), unit.name, unit_password(unit.code),
                                 "unit", unit_code=unit.code, actor="system")

    for unit in collectives:
        lines.append(f"  đơn vị: {unit_username(unit.code)} / {unit_password(unit.code)} ({unit.name})")
    missing = [u for u in collectives if unit_username(u.code) not in existing]
    await asyncio.gather(*(add(u) for u in missing))
    return lines
