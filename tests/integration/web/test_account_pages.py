"""The accounts pages (/quan-tri/tai-khoan) on the loaded province: list and search, create with a
one-time password and the forced change, disable and enable, reset, and the PDF credential sheet."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from test_admin_pages import ADMIN, admin, app_client, checked_page, csrf, login, world  # noqa: F401 (fixtures)

from accounts.admin import account_by_username
from accounts.service import create_account, create_api_token

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
import loaded_province as province  # the API tests' loaded province

pytestmark = pytest.mark.db

ONCE = re.compile(r'<code id="mat-khau-mot-lan">([^<]+)</code>')
NEW_PASSWORD = "mat-khau-moi-2026"



def _page(client: TestClient[Any], url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code} {response.text[:500]}"
    checked_page(response.text)
    return response.text


def _post(client: TestClient[Any], url: str, data: dict[str, str], status: int = 200) -> Any:
    response = client.post(url, data={"_csrf": csrf(client), **data}, follow_redirects=False)
    assert response.status_code == status, f"{url}: {response.status_code} {response.text[:500]}"
    return response


def _login_once(client: TestClient[Any], username: str, password: str) -> Any:
    client.cookies.clear()
    return client.post("/dang-nhap", data={"username": username, "password": password},
                       follow_redirects=False)


def test_the_list_is_linked_searchable_and_valid(admin: TestClient[Any]) -> None:
    assert 'href="/quan-tri/tai-khoan"' in admin.get("/quan-tri").text
    html = _page(admin, "/quan-tri/tai-khoan")
    assert "canbo.a" in html and "hoidong" in html and 'aria-current="page"' in html
    found = _page(admin, "/quan-tri/tai-khoan?q=canbo&vai_tro=unit")
    assert "canbo.a" in found and "canbo.b" in found and "hoidong" not in found


def test_forms_need_the_csrf_token(admin: TestClient[Any]) -> None:
    response = admin.post("/quan-tri/tai-khoan", data={"username": "x", "full_name": "X", "role": "council"})
    assert response.status_code == 403


def test_create_shows_a_one_time_password_and_the_first_login_must_change_it(
        admin: TestClient[Any]) -> None:
    refused = _post(admin, "/quan-tri/tai-khoan", {"username": "sai.don.vi", "full_name": "Sai",
                                                   "role": "unit", "unit_code": "KHONG-CO"}, 404)
    checked_page(refused.text)
    assert "Không có đơn vị mã «KHONG-CO»" in refused.text
    made = _post(admin, "/quan-tri/tai-khoan", {"username": "pho.phong", "full_name": "Phó Phòng",
                                                "role": "unit", "unit_code": province.UNIT_A})
    checked_page(made.text)
    found = ONCE.search(made.text)
    assert found, "không thấy mật khẩu dùng một lần"
    once = found.group(1)
    assert "pho.phong" in admin.get("/quan-tri/tai-khoan?q=pho.phong").text
    first = _login_once(admin, "pho.phong", once)
    assert (first.status_code, first.headers["location"]) == (302, "/doi-mat-khau")
    blocked = admin.get(f"/don-vi/{province.UNIT_A}", follow_redirects=False)
    assert (blocked.status_code, blocked.headers["location"]) == (303, "/doi-mat-khau")
    assert admin.get("/api/v1/auth/me").status_code == 403
    form = _page(admin, "/doi-mat-khau")
    token = re.search(r'name="_csrf" value="([^"]+)"', form)
    assert token and "mật khẩu dùng một lần" in form
    same = admin.post("/doi-mat-khau", data={"_csrf": token.group(1), "old_password": once,
                                             "new_password": once, "repeat_password": once})
    assert same.status_code == 400 and "khác mật khẩu cũ" in same.text
    checked_page(same.text)
    done = admin.post("/doi-mat-khau", data={"_csrf": token.group(1), "old_password": once,
                                             "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD},
                      follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, f"/don-vi/{province.UNIT_A}")
    assert admin.get("/api/v1/auth/me").status_code == 200
    again = _login_once(admin, "pho.phong", NEW_PASSWORD)
    assert again.headers["location"] == f"/don-vi/{province.UNIT_A}"


def test_disable_ends_the_cookie_and_the_token_at_once_enable_lets_in_again(
        app_client: TestClient[Any]) -> None:
    account = province.run(create_account("tam.khoa", "Tạm Khóa", province.PASSWORD, "unit", province.UNIT_B))
    bearer = {"Authorization": f"Bearer {province.run(create_api_token(account['id'], 'thử'))}"}
    login(app_client, "tam.khoa")
    cookie = app_client.cookies.get("thidua_session")
    assert app_client.get("/api/v1/auth/me").status_code == 200
    app_client.cookies.clear()
    assert app_client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    login(app_client, ADMIN)
    html = _page(app_client, f"/quan-tri/tai-khoan/{account['id']}")
    assert "Khóa tài khoản" in html
    done = _post(app_client, f"/quan-tri/tai-khoan/{account['id']}/trang-thai", {"active": "0"}, 303)
    assert "Đã khóa" in app_client.get(done.headers["location"]).text
    app_client.cookies.clear()
    assert app_client.get("/api/v1/auth/me", headers=bearer).status_code == 401
    app_client.cookies.set("thidua_session", cookie or "")
    assert app_client.get("/api/v1/auth/me").status_code == 401
    app_client.cookies.clear()
    assert _login_once(app_client, "tam.khoa", province.PASSWORD).status_code == 401  # the form again
    login(app_client, ADMIN)
    _post(app_client, f"/quan-tri/tai-khoan/{account['id']}/trang-thai", {"active": "1"}, 303)
    assert _login_once(app_client, "tam.khoa", province.PASSWORD).status_code == 302
    app_client.cookies.clear()


def test_reset_and_role_change(admin: TestClient[Any]) -> None:
    account = province.run(create_account("doi.vai", "Đổi Vai", province.PASSWORD, "council"))
    url = f"/quan-tri/tai-khoan/{account['id']}"
    wrong = _post(admin, f"{url}/vai-tro", {"role": "unit", "unit_code": "ZZ"}, 404)
    assert "Không có đơn vị mã «ZZ»" in wrong.text
    _post(admin, f"{url}/vai-tro", {"role": "unit", "unit_code": province.UNIT_B}, 303)
    reset = _post(admin, f"/quan-tri/tai-khoan/{account['id']}/dat-lai-mat-khau", {})
    checked_page(reset.text)
    found = ONCE.search(reset.text)
    assert found and "cán bộ đơn vị" in reset.text
    assert _login_once(admin, "doi.vai", province.PASSWORD).status_code == 401
    assert _login_once(admin, "doi.vai", found.group(1)).headers["location"] == "/doi-mat-khau"
    admin.cookies.clear()
    login(admin, ADMIN)
    assert found.group(1) not in admin.get(f"/quan-tri/tai-khoan/{account['id']}").text
    me = province.run(account_by_username(ADMIN))["id"]
    for action, data in (("vai-tro", {"role": "council"}), ("trang-thai", {"active": "0"})):
        refused = _post(admin, f"/quan-tri/tai-khoan/{me}/{action}", data, 400)
        checked_page(refused.text)
        assert "Không thể tự" in refused.text


def test_bulk_create_gives_a_pdf_with_every_username_once(admin: TestClient[Any],
                                                          world: province.World) -> None:
    having = {"canbo.a", "canbo.b"}
    agencies = [u.code for u in world.registry.of_level("agency", on=date.today())]
    response = _post(admin, "/quan-tri/tai-khoan/tao-theo-cap", {"level": "agency"})
    assert response.headers["content-type"] == "application/pdf"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "phieu.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    assert "Mật khẩu dùng một lần" in text and "/dang-nhap" in text
    for code in agencies:
        assert len(re.findall(rf"(?<![\w.-]){re.escape(code.lower())}(?![\w.-])", text)) == 1, code
    assert not having & set(text.split())
    again = _post(admin, "/quan-tri/tai-khoan/tao-theo-cap", {"level": "agency"})
    checked_page(again.text)
    assert "đã có tài khoản" in again.text
