"""Benchmark: render the dossier set of a 100-nominee batch (≈ 200 A4 pages) to PDF.

Compares, in the same run, our renderer (serial, then in the spawn process pool) with bare
WeasyPrint rendering plain Liberation Serif paragraphs: the same number of documents with
the same page counts, each ``HTML(string=…).write_pdf()`` as a first-time user writes it.

    python benchmarks/bench_dossiers.py [--nominees 100] [--repeat 3] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Callable
from functools import cache
from typing import Any

import weasyprint  # type: ignore[import-untyped]

from demo.dossier_sample import AWARDS, MOVEMENT, sample_context
from nominations.dossier import render_set, render_set_async, shutdown_pool
from nominations.dossier.render import CSS_FILE, html_set

BARE_STYLE = ("@page { size: A4; margin: 20mm 15mm 20mm 30mm } "
              "body { font-family: 'Liberation Serif'; font-size: 14pt }")
SENTENCE = (f"Các tập thể, cá nhân đã có thành tích xuất sắc trong {MOVEMENT}, được đề nghị tặng "
            f"{AWARDS['bang-khen-tinh'][0]}. ")


def bare_html(paragraphs: int) -> str:
    body = "".join(f"<p>{SENTENCE * 3}</p>" for _ in range(paragraphs))
    return f"<html><head><style>{BARE_STYLE}</style></head><body>{body}</body></html>"


def bare_pages(paragraphs: int) -> int:
    return len(weasyprint.HTML(string=bare_html(paragraphs)).render().pages)


@cache
def paragraphs_for(pages: int) -> int:
    """The most paragraphs that still fill exactly ``pages`` pages."""
    lo, hi = 1, 12 * pages
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if bare_pages(mid) <= pages else (lo, mid - 1)
    return lo


def bare_serial(page_counts: list[int]) -> int:
    total = 0
    for pages in page_counts:
        html = weasyprint.HTML(string=bare_html(paragraphs_for(pages)))
        document = html.render()
        document.write_pdf()
        total += len(document.pages)
    return total


def naive_ours(htmls: list[str]) -> int:
    """Our documents rendered the naive way: the stylesheet parsed again for every file."""
    total = 0
    for html in htmls:
        document = weasyprint.HTML(string=html).render(stylesheets=[weasyprint.CSS(filename=CSS_FILE)])
        document.write_pdf()
        total += len(document.pages)
    return total


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nominees", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    ctx = sample_context(args.nominees)
    files = render_set(ctx)  # warm-up: imports, fonts, templates, stylesheet; gives page counts
    page_counts = [f.pages for f in files]
    pages = sum(page_counts)
    for count in set(page_counts):
        paragraphs_for(count)  # calibrate outside the timing
    bare_total = bare_serial(page_counts)
    htmls = [html for _, html in html_set(ctx)]
    ours_t, bare_t, naive_t = [], [], []
    for _ in range(args.repeat):  # interleaved, so that a busy machine slows all alike
        ours_t.append(timed(lambda: render_set(ctx), 1)[0])
        bare_t.append(timed(lambda: bare_serial(page_counts), 1)[0])
        naive_t.append(timed(lambda: naive_ours(htmls), 1)[0])
    ours_s, bare_s, naive_s = (statistics.median(t) for t in (ours_t, bare_t, naive_t))

    async def pooled() -> Any:
        return await render_set_async(ctx, args.workers)

    t0 = time.perf_counter()
    asyncio.run(render_set_async(sample_context(2, seed=1), args.workers))  # start the pool
    start_s = time.perf_counter() - t0
    pool_s, pool_t, pool_files = timed(lambda: asyncio.run(pooled()), args.repeat)
    shutdown_pool()
    same = [f.sha256 for f in files] == [f.sha256 for f in pool_files]
    workers = args.workers or min(os.cpu_count() or 1, 4)

    print(f"batch                      : {args.nominees} nominees → {len(files)} documents, {pages} pages "
          f"(bare: {bare_total} pages)")
    print(f"bare WeasyPrint, serial    : median {bare_s:.2f} s of {args.repeat} "
          f"(min {min(bare_t):.2f}, max {max(bare_t):.2f}) = {1000 * bare_s / pages:.0f} ms/page")
    print(f"ours, serial               : median {ours_s:.2f} s (min {min(ours_t):.2f}, "
          f"max {max(ours_t):.2f}) = {1000 * ours_s / pages:.0f} ms/page")
    print(f"ours, pool of {workers} (spawn)   : median {pool_s:.2f} s (min {min(pool_t):.2f}, "
          f"max {max(pool_t):.2f}); pool start + warm-up {start_s:.2f} s, once")
    print(f"our HTML, naive WeasyPrint : median {naive_s:.2f} s (CSS parsed per file, no caches)")
    print(f"ratio ours/bare (serial)   : {ours_s / bare_s:.2f} (goal ≤ 1.3)")
    print(f"ratio ours/naive, same HTML: {ours_s / naive_s:.2f} (what the per-process caches save)")
    print(f"speed-up serial/pool       : {ours_s / pool_s:.2f} (goal > 1)")
    print(f"pool files = serial files  : {same} (same sha256, same order)")


if __name__ == "__main__":
    main()
