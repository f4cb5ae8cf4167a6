"""Sweep batching: orders in the order of their centre of gravity along the walk, then next-fit.

The space-filling-curve idea of Gibson & Sharp (1992): map every order to one number, its
position along a curve through the warehouse, sort, and cut the sequence into batches by
capacity. Here the curve is the serpentine walk of :func:`wms.batching.singles.walking_rank`
(up one aisle, down the next) and an order's position is the mean rank of its picks. Orders of
one zone stay together (an order spanning zones forms a group of its own kind).

Linear after one sort, so a 100,000-order day is batched in well under a second; the batches
are longer to walk than those of ``seed`` or ``ils`` (see ``benchmarks/README.md``), which is the
price of speed at simulation scale.
"""

from __future__ import annotations

import numpy as np

from wms.batching.base import Batching, BatchingParams, BatchingProblem
from wms.batching.singles import batching_of_sequence, next_fit, walking_rank


def sweep(problem: BatchingProblem, params: BatchingParams, rng: np.random.Generator) -> Batching:
    """Sweep batching (see the module documentation).

    Parameters
    ----------
    problem
        Orders, loads and capacity in any number of dimensions.
    params
        Unused.
    rng
        Unused (the method is deterministic).

    Returns
    -------
    Batching
        Batches in canonical form (sorted order indices, batches by first order) with lengths.

    Raises
    ------
    InfeasibleError
        If an order alone exceeds the capacity.
    """
    n = problem.n_orders
    if n == 0:
        return Batching("sweep", problem.routing, (), np.empty(0))
    zone = problem.order_zones()  # -2: several zones, a group of its own
    rank_loc = walking_rank(problem)
    ptr = problem.orders.indptr
    sizes = np.diff(ptr)
    picks_rank = rank_loc[problem.orders.indices]
    gravity = np.zeros(n)
    if picks_rank.size:
        sums = np.add.reduceat(picks_rank, np.minimum(ptr[:-1], picks_rank.size - 1))
        gravity = np.where(sizes > 0, sums / np.maximum(sizes, 1), 0.0)
    seq = np.lexsort((np.arange(n), gravity, zone))
    bno = next_fit(zone[seq], problem.loads[seq], problem.capacity)
    return batching_of_sequence(problem, "sweep", seq, bno)
