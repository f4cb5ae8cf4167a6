"""Compiled distance kernels for rectangular (parallel-aisle, multi-block) warehouses.

Private: call them through :mod:`wms.layout.rectangular`, whose wrappers check shapes and dtypes.

A *network point* is described by five scalars ``(x, y, a, r, o)``: coordinates, the aisle it lies
in (``a >= 0``) or ``-1`` when it is on a cross aisle between aisles, the cross aisle (row) it lies
on or ``-1``, and an access offset walked to reach it from the centre line (depot spurs).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _vertical(y1: float, y2: float, cross_y: np.ndarray) -> float:
    """Shortest vertical travel between y1 and y2 when the picker must switch aisle on a cross aisle."""
    best = np.inf
    for c in range(cross_y.shape[0]):
        v = abs(y1 - cross_y[c]) + abs(cross_y[c] - y2)
        if v < best:
            best = v
    return best


@njit(cache=True)
def pair_distance(
    x1: float,
    y1: float,
    a1: int,
    o1: float,
    x2: float,
    y2: float,
    a2: int,
    o2: float,
    aisle_x: np.ndarray,
    cross_y: np.ndarray,
) -> float:
    """Shortest-path distance between two network points (closed form)."""
    if a1 >= 0 and a1 == a2:
        return abs(y1 - y2) + o1 + o2
    dx = abs(x1 - x2)
    dv = _vertical(y1, y2, cross_y)
    if a1 < 0 and a2 < 0 and dv > 0.0:
        # Both off-aisle points on different cross aisles: the vertical move needs an aisle.
        lo = min(x1, x2)
        hi = max(x1, x2)
        detour = np.inf
        for k in range(aisle_x.shape[0]):
            d = max(0.0, lo - aisle_x[k]) + max(0.0, aisle_x[k] - hi)
            if d < detour:
                detour = d
        dx += 2.0 * detour
    return dx + dv + o1 + o2


@njit(cache=True, parallel=True)
def location_matrix(
    ax: np.ndarray,
    ay: np.ndarray,
    aa: np.ndarray,
    ab: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
    ba: np.ndarray,
    bb: np.ndarray,
    cross_y: np.ndarray,
    out: np.ndarray,
) -> None:
    """Fill ``out[i, j]`` with the distance between storage locations (all strictly inside blocks)."""
    for i in prange(ax.shape[0]):
        xi = ax[i]
        yi = ay[i]
        ai = aa[i]
        bi = ab[i]
        lo = cross_y[bi]
        hi = cross_y[bi + 1]
        for j in range(bx.shape[0]):
            yj = by[j]
            if ba[j] == ai:
                out[i, j] = abs(yi - yj)
            elif bb[j] != bi:
                out[i, j] = abs(xi - bx[j]) + abs(yi - yj)
            else:
                out[i, j] = abs(xi - bx[j]) + min(yi + yj - 2.0 * lo, 2.0 * hi - yi - yj)


@njit(cache=True)
def point_matrix(
    px: np.ndarray,
    py: np.ndarray,
    pa: np.ndarray,
    po: np.ndarray,
    aisle_x: np.ndarray,
    cross_y: np.ndarray,
) -> np.ndarray:
    """Full symmetric distance matrix among arbitrary network points."""
    n = px.shape[0]
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            d = pair_distance(
                px[i], py[i], pa[i], po[i], px[j], py[j], pa[j], po[j], aisle_x, cross_y
            )
            out[i, j] = d
            out[j, i] = d
    return out
