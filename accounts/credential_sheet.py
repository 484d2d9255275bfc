"""The printable sheet of new unit accounts: one slip per unit (unit, username, one-time password,
where to log in), cut along the dashed lines. WeasyPrint with Liberation Serif; no URL is fetched."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

import jinja2
import weasyprint  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

from accounts.admin import UnitCredential
from presentation.times import date_text, local_date

_CSS = """
@page { size: A4; margin: 15mm 18mm; }
body { font-family: "Liberation Serif"; font-size: 13pt; }
h1 { font-size: 15pt; text-align: center; margin: 0 0 4mm; }
p.note { font-size: 11pt; margin: 0 0 4mm; }
.slip { border-bottom: 1px dashed #000; padding: 4mm 0; break-inside: avoid; }
.slip h2 { font-size: 13pt; margin: 0 0 2mm; }
table { border-collapse: collapse; }
th { text-align: left; font-weight: normal; padding: .5mm 6mm .5mm 0; }
td { font-family: "Liberation Mono", "Liberation Serif"; font-size: 13pt; font-weight: bold; }
"""

_TEMPLATE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>
<h1>{{ title }}</h1>
<p class="note">Lập ngày {{ day }}. Mỗi phiếu giao cho đúng đơn vị. Mật khẩu chỉ dùng một lần: khi đăng nhập
lần đầu, hệ thống yêu cầu đặt mật khẩu mới.</p>
{% for c in credentials %}
<div class="slip">
  <h2>{{ c.unit_name }}</h2>
  <table>
    <tr><th>Mã đơn vị</th><td>{{ c.unit_code }}</td></tr>
    <tr><th>Tên đăng nhập</th><td>{{ c.username }}</td></tr>
    <tr><th>Mật khẩu dùng một lần</th><td>{{ c.password }}</td></tr>
    <tr><th>Địa chỉ đăng nhập</th><td>{{ login_url }}</td></tr>
  </table>
</div>
{% endfor %}
</body></html>"""


@cache
def _engine() -> tuple[jinja2.Template, Any, Any, Any]:
    fetcher = URLFetcher(allowed_protocols=())
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=_CSS, font_config=fonts, url_fetcher=fetcher)
    template = jinja2.Environment(autoescape=True).from_string(_TEMPLATE)
    return template, css, fonts, fetcher


def credential_sheet(credentials: Sequence[UnitCredential], level_name: str, login_url: str,
                     made_at: datetime) -> bytes:
    template, css, fonts, fetcher = _engine()
    html = template.render(title=f"Tài khoản đơn vị – {level_name}", credentials=credentials,
                           login_url=login_url, day=date_text(local_date(made_at)))
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).render(
        stylesheets=[css], font_config=fonts).write_pdf()
    return pdf


async def credential_sheet_async(credentials: Sequence[UnitCredential], level_name: str, login_url: str,
                                 made_at: datetime) -> bytes:
    """The same, off the event loop."""
    return await asyncio.to_thread(credential_sheet, credentials, level_name, login_url, made_at)
