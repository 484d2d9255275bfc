"""The database commands of ``thidua`` run as real processes on the test database
(``DATABASE_URL`` of the session, SQLite or PostgreSQL): exit codes, messages, effects."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from open_province import YEAR, open_year, row_counts

from accounts.service import authenticate
from criteria.model import Plan
from demo.indicators import demo_values
from scoring.core.units import Registry
from scoring.intake.template import write_long_csv
from scoring.services.periods import get_period, list_periods
from scoring.services.runs import get_run, list_runs
from storage.audit import verify
from storage.errors import ServiceError
from storage.tables import AuditEntry

pytestmark = pytest.mark.db

ROOT = Path(__file__).parents[3]
PASSWORD = "mat-khau-rat-dai-2025"


def thidua(*argv: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("thidua")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]
    return subprocess.run([*command, *argv], cwd=ROOT, env=os.environ, input=stdin, capture_output=True,
                          text=True, timeout=timeout)


def test_migrate_twice_is_harmless(migrated_database: str) -> None:
    for _ in range(2):
        done = thidua("db", "migrate")
        assert done.returncode == 0, done.stderr
        assert "Cơ sở dữ liệu đã được cập nhật." in done.stdout


async def test_user_add_reads_the_password_from_stdin_and_the_user_can_log_in(clean_db: str) -> None:
    done = thidua("user", "add", "Truong.Phong", "--role", "admin", "--name", "Trương Thị Phòng",
                  "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "«truong.phong»" in done.stdout and "admin" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    account = await authenticate("truong.phong", PASSWORD, "127.0.0.1")
    assert (account["role"], account["full_name"]) == ("admin", "Trương Thị Phòng")
    with pytest.raises(ServiceError) as wrong:
        await authenticate("truong.phong", PASSWORD + "x", "127.0.0.1")
    assert wrong.value.code == "unauthenticated"
    entries = await AuditEntry.select(AuditEntry.actor, AuditEntry.action).order_by(AuditEntry.seq)
    assert entries == [{"actor": "cli", "action": "account.create"},
                       {"actor": "truong.phong", "action": "login.success"},
                       {"actor": "truong.phong", "action": "login.failure"}]

    short = thidua("user", "add", "canbo", "--role", "unit", "--password-stdin", stdin="ngan\n")
    assert short.returncode == 1
    assert "Mật khẩu phải có ít nhất 8 ký tự" in short.stderr and "mã đơn vị" in short.stderr


async def test_import_dry_run_of_a_bad_file_names_row_and_column_and_writes_nothing(
    clean_db: str, tmp_path: Path
) -> None:
    _, plan, registry = await load_period(tmp_path, with_values=False)
    values = demo_values(plan, registry, YEAR)
    good = tmp_path / "dung.csv"
    write_long_csv(values[values["unit_code"] == values["unit_code"].iloc[0]], YEAR, good, plan=plan)
    lines = good.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = ",".join([*lines[2].split(",")[:3], "mười hai"])  # the second data row: line 3
    bad = tmp_path / "sai.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = await row_counts()

    done = thidua("import", str(bad), "--period", str(YEAR), "--dry-run")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Tệp có 1 lỗi; không có số liệu nào được nhận." in done.stderr
    assert "tệp sai.csv, dòng 3, cột D (gia_tri): " in done.stderr, done.stderr
    assert "mười hai" in done.stderr
    assert await row_counts() == before, "chạy thử không được ghi gì"

    checked = thidua("import", str(good), "--period", str(YEAR), "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("Kiểm tra xong, chưa ghi gì: các tệp hợp lệ, có "), checked.stdout
    assert "{" not in checked.stdout and "None" not in checked.stdout, "câu tiếng Việt, không phải dict"
    assert await row_counts() == before, "chạy thử không được ghi gì"


async def test_run_then_publish(clean_db: str, tmp_path: Path) -> None:
    period_id, _, _ = await load_period(tmp_path)
    scored = thidua("run", "--period", str(YEAR), "--level", "commune")
    assert scored.returncode == 0, scored.stderr
    found = re.match(r"Lượt chấm số (\d+): (\d+) đơn vị; mã băm [0-9a-f]{64}$", scored.stdout.strip())
    assert found, scored.stdout
    run_id = int(found[1])
    run = await get_run(run_id)
    assert not run["published"] and run["n_units"] == int(found[2]) > 0

    published = thidua("publish", str(run_id))
    assert published.returncode == 0, published.stderr
    assert f"Đã công bố lượt chấm số {run_id}" in published.stdout
    run = await get_run(run_id)
    assert run["published"] and run["published_by"] == "cli"
    assert (await get_period(period_id))["locked"]

    missing = thidua("publish", "999999")
    assert missing.returncode == 1 and "999999" in missing.stderr
    no_period = thidua("run", "--period", "2031", "--level", "commune")
    assert no_period.returncode == 1 and "Chưa có kỳ đánh giá năm 2031" in no_period.stderr


async def test_audit_verify_passes_then_names_the_altered_entry(clean_db: str, tmp_path: Path) -> None:
    await load_period(tmp_path)
    entries = await AuditEntry.count()
    assert entries >= 3
    intact = thidua("audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.strip() == f"Nhật ký toàn vẹn: {entries} mục, chuỗi băm khớp."

    seq = 2
    await AuditEntry.update({AuditEntry.after: '{"sua_trai_phep":true}'}).where(AuditEntry.seq == seq)
    broken = thidua("audit", "verify")
    assert broken.returncode == 1, broken.stdout
    assert f"mục số {seq}" in broken.stderr, broken.stderr
    assert "nội dung đã bị sửa" in broken.stderr
    assert (await verify()).broken_seq == seq


async def test_demo_load_prints_the_admin_login_and_leaves_a_sound_audit_log(clean_db: str) -> None:
    started = time.perf_counter()
    loaded = thidua("demo", "load", timeout=300)
    seconds = time.perf_counter() - started
    assert loaded.returncode == 0, loaded.stderr
    assert "quản trị: admin / ThiDua@2024" in loaded.stdout, loaded.stdout
    counts = await row_counts()
    assert counts["account"] >= 174 and counts["score_run"] == 10, counts
    (period_2025,) = [p for p in await list_periods() if p["year"] == 2025]
    assert period_2025["plan_id"] == "tuyen-quang-de-an-06-2025" and period_2025["locked"]
    assert {r["level"]: (r["n_units"], r["published"]) for r in await list_runs(period_2025["id"])} == {
        "agency": (21, True), "commune": (124, True)}
    intact = thidua("audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.startswith("Nhật ký toàn vẹn: "), intact.stdout
    print(f"demo load: {seconds:.1f} s")


async def load_period(folder: Path, with_values: bool = True) -> tuple[int, Plan, Registry]:
    return await open_year(folder if with_values else None)


async def test_user_list_disable_enable_reset_password(clean_db: str) -> None:
    await open_year(None)
    added = thidua("user", "add", "canbo.cq01", "--role", "unit", "--unit", "CQ01", "--name", "Cán Bộ Một",
                   "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    unknown_unit = thidua("user", "add", "canbo.x", "--role", "unit", "--unit", "KHONG-CO",
                          "--password-stdin", stdin=PASSWORD + "\n")
    assert unknown_unit.returncode == 1 and "Không có đơn vị mã «KHONG-CO»" in unknown_unit.stderr
    listed = thidua("user", "list", "--unit", "CQ01")
    assert listed.returncode == 0, listed.stderr
    assert "canbo.cq01\tunit\tCQ01\tCán Bộ Một\tđang hoạt động" in listed.stdout
    assert "1 tài khoản." in listed.stdout
    assert thidua("user", "list", "--unit", "ZZZ").returncode == 1

    disabled = thidua("user", "disable", "canbo.cq01")
    assert disabled.returncode == 0 and "Đã khóa" in disabled.stdout, disabled.stderr
    with pytest.raises(ServiceError):
        await authenticate("canbo.cq01", PASSWORD, "127.0.0.1")
    assert "đã khóa" in thidua("user", "list", "canbo").stdout
    assert thidua("user", "enable", "canbo.cq01").returncode == 0
    assert (await authenticate("canbo.cq01", PASSWORD, "127.0.0.1"))["unit_code"] == "CQ01"

    reset = thidua("user", "reset-password", "canbo.cq01")
    assert reset.returncode == 0, reset.stderr
    once = reset.stdout.split("Mật khẩu dùng một lần: ")[1].split()[0]
    assert (await authenticate("canbo.cq01", once, "127.0.0.1"))["must_change_password"] is True

    for command in ("disable", "enable", "reset-password"):
        missing = thidua("user", command, "khong.ai")
        assert missing.returncode == 1 and "Không có tài khoản «khong.ai»" in missing.stderr
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.seq)]
    changes = [a for a in actions if not a.startswith("login.")]
    assert changes[-4:] == ["account.create", "account.disable", "account.enable", "account.reset_password"]
    assert "login.failure" in actions and "login.success" in actions, "đăng nhập cũng được ghi nhật ký"


async def test_plan_export_check_import_as_a_workbook(clean_db: str, tmp_path: Path) -> None:
    from criteria.loader import load_plan
    from criteria.shipped import PLAN_2025
    from scoring.services.plan_store import list_plan_versions

    sha = load_plan(PLAN_2025).sha256
    book = tmp_path / "ke-hoach-2025.xlsx"
    exported = thidua("plan", "export", str(PLAN_2025), "--out", str(book))
    assert exported.returncode == 0 and f"sha256: {sha}" in exported.stdout, exported.stderr
    checked = thidua("plan", "check", str(book))
    assert checked.returncode == 0 and f"sha256: {sha}" in checked.stdout, checked.stderr
    first = thidua("plan", "import", str(book))
    assert first.returncode == 0 and "Đã lưu phiên bản kế hoạch số" in first.stdout, first.stderr
    again = thidua("plan", "import", str(PLAN_2025))  # the same plan as TOML: the stored version
    assert again.returncode == 0 and "đã có trong cơ sở dữ liệu" in again.stdout, again.stderr
    [version] = await list_plan_versions()
    assert version["sha256"] == sha
    back = tmp_path / "tu-co-so-du-lieu.xlsx"
    assert thidua("plan", "export", str(version["id"]), "--out", str(back)).returncode == 0
    assert load_plan(back).sha256 == sha
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 khong phai bang tinh")
    refused = thidua("plan", "import", str(broken))
    assert refused.returncode == 1 and "không đọc được tệp Excel" in refused.stderr
    assert len(await list_plan_versions()) == 1


async def test_user_add_refuses_common_passwords_for_every_role(clean_db: str) -> None:
    for password, words in (("password", "quá dễ đoán"), ("12345678", "quá dễ đoán"),
                            ("        ", "không được để trống"), ("quantri-so-2026", "chứa tên đăng nhập")):
        refused = thidua("user", "add", "quantri", "--role", "admin", "--name", "Quản Trị",
                         "--password-stdin", stdin=password + "\n")
        assert refused.returncode == 1 and words in refused.stderr, (password, refused.stderr)
    from accounts.tables import Account

    assert await Account.count() == 0


async def test_user_tokens_lists_and_revoke_token_ends_one(clean_db: str) -> None:
    from accounts.service import create_account, create_api_token, list_api_tokens, token_user

    account = await create_account("canbo.xa", "Cán Bộ Xã", PASSWORD, "admin")
    token = await create_api_token(account["id"], "máy chủ báo cáo", days=30)
    listed = thidua("user", "tokens", "canbo.xa")
    assert listed.returncode == 0 and "máy chủ báo cáo" in listed.stdout and "còn hiệu lực" in listed.stdout
    assert "1 mã truy cập." in listed.stdout and token not in listed.stdout
    [row] = await list_api_tokens(account["id"])
    revoked = thidua("user", "revoke-token", str(row["id"]))
    assert revoked.returncode == 0 and "Đã thu hồi mã truy cập" in revoked.stdout, revoked.stderr
    assert await token_user(token) is None
    missing = thidua("user", "revoke-token", str(row["id"]))
    assert missing.returncode == 1 and "Không có mã truy cập" in missing.stderr


async def test_hostile_files_through_the_cli_are_refused_in_vietnamese(clean_db: str, tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "unit" / "scoring"))
    from test_hostile_files import SHEET_START, rows_xml, workbook

    await load_period(tmp_path, with_values=False)
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"ma_don_vi,chi_tieu,gia_tri\n\x00\x00,x,1\n")
    entity = SHEET_START.replace("<worksheet", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet')
    bomb = SHEET_START + " " * (400 * 1024 * 1024) + "</worksheet>"
    files = {
        workbook(tmp_path / "bom.xlsx", bomb): "vượt giới hạn",
        workbook(tmp_path / "trieu-dong", rows_xml(1_048_575, dimension=False)): "hơn 200.000 dòng",
        workbook(tmp_path / "thuc-the.xlsx", entity + "<sheetData/></worksheet>"): "khai báo thực thể XML",
        nul: "byte NUL",
    }
    before = await row_counts()
    for path, words in files.items():
        start = time.monotonic()
        done = thidua("import", str(path), "--period", str(YEAR))
        assert time.monotonic() - start < 30, path.name
        assert done.returncode == 1 and words in done.stderr, (path.name, done.stderr)
        assert "Traceback" not in done.stderr and "None" not in done.stderr
    assert await row_counts() == before
