"""Terminal and CSV renderings of scoring results (Vietnamese headers).

Numbers, status words and reason sentences come from :mod:`presentation`, as on the pages and in
the PDFs; the CSV keeps raw numbers for spreadsheets.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from presentation.money import money_text
from presentation.numbers import number_text, percent_text, points_text
from presentation.times import date_text
from presentation.words import MISSING, NOMINATION_RESULT, CriterionTerms, criterion_reason, status_text


def vn(x: Any) -> str:
    """A number the Vietnamese way (``1.234,5``); words as they are; '—' for nothing."""
    if isinstance(x, str):
        return x
    return number_text(x) or MISSING


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def rankings_table(records: Sequence[dict[str, Any]], level_names: dict[str, str]) -> str:
    """Rankings grouped by level and cluster, best first."""
    out: list[str] = []
    ordered = sorted(records, key=lambda r: (r["level"], r["cluster"] or "", r["rank_in_cluster"]))
    current: tuple[str, str] | None = None
    rows: list[list[str]] = []
    headers = ["Hạng", "Mã", "Tên đơn vị", "Tổng điểm", "Tối đa", "Tỷ lệ %", "Xếp loại",
               "Hạng chung"]

    def flush() -> None:
        if current is not None:
            out.append(_table(headers, rows, {0, 3, 4, 5, 7}))
            out.append("")

    for r in ordered:
        key = (r["level"], r["cluster_name"] or "")
        if key != current:
            flush()
            current, rows = key, []
            out.append(f"== {level_names.get(r['level'], r['level'])} — {key[1]} ==")
        rows.append([f"{r['rank_in_cluster']}/{r['cluster_size']}", r["unit_code"], r["unit_name"],
                     vn(r["total"]), vn(r["max"]), vn(r["percent"]), r["band_name"],
                     str(r["rank_overall"])])
    flush()
    return "\n".join(out).rstrip() + "\n"


def explain_text(record: dict[str, Any], level_name: str,
                 rules: Mapping[str, CriterionTerms] | None = None) -> str:
    """One unit's breakdown, criterion by criterion, readable in a terminal; ``rules``: the plan's
    criteria by id, for the reason sentences."""
    r = record
    lines = [
        f"{r['unit_name']} ({r['unit_code']}) — {level_name}",
        f"Khối/cụm thi đua: {r['cluster_name'] or '—'}",
        f"Tổng điểm: {points_text(r['total'], r['max'])} ({percent_text(r['percent'])})"
        f" = điểm tiêu chí {vn(r['base_total'])} + thưởng {vn(r['bonus'])} − trừ {vn(r['deductions'])}",
        f"Xếp loại: {r['band_name']}",
        f"Xếp hạng: {r['rank_in_cluster']}/{r['cluster_size']} trong khối/cụm; "
        f"{r['rank_overall']} trong toàn cấp",
        "",
    ]
    rows = [
        [c["id"], c["name"][:60], vn(c["value"]), vn(c["target"]), c["unit"],
         points_text(c["points"], c["max_points"]),
         status_text(c["status"]) + (" (bắt buộc)" if c["mandatory"] else "")]
        for c in r["criteria"]
    ]
    lines.append(_table(["Mã", "Tiêu chí", "Giá trị", "Chỉ tiêu", "Đơn vị", "Điểm", "Tình trạng"],
                        rows, {2, 3, 5}))
    lines += ["", "Vì sao:"]
    lines += [f"  - {c['id']}: {criterion_reason(c, (rules or {}).get(c['id']))}" for c in r["criteria"]]
    for title, items in (("Điểm thưởng", r["bonus_items"]), ("Điểm trừ", r["deduction_items"])):
        if items:
            lines += ["", f"{title}:"]
            lines += [f"  - {it['name']}: giá trị {vn(it['value'])} → {vn(it['points'])} điểm "
                      f"(tối đa {vn(it['max_points'])})" for it in items]
    gaps = sorted(
        (c for c in r["criteria"] if c["status"] != "not_applicable"
         and (c["max_points"] or 0) - (c["points"] or 0) > 0),
        key=lambda c: -((c["max_points"] or 0) - (c["points"] or 0)),
    )[:3]
    if gaps:
        lines += ["", "Nơi còn nhiều điểm nhất:"]
        lines += [f"  - {c['name'][:70]}: còn {vn(round(c['max_points'] - c['points'], 2))} điểm"
                  for c in gaps]
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ["unit_code", "unit_name", "level", "cluster", "total", "max", "percent", "band",
               "rank_in_cluster", "rank_overall", "bonus", "deductions"]


def _safe(cell: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell


def results_csv(records: Sequence[dict[str, Any]]) -> str:
    """One row per unit; one column of points per criterion of the unit's level."""
    crit_ids: list[str] = []
    for r in records:
        crit_ids += [c["id"] for c in r["criteria"] if c["id"] not in crit_ids]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + [f"diem:{c}" for c in crit_ids])
    for r in records:
        pts = {c["id"]: c["points"] for c in r["criteria"]}
        writer.writerow([_safe(r[k]) for k in CSV_COLUMNS] + [pts.get(c, "") for c in crit_ids])
    return buffer.getvalue()


def batch_text(batch: Mapping[str, Any], nominations: Sequence[Mapping[str, Any]],
               session: Mapping[str, Any] | None, award_names: Mapping[str, str]) -> str:
    """A nomination batch as the services shape it: its nominees (points and money in their
    ``*_text`` forms), the money total and the council session (times in Vietnam time)."""
    lines = [
        f"Đợt đề nghị khen thưởng số {batch['id']}: {batch['title']}",
        f"Số tờ trình: {batch['number']}; năm {batch['year']}; trạng thái: {batch['status_text']}",
        f"Ngày quyết định: {date_text(batch['decision_date'])}",
        "",
    ]
    rows = [[str(n["seq"]), n["unit_code"], str(n["evaluation"].get("unit_name", n["unit_code"]))[:50],
             award_names.get(n["award_id"], n["award_id"])[:50], n["total_text"] or MISSING, n["money_text"],
             NOMINATION_RESULT.get(n["result"], "")]
            for n in nominations]
    lines.append(_table(["STT", "Mã", "Tên", "Hình thức", "Điểm", "Tiền thưởng", "Kết quả"], rows,
                        {0, 4, 5}))
    lines.append(f"Tổng tiền thưởng nếu tất cả được khen thưởng: "
                 f"{money_text(sum(int(n['money']) for n in nominations))}")
    if session is None:
        lines += ["", "Hội đồng chưa họp xét đợt này."]
        return "\n".join(lines) + "\n"
    lines += ["", f"Phiên họp xét: {session['held_at_text']}, {session['place']}; "
                  f"biên bản số {session['number']}"]
    if session["status"] == "closed":
        lines.append(f"Đã kết thúc lúc {session['closed_at_text']} ({session['closed_by']}).")
    else:
        lines.append("Đang họp: kết quả chưa chính thức.")
    return "\n".join(lines) + "\n"
