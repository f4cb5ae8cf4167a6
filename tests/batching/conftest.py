"""Shared helpers for the batching tests: instance builders and the validity check every
batching must pass (partition, capacity in every dimension, lengths equal to the routing API)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from tests.conftest import henn_layout, multi_block_layout
from wms.batching import Batching, BatchingProblem
from wms.batching.generate import generate_orders
from wms.layout import RectangularLayout
from wms.routing import route_many
from wms.routing.base import PickLists

HENN = henn_layout()


def henn_problem(
    n: int, capacity: float, *, seed: int = 0, demand: str = "uniform", routing: str = "s_shape"
) -> BatchingProblem:
    """``n`` Henn-style orders (5..25 articles) on the 10 x 45 layout, unit capacity."""
    orders = generate_orders(n, demand=demand, seed=seed)  # type: ignore[arg-type]
    return BatchingProblem.from_orders(HENN, orders, capacity, routing=routing)


def random_problem(
    rng: np.random.Generator, layout: RectangularLayout, n: int, *, dims: int = 1,
    max_items: int = 6, routing: str = "s_shape",
) -> BatchingProblem:  # fmt: skip
    """Random orders of 1..max_items picks with random loads in ``dims`` dimensions."""
    orders = [rng.integers(0, len(layout.locations), size=int(rng.integers(1, max_items + 1)))
              for _ in range(n)]  # fmt: skip
    lists = PickLists.from_lists(orders)
    units = np.diff(lists.indptr).astype(np.float64)
    loads = np.column_stack([units] + [rng.uniform(0.0, 5.0, n) for _ in range(dims - 1)])
    cap = loads.max(axis=0) * rng.uniform(1.0, 3.0, dims) if n else np.ones(dims)
    names = ("units", "weight_kg", "volume_l", "lines")[:dims]
    return BatchingProblem(layout, lists, loads, cap, names, routing)


def assert_valid(problem: BatchingProblem, result: Batching) -> None:
    """Every order in exactly one batch, no capacity exceeded, lengths equal ``route_many``."""
    seen = sorted(o for b in result.batches for o in b)
    assert seen == list(range(problem.n_orders))
    assert all(len(b) > 0 for b in result.batches)
    for b in result.batches:
        assert list(b) == sorted(b)
        load = problem.loads[list(b)].sum(axis=0)
        assert np.all(load <= problem.capacity + 1e-9), (b, load, problem.capacity)
    assert result.routing == problem.routing
    assert result.lengths.shape == (len(result.batches),)
    if result.batches:
        picks = PickLists.from_lists(
            [np.concatenate([problem.orders[o] for o in b]) for b in result.batches]
        )
        expect = route_many(problem.layout, picks, problem.routing, problem.start, problem.end)
        np.testing.assert_allclose(result.lengths, expect, rtol=1e-9, atol=1e-9)
    assert result.total_length == pytest.approx(float(np.sum(result.lengths)))


def batches_total(problem: BatchingProblem, batches: Sequence[Sequence[int]]) -> float:
    """Total route length of ``batches`` by a direct ``route_many`` call."""
    picks = PickLists.from_lists([np.concatenate([problem.orders[o] for o in b]) for b in batches])
    return float(route_many(problem.layout, picks, problem.routing).sum())


@pytest.fixture
def three_blocks_layout() -> RectangularLayout:
    """8 aisles, 3 blocks of 10 positions; depot front-left (see ``tests/conftest.py``)."""
    return multi_block_layout()
