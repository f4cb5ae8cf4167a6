"""Compiled kernels of the exact rectangular-warehouse router (private).

Call them through :mod:`wms.routing.optimal`, whose wrappers check and prepare the arrays. The state
machine (``next_state``) comes from :mod:`wms.routing._automaton`; here we only do min-plus updates.

Column arrays describe the sweep: the aisles plus one *virtual* column for each start/end point
that lies on a cross aisle between two aisles (``col_aisle = -1``: no sub-aisles, only cross-aisle
edges).
``col_hkind[c, i]`` is the automaton step kind of the horizontal step of row ``i`` leaving column
``c`` (it encodes whether that vertex is required and its target degree parity).

Sub-aisle option costs (``L`` the block length, picks at ``y`` in the block ``[y_lo, y_hi]``)::

    NONE 0 (no picks only) | SINGLE L | DOUBLE 2L | UPPER 2 (y_hi - min y) | LOWER 2 (max y - y_lo)
    GAP 2 (L - largest gap between consecutive picks) (at least two distinct y)
"""

from __future__ import annotations

import numpy as np
from numba import njit

_INF = np.inf


@njit(cache=True, inline="always")
def _relax(
    next_state: np.ndarray, kind: int, n_opt: int, cost: np.ndarray,
    val: np.ndarray, act: np.ndarray, n_act: int, val2: np.ndarray, act2: np.ndarray,
) -> int:  # fmt: skip
    """One min-plus step from the active states ``act[:n_act]`` (values ``val``) into ``val2``.

    Returns the number of active successor states written to ``act2``; resets ``val`` to inf.
    """
    n_new = 0
    for a in range(n_act):
        s = act[a]
        v = val[s]
        val[s] = _INF
        for o in range(n_opt):
            co = cost[o]
            if co == _INF:
                continue
            t = next_state[kind, s, o]
            if t < 0:
                continue
            nv = v + co
            w = val2[t]
            if nv < w:
                if w == _INF:
                    act2[n_new] = t
                    n_new += 1
                val2[t] = nv
    return n_new


@njit(cache=True, inline="always")
def _vertical_costs(
    cost: np.ndarray, count: int, y_min: float, y_max: float, gap: float, y_lo: float, y_hi: float
) -> None:
    length = y_hi - y_lo
    if count == 0:
        cost[0] = 0.0
        cost[3] = _INF
        cost[4] = _INF
        cost[5] = _INF
    else:
        cost[0] = _INF
        cost[3] = 2.0 * (y_hi - y_min)
        cost[4] = 2.0 * (y_max - y_lo)
        cost[5] = 2.0 * (length - gap) if gap > 0.0 else _INF
    cost[1] = length
    cost[2] = 2.0 * length


