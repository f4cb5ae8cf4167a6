"""Domain objects shared by all packages: immutable, validated on construction.

Units are in the names: metres (``_m``), seconds (``_s``), kilograms (``_kg``), litres (``_l``).
Layout coordinates: x across aisles, y along them, origin at the front-left corner.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

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
            raise ValueError(
                f"point {self.name!r}: cross_aisle must be >= 0, got {self.cross_aisle}"
            )
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


# -- orders, SKUs and pick lists ----------------------------------------------------------------
#
# The pick-list planning API (:func:`wms.planning.plan_picklists`) takes SKUs and orders and returns
# a :class:`Plan`: waves of pick lists whose stops are in walking order. Everything below is
# immutable and checks itself on construction (``ValueError`` naming the object and the field).


def _require_id(kind: str, value: object, field_name: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{kind}: {field_name} must be a non-empty string, got {value!r}")


def _require_amount(kind: str, name: str, value: float, *, positive: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{kind}: {name} must be a number, got {value!r}")
    if value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{kind}: {name} must be {bound}, got {value!r}")


def _require_count(kind: str, name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{kind}: {name} must be an integer >= {minimum}, got {value!r}")


def _json_number(value: float) -> float | None:
    """A float for JSON: infinite limits become ``None`` (unlimited), others are rounded."""
    return None if math.isinf(value) else round(float(value), 6)


@dataclass(frozen=True, slots=True)
class Sku:
    """A stock-keeping unit of the catalogue (SKU master) with its slotting.

    Attributes
    ----------
    sku_id
        Unique id.
    weight_kg, volume_l
        Weight and volume of one unit.
    handling_class
        ``"normal"``, ``"bulky"``, ``"fragile"`` or any site-specific class; pick-list rules may put
        some classes on lists of their own.
    locations
        Storage location ids holding the SKU (layout ``locations.ids``); the first one is the pick
        face that pick lists use, further ones are overflow/reserve.
    velocity_class
        Optional popularity class (``"A"``, ``"B"``, ``"C"``...), informative.
    """

    sku_id: str
    weight_kg: float
    volume_l: float
    handling_class: str = "normal"
    locations: tuple[str, ...] = ()
    velocity_class: str | None = None

    def __post_init__(self) -> None:
        _require_id("SKU", self.sku_id, "sku_id")
        kind = f"SKU {self.sku_id!r}"
        _require_amount(kind, "weight_kg", self.weight_kg)
        _require_amount(kind, "volume_l", self.volume_l)
        if math.isinf(self.weight_kg) or math.isinf(self.volume_l):
            raise ValueError(f"{kind}: weight_kg and volume_l must be finite")
        _require_id(kind, self.handling_class, "handling_class")
        if isinstance(self.locations, str):
            raise ValueError(f"{kind}: locations must be a sequence of location ids, not a string")
        locations = tuple(self.locations)
        for loc in locations:
            _require_id(kind, loc, "a location id")
        if len(set(locations)) != len(locations):
            dup = next(loc for i, loc in enumerate(locations) if loc in locations[:i])
            raise ValueError(f"{kind}: location {dup!r} is listed twice")
        object.__setattr__(self, "locations", locations)
        if self.velocity_class is not None:
            _require_id(kind, self.velocity_class, "velocity_class")

    @property
    def pick_location(self) -> str | None:
        """The location pick lists use (the first one), ``None`` for an SKU not slotted yet."""
        return self.locations[0] if self.locations else None

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dictionary (the record format of the SKU JSON reader)."""
        out: dict[str, object] = {
            "sku_id": self.sku_id,
            "weight_kg": self.weight_kg,
            "volume_l": self.volume_l,
            "handling_class": self.handling_class,
            "locations": list(self.locations),
        }
        if self.velocity_class is not None:
            out["velocity_class"] = self.velocity_class
        return out


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line of an order: ``quantity`` units (> 0) of SKU ``sku_id``."""

    sku_id: str
    quantity: int

    def __post_init__(self) -> None:
        _require_id("order line", self.sku_id, "sku_id")
        _require_count(f"order line of SKU {self.sku_id!r}", "quantity", self.quantity, 1)


@dataclass(frozen=True, slots=True)
class Order:
    """A customer order.

    Attributes
    ----------
    order_id
        Unique id.
    lines
        The lines (at least one); the same SKU may appear on several lines.
    channel
        Sales channel (own shop, a marketplace...).
    priority
        Larger is more urgent; orders of a wave are planned by cutoff, then priority.
    cutoff
        Ship-by time (the carrier's pick-up), ``None`` if the order has none.
    carrier
        Courier/carrier name, ``None`` if not chosen yet.
    arrival
        When the order reached the warehouse (the simulation releases it with the next wave
        after it), ``None`` if unknown.
    """

    order_id: str
    lines: tuple[OrderLine, ...]
    channel: str = "default"
    priority: int = 0
    cutoff: datetime | None = None
    carrier: str | None = None
    arrival: datetime | None = None

    def __post_init__(self) -> None:
        _require_id("order", self.order_id, "order_id")
        kind = f"order {self.order_id!r}"
        lines = tuple(self.lines)
        if not lines:
            raise ValueError(f"{kind} has no lines: an order needs at least one line")
        for line in lines:
            if not isinstance(line, OrderLine):
                raise ValueError(f"{kind}: lines must be OrderLine objects, got {line!r}")
        object.__setattr__(self, "lines", lines)
        _require_id(kind, self.channel, "channel")
        if isinstance(self.priority, bool) or not isinstance(self.priority, int):
            raise ValueError(f"{kind}: priority must be an integer, got {self.priority!r}")
        if self.cutoff is not None and not isinstance(self.cutoff, datetime):
            raise ValueError(f"{kind}: cutoff must be a datetime or None, got {self.cutoff!r}")
        if self.arrival is not None and not isinstance(self.arrival, datetime):
            raise ValueError(f"{kind}: arrival must be a datetime or None, got {self.arrival!r}")
        if self.carrier is not None:
            _require_id(kind, self.carrier, "carrier")

    @property
    def units(self) -> int:
        """Total units over all lines."""
        return sum(line.quantity for line in self.lines)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dictionary (the record format of the order JSON reader)."""
        return {
            "order_id": self.order_id,
            "lines": [{"sku_id": ln.sku_id, "quantity": ln.quantity} for ln in self.lines],
            "channel": self.channel,
            "priority": self.priority,
            "cutoff": None if self.cutoff is None else self.cutoff.isoformat(),
            "carrier": self.carrier,
            "arrival": None if self.arrival is None else self.arrival.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Device:
    """A picking device: one container, or a cart with ``totes`` totes (pick-and-sort cart).

    Capacities are limits of the whole device; ``math.inf`` means unlimited. The per-tote limits
    (``tote_*``) default to the device limit divided by the number of totes.
    """

    name: str
    capacity_units: float = math.inf
    capacity_weight_kg: float = math.inf
    capacity_volume_l: float = math.inf
    totes: int = 1
    tote_units: float | None = None
    tote_weight_kg: float | None = None
    tote_volume_l: float | None = None

    def __post_init__(self) -> None:
        _require_id("device", self.name, "name")
        kind = f"device {self.name!r}"
        _require_amount(kind, "capacity_units", self.capacity_units, positive=True)
        _require_amount(kind, "capacity_weight_kg", self.capacity_weight_kg, positive=True)
        _require_amount(kind, "capacity_volume_l", self.capacity_volume_l, positive=True)
        _require_count(kind, "totes", self.totes, 1)
        for name, total in (
            ("tote_units", self.capacity_units),
            ("tote_weight_kg", self.capacity_weight_kg),
            ("tote_volume_l", self.capacity_volume_l),
        ):
            value = getattr(self, name)
            if value is None:
                object.__setattr__(self, name, total / self.totes)
            else:
                _require_amount(kind, name, value, positive=True)
                if value > total:
                    raise ValueError(f"{kind}: {name}={value:g} exceeds the device limit {total:g}")

    @property
    def is_cart(self) -> bool:
        """True for a pick-and-sort cart (more than one tote, one order per tote)."""
        return self.totes > 1

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dictionary; unlimited capacities are ``None``."""
        return {
            "name": self.name,
            "capacity_units": _json_number(self.capacity_units),
            "capacity_weight_kg": _json_number(self.capacity_weight_kg),
            "capacity_volume_l": _json_number(self.capacity_volume_l),
            "totes": self.totes,
            "tote_units": _json_number(float(self.tote_units or 0.0)),
            "tote_weight_kg": _json_number(float(self.tote_weight_kg or 0.0)),
            "tote_volume_l": _json_number(float(self.tote_volume_l or 0.0)),
        }


@dataclass(frozen=True, slots=True)
class TimeStandards:
    """Work-time standards (defaults from the domain notes); every value is a parameter.

    Attributes
    ----------
    walk_speed_m_s
        Walking speed, 0.8 m/s (up to 1.2 with a light cart).
    pick_s_per_unit
        Time to pick one unit, scan included (5-15 s).
    setup_s_per_list
        Pick-list setup per tour (take the device, print/scan the list, hand over).
    put_to_tote_s_per_unit
        Extra time per unit to put it into the right tote of a pick-and-sort cart (2-3 s).
    scan_s
        One scan (item or tote).
    sort_s_per_unit
        Put-wall sort per unit.
    pack_s_per_order, pack_s_per_unit
        Packing: per order (box, label) and per unit.
    """

    walk_speed_m_s: float = 0.8
    pick_s_per_unit: float = 10.0
    setup_s_per_list: float = 180.0
    put_to_tote_s_per_unit: float = 2.5
    scan_s: float = 2.0
    sort_s_per_unit: float = 4.0
    pack_s_per_order: float = 45.0
    pack_s_per_unit: float = 5.0

    def __post_init__(self) -> None:
        _require_amount("time standards", "walk_speed_m_s", self.walk_speed_m_s, positive=True)
        for name in (
            "pick_s_per_unit",
            "setup_s_per_list",
            "put_to_tote_s_per_unit",
            "scan_s",
            "sort_s_per_unit",
            "pack_s_per_order",
            "pack_s_per_unit",
        ):
            _require_amount("time standards", name, getattr(self, name))
        for name in (
            "walk_speed_m_s",
            "pick_s_per_unit",
            "setup_s_per_list",
            "put_to_tote_s_per_unit",
            "scan_s",
            "sort_s_per_unit",
            "pack_s_per_order",
            "pack_s_per_unit",
        ):
            if math.isinf(getattr(self, name)):
                raise ValueError(f"time standards: {name} must be finite")

    def pick_list_duration_s(
        self, route_length_m: float, units: int, *, cart: bool = False
    ) -> float:
        """Estimated time to work one pick list: setup + walk + pick (+ put to tote on a cart)."""
        per_unit = self.pick_s_per_unit + (self.put_to_tote_s_per_unit if cart else 0.0)
        return self.setup_s_per_list + route_length_m / self.walk_speed_m_s + per_unit * units

    def to_dict(self) -> dict[str, float]:
        """Plain JSON-ready dictionary."""
        return {name: float(getattr(self, name)) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class PickStop:
    """One stop of a pick list, in walking order: take ``quantity`` of ``sku_id`` at the location.

    Attributes
    ----------
    sequence
        Position in the walk, 1 for the first stop. Several SKUs or orders at one location are
        consecutive stops.
    location_id, x_m, y_m
        Where to pick (the aisle centre-line access point).
    sku_id, quantity
        What to pick.
    order_id
        The order the units are for.
    tote
        Cart tote (1-based) the units go into on a pick-and-sort cart; ``None`` when the list has a
        single shared container.
    line
        Index of the order line (0-based) in :attr:`Order.lines`.
    """

    sequence: int
    location_id: str
    sku_id: str
    quantity: int
    order_id: str
    tote: int | None
    x_m: float
    y_m: float
    line: int = 0

    def __post_init__(self) -> None:
        _require_count("pick stop", "sequence", self.sequence, 1)
        _require_id(f"pick stop {self.sequence}", self.location_id, "location_id")
        _require_id(f"pick stop {self.sequence}", self.sku_id, "sku_id")
        _require_id(f"pick stop {self.sequence}", self.order_id, "order_id")
        _require_count(f"pick stop {self.sequence}", "quantity", self.quantity, 1)
        _require_count(f"pick stop {self.sequence}", "line", self.line, 0)
        if self.tote is not None:
            _require_count(f"pick stop {self.sequence}", "tote", self.tote, 1)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dictionary."""
        return {
            "sequence": self.sequence,
            "location_id": self.location_id,
            "sku_id": self.sku_id,
            "quantity": self.quantity,
            "order_id": self.order_id,
            "line": self.line,
            "tote": self.tote,
            "x_m": round(self.x_m, 6),
            "y_m": round(self.y_m, 6),
        }


@dataclass(frozen=True, slots=True)
class PickList:
    """One tour of one picker with one device: stops in walking order and the list's totals.

    Attributes
    ----------
    list_id, wave_id
        Ids of the list and of the wave that released it.
    strategy
        ``"batch"`` (one shared container, sorted later), ``"cart"`` (pick-and-sort cart, one order
        per tote) or ``"singles"`` (single-unit orders in one tote).
    zone, handling_class
        The zone / handling class of every stop, ``None`` when the list mixes them.
    device
        Name of the device (:class:`Device`).
    stops
        Stops in walking order (``sequence`` 1, 2, ...).
    units, lines, weight_kg, volume_l
        Totals: units, order lines (a line split over totes counts once), weight and volume.
    route_length_m
        Length of the walk, start and end point included (routing method ``routing``).
    estimated_duration_s
        Setup, walking, picking (and putting to totes) by the plan's :class:`TimeStandards`.
    orders
        Ids of the orders (or order parts) on the list, in order of their first stop.
    routing, start, end
        Routing method and the start and end point names of the walk.
    route
        The routed walk (waypoints included) for drawing; not part of the exports.
    """

    list_id: str
    wave_id: str
    strategy: str
    zone: str | None
    handling_class: str | None
    device: str
    stops: tuple[PickStop, ...]
    units: int
    lines: int
    weight_kg: float
    volume_l: float
    route_length_m: float
    estimated_duration_s: float
    orders: tuple[str, ...]
    routing: str = ""
    start: str | None = None
    end: str | None = None
    route: Route | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        _require_id("pick list", self.list_id, "list_id")
        kind = f"pick list {self.list_id!r}"
        stops = tuple(self.stops)
        object.__setattr__(self, "stops", stops)
        object.__setattr__(self, "orders", tuple(self.orders))
        if not stops:
            raise ValueError(f"{kind} has no stops")
        for k, stop in enumerate(stops, start=1):
            if stop.sequence != k:
                raise ValueError(f"{kind}: stop {k} has sequence {stop.sequence}, expected {k}")
        units = sum(s.quantity for s in stops)
        if units != self.units:
            raise ValueError(f"{kind}: units={self.units} but the stops hold {units} units")
        stop_orders = tuple(dict.fromkeys(s.order_id for s in stops))
        if set(stop_orders) != set(self.orders):
            raise ValueError(
                f"{kind}: orders {self.orders} differ from the stops' orders {stop_orders}"
            )
        for name in ("weight_kg", "volume_l", "route_length_m", "estimated_duration_s"):
            _require_amount(kind, name, getattr(self, name))

    @property
    def totes(self) -> dict[int, str]:
        """Cart tote number -> order id (empty when the list has one shared container)."""
        return {s.tote: s.order_id for s in self.stops if s.tote is not None}

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dictionary with the totals and the stops."""
        return {
            "list_id": self.list_id,
            "wave_id": self.wave_id,
            "strategy": self.strategy,
            "zone": self.zone,
            "handling_class": self.handling_class,
            "device": self.device,
            "units": self.units,
            "lines": self.lines,
            "orders": list(self.orders),
            "weight_kg": round(self.weight_kg, 6),
            "volume_l": round(self.volume_l, 6),
            "route_length_m": round(self.route_length_m, 6),
            "estimated_duration_s": round(self.estimated_duration_s, 3),
            "routing": self.routing,
            "start": self.start,
            "end": self.end,
            "totes": {str(t): o for t, o in sorted(self.totes.items())},
            "stops": [s.to_dict() for s in self.stops],
        }


@dataclass(frozen=True, slots=True)
class Wave:
    """A group of orders released together, with the pick lists made from them.

    Attributes
    ----------
    wave_id
        Id (``"W001"``...), in release order.
    release_at
        When the wave is released (``None``: on demand, now).
    key
        The release key: ``(name, value)`` pairs such as ``(("cutoff", "2024-05-06T14:00:00"),
        ("carrier", "DHL"))``.
    order_ids
        Orders released in the wave (including those reported in :attr:`Plan.unassigned`).
    pick_lists
        Pick lists of the wave.
    """

    wave_id: str
    release_at: datetime | None
    key: tuple[tuple[str, str], ...]
    order_ids: tuple[str, ...]
    pick_lists: tuple[PickList, ...] = ()

    def __post_init__(self) -> None:
        _require_id("wave", self.wave_id, "wave_id")
        object.__setattr__(self, "key", tuple((str(k), str(v)) for k, v in self.key))
        object.__setattr__(self, "order_ids", tuple(self.order_ids))
        object.__setattr__(self, "pick_lists", tuple(self.pick_lists))

    @property
    def label(self) -> str:
        """Human-readable release key, e.g. ``"cutoff=2024-05-06T14:00 carrier=DHL"``."""
        return " ".join(f"{k}={v}" for k, v in self.key) or "all"

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dictionary with the pick lists."""
        return {
            "wave_id": self.wave_id,
            "release_at": None if self.release_at is None else self.release_at.isoformat(),
            "key": dict(self.key),
            "order_ids": list(self.order_ids),
            "pick_lists": [p.to_dict() for p in self.pick_lists],
        }


@dataclass(frozen=True, slots=True)
class Unassigned:
    """An order (or one of its lines) the plan could not put on a pick list, and why.

    ``reason`` is a short code (``"order_too_large"``, ``"line_too_large"``,
    ``"order_too_large_for_tote"``, ``"unknown_sku"``, ``"sku_without_location"``,
    ``"unknown_location"``, ``"not_single_unit"``); ``message`` explains it for a person.
    """

    order_id: str
    reason: str
    message: str
    wave_id: str | None = None
    sku_id: str | None = None
    quantity: int | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dictionary."""
        return {
            "order_id": self.order_id,
            "reason": self.reason,
            "message": self.message,
            "wave_id": self.wave_id,
            "sku_id": self.sku_id,
            "quantity": self.quantity,
        }


#: Columns of :meth:`Plan.to_dataframe` and of the CSV export, one row per stop.
STOP_COLUMNS: tuple[str, ...] = (
    "wave_id",
    "list_id",
    "strategy",
    "zone",
    "handling_class",
    "device",
    "sequence",
    "location_id",
    "sku_id",
    "quantity",
    "order_id",
    "line",
    "tote",
    "x_m",
    "y_m",
)


@dataclass(frozen=True, slots=True)
class Plan:
    """The result of pick-list planning: waves of pick lists, and what could not be planned.

    Every order line given to the planner is either picked exactly once (its quantity summed over
    the stops that name the order and line) or its order is listed in :attr:`unassigned`.
    """

    waves: tuple[Wave, ...]
    unassigned: tuple[Unassigned, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "waves", tuple(self.waves))
        object.__setattr__(self, "unassigned", tuple(self.unassigned))

    @property
    def pick_lists(self) -> tuple[PickList, ...]:
        """All pick lists, wave by wave."""
        return tuple(p for w in self.waves for p in w.pick_lists)

    def totals(self) -> dict[str, float]:
        """Plan-wide totals: lists, orders, units, lines, weight, volume, route length, duration."""
        lists = self.pick_lists
        return {
            "waves": len(self.waves),
            "pick_lists": len(lists),
            "orders": len({o for p in lists for o in p.orders}),
            "unassigned_orders": len({u.order_id for u in self.unassigned}),
            "units": sum(p.units for p in lists),
            "lines": sum(p.lines for p in lists),
            "weight_kg": round(sum(p.weight_kg for p in lists), 6),
            "volume_l": round(sum(p.volume_l for p in lists), 6),
            "route_length_m": round(sum(p.route_length_m for p in lists), 6),
            "estimated_duration_s": round(sum(p.estimated_duration_s for p in lists), 3),
        }

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dictionary: ``{"totals", "waves", "unassigned"}``."""
        return {
            "totals": self.totals(),
            "waves": [w.to_dict() for w in self.waves],
            "unassigned": [u.to_dict() for u in self.unassigned],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The plan as a JSON document (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per stop (columns :data:`STOP_COLUMNS`), lists and stops in walking order."""
        import pandas as pd

        list_cols = ("wave_id", "list_id", "strategy", "zone", "handling_class", "device")
        stop_cols = STOP_COLUMNS[len(list_cols) :]
        rows = [
            tuple(getattr(p, c) for c in list_cols) + tuple(getattr(s, c) for c in stop_cols)
            for p in self.pick_lists
            for s in p.stops
        ]
        df = pd.DataFrame.from_records(rows, columns=list(STOP_COLUMNS))
        df["tote"] = df["tote"].astype("Int64")
        return df

    def to_csv(self, path: str | Path | None = None) -> str | None:
        """Write the stops as CSV (one row per stop) to ``path``, or return the text if ``None``."""
        text: str = self.to_dataframe().to_csv(index=False, lineterminator="\n")
        if path is None:
            return text
        Path(path).write_text(text, encoding="utf-8")
        return None
