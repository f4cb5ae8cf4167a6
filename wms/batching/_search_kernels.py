"""Compiled kernels of the batching local search (private: call through :mod:`wms.batching.search`).

The local search keeps, for every candidate pair of orders ``(u, v)`` (an *edge*), the route lengths
of the batches a swap or a shift of ``u`` and ``v`` would create. Each of those lengths depends on
the content of one batch only, so when a batch changes only the values "owned" by its members are
rebuilt: :func:`nb_candidates` lists the order sets to route for a set of changed batches, and
:func:`scatter` writes the routed lengths back into the per-edge arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

#: Marker in index arrays: infeasible or not needed (value +inf).
NONE = -1
#: Marker in the removal array: the batch becomes empty (value 0).
EMPTY = -2
#: Mark of an order already found not to fit the batch being listed.
_INFEASIBLE = -3


@njit(cache=True)
def fits_delta(
    base: NDArray[np.float64], minus: NDArray[np.float64], plus: NDArray[np.float64],
    cap: NDArray[np.float64],
) -> bool:  # fmt: skip  # pragma: no cover - compiled
    """``base - minus + plus <= cap`` in every dimension."""
    for t in range(base.size):  # noqa: SIM110 - a plain loop compiles to the fastest code
        if base[t] - minus[t] + plus[t] > cap[t]:
            return False
    return True


@njit(cache=True)
def nb_candidates(
    mem_ptr: NDArray[np.int64],
    mem: NDArray[np.int64],
    slot: NDArray[np.int64],
    bload: NDArray[np.float64],
    loads: NDArray[np.float64],
    cap: NDArray[np.float64],
    bof: NDArray[np.int64],
    inc_ptr: NDArray[np.int64],
    inc_other: NDArray[np.int64],
) -> tuple[
    NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64],
    NDArray[np.int64], NDArray[np.int64],
]:  # fmt: skip  # pragma: no cover - compiled
    """Order sets to route for changed batches ``r`` (members ``mem[mem_ptr[r]:mem_ptr[r+1]]``).

    For batch ``X`` in slot ``slot[r]`` with load ``bload[r]`` it lists ``X`` itself, ``X - o``
    for every member ``o``, ``X - o + p`` (swap) and ``X + p`` (shift in) for every edge ``(o, p)``
    with ``p`` outside ``X`` and the result within ``cap``. Returns the candidates as a CSR of
    order indices and, aligned with batches / members / member incidences, the candidate index of
    each value (``NONE`` when infeasible, ``EMPTY`` for removing the last order).
    """
    nr = mem_ptr.size - 1
    n = bof.size
    zero = np.zeros(cap.size)
    mark = np.full(n, -1, dtype=np.int64)
    n_inc = 0
    for t in range(mem.size):
        o = mem[t]
        n_inc += inc_ptr[o + 1] - inc_ptr[o]
    self_idx = np.empty(nr, dtype=np.int64)
    q_idx = np.empty(mem.size, dtype=np.int64)
    r_idx = np.empty(n_inc, dtype=np.int64)
    s_idx = np.empty(n_inc, dtype=np.int64)
    # Pass 0 counts, pass 1 fills.
    n_cand = 0
    n_ord = 0
    cand_ptr = np.zeros(1, dtype=np.int64)
    cand = np.zeros(1, dtype=np.int64)
    for fill in range(2):
        if fill == 1:
            cand_ptr = np.zeros(n_cand + 1, dtype=np.int64)
            cand = np.empty(n_ord, dtype=np.int64)
        c = 0
        w = 0
        j = 0
        for r in range(nr):
            lo = mem_ptr[r]
            hi = mem_ptr[r + 1]
            size = hi - lo
            x = slot[r]
            # X itself
            if fill == 1:
                self_idx[r] = c
                for t in range(lo, hi):
                    cand[w + t - lo] = mem[t]
                cand_ptr[c + 1] = cand_ptr[c] + size
            c += 1
            w += size
            for t in range(lo, hi):
                o = mem[t]
                # X - o
                if size == 1:
                    if fill == 1:
                        q_idx[t] = EMPTY
                else:
                    if fill == 1:
                        q_idx[t] = c
                        k = 0
                        for s in range(lo, hi):
                            if s != t:
                                cand[w + k] = mem[s]
                                k += 1
                        cand_ptr[c + 1] = cand_ptr[c] + size - 1
                    c += 1
                    w += size - 1
                for jj in range(inc_ptr[o], inc_ptr[o + 1]):
                    p = inc_other[jj]
                    if bof[p] == x:
                        if fill == 1:
                            r_idx[j] = NONE
                            s_idx[j] = NONE
                        j += 1
                        continue
                    # X - o + p
                    if fits_delta(bload[r], loads[o], loads[p], cap):
                        if fill == 1:
                            r_idx[j] = c
                            k = 0
                            for s in range(lo, hi):
                                if s != t:
                                    cand[w + k] = mem[s]
                                    k += 1
                            cand[w + k] = p
                            cand_ptr[c + 1] = cand_ptr[c] + size
                        c += 1
                        w += size
                    elif fill == 1:
                        r_idx[j] = NONE
                    # X + p, once per p
                    if mark[p] >= 0:
                        if fill == 1:
                            s_idx[j] = mark[p]
                    elif mark[p] == _INFEASIBLE:
                        if fill == 1:
                            s_idx[j] = NONE
                    elif fits_delta(bload[r], zero, loads[p], cap):
                        mark[p] = c
                        if fill == 1:
                            s_idx[j] = c
                            for s in range(lo, hi):
                                cand[w + s - lo] = mem[s]
                            cand[w + size] = p
                            cand_ptr[c + 1] = cand_ptr[c] + size + 1
                        c += 1
                        w += size + 1
                    else:
                        mark[p] = _INFEASIBLE
                        if fill == 1:
                            s_idx[j] = NONE
                    j += 1
            # reset the marks of this batch
            for t in range(lo, hi):
                o = mem[t]
                for jj in range(inc_ptr[o], inc_ptr[o + 1]):
                    mark[inc_other[jj]] = -1
        if fill == 0:
            n_cand = c
            n_ord = w
            j = 0
    return cand_ptr, cand, self_idx, q_idx, r_idx, s_idx


@njit(cache=True)
def scatter(
    mem: NDArray[np.int64],
    q_vals: NDArray[np.float64],
    r_vals: NDArray[np.float64],
    s_vals: NDArray[np.float64],
    inc_ptr: NDArray[np.int64],
    inc_edge: NDArray[np.int64],
    inc_isu: NDArray[np.bool_],
    Q: NDArray[np.float64],
    Rf: NDArray[np.float64],
    Rb: NDArray[np.float64],
    Sf: NDArray[np.float64],
    Sb: NDArray[np.float64],
) -> None:  # pragma: no cover - compiled
    """Write per-member and per-incidence values of changed batches into the edge arrays."""
    pos = 0
    for t in range(mem.size):
        o = mem[t]
        Q[o] = q_vals[t]
        for jj in range(inc_ptr[o], inc_ptr[o + 1]):
            e = inc_edge[jj]
            if inc_isu[jj]:
                Rf[e] = r_vals[pos]
                Sb[e] = s_vals[pos]
            else:
                Rb[e] = r_vals[pos]
                Sf[e] = s_vals[pos]
            pos += 1


@njit(cache=True)
def _dq_shift(
    bload: NDArray[np.float64], w: NDArray[np.float64], a: int, b: int, icap: NDArray[np.float64]
) -> float:  # pragma: no cover - compiled
    """Change of the packing measure sum((load/cap)^2) when load ``w`` moves from ``a`` to ``b``."""
    out = 0.0
    for t in range(w.size):
        x = w[t] * icap[t]
        la = bload[a, t] * icap[t]
        lb = bload[b, t] * icap[t]
        out += 2.0 * x * (lb - la + x)
    return out


@njit(cache=True)
def improving_moves(
    eu: NDArray[np.int64],
    ev: NDArray[np.int64],
    bof: NDArray[np.int64],
    blen: NDArray[np.float64],
    Q: NDArray[np.float64],
    Rf: NDArray[np.float64],
    Rb: NDArray[np.float64],
    Sf: NDArray[np.float64],
    Sb: NDArray[np.float64],
    eps: float,
    tie: float,
    bload: NDArray[np.float64],
    loads: NDArray[np.float64],
    icap: NDArray[np.float64],
    pack: bool,
) -> tuple[
    NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]
]:  # pragma: no cover - compiled
    """Improving moves as flat indices ``kind * E + e`` (kind 0 swap, 1 shift u, 2 shift v).

    A move improves when it shortens the total by more than ``eps`` or, with ``pack``, changes it
    by at most ``tie`` while concentrating load (raising ``sum((load / cap)^2)``): such sideways moves
    gather free capacity in fewer batches, so that a later shift can empty a batch. Returns the
    moves, their length changes and packing changes.
    """
    E = eu.size
    idx = np.empty(3 * E, dtype=np.int64)
    val = np.empty(3 * E)
    dqs = np.empty(3 * E)
    c = 0
    for e in range(E):
        u = eu[e]
        v = ev[e]
        a = bof[u]
        b = bof[v]
        if a == b:
            continue
        base = blen[a] + blen[b]
        for kind in range(3):
            if kind == 0:
                d = Rf[e] + Rb[e] - base
            elif kind == 1:
                d = Q[u] + Sf[e] - base
            else:
                d = Q[v] + Sb[e] - base
            dq = 0.0
            if d < -eps:
                pass
            elif pack and d <= tie:
                if kind == 0:
                    dq = _dq_shift(bload, loads[u], a, b, icap)
                    # then v moves from b to a, with u already in b
                    for t in range(icap.size):
                        x = loads[v, t] * icap[t]
                        la = (bload[a, t] - loads[u, t]) * icap[t]
                        lb = (bload[b, t] + loads[u, t]) * icap[t]
                        dq += 2.0 * x * (la - lb + x)
                elif kind == 1:
                    dq = _dq_shift(bload, loads[u], a, b, icap)
                else:
                    dq = _dq_shift(bload, loads[v], b, a, icap)
                if dq <= 1e-12:
                    continue
            else:
                continue
            idx[c] = kind * E + e
            val[c] = d
            dqs[c] = dq
            c += 1
    return idx[:c], val[:c], dqs[:c]
