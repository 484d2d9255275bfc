"""CLI commands that work on the database: migrate, demo load, import, run, publish, users,
audit, nomination batches, serve, history, province. Each opens the engine from DATABASE_URL and
runs one service call."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from api.argparse_vi import Parser
from api.cli_history import add_commands as add_history_commands
from api.cli_history import cmd_history
from api.cli_province import add_commands as add_province_commands
from api.cli_province import cmd_province

T = TypeVar("T")
OK, INVALID = 0, 1


def add_commands(sub: Any) -> None:
    db = sub.add_parser("db", help="cơ sở dữ liệu")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="LỆNH")
    db_sub.add_parser("migrate", help="áp dụng các bản chuyển đổi (migration) còn thiếu")

    imp = sub.add_parser("import", help="nhập số liệu từ tệp vào cơ sở dữ liệu")
    imp.add_argument("files", nargs="+", metavar="TỆP")
    imp.add_argument("--period", required=True, type=int, metavar="NĂM")
    imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
    imp.add_argument("--appraised", action="store_true", help="số liệu đã thẩm định")

    run = sub.add_parser("run", help="chấm điểm một cấp của một kỳ (lưu lượt chấm)")
    run.add_argument("--period", required=True, type=int, metavar="NĂM")
    run.add_argument("--level", required=True, metavar="CẤP")

    pub = sub.add_parser("publish", help="công bố một lượt chấm")
    pub.add_argument("run_id", type=int, metavar="MÃ_LƯỢT_CHẤM")

    user = sub.add_parser("user", help="tài khoản người dùng")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="LỆNH")
    add = user_sub.add_parser("add", help="thêm tài khoản (mật khẩu nhập từ bàn phím hoặc stdin)")
    add.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    add.add_argument("--role", required=True, choices=("admin", "unit", "council"))
    add.add_argument("--unit", metavar="MÃ_ĐƠN_VỊ", help="đơn vị của tài khoản vai trò unit")
    add.add_argument("--name", default="", metavar="HỌ_TÊN")
    add.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ stdin")
    listing = user_sub.add_parser("list", help="liệt kê tài khoản (lọc theo tên, vai trò, đơn vị)")
    listing.add_argument("query", nargs="?", default="", metavar="TỪ_KHÓA",
                         help="một phần tên đăng nhập, họ tên hoặc mã đơn vị")
    listing.add_argument("--role", default="", choices=("", "admin", "unit", "council"))
    listing.add_argument("--unit", default="", metavar="MÃ_ĐƠN_VỊ")
    for name, text in (("disable", "khóa tài khoản (phiên đăng nhập và mã truy cập hết hiệu lực ngay)"),
                       ("enable", "mở khóa tài khoản"),
                       ("reset-password", "đặt lại mật khẩu: in mật khẩu dùng một lần, đổi khi đăng nhập")):
        one = user_sub.add_parser(name, help=text)
        one.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    tokens = user_sub.add_parser("tokens", help="liệt kê mã truy cập API (của một tài khoản hoặc mọi người)")
    tokens.add_argument("username", nargs="?", default="", metavar="TÊN_ĐĂNG_NHẬP")
    revoke = user_sub.add_parser("revoke-token", help="thu hồi một mã truy cập API theo số của nó")
    revoke.add_argument("token_id", type=int, metavar="SỐ_MÃ")

    aud = sub.add_parser("audit", help="nhật ký thay đổi")
    aud_sub = aud.add_subparsers(dest="audit_command", required=True, metavar="LỆNH")
    aud_sub.add_parser("verify", help="kiểm tra chuỗi băm của nhật ký")

    batch = sub.add_parser("batch", help="đợt đề nghị khen thưởng")
    batch_sub = batch.add_subparsers(dest="batch_command", required=True, metavar="LỆNH")
    show = batch_sub.add_parser("show", help="xem một đợt: đề nghị, điểm, tiền thưởng, phiên họp xét")
    show.add_argument("batch_id", type=int, metavar="MÃ_ĐỢT")

    serve = sub.add_parser("serve", help="chạy máy chủ web (http://127.0.0.1:8000)")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=1, help="số tiến trình máy chủ")
    add_history_commands(sub)
    add_province_commands(sub)


def _run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return asyncio.run(make())


async def _period_for_year(year: int) -> dict[str, Any]:
    from scoring.services.periods import list_periods
    from storage.errors import ServiceError

    found = [p for p in await list_periods() if p["year"] == year]
    if not found:
        raise ServiceError(
            "not_found",
            f"Chưa có kỳ đánh giá năm {year}; hãy chạy «thidua demo load» hoặc mở kỳ đánh giá trước.",
        )
    return max(found, key=lambda p: p["id"])


def dispatch(args: Any, progress: Callable[[str], None]) -> int | None:
    """Run a database command; None when ``args.command`` is not one of them."""
    from storage.errors import ServiceError

    handlers: dict[str, Callable[[Any, Callable[[str], None]], int]] = {
        "db": cmd_migrate,
        "import": cmd_import,
        "run": cmd_run,
        "publish": cmd_publish,
        "user": cmd_user,
        "audit": cmd_audit_verify,
        "batch": cmd_batch_show,
        "serve": cmd_serve,
        "history": cmd_history,
        "province": cmd_province,
    }
    if args.command == "demo" and getattr(args, "demo_command", None) == "load":
        from demo.load import cmd_demo_load

        handler: Callable[[Any, Callable[[str], None]], int] = cmd_demo_load
    elif args.command in handlers:
        handler = handlers[args.command]
    else:
        return None
    try:
        return handler(args, progress)
    except ServiceError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        details = exc.details if isinstance(exc.details, list) else []
        for item in details:
            if isinstance(item, dict) and "reason" in item:
                where = [f"tệp {item['file']}" if item.get("file") else "",
                         f"dòng {item['row']}" if item.get("row") is not None else "",
                         f"cột {item['column']}" if item.get("column") else ""]
                place = ", ".join(w for w in where if w)
                print(f"  - {place}: {item.get('reason')}" if place else f"  - {item.get('reason')}",
                      file=sys.stderr)
            elif isinstance(item, dict) and "message" in item:  # a field's or a plan key's problem
                if item["message"] not in exc.message:  # not said already in the first line
                    at = item.get("path")
                    print(f"  - {at}: {item['message']}" if at else f"  - {item['message']}",
                          file=sys.stderr)
            elif not isinstance(item, dict):
                print(f"  - {item}", file=sys.stderr)
        return INVALID


def cmd_migrate(args: Any, progress: Callable[[str], None]) -> int:
    from storage.db import migrate

    progress("Đang áp dụng các bản chuyển đổi cơ sở dữ liệu")
    _run(migrate)
    print("Cơ sở dữ liệu đã được cập nhật.")
    return OK


def cmd_import(args: Any, progress: Callable[[str], None]) -> int:
    from scoring.services.values import import_files

    async def go() -> dict[str, Any]:
        period = await _period_for_year(args.period)
        return await import_files(
            period["id"],
            [Path(f) for f in args.files],
            actor="cli",
            dry_run=args.dry_run,
            as_appraised=args.appraised,
        )

    progress(f"Đang kiểm tra {len(args.files)} tệp")
    s = _run(go)
    what = "số liệu đã thẩm định" if s["as_appraised"] else "số liệu"
    counts = (f"{s['rows']} giá trị của {s['units']} đơn vị, {s['indicators']} chỉ tiêu "
              f"({s['new']} mới, {s['changed']} thay đổi, {s['unchanged']} không đổi)")
    if args.dry_run:
        print(f"Kiểm tra xong, chưa ghi gì: các tệp hợp lệ, có {counts}.")
    else:
        print(f"Đã nhập {what} kỳ năm {args.period}: {counts}.")
    print(f"Tệp: {', '.join(s['files'])}; mã băm số liệu {s['sha256']}")
    return OK


def cmd_run(args: Any, progress: Callable[[str], None]) -> int:
    from scoring.services.runs import start_run

    async def go() -> dict[str, Any]:
        period = await _period_for_year(args.period)
        return await start_run(period["id"], args.level, actor="cli")

    progress(f"Đang chấm điểm cấp «{args.level}» năm {args.period}")
    run = _run(go)
    print(f"Lượt chấm số {run['id']}: {run['n_units']} đơn vị; mã băm {run['run_hash']}")
    return OK


def cmd_publish(args: Any, progress: Callable[[str], None]) -> int:
    from scoring.services.publish import publish_run

    _run(lambda: publish_run(args.run_id, actor="cli"))
    print(f"Đã công bố lượt chấm số {args.run_id}; số liệu của kỳ đã được khóa.")
    return OK


def cmd_user(args: Any, progress: Callable[[str], None]) -> int:
    commands: dict[str, Callable[[Any, Callable[[str], None]], int]] = {
        "add": cmd_user_add, "list": cmd_user_list, "disable": cmd_user_active, "enable": cmd_user_active,
        "reset-password": cmd_user_reset, "tokens": cmd_user_tokens, "revoke-token": cmd_user_revoke}
    return commands[args.user_command](args, progress)


def cmd_user_list(args: Any, progress: Callable[[str], None]) -> int:
    from accounts.admin import check_unit_code, search_accounts

    async def go() -> list[dict[str, Any]]:
        if args.unit:
            await check_unit_code(args.unit)
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            found = await search_accounts(args.query, args.role, args.unit, page=page, page_size=500)
            rows += found.rows
            if page >= found.pages:
                return rows
            page += 1

    rows = _run(go)
    for row in rows:
        state = "đang hoạt động" if row["active"] else "đã khóa"
        if row["active"] and row["must_change_password"]:
            state += ", chờ đổi mật khẩu"
        print(f"{row['username']}\t{row['role']}\t{row['unit_code'] or '-'}\t{row['full_name']}\t{state}")
    print(f"{len(rows)} tài khoản.")
    return OK


def cmd_user_active(args: Any, progress: Callable[[str], None]) -> int:
    from accounts.admin import account_by_username, set_active

    active = args.user_command == "enable"

    async def go() -> dict[str, Any]:
        account = await account_by_username(args.username)
        return await set_active(account["id"], active, actor="cli")

    account = _run(go)
    done = "Đã mở khóa" if active else "Đã khóa (phiên đăng nhập và mã truy cập đã hết hiệu lực)"
    print(f"{done}: tài khoản «{account['username']}».")
    return OK


def cmd_user_tokens(args: Any, progress: Callable[[str], None]) -> int:
    from accounts.admin import account_by_username
    from accounts.service import list_api_tokens
    from presentation.times import datetime_text

    async def go() -> list[dict[str, Any]]:
        owner = (await account_by_username(args.username))["id"] if args.username else None
        return await list_api_tokens(owner)

    rows = _run(go)
    for t in rows:
        until = f"hết hạn {datetime_text(t['expires_at'])}" if t["expires_at"] else "không ghi hạn"
        state = "đã hết hạn" if t["expired"] else "còn hiệu lực"
        print(f"{t['id']}\t{t['username']}\t{t['name']}\t{until}\t{state}")
    print(f"{len(rows)} mã truy cập.")
    return OK


def cmd_user_revoke(args: Any, progress: Callable[[str], None]) -> int:
    from accounts.service import CurrentUser, revoke_api_token

    staff = CurrentUser(id=0, username="cli", full_name="Dòng lệnh", role="admin", unit_code=None,
                        via="token")
    _run(lambda: revoke_api_token(args.token_id, staff))
    print(f"Đã thu hồi mã truy cập số {args.token_id}; mã này không còn dùng được.")
    return OK


def cmd_user_reset(args: Any, progress: Callable[[str], None]) -> int:
    from accounts.admin import account_by_username, reset_password

    async def go() -> tuple[dict[str, Any], str]:
        account = await account_by_username(args.username)
        return await reset_password(account["id"], actor="cli")

    account, once = _run(go)
    print(f"Đã đặt lại mật khẩu của «{account['username']}». Mật khẩu dùng một lần: {once}")
    print("Người dùng phải đổi mật khẩu này khi đăng nhập.")
    return OK


def cmd_user_add(args: Any, progress: Callable[[str], None]) -> int:
    from accounts.admin import create_checked_account

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mật khẩu: ")
    account, _ = _run(
        lambda: create_checked_account(
            args.username, args.name or args.username, password, args.role, args.unit, actor="cli"
        )
    )
    print(f"Đã tạo tài khoản «{account['username']}» (vai trò {account['role']}).")
    return OK


def cmd_audit_verify(args: Any, progress: Callable[[str], None]) -> int:
    from storage.audit import verify

    result = _run(verify)
    if result.ok:
        print(f"Nhật ký toàn vẹn: {result.checked} mục, chuỗi băm khớp.")
        return OK
    print(f"Nhật ký KHÔNG toàn vẹn: mục số {result.broken_seq}: {result.reason}.", file=sys.stderr)
    return INVALID


def cmd_batch_show(args: Any, progress: Callable[[str], None]) -> int:
    from api.textout import batch_text
    from nominations import council, service
    from scoring.services.periods import get_period

    async def go() -> str:
        batch = await service.get_batch(args.batch_id)
        period = await get_period(batch["period_id"])
        names = {a.id: a.name for a in service.rule_set_for_plan(period["plan_id"]).awards}
        return batch_text(batch, await service.batch_nominations(args.batch_id),
                          await council.session_of_batch(args.batch_id), names)

    sys.stdout.write(_run(go))
    return OK


def cmd_serve(args: Any, progress: Callable[[str], None]) -> int:
    import uvicorn

    from storage.settings import get_settings

    settings = get_settings()
    host, port = args.host or settings.host, args.port or settings.port
    progress(f"Máy chủ chạy tại http://{host}:{port} ({args.workers} tiến trình); Ctrl+C để dừng")
    os.environ.setdefault("THIDUA_DB_POOL", "1")
    proxies = settings.trusted_proxies  # uvicorn rewrites the client only for these
    uvicorn.run("server.app:create_app", factory=True, host=host, port=port, workers=args.workers,
                log_level="warning", proxy_headers=bool(proxies),
                forwarded_allow_ips=",".join(proxies) or None)
    return OK


__all__ = ["Parser", "add_commands", "dispatch"]
