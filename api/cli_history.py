"""``thidua history``: import the yearly history of titles, ratings, initiatives and discipline
from CSV/XLSX files, and show a person's or unit's history."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

OK, INVALID = 0, 1


def add_commands(sub: Any) -> None:
    history = sub.add_parser("history", help="lịch sử thi đua, khen thưởng (danh hiệu, xếp loại, sáng kiến, "
                                             "kỷ luật) theo năm")
    history_sub = history.add_subparsers(dest="history_command", required=True, metavar="LỆNH")
    imp = history_sub.add_parser(
        "import", help="nhập lịch sử từ tệp CSV/XLSX (cột ma_don_vi, nam, loai, gia_tri, chi_tiet, "
                       "da_dung_cho); có lỗi thì không nhận dòng nào")
    imp.add_argument("files", nargs="+", metavar="TỆP")
    imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
    show = history_sub.add_parser("show", help="xem lịch sử của một đơn vị hoặc cá nhân")
    show.add_argument("code", metavar="MÃ_ĐƠN_VỊ")


def cmd_history(args: Any, progress: Callable[[str], None]) -> int:
    if args.history_command == "import":
        return _import(args, progress)
    return _show(args)


def _import(args: Any, progress: Callable[[str], None]) -> int:
    from nominations.history_codes import KIND_ORDER, kind_label
    from nominations.history_store import import_history
    from scoring.intake.checks import IntakeIssue
    from storage.errors import ServiceError

    progress(f"Đang kiểm tra {len(args.files)} tệp lịch sử thi đua, khen thưởng")
    try:
        summary = asyncio.run(import_history([Path(f) for f in args.files], actor="cli",
                                             dry_run=args.dry_run))
    except ServiceError as exc:
        if exc.code != "import_invalid":
            raise
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        for item in exc.details or []:
            print(f"  - {IntakeIssue(item['file'], item['row'], item['column'], item['reason'])}",
                  file=sys.stderr)
        return INVALID
    verb = "Kiểm tra xong (chưa ghi gì)" if args.dry_run else "Đã nhập lịch sử thi đua, khen thưởng"
    kinds = ", ".join(f"{kind_label(k).lower()}: {summary['by_kind'][k]}" for k in KIND_ORDER)
    print(f"{verb}: {summary['rows']} dòng của {summary['units']} đơn vị, cá nhân ({kinds}); "
          f"mới: {summary['new']}, cập nhật: {summary['changed']}, đã có: {summary['unchanged']}.")
    return OK


def _show(args: Any) -> int:
    from nominations.history_store import unit_history
    from scoring.registry.store import load_registry_from_db

    async def go() -> tuple[str, list[dict[str, Any]]]:
        rows = await unit_history(args.code)
        return (await load_registry_from_db()).unit(args.code).name, rows

    name, rows = asyncio.run(go())
    print(f"Lịch sử thi đua, khen thưởng của {name} ({args.code}):")
    if not rows:
        print("  (chưa có dữ liệu)")
    for r in rows:
        line = f"  {r['year']}  {r['kind_label']}: {r['value_label']}"
        if r["value_short"] != r["value_label"]:
            line += f" ({r['value_short']})"
        if r["detail"]:
            line += f" — {r['detail']}"
        if r["used_for_label"]:
            line += f" [đã dùng cho: {r['used_for_label']}]"
        if r["inherited"]:
            line += f" [của đơn vị tiền thân {r['unit_code']} – {r['unit_name']}]"
        print(line)
    return OK
