"""Sweep batching: orders by centre of gravity along the serpentine walk, then next-fit."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.batching.conftest import HENN, assert_valid, henn_problem, random_problem
from wms.batching import BatchingParams, BatchingProblem, batch
from wms.batching.singles import walking_rank
from wms.routing.base import PickLists


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(0, 60), st.integers(1, 3))
def test_sweep_batchings_are_valid(seed: int, n: int, dims: int) -> None:
    problem = random_problem(np.random.default_rng(seed), HENN, n, dims=dims)
    assert_valid(problem, batch(problem, "sweep"))


def test_sweep_follows_the_walk() -> None:
    """Batches are consecutive stretches of the orders sorted by mean walking rank."""
    problem = henn_problem(60, 45, seed=3)
    result = batch(problem, "sweep")
    rank = walking_rank(problem)
    gravity = np.array([rank[problem.orders[k]].mean() for k in range(problem.n_orders)])
    spans = sorted((gravity[list(b)].min(), gravity[list(b)].max()) for b in result.batches)
    for (_, hi), (lo, _) in itertools.pairwise(spans):
        assert hi <= lo  # no two batches interleave along the walk


def test_sweep_is_deterministic_and_ignores_the_rng() -> None:
    problem = henn_problem(40, 30, seed=5, demand="abc")
    a = batch(problem, "sweep", BatchingParams(), seed=1)
    b = batch(problem, "sweep", BatchingParams(), seed=2)
    assert a.batches == b.batches


def test_sweep_walks_less_than_fcfs_on_average() -> None:
    """Grouping neighbours beats arrival order on Henn instances (10 seeds, ABC and uniform)."""
    gains = []
    for seed in range(10):
        for demand in ("uniform", "abc"):
            problem = henn_problem(60, 45, seed=seed, demand=demand)
            gains.append(batch(problem, "fcfs").total_length - batch(problem, "sweep").total_length)
    assert np.mean(gains) > 0


def test_orders_spanning_zones_are_kept_apart_from_single_zone_orders() -> None:
    from tests.batching.test_singles import zoned_layout

    layout = zoned_layout()
    loc = layout.locations
    fast = [i for i in range(len(loc)) if loc.zone_of(i) == "fast"]
    slow = [i for i in range(len(loc)) if loc.zone_of(i) == "slow"]
    orders = [[fast[0]], [fast[1], slow[0]], [fast[2]], [slow[1]]]
    lists = PickLists.from_lists(orders)
    problem = BatchingProblem(layout, lists, np.ones((4, 1)), np.array([10.0]), ("units",))
    result = batch(problem, "sweep")
    assert_valid(problem, result)
    assert sorted(result.batches) == [(0, 2), (1,), (3,)]
