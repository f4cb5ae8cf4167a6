"""The work a strategy hands to the simulation: orders, pick trips and what happens after picking.

A strategy (:mod:`wms.strategies`) turns one replication's orders into a :class:`Work`; the event
engine (:mod:`wms.sim.engine`) plays it on the scenario's staff (:class:`SimResources`). Everything
is in flat numpy arrays so that a 100,000-order day costs a few array passes, not a Python object
per unit.

Times are seconds from midnight of the simulated day (``float64``); an order without a cutoff has
``due_s = inf``.

The flow the engine simulates:

1. Trip ``t`` may start at ``trip_release_s[t]`` (its wave's release). A free picker takes the
   waiting trip with the smallest ``(trip_due_s, trip_release_s, t)`` and is busy for
   ``trip_pick_s[t]`` seconds (set-up, walking, picking, scans and puts, all included).
2. When the trip ends its contents (the *parts*: ``part_units[i]`` units of order
   ``part_order[i]`` for ``i`` in ``part_start[t]:part_start[t + 1]``) are dropped off:
   - ``trip_to_sort[t]``: the container joins the sort queue. A sorter sorts it in
     ``trip_sort_s[t]`` seconds, only once the container's put-wall group has been admitted
     to the wall (see below). An order is complete on the wall when all of its
     ``sort_units`` are sorted; it then waits for a packer.
   - otherwise the parts go straight to packing; an order is ready to pack when all of its
     ``order_units`` have arrived (parts from several trips are consolidated first).
3. A free packer takes the ready order with the smallest ``(due_s, ready time, order index)``
   and is busy ``pack_s[o]`` seconds; the order is then packed (and leaves the system).

Put wall: orders sorted at the wall belong to a *wall group* (``wall_group[o] >= 0``); a group
needs one position per order. Groups are admitted in index order, each when enough positions
are free; a position is freed when its order's packing starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = ["SimResources", "Work"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class SimResources:
    """Staff and stations the simulation plays the work on.

    Attributes
    ----------
    pickers, sorters, packers
        Servers of each kind working in every shift (``packers`` is already limited by the
        number of pack stations). ``sorters`` may be 0 when no work is sorted.
    put_wall_positions
        Order positions of the put wall (all walls of the sort zone together).
    shifts
        Working windows ``(start_s, end_s)`` in seconds from midnight, sorted and disjoint;
        ``end_s`` may exceed 86,400 for a shift past midnight. Servers start tasks only inside a
        window (a task started in a window runs to its end). Work left after the last window is
        done in overtime, straight on.
    """

    pickers: int
    sorters: int
    packers: int
    put_wall_positions: int
    shifts: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if self.pickers < 1 or self.packers < 1:
            raise ValueError("a simulation needs at least one picker and one packer")
        if self.sorters < 0 or self.put_wall_positions < 0:
            raise ValueError("sorters and put-wall positions cannot be negative")
        if not self.shifts:
            raise ValueError("a simulation needs at least one shift")
        last = -np.inf
        for start, end in self.shifts:
            if not start < end or start < last:
                raise ValueError(
                    f"shift windows must be sorted, disjoint and non-empty, got {self.shifts}"
                )
            last = end


@dataclass(frozen=True, slots=True)
class Work:
    """One strategy's plan of one replication, ready to simulate (see the module documentation).

    Orders are indexed ``0..n-1``, trips ``0..m-1``, parts ``0..p-1`` (grouped by trip).

    Attributes
    ----------
    strategy
        The strategy's result label.
    lane_names
        Names of the lanes (sub-strategies) orders go through, e.g. ``("single_unit",
        "sort_zone")``; ``order_lane`` and ``trip_lane`` index into it.
    order_ids, arrival_s, due_s, order_units, order_lines, order_lane
        The orders: id, arrival, cutoff (``inf``: none), units, lines, lane.
    pack_s
        Pack-station work of each order in seconds (scans, matching, packing, label, rework).
    sort_units, wall_group
        Units of each order sorted at the put wall (0: not sorted) and its wall group (-1: none).
    trip_ids, trip_release_s, trip_due_s, trip_pick_s, trip_travel_m, trip_units, trip_lines,
    trip_lane, trip_to_sort, trip_sort_s
        The pick trips: id, release, earliest cutoff of its orders, picker time, route length,
        units, lines, lane, whether the container goes to the put wall, and its sort time.
    part_start, part_order, part_units
        CSR of the trips' contents (``part_start`` has ``m + 1`` entries).
    scans
        Scans of the whole plan (item, tote, sort and pack scans).
    errors_made, errors_caught, errors_shipped
        Picking errors per order (wrong item or wrong tote), those caught by a scan check (at the
        put, sort or pack) and those shipped to the customer.
    unplanned
        ``(order_id, reason)`` of orders the strategy could not plan (not in the arrays).
    """

    strategy: str
    lane_names: tuple[str, ...]
    order_ids: tuple[str, ...]
    arrival_s: F64
    due_s: F64
    order_units: I64
    order_lines: I64
    order_lane: I64
    pack_s: F64
    sort_units: I64
    wall_group: I64
    trip_ids: tuple[str, ...]
    trip_release_s: F64
    trip_due_s: F64
    trip_pick_s: F64
    trip_travel_m: F64
    trip_units: I64
    trip_lines: I64
    trip_lane: I64
    trip_to_sort: NDArray[np.bool_]
    trip_sort_s: F64
    part_start: I64
    part_order: I64
    part_units: I64
    scans: int
    errors_made: I64
    errors_caught: I64
    errors_shipped: I64
    unplanned: tuple[tuple[str, str], ...] = field(default=())

    @property
    def n_orders(self) -> int:
        """Number of planned orders."""
        return len(self.order_ids)

    @property
    def n_trips(self) -> int:
        """Number of pick trips."""
        return len(self.trip_ids)

    def check(self) -> None:
        """Check shapes and conservation; raise ``ValueError`` naming the first problem.

        Every order's units are on trips exactly once (the parts of an order sum to its units),
        sorted units never exceed an order's units, wall groups are numbered ``0..g-1``.
        """
        n, m = self.n_orders, self.n_trips
        for name in (
            "arrival_s",
            "due_s",
            "order_units",
            "order_lines",
            "order_lane",
            "pack_s",
            "sort_units",
            "wall_group",
            "errors_made",
            "errors_caught",
            "errors_shipped",
        ):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries for {n} orders")
        for name in (
            "trip_release_s",
            "trip_due_s",
            "trip_pick_s",
            "trip_travel_m",
            "trip_units",
            "trip_lines",
            "trip_lane",
            "trip_to_sort",
            "trip_sort_s",
        ):
            if len(getattr(self, name)) != m:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries for {m} trips")
        if len(self.part_start) != m + 1 or self.part_start[0] != 0:
            raise ValueError("part_start must have one entry per trip plus one, starting at 0")
        if self.part_start[-1] != len(self.part_order) or len(self.part_order) != len(
            self.part_units
        ):
            raise ValueError("part_order and part_units must have part_start[-1] entries")
        if np.any(np.diff(self.part_start) < 1) or np.any(self.part_units < 1):
            raise ValueError("every trip holds at least one part and every part one unit")
        per_order = np.bincount(self.part_order, weights=self.part_units, minlength=n)
        if not np.array_equal(per_order.astype(np.int64), self.order_units):
            bad = int(np.flatnonzero(per_order.astype(np.int64) != self.order_units)[0])
            raise ValueError(
                f"order {self.order_ids[bad]}: {int(per_order[bad])} units on trips, "
                f"{int(self.order_units[bad])} ordered"
            )
        per_trip = np.add.reduceat(self.part_units, self.part_start[:-1]) if m else np.zeros(0)
        if m and not np.array_equal(per_trip.astype(np.int64), self.trip_units):
            raise ValueError("trip_units must equal the units of each trip's parts")
        if np.any(self.sort_units > self.order_units) or np.any(
            (self.sort_units > 0) != (self.wall_group >= 0)
        ):
            raise ValueError("sorted orders (sort_units > 0) and wall groups must agree")
        groups = self.wall_group[self.wall_group >= 0]
        if len(groups) and not np.array_equal(np.unique(groups), np.arange(groups.max() + 1)):
            raise ValueError("wall groups must be numbered 0..g-1 without gaps")
