"""Constructive batching heuristics: FCFS, seed and savings (de Koster, van der Poort & Wolters 1999).

* ``fcfs``: orders in arrival (index) order, a new batch whenever the next order does not fit.
* ``seed``: open a batch with a *seed* order chosen by a seed rule, then add the unassigned order
  that fits best by an *add* rule (compared with the whole batch, the "cumulative" variant) until
  none fits.
* ``savings``: Clarke & Wright with route-length savings ``L(A) + L(B) - L(A ∪ B)``, recomputed for
  the merged batch after every merge (de Koster's C&W(ii)); ``savings_static`` merges in the order
  of the initial pair savings (C&W(i)).

Every candidate batch is measured with the problem's routing method through the bulk evaluator.
For more than :data:`DENSE_MAX` orders the savings methods consider only pairs of orders that
are neighbours by aisle similarity, so they stay ``O(n k)`` in route evaluations.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from wms.batching._eval import LOAD_EPS, BatchEvaluator, make_batching
from wms.batching._features import aisle_sets, candidate_pairs, gravity_x, start_x
from wms.batching.base import Batching, BatchingParams, BatchingProblem

#: Up to this many orders the savings methods evaluate every pair of orders.
DENSE_MAX = 250

#: Below this saving (m) a merge is not worth it.
_SAVING_EPS = 1e-9


# -- FCFS -----------------------------------------------------------------------------------------
def fcfs_batches(
    problem: BatchingProblem, order: NDArray[np.int64] | None = None
) -> list[list[int]]:
    """Next-fit: fill a batch in sequence, open a new one when the next order does not fit.

    Parameters
    ----------
    problem
        Orders, loads and capacity.
    order
        Sequence of order indices (default: index order, i.e. arrival).

    Returns
    -------
    list of list of int
        Order indices per batch, in sequence.
    """
    seq = np.arange(problem.n_orders) if order is None else order
    cap = problem.capacity + LOAD_EPS
    loads = problem.loads
    batches: list[list[int]] = []
    cur: list[int] = []
    load = np.zeros_like(problem.capacity)
    for k in seq.tolist():
        w = loads[k]
        if cur and np.any(load + w > cap):
            batches.append(cur)
            cur, load = [], np.zeros_like(problem.capacity)
        cur.append(k)
        load = load + w
    if cur:
        batches.append(cur)
    return batches


def fcfs(problem: BatchingProblem, params: BatchingParams, rng: np.random.Generator) -> Batching:
    """First come, first served: fill a batch in arrival order, open a new one when full.

    Parameters
    ----------
    problem
        Orders, loads, capacity and routing method.
    params
        Unused (the method has no knobs).
    rng
        Unused (the method is deterministic).

    Returns
    -------
    Batching
        Batches in canonical form with their route lengths.
    """
    ev = BatchEvaluator(problem)
    return make_batching("fcfs", ev, fcfs_batches(problem))


# -- seed -----------------------------------------------------------------------------------------
def _seed_scores(
    problem: BatchingProblem, ev: BatchEvaluator, rng: np.random.Generator
) -> dict[str, Callable[[], NDArray[np.float64]]]:
    """Seed rules: a score per order, the unassigned order with the highest score is the seed."""
    n = problem.n_orders
    loc = problem.layout.locations

    def farthest_aisle() -> NDArray[np.float64]:
        dx = np.abs(loc.x_m[problem.orders.indices] - start_x(problem))
        if dx.size == 0:
            return np.zeros(n)
        out = np.maximum.reduceat(dx, problem.orders.indptr[:-1])
        return np.where(np.diff(problem.orders.indptr) > 0, out, 0.0)

    def aisle_span() -> NDArray[np.float64]:
        x = loc.x_m[problem.orders.indices]
        if x.size == 0:
            return np.zeros(n)
        starts = problem.orders.indptr[:-1]
        span = np.maximum.reduceat(x, starts) - np.minimum.reduceat(x, starts)
        return np.where(np.diff(problem.orders.indptr) > 0, span, 0.0)

    return {
        "fcfs": lambda: -np.arange(n, dtype=np.float64),
        "random": lambda: rng.random(n),
        "most_picks": lambda: np.diff(problem.orders.indptr).astype(np.float64),
        "most_units": lambda: problem.loads[:, 0].astype(np.float64),
        "most_aisles": lambda: aisle_sets(problem).sum(axis=1).astype(np.float64),
        "largest_aisle_span": aisle_span,
        "farthest_aisle": farthest_aisle,
        "longest_route": lambda: ev.lengths([(k,) for k in range(n)]),
    }


SEED_RULES = (
    "fcfs", "random", "most_picks", "most_units", "most_aisles", "largest_aisle_span",
    "farthest_aisle", "longest_route",
)  # fmt: skip
"""Seed rules: which unassigned order opens the next batch."""

ADD_RULES = ("shortest_added_route", "fewest_new_aisles", "closest_gravity")
"""Add rules: which unassigned order joins the open batch next."""


def _check_rule(kind: str, name: str, valid: tuple[str, ...]) -> None:
    if name not in valid:
        raise ValueError(f"unknown {kind} rule {name!r}; choose one of: {', '.join(valid)}")


def seed(problem: BatchingProblem, params: BatchingParams, rng: np.random.Generator) -> Batching:
    """Seed batching: a seed order by ``params.seed_rule``, orders added by ``params.add_rule``.

    Parameters
    ----------
    problem
        Orders, loads, capacity and routing method.
    params
        ``seed_rule`` (one of :data:`SEED_RULES`) and ``add_rule`` (one of :data:`ADD_RULES`).
    rng
        Used by the ``random`` seed rule only.

    Returns
    -------
    Batching
        Batches in canonical form with their route lengths.

    Notes
    -----
    Ties go to the lower order index. ``shortest_added_route`` routes the fitting candidates in
    one call per added order: all of them up to :data:`DENSE_MAX` orders, else the
    ``params.neighbours`` that add the fewest aisles (``O(n k)`` route evaluations); the aisle
    rules route nothing until the end.
    """
    _check_rule("seed", params.seed_rule, SEED_RULES)
    _check_rule("add", params.add_rule, ADD_RULES)
    ev = BatchEvaluator(problem)
    n = problem.n_orders
    score = _seed_scores(problem, ev, rng)[params.seed_rule]()
    sets = aisle_sets(problem)
    grav = gravity_x(problem)
    loads = problem.loads
    cap = problem.capacity + LOAD_EPS
    free = np.ones(n, dtype=np.bool_)
    batches: list[list[int]] = []
    # Visit seeds in score order (stable: ties to the lower index).
    seed_order = np.argsort(-score, kind="stable")
    pos = 0
    while free.any():
        while not free[seed_order[pos]]:
            pos += 1
        s = int(seed_order[pos])
        members = [s]
        free[s] = False
        load = loads[s].copy()
        aisles = sets[s].copy()
        gsum = grav[s] * len(problem.orders[s])
        npick = len(problem.orders[s])
        length = ev.length((s,)) if params.add_rule == "shortest_added_route" else 0.0
        while True:
            cand = np.flatnonzero(free & np.all(loads + load <= cap, axis=1))
            if cand.size == 0:
                break
            if params.add_rule == "fewest_new_aisles":
                new = (sets[cand] & ~aisles).sum(axis=1)
                gap = np.abs(grav[cand] - gsum / max(npick, 1))
                pick = int(cand[np.lexsort((gap, new))[0]])
            elif params.add_rule == "closest_gravity":
                gap = np.abs(grav[cand] - gsum / max(npick, 1))
                pick = int(cand[np.argmin(gap)])
            else:
                if n > DENSE_MAX and cand.size > params.neighbours:
                    # Route only the candidates that add the fewest aisles (then nearest).
                    new = (sets[cand] & ~aisles).sum(axis=1)
                    gap = np.abs(grav[cand] - gsum / max(npick, 1))
                    cand = cand[np.lexsort((gap, new))[: params.neighbours]]
                base = tuple(sorted(members))
                cands = [tuple(sorted((*base, int(c)))) for c in cand]
                added = ev.lengths(cands) - length
                j = int(np.argmin(added))
                pick = int(cand[j])
                length = float(added[j] + length)
            members.append(pick)
            free[pick] = False
            load += loads[pick]
            aisles |= sets[pick]
            gsum += grav[pick] * len(problem.orders[pick])
            npick += len(problem.orders[pick])
        batches.append(members)
    return make_batching("seed", ev, batches)


# -- savings --------------------------------------------------------------------------------------
class _Clusters:
    """Batches being merged: members, loads, lengths, and the neighbour structure of orders."""

    def __init__(
        self, problem: BatchingProblem, ev: BatchEvaluator, pairs: NDArray[np.int64]
    ) -> None:
        n = problem.n_orders
        self.problem = problem
        self.ev = ev
        self.members: list[list[int]] = [[k] for k in range(n)]
        self.load = problem.loads.copy()
        self.alive = np.ones(n, dtype=np.bool_)
        self.of = np.arange(n, dtype=np.int64)
        self.length = ev.lengths([(k,) for k in range(n)])
        self.pairs = pairs
        self.dense = pairs.shape[0] == n * (n - 1) // 2
        if not self.dense:
            adj: list[list[int]] = [[] for _ in range(n)]
            for i, j in pairs.tolist():
                adj[i].append(j)
                adj[j].append(i)
            self.adj = adj

    def initial_savings(self) -> list[tuple[float, int, int]]:
        """``(saving, i, j)`` of every feasible candidate pair of single orders."""
        p = self.pairs
        if p.size == 0:
            return []
        cap = self.problem.capacity + LOAD_EPS
        ok = np.all(self.load[p[:, 0]] + self.load[p[:, 1]] <= cap, axis=1)
        p = p[ok]
        merged = self.ev.lengths([(i, j) for i, j in p.tolist()])
        sav = self.length[p[:, 0]] + self.length[p[:, 1]] - merged
        return [(s, i, j) for s, (i, j) in zip(sav.tolist(), p.tolist(), strict=True)]

    def merge(self, a: int, b: int) -> int:
        """Merge cluster ``b`` into ``a``; returns ``a``."""
        self.members[a].extend(self.members[b])
        for o in self.members[b]:
            self.of[o] = a
        self.members[b] = []
        self.alive[b] = False
        self.load[a] += self.load[b]
        key = tuple(sorted(self.members[a]))
        self.length[a] = self.ev.length(key)  # a cache hit: the merge was evaluated
        return a

    def savings_with(self, a: int) -> list[tuple[float, int, int]]:
        """Savings of merging cluster ``a`` with every live neighbouring cluster that fits."""
        if self.dense:
            others = np.flatnonzero(self.alive)
        else:
            others = np.unique(self.of[[j for o in self.members[a] for j in self.adj[o]]])
        others = others[others != a]
        if others.size == 0:
            return []
        cap = self.problem.capacity + LOAD_EPS
        others = others[np.all(self.load[others] + self.load[a] <= cap, axis=1)]
        if others.size == 0:
            return []
        base = self.members[a]
        cands = [tuple(sorted(base + self.members[c])) for c in others.tolist()]
        merged = self.ev.lengths(cands)
        sav = self.length[a] + self.length[others] - merged
        return [(float(s), min(a, c), max(a, c)) for s, c in zip(sav, others.tolist(), strict=True)]

    def batches(self) -> list[list[int]]:
        return [m for m in self.members if m]


def savings_batches(
    problem: BatchingProblem, params: BatchingParams, ev: BatchEvaluator, *, recompute: bool = True
) -> list[list[int]]:
    """Batches of the Clarke-Wright savings heuristic.

    Parameters
    ----------
    problem
        Orders, loads, capacity and routing method.
    params
        ``neighbours``: candidate pairs per order above :data:`DENSE_MAX` orders.
    ev
        Evaluator of ``problem`` (its cache is filled for later use, e.g. by the search).
    recompute
        ``True``: C&W(ii), savings of the merged batch recomputed after every merge (a max-heap
        with lazy invalidation); ``False``: C&W(i), merges in the order of the pair savings.

    Returns
    -------
    list of list of int
        Order indices per batch. Only merges with a positive saving are made, so the total is
        never longer than one batch per order.
    """
    pairs = candidate_pairs(problem, params.neighbours, DENSE_MAX)
    cl = _Clusters(problem, ev, pairs)
    init = cl.initial_savings()
    if not recompute:
        # C&W(i): merge in the order of the pair savings, whatever the batches have become.
        init.sort(key=lambda t: (-t[0], t[1], t[2]))
        cap = problem.capacity + LOAD_EPS
        for s, i, j in init:
            if s <= _SAVING_EPS:
                break
            a, b = int(cl.of[i]), int(cl.of[j])
            if a != b and np.all(cl.load[a] + cl.load[b] <= cap):
                cl.merge(min(a, b), max(a, b))
        return cl.batches()
    # C&W(ii): a max-heap of cluster-pair savings with lazy invalidation by version.
    version = np.zeros(problem.n_orders, dtype=np.int64)
    heap = [(-s, i, j, 0, 0) for s, i, j in init if s > _SAVING_EPS]
    heapq.heapify(heap)
    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        if not (cl.alive[a] and cl.alive[b]) or version[a] != va or version[b] != vb:
            continue
        cl.merge(a, b)
        version[a] += 1
        for s, x, y in cl.savings_with(a):
            if s > _SAVING_EPS:
                heapq.heappush(heap, (-s, x, y, int(version[x]), int(version[y])))
    return cl.batches()


def savings(problem: BatchingProblem, params: BatchingParams, rng: np.random.Generator) -> Batching:
    """Clarke & Wright savings with recomputation after every merge (C&W(ii)).

    Parameters
    ----------
    problem
        Orders, loads, capacity and routing method.
    params
        ``neighbours``: pairs considered per order when there are more than
        :data:`DENSE_MAX` orders.
    rng
        Unused (the method is deterministic; ties go to the lower indices).

    Returns
    -------
    Batching
        Batches in canonical form with their route lengths.
    """
    ev = BatchEvaluator(problem)
    return make_batching("savings", ev, savings_batches(problem, params, ev))


def savings_static(
    problem: BatchingProblem, params: BatchingParams, rng: np.random.Generator
) -> Batching:
    """Clarke & Wright savings merged in the order of the initial pair savings (C&W(i)).

    Parameters
    ----------
    problem
        Orders, loads, capacity and routing method.
    params
        ``neighbours`` as for :func:`savings`.
    rng
        Unused.

    Returns
    -------
    Batching
        Batches in canonical form with their route lengths.
    """
    ev = BatchEvaluator(problem)
    return make_batching(
        "savings_static", ev, savings_batches(problem, params, ev, recompute=False)
    )
