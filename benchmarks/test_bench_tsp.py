"""Speed and quality of the TSP router ``tsp`` (compiled iterated local search).

Run: ``python -m pytest benchmarks/test_bench_tsp.py --benchmark-only -s`` (``-s`` prints the
gap and ms/route lines; they are also stored in the benchmark JSON as ``extra_info``).

Instances: a realistic 30-aisle, 3-block warehouse (aisles 3 m apart, 30 positions of 1 m per block
side, 5,400 locations, depot front-left) and the small 8-aisle 3-block test layout; pick lists of 30
uniform random locations (fixed seed). Reference: the exact router ``optimal`` (multi-block dynamic
programming) when it is registered, else a long OR-Tools guided-local-search run. Targets: mean gap
<= 1 % and <= 20 ms per route (median of the rounds, route construction included).
"""

from __future__ import annotations

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from tests.conftest import multi_block_layout
from wms.layout import GraphLayout, RectangularLayout
from wms.routing import METHODS, route_many
from wms.routing.base import PickLists, RoutingProblem, walk_length
from wms.routing.tsp import solve_tsp_ortools, tsp_route

GROUP = "routing-tsp"
SEED = 20_240_607
N_LISTS = 50
N_PICKS = 30
MAX_MEAN_GAP = 0.01
MAX_MS_PER_ROUTE = 20.0
ORTOOLS_REFERENCE_S = 3.0


def make_lists(layout: RectangularLayout, seed: int = SEED) -> PickLists:
    """``N_LISTS`` pick lists of ``N_PICKS`` uniform random locations (repeats allowed)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(layout.locations), size=N_LISTS * N_PICKS)
    return PickLists(np.arange(N_LISTS + 1, dtype=np.int64) * N_PICKS, idx)


def best_known(layout: RectangularLayout, lists: PickLists) -> tuple[np.ndarray, str]:
    """Reference lengths: exact ``optimal`` if available, else OR-Tools GLS for a few seconds."""
    if "optimal" in METHODS:
        return route_many(layout, lists, "optimal"), "optimal"
    ref = [
        solve_tsp_ortools(
            layout.stop_matrix(lists[k], "depot", "depot"), time_limit_s=ORTOOLS_REFERENCE_S
        )[1]
        for k in range(len(lists))
    ]
    return np.array(ref), f"OR-Tools GLS {ORTOOLS_REFERENCE_S:g} s"


LAYOUTS = {
    "30x3-realistic": multi_block_layout(30, 3, 30),
    "8x3-small": multi_block_layout(),
}


@pytest.mark.benchmark(group=GROUP)
@pytest.mark.parametrize("name", list(LAYOUTS))
def test_tsp_gap_and_time_per_route(benchmark: BenchmarkFixture, name: str) -> None:
    layout = LAYOUTS[name]
    lists = make_lists(layout)
    problems = [RoutingProblem(layout, lists[k]) for k in range(N_LISTS)]
    tsp_route(problems[0])  # load the compiled kernels

    def run() -> list[float]:
        return [tsp_route(p).length_m for p in problems]

    lengths = np.array(benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1))
    reference, ref_name = best_known(layout, lists)
    gaps = (lengths - reference) / reference
    ms_median = 1e3 * benchmark.stats.stats.median / N_LISTS
    ms_best = 1e3 * benchmark.stats.stats.min / N_LISTS
    benchmark.extra_info.update(
        reference=ref_name, mean_gap_pct=100 * gaps.mean(), max_gap_pct=100 * gaps.max(),
        optimal_share=float(np.mean(gaps <= 1e-9)), ms_per_route_median=ms_median,
        ms_per_route_best=ms_best, picks=N_PICKS, lists=N_LISTS,
    )  # fmt: skip
    print(
        f"\ntsp on {name}, {N_PICKS} picks, {N_LISTS} lists vs {ref_name}: mean gap "
        f"{100 * gaps.mean():.3f} %, max {100 * gaps.max():.3f} %, optimal on "
        f"{np.mean(gaps <= 1e-9):.0%}; {ms_median:.2f} ms/route (median), {ms_best:.2f} (best)"
    )
    for p, length in zip(problems[:5], lengths[:5], strict=True):
        r = tsp_route(p)
        assert r.length_m == pytest.approx(length) == pytest.approx(walk_length(layout, r))
    assert gaps.min() >= -1e-9, "no route beats the reference optimum"
    assert gaps.mean() <= MAX_MEAN_GAP
    assert ms_median <= MAX_MS_PER_ROUTE


@pytest.mark.benchmark(group=GROUP)
def test_tsp_on_graph_layout(benchmark: BenchmarkFixture) -> None:
    """The same realistic warehouse as an explicit aisle graph (3,300+ nodes): Dijkstra rows are
    computed on first use and cached, so later rounds measure routing on a warm layout."""
    rect = LAYOUTS["30x3-realistic"]
    graph = GraphLayout.from_rectangular(rect)
    lists = make_lists(rect)
    problems = [RoutingProblem(graph, lists[k]) for k in range(N_LISTS)]

    def run() -> list[float]:
        return [tsp_route(p).length_m for p in problems]

    lengths = np.array(benchmark.pedantic(run, rounds=3, iterations=1))
    closed = np.array([tsp_route(RoutingProblem(rect, lists[k])).length_m for k in range(N_LISTS)])
    ms_median = 1e3 * benchmark.stats.stats.median / N_LISTS
    ms_first = 1e3 * benchmark.stats.stats.max / N_LISTS
    benchmark.extra_info.update(
        nodes=graph.n_nodes, ms_per_route_median=ms_median, ms_per_route_cold=ms_first
    )
    print(
        f"\ntsp on the graph layout ({graph.n_nodes} nodes): {ms_median:.2f} ms/route warm "
        f"(median), {ms_first:.2f} ms/route in the cold round"
    )
    np.testing.assert_allclose(lengths, closed, atol=1e-6)
    assert ms_median <= 2 * MAX_MS_PER_ROUTE


@pytest.mark.benchmark(group=GROUP)
def test_tsp_ortools_reference(benchmark: BenchmarkFixture) -> None:
    """OR-Tools guided local search at 0.5 s per route on 10 of the realistic lists, for scale."""
    layout = LAYOUTS["30x3-realistic"]
    lists = make_lists(layout)
    sample = PickLists(lists.indptr[:11], lists.indices[: 10 * N_PICKS])
    matrices = [layout.stop_matrix(sample[k], "depot", "depot") for k in range(10)]

    def run() -> list[float]:
        return [solve_tsp_ortools(d, time_limit_s=0.5)[1] for d in matrices]

    theirs = np.array(benchmark.pedantic(run, rounds=1, iterations=1))
    ours = np.array([tsp_route(RoutingProblem(layout, sample[k])).length_m for k in range(10)])
    reference, ref_name = best_known(layout, sample)
    gap_ortools = float(100 * np.mean((theirs - reference) / reference))
    gap_tsp = float(100 * np.mean((ours - reference) / reference))
    benchmark.extra_info.update(
        ortools_mean_gap_pct=gap_ortools, tsp_mean_gap_pct=gap_tsp, reference=ref_name
    )
    print(
        f"\nOR-Tools GLS 0.5 s/route: mean gap {gap_ortools:.3f} %; "
        f"tsp: {gap_tsp:.3f} % (vs {ref_name})"
    )
    assert np.all(theirs >= reference - 1e-6)
