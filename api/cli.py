"""The ``thidua`` command line. Exit codes: 0 ok, 1 invalid input, 2 usage."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from api.argparse_vi import Parser
from api.cli_db import add_commands as add_db_commands
from api.cli_db import dispatch as dispatch_db
from api.cli_plan import add_commands as add_plan_commands
from api.cli_plan import cmd_plan
from api.textout import explain_text, rankings_table, results_csv
from criteria.shipped import shipped_plan_path
from presentation.numbers import number_text

OK, INVALID, USAGE = 0, 1, 2


class InputError(Exception):
    """Bad input from the user: the message (Vietnamese) is printed, exit 1."""


def progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def build_parser() -> Parser:
    p = Parser(prog="thidua", description="Hệ thống chấm điểm thi đua, khen thưởng.")
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH")

    add_plan_commands(sub)

    demo = sub.add_parser("demo", help="dữ liệu mẫu của tỉnh Tuyên Quang: --out THƯ_MỤC ghi ra tệp; "
                                       "«demo load» nạp vào cơ sở dữ liệu")
    demo.add_argument("--out", metavar="THƯ_MỤC", help="thư mục ghi dữ liệu mẫu")
    demo.add_argument("--seed", type=int, default=2024, help="hạt giống ngẫu nhiên (mặc định 2024)")
    demo_sub = demo.add_subparsers(dest="demo_command", required=False, metavar="load")
    demo_sub.add_parser("load", help="nạp kế hoạch, đơn vị, số liệu, lượt chấm và tài khoản mẫu vào "
                                     "cơ sở dữ liệu")

    tpl = sub.add_parser("template", help="tạo mẫu Excel nhập số liệu cho một cấp")
    tpl.add_argument("plan_file", metavar="KẾ_HOẠCH.toml")
    tpl.add_argument("--level", required=True, metavar="CẤP")
    tpl.add_argument("--out", required=True, metavar="TỆP.xlsx")
    tpl.add_argument("--units", metavar="DANH_MỤC.json",
                     help="danh mục đơn vị (mặc định: danh mục tỉnh Tuyên Quang)")
    tpl.add_argument("--period", type=int, metavar="NĂM", help="năm đánh giá (mặc định: năm cuối kế hoạch)")

    for name, text in (("score", "chấm điểm và xếp hạng"), ("explain", "giải thích điểm của một đơn vị")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("plan_file", metavar="KẾ_HOẠCH.toml")
        cmd.add_argument("--units", required=True, metavar="DANH_MỤC.json")
        cmd.add_argument("--data", required=True, action="append", metavar="TỆP",
                         help="tệp số liệu CSV/XLSX, hoặc thư mục chứa chúng (có thể lặp lại)")
        cmd.add_argument("--period", required=True, type=int, metavar="NĂM")
        cmd.add_argument("--level", metavar="CẤP", help="chỉ chấm một cấp")
        if name == "score":
            cmd.add_argument("--format", choices=("table", "json", "csv"), default="table")
            cmd.add_argument("--out", metavar="ĐƯỜNG_DẪN", help="ghi kết quả ra tệp thay vì màn hình")
        else:
            cmd.add_argument("--unit", required=True, metavar="MÃ_ĐƠN_VỊ")
    add_db_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo" and args.demo_command is None and not args.out:
        parser.error("lệnh demo cần --out THƯ_MỤC, hoặc dùng «thidua demo load»")
    handled = dispatch_db(args, progress)
    if handled is not None:
        return handled
    try:
        handler = {"plan": cmd_plan, "demo": cmd_demo, "template": cmd_template,
                   "score": cmd_score, "explain": cmd_explain}[args.command]
        return handler(args)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return INVALID


def _load_plan(path: str) -> Any:
    from criteria.loader import PlanError, load_plan

    try:
        return load_plan(path)
    except PlanError as exc:
        raise InputError(str(exc)) from None


def _load_units(path: str | None) -> Any:
    from scoring.core.units import load_registry

    if path is None:
        from demo.registry_tuyen_quang import build_tuyen_quang_registry

        return build_tuyen_quang_registry()
    try:
        return load_registry(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"Không đọc được danh mục đơn vị {path}: {exc}") from None


def _check_level(plan: Any, level: str | None) -> None:
    if level is not None and level not in {lvl.id for lvl in plan.levels}:
        known = ", ".join(lvl.id for lvl in plan.levels)
        raise InputError(f"Cấp «{level}» không có trong kế hoạch; các cấp: {known}")


def cmd_demo(args: Any) -> int:
    from criteria.loader import load_plan
    from demo.history import DEMO_FILE, demo_history, write_history_csv
    from demo.indicators import write_demo
    from demo.registry_tuyen_quang import build_tuyen_quang_registry

    progress("Đang dựng danh mục đơn vị tỉnh Tuyên Quang")
    registry = build_tuyen_quang_registry()
    plan = load_plan(shipped_plan_path())
    progress("Đang sinh số liệu mẫu năm 2023 và 2024")
    paths = write_demo(Path(args.out), plan, registry, seed=args.seed)
    progress("Đang sinh lịch sử thi đua, khen thưởng mẫu 2019–2024")
    paths.append(write_history_csv(Path(args.out) / DEMO_FILE, demo_history(registry, seed=args.seed)))
    for path in paths:
        print(path)
    return OK



def cmd_template(args: Any) -> int:
    from scoring.core.pipeline import competing_units
    from scoring.intake.template import write_template

    plan = _load_plan(args.plan_file)
    _check_level(plan, args.level)
    registry = _load_units(args.units)
    period = args.period or plan.info.valid_to.year
    units = competing_units(registry, plan, args.level, period)
    write_template(plan, args.level, units, Path(args.out))
    print(f"Đã ghi mẫu nhập liệu {args.out}: {len(units)} đơn vị, "
          f"{len(plan.indicators_of(args.level))} chỉ tiêu")
    return OK


def _score_all(args: Any) -> tuple[Any, list[dict[str, Any]], str]:
    from scoring.core.pipeline import score_level
    from scoring.core.report import unit_records
    from scoring.intake.reader import IntakeError, read_indicator_files

    plan = _load_plan(args.plan_file)
    _check_level(plan, args.level)
    registry = _load_units(args.units)
    files = data_files(args.data)
    progress(f"Đang đọc {len(files)} tệp số liệu năm {args.period}")
    try:
        data = read_indicator_files(files, plan, registry, args.period)
    except IntakeError as exc:
        raise InputError(f"{exc}\nKhông có số liệu nào được chấm.") from None
    levels = [args.level] if args.level else [
        lvl.id for lvl in plan.levels
        if data.frame["indicator"].isin([i.id for i in plan.indicators_of(lvl.id)]).any()
    ]
    if not levels:
        raise InputError("Các tệp không có số liệu nào của kỳ đánh giá này; không có gì để chấm.")
    records: list[dict[str, Any]] = []
    for level in levels:
        started = time.perf_counter()
        scored = score_level(plan, registry, data.frame, level, args.period)
        records += unit_records(plan, registry, scored)
        progress(f"Đã chấm {plan.level(level).name}: {len(scored.units)} đơn vị "
                 f"({number_text(time.perf_counter() - started)} giây)")
    return plan, records, data.sha256


def data_files(given: Sequence[str]) -> list[Path]:
    """The files named, with each folder replaced by the CSV/XLSX files in it (sorted)."""
    files: list[Path] = []
    for name in given:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
            if not found:
                raise InputError(f"Thư mục {name} không có tệp CSV hoặc XLSX nào.")
            files += found
        else:
            files.append(path)
    return files


def _emit(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8-sig" if out.endswith(".csv") else "utf-8")
        progress(f"Đã ghi {out}")
    else:
        sys.stdout.write(text)


def cmd_score(args: Any) -> int:
    from scoring.core.report import results_document

    plan, records, data_sha = _score_all(args)
    if args.format == "json":
        doc = results_document(plan, args.period, data_sha, records)
        _emit(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", args.out)
    elif args.format == "csv":
        _emit(results_csv(records), args.out)
    else:
        names = {lvl.id: lvl.name for lvl in plan.levels}
        _emit(rankings_table(records, names), args.out)
    return OK


def cmd_explain(args: Any) -> int:
    registry = _load_units(args.units)
    if not registry.has(args.unit):
        raise InputError(f"Không có đơn vị mã «{args.unit}» trong danh mục {args.units}")
    args.level = args.level or registry.unit(args.unit).level
    plan, records, _ = _score_all(args)
    found = [r for r in records if r["unit_code"] == args.unit]
    if not found:
        raise InputError(f"Đơn vị «{args.unit}» không tham gia chấm điểm cấp «{args.level}» "
                         f"năm {args.period}")
    sys.stdout.write(explain_text(found[0], plan.level(args.level).name, {c.id: c for c in plan.criteria}))
    return OK


if __name__ == "__main__":
    sys.exit(main())
