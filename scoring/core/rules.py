"""Ranking rules: deterministic order within clusters and over the whole level.

Keys come from the plan's ``[ranking] order``; the unit code is always the last key, so
no two units ever share a rank and the same input always gives the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scoring.core.compile import CompiledLevel
from scoring.core.engine import ScoreResult

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Ranking:
    rank_overall: I64  # 1 = best of the level
    rank_in_cluster: I64  # 1 = best of the unit's cluster
    cluster_size: I64


def ranking_keys(compiled: CompiledLevel, result: ScoreResult) -> list[I64]:
    """The plan's keys as integers where smaller is better, most important first."""

    def desc(x: npt.NDArray[np.float64]) -> I64:
        return -np.rint(x * 100.0).astype(np.int64)

    keys: list[I64] = []
    for key in compiled.ranking_order:
        if key == "percent":
            keys.append(desc(result.percent))
        elif key == "final_total":
            keys.append(desc(result.final_total))
        elif key == "base_total":
            keys.append(desc(result.base_total))
        elif key == "bonus":
            keys.append(desc(result.bonus))
        elif key == "deductions":
            keys.append(-desc(result.deductions))
        elif key == "mandatory_met":
            keys.append(-result.mandatory_met)
        elif key.startswith("criterion:"):
            j = [c.id for c in compiled.criteria].index(key.removeprefix("criterion:"))
            keys.append(desc(result.points[:, j]))
        else:
            raise ValueError(f"unknown ranking key {key!r}")
    return keys


def unit_code_order(codes: Sequence[str] | npt.NDArray[np.str_]) -> I64:
    """Position of each unit code in ascending code order (the final tie-break)."""
    order = np.argsort(np.asarray(codes), kind="stable")
    key = np.empty(len(order), dtype=np.int64)
    key[order] = np.arange(len(order), dtype=np.int64)
    return key


def order_by_keys(keys: Sequence[I64], last: I64) -> I64:
    """Indices sorting units by ``keys`` then ``last`` (all ascending), lexicographically.

    Leading keys are packed into one int64 where their ranges fit, so a million units
    sort in one pass; only runs of units tied on the packed key are sorted again by the
    remaining keys.
    """
    all_keys = [*keys, last]
    packed, used = _pack(all_keys)
    # Ties on the packed key are broken below by the remaining keys, which end with the
    # unique code key, so an unstable sort still gives one deterministic order.
    order = np.argsort(packed)
    rest = all_keys[used:]
    if not rest:
        return order.astype(np.int64)
    sorted_packed = packed[order]
    tied = np.zeros(len(order), dtype=bool)
    same = sorted_packed[1:] == sorted_packed[:-1]
    tied[1:] |= same
    tied[:-1] |= same
    if not tied.any():
        return order.astype(np.int64)
    idx = order[tied]
    # Runs of ties keep their packed value as the primary key of the secondary sort.
    sub = np.lexsort([k[idx] for k in reversed(rest)] + [packed[idx]])
    order[tied] = idx[sub]
    return order.astype(np.int64)


def _pack(keys: Sequence[I64]) -> tuple[I64, int]:
    """Combine as many leading keys as fit in 62 bits into one order-preserving int64."""
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    bits = 0
    used = 0
    for key in keys:
        low = int(key.min()) if len(key) else 0
        span = (int(key.max()) - low + 1) if len(key) else 1
        need = max(span - 1, 1).bit_length()
        if bits + need > 62:
            break
        packed = (packed << need) | (key - low)
        bits += need
        used += 1
    return packed, used


def rank(
    compiled: CompiledLevel,
    result: ScoreResult,
    cluster_ids: I64,
    code_order: I64,
) -> Ranking:
    """Rank units overall and within their clusters (``cluster_ids``: small ints)."""
    n = len(code_order)
    order = order_by_keys(ranking_keys(compiled, result), code_order)
    rank_overall = np.empty(n, dtype=np.int64)
    rank_overall[order] = np.arange(1, n + 1, dtype=np.int64)
    if compiled.level.ranking_scope == "level" or n == 0:
        size = np.full(n, n, dtype=np.int64)
        return Ranking(rank_overall, rank_overall.copy(), size)
    clusters_in_order = cluster_ids[order]
    if n and clusters_in_order.min() >= 0 and clusters_in_order.max() < 2**15:
        clusters_in_order = clusters_in_order.astype(np.int16)  # numpy radix-sorts 16-bit ints
    by_cluster = order[np.argsort(clusters_in_order, kind="stable")]
    sorted_clusters = cluster_ids[by_cluster]
    starts = np.flatnonzero(np.r_[True, sorted_clusters[1:] != sorted_clusters[:-1]])
    run_lengths = np.diff(np.r_[starts, n])
    start_of_each = np.repeat(starts, run_lengths)
    rank_in_cluster = np.empty(n, dtype=np.int64)
    rank_in_cluster[by_cluster] = np.arange(n, dtype=np.int64) - start_of_each + 1
    size = np.empty(n, dtype=np.int64)
    size[by_cluster] = np.repeat(run_lengths, run_lengths)
    return Ranking(rank_overall, rank_in_cluster, size)
