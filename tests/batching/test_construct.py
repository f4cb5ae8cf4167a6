"""Constructive batching (FCFS, seed, savings), the registry and the instance generator."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.batching.conftest import HENN, assert_valid, henn_problem, random_problem
from tests.conftest import multi_block_layout
from wms.batching import METHODS, BatchingParams, BatchingProblem, batch, construct, get_method
from wms.batching._eval import BatchEvaluator
from wms.batching.construct import ADD_RULES, SEED_RULES
from wms.batching.generate import (
    ABC_CLASSES,
    generate_orders,
    generate_problem,
    generate_singles,
    henn_layout,
    henn_location,
)
from wms.errors import InfeasibleError
from wms.io.henn import read_henn_orders
from wms.routing.base import PickLists

HENN_EXAMPLES = str(Path(__file__).resolve().parents[1] / "data" / "henn")


# -- registry --------------------------------------------------------------------------------------
def test_registry_lists_methods_and_rejects_unknown_names() -> None:
    assert {"fcfs", "seed", "savings", "savings_static", "ils", "singles"} <= set(METHODS)
    assert get_method("savings") is construct.savings
    with pytest.raises(ValueError, match=r"unknown batching method 'bogus'.*fcfs.*ils.*savings"):
        get_method("bogus")
    with pytest.raises(ValueError, match="unknown batching method"):
        batch(henn_problem(3, 45), "bogus")


def test_batch_defaults_to_ils() -> None:
    p = henn_problem(12, 45)
    result = batch(p, params=BatchingParams(max_iterations=5, time_limit_s=60))
    assert result.method == "ils"
    assert_valid(p, result)


def test_unknown_routing_method_is_named() -> None:
    p = henn_problem(4, 45, routing="nope")
    with pytest.raises(ValueError, match="unknown routing method 'nope'"):
        batch(p, "fcfs")


@pytest.mark.parametrize("method", sorted(METHODS))
def test_empty_problem_gives_empty_batching(method: str) -> None:
    p = BatchingProblem.from_orders(HENN, [], 45.0)
    result = batch(p, method)
    assert result.batches == ()
    assert result.total_length == 0.0


# -- FCFS ------------------------------------------------------------------------------------------
def test_fcfs_is_next_fit_in_arrival_order() -> None:
    # order sizes 10, 20, 15, 5, 30 with capacity 30: [0, 1] [2, 3] [4]
    orders = [np.arange(k) * 2 for k in (10, 20, 15, 5, 30)]
    p = BatchingProblem.from_orders(HENN, orders, 30)
    result = batch(p, "fcfs")
    assert result.batches == ((0, 1), (2, 3), (4,))
    assert_valid(p, result)


# -- seed ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("seed_rule", "add_rule"), list(itertools.product(SEED_RULES, ADD_RULES)))
def test_seed_rules_give_valid_batchings(seed_rule: str, add_rule: str) -> None:
    p = henn_problem(25, 45, seed=3)
    result = batch(p, "seed", BatchingParams(seed_rule=seed_rule, add_rule=add_rule))
    assert result.method == "seed"
    assert_valid(p, result)


def test_seed_rejects_unknown_rules_naming_the_valid_ones() -> None:
    p = henn_problem(5, 45)
    with pytest.raises(ValueError, match=r"unknown seed rule 'x'.*largest_aisle_span"):
        batch(p, "seed", BatchingParams(seed_rule="x"))
    with pytest.raises(ValueError, match=r"unknown add rule 'y'.*fewest_new_aisles"):
        batch(p, "seed", BatchingParams(add_rule="y"))


def test_seed_with_fewest_new_aisles_keeps_aisle_disjoint_orders_apart() -> None:
    # Four one-aisle orders: two in aisle 0, two in aisle 9; capacity two orders.
    a0 = [henn_location(0, c) for c in (3, 9)]
    a9 = [henn_location(18, c) for c in (3, 9)]
    orders = [a0, a9, a0[::-1], a9[::-1]]
    p = BatchingProblem.from_orders(HENN, orders, 4)
    result = batch(p, "seed", BatchingParams(seed_rule="fcfs", add_rule="fewest_new_aisles"))
    assert result.batches == ((0, 2), (1, 3))


# -- savings ---------------------------------------------------------------------------------------
def test_savings_pairs_orders_of_the_same_aisle() -> None:
    a0 = [henn_location(0, c) for c in (3, 9)]
    a9 = [henn_location(18, c) for c in (3, 9)]
    orders = [a0, a9, a0[::-1], a9[::-1]]
    p = BatchingProblem.from_orders(HENN, orders, 4)
    for method in ("savings", "savings_static"):
        assert batch(p, method).batches == ((0, 2), (1, 3))


@pytest.mark.parametrize("method", ["savings", "savings_static"])
@pytest.mark.parametrize("routing", ["s_shape", "optimal", "largest_gap"])
def test_savings_is_never_longer_than_one_batch_per_order(method: str, routing: str) -> None:
    p = henn_problem(30, 45, seed=5, routing=routing)
    result = batch(p, method)
    assert_valid(p, result)
    alone = BatchEvaluator(p).lengths([(k,) for k in range(p.n_orders)]).sum()
    assert result.total_length <= alone + 1e-9


def test_savings_on_many_orders_uses_neighbour_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(construct, "DENSE_MAX", 10)
    p = henn_problem(60, 45, seed=2)
    for method in ("savings", "savings_static"):
        result = batch(p, method, BatchingParams(neighbours=5))
        assert_valid(p, result)
    # the pair set is sparse: far fewer routes than all pairs
    ev = BatchEvaluator(p)
    construct.savings_batches(p, BatchingParams(neighbours=5), ev)
    assert ev.routed < 60 * 59 // 2


def test_savings_beats_fcfs_on_henn_instances() -> None:
    for cap, demand in itertools.product((30, 75), ("uniform", "abc")):
        p = henn_problem(40, cap, seed=cap, demand=demand)
        assert batch(p, "savings").total_length < batch(p, "fcfs").total_length


# -- every method, property based ------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 14),
    dims=st.integers(1, 3),
    method=st.sampled_from(["fcfs", "seed", "savings", "savings_static", "ils", "singles"]),
    routing=st.sampled_from(["s_shape", "optimal", "largest_gap", "return"]),
)
def test_every_method_gives_a_valid_batching(
    seed: int, n: int, dims: int, method: str, routing: str
) -> None:
    rng = np.random.default_rng(seed)
    p = random_problem(rng, HENN, n, dims=dims, routing=routing)
    result = batch(p, method, BatchingParams(max_iterations=20, time_limit_s=60), seed=seed)
    assert_valid(p, result)


@pytest.mark.parametrize("method", ["fcfs", "seed", "savings", "ils"])
def test_methods_on_a_multi_block_layout_with_optimal_routing(method: str) -> None:
    layout = multi_block_layout()
    p = random_problem(np.random.default_rng(9), layout, 20, dims=2, routing="optimal")
    result = batch(p, method, BatchingParams(max_iterations=30, time_limit_s=60))
    assert_valid(p, result)


def test_start_and_end_points_are_honoured() -> None:
    layout = multi_block_layout()
    rng = np.random.default_rng(4)
    base = random_problem(rng, layout, 12, routing="optimal")
    p = BatchingProblem(
        layout, base.orders, base.loads, base.capacity, base.dimensions, "optimal", "depot", "pack"
    )
    result = batch(p, "savings")
    from wms.routing import route_many

    picks = PickLists.from_lists([np.concatenate([p.orders[o] for o in b]) for b in result.batches])
    np.testing.assert_allclose(
        result.lengths, route_many(layout, picks, "optimal", "depot", "pack")
    )


def test_an_order_larger_than_the_capacity_is_infeasible() -> None:
    with pytest.raises(
        InfeasibleError, match="order 1 needs 25 units but a batch holds at most 20"
    ):
        BatchingProblem.from_orders(HENN, [[1, 2], list(range(25))], 20)


# -- generator -------------------------------------------------------------------------------------
def test_generated_layout_matches_the_henn_reader() -> None:
    inst = read_henn_orders(f"{HENN_EXAMPLES}/1s-20-45-0.txt", f"{HENN_EXAMPLES}/sett1.txt")
    gen = henn_layout()
    np.testing.assert_array_equal(inst.layout.locations.x_m, gen.locations.x_m)
    np.testing.assert_array_equal(inst.layout.locations.y_m, gen.locations.y_m)
    np.testing.assert_array_equal(inst.layout.cross_y_m, gen.cross_y_m)
    # "Aisle 17 Location 29" is the first article of order 0
    assert inst.orders[0][0] == henn_location(17, 29)
    assert gen.locations.ids[henn_location(17, 29)] == "A08-B0-P29-R"


def test_generated_orders_are_seeded_distinct_and_sized() -> None:
    a = generate_orders(200, seed=11)
    b = generate_orders(200, seed=11)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(
        np.array_equal(x, y) for x, y in zip(a, generate_orders(200, seed=12), strict=True)
    )
    sizes = np.array([o.size for o in a])
    assert sizes.min() >= 5 and sizes.max() <= 25
    assert all(np.unique(o).size == o.size for o in a)
    assert all(o.min() >= 0 and o.max() < 900 for o in a)


def test_abc_demand_puts_52_36_12_percent_in_1_3_6_aisles() -> None:
    picks = np.concatenate(generate_orders(3000, demand="abc", seed=1))
    aisle = picks // 90
    shares = [np.mean(aisle == 0), np.mean((aisle >= 1) & (aisle <= 3)), np.mean(aisle >= 4)]
    for got, (want, _) in zip(shares, ABC_CLASSES, strict=True):
        assert got == pytest.approx(want, abs=0.02)
    singles = generate_singles(20000, demand="abc", seed=2) // 90
    assert np.mean(singles == 0) == pytest.approx(0.52, abs=0.02)


def test_generator_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown demand 'zipf'"):
        generate_orders(3, demand="zipf")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_items"):
        generate_orders(3, min_items=0)
    p = generate_problem(10, 45, demand="abc", seed=3, routing="optimal")
    assert p.n_orders == 10 and p.routing == "optimal"


@pytest.mark.parametrize("method", ["fcfs", "seed", "savings", "ils", "singles"])
def test_methods_on_a_graph_layout(method: str) -> None:
    from wms.layout import GraphLayout

    layout = GraphLayout.from_rectangular(multi_block_layout(4, 2, 5))
    rng = np.random.default_rng(6)
    orders = [rng.integers(0, len(layout.locations), int(rng.integers(1, 4))) for _ in range(10)]
    if method == "singles":
        orders = [o[:1] for o in orders]
    p = BatchingProblem.from_orders(layout, orders, 6, routing="tsp")
    result = batch(p, method, BatchingParams(max_iterations=10, time_limit_s=60))
    assert_valid(p, result)
