"""Benchmark: one what-if on a 3,000-unit level, with the run's model kept vs re-scoring from scratch.

The model (plan compiled, value matrix, mask, clusters) is built once per run; each request then
replaces one unit's row, scores and ranks the level and builds that unit's record. The baseline
does what a server without the model would: apply the values to the long-form data, score the
level from scratch (``score_level``) and build every record (``unit_records``), as a run does.
Both answers are checked to be the same JSON.

    python benchmarks/bench_whatif.py [--units 3000] [--requests 200] [--baseline 20]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` importable
from benchmarks.bench_scoring import synthetic_data, synthetic_plan  # noqa: E402
from criteria.loader import plan_from_dict  # noqa: E402
from criteria.model import Plan  # noqa: E402
from presentation.numbers import exact_number_text  # noqa: E402
from scoring.core.pipeline import score_level  # noqa: E402
from scoring.core.reading import parse_value  # noqa: E402
from scoring.core.report import unit_records  # noqa: E402
from scoring.core.units import Cluster, Registry, Unit  # noqa: E402
from scoring.core.whatif import WhatIfModel  # noqa: E402
from scoring.services.runs import canonical  # noqa: E402

YEAR = 2024


def synthetic_level(n: int, k: int, n_clusters: int) -> tuple[Plan, Registry, pd.DataFrame]:
    """bench_scoring's plan and data as communes of a registry, values in long form."""
    raw = synthetic_plan(k)
    raw["levels"][0]["unit_kinds"] = ["commune"]  # type: ignore[index]
    plan = plan_from_dict(raw)
    values, clusters, codes = synthetic_data(n, k, n_clusters)
    registry = Registry("00", "Tỉnh thử", tuple(Cluster(f"K{c:03d}", f"Cụm {c}", "commune")
                                                for c in range(n_clusters)),
                        tuple(Unit(str(code), f"Xã {code}", "commune.xa", "commune", None,
                                   f"K{clusters[i]:03d}", date(2000, 1, 1)) for i, code in enumerate(codes)))
    ids = [i.id for i in plan.indicators_of("x")]
    long = pd.DataFrame({"unit_code": np.repeat(codes, k), "indicator": np.tile(ids, n),
                         "value": values.reshape(-1)}).dropna(ignore_index=True)
    return plan, registry, long


def requests(plan: Plan, codes: list[str], count: int, seed: int = 6) -> list[tuple[str, dict[str, object]]]:
    """Random units, one to three percent indicators each, values written the Vietnamese way."""
    rng = np.random.default_rng(seed)
    percent = [i.id for i in plan.indicators if i.kind == "percent"]
    out = []
    for _ in range(count):
        chosen = rng.choice(percent, size=int(rng.integers(1, 4)), replace=False)
        out.append((codes[int(rng.integers(len(codes)))],
                    {str(i): exact_number_text(round(float(rng.uniform(0, 100)), 1)) for i in chosen}))
    return out


def from_scratch(plan: Plan, registry: Registry, frame: pd.DataFrame, code: str,
                 values: dict[str, object], level: str) -> dict[str, object]:
    """The unit's record after its values change, scoring the whole level again from long form."""
    indicators = {i.id: i for i in plan.indicators}
    parsed = {k: parse_value(v, indicators[k]) for k, v in values.items()}
    keep = ~((frame["unit_code"] == code) & frame["indicator"].isin(list(parsed)))
    extra = pd.DataFrame({"unit_code": code, "indicator": list(parsed), "value": list(parsed.values())})
    changed = pd.concat([frame[keep], extra], ignore_index=True)
    records = unit_records(plan, registry, score_level(plan, registry, changed, level, YEAR))
    return next(r for r in records if r["unit_code"] == code)


def level_parser(doc: str | None) -> argparse.ArgumentParser:
    """The options of a synthetic level: 3,000 units, 15 criteria, 30 clusters by default."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--criteria", type=int, default=15)
    parser.add_argument("--clusters", type=int, default=30)
    return parser


def main() -> None:
    parser = level_parser(__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--baseline", type=int, default=20, help="requests the baseline answers")
    args = parser.parse_args()

    plan, registry, frame = synthetic_level(args.units, args.criteria, args.clusters)
    t0 = time.perf_counter()
    model = WhatIfModel.from_frame(plan, registry, frame, "x", YEAR)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    hashlib.sha256(("[" + ",".join(canonical(r) for r in model.records()) + "]").encode()).hexdigest()
    check_s = time.perf_counter() - t0  # the service's check that the model reproduces the run
    asked = requests(plan, [u.code for u in registry.units], args.requests)
    model.what_if(*asked[0])  # warm-up
    times = []
    for code, values in asked:
        t0 = time.perf_counter()
        answer = model.what_if(code, values)
        times.append(time.perf_counter() - t0)
    base_times, same = [], True
    for code, values in asked[:args.baseline]:
        t0 = time.perf_counter()
        record = from_scratch(plan, registry, frame, code, values, "x")
        base_times.append(time.perf_counter() - t0)
        same &= canonical(record) == canonical(model.what_if(code, values)["after"])
    fast_ms, base_ms = statistics.median(times) * 1000, statistics.median(base_times) * 1000
    p95 = float(np.percentile(np.array(times) * 1000, 95))

    print(f"level                      : {args.units:,} units × {args.criteria} criteria, "
          f"{args.clusters} clusters; model built once in {build_s * 1000:.0f} ms "
          f"(+ {check_s * 1000:.0f} ms to check it reproduces the run)")
    print(f"what-if with the kept model: median {fast_ms:.2f} ms, p95 {p95:.2f} ms "
          f"over {len(times)} requests (last total {answer['after']['total']})")
    print(f"re-scoring from scratch    : median {base_ms:.1f} ms over {len(base_times)} requests")
    print(f"ratio (scratch / model)    : {base_ms / fast_ms:.0f}×")
    print(f"same JSON for the unit     : {same}")


if __name__ == "__main__":
    main()
