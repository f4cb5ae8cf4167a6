"""Totes of a pick-and-sort cart: pack one order into totes, number the totes of a cart.

On a pick-and-sort cart every tote holds exactly one order; after each scan the picker is told
which tote the item goes into. An order larger than one tote either gets several totes or goes
elsewhere (see :class:`~wms.waves.config.CartRules`); the packing below tells how many it needs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class ToteCapacity:
    """Limits of one tote (``math.inf``: unlimited)."""

    units: float = math.inf
    weight_kg: float = math.inf
    volume_l: float = math.inf

    def max_units_of(self, unit_weight_kg: float, unit_volume_l: float) -> int:
        """How many units of one SKU fit into an empty tote (0: not even one)."""
        fits = self.units
        if unit_weight_kg > 0:
            fits = min(fits, self.weight_kg / unit_weight_kg)
        if unit_volume_l > 0:
            fits = min(fits, self.volume_l / unit_volume_l)
        if math.isinf(fits):
            return 2**62
        return math.floor(fits + _EPS)


@dataclass(frozen=True, slots=True)
class ToteItem:
    """What a line (or a piece of it) puts into totes: quantity and per-unit weight and volume."""

    quantity: int
    unit_weight_kg: float
    unit_volume_l: float


def pack_totes(
    items: Sequence[ToteItem], capacity: ToteCapacity
) -> list[list[tuple[int, int]]] | None:
    """Pack the items of one order into as few totes as first-fit decreasing finds.

    A line is kept in one tote when it fits into one; only a line larger than a whole tote is
    split by quantity (into full totes, the rest packed like any other line).

    Parameters
    ----------
    items
        The order's lines.
    capacity
        Limits of one tote.

    Returns
    -------
    list[list[tuple[int, int]]] | None
        Per tote, ``(item index, quantity)`` pairs; the quantities of an item sum to its quantity.
        ``None`` when one unit of some item does not fit into an empty tote.
    """

    # Normalised size: the fraction of a tote the item fills in its tightest dimension.
    def size(q: int, it: ToteItem) -> float:
        return max(
            q / capacity.units,
            q * it.unit_weight_kg / capacity.weight_kg,
            q * it.unit_volume_l / capacity.volume_l,
        )

    totes: list[list[tuple[int, int]]] = []
    used: list[list[float]] = []  # units, weight, volume per tote
    pieces: list[tuple[int, int]] = []
    for i, it in enumerate(items):
        per_tote = capacity.max_units_of(it.unit_weight_kg, it.unit_volume_l)
        if per_tote < 1:
            return None
        q = it.quantity
        while q > per_tote:  # a full tote of this line alone
            totes.append([(i, per_tote)])
            used.append([per_tote, per_tote * it.unit_weight_kg, per_tote * it.unit_volume_l])
            q -= per_tote
        if q:
            pieces.append((i, q))

    pieces.sort(key=lambda p: (-size(p[1], items[p[0]]), p[0]))
    for i, q in pieces:
        it = items[i]
        load = (q, q * it.unit_weight_kg, q * it.unit_volume_l)
        for t, u in enumerate(used):
            if (
                u[0] + load[0] <= capacity.units + _EPS
                and u[1] + load[1] <= capacity.weight_kg + _EPS
                and u[2] + load[2] <= capacity.volume_l + _EPS
            ):
                totes[t].append((i, q))
                u[0] += load[0]
                u[1] += load[1]
                u[2] += load[2]
                break
        else:
            totes.append([(i, q)])
            used.append(list(load))
    return totes


def number_totes(first_seen: Sequence[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Number the totes of one cart 1, 2, ... so that each order's totes are neighbours.

    Parameters
    ----------
    first_seen
        ``(part, local tote)`` pairs in the order the walk first puts something into them.

    Returns
    -------
    dict[tuple[int, int], int]
        ``(part, local tote) -> tote number``: parts in order of their first put, a part's totes
        in order of their first put, numbered consecutively from 1.
    """
    by_part: dict[int, list[int]] = {}
    for part, tote in first_seen:
        totes = by_part.setdefault(part, [])
        if tote not in totes:
            totes.append(tote)
    out: dict[tuple[int, int], int] = {}
    number = 0
    for part, totes in by_part.items():
        for tote in totes:
            number += 1
            out[(part, tote)] = number
    return out
