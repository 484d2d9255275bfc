"""Render a dossier set (submission letter, nominee list, reports, minutes) to PDF files.

Each process keeps one Jinja2 environment, one parsed ``weasyprint.CSS`` and one
``FontConfiguration`` (:func:`_engine`), so a document costs its own layout only.
:func:`render_set_async` renders the files in a lazily created ``spawn`` process pool and
awaits them through ``loop.run_in_executor``: the event loop never blocks on layout.
No URL is ever fetched (the URL fetcher allows no protocol); the fonts come from fontconfig.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import multiprocessing
import os
import re
import threading
import zipfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import weasyprint  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

from nominations.dossier.context import DossierContext, Nominee, normalize_context
from presentation.money import money_text
from presentation.numbers import number_text, percent_text, points_text
from presentation.times import date_text, local_date, time_text
from presentation.words import measure_text, vote_result_text

HERE = Path(__file__).resolve().parent
CSS_FILE = HERE / "dossier.css"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
INDEX_NAME = "muc-luc.txt"
HEAVY_KEYS = ("criteria", "bonus_items", "deduction_items", "history", "conditions")
ROMAN = ("I", "II")
LONG = ("danh_sach.html", "bien_ban.html")  # templates whose length grows with the batch


@dataclass(frozen=True, slots=True)
class DossierFile:
    name: str  # "01-to-trinh.pdf", "02-danh-sach.pdf", "03-bao-cao-<code>.pdf", "04-bien-ban.pdf"
    title: str  # Vietnamese, also the PDF's metadata title
    pdf: bytes
    sha256: str
    pages: int


@dataclass(frozen=True, slots=True)
class _Job:
    name: str
    title: str
    author: str
    template: str
    data: dict[str, Any]


# ----------------------------------------------------------------------------- filters


def date_line(when: date | datetime, place: str) -> str:
    """Decree 30/2020: days below 10 and the months 1 and 2 take a leading zero (a moment: its
    day in Vietnam)."""
    day = local_date(when)
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def long_date(when: date | datetime) -> str:
    return date_line(when, "").removeprefix(", ")


def join_vi(items: Sequence[str]) -> str:
    """"a", "a và b", "a, b và c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " và " + items[-1]


FILTERS: dict[str, Any] = {
    "num": number_text,
    "money": money_text,
    "percent": percent_text,
    "points": points_text,
    "measure": measure_text,
    "date_line": date_line,
    "long_date": long_date,
    "day": local_date,
    "dmy": date_text,
    "clock": time_text,
    "vote_result": vote_result_text,
    "join_vi": join_vi,
}


# ----------------------------------------------------------------------------- one document


@lru_cache(maxsize=1)
def _engine() -> tuple[jinja2.Environment, Any, Any, Any]:
    """This process's template environment, parsed stylesheet, font configuration, fetcher."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    fetcher = URLFetcher(allowed_protocols=())
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=CSS_FILE.read_text(encoding="utf-8"),
                         font_config=fonts, url_fetcher=fetcher)
    return env, css, fonts, fetcher


def _html(job: _Job) -> str:
    template = _engine()[0].get_template(job.template)
    return template.render(job.data, doc_title=job.title, doc_author=job.author)


def _render_job(job: _Job) -> DossierFile:
    _, css, fonts, fetcher = _engine()
    html = _html(job)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher).render(stylesheets=[css], font_config=fonts)
    pdf: bytes = document.write_pdf()
    return DossierFile(job.name, job.title, pdf, hashlib.sha256(pdf).hexdigest(), len(document.pages))


def _warm() -> None:
    """Pool initializer: parse the stylesheet and load the fonts before the first job."""
    _engine()


# ----------------------------------------------------------------------------- the set


def _light(n: Nominee) -> dict[str, Any]:
    return {k: v for k, v in n.items() if k not in HEAVY_KEYS}


def _counts(nominees: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    awards: dict[str, dict[str, Any]] = {}
    for n in nominees:
        row = awards.setdefault(n["award_id"], {"award_name": n["award_name"], "collectives": 0,
                                                "individuals": 0, "money": 0})
        row["individuals" if n["is_individual"] else "collectives"] += 1
        row["money"] += n["money"]
    return {
        "summary": list(awards.values()),
        "award_names": [r["award_name"] for r in awards.values()] or ["khen thưởng"],
        "award_bases": list(dict.fromkeys(n["legal_basis"] for n in nominees)),
        "n_collectives": sum(not n["is_individual"] for n in nominees),
        "n_individuals": sum(bool(n["is_individual"]) for n in nominees),
    }


def _groups(nominees: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for individual, label in ((False, "TẬP THỂ"), (True, "CÁ NHÂN")):
        rows = [n for n in nominees if bool(n["is_individual"]) == individual]
        if rows:
            groups.append({"roman": ROMAN[len(groups)], "label": label, "rows": rows,
                           "money": sum(n["money"] for n in rows)})
    return groups


def _report_names(nominees: Sequence[Nominee]) -> list[str]:
    names: list[str] = []
    for n in nominees:
        slug = re.sub(r"[^A-Za-z0-9-]+", "-", n["unit_code"]).strip("-") or str(n["no"])
        name = f"03-bao-cao-{slug}.pdf"
        names.append(name if name not in names else f"03-bao-cao-{slug}-{n['no']}.pdf")
    return names


def _jobs(ctx: DossierContext) -> list[_Job]:
    """The set's documents in their stable order, each with only the data it needs."""
    base: dict[str, Any] = {k: v for k, v in ctx.items() if k != "nominees"}
    base.setdefault("issuer_name", ctx["issuing_body"])
    base.setdefault("addressee", ctx["parent_body"])
    base.setdefault("legal_bases", [])
    issuer = base["issuer_name"]
    proposed = [n for n in ctx["nominees"] if n["votes"]["passed"]]
    light = [_light(n) for n in proposed]
    counts = _counts(light)
    counts["award_bases"] = [b for b in counts["award_bases"] if b not in base["legal_bases"]]
    jobs = [
        _Job("01-to-trinh.pdf", f"Tờ trình số {ctx['number']}", issuer, "to_trinh.html",
             {**base, **counts}),
        _Job("02-danh-sach.pdf", f"Danh sách kèm theo Tờ trình số {ctx['number']}", issuer,
             "danh_sach.html", {**base, **counts, "groups": _groups(light)}),
    ]
    for n, name in zip(proposed, _report_names(proposed), strict=True):
        crit = n["criteria"]
        jobs.append(_Job(name, f"Báo cáo thành tích: {n['name']}", n["name"], "bao_cao.html", {
            **base, "n": n,
            "base_total": sum(c["points"] or 0 for c in crit),
            "base_max": sum(c["max_points"] or 0 for c in crit),
        }))  # fmt: skip
    voted = sorted((_light(n) for n in ctx["nominees"]), key=lambda n: -n["votes"]["yes"])
    jobs.append(_Job("04-bien-ban.pdf", f"Biên bản họp Hội đồng số {ctx['minutes_number']}",
                     ctx["council_name"], "bien_ban.html", {
                         **base, **counts, "ranked": voted,
                         "n_failed": len(voted) - len(proposed)}))  # fmt: skip
    return jobs