@njit(cache=True)
def batch_lengths(
    cross_y: np.ndarray, col_x: np.ndarray, col_aisle: np.ndarray, aisle_col: np.ndarray,
    col_hkind: np.ndarray, se_lo: int, se_hi: int, same_place: bool, spur_m: float,
    indptr: np.ndarray, pick_aisle: np.ndarray, pick_y: np.ndarray,
    next_state: np.ndarray, init: int, done: int, out: np.ndarray,
) -> None:  # fmt: skip
    """Optimal route length of every pick list (CSR ``indptr``/``pick_*``) into ``out``.

    ``se_lo``/``se_hi`` are the outermost columns the start and end need (real aisles, see
    ``_Columns.span`` in :mod:`wms.routing.optimal`),
    ``same_place`` tells whether they stand at the same network vertex and ``spur_m`` is the sum of
    their offsets. The result of a list with no feasible tour is ``inf`` (cannot happen for valid
    input).
    """
    m = cross_y.shape[0]
    nb = m - 1
    n_cols = col_x.shape[0]
    n_states = next_state.shape[1]
    # Scratch, allocated once for all lists.
    val = np.full(n_states, _INF)
    val2 = np.full(n_states, _INF)
    act = np.empty(n_states, dtype=np.int64)
    act2 = np.empty(n_states, dtype=np.int64)
    cost = np.empty(6)
    n_slots = n_cols * nb
    cnt = np.zeros(n_slots + 1, dtype=np.int64)  # kept zero between lists
    fill = np.zeros(n_slots, dtype=np.int64)
    y_min = np.empty(n_slots)
    y_max = np.empty(n_slots)
    gap = np.empty(n_slots)
    max_n = 0
    for k in range(indptr.shape[0] - 1):
        max_n = max(max_n, indptr[k + 1] - indptr[k])
    slot_of = np.empty(max_n, dtype=np.int64)
    ys = np.empty(max_n)

    for k in range(indptr.shape[0] - 1):
        p0 = indptr[k]
        n = indptr[k + 1] - p0
        if n == 0 and same_place:
            out[k] = spur_m
            continue
        # Bucket the picks by sub-aisle (column, block): a counting sort, then sort each by y.
        lo = se_lo
        hi = se_hi
        for q in range(n):
            y = pick_y[p0 + q]
            b = 0
            while b < nb - 1 and y > cross_y[b + 1]:
                b += 1
            c = aisle_col[pick_aisle[p0 + q]]
            lo = min(lo, c)
            hi = max(hi, c)
            s = c * nb + b
            slot_of[q] = s
            cnt[s + 1] += 1
        s_lo = lo * nb
        s_hi = (hi + 1) * nb
        for s in range(s_lo, s_hi):
            cnt[s + 1] += cnt[s]  # now cnt[s] is where slot s starts
            fill[s] = cnt[s]
        for q in range(n):
            s = slot_of[q]
            ys[fill[s]] = pick_y[p0 + q]
            fill[s] += 1
        for s in range(s_lo, s_hi):
            a = cnt[s]
            e = cnt[s + 1]
            if e == a:
                continue
            for r in range(a + 1, e):  # insertion sort: buckets are tiny
                y = ys[r]
                t = r - 1
                while t >= a and ys[t] > y:
                    ys[t + 1] = ys[t]
                    t -= 1
                ys[t + 1] = y
            g = 0.0
            for r in range(a + 1, e):
                g = max(g, ys[r] - ys[r - 1])
            y_min[s] = ys[a]
            y_max[s] = ys[e - 1]
            gap[s] = g

        # The sweep.
        val[init] = 0.0
        act[0] = init
        n_act = 1
        for c in range(lo, hi + 1):
            if col_aisle[c] >= 0:
                for b in range(nb):
                    s = c * nb + b
                    _vertical_costs(
                        cost, cnt[s + 1] - cnt[s], y_min[s], y_max[s], gap[s],
                        cross_y[b], cross_y[b + 1],
                    )  # fmt: skip
                    n_opt = 6 if cnt[s + 1] > cnt[s] else 3
                    n_act = _relax(next_state, b, n_opt, cost, val, act, n_act, val2, act2)
                    val, val2 = val2, val
                    act, act2 = act2, act
            dx = col_x[c + 1] - col_x[c] if c < hi else _INF
            cost[0] = 0.0
            cost[1] = dx
            cost[2] = 2.0 * dx
            n_opt = 3 if c < hi else 1
            for i in range(m):
                n_act = _relax(
                    next_state, col_hkind[c, i], n_opt, cost, val, act, n_act, val2, act2
                )
                val, val2 = val2, val
                act, act2 = act2, act
        out[k] = val[done] + spur_m
        for a in range(n_act):
            val[act[a]] = _INF
        for s in range(s_lo, s_hi + 1):
            cnt[s] = 0


@njit(cache=True)
def solve_steps(
    next_state: np.ndarray, init: int, done: int, step_kind: np.ndarray, step_cost: np.ndarray,
    pred_state: np.ndarray, pred_option: np.ndarray,
) -> float:  # fmt: skip
    """Run a prepared sweep, recording for every step and successor its best predecessor.

    ``step_kind[t]`` and ``step_cost[t, :]`` (``inf`` = option not allowed) describe step ``t``;
    ``pred_state`` (``int32[n_steps, n_states]``) and ``pred_option`` (``int8``, same shape) receive
    the back-pointers.
    Returns the optimal length (``inf`` if the done state is unreachable).
    """
    n_states = next_state.shape[1]
    n_steps = step_kind.shape[0]
    val = np.full(n_states, _INF)
    val2 = np.full(n_states, _INF)
    val[init] = 0.0
    for t in range(n_steps):
        kind = step_kind[t]
        for s in range(n_states):
            v = val[s]
            if v == _INF:
                continue
            for o in range(step_cost.shape[1]):
                co = step_cost[t, o]
                if co == _INF:
                    continue
                u = next_state[kind, s, o]
                if u < 0:
                    continue
                if v + co < val2[u]:
                    val2[u] = v + co
                    pred_state[t, u] = s
                    pred_option[t, u] = o
        val, val2 = val2, val
        val2[:] = _INF
    return val[done]


