"""Charts drawn on the server as inline SVG: no script, readable by screen readers.

Each chart carries a ``<title>`` and a ``<desc>`` saying in words what the bars show, and
prints every number beside its bar, so nothing depends on colour or on seeing the shapes.
"""

from __future__ import annotations

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


def group_bars_svg(bars: Sequence[Bar], title: str, chart_id: str = "bieu-do-nhom") -> str:
    """Horizontal bars, one per group: earned points over the group's maximum.

    A thin vertical mark on each bar shows the cluster average, written out in the text too.
    """
    row_h = LABEL_H + BAR_H + GAP
    height = max(row_h * len(bars), row_h)
    out = [
        f'<svg class="bars" xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(bars))}</desc>',
    ]
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
