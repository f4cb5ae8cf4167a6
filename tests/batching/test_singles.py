"""Singles batching: single-unit orders cut along the serpentine walking order, zone by zone."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.batching.conftest import HENN, assert_valid
from tests.conftest import multi_block_layout
from wms.batching import BatchingParams, BatchingProblem, batch
from wms.batching.generate import generate_singles, henn_location
from wms.batching.singles import next_fit, order_zones, walking_rank
from wms.errors import InfeasibleError
from wms.layout import BlockSpec, RectangularLayout, Zone, ZoneRule, build_rectangular
from wms.model import Point
from wms.routing.base import PickLists


def singles_problem(
    layout: RectangularLayout, locs: np.ndarray, loads: np.ndarray, cap: np.ndarray,
    routing: str = "s_shape",
) -> BatchingProblem:  # fmt: skip
    lists = PickLists(np.arange(locs.size + 1, dtype=np.int64), locs.astype(np.int64))
    names = ("units", "weight_kg", "volume_l")[: cap.size]
    return BatchingProblem(layout, lists, loads, cap, names, routing)


def zoned_layout() -> RectangularLayout:
    """6 aisles 3 m apart, 10 positions; zone 'fast' = aisles 0-1, 'slow' = aisles 2-4, aisle 5
    in no zone."""
    return build_rectangular(
        "zoned", aisle_x_m=np.arange(6) * 3.0, blocks=[BlockSpec(10)], points=[Point("depot", 0, 0)],
        zone_rules=[ZoneRule(Zone("fast"), aisles=(0, 1)), ZoneRule(Zone("slow"), aisles=(2, 3, 4))],
    )  # fmt: skip


def test_walking_rank_is_a_serpentine_from_the_depot() -> None:
    rank = walking_rank(singles_problem(HENN, np.zeros(1, dtype=np.int64), np.ones(1), np.ones(1)))
    up0 = [henn_location(0, c) for c in (0, 20, 44)]
    down1 = [henn_location(2, c) for c in (44, 20, 0)]  # aisle side 2 = physical aisle 1
    seq = rank[up0 + down1 + [henn_location(4, 0)]]
    assert np.all(np.diff(seq) > 0)
    assert rank[henn_location(0, 5)] == rank[henn_location(1, 5)]  # both sides of a position


def test_singles_cuts_the_walk_into_full_lists() -> None:
    locs = generate_singles(2000, seed=1)
    p = singles_problem(HENN, locs, np.ones(locs.size), np.array([30.0]))
    result = batch(p, "singles")
    assert result.method == "singles"
    assert_valid(p, result)
    sizes = sorted(len(b) for b in result.batches)
    assert sizes[1:] == [30] * (len(sizes) - 1)  # all full but one
    # each list is a stretch of the walk: its rank range overlaps no other list's
    rank = walking_rank(p)[locs]
    spans = sorted((rank[list(b)].min(), rank[list(b)].max()) for b in result.batches)
    for (_, hi1), (lo2, _) in itertools.pairwise(spans):
        assert hi1 <= lo2


def test_singles_is_much_shorter_than_fcfs() -> None:
    locs = generate_singles(3000, seed=2, demand="abc")
    p = singles_problem(HENN, locs, np.ones(locs.size), np.array([20.0]))
    assert batch(p, "singles").total_length < 0.5 * batch(p, "fcfs").total_length


def test_singles_respects_every_capacity_dimension() -> None:
    rng = np.random.default_rng(3)
    locs = rng.integers(0, len(HENN.locations), 500)
    loads = np.column_stack(
        [rng.integers(1, 4, 500), rng.uniform(0.1, 8.0, 500), rng.uniform(0, 3, 500)]
    )
    cap = np.array([20.0, 25.0, 12.0])
    p = singles_problem(HENN, locs, loads, cap)
    result = batch(p, "singles")
    assert_valid(p, result)
    # next-fit: a list is closed only when the next order would overflow it
    first_dim_tight = any(p.loads[list(b)].sum(axis=0)[0] > cap[0] - 3 for b in result.batches)
    assert first_dim_tight


def test_singles_never_mixes_zones() -> None:
    layout = zoned_layout()
    rng = np.random.default_rng(4)
    locs = rng.integers(0, len(layout.locations), 400)
    p = singles_problem(layout, locs, np.ones(400), np.array([15.0]))
    result = batch(p, "singles")
    assert_valid(p, result)
    zone = layout.locations.zone[locs]
    for b in result.batches:
        assert len(set(zone[list(b)].tolist())) == 1
    assert len({int(zone[b[0]]) for b in result.batches}) == 3  # fast, slow, none


def test_an_order_spanning_zones_is_named() -> None:
    layout = zoned_layout()
    fast = int(np.flatnonzero(layout.locations.zone == 0)[0])
    slow = int(np.flatnonzero(layout.locations.zone == 1)[0])
    p = BatchingProblem.from_orders(layout, [[fast], [fast, slow]], 5)
    with pytest.raises(InfeasibleError, match=r"order 1 has picks in several zones \(fast, slow\)"):
        order_zones(p)
    with pytest.raises(InfeasibleError, match="order 1"):
        batch(p, "singles")


def test_next_fit_checks_its_input() -> None:
    out = next_fit(np.array([0, 0, 0, 1]), np.array([[2.0], [2.0], [2.0], [1.0]]), np.array([4.0]))
    np.testing.assert_array_equal(out, [0, 0, 1, 2])
    with pytest.raises(ValueError, match="loads has shape"):
        next_fit(np.zeros(2, dtype=np.int64), np.ones((3, 1)), np.ones(1))
    with pytest.raises(InfeasibleError, match="larger than the capacity"):
        next_fit(np.zeros(1, dtype=np.int64), np.full((1, 1), 5.0), np.ones(1))


@pytest.mark.parametrize("routing", ["optimal", "largest_gap"])
def test_singles_on_a_multi_block_layout(routing: str) -> None:
    layout = multi_block_layout()
    rng = np.random.default_rng(5)
    locs = rng.integers(0, len(layout.locations), 300)
    p = singles_problem(layout, locs, np.ones(300), np.array([12.0]), routing=routing)
    assert_valid(p, batch(p, "singles"))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 200), cap=st.integers(1, 40))
def test_singles_property(seed: int, n: int, cap: int) -> None:
    rng = np.random.default_rng(seed)
    locs = rng.integers(0, len(HENN.locations), n)
    p = singles_problem(HENN, locs, np.ones(n), np.array([float(cap)]))
    result = batch(p, "singles", BatchingParams())
    assert_valid(p, result)
    assert len(result.batches) == -(-n // cap)


def test_singles_scales_to_100k_orders_quickly() -> None:
    locs = generate_singles(100_000, seed=0)
    p = singles_problem(HENN, locs, np.ones(locs.size), np.array([30.0]))
    batch(p, "singles")  # warm up
    import time

    t = time.perf_counter()
    result = batch(p, "singles")
    assert time.perf_counter() - t < 2.0
    assert len(result.batches) == 3334