@njit(cache=True)
def batch_lengths_one_block(
    cross_y: np.ndarray, col_x: np.ndarray, col_aisle: np.ndarray, aisle_col: np.ndarray,
    depot_col: int, depot_row: int, se_lo: int, se_hi: int, spur_m: float,
    indptr: np.ndarray, pick_aisle: np.ndarray, pick_y: np.ndarray, out: np.ndarray,
) -> None:  # fmt: skip
    """Closed-tour lengths in a single-block warehouse: Ratliff & Rosenthal's 7 classes.

    The special case of :func:`batch_lengths` for two cross aisles when the route starts and ends at
    the same vertex (``depot_col``, ``depot_row``), written out by hand. At each column boundary the
    two frontier vertices are in one of seven classes (every component has an even degree sum,
    since a closed tour has no odd vertex)::

        N nothing touched yet      D done (one closed component)
        T only the top touched     B only the bottom touched            (even degree)
        O both, one component, odd degrees
        E both, one component, even degrees      F both, two components, even degrees

    A column first applies its sub-aisle option (vertical), then the cross-aisle multiplicities
    ``(h_bottom, h_top)`` to the next column (horizontal); the leaving vertex needs an even degree
    and, at the depot, at least one edge.
    """
    inf = _INF
    y_lo = cross_y[0]
    y_hi = cross_y[1]
    length = y_hi - y_lo
    n_cols = col_x.shape[0]
    start = np.zeros(n_cols + 1, dtype=np.int64)
    fill = np.empty(n_cols, dtype=np.int64)
    max_n = 0
    for k in range(indptr.shape[0] - 1):
        max_n = max(max_n, indptr[k + 1] - indptr[k])
    col_of = np.empty(max_n, dtype=np.int64)
    ys = np.empty(max_n)

    for k in range(indptr.shape[0] - 1):
        p0 = indptr[k]
        n = indptr[k + 1] - p0
        if n == 0:
            out[k] = spur_m
            continue
        lo = se_lo
        hi = se_hi
        for q in range(n):
            c = aisle_col[pick_aisle[p0 + q]]
            col_of[q] = c
            start[c + 1] += 1
            lo = min(lo, c)
            hi = max(hi, c)
        for c in range(lo, hi + 1):  # counting sort by column
            start[c + 1] += start[c]
            fill[c] = start[c]
        for q in range(n):
            c = col_of[q]
            ys[fill[c]] = pick_y[p0 + q]
            fill[c] += 1

        vN = 0.0
        vD = inf
        vT = inf
        vB = inf
        vO = inf
        vE = inf
        vF = inf
        for c in range(lo, hi + 1):
            if col_aisle[c] >= 0:
                a = start[c]
                e = start[c + 1]
                if e == a:
                    c0 = 0.0
                    cu = inf
                    cl = inf
                    cg = inf
                else:
                    for r in range(a + 1, e):  # insertion sort: columns hold few picks
                        y = ys[r]
                        t = r - 1
                        while t >= a and ys[t] > y:
                            ys[t + 1] = ys[t]
                            t -= 1
                        ys[t + 1] = y
                    g = 0.0
                    for r in range(a + 1, e):
                        g = max(g, ys[r] - ys[r - 1])
                    c0 = inf
                    cu = 2.0 * (y_hi - ys[a])
                    cl = 2.0 * (ys[e - 1] - y_lo)
                    cg = 2.0 * (length - g) if g > 0.0 else inf
                c1 = length
                c2 = 2.0 * length
                # vertical: NONE c0, SINGLE c1, DOUBLE c2, UPPER cu, LOWER cl, GAP cg
                nN = vN + c0
                nD = vD + c0
                nT = min(vT + c0, min(vN, vT) + cu)
                nB = min(vB + c0, min(vN, vB) + cl)
                nO = min(vO + min(c0, c2, cu, cl, cg), min(vN, vT, vB, vE, vF) + c1)
                nE = min(vE + min(c0, c2, cu, cl, cg), vO + c1, min(vN, vT, vB, vF) + c2)
                nF = min(vF + min(c0, cu, cl, cg), vB + cu, vT + cl, min(vN, vT, vB) + cg)
                vN, vD, vT, vB, vO, vE, vF = nN, nD, nT, nB, nO, nE, nF
            # horizontal (h_bottom, h_top); at the last column only (0, 0)
            dx2 = 2.0 * (col_x[c + 1] - col_x[c]) if c < hi else inf
            pen0 = inf if (c == depot_col and depot_row == 0) else 0.0
            pen1 = inf if (c == depot_col and depot_row == 1) else 0.0
            nN = vN + pen0 + pen1
            nD = min(vD + pen0 + pen1, vT + pen0, vB + pen1, vE)
            nT = min(min(vN, vT) + pen0, vE) + dx2
            nB = min(min(vN, vB) + pen1, vE) + dx2
            nO = vO + dx2
            nE = vE + 2.0 * dx2
            nF = min(vN, vT, vB, vF) + 2.0 * dx2
            vN, vD, vT, vB, vO, vE, vF = nN, nD, nT, nB, nO, nE, nF
        out[k] = vD + spur_m
        for c in range(lo, hi + 2):
            start[c] = 0
