"""Batching a whole day: decomposition into groups of similar orders, each searched on its own.

The savings start and the local search are quadratic in the number of orders they see together, so
above :data:`~wms.batching.search.GROUP_MAX` orders :func:`ils_decomposed`

1. splits the orders by **zone** (orders whose picks all lie in one zone; the rest form their own
   group), then inside a zone into **aisle clusters**: orders sorted by the centre of gravity of
   their picks across the aisles (then along them) and cut into groups of about
   :data:`GROUP_SIZE` orders, so each group holds orders that share aisles;
2. in each group builds the savings solution and improves it by iterated local search whose swap
   and shift candidates are **neighbour lists by aisle similarity** (``params.neighbours``
   partners per order) once a group is larger than the dense limit;
3. shares the time limit among the groups (each gets the remaining time divided by the groups
   left), and routes all final batches in one call.

Route evaluations grow linearly with the number of orders (``O(n * group size)``), never
``O(n^2)``. Time windows are the job of wave building (``wms.waves``): a wave is a batching problem.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray

from wms.batching._eval import BatchEvaluator, make_batching
from wms.batching._features import gravity_x
from wms.batching.base import Batching, BatchingParams, BatchingProblem
from wms.batching.construct import savings_batches
from wms.routing.base import PickLists

#: Target number of orders per group.
GROUP_SIZE = 5000


def decompose(problem: BatchingProblem, group_size: int | None = None) -> list[NDArray[np.int64]]:
    """Groups of order indices: by zone, then aisle clusters of about ``group_size`` orders.

    Parameters
    ----------
    problem
        The batching problem.
    group_size
        Target group size; groups of a zone have equal sizes (differing by at most one).

    Returns
    -------
    list of ndarray
        Disjoint groups covering every order, each sorted ascending.
    """
    group_size = GROUP_SIZE if group_size is None else group_size
    if group_size < 2:
        raise ValueError(f"group_size must be >= 2, got {group_size}")
    zone = problem.order_zones()
    gx = gravity_x(problem)
    y = problem.layout.locations.y_m[problem.orders.indices]
    ptr = problem.orders.indptr
    sizes = np.diff(ptr)
    gy = np.zeros(problem.n_orders)
    if y.size:
        sums = np.add.reduceat(y, np.minimum(ptr[:-1], y.size - 1))
        gy = np.where(sizes > 0, sums / np.maximum(sizes, 1), 0.0)
    groups: list[NDArray[np.int64]] = []
    for z in np.unique(zone).tolist():
        members = np.flatnonzero(zone == z)
        order = members[np.lexsort((members, gy[members], gx[members]))]
        k = max(1, round(order.size / group_size))
        groups.extend(np.sort(part) for part in np.array_split(order, k))
    return groups


def subproblem(problem: BatchingProblem, orders: NDArray[np.int64]) -> BatchingProblem:
    """The batching problem restricted to some orders.

    Parameters
    ----------
    problem
        The whole problem.
    orders
        Order indices to keep; order ``k`` of the result is ``orders[k]`` of ``problem``.

    Returns
    -------
    BatchingProblem
        Same layout, capacity, dimensions, routing, start and end.
    """
    lists = PickLists.from_lists([problem.orders[int(k)] for k in orders])
    return BatchingProblem(
        problem.layout, lists, problem.loads[orders], problem.capacity, problem.dimensions,
        problem.routing, problem.start, problem.end,
    )  # fmt: skip


def ils_decomposed(
    problem: BatchingProblem,
    params: BatchingParams,
    rng: np.random.Generator,
    group_size: int | None = None,
) -> Batching:
    """Savings + iterated local search on aisle-cluster groups, the time limit shared among them.

    Parameters
    ----------
    problem
        Orders, loads, capacity and routing method (any size).
    params
        ``time_limit_s`` for the whole problem (the savings starts of all groups are always
        built, even past the limit), ``max_iterations`` per group, ``neighbours``.
    rng
        Each group's search gets its own stream spawned from it.
    group_size
        Target number of orders per group (default :data:`GROUP_SIZE`).

    Returns
    -------
    Batching
        Never longer than the savings solutions of the groups taken together.
    """
    from wms.batching.search import ils_batches

    t0 = time.perf_counter()
    deadline = t0 + params.time_limit_s
    groups = decompose(problem, GROUP_SIZE if group_size is None else group_size)
    seeds = rng.spawn(len(groups))
    batches: list[list[int]] = []
    for g, (orders, sub_rng) in enumerate(zip(groups, seeds, strict=True)):
        t_build = time.perf_counter()
        sub = subproblem(problem, orders)
        ev = BatchEvaluator(sub)
        start = savings_batches(sub, params, ev)
        now = time.perf_counter()
        left = len(groups) - g
        # Keep time for building the starts of the groups still to come (groups are alike; the
        # latest build is the best estimate, the first may include compiling).
        reserve = (now - t_build) * (left - 1)
        share = max(0.0, (deadline - now - reserve) / left)
        best = ils_batches(sub, params, sub_rng, ev, start, now + share)
        batches.extend([int(orders[k]) for k in b] for b in best)
    return make_batching("ils", BatchEvaluator(problem), batches)
