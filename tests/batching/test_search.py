"""Iterated local search and the decomposition for large problems.

The incremental neighbourhood terms of :class:`~wms.batching.search.LocalSearch` are checked
against a slow, obvious recomputation (every candidate batch routed on its own) after every kind of
step: descent, perturbation, ruin-and-recreate, rollback.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.batching.conftest import HENN, assert_valid, batches_total, henn_problem, random_problem
from wms.batching import BatchingParams, BatchingProblem, batch, scale, search
from wms.batching._eval import BatchEvaluator
from wms.batching._features import aisle_profile, all_pairs, neighbour_pairs
from wms.batching.construct import savings_batches
from wms.batching.search import LocalSearch, ils_batches
from wms.layout import BlockSpec, Zone, ZoneRule, build_rectangular
from wms.model import Point
from wms.routing import route_many
from wms.routing.base import PickLists

FIXED = BatchingParams(time_limit_s=600, max_iterations=150)


def _length(problem: BatchingProblem, orders: list[int]) -> float:
    if not orders:
        return 0.0
    picks = PickLists.from_lists([np.concatenate([problem.orders[o] for o in orders])])
    return float(route_many(problem.layout, picks, problem.routing)[0])


def _fits(problem: BatchingProblem, orders: list[int]) -> bool:
    return bool(np.all(problem.loads[orders].sum(axis=0) <= problem.capacity + 1e-9))


def check_terms(ls: LocalSearch) -> None:
    """Every stored term equals the route length of its batch computed from scratch."""
    p = ls.problem
    for s, mem in enumerate(ls.members):
        assert ls.bsize[s] == len(mem)
        if mem:
            assert ls.blen[s] == pytest.approx(_length(p, mem))
            np.testing.assert_allclose(ls.bload[s], p.loads[mem].sum(axis=0))
            assert all(ls.bof[o] == s for o in mem)
    for o in range(p.n_orders):
        b = ls.members[ls.bof[o]]
        assert ls.Q[o] == pytest.approx(_length(p, [x for x in b if x != o]))
    for e, (u, v) in enumerate(zip(ls.eu.tolist(), ls.ev_.tolist(), strict=True)):
        A, B = ls.members[ls.bof[u]], ls.members[ls.bof[v]]
        if ls.bof[u] == ls.bof[v]:
            continue
        for got, batch_ in (
            (ls.Rf[e], [x for x in A if x != u] + [v]),
            (ls.Rb[e], [x for x in B if x != v] + [u]),
            (ls.Sf[e], [*B, u]),
            (ls.Sb[e], [*A, v]),
        ):
            want = _length(p, batch_) if _fits(p, batch_) else np.inf
            assert got == pytest.approx(want), (e, batch_)


def naive_improving(ls: LocalSearch) -> set[tuple[int, int, int]]:
    """Every improving swap/shift by brute force: ``(kind, u, v)``."""
    p = ls.problem
    out: set[tuple[int, int, int]] = set()
    for u, v in zip(ls.eu.tolist(), ls.ev_.tolist(), strict=True):
        a, b = int(ls.bof[u]), int(ls.bof[v])
        if a == b:
            continue
        A, B = ls.members[a], ls.members[b]
        base = _length(p, A) + _length(p, B)
        options = {
            0: ([x for x in A if x != u] + [v], [x for x in B if x != v] + [u]),
            1: ([x for x in A if x != u], [*B, u]),
            2: ([*A, v], [x for x in B if x != v]),
        }
        for kind, (na, nb) in options.items():
            if _fits(p, na) and _fits(p, nb) and _length(p, na) + _length(p, nb) < base - 1e-7:
                out.add((kind, u, v))
    return out


def _local_search(n: int, cap: float, seed: int, routing: str = "s_shape", pack: bool = False,
                  dense: bool = True) -> LocalSearch:  # fmt: skip
    p = henn_problem(n, cap, seed=seed, routing=routing)
    ev = BatchEvaluator(p)
    start = [[k] for k in range(n)] if seed % 2 else savings_batches(p, BatchingParams(), ev)
    pairs = all_pairs(n) if dense else neighbour_pairs(aisle_profile(p), 3)
    return LocalSearch(p, ev, start, pairs, pack=pack)


# -- the neighbourhood terms -----------------------------------------------------------------------
@pytest.mark.parametrize(("seed", "routing", "dense"), [(0, "s_shape", True), (1, "optimal", True), (2, "largest_gap", False), (3, "s_shape", False)])  # fmt: skip
def test_terms_match_a_recomputation_after_every_step(seed: int, routing: str, dense: bool) -> None:
    ls = _local_search(12, 45, seed, routing, pack=True, dense=dense)
    check_terms(ls)
    ls.descend(time.perf_counter() + 60)
    check_terms(ls)
    ls.commit()
    rng = np.random.default_rng(seed)
    ls.perturb(rng, 3)
    check_terms(ls)
    ls.ruin_recreate(rng, 4, related=False)
    check_terms(ls)
    ls.ruin_recreate(rng, 4, related=True)
    check_terms(ls)
    ls.descend(time.perf_counter() + 60)
    check_terms(ls)


def test_rollback_restores_the_committed_state_exactly() -> None:
    ls = _local_search(14, 45, 0, pack=True)
    ls.descend(time.perf_counter() + 60)
    ls.commit()
    before = ([list(m) for m in ls.members], *(getattr(ls, a).copy() for a in ("bof", "bsize", "bload", "blen", "Q", "Rf", "Rb", "Sf", "Sb")))  # fmt: skip
    rng = np.random.default_rng(5)
    for step in range(6):
        if step % 2:
            ls.perturb(rng, 3)
        else:
            ls.ruin_recreate(rng, 5, related=bool(step % 4))
        ls.descend(time.perf_counter() + 60)
        ls.rollback()
        assert [list(m) for m in ls.members] == before[0]
        for got, want in zip((getattr(ls, a) for a in ("bof", "bsize", "bload", "blen", "Q", "Rf", "Rb", "Sf", "Sb")), before[1:], strict=True):  # fmt: skip
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_improving_moves_match_brute_force(seed: int) -> None:
    ls = _local_search(12, 30 + 10 * seed, seed)
    imp, dlen, _ = ls.improving()
    E = ls.eu.size
    got = {(int(f // E), int(ls.eu[f % E]), int(ls.ev_[f % E])) for f in imp.tolist()}
    assert got == naive_improving(ls)
    assert np.all(np.diff(dlen) >= 0)  # best first


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_descent_ends_in_a_local_optimum(seed: int) -> None:
    ls = _local_search(14, 45, seed)
    total0 = ls.total
    ls.descend(time.perf_counter() + 60)
    assert ls.total <= total0
    assert naive_improving(ls) == set()
    assert ls.total == pytest.approx(batches_total(ls.problem, ls.batches()))


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_packing_moves_keep_the_length_and_concentrate_load(seed: int) -> None:
    ls = _local_search(16, 60, seed, pack=False)
    ls.descend(time.perf_counter() + 60)
    ls.pack = True
    imp, dlen, dq = ls.improving()
    assert imp.size > 0  # these instances have sideways moves
    E = ls.eu.size
    p = ls.problem

    def fill(batches: list[list[int]]) -> float:
        return sum(float(((p.loads[b].sum(axis=0) / p.capacity) ** 2).sum()) for b in batches if b)

    for flat, d, q in zip(imp.tolist(), dlen.tolist(), dq.tolist(), strict=True):
        kind, e = divmod(flat, E)
        u, v = int(ls.eu[e]), int(ls.ev_[e])
        A, B = ls.members[ls.bof[u]], ls.members[ls.bof[v]]
        na, nb = {
            0: ([x for x in A if x != u] + [v], [x for x in B if x != v] + [u]),
            1: ([x for x in A if x != u], [*B, u]),
            2: ([*A, v], [x for x in B if x != v]),
        }[kind]
        assert _fits(p, na) and _fits(p, nb)
        assert abs(d) <= 1e-9  # a sideways move: no length-improving move is left
        assert _length(p, na) + _length(p, nb) == pytest.approx(_length(p, A) + _length(p, B))
        assert q == pytest.approx(fill([na, nb]) - fill([A, B])) and q > 0
    total = ls.total
    ls.descend(time.perf_counter() + 60)
    assert ls.total <= total + 1e-9
    assert ls.improving()[0].size == 0


# -- the search ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cap", "demand", "routing"),
    list(itertools.product((30, 45, 75), ("uniform", "abc"), ("s_shape", "optimal"))),
)
def test_ils_is_never_worse_than_savings(cap: int, demand: str, routing: str) -> None:
    p = henn_problem(40, cap, seed=cap, demand=demand, routing=routing)
    start = batch(p, "savings")
    result = batch(p, "ils", FIXED, seed=1)
    assert_valid(p, result)
    assert result.total_length <= start.total_length + 1e-9


def test_ils_improves_savings_on_a_henn_instance() -> None:
    p = henn_problem(60, 45, seed=8)
    assert batch(p, "ils", FIXED).total_length < batch(p, "savings").total_length


def test_ils_is_deterministic_for_a_fixed_seed_and_iteration_budget() -> None:
    p = henn_problem(50, 60, seed=3, demand="abc")
    a = batch(p, "ils", FIXED, seed=7)
    b = batch(p, "ils", FIXED, seed=7)
    assert a.batches == b.batches
    np.testing.assert_array_equal(a.lengths, b.lengths)


def test_ils_respects_its_time_limit() -> None:
    p = henn_problem(100, 45, seed=1)
    batch(p, "ils", BatchingParams(time_limit_s=0.05))  # compile and warm up
    t = time.perf_counter()
    result = batch(p, "ils", BatchingParams(time_limit_s=0.3))
    assert time.perf_counter() - t < 0.3 + 0.5
    assert_valid(p, result)


def test_ils_batches_reports_stats_and_keeps_the_start_without_budget() -> None:
    p = henn_problem(30, 45, seed=2)
    ev = BatchEvaluator(p)
    start = savings_batches(p, BatchingParams(), ev)
    stats: dict[str, float] = {}
    out = ils_batches(p, BatchingParams(max_iterations=0), np.random.default_rng(0), ev, start,
                      time.perf_counter() + 60, stats=stats)  # fmt: skip
    assert out == [list(b) for b in start]
    assert stats["iterations"] == 0 and stats["best_m"] == stats["start_m"]
    out = ils_batches(p, BatchingParams(max_iterations=50), np.random.default_rng(0), ev, start,
                      time.perf_counter() + 60, stats=stats)  # fmt: skip
    assert stats["iterations"] == 50 and stats["best_m"] <= stats["start_m"]
    assert batches_total(p, out) == pytest.approx(stats["best_m"])


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 25), dims=st.integers(1, 3))
def test_ils_property_valid_and_never_worse(seed: int, n: int, dims: int) -> None:
    p = random_problem(np.random.default_rng(seed), HENN, n, dims=dims, routing="optimal")
    params = BatchingParams(time_limit_s=600, max_iterations=30)
    result = batch(p, "ils", params, seed=seed)
    assert_valid(p, result)
    assert result.total_length <= batch(p, "savings", params).total_length + 1e-9


def test_ils_with_neighbour_lists_is_valid_and_never_worse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "DENSE_MAX", 20)
    p = henn_problem(60, 45, seed=4)
    params = BatchingParams(time_limit_s=600, max_iterations=80, neighbours=6)
    result = batch(p, "ils", params)
    assert_valid(p, result)
    assert result.total_length <= batch(p, "savings", params).total_length + 1e-9


# -- decomposition ---------------------------------------------------------------------------------
def test_decompose_partitions_orders_by_zone_and_aisle_clusters() -> None:
    layout = build_rectangular(
        "zoned", aisle_x_m=np.arange(6) * 3.0, blocks=[BlockSpec(10)], points=[Point("depot", 0, 0)],
        zone_rules=[ZoneRule(Zone("left"), aisles=(0, 1, 2)), ZoneRule(Zone("right"), aisles=(3, 4, 5))],
    )  # fmt: skip
    rng = np.random.default_rng(0)
    left = np.flatnonzero(layout.locations.zone == 0)
    right = np.flatnonzero(layout.locations.zone == 1)
    orders = [rng.choice(left if k % 3 == 0 else right, 3) for k in range(90)]
    orders.append(np.array([left[0], right[0]]))  # one order spanning both zones
    p = BatchingProblem.from_orders(layout, orders, 12)
    groups = scale.decompose(p, group_size=20)
    flat = np.sort(np.concatenate(groups))
    np.testing.assert_array_equal(flat, np.arange(p.n_orders))
    zone_of = {k: ("mixed" if k == 90 else "L" if k % 3 == 0 else "R") for k in range(91)}
    for g in groups:
        assert len({zone_of[int(k)] for k in g}) == 1
    assert [len(g) for g in groups if zone_of[int(g[0])] == "R"] == [20, 20, 20]
    with pytest.raises(ValueError, match="group_size"):
        scale.decompose(p, group_size=1)


def test_large_problems_are_decomposed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "GROUP_MAX", 50)
    monkeypatch.setattr(scale, "GROUP_SIZE", 60)
    p = henn_problem(240, 45, seed=6, demand="abc")
    params = BatchingParams(time_limit_s=600, max_iterations=40)
    result = batch(p, "ils", params, seed=3)
    assert result.method == "ils"
    assert_valid(p, result)
    groups = scale.decompose(p, 60)
    assert len(groups) == 4
    group_savings = 0.0
    for g in groups:
        sub = scale.subproblem(p, g)
        group_savings += batch(sub, "savings", params).total_length
    assert result.total_length <= group_savings + 1e-6
    again = batch(p, "ils", params, seed=3)
    assert again.batches == result.batches


def test_decomposed_search_shares_the_time_limit() -> None:
    p = henn_problem(900, 45, seed=1)
    t = time.perf_counter()
    result = scale.ils_decomposed(
        p, BatchingParams(time_limit_s=1.0), np.random.default_rng(0), 300
    )
    assert time.perf_counter() - t < 1.0 + 3.0  # the three savings starts are always built
    assert_valid(p, result)
