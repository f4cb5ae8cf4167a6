"""Seeded order-batching instances in the Henn et al. (2010) geometry.

The warehouse has 10 aisles of 45 positions per side (pitch 1 m, aisle pitch 5 m, cross aisles
47 m apart, depot at the front of the leftmost aisle: the metric of ``../shared/formats``). Orders
have 5 to 25 distinct articles, drawn with **uniform** demand (every location equally likely) or
**ABC** demand: 52 % of the picks in the aisle next to the depot (A), 36 % in the next 3 aisles (B)
and 12 % in the last 6 (C).

>>> from wms.batching.generate import generate_problem
>>> p = generate_problem(20, capacity=45, demand="abc", seed=1)
>>> p.n_orders
20
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from wms.batching.base import BatchingProblem
from wms.layout import RectangularLayout

Demand = Literal["uniform", "abc"]

#: (share of demand, number of aisles) of the A, B and C classes, from the depot outwards.
ABC_CLASSES: tuple[tuple[float, int], ...] = ((0.52, 1), (0.36, 3), (0.12, 6))


#: The standard Henn setting (``sett1.txt`` of the published instances).
STANDARD_SETTING: dict[str, int | float | str] = {
    "no_aisles_": 10,
    "no_cells__": 45,
    "cell_lengt": 1,
    "cell_width": 1.5,
    "aisle_widt": 2,
    "dis_ais_wa": 1,
    "routing___": "s",
}


def henn_layout(n_aisles: int = 10, n_cells: int = 45) -> RectangularLayout:
    """The Henn warehouse of the standard setting with ``n_aisles`` aisles of ``n_cells`` cells.

    Built by :func:`wms.io.henn.henn_layout`, so generated instances share the geometry of the
    Henn files: aisle pitch 5 m, position ``l`` at ``y = 1.5 + l``, back cross aisle at
    ``2 + n_cells``, depot at the front of the leftmost aisle. The location index of (aisle,
    position, side) is ``(aisle * n_cells + position) * 2 + side``.
    """
    from wms.io.henn import HennSetting
    from wms.io.henn import henn_layout as _henn_layout

    return _henn_layout(HennSetting(STANDARD_SETTING), n_aisles=n_aisles, n_cells=n_cells)


def henn_location(aisle_side: int, cell: int, n_cells: int = 45) -> int:
    """Location index on :func:`henn_layout` of a Henn article.

    Parameters
    ----------
    aisle_side
        Henn's ``Aisle``: an aisle side, physical aisle ``aisle_side // 2``.
    cell
        Henn's ``Location``: position from the front, ``0..n_cells-1``.
    n_cells
        Positions per aisle side.

    Returns
    -------
    int
        Index into ``henn_layout().locations``.
    """
    return ((aisle_side // 2) * n_cells + cell) * 2 + aisle_side % 2


def location_weights(demand: Demand, n_aisles: int = 10, n_cells: int = 45) -> NDArray[np.float64]:
    """Probability of each location of :func:`henn_layout` being picked.

    Parameters
    ----------
    demand
        ``"uniform"`` or ``"abc"`` (:data:`ABC_CLASSES`, classes from the depot outwards).
    n_aisles, n_cells
        Warehouse size; ABC demand needs the 1 + 3 + 6 = 10 aisles of the classes.

    Returns
    -------
    ndarray
        ``(2 * n_aisles * n_cells,)`` probabilities summing to 1.
    """
    per_aisle = 2 * n_cells
    if demand == "uniform":
        return np.full(n_aisles * per_aisle, 1.0 / (n_aisles * per_aisle))
    if demand != "abc":
        raise ValueError(f"unknown demand {demand!r}; choose one of: uniform, abc")
    if sum(k for _, k in ABC_CLASSES) != n_aisles:
        raise ValueError(
            f"ABC demand needs {sum(k for _, k in ABC_CLASSES)} aisles, got {n_aisles}"
        )
    w = np.empty(n_aisles * per_aisle)
    a = 0
    for share, k in ABC_CLASSES:
        w[a * per_aisle : (a + k) * per_aisle] = share / (k * per_aisle)
        a += k
    return w / w.sum()


def generate_orders(
    n_orders: int,
    *,
    demand: Demand = "uniform",
    min_items: int = 5,
    max_items: int = 25,
    seed: int | np.random.Generator = 0,
    n_aisles: int = 10,
    n_cells: int = 45,
) -> list[NDArray[np.int64]]:
    """Orders of ``min_items..max_items`` distinct articles as location-index arrays.

    Parameters
    ----------
    n_orders
        Number of orders.
    demand
        ``"uniform"`` or ``"abc"`` (see the module docstring).
    min_items, max_items
        The article count of each order is uniform on this range (inclusive).
    seed
        Seed or generator; the same seed gives the same orders.
    n_aisles, n_cells
        Warehouse size (:func:`henn_layout`).

    Returns
    -------
    list of ndarray
        ``orders[k]`` holds the distinct location indices of order ``k``.
    """
    if n_orders < 0:
        raise ValueError(f"n_orders must be >= 0, got {n_orders}")
    n_loc = n_aisles * n_cells * 2
    if not 1 <= min_items <= max_items <= n_loc:
        raise ValueError(
            f"need 1 <= min_items <= max_items <= {n_loc}, got {min_items}..{max_items}"
        )
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    w = location_weights(demand, n_aisles, n_cells)
    sizes = rng.integers(min_items, max_items + 1, size=n_orders)
    if demand == "uniform":
        return [
            np.sort(rng.choice(n_loc, size=int(k), replace=False)).astype(np.int64) for k in sizes
        ]
    # Distinct locations under unequal weights: Gumbel top-k (exact weighted sampling w/o replacement).
    logw = np.log(w)
    out = []
    for k in sizes:
        keys = logw + rng.gumbel(size=n_loc)
        out.append(np.sort(np.argpartition(-keys, int(k) - 1)[: int(k)]).astype(np.int64))
    return out


def generate_problem(
    n_orders: int,
    capacity: float,
    *,
    demand: Demand = "uniform",
    seed: int | np.random.Generator = 0,
    routing: str = "s_shape",
    min_items: int = 5,
    max_items: int = 25,
    layout: RectangularLayout | None = None,
) -> BatchingProblem:
    """A unit-capacity :class:`BatchingProblem` on the Henn layout (one unit per article).

    Parameters
    ----------
    n_orders, demand, seed, min_items, max_items
        As for :func:`generate_orders`.
    capacity
        Articles per batch (Henn: 30, 45, 60 or 75).
    routing
        Routing method name measuring the batches.
    layout
        Reuse an already built :func:`henn_layout` (building one takes a few milliseconds).

    Returns
    -------
    BatchingProblem
    """
    lay = henn_layout() if layout is None else layout
    orders = generate_orders(
        n_orders, demand=demand, seed=seed, min_items=min_items, max_items=max_items
    )
    return BatchingProblem.from_orders(lay, orders, capacity, routing=routing)


def generate_singles(
    n_orders: int,
    *,
    demand: Demand = "uniform",
    seed: int | np.random.Generator = 0,
    n_aisles: int = 10,
    n_cells: int = 45,
) -> NDArray[np.int64]:
    """Locations of single-unit orders (one location each; orders may share a location).

    Parameters
    ----------
    n_orders
        Number of orders.
    demand
        ``"uniform"`` or ``"abc"``.
    seed
        Seed or generator.
    n_aisles, n_cells
        Warehouse size (:func:`henn_layout`).

    Returns
    -------
    ndarray
        ``(n_orders,)`` location indices.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    w = location_weights(demand, n_aisles, n_cells)
    return rng.choice(w.size, size=n_orders, p=w).astype(np.int64)
