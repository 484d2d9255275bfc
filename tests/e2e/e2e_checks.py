"""What every page must satisfy, checked on each page a browser test visits.

- the text is Vietnamese (``<html lang="vi">`` and Vietnamese letters) with no mojibake:
  none of the marks UTF-8 leaves when read as Latin-1/Windows-1252 ("Ã©", "Ã\\xa0",
  "Â\\xa0", "Æ°", "Ä‘", "á»…", "áº…") nor the replacement character "�". A bare "Ã" is
  not flagged when a space or an upper-case letter follows it: "XÃ" is Vietnamese;
- the HTML as the server sent it parses with ``html5lib.HTMLParser(strict=True)``;
- exactly one ``<h1>``;
- every visible form control has an accessible name: a ``<label for>`` (or an enclosing
  ``<label>``) with text, ``aria-label`` or ``aria-labelledby``; buttons have a text.
"""

from __future__ import annotations

import re
from typing import Any

import html5lib

# Latin-1 / Windows-1252 readings of UTF-8 continuation bytes (0x80–0xBF).
_CONTINUATION = "\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
MOJIBAKE = re.compile(
    rf"Ã[{_CONTINUATION}]|Â\u00a0|\ufffd|Æ°|Æ¡|Ä‘|Ä\u0090|á»|áº"
)
VIETNAMESE = re.compile(
    "[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]", re.IGNORECASE
)

UNLABELLED_CONTROLS = """
() => {
  const bad = [];
  const visible = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const text = (el) => (el ? (el.innerText || el.textContent || '').trim() : '');
  for (const el of document.querySelectorAll('input, select, textarea, button')) {
    if (el.type === 'hidden' || !visible(el)) continue;
    const aria = (el.getAttribute('aria-label') || '').trim();
    const labelledby = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map((id) => text(document.getElementById(id))).join(' ').trim();
    let name = aria || labelledby;
    if (el.tagName === 'BUTTON' || ['submit', 'button', 'reset', 'image'].includes(el.type)) {
      name = name || text(el) || (el.value || '').trim() || (el.alt || '').trim();
    } else {
      const forLabels = el.id ? [...document.querySelectorAll('label[for="' + CSS.escape(el.id) + '"]')] : [];
      name = name || forLabels.map(text).join(' ').trim() || text(el.closest('label'));
    }
    if (!name) bad.push(el.outerHTML.slice(0, 160));
  }
  return bad;
}
"""


def html_errors(html: str) -> list[str]:
    """Parse errors of html5lib in strict mode (empty when the document is well-formed)."""
    parser = html5lib.HTMLParser(strict=True)
    try:
        parser.parse(html)
    except html5lib.html5parser.ParseError as err:
        line, col = parser.errors[-1][0] if parser.errors else ("?", "?")
        lines = html.splitlines()
        known = isinstance(line, int) and line <= len(lines)
        around = lines[line - 1][max(0, col - 60):col + 40] if known else ""
        return [f"{err} (dòng {line}, cột {col}: …{around}…)"]
    return []


def check_page(page: Any, html: str) -> None:
    where = page.url
    text = page.inner_text("body") + "\n" + page.title()
    bad = sorted({m.group(0) for source in (text, html) for m in MOJIBAKE.finditer(source)})
    assert not bad, f"{where}: chữ bị lỗi mã hóa {bad!r}"
    assert page.get_attribute("html", "lang") == "vi", f"{where}: thiếu <html lang=\"vi\">"
    assert len(VIETNAMESE.findall(text)) >= 10, f"{where}: trang không có chữ tiếng Việt có dấu"
    errors = html_errors(html)
    assert not errors, f"{where}: HTML không hợp lệ: {errors}"
    h1 = page.locator("h1").count()
    assert h1 == 1, f"{where}: cần đúng một <h1>, có {h1}"
    unlabelled = page.evaluate(UNLABELLED_CONTROLS)
    assert not unlabelled, f"{where}: ô nhập/nút không có nhãn: {unlabelled}"
