"""Batch speed of the routing heuristics (group ``routing-heuristics``).

The Henn geometry (10 aisles x 45 positions per side, depot at the front of aisle 0) with 30
picks per list, uniform over the locations, fixed seed: every heuristic must route at least
1,000,000 lists per second through its batch API, ``lengths(layout, pick_lists, start, end)``,
timed as a whole (the gather of pick coordinates included). The rate is taken from the fastest
round: a shared machine slows rounds down, never up. Each benchmark also checks its answers
against the route builder on a sample of lists.

Run: ``.venv/bin/python -m pytest benchmarks/test_bench_heuristics.py --benchmark-only``
"""

from __future__ import annotations

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from tests.conftest import henn_layout
from wms.layout import RectangularLayout
from wms.routing import METHODS, PickLists, RoutingProblem

NAMES = ("s_shape", "return", "midpoint", "largest_gap", "combined", "combined_plus")
N_LISTS = 200_000
PICKS_PER_LIST = 30
TARGET_ROUTES_PER_S = 1_000_000


@pytest.fixture(scope="module")
def henn_lists() -> tuple[RectangularLayout, PickLists]:
    """The Henn layout and 200,000 lists of 30 uniform random locations (seed 2024)."""
    layout = henn_layout()
    rng = np.random.default_rng(2024)
    flat = rng.integers(0, len(layout.locations), size=N_LISTS * PICKS_PER_LIST)
    indptr = np.arange(N_LISTS + 1, dtype=np.int64) * PICKS_PER_LIST
    return layout, PickLists(indptr, flat)


@pytest.mark.benchmark(group="routing-heuristics")
@pytest.mark.parametrize("name", NAMES)
def test_heuristic_batch_throughput(
    benchmark: BenchmarkFixture, henn_lists: tuple[RectangularLayout, PickLists], name: str
) -> None:
    layout, lists = henn_lists
    lengths_fn = METHODS[name].lengths
    assert lengths_fn is not None
    lengths_fn(layout, lists, None, None)  # compile (or load the cache) outside the timing
    out = benchmark.pedantic(
        lengths_fn, args=(layout, lists, None, None), rounds=7, warmup_rounds=1
    )

    # The answers: finite, at least the walk to the farthest pick's aisle and back, and equal to
    # the route builder's lengths on a sample.
    assert out.shape == (N_LISTS,)
    assert np.all(np.isfinite(out))
    far_x = layout.aisle_x_m[layout.locations.aisle[lists.indices]].reshape(N_LISTS, -1).max(axis=1)
    assert np.all(out >= 2.0 * far_x)
    for k in range(0, N_LISTS, N_LISTS // 25):
        assert METHODS[name].route(RoutingProblem(layout, lists[k])).length_m == out[k]

    stats = benchmark.stats
    assert stats is not None
    best_rate = N_LISTS / stats["min"]
    benchmark.extra_info.update(
        routes_per_s_best=round(best_rate),
        routes_per_s_median=round(N_LISTS / stats["median"]),
        mean_length_m=float(out.mean()),
    )
    assert best_rate >= TARGET_ROUTES_PER_S, f"{name}: {best_rate:,.0f} routes/s"
