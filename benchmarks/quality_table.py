"""Solution quality of the routing heuristics: mean % above the shortest route.

Protocol: the Henn geometry (10 aisles x 45 positions per side, aisle pitch 5 m, cross aisles at
y = 0 and 47 m, depot at the front of aisle 0, start = end). For each pick-list size (3, 5, 10,
20, 30, 60 distinct locations) ``--instances`` random lists (default 1,000, fixed seed), drawn
under uniform demand (every location equally likely) and, with ``--demand both``, ABC demand
(DOMAIN.md: class A = aisle 0 takes 52 % of the picks, B = aisles 1-3 36 %, C = aisles 4-9 12 %).
Every list is routed by every heuristic and by ``optimal`` through ``wms.routing.route_many``;
a cell is the mean over the lists of ``100 * (heuristic - optimal) / optimal``.
``--reference held-karp`` replaces ``optimal`` by Held-Karp on the stop matrix (sizes <= 10
only; a check of the reference itself).

Run: ``.venv/bin/python benchmarks/quality_table.py [--instances N] [--demand uniform|abc|both]``

Measured (``--instances 1000 --seed 7``; ``optimal`` as the reference), mean % above optimal:

    uniform demand, one block        3     5    10    20    30    60 picks
    s_shape                       11.5  25.0  30.2  22.7  14.8   2.2
    return                        19.7  33.1  46.7  52.5  54.7  58.3
    midpoint                       8.6   7.9   9.2  12.2  16.8  30.6
    largest_gap                    8.6   7.4   7.1   7.2   9.4  19.5
    combined (= combined_plus)     3.2   8.5  12.2   9.9   7.0   1.7

    ABC demand, one block
    s_shape                        9.7  16.4  25.3  21.6  18.4  15.0
    return                        18.9  32.0  50.5  53.3  54.1  57.8
    midpoint                       8.0   7.1   8.0  11.0  15.5  22.6
    largest_gap                    8.0   6.6   6.7   7.4   9.7  15.0
    combined (= combined_plus)     1.8   6.4  12.8  10.3   8.6   6.5

    uniform demand, --blocks 3 (15 positions per block)
    s_shape                        2.1   6.5  22.1  34.5  34.7  28.4
    largest_gap                    1.7   5.9  21.0  31.3  32.8  32.8
    combined                       0.4   2.5  12.7  20.3  20.5  18.0
    combined_plus                  0.1   0.7   7.1  14.9  17.0  16.4

Against the literature (Hall 1993; Petersen 1997; Roodbergen & de Koster 2001a, 2001b; de Koster,
Le-Duc & Roodbergen 2007): as reported there, S-shape is poor for short lists and close to optimal
for long ones (at 60 picks nearly every aisle is traversed by the optimum as well), largest gap
beats S-shape for short and medium lists and loses for long ones, midpoint is close to largest
gap for short lists and worse for long ones, and return is the worst. Combined is the best
heuristic at 3 and at 30-60 picks, but not at 5-20 picks, where largest gap is 1-5 points better:
combined visits every aisle once, in sweep order, so reaching picks near both ends of an aisle,
or changing cross aisle, costs a full traversal, while largest gap's two outer traversals give it
both cross aisles for free. The same order shows on 20 x 22 m and 30 x 12 m single-block layouts,
and the compiled combined agrees with a plain implementation of the definition
(``tests/routing/test_heuristics.py``), so it is a property of the heuristic, not of this geometry
or code. Roodbergen & de Koster (2001b) claim the advantage of their combined heuristics for
warehouses with more than two cross aisles; there (``--blocks 2`` or ``3``) combined+ is the best
heuristic at every size, then combined, far ahead of S-shape and largest gap, as they report. On a
single block combined+ equals combined (its extra choices concern several blocks). ABC demand as
DOMAIN.md defines it concentrates picks in the aisles next to the depot, which helps every
heuristic a little; it is not the within-aisle class storage under which return shines.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from wms.layout import BlockSpec, RectangularLayout, build_rectangular  # noqa: E402
from wms.model import Point  # noqa: E402
from wms.routing import METHODS, PickLists, route_many  # noqa: E402

HEURISTICS = ("s_shape", "return", "midpoint", "largest_gap", "combined", "combined_plus")
SIZES = (3, 5, 10, 20, 30, 60)
ABC = ((0.52, (0,)), (0.36, (1, 2, 3)), (0.12, (4, 5, 6, 7, 8, 9)))


def henn_layout(blocks: int = 1) -> RectangularLayout:
    """10 aisles x 45 positions per side, pitch 5 m, aisle 47 m, depot at the front of aisle 0.

    With ``blocks`` > 1 the 45 positions are cut into that many blocks by extra cross aisles
    (``45 // blocks`` positions each), as in Roodbergen & de Koster (2001b).
    """
    per_block = 45 // blocks
    spec = BlockSpec(positions=per_block, pitch_m=1.0, front_to_first_m=1.5, last_to_back_m=1.5)
    return build_rectangular(
        f"henn-10x45-{blocks}b",
        aisle_x_m=[5.0 * a for a in range(10)],
        blocks=[spec] * blocks,
        points=[Point("depot", 0.0, 0)],
    )


def location_weights(layout: RectangularLayout, demand: str) -> NDArray[np.float64]:
    """Probability of each location being picked: uniform, or ABC by aisle."""
    n = len(layout.locations)
    if demand == "uniform":
        return np.full(n, 1.0 / n)
    p = np.zeros(n)
    for share, aisles in ABC:
        members = np.isin(layout.locations.aisle, aisles)
        p[members] = share / members.sum()
    return p


def random_lists(
    layout: RectangularLayout, size: int, count: int, demand: str, rng: np.random.Generator
) -> PickLists:
    """``count`` lists of ``size`` distinct locations drawn with the demand's probabilities."""
    p = location_weights(layout, demand)
    n = len(layout.locations)
    lists = [rng.choice(n, size=size, replace=False, p=p) for _ in range(count)]
    return PickLists.from_lists(lists)


def reference_lengths(
    layout: RectangularLayout, lists: PickLists, reference: str
) -> NDArray[np.float64]:
    """Shortest route lengths: the ``optimal`` method, or Held-Karp for small lists."""
    if reference == "optimal":
        return route_many(layout, lists, "optimal")
    from tests.naive import held_karp

    if max(np.diff(lists.indptr)) > 10:
        raise SystemExit("--reference held-karp is limited to lists of at most 10 picks")
    return np.array(
        [held_karp(layout.stop_matrix(lists[k], "depot", "depot")) for k in range(len(lists))]
    )


def quality_table(
    instances: int,
    demand: str,
    seed: int,
    reference: str,
    sizes: Sequence[int] = SIZES,
    blocks: int = 1,
) -> str:
    """The markdown table of mean % above the reference, heuristics by pick-list size."""
    layout = henn_layout(blocks)
    rng = np.random.default_rng(seed)
    columns: dict[int, dict[str, float]] = {}
    for size in sizes:
        lists = random_lists(layout, size, instances, demand, rng)
        best = reference_lengths(layout, lists, reference)
        columns[size] = {}
        for name in HEURISTICS:
            gap = 100.0 * (route_many(layout, lists, name) - best) / best
            if gap.min() < -1e-9:
                raise AssertionError(f"{name} beats the reference on a list of {size} picks")
            columns[size][name] = float(gap.mean())
    head = "| heuristic | " + " | ".join(f"{s} picks" for s in sizes) + " |"
    rule = "|---|" + "---:|" * len(sizes)
    rows = [head, rule]
    for name in HEURISTICS:
        best_at = [min(columns[s].values()) for s in sizes]
        cells = [
            f"**{columns[s][name]:.1f}**" if columns[s][name] == b else f"{columns[s][name]:.1f}"
            for s, b in zip(sizes, best_at, strict=True)
        ]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000, help="lists per size (>= 100)")
    parser.add_argument("--demand", choices=("uniform", "abc", "both"), default="both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reference", choices=("optimal", "held-karp"), default="optimal")
    parser.add_argument(
        "--blocks", type=int, default=1, help="cut the aisles into this many blocks (default 1)"
    )
    args = parser.parse_args(argv)
    if args.instances < 100:
        parser.error("--instances must be at least 100")
    if args.reference == "optimal" and "optimal" not in METHODS:
        parser.error("the 'optimal' method is not registered; use --reference held-karp")
    sizes = SIZES if args.reference == "optimal" else tuple(s for s in SIZES if s <= 10)
    demands = ("uniform", "abc") if args.demand == "both" else (args.demand,)
    for demand in demands:
        print(
            f"\nMean % above the shortest route ({args.reference}), Henn 10 x 45 in {args.blocks} "
            f"block(s), depot front-left, {demand} demand, {args.instances} lists per size, "
            f"seed {args.seed}:\n"
        )
        print(quality_table(args.instances, demand, args.seed, args.reference, sizes, args.blocks))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
