"""Domain objects shared by all packages: immutable, validated on construction.

Units are in the names: metres (``_m``), seconds (``_s``), kilograms (``_kg``), litres (``_l``).
Layout coordinates: x across aisles, y along them, origin at the front-left corner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

StopKind = Literal["start", "pick", "waypoint", "end"]


@dataclass(frozen=True, slots=True)
class Point:
    """A named place on a cross aisle that is not a storage location.

    Depot, route end (pack station, sort-zone drop-off) and stations are points. The picker reaches a
    point from the cross aisle ``cross_aisle`` at x = ``x_m``; ``offset_m`` is the extra walk from the
    cross-aisle centre line to the point itself (walked once when arriving, once when leaving).
    """

    name: str
    x_m: float
    cross_aisle: int
    offset_m: float = 0.0

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a point needs a non-empty name")
        if self.cross_aisle < 0:
            raise ValueError(f"point {self.name!r}: cross_aisle must be >= 0, got {self.cross_aisle}")
        if self.offset_m < 0:
            raise ValueError(f"point {self.name!r}: offset_m must be >= 0, got {self.offset_m}")


@dataclass(frozen=True, slots=True)
class Stop:
    """One stop of a walked route, in walking order.

    ``kind`` is ``"start"``, ``"pick"``, ``"waypoint"`` (an aisle entry/exit or corner the picker
    passes) or ``"end"``. ``location_id`` is the storage location id for picks, the point name for
    start/end, and a generated label such as ``"A03/X1"`` (aisle 3 at cross aisle 1) for waypoints.
    ``pick_index`` is the position of the pick in the request (``None`` for non-picks).
    """

    kind: StopKind
    location_id: str
    x_m: float
    y_m: float
    pick_index: int | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dictionary."""
        out: dict[str, object] = {
            "kind": self.kind,
            "id": self.location_id,
            "x_m": round(self.x_m, 6),
            "y_m": round(self.y_m, 6),
        }
        if self.pick_index is not None:
            out["pick_index"] = self.pick_index
        return out


@dataclass(frozen=True, slots=True)
class Route:
    """A picker route: its length and the stops in walking order.

    Consecutive stops are joined by a shortest path of the layout, so the route can be walked as
    listed; ``length_m`` equals the sum of those leg lengths.
    """

    method: str
    length_m: float
    stops: tuple[Stop, ...]

    @property
    def pick_sequence(self) -> tuple[int, ...]:
        """Request positions of the picks in the order they are picked (each pick once)."""
        seen: set[int] = set()
        order: list[int] = []
        for stop in self.stops:
            if stop.kind == "pick" and stop.pick_index is not None and stop.pick_index not in seen:
                seen.add(stop.pick_index)
                order.append(stop.pick_index)
        return tuple(order)
