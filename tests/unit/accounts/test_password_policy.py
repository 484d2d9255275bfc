"""Which passwords an account may have, whatever its role (NIST SP 800-63B §5.1.1.2): not blank,
at least 8 characters, not its username, not a common or easily guessed one."""

from __future__ import annotations

import pytest

from accounts.admin import one_time_password
from accounts.service import password_problem


@pytest.mark.parametrize(("password", "words"), [
    ("", "không được để trống"),
    ("        ", "không được để trống"),
    ("abc12", "ít nhất 8 ký tự"),
    ("password", "quá dễ đoán"),
    ("12345678", "quá dễ đoán"),
    ("qwertyuiop", "quá dễ đoán"),
    ("aaaaaaaaaaaa", "quá dễ đoán"),
    ("quantri.daklak-2026", "chứa tên đăng nhập"),
    ("NguyenVanQuan1", "quá dễ đoán"),
])
def test_weak_passwords_are_refused_with_the_reason(password: str, words: str) -> None:
    problem = password_problem(password, "quantri.daklak", "Nguyễn Văn Quân")
    assert problem is not None and words in problem, problem


@pytest.mark.parametrize("password", ["Mua-xuan-tren-cao-nguyen-2026", "Dak-Lak-Thi-Dua-2026",
                                      "ca phe buon ma thuot sang som"])
def test_a_passphrase_is_accepted(password: str) -> None:
    assert password_problem(password, "quantri.daklak", "Nguyễn Văn Quân") is None


def test_the_one_time_passwords_the_system_makes_pass_its_own_policy() -> None:
    for _ in range(50):
        assert password_problem(one_time_password(), "xa-02200", "Xã Phan Thiết") is None
