"""The browser tests' own guards do catch what they are for (no server page involved)."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_checks import check_page, html_errors

pytestmark = [pytest.mark.db, pytest.mark.e2e]

GOOD = ('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Thử</title></head><body>'
        '<h1>Bảng điểm thi đua</h1><p>Đơn vị được đánh giá theo từng tiêu chí, xếp hạng trong cụm.</p>'
        '<label for="x">Giá trị</label><input id="x"><button>Lưu số liệu</button>{extra}</body></html>')


def test_the_page_checks_refuse_mojibake_bad_html_headings_and_unlabelled_controls(page: Any) -> None:
    good = GOOD.format(extra="")
    page.set_content(good)
    check_page(page, good)
    assert html_errors("<!DOCTYPE html><html><body><p>đóng sai</div></body></html>")
    for extra, complaint in [
        ("<p>Ä‘iá»ƒm</p>", "lỗi mã hóa"),
        ("<p>Tá»· lá»‡ Ã¡</p>", "lỗi mã hóa"),
        ("<p>PhÆ°á»ng</p>", "lỗi mã hóa"),
        ("<h1>Hai tiêu đề</h1>", "đúng một <h1>"),
        ('<input id="y" name="y">', "không có nhãn"),
        ("<select><option>1</option></select>", "không có nhãn"),
        ("<p>điểm</div>", "HTML không hợp lệ"),
    ]:
        html = GOOD.format(extra=extra)
        page.set_content(html)
        with pytest.raises(AssertionError, match=complaint):
            check_page(page, html)
    xa = GOOD.format(extra="<p>UBND XÃ TÂN TRÀO</p>")  # upper-case Vietnamese is not mojibake
    page.set_content(xa)
    check_page(page, xa)


def test_requests_to_other_hosts_are_aborted_and_recorded(site: Any, page: Any) -> None:
    page.set_content('<img alt="" src="http://example.invalid/logo.png">'
                     '<script src="https://cdn.example.invalid/x.js"></script>')
    page.wait_for_load_state("load")
    assert "http://example.invalid/logo.png" in site.foreign
    assert "https://cdn.example.invalid/x.js" in site.foreign
    site.foreign.clear()  # expected here; any other test fails at teardown on such a request
