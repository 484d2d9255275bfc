"""Benchmark: rank robustness, 1,000 Monte-Carlo draws × 3,000 units × 15 criteria, 30 clusters.

Compares, in the same run, the vectorised draws of :mod:`scoring.core.robustness` with a naive
baseline that re-scores the level draw by draw with the engine (a perturbed compiled plan,
``score`` + ``rank`` per draw) on fewer draws, extrapolated; and checks that both give the same
rank to every unit in every sampled draw.

    python benchmarks/bench_robustness.py [--units 3000] [--draws 1000] [--repeat 3] [--sample 50]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` importable
from benchmarks.bench_scoring import synthetic_data, synthetic_plan  # noqa: E402
from benchmarks.bench_whatif import level_parser  # noqa: E402
from criteria.loader import plan_from_dict  # noqa: E402
from scoring.core.compile import compile_level  # noqa: E402
from scoring.core.engine import score  # noqa: E402
from scoring.core.robustness import (  # noqa: E402
    Perturbation,
    draw_factors,
    draw_ranks,
    perturbed_level,
    prepare_level,
    rank_intervals,
)
from scoring.core.rules import rank, unit_code_order  # noqa: E402


def main() -> None:
    parser = level_parser(__doc__)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=50, help="draws the naive baseline scores")
    args = parser.parse_args()

    plan = plan_from_dict(synthetic_plan(args.criteria))
    compiled = compile_level(plan, "x", 2024)
    values, clusters, codes = synthetic_data(args.units, args.criteria, args.clusters)
    code_order = unit_code_order(codes)
    nominal = score(compiled, values)
    p = Perturbation(draws=args.draws)

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        intervals = rank_intervals(compiled, values, nominal, clusters, code_order,
                                   draw_factors(plan, compiled, p))
        times.append(time.perf_counter() - t0)
    fast_s = statistics.median(times)

    draws = draw_factors(plan, compiled, p)
    sample = min(args.sample, args.draws)
    t0 = time.perf_counter()
    naive = np.empty((sample, args.units), dtype=np.int64)
    for d in range(sample):
        level = perturbed_level(compiled, draws, d)
        naive[d] = rank(level, score(level, values), clusters, code_order).rank_in_cluster
    naive_sample_s = time.perf_counter() - t0
    naive_s = naive_sample_s * args.draws / sample
    vectorised = draw_ranks(prepare_level(compiled, values, nominal, clusters, code_order), draws, 0, sample)

    print(f"draws × units × criteria  : {args.draws:,} × {args.units:,} × {args.criteria}, "
          f"{args.clusters} clusters, weights ±{p.spread:.0%}, parameters ±{p.param_spread:.0%}")
    print(f"vectorised draws + summary: median {fast_s:.3f} s of {args.repeat} "
          f"(min {min(times):.3f}, max {max(times):.3f})")
    print(f"engine draw by draw       : {naive_sample_s:.3f} s for {sample} draws → "
          f"{naive_s:.1f} s extrapolated")
    print(f"ratio (baseline / fast)   : {naive_s / fast_s:.0f}×")
    print(f"ranks agree on the sample : {bool((naive == vectorised).all())}")
    ordered = (intervals.p5 <= intervals.median) & (intervals.median <= intervals.p95)
    print(f"p5 ≤ median ≤ p95         : {bool(ordered.all())}; units whose interval is wider than "
          f"one rank: {int((intervals.p95 > intervals.p5).sum()):,}")


if __name__ == "__main__":
    main()
