"""Benchmark: compile + score + rank 1,000,000 subjects × 50 indicators.

Compares, in the same run, the vectorised engine with a naive row-wise pandas baseline
(``DataFrame.apply(axis=1)``) timed on a sample and extrapolated to the full size.

    python benchmarks/bench_scoring.py [--units 1000000] [--repeat 5] [--sample 20000]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np
import pandas as pd

from criteria.loader import plan_from_dict
from scoring.core.compile import compile_level
from scoring.core.engine import score
from scoring.core.rules import rank, unit_code_order

METHODS = ["ratio_to_target", "threshold", "linear", "bands", "yes_no", "count_cap"]


def synthetic_plan(n_indicators: int) -> dict[str, object]:
    """A plan with one criterion per indicator, cycling through every method."""
    indicators, criteria = [], []
    points = 100.0 / n_indicators
    for j in range(n_indicators):
        method = METHODS[j % len(METHODS)]
        kind = "yes_no" if method == "yes_no" else ("count" if method == "count_cap" else "percent")
        indicators.append({"id": f"i{j}", "level": "x", "name": f"Chỉ số {j}", "kind": kind,
                           "unit": "%"})
        crit: dict[str, object] = {
            "id": f"c{j}", "level": "x", "group": "g", "name": f"Tiêu chí {j}",
            "indicator": f"i{j}", "method": method, "max_points": points, "source": "bench",
            "direction": "lower" if j % 7 == 3 else "higher", "mandatory": j % 10 == 0,
        }
        lower = crit["direction"] == "lower"
        if method in ("ratio_to_target", "threshold"):
            crit["target"] = 30.0 if lower else 80.0
        elif method == "linear":
            crit.update(target=20.0, floor=60.0) if lower else crit.update(target=90.0, floor=40.0)
        elif method == "bands":
            ts = [80.0, 50.0, 20.0] if lower else [20.0, 50.0, 80.0]
            crit["bands"] = [[t, points * f] for t, f in zip(ts, (0.25, 0.5, 1.0), strict=True)]
        elif method == "count_cap":
            crit["points_each"] = points / 4
        criteria.append(crit)
    return {
        "plan": {"id": "bench", "version": "1", "title": "Bench", "issuer": "bench",
                 "source": "bench", "valid_from": pd.Timestamp("2024-01-01").date(),
                 "valid_to": pd.Timestamp("2024-12-31").date()},
        "levels": [{"id": "x", "name": "X", "subject": "collective", "unit_kinds": ["x"],
                    "max_points": 100, "bonus_cap": 10}],
        "indicators": indicators,
        "groups": [{"id": "g", "level": "x", "name": "G"}],
        "criteria": criteria,
        "bands": [
            {"id": "a", "level": "x", "name": "A", "min_percent": 90, "criterion_floor": 0.85,
             "requires_mandatory": True},
            {"id": "b", "level": "x", "name": "B", "min_percent": 80, "criterion_floor": 0.8},
            {"id": "z", "level": "x", "name": "Z", "min_percent": 0},
        ],
        "ranking": {"order": ["percent", "final_total", "base_total", "deductions"]},
    }


def synthetic_data(n: int, k: int, n_clusters: int, seed: int = 6):
    rng = np.random.default_rng(seed)
    values = np.empty((n, k), dtype=np.float64, order="F")
    for j in range(k):
        if METHODS[j % len(METHODS)] == "yes_no":
            values[:, j] = rng.random(n) < 0.8
        elif METHODS[j % len(METHODS)] == "count_cap":
            values[:, j] = rng.integers(0, 8, n)
        else:
            values[:, j] = np.round(rng.uniform(0, 100, n), 1)
        values[rng.random(n) < 0.05, j] = np.nan
    clusters = rng.integers(0, n_clusters, n).astype(np.int64)
    codes = np.char.add("U", np.char.zfill(np.arange(n).astype(str), 7))
    return values, clusters, codes


def run_engine(raw_plan, values, clusters, code_key):
    plan = plan_from_dict(raw_plan)
    compiled = compile_level(plan, "x", 2024)
    result = score(compiled, values)
    ranking = rank(compiled, result, clusters, code_key)
    return result, ranking


def naive_row(row: pd.Series, criteria: list[dict[str, object]]) -> float:
    """Score one unit the way a spreadsheet macro would: criterion by criterion."""
    total = 0.0
    for c in criteria:
        v = row[c["indicator"]]
        if pd.isna(v):
            continue
        m, mx, lower = c["method"], c["max_points"], c["direction"] == "lower"
        if m == "ratio_to_target":
            frac = (1.0 if v <= c["target"] else c["target"] / v) if lower else min(v / c["target"], 1.0)
        elif m == "threshold":
            frac = float(v <= c["target"]) if lower else float(v >= c["target"])
        elif m == "linear":
            frac = min(max((v - c["floor"]) / (c["target"] - c["floor"]), 0.0), 1.0)
        elif m == "bands":
            got = [p for t, p in c["bands"] if (v <= t if lower else v >= t)]
            frac = (max(got) if got else 0.0) / mx
        elif m == "yes_no":
            frac = float(v < 0.5) if lower else float(v >= 0.5)
        else:
            frac = min(v * c["points_each"] / mx, 1.0)
            frac = 1 - frac if lower else frac
        total += math.floor(frac * mx * 100 + 0.5 + 1e-9) / 100  # half up, as the engine
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--clusters", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()

    raw_plan = synthetic_plan(args.indicators)
    values, clusters, codes = synthetic_data(args.units, args.indicators, args.clusters)
    code_key = unit_code_order(codes)
    run_engine(raw_plan, values[:1000], clusters[:1000], unit_code_order(codes[:1000]))  # warm-up
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result, ranking = run_engine(raw_plan, values, clusters, code_key)
        times.append(time.perf_counter() - t0)
        if len(times) < args.repeat:
            del result, ranking  # free the outputs before the next run, as a server would
    engine_s = statistics.median(times)

    sample = min(args.sample, args.units)
    frame = pd.DataFrame(values[:sample], columns=[f"i{j}" for j in range(args.indicators)])
    frame["cluster"] = clusters[:sample]
    t0 = time.perf_counter()
    totals = frame.apply(naive_row, axis=1, criteria=raw_plan["criteria"])
    frame["total"] = totals
    frame["rank"] = frame.groupby("cluster")["total"].rank(ascending=False, method="first")
    naive_sample_s = time.perf_counter() - t0
    naive_s = naive_sample_s * args.units / sample
    agree = np.allclose(totals.to_numpy(), result.base_total[:sample])

    print(f"units × indicators        : {args.units:,} × {args.indicators}, "
          f"{args.clusters:,} clusters, 5 % missing")
    print(f"engine (compile+score+rank): median {engine_s:.3f} s of {args.repeat} "
          f"(min {min(times):.3f}, max {max(times):.3f})")
    print(f"row-wise pandas baseline   : {naive_sample_s:.3f} s for {sample:,} units → "
          f"{naive_s:.1f} s extrapolated")
    print(f"ratio (baseline / engine)  : {naive_s / engine_s:.0f}×")
    print(f"base totals agree on sample: {agree}")
    print(f"ranks 1..n in every cluster: {int(ranking.rank_in_cluster.min())}.."
          f"{int(ranking.rank_in_cluster.max())}")


if __name__ == "__main__":
    main()
