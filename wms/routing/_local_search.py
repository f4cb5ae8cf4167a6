"""Compiled kernels for the shortest Hamiltonian path with fixed ends (picker-routing TSP).

Private: call them through :mod:`wms.routing.tsp`, whose wrappers check shapes and dtypes.

Conventions: ``d`` is an ``n x n`` float64 matrix, ``d[i, j]`` the cost of going from ``i`` to ``j``
(it need not be symmetric: one-way aisles). A *path* is an int64 array of length ``n`` holding a
permutation of ``0..n-1`` with ``path[0] == 0`` (start) and ``path[n-1] == n-1`` (end); a closed
tour is the case where nodes ``0`` and ``n-1`` are the same place. Every move evaluates the true
directed cost, so reversals are priced by the reversed segment's own arcs.

Randomness comes from a splitmix64 generator whose state is a one-element uint64 array owned by the
caller, so a run is reproducible from its seed and can be continued chunk by chunk.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_EPS = 1e-9


# -- random numbers --------------------------------------------------------------------------------


@njit(cache=True)
def _next(state: np.ndarray) -> np.uint64:
    """splitmix64: advance ``state`` and return 64 random bits."""
    state[0] += np.uint64(0x9E3779B97F4A7C15)
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def _randint(state: np.ndarray, m: int) -> int:
    """Uniform integer in ``0..m-1`` (``m >= 1``); modulo bias is below 2**-40 for our ``m``."""
    return int(_next(state) % np.uint64(m))


# -- exact -----------------------------------------------------------------------------------------


@njit(cache=True)
def held_karp(d: np.ndarray) -> tuple[np.ndarray, float]:
    """Exact shortest path ``0 -> all of 1..n-2 -> n-1`` by dynamic programming over subsets.

    O(2^k k^2) time and O(2^k k) memory for ``k = n - 2`` inner nodes: use for ``k <= 14``.
    Returns the full path (with both ends) and its cost.
    """
    n = d.shape[0]
    k = n - 2
    path = np.empty(n, dtype=np.int64)
    path[0] = 0
    path[n - 1] = n - 1
    if k <= 0:
        return path, d[0, n - 1]
    full = 1 << k
    dp = np.full((full, k), np.inf)
    parent = np.full((full, k), -1, dtype=np.int8)
    for j in range(k):
        dp[1 << j, j] = d[0, j + 1]
    for mask in range(1, full):
        for j in range(k):
            base = dp[mask, j]
            if base == np.inf or not (mask >> j) & 1:
                continue
            for t in range(k):
                if (mask >> t) & 1:
                    continue
                nm = mask | (1 << t)
                cand = base + d[j + 1, t + 1]
                if cand < dp[nm, t]:
                    dp[nm, t] = cand
                    parent[nm, t] = j
    best = np.inf
    last = 0
    for j in range(k):
        c = dp[full - 1, j] + d[j + 1, n - 1]
        if c < best:
            best = c
            last = j
    mask = full - 1
    for pos in range(k, 0, -1):
        path[pos] = last + 1
        prev = parent[mask, last]
        mask ^= 1 << last
        last = prev
    return path, best


# -- local search ----------------------------------------------------------------------------------


@njit(cache=True)
def path_cost(d: np.ndarray, path: np.ndarray) -> float:
    """Cost of walking ``path`` in order."""
    c = 0.0
    for i in range(path.shape[0] - 1):
        c += d[path[i], path[i + 1]]
    return c


@njit(cache=True)
def nearest_neighbour(d: np.ndarray) -> np.ndarray:
    """Greedy start path: from the start always go to the nearest unvisited inner node."""
    n = d.shape[0]
    path = np.empty(n, dtype=np.int64)
    used = np.zeros(n, dtype=np.bool_)
    path[0] = 0
    path[n - 1] = n - 1
    used[0] = True
    used[n - 1] = True
    cur = 0
    for pos in range(1, n - 1):
        best = np.inf
        nxt = -1
        for j in range(1, n - 1):
            if not used[j] and d[cur, j] < best:
                best = d[cur, j]
                nxt = j
        path[pos] = nxt
        used[nxt] = True
        cur = nxt
    return path


@njit(cache=True)
def _reverse_pos(path: np.ndarray, pos: np.ndarray, i: int, j: int) -> None:
    while i < j:
        a = path[j]
        b = path[i]
        path[i] = a
        path[j] = b
        pos[a] = i
        pos[b] = j
        i += 1
        j -= 1


@njit(cache=True)
def _or_move_at(
    d: np.ndarray, path: np.ndarray, pos: np.ndarray, buf: np.ndarray, i: int, seg: int,
    touched: np.ndarray,
) -> int:  # fmt: skip
    """Best re-insertion of segment ``path[i..i+seg-1]`` (either way round), applied if it gains."""
    n = path.shape[0]
    s0 = path[i]
    s1 = path[i + seg - 1]
    prv = path[i - 1]
    nxt = path[i + seg]
    fwd = 0.0
    rev = 0.0
    for q in range(i, i + seg - 1):
        fwd += d[path[q], path[q + 1]]
        rev += d[path[q + 1], path[q]]
    removed = d[prv, s0] + d[s1, nxt] - d[prv, nxt]
    best = -_EPS
    best_p = -1
    best_rev = False
    for p in range(n - 1):
        if i - 1 <= p <= i + seg - 1:
            continue
        u = path[p]
        v = path[p + 1]
        base = d[u, v] + removed
        delta = d[u, s0] + d[s1, v] - base
        if delta < best:
            best = delta
            best_p = p
            best_rev = False
        if seg > 1:
            delta = d[u, s1] + d[s0, v] - base + rev - fwd
            if delta < best:
                best = delta
                best_p = p
                best_rev = True
    if best_p < 0:
        return 0
    touched[0] = prv
    touched[1] = s0
    touched[2] = s1
    touched[3] = nxt
    touched[4] = path[best_p]
    touched[5] = path[best_p + 1]
    lo = min(i, best_p + 1)
    hi = max(i + seg - 1, best_p)
    m = 0
    for q in range(lo, hi + 1):
        if i <= q < i + seg:
            continue
        if q == best_p + 1 and best_p < i:
            for r in range(seg):
                buf[m] = path[i + seg - 1 - r] if best_rev else path[i + r]
                m += 1
        buf[m] = path[q]
        m += 1
        if q == best_p and best_p > i:
            for r in range(seg):
                buf[m] = path[i + seg - 1 - r] if best_rev else path[i + r]
                m += 1
    for q in range(m):
        path[lo + q] = buf[q]
        pos[buf[q]] = lo + q
    return 6


@njit(cache=True)
def _improve_at(
    d: np.ndarray, path: np.ndarray, pos: np.ndarray, buf: np.ndarray, i: int, touched: np.ndarray
) -> int:
    """Apply the first improving move touching position ``i``; return how many nodes it touched."""
    n = path.shape[0]
    # 2-opt: reverse path[i..j], j > i
    if 1 <= i <= n - 3:
        a = path[i - 1]
        fwd = 0.0
        rev = 0.0
        for j in range(i + 1, n - 1):
            fwd += d[path[j - 1], path[j]]
            rev += d[path[j], path[j - 1]]
            b = path[j + 1]
            delta = d[a, path[j]] + rev + d[path[i], b] - d[a, path[i]] - fwd - d[path[j], b]
            if delta < -_EPS:
                touched[0] = a
                touched[1] = path[i]
                touched[2] = path[j]
                touched[3] = b
                _reverse_pos(path, pos, i, j)
                return 4
    # 2-opt: reverse path[h..i], h < i
    if 2 <= i <= n - 2:
        b = path[i + 1]
        fwd = 0.0
        rev = 0.0
        for h in range(i - 1, 0, -1):
            fwd += d[path[h], path[h + 1]]
            rev += d[path[h + 1], path[h]]
            a = path[h - 1]
            delta = d[a, path[i]] + rev + d[path[h], b] - d[a, path[h]] - fwd - d[path[i], b]
            if delta < -_EPS:
                touched[0] = a
                touched[1] = path[h]
                touched[2] = path[i]
                touched[3] = b
                _reverse_pos(path, pos, h, i)
                return 4
    # Or-opt: segments of 1..3 nodes starting or ending at i
    for seg in range(1, 4):
        for first in (i, i - seg + 1):
            if seg == 1 and first != i:
                continue
            if first < 1 or first + seg - 1 > n - 2:
                continue
            m = _or_move_at(d, path, pos, buf, first, seg, touched)
            if m:
                return m
    return 0


@njit(cache=True)
def local_search_dlb(
    d: np.ndarray, path: np.ndarray, pos: np.ndarray, stack: np.ndarray, top: int,
    in_stack: np.ndarray,
) -> None:  # fmt: skip
    """2-opt + Or-opt descent driven by don't-look bits.

    Only nodes on the stack (``stack[:top]``, flagged in ``in_stack``) are examined; a node whose
    neighbourhood holds no improving move drops off, the ends of every changed arc go back on. After
    a local kick only the few nodes around it are examined, not the whole path.
    """
    n = path.shape[0]
    buf = np.empty(n, dtype=np.int64)
    touched = np.empty(6, dtype=np.int64)
    while top > 0:
        top -= 1
        v = stack[top]
        in_stack[v] = False
        i = pos[v]
        if i == 0:
            i = 1
        elif i == n - 1:
            i = n - 2
        m = _improve_at(d, path, pos, buf, i, touched)
        if m == 0:
            continue
        if not in_stack[v]:
            in_stack[v] = True
            stack[top] = v
            top += 1
        for q in range(m):
            t = touched[q]
            if not in_stack[t]:
                in_stack[t] = True
                stack[top] = t
                top += 1


@njit(cache=True)
def local_search(d: np.ndarray, path: np.ndarray) -> None:
    """2-opt + Or-opt descent of ``path`` (in place) until no move improves it."""
    n = path.shape[0]
    pos = np.empty(n, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    for q in range(n):
        pos[path[q]] = q
        stack[q] = path[n - 1 - q]  # popped from the top: the start side first
    in_stack = np.ones(n, dtype=np.bool_)
    local_search_dlb(d, path, pos, stack, n, in_stack)


@njit(cache=True)
def _double_bridge(
    path: np.ndarray, out: np.ndarray, state: np.ndarray, max_seg: int
) -> tuple[int, int, int]:
    """Segment-swap kick: exchange two adjacent inner segments ``B C -> C B`` of 1..max_seg nodes.

    With ends fixed this is the double-bridge move restricted to a window, which keeps the kick
    local (a random whole-path double bridge destroys too much structure on 20-60 node paths).
    """
    n = path.shape[0]
    inner = n - 2
    lb = 1 + _randint(state, min(max_seg, inner - 1))
    lc = 1 + _randint(state, min(max_seg, inner - lb))
    p1 = 1 + _randint(state, inner - lb - lc + 1)
    p2 = p1 + lb
    p3 = p2 + lc
    out[:p1] = path[:p1]
    out[p1 : p1 + lc] = path[p2:p3]
    out[p1 + lc : p3] = path[p1:p2]
    out[p3:] = path[p3:]
    return p1, p2, p3


@njit(cache=True)
def iterated_local_search(
    d: np.ndarray,
    cur: np.ndarray,
    best: np.ndarray,
    state: np.ndarray,
    iterations: int,
    max_seg: int,
) -> float:
    """Run ``iterations`` kicks of iterated local search; ``cur`` and ``best`` are updated in place.

    ``cur`` must be a local optimum on entry (see :func:`local_search`) and ``best`` a path at
    least as good. Each iteration kicks ``cur`` with :func:`_double_bridge`, re-optimises the few
    nodes around the kick (:func:`local_search_dlb`), and accepts the result when it is no worse
    (sideways moves let the search drift across the plateaus common in warehouse metrics).
    Returns the cost of ``best``.
    """
    n = d.shape[0]
    cand = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    in_stack = np.zeros(n, dtype=np.bool_)
    cur_cost = path_cost(d, cur)
    best_cost = path_cost(d, best)
    for _ in range(iterations):
        p1, p2, p3 = _double_bridge(cur, cand, state, max_seg)
        for q in range(n):
            pos[cand[q]] = q
        top = 0
        for q in (p1 - 1, p1, p1 + p3 - p2 - 1, p1 + p3 - p2, p3 - 1, p3):
            v = cand[q]
            if not in_stack[v]:
                in_stack[v] = True
                stack[top] = v
                top += 1
        local_search_dlb(d, cand, pos, stack, top, in_stack)
        c = path_cost(d, cand)
        if c <= cur_cost + _EPS:
            cur[:] = cand
            cur_cost = c
            if c < best_cost - _EPS:
                best[:] = cand
                best_cost = c
    return best_cost