def html_set(ctx: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The set's documents as HTML (file name, markup), e.g. for a preview; style: ``CSS_FILE``."""
    return [(job.name, _html(job)) for job in _jobs(normalize_context(ctx))]


def render_set(ctx: Mapping[str, Any]) -> list[DossierFile]:
    """Every file of the dossier set, rendered one after another in this process."""
    return [_render_job(job) for job in _jobs(normalize_context(ctx))]


_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def _get_pool(workers: int | None) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is not None and workers is not None and workers != _pool_size:
            _pool.shutdown(wait=False)
            _pool = None
        if _pool is None:
            _pool_size = workers or min(os.cpu_count() or 1, 4)
            _pool = ProcessPoolExecutor(max_workers=_pool_size, initializer=_warm,
                                        mp_context=multiprocessing.get_context("spawn"))
        return _pool


def shutdown_pool() -> None:
    """Stop the render processes (they start again on the next :func:`render_set_async`)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


async def render_set_async(ctx: Mapping[str, Any], workers: int | None = None) -> list[DossierFile]:
    """:func:`render_set` in the process pool; files in the same order as the serial one."""
    loop = asyncio.get_running_loop()
    jobs = await asyncio.to_thread(lambda: _jobs(normalize_context(ctx)))  # ~40 ms for 100 nominees
    pool = _get_pool(workers)
    # The list and the minutes grow with the batch: start them first so that they do not
    # finish alone at the end; the result keeps the set's order whatever the completion order.
    started = {i: loop.run_in_executor(pool, _render_job, jobs[i])
               for i in sorted(range(len(jobs)), key=lambda i: jobs[i].template not in LONG)}
    try:
        done = await asyncio.gather(*started.values())
    except BrokenProcessPool:
        shutdown_pool()  # a worker died (killed, out of memory): the next call starts a new pool
        raise
    by_index = dict(zip(started, done, strict=True))
    return [by_index[i] for i in range(len(jobs))]


def zip_set(files: Sequence[DossierFile]) -> bytes:
    """A deterministic ZIP: fixed timestamps, sorted names, and ``muc-luc.txt`` (name, pages,
    sha256, title of each file, tab-separated)."""
    names = [f.name for f in files]
    if len(set(names)) != len(names) or INDEX_NAME in names:
        raise ValueError("tên tệp trong hồ sơ bị trùng")
    ordered = sorted(files, key=lambda f: f.name)
    index = "Tệp\tSố trang\tSHA-256\tTiêu đề\n" + "".join(
        f"{f.name}\t{f.pages}\t{f.sha256}\t{f.title}\n" for f in ordered)
    entries = sorted([(f.name, f.pdf) for f in ordered] + [(INDEX_NAME, index.encode("utf-8"))])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".pdf") else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
