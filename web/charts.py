"""Charts drawn on the server as inline SVG: no script, readable by screen readers.

Each chart carries a ``<title>`` and a ``<desc>`` saying in words what the bars show, and
prints every number beside its bar, so nothing depends on colour or on seeing the shapes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from web.templating import vn_number

WIDTH = 640
LABEL_H = 18  # the group name sits on its own line above its bar
BAR_H = 18
GAP = 14
BAR_X = 0
BAR_W = 470  # the rest of the width holds the numbers
FILL = "#1e6b30"
TRACK = "#e4e0d6"
MARK = "#1b1b1b"


@dataclass(frozen=True)
class Bar:
    """One criteria group: the points earned, its maximum, and the cluster's average."""

    label: str
    points: float
    max_points: float
    average: float | None = None


def _share(value: float, top: float) -> float:
    return 0.0 if top <= 0 else max(0.0, min(1.0, value / top))


def _bar_text(bar: Bar) -> str:
    text = f"{vn_number(bar.points)} / {vn_number(bar.max_points)} điểm"
    if bar.max_points > 0:
        text += f" ({vn_number(round(bar.points / bar.max_points * 100))} %)"
    return text


def describe(bars: Sequence[Bar]) -> str:
    """The chart in one paragraph of words (its text alternative)."""
    parts = []
    for bar in bars:
        part = f"{bar.label}: {_bar_text(bar)}"
        if bar.average is not None:
            part += f", trung bình khối/cụm {vn_number(bar.average)} điểm"
        parts.append(part)
    return "; ".join(parts) + "."


def _svg_open(css: str, height: int, title: str, desc: str, chart_id: str, extra: str = "") -> list[str]:
    """The chart's opening tag, named by its <title> and described by its <desc>."""
    return [
        f'<svg class="{css}" xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet"{extra} '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def group_bars_svg(bars: Sequence[Bar], title: str, chart_id: str = "bieu-do-nhom") -> str:
    """Horizontal bars, one per group: earned points over the group's maximum.

    A thin vertical mark on each bar shows the cluster average, written out in the text too.
    """
    row_h = LABEL_H + BAR_H + GAP
    out = _svg_open("bars", max(row_h * len(bars), row_h), title, describe(bars), chart_id)
    for index, bar in enumerate(bars):
        top = index * row_h
        y = top + LABEL_H
        filled = BAR_W * _share(bar.points, bar.max_points)
        out.append(f'<text x="{BAR_X}" y="{top + 13}" font-weight="bold">{escape(bar.label)}</text>')
        out.append(f'<rect x="{BAR_X}" y="{y}" width="{BAR_W}" height="{BAR_H}" fill="{TRACK}"/>')
        out.append(f'<rect x="{BAR_X}" y="{y}" width="{filled:.1f}" height="{BAR_H}" fill="{FILL}"/>')
        if bar.average is not None:
            mark = BAR_X + BAR_W * _share(bar.average, bar.max_points)
            out.append(
                f'<line x1="{mark:.1f}" x2="{mark:.1f}" y1="{y - 3}" y2="{y + BAR_H + 3}" '
                f'stroke="{MARK}" stroke-width="2" stroke-dasharray="3 2"/>'
            )
        out.append(f'<text x="{BAR_X + BAR_W + 8}" y="{y + 13}">{escape(_bar_text(bar))}</text>')
    out.append("</svg>")
    return "".join(out)


# --- a line over the years ---------------------------------------------------------------------

LINE_H = 236
PLOT_L, PLOT_R, PLOT_T, PLOT_B = 44, 24, 22, 170  # the plot area inside the chart
LINE = "#0b4f9c"
GRID = "#c9c9c9"
PAD = 56  # room for the notes under the first and the last point
FONT = ' font-size="12" font-family="Liberation Sans, Arial, sans-serif"'


@dataclass(frozen=True)
class Point:
    """One period on a line chart: its label (the year), its value, notes printed under it."""

    label: str
    value: float
    notes: tuple[str, ...] = ()
    hollow: bool = False  # drawn as an open circle on a dashed segment (a provisional result)


def _axis(top: float) -> tuple[float, float]:
    """A round top for the scale and its gridline step (1, 2, 2.5 or 5 times a power of ten)."""
    top = max(top, 1.0)
    scale = 10 ** math.floor(math.log10(top / 5))
    step = next(scale * m for m in (1, 2, 2.5, 5, 10) if scale * m * 5 >= top)
    return math.ceil(top / step - 1e-9) * step, step


def line_chart_svg(points: Sequence[Point], top: float, title: str, desc: str, chart_id: str) -> str:
    """A line through ``points`` on a scale from 0 to at least ``top``, every value printed above its dot.

    Under each dot stand its label and its notes; ``desc`` says the same in words.
    """
    top, step = _axis(max([top, *(p.value for p in points)]))
    left, width = PLOT_L + PAD, WIDTH - PLOT_L - PLOT_R - 2 * PAD
    n = len(points)
    xs = [left + (width * i / (n - 1) if n > 1 else width / 2) for i in range(n)]
    ys = [PLOT_B - (PLOT_B - PLOT_T) * _share(p.value, top) for p in points]
    out = _svg_open("line", LINE_H, title, desc, chart_id, FONT)
    for tick in range(round(top / step) + 1):
        value = tick * step
        y = PLOT_B - (PLOT_B - PLOT_T) * value / top
        out.append(f'<line x1="{PLOT_L - 6}" x2="{WIDTH - PLOT_R + 6}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{PLOT_L - 10}" y="{y + 4:.1f}" text-anchor="end">{vn_number(value, 1)}</text>')
    for i in range(1, len(points)):
        dash = ' stroke-dasharray="5 4"' if points[i].hollow or points[i - 1].hollow else ""
        out.append(f'<line x1="{xs[i - 1]:.1f}" y1="{ys[i - 1]:.1f}" x2="{xs[i]:.1f}" y2="{ys[i]:.1f}" '
                   f'stroke="{LINE}" stroke-width="2.5"{dash}/>')
    for p, x, y in zip(points, xs, ys, strict=True):
        fill = "#fff" if p.hollow else LINE
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{fill}" stroke="{LINE}" '
                   'stroke-width="2"/>')
        out.append(f'<text x="{x:.1f}" y="{y - 10:.1f}" text-anchor="middle" font-weight="bold">'
                   f"{escape(vn_number(p.value))}</text>")
        out.append(f'<text x="{x:.1f}" y="{PLOT_B + 22}" text-anchor="middle" font-weight="bold">'
                   f"{escape(p.label)}</text>")
        for line, note in enumerate(p.notes, start=1):
            out.append(f'<text x="{x:.1f}" y="{PLOT_B + 22 + 16 * line}" text-anchor="middle">'
                       f"{escape(note)}</text>")
    out.append("</svg>")
    return "".join(out)
