"""The discrete-event engine: plays a strategy's :class:`~wms.sim.work.Work` on the staff.

:func:`simulate` runs the flow described in :mod:`wms.sim.work` (pick trips, put wall, packing)
on :class:`~wms.sim.work.SimResources` and returns every timestamp in a :class:`SimRecords`;
:mod:`wms.sim.kpis` turns those into the numbers a planner compares.

How time advances
-----------------
The engine jumps from one event time to the next (trip releases, task ends, shift starts). At each
time ``t`` it first applies *every* event at ``t`` (containers dropped off, orders completed,
servers freed) and only then assigns work, in this order:

1. free pickers (lowest index first) take waiting trips by ``(trip_due_s, trip_release_s, trip)``;
2. free packers take ready orders by ``(due_s, ready time, order)``; a put-wall order frees its
   position when its packing starts;
3. wall groups are admitted in index order while the next group has a container at the sort zone
   and enough free positions (admission is not staff work, so it ignores shift windows);
4. free sorters take containers of admitted groups by ``(arrival, trip)``.

This order makes the cascade "packing starts -> a position frees -> a group is admitted -> its
container is sorted" happen at one instant. A task of zero seconds ends at the same ``t``; its
end is then applied and the assignment repeated, still at ``t``. Queue maxima are sampled after
each assignment round, so a container that is sorted the moment it arrives never counts as
waiting. Ties are broken by indices only: the same input gives the same output, bit for bit.

Servers start tasks only inside a shift window ``[start_s, end_s)``; a started task runs to its
end. From the end of the last window on, everything left is done straight on (overtime).

The hot loop is plain Python over lists (``heapq``): a 100,000-order day is about 10^5 events, a
fraction of a second, and the list form avoids a numpy scalar operation per event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np
from numpy.typing import NDArray

from wms.sim.work import SimResources, Work

__all__ = ["SimRecords", "simulate"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

_PICK, _SORT, _PACK = 0, 1, 2


@dataclass(frozen=True, slots=True)
class SimRecords:
    """What happened when a :class:`~wms.sim.work.Work` was simulated (seconds from midnight).

    Trips are indexed like ``Work``'s trips (``m``), orders like its orders (``n``), wall groups
    ``0..g-1``.

    Attributes
    ----------
    trip_picker, trip_start_s, trip_end_s
        Picker (0-based) of each trip, when it started and ended (ended = dropped off).
    trip_sorter, trip_sort_start_s, trip_sort_end_s
        Sorter of each put-wall container and when it was sorted; ``-1`` / ``nan`` for trips that
        go straight to packing.
    order_picked_s
        When the last unit of the order was dropped off by a picker.
    order_sorted_s
        When the last of its put-wall units was sorted (``nan`` for orders not sorted).
    order_ready_s
        When the order was ready to pack (all sorted units sorted, all other units dropped off).
    order_pack_start_s, order_packed_s, order_packer
        When packing started and ended, and the packer (0-based).
    wall_admit_s
        When each wall group was admitted to the put wall.
    max_sort_queue
        Most containers at the sort zone not yet being sorted (admitted or not), at once.
    max_pack_queue
        Most orders ready to pack and waiting for a packer, at once.
    max_wall_positions
        Most put-wall positions occupied at once (a position is held from its group's admission
        until its order's packing starts).
    picker_busy_s, sorter_busy_s, packer_busy_s
        Total busy server-seconds of each kind (task end minus task start, summed).
    picker_available_s, sorter_available_s, packer_available_s
        Server-seconds each kind was available: ``servers * (total length of the shift windows
        up to the last order packed)`` plus the busy seconds worked *outside* every window, i.e. tasks running over a window's
        end (into a break or past the last window) and tasks started after the last window. The
        outside part is counted only where someone actually worked, so busy / available is a
        utilisation in ``[0, 1]`` and idle staff after the last window cost nothing.
    overtime_s
        Busy server-seconds after the end of the last shift window, all kinds together (a task
        running over the end counts with its part after the end). Spill-over into a break
        between windows is in ``*_available_s`` but not here.
    start_s, end_s
        First trip release and last order packed (both 0 for an empty ``Work``).
    """

    trip_picker: I64
    trip_start_s: F64
    trip_end_s: F64
    trip_sorter: I64
    trip_sort_start_s: F64
    trip_sort_end_s: F64
    order_picked_s: F64
    order_sorted_s: F64
    order_ready_s: F64
    order_pack_start_s: F64
    order_packed_s: F64
    order_packer: I64
    wall_admit_s: F64
    max_sort_queue: int
    max_pack_queue: int
    max_wall_positions: int
    picker_busy_s: float
    sorter_busy_s: float
    packer_busy_s: float
    picker_available_s: float
    sorter_available_s: float
    packer_available_s: float
    overtime_s: float
    start_s: float
    end_s: float


def simulate(work: Work, resources: SimResources) -> SimRecords:
    """Simulate one strategy's work on the given staff (see the module documentation).

    Parameters
    ----------
    work
        The orders, pick trips and put-wall groups to play; ``work.check()`` is run first.
    resources
        Pickers, sorters, packers, put-wall positions and shift windows.

    Returns
    -------
    SimRecords
        Every trip's and order's timestamps, queue maxima and busy/available server-seconds.

    Raises
    ------
    ValueError
        If the work cannot be simulated: it fails ``work.check()``, a put-wall container holds
        orders of several wall groups (or orders not on the wall), the units on put-wall trips
        disagree with ``sort_units``, there is sort work but no sorter, a wall group has more
        orders than the put wall has positions, an order has no units, or a time is not finite.
    """
    trip_group, group_size = _check_input(work, resources)
    n, m, g = work.n_orders, work.n_trips, len(group_size)
    win_start = [float(s) for s, _ in resources.shifts]
    win_end = [float(e) for _, e in resources.shifts]
    n_win = len(win_start)

    # Python lists once: the event loop touches single elements ~10^6 times a day, and a list
    # element is several times cheaper to read than a numpy scalar.
    rel = work.trip_release_s.tolist()
    tdue = work.trip_due_s.tolist()
    pick_s = work.trip_pick_s.tolist()
    to_sort = work.trip_to_sort.tolist()
    sort_s = work.trip_sort_s.tolist()
    pstart = work.part_start.tolist()
    porder = work.part_order.tolist()
    punits = work.part_units.tolist()
    odue = work.due_s.tolist()
    pack_s = work.pack_s.tolist()
    on_wall = (work.wall_group >= 0).tolist()
    tgroup = trip_group.tolist()
    gsize = group_size.tolist()
    sort_left = work.sort_units.tolist()
    direct_left = (work.order_units - work.sort_units).tolist()
    pick_left = work.order_units.tolist()

    nan = math.nan
    t_picker = [-1] * m
    t_start = [nan] * m
    t_end = [nan] * m
    t_sorter = [-1] * m
    t_sstart = [nan] * m
    t_send = [nan] * m
    o_picked = [nan] * n
    o_sorted = [nan] * n
    o_ready = [nan] * n
    o_pstart = [nan] * n
    o_packed = [nan] * n
    o_packer = [-1] * n
    admit = [nan] * g

    # A sorted list is a valid heap: lowest free server index first.
    free_pick = list(range(resources.pickers))
    free_sort = list(range(resources.sorters))
    free_pack = list(range(resources.packers))
    waiting: list[tuple[float, float, int]] = []  # released trips: (due, release, trip)
    ready: list[tuple[float, float, int]] = []  # orders ready to pack: (due, ready, order)
    sortq: list[tuple[float, int]] = []  # containers of admitted groups: (arrival, trip)
    held: list[list[tuple[float, int]]] = [[] for _ in range(g)]  # containers before admission
    arrived = [False] * g
    events: list[tuple[float, int, int, int]] = []  # (time, kind, server, trip or order)
    gnext = 0  # groups 0..gnext-1 are admitted
    positions = resources.put_wall_positions
    free_pos = positions
    sort_waiting = 0
    max_sort_q = max_pack_q = max_pos = 0

    # Trips in release order; the waiting trips form a heap, so ties here do not matter.
    release_order = sorted(range(m), key=rel.__getitem__)
    ri = 0  # next trip to release
    wi = 0  # next window start (an event: waiting work may start)
    k = 0  # first window that has not ended at the current time
    inf = math.inf

    while True:
        t = events[0][0] if events else inf
        if ri < m and rel[release_order[ri]] < t:
            t = rel[release_order[ri]]
        if wi < n_win and win_start[wi] < t:
            t = win_start[wi]
        if t == inf:
            break
        while ri < m and rel[release_order[ri]] <= t:
            tr = release_order[ri]
            heappush(waiting, (tdue[tr], rel[tr], tr))
            ri += 1
        while wi < n_win and win_start[wi] <= t:
            wi += 1
        while events and events[0][0] <= t:
            _, kind, srv, x = heappop(events)
            if kind == _PICK:
                heappush(free_pick, srv)
                a, b = pstart[x], pstart[x + 1]
                if to_sort[x]:
                    for i in range(a, b):
                        o = porder[i]
                        pick_left[o] -= punits[i]
                        if pick_left[o] == 0:
                            o_picked[o] = t
                    grp = tgroup[x]
                    arrived[grp] = True
                    if grp < gnext:
                        heappush(sortq, (t, x))
                    else:
                        held[grp].append((t, x))
                    sort_waiting += 1
                else:
                    for i in range(a, b):
                        o = porder[i]
                        u = punits[i]
                        pick_left[o] -= u
                        if pick_left[o] == 0:
                            o_picked[o] = t
                        direct_left[o] -= u
                        if direct_left[o] == 0 and sort_left[o] == 0:
                            o_ready[o] = t
                            heappush(ready, (odue[o], t, o))
            elif kind == _SORT:
                heappush(free_sort, srv)
                for i in range(pstart[x], pstart[x + 1]):
                    o = porder[i]
                    sort_left[o] -= punits[i]
                    if sort_left[o] == 0:
                        o_sorted[o] = t
                        if direct_left[o] == 0:
                            o_ready[o] = t
                            heappush(ready, (odue[o], t, o))
            else:
                heappush(free_pack, srv)

        while k < n_win and win_end[k] <= t:
            k += 1
        on_shift = k == n_win or win_start[k] <= t
        if on_shift:
            while free_pick and waiting:
                srv = heappop(free_pick)
                tr = heappop(waiting)[2]
                end = t + pick_s[tr]
                t_picker[tr] = srv
                t_start[tr] = t
                t_end[tr] = end
                heappush(events, (end, _PICK, srv, tr))
            while free_pack and ready:
                srv = heappop(free_pack)
                o = heappop(ready)[2]
                end = t + pack_s[o]
                o_packer[o] = srv
                o_pstart[o] = t
                o_packed[o] = end
                heappush(events, (end, _PACK, srv, o))
                if on_wall[o]:
                    free_pos += 1
        while gnext < g and arrived[gnext] and free_pos >= gsize[gnext]:
            free_pos -= gsize[gnext]
            admit[gnext] = t
            for item in held[gnext]:
                heappush(sortq, item)
            held[gnext] = []
            gnext += 1
        if on_shift:
            while free_sort and sortq:
                srv = heappop(free_sort)
                tr = heappop(sortq)[1]
                end = t + sort_s[tr]
                t_sorter[tr] = srv
                t_sstart[tr] = t
                t_send[tr] = end
                heappush(events, (end, _SORT, srv, tr))
                sort_waiting -= 1

        if sort_waiting > max_sort_q:
            max_sort_q = sort_waiting
        if len(ready) > max_pack_q:
            max_pack_q = len(ready)
        if positions - free_pos > max_pos:
            max_pos = positions - free_pos

    packed = np.array(o_packed, dtype=np.float64)
    if np.isnan(packed).any():  # pragma: no cover - the input checks rule this out
        raise RuntimeError(
            f"internal error: {int(np.isnan(packed).sum())} orders were never packed"
        )

    t_start_a = np.array(t_start, dtype=np.float64)
    t_end_a = np.array(t_end, dtype=np.float64)
    sstart_a = np.array(t_sstart, dtype=np.float64)
    send_a = np.array(t_send, dtype=np.float64)
    pstart_a = np.array(o_pstart, dtype=np.float64)
    sorted_trips = work.trip_to_sort.astype(bool)
    shifts = resources.shifts
    pick_busy, pick_out, pick_ot = _busy(t_start_a, t_end_a, shifts)
    sort_busy, sort_out, sort_ot = _busy(sstart_a[sorted_trips], send_a[sorted_trips], shifts)
    pack_busy, pack_out, pack_ot = _busy(pstart_a, packed, shifts)
    # Shift time counts until the last order is packed: windows after that (e.g. the next day's
    # shifts, kept for spill-over) would only dilute the utilisation.
    horizon = float(packed.max()) if n else 0.0
    window_s = float(sum(max(0.0, min(e, horizon) - s) for s, e in shifts))

    return SimRecords(
        trip_picker=np.array(t_picker, dtype=np.int64),
        trip_start_s=t_start_a,
        trip_end_s=t_end_a,
        trip_sorter=np.array(t_sorter, dtype=np.int64),
        trip_sort_start_s=sstart_a,
        trip_sort_end_s=send_a,
        order_picked_s=np.array(o_picked, dtype=np.float64),
        order_sorted_s=np.array(o_sorted, dtype=np.float64),
        order_ready_s=np.array(o_ready, dtype=np.float64),
        order_pack_start_s=pstart_a,
        order_packed_s=packed,
        order_packer=np.array(o_packer, dtype=np.int64),
        wall_admit_s=np.array(admit, dtype=np.float64),
        max_sort_queue=max_sort_q,
        max_pack_queue=max_pack_q,
        max_wall_positions=max_pos,
        picker_busy_s=pick_busy,
        sorter_busy_s=sort_busy,
        packer_busy_s=pack_busy,
        picker_available_s=resources.pickers * window_s + pick_out,
        sorter_available_s=resources.sorters * window_s + sort_out,
        packer_available_s=resources.packers * window_s + pack_out,
        overtime_s=pick_ot + sort_ot + pack_ot,
        start_s=float(work.trip_release_s.min()) if m else 0.0,
        end_s=float(packed.max()) if n else 0.0,
    )


def _busy(
    start: F64, end: F64, shifts: tuple[tuple[float, float], ...]
) -> tuple[float, float, float]:
    """Busy seconds of a set of tasks: in total, outside every window, after the last window."""
    if len(start) == 0:
        return 0.0, 0.0, 0.0
    dur = end - start
    inside = np.zeros_like(dur)
    for ws, we in shifts:
        inside += np.clip(np.minimum(end, we) - np.maximum(start, ws), 0.0, None)
    # Tasks on one server never overlap, so its inside time fits in the windows; the rest is
    # spill-over. max(0, .) only guards against rounding.
    outside = np.maximum(dur - inside, 0.0)
    after = np.clip(end - np.maximum(start, shifts[-1][1]), 0.0, None)
    return float(dur.sum()), float(outside.sum()), float(after.sum())


def _check_input(work: Work, resources: SimResources) -> tuple[I64, I64]:
    """Check that ``work`` can be played on ``resources``; return each trip's wall group
    (``-1``: not sorted) and each wall group's size in orders."""
    work.check()
    n, m = work.n_orders, work.n_trips
    if n and int(work.order_units.min()) < 1:
        bad = int(np.argmin(work.order_units))
        raise ValueError(
            f"order {work.order_ids[bad]} has no units: every planned order needs at least one"
        )
    to_sort = np.asarray(work.trip_to_sort, dtype=bool)
    for name in ("trip_release_s", "trip_pick_s", "trip_sort_s", "pack_s"):
        values = np.asarray(getattr(work, name), dtype=np.float64)
        if name == "trip_sort_s":  # the sort time of a trip that is not sorted is never used
            values = values[to_sort]
        if not np.isfinite(values).all():
            raise ValueError(f"{name} must be finite, got {values[~np.isfinite(values)][0]}")
        if name != "trip_release_s" and len(values) and values.min() < 0:
            raise ValueError(f"{name} cannot be negative, got {values.min()}")
    for name in ("trip_due_s", "due_s"):
        if np.isnan(getattr(work, name)).any():
            raise ValueError(f"{name} contains nan (use inf for no cutoff)")

    trip_group = np.full(m, -1, dtype=np.int64)
    if m:
        heads = work.part_start[:-1]
        part_group = work.wall_group[work.part_order]
        gmin = np.minimum.reduceat(part_group, heads)
        gmax = np.maximum.reduceat(part_group, heads)
        mixed = np.flatnonzero(to_sort & (gmin != gmax))
        if len(mixed):
            t = int(mixed[0])
            groups = sorted(set(part_group[work.part_start[t] : work.part_start[t + 1]].tolist()))
            raise ValueError(
                f"trip {work.trip_ids[t]} goes to the put wall with orders of wall groups "
                f"{groups} (-1: not sorted): a put-wall container must hold one wall group only"
            )
        off_wall = np.flatnonzero(to_sort & (gmin < 0))
        if len(off_wall):
            t = int(off_wall[0])
            raise ValueError(
                f"trip {work.trip_ids[t]} goes to the put wall but its orders have no wall group"
            )
        trip_group[to_sort] = gmin[to_sort]
        part_sorted = np.repeat(to_sort, np.diff(work.part_start))
        on_wall_units = np.bincount(
            work.part_order[part_sorted], weights=work.part_units[part_sorted], minlength=n
        ).astype(np.int64)
        bad_orders = np.flatnonzero(on_wall_units != work.sort_units)
        if len(bad_orders):
            o = int(bad_orders[0])
            raise ValueError(
                f"order {work.order_ids[o]}: {int(on_wall_units[o])} units on put-wall trips "
                f"but sort_units is {int(work.sort_units[o])}"
            )
    if to_sort.any() and resources.sorters == 0:
        raise ValueError(
            f"{int(to_sort.sum())} trips go to the put wall but there are no sorters: "
            "give the simulation at least one sorter"
        )
    walled = work.wall_group[work.wall_group >= 0]
    group_size = np.bincount(walled).astype(np.int64) if len(walled) else np.zeros(0, np.int64)
    if len(group_size) and int(group_size.max()) > resources.put_wall_positions:
        grp = int(np.argmax(group_size))
        raise ValueError(
            f"wall group {grp} has {int(group_size[grp])} orders but the put wall has "
            f"{resources.put_wall_positions} positions: the group could never be admitted "
            "(make wall groups smaller or the wall larger)"
        )
    return trip_group, group_size
