"""Batching quality on Henn-geometry instances: a markdown table of total distance and run time.

Instances: 10 aisles x 45 positions (``wms.batching.generate``), orders of 5-25 articles, uniform
or ABC demand, capacity 30/45/60/75 articles, ``--sizes`` orders, ``--reps`` seeded instances per
class (instance seed = ``1_000_000 * rep + 1000 * capacity + 10 * n + (demand == "abc")``).
Methods: fcfs, seed (default rules), savings (C&W(ii)) and the default ``ils`` (its default 1 s
limit, savings start included), each with every ``--routing`` method. Every instance is solved
with the same orders by every method (common random numbers).

The summary checks the targets of issue 3: ``ils`` beats savings on average by >= 3 % and is never
worse; <= 1 s per 100-order instance.

Run: ``.venv/bin/python benchmarks/batching_table.py [--sizes 20 60 100] [--reps 10]``
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from wms.batching import BatchingParams, batch  # noqa: E402
from wms.batching.generate import generate_problem, henn_layout  # noqa: E402

METHODS = ("fcfs", "seed", "savings", "ils")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20, 60, 100])
    ap.add_argument("--capacities", type=int, nargs="+", default=[30, 45, 60, 75])
    ap.add_argument("--demands", nargs="+", default=["uniform", "abc"])
    ap.add_argument("--routing", nargs="+", default=["s_shape", "optimal"])
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--time-limit", type=float, default=1.0, help="ils limit in seconds")
    args = ap.parse_args(argv)

    layout = henn_layout()
    params = BatchingParams(time_limit_s=args.time_limit)
    for routing in args.routing:  # compile / load the caches outside the timing
        for m in METHODS:
            batch(generate_problem(30, 45, seed=0, routing=routing, layout=layout), m, params)

    print("| routing | orders | capacity | demand | fcfs m | seed m | savings m | ils m "
          "| ils vs savings mean % | min % | ils s mean | max | savings s |")  # fmt: skip
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    gains: dict[str, list[float]] = {r: [] for r in args.routing}
    ils_time_100: list[float] = []
    worse = 0
    t_all = time.perf_counter()
    for routing, n, cap, demand in itertools.product(
        args.routing, args.sizes, args.capacities, args.demands
    ):
        totals = {m: [] for m in METHODS}  # type: dict[str, list[float]]
        times = {m: [] for m in METHODS}  # type: dict[str, list[float]]
        for rep in range(args.reps):
            seed = 1_000_000 * rep + 1000 * cap + 10 * n + int(demand == "abc")
            p = generate_problem(n, cap, demand=demand, seed=seed, routing=routing, layout=layout)  # type: ignore[arg-type]
            for m in METHODS:
                t = time.perf_counter()
                r = batch(p, m, params, seed=rep)
                times[m].append(time.perf_counter() - t)
                totals[m].append(r.total_length)
        sav = np.array(totals["savings"])
        ils = np.array(totals["ils"])
        g = 100.0 * (sav - ils) / sav
        gains[routing].extend(g.tolist())
        worse += int(np.sum(ils > sav + 1e-9))
        if n == 100:
            ils_time_100.extend(times["ils"])
        print(
            f"| {routing} | {n} | {cap} | {demand} | "
            + " | ".join(f"{np.mean(totals[m]):,.0f}" for m in METHODS)
            + f" | {g.mean():.2f} | {g.min():.2f} | {np.mean(times['ils']):.3f} | "
            f"{np.max(times['ils']):.3f} | {np.mean(times['savings']):.3f} |",
            flush=True,
        )
    print()
    all_gains = [x for v in gains.values() for x in v]
    for routing, g in gains.items():
        print(f"- {routing}: ils shorter than savings by {np.mean(g):.2f} % on average "
              f"(min {np.min(g):.2f} %, max {np.max(g):.2f} %, {len(g)} instances)")  # fmt: skip
    print(f"- all: {np.mean(all_gains):.2f} % on average; ils longer than savings on {worse} "
          f"of {len(all_gains)} instances")  # fmt: skip
    if ils_time_100:
        print(f"- ils time per 100-order instance: mean {np.mean(ils_time_100):.3f} s, "
              f"max {np.max(ils_time_100):.3f} s")  # fmt: skip
    print(f"- wall time of the table: {time.perf_counter() - t_all:.0f} s")
    ok = np.mean(all_gains) >= 3.0 and worse == 0
    ok = ok and (not ils_time_100 or max(ils_time_100) <= args.time_limit)
    verdict = "met" if ok else "NOT met"
    print(f"- targets (>= 3 % on average, never worse, <= 1 s per 100 orders): {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
