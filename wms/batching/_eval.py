"""Bulk evaluation of candidate batches: order sets → pick lists → one ``route_many`` call.

Every batching method measures candidate batches through :class:`BatchEvaluator`: it turns many
order sets at once into a CSR of pick locations (a compiled gather), routes them in one call of
the batch routing API and caches the lengths by the sorted tuple of order indices.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit
from numpy.typing import NDArray

from wms.batching.base import Batching, BatchingProblem
from wms.routing import get_method, route_many
from wms.routing.base import PickLists

#: Slack when comparing loads with a capacity (loads are sums of floats).
LOAD_EPS = 1e-9

#: Most order sets routed in one call by :meth:`BatchEvaluator.lengths` (bounds memory).
ROUTE_CHUNK = 50_000


@njit(cache=True)
def _gather(
    order_ptr: NDArray[np.int64],
    order_idx: NDArray[np.int64],
    cand_ptr: NDArray[np.int64],
    cand_orders: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # pragma: no cover - compiled
    n = cand_ptr.size - 1
    ptr = np.empty(n + 1, dtype=np.int64)
    ptr[0] = 0
    for c in range(n):
        tot = 0
        for t in range(cand_ptr[c], cand_ptr[c + 1]):
            o = cand_orders[t]
            tot += order_ptr[o + 1] - order_ptr[o]
        ptr[c + 1] = ptr[c] + tot
    out = np.empty(ptr[n], dtype=np.int64)
    pos = 0
    for t in range(cand_ptr[n]):
        o = cand_orders[t]
        for s in range(order_ptr[o], order_ptr[o + 1]):
            out[pos] = order_idx[s]
            pos += 1
    return ptr, out


def gather_picks(
    orders: PickLists, cand_ptr: NDArray[np.int64], cand_orders: NDArray[np.int64]
) -> PickLists:
    """The pick lists of candidate batches given as a CSR of order indices.

    Parameters
    ----------
    orders
        Pick locations of every order (CSR).
    cand_ptr, cand_orders
        Candidate ``c`` consists of orders ``cand_orders[cand_ptr[c]:cand_ptr[c + 1]]``.

    Returns
    -------
    PickLists
        Candidate ``c``'s pick list is the concatenation of its orders' picks.
    """
    cand_ptr = np.ascontiguousarray(cand_ptr, dtype=np.int64)
    cand_orders = np.ascontiguousarray(cand_orders, dtype=np.int64)
    if (
        cand_ptr.ndim != 1
        or cand_ptr.size < 1
        or cand_ptr[0] != 0
        or cand_ptr[-1] != cand_orders.size
    ):
        raise ValueError("cand_ptr must start at 0 and end at len(cand_orders)")
    if np.any(np.diff(cand_ptr) < 0):
        raise ValueError("cand_ptr must be non-decreasing")
    n = len(orders)
    if cand_orders.size and (cand_orders.min() < 0 or cand_orders.max() >= n):
        raise ValueError(f"candidate order index out of range 0..{n - 1}")
    ptr, idx = _gather(orders.indptr, orders.indices, cand_ptr, cand_orders)
    return PickLists(ptr, idx)


def fits(load: NDArray[np.float64], capacity: NDArray[np.float64]) -> bool:
    """``True`` when ``load`` respects ``capacity`` in every dimension."""
    return bool(np.all(load <= capacity + LOAD_EPS))


class BatchEvaluator:
    """Route lengths of order sets, computed in bulk and cached by sorted order tuple.

    Parameters
    ----------
    problem
        The batching problem; its ``routing`` method measures every batch.
    cache_limit
        Most cached lengths kept; the oldest are dropped first.
    """

    def __init__(self, problem: BatchingProblem, cache_limit: int = 500_000) -> None:
        get_method(problem.routing)  # fail early, listing the valid names
        self.problem = problem
        self.cache: dict[tuple[int, ...], float] = {}
        self.cache_limit = cache_limit
        self.routed = 0
        self.calls = 0

    def route_csr(
        self, cand_ptr: NDArray[np.int64], cand_orders: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """Lengths of candidate batches given as a CSR of order indices (uncached, one call)."""
        n = cand_ptr.size - 1
        if n == 0:
            return np.empty(0, dtype=np.float64)
        p = self.problem
        lists = gather_picks(p.orders, cand_ptr, cand_orders)
        self.routed += n
        self.calls += 1
        out = route_many(p.layout, lists, p.routing, p.start, p.end)
        return np.asarray(out, dtype=np.float64)

    def lengths(self, batches: Sequence[tuple[int, ...]]) -> NDArray[np.float64]:
        """Lengths of ``batches`` (each a sorted tuple of order indices); empty batches are 0."""
        out = np.empty(len(batches), dtype=np.float64)
        miss: list[int] = []
        cache = self.cache
        for k, b in enumerate(batches):
            v = cache.get(b)
            if v is None:
                if b:
                    miss.append(k)
                else:
                    out[k] = 0.0
            else:
                out[k] = v
        for lo in range(0, len(miss), ROUTE_CHUNK):  # bounded memory per routing call
            part = miss[lo : lo + ROUTE_CHUNK]
            sizes = np.fromiter((len(batches[k]) for k in part), dtype=np.int64, count=len(part))
            ptr = np.zeros(len(part) + 1, dtype=np.int64)
            np.cumsum(sizes, out=ptr[1:])
            flat = np.fromiter(
                (o for k in part for o in batches[k]), dtype=np.int64, count=int(ptr[-1])
            )
            vals = self.route_csr(ptr, flat)
            for k, v in zip(part, vals.tolist(), strict=True):
                out[k] = v
                self.store(batches[k], v)
        return out

    def length(self, batch: tuple[int, ...]) -> float:
        """Length of one batch (a sorted tuple of order indices)."""
        return float(self.lengths([batch])[0])

    def store(self, batch: tuple[int, ...], length: float) -> None:
        """Remember a length computed elsewhere (keyed by the sorted order tuple)."""
        cache = self.cache
        if len(cache) >= self.cache_limit:
            for key in list(cache)[: self.cache_limit // 4]:
                del cache[key]
        cache[batch] = length


def make_batching(
    method: str, evaluator: BatchEvaluator, batches: Sequence[Sequence[int]]
) -> Batching:
    """A :class:`Batching` in canonical form: orders sorted in a batch, batches by first order."""
    canon = sorted(
        (tuple(sorted(int(o) for o in b)) for b in batches if len(b)), key=lambda b: b[0]
    )
    # Route the final batches afresh, picks in canonical order: the lengths are then exactly what
    # ``route_many`` gives for these pick lists (cached values may stem from another pick order).
    sizes = np.fromiter((len(b) for b in canon), dtype=np.int64, count=len(canon))
    ptr = np.zeros(len(canon) + 1, dtype=np.int64)
    np.cumsum(sizes, out=ptr[1:])
    flat = np.fromiter((o for b in canon for o in b), dtype=np.int64, count=int(ptr[-1]))
    lengths = evaluator.route_csr(ptr, flat)
    return Batching(method, evaluator.problem.routing, tuple(canon), lengths)
