"""The TSP routers ``tsp`` and ``tsp_ortools`` against Held-Karp, on both layout kinds, symmetric
and one-way (asymmetric) metrics; routes are walkable and the search is reproducible."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import henn_layout, multi_block_layout, random_picks
from tests.naive import brute_force, held_karp
from wms.errors import RoutingError
from wms.layout import GraphLayout, RectangularLayout
from wms.model import Route
from wms.routing import _local_search as _ls
from wms.routing import get_method, route, route_many
from wms.routing.base import RoutingProblem, walk_length
from wms.routing.tsp import (
    EXACT_MAX_PICKS,
    METHODS,
    default_iterations,
    solve_tsp,
    solve_tsp_ortools,
    tsp_route,
)

# -- instances ---------------------------------------------------------------------------------


def random_matrix(rng: np.random.Generator, n: int, symmetric: bool) -> np.ndarray:
    """Random metric-free costs with a zero diagonal; start/end may coincide (``d[0, -1] = 0``)."""
    d = rng.integers(1, 50, size=(n, n)).astype(float)
    if symmetric:
        d = np.triu(d) + np.triu(d, 1).T
    np.fill_diagonal(d, 0.0)
    return d


def one_way_layout() -> GraphLayout:
    """The 6-aisle, 2-block aisle graph with one-way aisles: even aisles run up, odd aisles down.

    Every aisle segment is a pair of arcs in one direction; cross aisles stay two-way.
    """
    rect = multi_block_layout(6, 2, 5)
    base = GraphLayout.from_rectangular(rect)
    g = nx.DiGraph()
    g.add_nodes_from(base.graph.nodes(data=True))
    for u, v, a in base.graph.edges(data=True):
        if a.get("kind") == "aisle":
            lo, hi = sorted((u, v), key=lambda n: base.graph.nodes[n]["y"])
            g.add_edge(*((lo, hi) if a["aisle"] % 2 == 0 else (hi, lo)), **a)
        else:
            g.add_edge(u, v, **a)
            g.add_edge(v, u, **a)
    return GraphLayout.from_networkx(
        "one-way", g, locations=base.location_nodes(), points=base.points, depot="depot"
    )


LAYOUTS: dict[str, RectangularLayout | GraphLayout] = {
    "rect-3blocks": multi_block_layout(),
    "rect-henn": henn_layout(),
    "graph-3blocks": GraphLayout.from_rectangular(multi_block_layout()),
    "graph-one-way": one_way_layout(),
}


def check_route(
    route_: Route, layout: RectangularLayout | GraphLayout, problem: RoutingProblem
) -> None:
    assert walk_length(layout, route_) == pytest.approx(route_.length_m, abs=1e-6)
    assert sorted(route_.pick_sequence) == list(range(problem.picks.size))
    assert route_.stops[0].kind == "start" and route_.stops[0].location_id == problem.start
    assert route_.stops[-1].kind == "end" and route_.stops[-1].location_id == problem.end


# -- the solver on matrices --------------------------------------------------------------------


@pytest.mark.parametrize("symmetric", [True, False], ids=["symmetric", "asymmetric"])
def test_solve_tsp_matches_held_karp_on_random_matrices(symmetric: bool) -> None:
    rng = np.random.default_rng(11 if symmetric else 12)
    for _ in range(150):
        n = int(rng.integers(2, 13))
        d = random_matrix(rng, n, symmetric)
        expected = held_karp(d)
        for exact_max in (EXACT_MAX_PICKS, 0):  # exact path, then the local search alone
            order, length = solve_tsp(d, exact_max=exact_max, iterations=300)
            assert sorted(order.tolist()) == list(range(n - 2))
            path = [0, *(order + 1).tolist(), n - 1]
            assert length == pytest.approx(sum(d[a, b] for a, b in itertools.pairwise(path)))
            assert length == pytest.approx(expected), (n, exact_max, d.tolist())


def test_compiled_held_karp_matches_brute_force() -> None:
    rng = np.random.default_rng(5)
    for n in range(2, 10):
        d = random_matrix(rng, n, symmetric=False)
        path, length = _ls.held_karp(d)
        assert length == pytest.approx(brute_force(d))
        assert path[0] == 0 and path[-1] == n - 1 and sorted(path.tolist()) == list(range(n))


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 40), seed=st.integers(0, 2**32 - 1), symmetric=st.booleans(),
    iterations=st.integers(0, 30),
)  # fmt: skip
def test_solve_tsp_returns_a_permutation_and_its_cost(
    n: int, seed: int, symmetric: bool, iterations: int
) -> None:
    d = random_matrix(np.random.default_rng(seed), n, symmetric)
    order, length = solve_tsp(d, seed=seed, iterations=iterations)
    assert sorted(order.tolist()) == list(range(n - 2))
    path = [0, *(order + 1).tolist(), n - 1]
    assert length == pytest.approx(sum(d[a, b] for a, b in itertools.pairwise(path)))
    nn = _ls.nearest_neighbour(d)
    assert length <= _ls.path_cost(d, nn) + 1e-9, "never worse than the greedy start"


def test_local_search_improves_large_random_instances() -> None:
    rng = np.random.default_rng(3)
    pts = rng.random((82, 2)) * 100
    d = np.abs(pts[:, None, :] - pts[None, :, :]).sum(-1)
    _, short = solve_tsp(d, iterations=10)
    _, long = solve_tsp(d, iterations=2000)
    assert long <= short
    assert long < _ls.path_cost(d, _ls.nearest_neighbour(d))


def test_same_seed_same_result_and_time_limit() -> None:
    rng = np.random.default_rng(9)
    d = random_matrix(rng, 40, symmetric=False)
    a = solve_tsp(d, seed=3, iterations=200)
    b = solve_tsp(d, seed=3, iterations=200)
    assert a[0].tolist() == b[0].tolist() and a[1] == b[1]
    others = {tuple(solve_tsp(d, seed=s, iterations=200)[0].tolist()) for s in range(5)}
    assert len(others) > 1, "the seed drives the search"
    order, length = solve_tsp(d, seed=3, iterations=10**9, time_limit_s=0.05)
    assert sorted(order.tolist()) == list(range(38)) and length <= a[1] * 1.2
    # the time limit only caps the work: a budget reached first gives the untimed result
    c = solve_tsp(d, seed=3, iterations=200, time_limit_s=60.0)
    assert c[0].tolist() == a[0].tolist()


def test_default_iterations_shrink_for_long_lists() -> None:
    assert default_iterations(30) == default_iterations(400)
    assert default_iterations(1000) < default_iterations(400)
    assert default_iterations(10**6) == 50


def test_solve_tsp_rejects_bad_input() -> None:
    with pytest.raises(RoutingError, match="square"):
        solve_tsp(np.zeros((3, 4)))
    with pytest.raises(RoutingError, match="square"):
        solve_tsp(np.zeros((1, 1)))
    with pytest.raises(RoutingError, match=r"entry \[1, 2\] is inf"):
        d = np.zeros((4, 4))
        d[1, 2] = np.inf
        solve_tsp(d)
    with pytest.raises(RoutingError, match="iterations must be >= 0"):
        solve_tsp(np.zeros((4, 4)), iterations=-1)
    with pytest.raises(RoutingError, match="exact_max"):
        solve_tsp(np.zeros((4, 4)), exact_max=20)
    with pytest.raises(RoutingError, match="time_limit_s"):
        solve_tsp(np.zeros((4, 4)), time_limit_s=0)
    with pytest.raises(RoutingError, match="numeric"):
        solve_tsp(np.array([["a", "b"], ["c", "d"]]))


# -- routes on layouts -------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_tsp_route_is_optimal_on_small_lists(name: str) -> None:
    layout = LAYOUTS[name]
    rng = np.random.default_rng(21)
    ends = [("depot", "depot")] + ([("depot", "pack")] if "pack" in layout.points else [])
    for k in range(0, 11):
        picks = random_picks(rng, layout, k)  # type: ignore[arg-type]
        for start, end in ends:
            problem = RoutingProblem(layout, picks, start, end)
            expected = held_karp(layout.stop_matrix(problem.picks, start, end))
            if k == 0 and start == end:
                expected = 0.0 if layout.kind == "graph" else expected
            r = route(problem, "tsp")
            assert r.method == "tsp"
            assert r.length_m == pytest.approx(expected, abs=1e-9), (name, k, start, end)
            check_route(r, layout, problem)
            # the local search alone finds the same optimum on these small lists
            d = layout.stop_matrix(problem.picks, start, end)
            assert solve_tsp(d, exact_max=0)[1] == pytest.approx(held_karp(d), abs=1e-9)


def test_one_way_metric_is_asymmetric_and_routes_follow_it() -> None:
    layout = LAYOUTS["graph-one-way"]
    assert isinstance(layout, GraphLayout)
    d = layout.distance_matrix()
    assert not np.allclose(d, d.T)
    rng = np.random.default_rng(4)
    for _ in range(5):
        picks = random_picks(rng, layout, 25)  # type: ignore[arg-type]
        problem = RoutingProblem(layout, picks)
        r = tsp_route(problem, seed=1)
        check_route(r, layout, problem)
        # expanding every leg into its shortest node path uses only arcs that exist in their
        # direction, and the arcs add up to the route length
        nodes = [layout._node_of_stop(s) for s in r.stops]
        walked = 0.0
        for a, b in itertools.pairwise(nodes):
            for u, v in itertools.pairwise(layout.node_path(a, b)):
                assert layout.graph.has_edge(layout.node_ids[u], layout.node_ids[v])
                walked += layout.graph.edges[layout.node_ids[u], layout.node_ids[v]]["length"]
        assert walked == pytest.approx(r.length_m)


def test_tsp_route_repeated_and_coinciding_picks() -> None:
    layout = henn_layout()
    ids = ["A03-B0-P10-L", "A03-B0-P10-R", "A03-B0-P10-L", "A07-B0-P40-R", "A00-B0-P05-L"]
    problem = RoutingProblem.from_ids(layout, ids)
    r = tsp_route(problem)
    check_route(r, layout, problem)
    seq = r.pick_sequence
    pos = {p: seq.index(p) for p in range(3)}
    assert max(pos.values()) - min(pos.values()) == 2, "picks at one place are taken together"
    assert r.length_m == pytest.approx(
        held_karp(layout.stop_matrix(problem.picks, "depot", "depot"))
    )


def test_tsp_longer_lists_reach_ortools_quality_and_are_reproducible() -> None:
    layout = multi_block_layout(10, 3, 12)
    graph = GraphLayout.from_rectangular(layout)
    rng = np.random.default_rng(8)
    for _ in range(3):
        picks = random_picks(rng, layout, 25)
        problem = RoutingProblem(layout, picks, "depot", "pack")
        r = tsp_route(problem, seed=2)
        assert tsp_route(problem, seed=2) == r
        check_route(r, layout, problem)
        g = tsp_route(RoutingProblem(graph, picks, "depot", "pack"), seed=2)
        assert g.length_m == pytest.approx(r.length_m, abs=1e-6)
        assert g.pick_sequence == r.pick_sequence
        d = layout.stop_matrix(problem.picks, "depot", "pack")
        _, ortools = solve_tsp_ortools(d, time_limit_s=0.3)
        assert r.length_m <= ortools * 1.01


def test_tsp_ortools_method() -> None:
    layout = LAYOUTS["graph-one-way"]
    rng = np.random.default_rng(6)
    picks = random_picks(rng, layout, 7)  # type: ignore[arg-type]
    problem = RoutingProblem(layout, picks)
    r = route(problem, "tsp_ortools")
    assert r.method == "tsp_ortools"
    check_route(r, layout, problem)
    assert r.length_m == pytest.approx(
        held_karp(layout.stop_matrix(problem.picks, "depot", "depot"))
    )
    d = layout.stop_matrix(random_picks(rng, layout, 13), "depot", "depot")  # type: ignore[arg-type]
    order, length = solve_tsp_ortools(d, time_limit_s=0.3)
    assert sorted(order.tolist()) == list(range(13))
    assert length <= solve_tsp(d, exact_max=14)[1] * 1.02
    with pytest.raises(RoutingError, match="non-negative"):
        solve_tsp_ortools(-np.ones((12, 12)))


def test_registry_and_batch_lengths() -> None:
    assert {m.name for m in METHODS} == {"tsp", "tsp_ortools"}
    for m in METHODS:
        assert m.layouts == frozenset({"rectangular", "graph"}) and not m.exact
        assert get_method(m.name) is m
    layout = LAYOUTS["graph-3blocks"]
    rng = np.random.default_rng(2)
    lists = [random_picks(rng, layout, k) for k in (0, 3, 15, 20)]  # type: ignore[arg-type]
    lengths = route_many(layout, lists, "tsp", "depot", "pack")
    expected = [tsp_route(RoutingProblem(layout, p, "depot", "pack")).length_m for p in lists]
    np.testing.assert_allclose(lengths, expected)
