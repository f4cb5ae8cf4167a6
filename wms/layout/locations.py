"""Storage locations as a column table (numpy arrays), shared by every layout kind.

A layout may hold tens of thousands of locations; algorithms address them by integer index, while
integrators use the string ids. ``LocationTable.index`` maps one to the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from wms.errors import LayoutError


@dataclass(frozen=True, eq=False)
class LocationTable:
    """Columns describing every storage location of a layout.

    Attributes
    ----------
    ids
        Location ids integrators use, unique.
    x_m, y_m
        Coordinates of the access point (the aisle centre line in front of the location).
    aisle
        Aisle index (rectangular layouts), ``-1`` for graph layouts.
    block
        Block index (rectangular layouts), ``-1`` for graph layouts.
    position
        Position along the aisle side within its block, counted from the front (rectangular), else -1.
    side
        0 = left side of the aisle, 1 = right side (both reached from the same centre-line point).
    level
        Shelf level, 0 = floor.
    zone
        Index into ``zone_names``, ``-1`` when the location belongs to no zone.
    node
        Graph node index of the access point (graph layouts), ``-1`` for rectangular layouts.
    """

    ids: tuple[str, ...]
    x_m: NDArray[np.float64]
    y_m: NDArray[np.float64]
    aisle: NDArray[np.int64]
    block: NDArray[np.int64]
    position: NDArray[np.int64]
    side: NDArray[np.int8]
    level: NDArray[np.int16]
    zone: NDArray[np.int64]
    zone_names: tuple[str, ...] = ()
    node: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name in ("x_m", "y_m", "aisle", "block", "position", "side", "level", "zone"):
            column = getattr(self, name)
            if column.shape != (n,):
                raise LayoutError(
                    f"location column {name!r} has shape {column.shape}, expected ({n},)"
                )
        if self.node.shape != (n,):
            object.__setattr__(self, "node", np.full(n, -1, dtype=np.int64))
        index = {loc_id: i for i, loc_id in enumerate(self.ids)}
        if len(index) != n:
            seen: set[str] = set()
            dup = ""
            for loc_id in self.ids:
                if loc_id in seen:
                    dup = loc_id
                    break
                seen.add(loc_id)
            raise LayoutError(f"location id {dup!r} appears more than once: ids must be unique")
        object.__setattr__(self, "_index", index)

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, location_id: str) -> int:
        """Integer index of ``location_id``; raises :class:`LayoutError` naming the id if unknown."""
        try:
            return self._index[location_id]
        except KeyError:
            example = ", ".join(self.ids[:3])
            raise LayoutError(
                f"unknown location id {location_id!r}: the layout has {len(self.ids)} locations "
                f"with ids like {example}"
            ) from None

    def indices(self, location_ids: Iterable[str]) -> NDArray[np.int64]:
        """Integer indices of many location ids (see :meth:`index`)."""
        return np.fromiter((self.index(i) for i in location_ids), dtype=np.int64)

    def zone_of(self, i: int) -> str | None:
        """Zone name of location ``i`` or ``None``."""
        z = int(self.zone[i])
        return self.zone_names[z] if z >= 0 else None


def make_table(
    ids: Sequence[str],
    x_m: Sequence[float] | NDArray[np.float64],
    y_m: Sequence[float] | NDArray[np.float64],
    *,
    aisle: Sequence[int] | NDArray[np.int64] | None = None,
    block: Sequence[int] | NDArray[np.int64] | None = None,
    position: Sequence[int] | NDArray[np.int64] | None = None,
    side: Sequence[int] | NDArray[np.int8] | None = None,
    level: Sequence[int] | NDArray[np.int16] | None = None,
    zone: Sequence[int] | NDArray[np.int64] | None = None,
    zone_names: Sequence[str] = (),
    node: Sequence[int] | NDArray[np.int64] | None = None,
) -> LocationTable:
    """Build a :class:`LocationTable`, filling missing columns with their neutral value."""
    n = len(ids)

    def col(values: object, dtype: type, fill: int) -> NDArray[Any]:
        if values is None:
            return np.full(n, fill, dtype=dtype)
        return np.asarray(values, dtype=dtype)

    return LocationTable(
        ids=tuple(ids),
        x_m=np.asarray(x_m, dtype=np.float64),
        y_m=np.asarray(y_m, dtype=np.float64),
        aisle=col(aisle, np.int64, -1),
        block=col(block, np.int64, -1),
        position=col(position, np.int64, -1),
        side=col(side, np.int8, 0),
        level=col(level, np.int16, 0),
        zone=col(zone, np.int64, -1),
        zone_names=tuple(zone_names),
        node=col(node, np.int64, -1),
    )
