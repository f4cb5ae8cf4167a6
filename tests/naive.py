"""Slow, obvious reference solvers that the fast kernels are checked against."""

from __future__ import annotations

import itertools

import numpy as np


def held_karp(d: np.ndarray) -> float:
    """Exact shortest path 0 -> (all of 1..n-2 in any order) -> n-1 on matrix ``d`` (Held-Karp).

    ``d`` has the start in row/column 0 and the end in the last row/column (they may be the same
    place, with distance 0 between them). O(2^k k^2) for k inner nodes: fine up to k = 12.
    """
    n = d.shape[0]
    k = n - 2
    if k <= 0:
        return float(d[0, n - 1])
    full = 1 << k
    dp = np.full((full, k), np.inf)
    for j in range(k):
        dp[1 << j, j] = d[0, j + 1]
    for mask in range(1, full):
        row = dp[mask]
        for j in range(k):
            if not (mask >> j) & 1 or row[j] == np.inf:
                continue
            base = row[j]
            for t in range(k):
                if (mask >> t) & 1:
                    continue
                cand = base + d[j + 1, t + 1]
                nm = mask | (1 << t)
                if cand < dp[nm, t]:
                    dp[nm, t] = cand
    return float(min(dp[full - 1, j] + d[j + 1, n - 1] for j in range(k)))


def brute_force(d: np.ndarray) -> float:
    """Exact by enumerating all orders (k <= 8), to cross-check :func:`held_karp` itself."""
    n = d.shape[0]
    best = np.inf
    for perm in itertools.permutations(range(1, n - 1)):
        path = (0, *perm, n - 1)
        best = min(best, sum(d[a, b] for a, b in itertools.pairwise(path)))
    return float(best)
