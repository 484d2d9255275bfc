"""``thidua plan``: check a plan (TOML or the plan workbook, XLSX), export it as a workbook or
a TOML file, and import it as a new stored version (the same plan returns the stored one)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

OK, INVALID = 0, 1


def add_commands(sub: Any) -> None:
    plan = sub.add_parser("plan", help="làm việc với kế hoạch thi đua (tệp TOML hoặc bảng tính XLSX)")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True, metavar="LỆNH")
    check = plan_sub.add_parser("check", help="kiểm tra một kế hoạch (TOML hoặc XLSX), báo mọi lỗi")
    check.add_argument("plan_file", metavar="KẾ_HOẠCH")
    export = plan_sub.add_parser(
        "export", help="xuất kế hoạch ra bảng tính XLSX (hoặc TOML nếu tên tệp kết thúc bằng .toml)")
    export.add_argument("plan", metavar="KẾ_HOẠCH",
                        help="tệp kế hoạch, hoặc số phiên bản đã lưu trong cơ sở dữ liệu")
    export.add_argument("--out", required=True, metavar="TỆP.xlsx")
    imp = plan_sub.add_parser("import", help="lưu kế hoạch (TOML hoặc XLSX) thành một phiên bản mới")
    imp.add_argument("plan_file", metavar="KẾ_HOẠCH")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return INVALID


def _read(path: str) -> Any:
    from criteria.loader import load_plan

    return load_plan(path)


def cmd_plan(args: Any) -> int:
    from criteria.loader import PlanError
    from storage.errors import ServiceError

    try:
        if args.plan_command == "check":
            return _check(_read(args.plan_file))
        if args.plan_command == "export":
            return _export(args.plan, Path(args.out))
        return _import(_read(args.plan_file))
    except PlanError as exc:
        return _fail(str(exc))
    except ServiceError as exc:
        return _fail(f"Lỗi: {exc.message}")


def _check(plan: Any) -> int:
    counts = ", ".join(f"{lvl.name}: {len(plan.criteria_of(lvl.id))} tiêu chí" for lvl in plan.levels)
    print(f"Kế hoạch hợp lệ: {plan.info.id} (phiên bản {plan.info.version})\n{counts}\nsha256: {plan.sha256}")
    return OK


def _export(source: str, out: Path) -> int:
    from criteria.workbook_write import plan_workbook
    from criteria.writer import plan_to_toml

    if source.isdigit() and not Path(source).exists():
        from scoring.services.plan_store import load_plan_version

        plan = asyncio.run(load_plan_version(int(source)))
    else:
        plan = _read(source)
    if out.suffix.lower() == ".toml":
        out.write_text(plan_to_toml(plan), encoding="utf-8")
    else:
        out.write_bytes(plan_workbook(plan))
    print(f"Đã xuất kế hoạch {plan.info.id} (phiên bản {plan.info.version}) ra {out}\nsha256: {plan.sha256}")
    return OK


def _import(plan: Any) -> int:
    from scoring.services.plan_store import save_plan

    version_id, plan, created = asyncio.run(save_plan(plan, actor="cli"))
    if created:
        print(f"Đã lưu phiên bản kế hoạch số {version_id}: {plan.info.title} (phiên bản {plan.info.version})")
    else:
        print(f"Kế hoạch này đã có trong cơ sở dữ liệu: phiên bản số {version_id} (không lưu thêm)")
    print(f"sha256: {plan.sha256}")
    return OK
