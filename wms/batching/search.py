"""Iterated local search for order batching (Henn, Koch, Doerner, Strauss & Wäscher 2010).

Start: the savings solution (C&W(ii)). Local search: *swap* (exchange two orders of different
batches) and *shift* (move an order to another batch), steepest descent. Perturbation: a few random
swaps/shifts between batches (Henn et al.) or, in :data:`RUIN_SHARE` of the iterations, a
ruin-and-recreate step in the spirit of Žulj, Kramer & Schneider (2018): remove a few random
orders, or a batch and orders related to it, and reinsert each where it lengthens a batch least.
Acceptance: a solution at most :data:`THRESHOLD` times the mean batch length longer than the
current one (a threshold in units of one tour, so it means the same for 20 or 2,000 orders); after
:data:`RESTART_AFTER` iterations without a new best the search goes back to the best. The best
solution is returned, so the result is never worse than the start.

Packing: with equal length a move that concentrates load (raises ``sum((load / capacity)^2)``)
counts as improving. Such sideways moves gather the free capacity in few batches until a shift
empties one; on the Henn instances one batch fewer is worth 1-3 % of the total.

How the neighbourhood is evaluated (the part that makes it fast):

* Candidate pairs of orders (*edges*) are all pairs for up to :data:`DENSE_MAX` orders, else the
  ``params.neighbours`` most similar orders by aisle profile (both directions).
* For an edge ``(u, v)`` in batches ``A ∋ u``, ``B ∋ v`` a swap costs
  ``L(A-u+v) + L(B-v+u) - L(A) - L(B)`` and a shift ``L(A-u) + L(B+u) - L(A) - L(B)``. Each term
  depends on the content of one batch only, so when moves change batches only the terms of their
  members are rebuilt: every new order set of all changed batches is gathered into one pick-list
  CSR and routed in **one** ``route_many`` call; a compiled scan of the edges then lists the
  improving moves, and all disjoint ones are applied together.
* These terms are cached by the sorted order tuple of the batch they belong to (batch lengths too,
  in the evaluator), so a rejected perturbation is undone by restoring the batches it touched and
  re-reading their terms from the cache: no copy of the whole state per iteration.

Above :data:`GROUP_MAX` orders, :func:`ils` decomposes the problem (see :mod:`wms.batching.scale`).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from wms.batching import _search_kernels as _k
from wms.batching._eval import LOAD_EPS, BatchEvaluator, make_batching
from wms.batching._features import candidate_pairs
from wms.batching.base import Batching, BatchingParams, BatchingProblem
from wms.batching.construct import savings_batches

#: Up to this many orders every pair of orders is a candidate for swap and shift moves.
DENSE_MAX = 250

#: Above this many orders :func:`ils` decomposes the problem into groups.
GROUP_MAX = 400

#: Accept a perturbed local optimum up to this fraction of the mean batch length longer than the
#: current solution.
THRESHOLD = 0.17
#: Iterations without a new best before the search returns to the best.
RESTART_AFTER = 100
#: Share of iterations perturbed by ruin-and-recreate (the others by random swaps/shifts).
RUIN_SHARE = 0.3
#: Orders removed by ruin-and-recreate: uniform on ``[lo, hi)``.
RUIN_ORDERS = (3, 8)
#: Random swaps/shifts per perturbation: uniform on ``[lo, hi)``.
SWAP_STRENGTH = (1, 4)

#: About this many order sets per routing call when many batches are refreshed at once.
_ROUTE_CHUNK = 50_000
#: Time (s) kept back from the limit for routing the final batches.
_FINAL_S = 0.01
#: Improvements smaller than this (m) are ignored (rounding noise).
_IMPROVE_EPS = 1e-7
#: Length changes up to this (m) count as ties (sideways packing moves).
_TIE_EPS = 1e-9

_NbEntry = tuple[float, NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


class LocalSearch:
    """Batches under swap/shift local search with bulk-evaluated, cached neighbourhoods.

    Parameters
    ----------
    problem
        The batching problem.
    ev
        Evaluator (shares its length cache with the construction that produced ``batches``).
    batches
        Start solution: every order in exactly one batch, capacities respected.
    pairs
        ``(E, 2)`` candidate pairs of orders ``i < j``.
    pack
        Count equal-length moves that concentrate load as improving.
    nb_cache_values
        Most neighbourhood values kept in the cache before it is cleared.
    """

    def __init__(
        self,
        problem: BatchingProblem,
        ev: BatchEvaluator,
        batches: Sequence[Sequence[int]],
        pairs: NDArray[np.int64],
        *,
        pack: bool = True,
        nb_cache_values: int = 4_000_000,
    ) -> None:
        n = problem.n_orders
        self.n = n
        self.problem = problem
        self.ev = ev
        self.pack = pack
        self.loads = np.ascontiguousarray(problem.loads, dtype=np.float64)
        self.cap = problem.capacity + LOAD_EPS
        self._zero = np.zeros_like(self.cap)
        self._icap = 1.0 / problem.capacity
        self.eu = np.ascontiguousarray(pairs[:, 0], dtype=np.int64)
        self.ev_ = np.ascontiguousarray(pairs[:, 1], dtype=np.int64)
        E = self.eu.size
        # Incidence lists: for order o, the edges where it is u (isu) or v, and the other end.
        ends = np.concatenate([self.eu, self.ev_])
        order = np.argsort(ends, kind="stable")
        self.inc_other = np.ascontiguousarray(np.concatenate([self.ev_, self.eu])[order])
        self.inc_edge = np.ascontiguousarray(np.concatenate([np.arange(E), np.arange(E)])[order])
        self.inc_isu = np.ascontiguousarray(
            np.concatenate([np.ones(E, dtype=np.bool_), np.zeros(E, dtype=np.bool_)])[order]
        )
        self.inc_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(ends, minlength=n), out=self.inc_ptr[1:])
        self.deg = np.diff(self.inc_ptr)
        # Solution: batch slots 0..n-1, most of them empty.
        self.members: list[list[int]] = [[] for _ in range(n)]
        self.bof = np.full(n, -1, dtype=np.int64)
        self.bsize = np.zeros(n, dtype=np.int64)
        self.bload = np.zeros((n, problem.capacity.size), dtype=np.float64)
        self.blen = np.zeros(n, dtype=np.float64)
        self._saved: dict[int, list[int]] = {}
        # Neighbourhood terms: Q[o] = L(B(o) - o); per edge Rf = L(B(u) - u + v),
        # Rb = L(B(v) - v + u), Sf = L(B(v) + u), Sb = L(B(u) + v); +inf when infeasible.
        self.Q = np.zeros(n)
        self.Rf = np.full(E, np.inf)
        self.Rb = np.full(E, np.inf)
        self.Sf = np.full(E, np.inf)
        self.Sb = np.full(E, np.inf)
        self.nb_cache: dict[tuple[int, ...], _NbEntry] = {}
        self.nb_cache_values = nb_cache_values
        self._nb_cached = 0
        self.set_solution(batches)

    # -- state --------------------------------------------------------------------------------
    @property
    def total(self) -> float:
        """Total route length (m) of the current batches."""
        return float(self.blen.sum())

    def batches(self) -> list[list[int]]:
        """The current batches (copies)."""
        return [list(m) for m in self.members if m]

    def set_solution(self, batches: Sequence[Sequence[int]]) -> None:
        """Replace the current solution by ``batches`` and rebuild every term."""
        n = self.n
        self.members = [[] for _ in range(n)]
        self.bof[:] = -1
        for s, b in enumerate(batches):
            mem = sorted(int(o) for o in b)
            self.members[s] = mem
            self.bof[mem] = s
        if np.any(self.bof < 0):
            raise ValueError(f"order {int(np.flatnonzero(self.bof < 0)[0])} is in no batch")
        self.bsize[:] = [len(m) for m in self.members]
        self.bload[:] = 0.0
        self.blen[:] = 0.0
        self._saved.clear()
        live = [s for s in range(n) if self.members[s]]
        for s in live:
            self.bload[s] = self.loads[self.members[s]].sum(axis=0)
        self.refresh(live)

    def commit(self) -> None:
        """Accept the changes since the last commit."""
        self._saved.clear()

    def rollback(self) -> None:
        """Undo the changes since the last commit (terms are re-read from the cache)."""
        slots = list(self._saved)
        for s, old in self._saved.items():
            self.members[s] = old
            self.bsize[s] = len(old)
            for o in old:
                self.bof[o] = s
        self._saved.clear()
        self._settle(slots)

    def _touch(self, s: int) -> None:
        if s not in self._saved:
            self._saved[s] = list(self.members[s])

    def _remove(self, o: int) -> int:
        s = int(self.bof[o])
        self._touch(s)
        self.members[s].remove(o)
        self.bsize[s] -= 1
        self.bof[o] = -1
        return s

    def _insert(self, o: int, s: int) -> None:
        self._touch(s)
        bisect.insort(self.members[s], o)
        self.bsize[s] += 1
        self.bof[o] = s

    def _move(self, o: int, dst: int) -> None:
        src = self._remove(o)
        self.bload[src] -= self.loads[o]
        self._insert(o, dst)
        self.bload[dst] += self.loads[o]

    def _settle(self, slots: Sequence[int]) -> None:
        """Recompute the loads of changed batches exactly and refresh their terms."""
        for s in slots:
            if self.members[s]:
                self.bload[s] = self.loads[self.members[s]].sum(axis=0)
            else:
                self.bload[s] = 0.0
                self.blen[s] = 0.0
        self.refresh(slots)

    # -- neighbourhood terms --------------------------------------------------------------------
    def refresh(self, slots: Sequence[int]) -> None:
        """Rebuild the neighbourhood terms and lengths of the (non-empty) batches in ``slots``."""
        slots = [s for s in dict.fromkeys(slots) if self.members[s]]
        if not slots:
            return
        if self._nb_cached > self.nb_cache_values:
            self.nb_cache.clear()
            self._nb_cached = 0
        keys = [tuple(self.members[s]) for s in slots]
        miss = [r for r, key in enumerate(keys) if key not in self.nb_cache]
        # Bound the size of one routing call (a full refresh of thousands of batches would
        # gather tens of millions of picks at once).
        chunk, size = [], 0
        for r in miss:
            chunk.append(r)
            size += len(keys[r]) * int(self.deg[list(keys[r])].sum())
            if size > _ROUTE_CHUNK:
                self._compute([slots[c] for c in chunk], [keys[c] for c in chunk])
                chunk, size = [], 0
        if chunk:
            self._compute([slots[c] for c in chunk], [keys[c] for c in chunk])
        parts_q, parts_r, parts_s = [], [], []
        for s, key in zip(slots, keys, strict=True):
            length, q, rv, sv = self.nb_cache[key]
            self.blen[s] = length
            parts_q.append(q)
            parts_r.append(rv)
            parts_s.append(sv)
        mem = np.fromiter((o for key in keys for o in key), dtype=np.int64)
        _k.scatter(
            mem, np.concatenate(parts_q), np.concatenate(parts_r), np.concatenate(parts_s),
            self.inc_ptr, self.inc_edge, self.inc_isu, self.Q, self.Rf, self.Rb, self.Sf, self.Sb,
        )  # fmt: skip

    def _compute(self, slots: list[int], keys: list[tuple[int, ...]]) -> None:
        """Route every order set the batches ``keys`` need (one call) and cache the terms."""
        sizes = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
        mem_ptr = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(sizes, out=mem_ptr[1:])
        mem = np.fromiter((o for k in keys for o in k), dtype=np.int64, count=int(mem_ptr[-1]))
        slot_arr = np.asarray(slots, dtype=np.int64)
        cand_ptr, cand, self_idx, q_idx, r_idx, s_idx = _k.nb_candidates(
            mem_ptr, mem, slot_arr, np.ascontiguousarray(self.bload[slot_arr]), self.loads,
            self.cap, self.bof, self.inc_ptr, self.inc_other,
        )  # fmt: skip
        lengths = self.ev.route_csr(cand_ptr, cand)
        # index EMPTY (-2) -> 0 m (the batch disappears), NONE (-1) -> +inf (infeasible)
        ext = np.concatenate([lengths, [0.0, np.inf]])
        empty, none = lengths.size, lengths.size + 1
        q_vals = ext[np.where(q_idx == _k.EMPTY, empty, np.where(q_idx < 0, none, q_idx))]
        r_vals = ext[np.where(r_idx < 0, none, r_idx)]
        s_vals = ext[np.where(s_idx < 0, none, s_idx)]
        inc_ptr = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(np.add.reduceat(self.deg[mem], mem_ptr[:-1]), out=inc_ptr[1:])
        for r, key in enumerate(keys):
            a, b = int(mem_ptr[r]), int(mem_ptr[r + 1])
            c, d = int(inc_ptr[r]), int(inc_ptr[r + 1])
            length = float(lengths[self_idx[r]])
            self.nb_cache[key] = (length, q_vals[a:b], r_vals[c:d], s_vals[c:d])
            self._nb_cached += 2 * (d - c) + (b - a)
            self.ev.store(key, length)

    # -- local search ---------------------------------------------------------------------------
    def improving(self) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
        """Improving moves ``kind * E + edge`` (0 swap, 1 shift u, 2 shift v), best first.

        Returns the moves, their length changes (m) and packing changes.
        """
        imp, dlen, dq = _k.improving_moves(
            self.eu, self.ev_, self.bof, self.blen, self.Q, self.Rf, self.Rb, self.Sf, self.Sb,
            _IMPROVE_EPS, _TIE_EPS, self.bload, self.loads, self._icap, self.pack,
        )  # fmt: skip
        order = np.lexsort((imp, -dq, dlen))
        return imp[order], dlen[order], dq[order]

    def apply(self, kind: int, e: int) -> tuple[int, int]:
        """Apply move ``kind`` (0 swap, 1 shift u, 2 shift v) on edge ``e``; no refresh.

        Returns the two batch slots changed.
        """
        u, v = int(self.eu[e]), int(self.ev_[e])
        a, b = int(self.bof[u]), int(self.bof[v])
        if kind == 0:
            self._move(u, b)
            self._move(v, a)
        elif kind == 1:
            self._move(u, b)
        else:
            self._move(v, a)
        return a, b

    def descend(self, deadline: float) -> int:
        """Steepest descent, all disjoint improving moves per round; returns the moves made."""
        made = 0
        E = self.eu.size
        for _ in range(10 * self.n + 10):  # a guard: the descent stops long before
            if time.perf_counter() >= deadline:
                break
            imp, _, _ = self.improving()
            if imp.size == 0:
                break
            touched: set[int] = set()
            for flat in imp.tolist():
                kind, e = divmod(flat, E)
                a, b = int(self.bof[self.eu[e]]), int(self.bof[self.ev_[e]])
                if a in touched or b in touched:
                    continue
                touched.update((a, b))
                self.apply(kind, e)
                made += 1
            self._settle(sorted(touched))
        return made

    # -- perturbations --------------------------------------------------------------------------
    def perturb(self, rng: np.random.Generator, strength: int) -> None:
        """``strength`` random swaps (or shifts when a swap does not fit) of random order pairs."""
        changed: set[int] = set()
        for _ in range(strength):
            u, v = (int(x) for x in rng.integers(self.n, size=2))
            a, b = int(self.bof[u]), int(self.bof[v])
            if a == b:
                continue
            wu, wv = self.loads[u], self.loads[v]
            if _k.fits_delta(self.bload[a], wu, wv, self.cap) and _k.fits_delta(
                self.bload[b], wv, wu, self.cap
            ):
                self._move(u, b)
                self._move(v, a)
            elif _k.fits_delta(self.bload[b], self._zero, wu, self.cap):
                self._move(u, b)
            elif _k.fits_delta(self.bload[a], self._zero, wv, self.cap):
                self._move(v, a)
            else:
                continue
            changed.update((a, b))
        self._settle(sorted(changed))

    def _ruin_set(self, rng: np.random.Generator, q: int, related: bool) -> list[int]:
        if not related:
            return [int(o) for o in rng.choice(self.n, size=min(q, self.n), replace=False)]
        if self.pack and rng.random() < 0.5:
            # one of the three emptiest batches: emptying it saves a whole tour
            fill = np.where(self.bsize > 0, (self.bload * self._icap).sum(axis=1), np.inf)
            k = min(3, int(np.count_nonzero(self.bsize)))
            s0 = int(np.argsort(fill, kind="stable")[int(rng.integers(k))])
        else:
            s0 = int(self.bof[int(rng.integers(self.n))])
        removed = list(self.members[s0])
        near = np.unique(np.concatenate(
            [self.inc_other[self.inc_ptr[o] : self.inc_ptr[o + 1]] for o in removed]
        ))  # fmt: skip
        near = near[self.bof[near] != s0]
        extra = max(0, q - len(removed))
        if extra and near.size:
            removed += [int(o) for o in rng.permutation(near)[:extra]]
        return removed

    def ruin_recreate(self, rng: np.random.Generator, q: int, related: bool) -> None:
        """Remove about ``q`` orders and reinsert each where it lengthens a batch least.

        ``related``: a batch (random, or one of the emptiest) and orders sharing candidate pairs
        with it; else ``q`` random orders. Reinsertion in random order; a batch gets an order only
        if it fits; among equal costs (with packing) the fuller batch; a new batch if none fits.
        """
        removed = self._ruin_set(rng, q, related)
        dirty: set[int] = set()
        for o in removed:
            dirty.add(self._remove(o))
        for s in dirty:
            self.bload[s] = self.loads[self.members[s]].sum(axis=0) if self.members[s] else 0.0
        ds = sorted(dirty)
        self.blen[ds] = self.ev.lengths([tuple(self.members[s]) for s in ds])
        changed = set(dirty)
        for o in rng.permutation(np.asarray(removed, dtype=np.int64)).tolist():
            w = self.loads[o]
            # L(B + o) for clean batches B with a neighbour of o: from the shift terms.
            js = slice(self.inc_ptr[o], self.inc_ptr[o + 1])
            bs = self.bof[self.inc_other[js]]
            vals = np.where(
                self.inc_isu[js], self.Sf[self.inc_edge[js]], self.Sb[self.inc_edge[js]]
            )
            keep = bs >= 0
            if dirty:
                keep &= ~np.isin(bs, np.fromiter(dirty, dtype=np.int64))
            slots, first = np.unique(bs[keep], return_index=True)
            ins = vals[keep][first]
            # Changed batches: routed now.
            dl = [
                s for s in sorted(dirty)
                if self.members[s] and _k.fits_delta(self.bload[s], self._zero, w, self.cap)
            ]  # fmt: skip
            if dl:
                slots = np.concatenate([slots, dl]).astype(np.int64)
                ins = np.concatenate(
                    [ins, self.ev.lengths([tuple(sorted((*self.members[s], o))) for s in dl])]
                )
            ok = np.isfinite(ins)
            if np.any(ok):
                slots, ins = slots[ok], ins[ok]
                cost = ins - self.blen[slots]
                fill = (self.bload[slots] * self._icap).sum(axis=1) if self.pack else 0.0 * cost
                j = int(np.lexsort((slots, -fill, cost))[0])
                best_s, best_len = int(slots[j]), float(ins[j])
            else:
                best_s = int(np.argmin(self.bsize))  # an empty slot (n slots, fewer batches)
                best_len = self.ev.length((o,))
            self._insert(o, best_s)
            self.bload[best_s] += w
            self.blen[best_s] = best_len
            dirty.add(best_s)
            changed.add(best_s)
        self._settle(sorted(changed))


def ils_batches(
    problem: BatchingProblem,
    params: BatchingParams,
    rng: np.random.Generator,
    ev: BatchEvaluator,
    start: Sequence[Sequence[int]],
    deadline: float,
    *,
    dense_max: int = DENSE_MAX,
    stats: dict[str, float] | None = None,
) -> list[list[int]]:
    """Iterated local search from ``start`` until ``deadline`` or ``params.max_iterations``.

    Parameters
    ----------
    problem, params, rng
        As for :func:`ils`.
    ev
        Evaluator of ``problem`` (its cache may already hold the lengths of the start).
    start
        Start batches (feasible).
    deadline
        ``time.perf_counter()`` value at which to stop.
    dense_max
        Up to this many orders every pair of orders is a swap/shift candidate.
    stats
        If given, receives ``iterations``, ``start_m`` and ``best_m``.

    Returns
    -------
    list of list of int
        The best batches found; ``start`` itself if nothing shorter was found.
    """
    start_total = float(ev.lengths([tuple(sorted(b)) for b in start]).sum())
    if stats is not None:
        stats.update(iterations=0, start_m=start_total, best_m=start_total)
    if problem.n_orders < 2 or params.max_iterations == 0 or time.perf_counter() >= deadline:
        return [list(b) for b in start]
    pairs = candidate_pairs(problem, params.neighbours, dense_max)
    ls = LocalSearch(problem, ev, start, pairs)
    ls.descend(deadline)
    ls.commit()
    best_total, best = ls.total, ls.batches()
    cur_total = best_total
    since_best = 0
    it = 0
    step_s = 0.0  # duration of the slowest iteration so far: stop when another would overrun
    now = time.perf_counter()
    while it < params.max_iterations and now + step_s < deadline:
        it += 1
        if rng.random() < RUIN_SHARE:
            ls.ruin_recreate(rng, int(rng.integers(*RUIN_ORDERS)), bool(rng.random() < 0.5))
        else:
            ls.perturb(rng, int(rng.integers(*SWAP_STRENGTH)))
        ls.descend(deadline)
        total = ls.total
        if total < best_total - _IMPROVE_EPS:
            best_total, best, since_best = total, ls.batches(), 0
        else:
            since_best += 1
        if total <= cur_total + THRESHOLD * total / max(1, int(np.count_nonzero(ls.bsize))):
            ls.commit()
            cur_total = total
        elif since_best >= RESTART_AFTER:
            ls.set_solution(best)
            cur_total, since_best = ls.total, 0
        else:
            ls.rollback()
        last, now = now, time.perf_counter()
        step_s = max(step_s, now - last)
    if stats is not None:
        stats.update(iterations=it, best_m=min(best_total, start_total))
    return best if best_total < start_total - _IMPROVE_EPS else [list(b) for b in start]


def ils(problem: BatchingProblem, params: BatchingParams, rng: np.random.Generator) -> Batching:
    """Iterated local search from the savings solution (the default batching method).

    Parameters
    ----------
    problem
        Orders, loads, capacity and routing method.
    params
        ``time_limit_s`` (wall clock, including the savings start), ``max_iterations``
        (perturbation rounds) and ``neighbours`` (candidate partners per order on large problems).
    rng
        Drives the perturbations.

    Returns
    -------
    Batching
        Never longer than the savings batching.

    Notes
    -----
    With ``max_iterations`` as the binding limit the result depends only on the seed; with the
    clock as the binding limit it also depends on the speed of the machine. Above
    :data:`GROUP_MAX` orders the problem is decomposed (:func:`wms.batching.scale.ils_decomposed`).
    """
    if problem.n_orders > GROUP_MAX:
        from wms.batching.scale import ils_decomposed

        return ils_decomposed(problem, params, rng)
    t0 = time.perf_counter()
    ev = BatchEvaluator(problem)
    start = savings_batches(problem, params, ev)
    # Keep a little time for routing the final batches.
    deadline = t0 + params.time_limit_s - min(_FINAL_S, 0.05 * params.time_limit_s)
    best = ils_batches(problem, params, rng, ev, start, deadline)
    return make_batching("ils", ev, best)
