"""What the simulation's batching method costs and buys: walk and planning time per strategy.

For one replication of a scenario, plans ``sort_zone`` and ``pick_and_sort_cart`` (every order)
with each batching method and prints a markdown table: pick trips, total travel (m), travel
relative to ``sweep``, and planning time (s, this machine, one process). The simulation's default
is ``sweep`` (linear); ``seed`` and ``ils`` search for shorter walks.

Run: ``.venv/bin/python benchmarks/strategy_batching_table.py scenarios/ecommerce-day.yaml
--methods sweep seed`` (``ils`` is practical on ``scenarios/demo.yaml``).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from wms.scenario.compare import _context, _stream  # noqa: E402
from wms.scenario.schema import load_scenario  # noqa: E402
from wms.strategies import get_strategy  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--methods", nargs="+", default=["sweep", "seed"])
    parser.add_argument("--strategies", nargs="+", default=["sort_zone", "pick_and_sort_cart"])
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    stream = _stream(scenario, 0)
    base = _context(scenario)
    print(f"{scenario.name}: {len(stream)} orders, {int(stream.units.sum())} units\n")
    print("| strategy | batching | trips | travel m | vs sweep | planning s |")
    print("|---|---|---:|---:|---:|---:|")
    for name in args.strategies:
        ref = None
        for method in args.methods:
            context = replace(base, settings=replace(base.settings, batching=method))
            start = time.perf_counter()
            work = get_strategy(name).plan(stream, context, name)
            elapsed = time.perf_counter() - start
            travel = float(work.trip_travel_m.sum())
            ref = travel if ref is None else ref
            print(
                f"| {name} | {method} | {work.n_trips} | {travel:,.0f} | "
                f"{(travel / ref - 1) * 100:+.1f} % | {elapsed:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
