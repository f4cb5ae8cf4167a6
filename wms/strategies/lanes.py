"""The four ways an order can be picked (lanes), and what each costs after picking.

A strategy sends every order down one lane; ``mixed`` uses several. A lane plans its orders
with the same planner the pick-list API uses (:func:`wms.planning.plan_picklists`: splitting by
weight, volume, lines, zone and handling class, batching, exact routing), wave by wave, and
states its work after picking:

================== ================== ================================= =================
lane               container          after picking                     scans per unit
================== ================== ================================= =================
single_unit        one tote, singles  pack: scan unit, pack, label      2 (pick, pack)
sort_zone          one container      put wall: sort per unit; pack     3 (pick, sort,
                                      with a scan per unit                pack)
pick_and_sort_cart 10-30 totes,       pack the tote: scan tote, pack,   2 (item, tote)
                   one order each     label                             + 1 per order
sort_at_pack       one container,     pack: scan each unit, find its    2 (pick, pack)
                   <= N orders        order among the container's
================== ================== ================================= =================

Error model (per unit, common random numbers): a unit is picked wrongly with probability
``pick_error_rate``; on a cart it goes into the wrong tote with ``put_error_rate``; at sort at
pack it is matched to the wrong order with ``match_error_rate_per_order`` per further order in
its container. Every later scan check catches an error with probability ``scan_catch_rate``:
pick errors meet two checks in ``sort_zone`` (sort and pack, the two-step verification) and one
elsewhere (the pack scan; on a cart the packer's check of the tote); wrong-tote puts meet the
tote scan; wrong matches at the pack station meet none. A caught error costs ``rework_s`` at
packing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from wms.model import Route
from wms.planning import PlanConfig, end_point, plan_picklists
from wms.routing import RoutingProblem, route
from wms.sim.work import Work
from wms.strategies.base import OrderStream, StrategyContext
from wms.strategies.settings import SimSettings
from wms.waves.config import DeviceConfig

if TYPE_CHECKING:
    from wms.layout import Layout
    from wms.model import PickList

__all__ = ["LANES", "LaneSpec", "plan_lanes"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

#: The handling class picked on a device of its own (``devices["bulky"]``, default a pallet
#: truck) and taken straight to packing.
BULKY = "bulky"

#: Lane names, in the order of :attr:`Work.lane_names` codes.
LANES: tuple[str, ...] = ("single_unit", "sort_zone", "pick_and_sort_cart", "sort_at_pack")

#: Scan checks after picking that a wrong pick meets, per lane.
_PICK_CHECKS = {"single_unit": 1, "sort_zone": 2, "pick_and_sort_cart": 1, "sort_at_pack": 1}
#: Scan checks that a lane-specific error (wrong tote, wrong match) meets.
_EXTRA_CHECKS = {"single_unit": 0, "sort_zone": 0, "pick_and_sort_cart": 1, "sort_at_pack": 0}
#: Scans per unit and per order.
_SCANS_PER_UNIT = {"single_unit": 2, "sort_zone": 3, "pick_and_sort_cart": 2, "sort_at_pack": 2}
_SCANS_PER_ORDER = {"single_unit": 0, "sort_zone": 0, "pick_and_sort_cart": 1, "sort_at_pack": 0}


@dataclass(frozen=True, slots=True)
class LaneSpec:
    """One lane with its parameters.

    Attributes
    ----------
    kind
        One of :data:`LANES`.
    batching
        Batching method of the lane's lists (``single_unit`` uses the singles method).
    max_units_per_list, max_lines_per_list
        Extra limits per list (sort_zone), on top of the device.
    totes
        Totes per cart (pick_and_sort_cart; ``None``: the cart device's).
    max_orders_per_container
        Orders per shared container (sort_at_pack).
    """

    kind: str
    batching: str
    max_units_per_list: int | None = None
    max_lines_per_list: int | None = None
    totes: int | None = None
    max_orders_per_container: int = 8

    def __post_init__(self) -> None:
        if self.kind not in LANES:
            raise ValueError(f"unknown lane {self.kind!r} (lanes: {', '.join(LANES)})")

    def config(self, context: StrategyContext) -> PlanConfig:
        """The planning configuration of this lane."""
        devices = dict(context.devices)
        settings = context.settings
        # Bulky lines go on a pallet truck of their own to the pack area, whatever the lane
        # (a 100-litre item fits no tote or container), and are consolidated there.
        pack_area = end_point(context.layout, "cart", PlanConfig())
        bulky = devices.get("bulky") or DeviceConfig(
            name="pallet-truck", capacity_weight_kg=600, capacity_volume_l=2000
        )
        common: dict[str, Any] = {
            "handling_devices": {BULKY: bulky.model_copy(update={"end": bulky.end or pack_area})},
            "routing": settings.routing,
            "release": {"mode": "on_demand", "keys": ()},
            "batching": {"method": self.batching, "max_iterations": 25, "time_limit_s": 60.0},
            "time_standards": context.standards.to_dict(),
            "invalid_orders": "unassign",
        }
        if self.kind == "single_unit":
            return PlanConfig.model_validate(
                {
                    **common,
                    "strategy": "singles",
                    "devices": {"singles": devices["singles"]},
                    "singles": {"fallback": "unassigned"},
                }
            )
        if self.kind == "pick_and_sort_cart":
            cart = devices["cart"]
            if self.totes is not None:
                cart = cart.model_copy(update={"totes": self.totes})
            return PlanConfig.model_validate(
                {
                    **common,
                    "strategy": "cart",
                    "devices": {"cart": cart},
                    "cart": {"oversize": "several_totes"},
                }
            )
        split: dict[str, Any] = {"split_orders": True}
        extra: dict[str, Any] = {}
        if self.kind == "sort_zone":
            split["max_units"] = self.max_units_per_list
            split["max_lines"] = self.max_lines_per_list
        else:  # sort_at_pack: a few orders per container, straight to the pack stations
            split["max_orders"] = self.max_orders_per_container
            extra["end"] = pack_area
        return PlanConfig.model_validate(
            {
                **common,
                **extra,
                "strategy": "batch",
                "devices": {"batch": devices["batch"]},
                "split": split,
            }
        )


@dataclass
class _Trips:
    """Trips collected over lanes, waves and chunks (appended to, then frozen into a Work)."""

    lane: list[int] = field(default_factory=list)
    release_s: list[float] = field(default_factory=list)
    pick_s: list[float] = field(default_factory=list)
    travel_m: list[float] = field(default_factory=list)
    units: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    to_sort: list[bool] = field(default_factory=list)
    part_start: list[int] = field(default_factory=lambda: [0])
    part_order: list[int] = field(default_factory=list)
    part_units: list[int] = field(default_factory=list)
    routes: dict[int, Route] = field(default_factory=dict)

    def add(
        self,
        pl: PickList,
        lane: int,
        release_s: float,
        to_sort: bool,
        index_of: Mapping[str, int],
        keep_route: bool,
        layout: Layout,
    ) -> None:
        units: dict[int, int] = {}
        for stop in pl.stops:
            o = index_of[stop.order_id]
            units[o] = units.get(o, 0) + stop.quantity
        if keep_route:  # the walk itself, for drawing (planning measured only its length)
            locations = layout.locations.indices(dict.fromkeys(s.location_id for s in pl.stops))
            problem = RoutingProblem(layout, locations, pl.start, pl.end)
            self.routes[len(self.lane)] = route(problem, pl.routing)
        self.lane.append(lane)
        self.release_s.append(release_s)
        self.pick_s.append(pl.estimated_duration_s)
        self.travel_m.append(pl.route_length_m)
        self.units.append(pl.units)
        self.lines.append(pl.lines)
        self.to_sort.append(to_sort)
        self.part_order.extend(units)
        self.part_units.extend(units.values())
        self.part_start.append(len(self.part_order))


@dataclass
class PlannedWork:
    """A :class:`Work` and the routes kept for drawing (trip index -> route)."""

    work: Work
    routes: dict[int, Route]


def _chunks(idx: I64, size: int) -> list[I64]:
    return [idx[k : k + size] for k in range(0, idx.size, size)]


def plan_lanes(
    label: str,
    stream: OrderStream,
    order_lane: Sequence[LaneSpec],
    context: StrategyContext,
    fallback: LaneSpec,
) -> PlannedWork:
    """Plan every order down its lane and build the :class:`Work` of the day.

    Parameters
    ----------
    label
        The strategy's result label.
    stream
        The replication's orders.
    order_lane
        The lane of each order of ``stream``.
    context
        The warehouse.
    fallback
        Where orders go that their lane cannot plan (e.g. a single unit too heavy for the
        singles tote); orders the fallback cannot plan either are reported as unplanned.

    Returns
    -------
    PlannedWork
    """
    if len(order_lane) != len(stream):
        raise ValueError(f"{len(stream)} orders but {len(order_lane)} lanes")
    index_of = {o.order_id: k for k, o in enumerate(stream.orders)}
    specs = list(dict.fromkeys([*order_lane, fallback]))
    spec_code = {s: k for k, s in enumerate(specs)}
    codes = np.fromiter((spec_code[s] for s in order_lane), dtype=np.int64, count=len(stream))
    trips = _Trips()
    wall_group = np.full(len(stream), -1, dtype=np.int64)
    assigned_spec = codes.copy()
    group_release: list[float] = []
    unplanned: dict[int, str] = {}
    todo = [(spec, np.flatnonzero(codes == c)) for c, spec in enumerate(specs)]
    routes_left = {s.kind: context.settings.routes_to_draw for s in specs}
    retry: list[int] = []
    for pass_no in range(2):
        for spec, members in todo:
            if members.size == 0:
                continue
            cfg = spec.config(context)
            lane = LANES.index(spec.kind)
            to_sort = spec.kind == "sort_zone"
            chunk = context.chunk_orders
            if to_sort:
                chunk = min(chunk, context.put_wall_positions)
                if chunk < 1:
                    raise ValueError(
                        "the sort_zone strategy needs a put wall: resources.sort_zone."
                        "put_wall_positions is 0"
                    )
            releases, sizes = np.unique(stream.release_s[members], return_counts=True)
            # Routes to draw come from the busiest wave (the first ones of a day are short).
            busiest = float(releases[np.argmax(sizes)]) if releases.size else -1.0
            for release in releases:
                wave = members[stream.release_s[members] == release]
                draw = release == busiest and routes_left[spec.kind] > 0
                wave = wave[np.lexsort((stream.arrival_s[wave], stream.due_s[wave]))]
                for part in _chunks(wave, chunk):
                    orders = [stream.orders[k] for k in part]
                    # Only the chunk's SKUs: the planner checks every catalogue entry it is given.
                    skus = {
                        line.sku_id: context.catalog[line.sku_id]
                        for o in orders
                        for line in o.lines
                        if line.sku_id in context.catalog
                    }
                    plan = plan_picklists(
                        orders,
                        skus,
                        context.layout,
                        cfg,
                        walk_order=False,
                    )
                    for pl in plan.pick_lists:
                        keep = bool(draw) and routes_left[spec.kind] > 0
                        sort = to_sort and pl.handling_class != BULKY
                        trips.add(pl, lane, float(release), sort, index_of, keep, context.layout)
                        routes_left[spec.kind] -= keep
                    failed = {index_of[u.order_id]: u.reason for u in plan.unassigned}
                    if to_sort:
                        planned = [k for k in part.tolist() if k not in failed]
                        if planned:
                            wall_group[planned] = len(group_release)
                            group_release.append(float(release))
                    for k, reason in failed.items():
                        if pass_no == 0 and spec != fallback:
                            retry.append(k)
                            assigned_spec[k] = spec_code[fallback]
                        else:
                            unplanned[k] = reason
        todo = [(fallback, np.array(sorted(retry), dtype=np.int64))]
        retry = []
    # The wall admits groups in index order: number them in release order (a group planned in
    # the fallback pass must not wait behind the groups of later waves).
    if group_release:
        rank = np.empty(len(group_release), dtype=np.int64)
        rank[np.argsort(np.asarray(group_release), kind="stable")] = np.arange(len(group_release))
        wall_group = np.where(wall_group >= 0, rank[np.maximum(wall_group, 0)], -1)
    return _assemble(label, stream, specs, assigned_spec, wall_group, trips, unplanned, context)


def _assemble(
    label: str,
    stream: OrderStream,
    specs: Sequence[LaneSpec],
    assigned_spec: I64,
    wall_group: I64,
    trips: _Trips,
    unplanned: Mapping[int, str],
    context: StrategyContext,
) -> PlannedWork:
    """Freeze the trips into a :class:`Work`: renumber orders, pack and sort times, errors."""
    n_all = len(stream)
    keep = np.ones(n_all, dtype=bool)
    keep[list(unplanned)] = False
    new_index = np.full(n_all, -1, dtype=np.int64)
    new_index[keep] = np.arange(int(keep.sum()))
    kept = np.flatnonzero(keep)

    part_start = np.asarray(trips.part_start, dtype=np.int64)
    part_order_all = np.asarray(trips.part_order, dtype=np.int64)
    part_order = new_index[part_order_all]
    part_units = np.asarray(trips.part_units, dtype=np.int64)
    m = len(trips.lane)
    trip_of_part = np.repeat(np.arange(m), np.diff(part_start))

    lane_kind = np.array([LANES.index(s.kind) for s in specs], dtype=np.int64)[assigned_spec]
    order_lane = lane_kind[kept]
    units = stream.units[kept]
    n = kept.size

    # Orders per container (sort_at_pack matching) and earliest cutoff per trip.
    orders_per_trip = np.diff(part_start)
    crowd = np.ones(n, dtype=np.int64)
    if part_order.size:
        np.maximum.at(crowd, part_order, orders_per_trip[trip_of_part])
    due = stream.due_s[kept]
    trip_due = np.full(m, np.inf)
    if part_order.size:
        np.minimum.at(trip_due, trip_of_part, due[part_order])

    s = context.settings
    errors_made, errors_caught, errors_shipped = _errors(stream, kept, order_lane, crowd, s)

    ts = context.standards
    pack_s = np.empty(n, dtype=np.float64)
    scans = 0
    for code, lane in enumerate(LANES):
        mask = order_lane == code
        u = units[mask].astype(np.float64)
        base = ts.pack_s_per_order + context.label_print_s + ts.pack_s_per_unit * u
        if lane in ("single_unit", "sort_zone"):  # the pack scan identifies / checks each unit
            pack_s[mask] = base + ts.scan_s * u
        elif lane == "pick_and_sort_cart":
            pack_s[mask] = base + ts.scan_s
        else:
            search = s.search_s_per_unit_per_order * (crowd[mask] - 1)
            pack_s[mask] = base + (ts.scan_s + search) * u
        scans += _SCANS_PER_UNIT[lane] * int(units[mask].sum()) + _SCANS_PER_ORDER[lane] * int(
            mask.sum()
        )
    pack_s += s.rework_s * errors_caught

    trip_to_sort = np.asarray(trips.to_sort, dtype=bool)
    trip_units = np.asarray(trips.units, dtype=np.int64)
    sort_units = np.bincount(
        part_order, weights=part_units * trip_to_sort[trip_of_part], minlength=n
    ).astype(np.int64)
    groups = np.where(sort_units > 0, wall_group[kept], -1)
    sorted_groups = np.unique(groups[groups >= 0])
    groups = np.where(groups >= 0, np.searchsorted(sorted_groups, groups), -1).astype(np.int64)

    ids = tuple(o.order_id for o in stream.orders)
    work = Work(
        strategy=label,
        lane_names=LANES,
        order_ids=tuple(ids[k] for k in kept.tolist()),
        arrival_s=stream.arrival_s[kept],
        due_s=due,
        order_units=units,
        order_lines=stream.lines[kept],
        order_lane=order_lane,
        pack_s=pack_s,
        sort_units=sort_units,
        wall_group=groups,
        trip_ids=tuple(f"{label}-T{t + 1:06d}" for t in range(m)),
        trip_release_s=np.asarray(trips.release_s, dtype=np.float64),
        trip_due_s=trip_due,
        trip_pick_s=np.asarray(trips.pick_s, dtype=np.float64),
        trip_travel_m=np.asarray(trips.travel_m, dtype=np.float64),
        trip_units=trip_units,
        trip_lines=np.asarray(trips.lines, dtype=np.int64),
        trip_lane=np.asarray(trips.lane, dtype=np.int64),
        trip_to_sort=trip_to_sort,
        trip_sort_s=np.where(trip_to_sort, trip_units * ts.sort_s_per_unit, 0.0),
        part_start=part_start,
        part_order=part_order,
        part_units=part_units,
        scans=scans,
        errors_made=errors_made,
        errors_caught=errors_caught,
        errors_shipped=errors_shipped,
        unplanned=tuple((ids[k], reason) for k, reason in sorted(unplanned.items())),
    )
    work.check()
    return PlannedWork(work, dict(trips.routes))


def _errors(
    stream: OrderStream, kept: I64, order_lane: I64, crowd: I64, s: SimSettings
) -> tuple[I64, I64, I64]:
    """Errors made, caught and shipped per kept order, from the stream's per-unit uniforms."""
    n = kept.size
    made = np.zeros(n, dtype=np.int64)
    caught = np.zeros(n, dtype=np.int64)
    shipped = np.zeros(n, dtype=np.int64)
    if n == 0:
        return made, caught, shipped
    starts = stream.unit_start[kept]
    counts = stream.units[kept]
    unit_order = np.repeat(np.arange(n), counts)
    offsets = np.arange(unit_order.size) - np.repeat(np.cumsum(counts) - counts, counts)
    unit_index = np.repeat(starts, counts) + offsets
    u_err = stream.u_error[unit_index]
    u_catch = stream.u_catch[unit_index]
    lane = order_lane[unit_order]
    extra_rate = np.zeros(n, dtype=np.float64)
    extra_rate[order_lane == LANES.index("pick_and_sort_cart")] = s.put_error_rate
    sap = order_lane == LANES.index("sort_at_pack")
    extra_rate[sap] = np.minimum(1.0, s.match_error_rate_per_order * (crowd[sap] - 1))
    pick_err = u_err < s.pick_error_rate
    extra_err = ~pick_err & (u_err < s.pick_error_rate + extra_rate[unit_order])
    pick_checks = np.array([_PICK_CHECKS[x] for x in LANES])[lane]
    extra_checks = np.array([_EXTRA_CHECKS[x] for x in LANES])[lane]
    checks = np.where(pick_err, pick_checks, extra_checks)
    miss = (1.0 - s.scan_catch_rate) ** checks
    err = pick_err | extra_err
    ship = err & (u_catch < miss)
    made = np.bincount(unit_order, weights=err, minlength=n).astype(np.int64)
    shipped = np.bincount(unit_order, weights=ship, minlength=n).astype(np.int64)
    return made, made - shipped, shipped
