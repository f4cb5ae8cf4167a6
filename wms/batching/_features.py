"""Cheap order features for batching: aisle sets, aisle profiles, walking rank, neighbour lists.

None of these route anything; they let the methods choose *which* candidate batches are worth
routing (neighbour lists by aisle similarity) and give the seed rules their order attributes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from wms.batching.base import BatchingProblem

#: Number of x bins standing in for aisles on layouts without aisles (graph layouts).
_GRAPH_BINS = 16


def start_x(problem: BatchingProblem) -> float:
    """x (m) of the point where the problem's tours start (the layout's depot by default)."""
    layout = problem.layout
    name = problem.start or layout.depot
    if layout.kind == "rectangular":
        return float(layout.point(name).x_m)
    return float(layout.node_x_m[layout.point_node(name)])


def location_aisles(problem: BatchingProblem) -> tuple[NDArray[np.int64], int]:
    """Aisle of every location and the number of aisles.

    Graph layouts have no aisles; their locations are binned by x into ``_GRAPH_BINS`` columns.
    """
    loc = problem.layout.locations
    aisle = np.asarray(loc.aisle, dtype=np.int64)
    if aisle.size and aisle.min() >= 0:
        return aisle, int(aisle.max()) + 1
    x = np.asarray(loc.x_m, dtype=np.float64)
    if x.size == 0:
        return np.zeros(0, dtype=np.int64), 1
    lo, hi = float(x.min()), float(x.max())
    bins = np.minimum(
        ((x - lo) / max(hi - lo, 1e-9) * _GRAPH_BINS).astype(np.int64), _GRAPH_BINS - 1
    )
    return bins, _GRAPH_BINS


def order_of_pick(problem: BatchingProblem) -> NDArray[np.int64]:
    """Order index of every entry of ``problem.orders.indices``."""
    sizes = np.diff(problem.orders.indptr)
    return np.repeat(np.arange(problem.n_orders, dtype=np.int64), sizes)


def aisle_sets(problem: BatchingProblem) -> NDArray[np.bool_]:
    """``(n_orders, n_aisles)``: True where the order has a pick in the aisle."""
    aisle, na = location_aisles(problem)
    out = np.zeros((problem.n_orders, na), dtype=np.bool_)
    out[order_of_pick(problem), aisle[problem.orders.indices]] = True
    return out


def aisle_profile(problem: BatchingProblem) -> NDArray[np.float64]:
    """Unit-norm pick profile per order over (aisle, front/back half of each block).

    Two orders with a high dot product pick in the same aisles at similar depths, so a batch of
    both is short for every routing method.
    """
    loc = problem.layout.locations
    aisle, na = location_aisles(problem)
    idx = problem.orders.indices
    block = np.maximum(np.asarray(loc.block, dtype=np.int64), 0)
    nb = int(block.max()) + 1 if block.size else 1
    y = np.asarray(loc.y_m, dtype=np.float64)
    half = np.zeros(y.size, dtype=np.int64)
    for b in range(nb):
        sel = block == b
        if np.any(sel):
            mid = 0.5 * (y[sel].min() + y[sel].max())
            half[sel] = (y[sel] > mid).astype(np.int64)
    feat = (aisle * nb + block) * 2 + half
    prof = np.zeros((problem.n_orders, na * nb * 2), dtype=np.float64)
    np.add.at(prof, (order_of_pick(problem), feat[idx]), 1.0)
    norm = np.linalg.norm(prof, axis=1)
    norm[norm == 0] = 1.0
    return prof / norm[:, None]


def gravity_x(problem: BatchingProblem) -> NDArray[np.float64]:
    """Mean x (m) of each order's picks: its centre of gravity across the aisles."""
    x = problem.layout.locations.x_m[problem.orders.indices]
    sizes = np.diff(problem.orders.indptr)
    sums = np.add.reduceat(x, problem.orders.indptr[:-1]) if x.size else np.zeros(problem.n_orders)
    sums = np.where(sizes > 0, sums, 0.0)
    return np.asarray(sums / np.maximum(sizes, 1), dtype=np.float64)


def all_pairs(n: int) -> NDArray[np.int64]:
    """``(n (n - 1) / 2, 2)`` array of every pair ``i < j``."""
    i, j = np.triu_indices(n, k=1)
    return np.stack([i, j], axis=1).astype(np.int64)


def neighbour_pairs(profile: NDArray[np.float64], k: int, chunk: int = 256) -> NDArray[np.int64]:
    """Pairs ``i < j`` where ``j`` is among the ``k`` most similar orders of ``i`` or vice versa.

    Similarity is the dot product of :func:`aisle_profile` rows, computed in chunks so memory stays
    ``O(chunk * n)``; ties go to the lower index, so the result is deterministic.
    """
    n = profile.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        return np.empty((0, 2), dtype=np.int64)
    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        sim = profile[lo:hi] @ profile.T
        sim[np.arange(hi - lo), np.arange(lo, hi)] = -np.inf
        part = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        rows.append(np.repeat(np.arange(lo, hi, dtype=np.int64), k))
        cols.append(part.reshape(-1).astype(np.int64))
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    a, b = np.minimum(r, c), np.maximum(r, c)
    pairs = np.unique(a * n + b)
    return np.stack([pairs // n, pairs % n], axis=1).astype(np.int64)


def candidate_pairs(problem: BatchingProblem, k: int, dense_max: int) -> NDArray[np.int64]:
    """All pairs for up to ``dense_max`` orders, else neighbour pairs by aisle similarity."""
    n = problem.n_orders
    if n <= dense_max:
        return all_pairs(n)
    return neighbour_pairs(aisle_profile(problem), k)
