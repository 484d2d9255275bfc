"""What-if and rank robustness: request and response bodies."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from api.schemas.docs import doc


class WhatIfValues(msgspec.Struct):  # other fields are ignored
    """Indicator id → value to try, written as in an upload (``"85,5"``, ``"Có"``); null removes it."""

    values: dict[str, bool | int | float | str | None]


class WhatIfAnswer(msgspec.Struct):
    """A unit's record before and after trying other values; nothing was saved.

    ``before`` and ``after`` are unit records in the shape of a breakdown (see ``UnitBreakdown``);
    ``differences`` is after minus before: the totals, the ranks (negative = better), ``band``
    {before, after} and per criterion {id, name, points_before, points_after, difference,
    status_before, status_after}. They are kept free-form here: the engine's record is their
    one definition.
    """

    run_id: int
    unit_code: str
    values: Annotated[dict[str, Any], doc("Các giá trị đã thử, như người dùng đọc")]
    before: Annotated[dict[str, Any], doc("Bảng điểm của đơn vị như lượt chấm (cùng dạng UnitBreakdown)")]
    after: Annotated[dict[str, Any], doc("Bảng điểm nếu thay các giá trị trên (cùng dạng UnitBreakdown)")]
    differences: Annotated[dict[str, Any], doc(
        "Sau trừ trước: các tổng điểm, thứ hạng (âm = tốt hơn), band {before, after} và từng tiêu chí "
        "{id, name, points_before, points_after, difference, status_before, status_after}")]


class RankRobustness(msgspec.Struct):
    """A unit's rank in its cluster as scored and over perturbed plans: median, 5th and 95th
    percentile, and the share of draws that rank it first."""

    unit_code: str
    unit_name: str
    cluster: str | None
    cluster_size: int
    rank_in_cluster: int
    rank_median: int
    rank_p5: int
    rank_p95: int
    share_first: float
    cluster_name: str | None
