"""Test helpers for :mod:`wms.sim`: random small Works and a slow, obvious SimPy model of the flow.

:func:`simpy_simulate` is the reference :func:`wms.sim.simulate` is compared against. It is
written the SimPy way, one process per thing that acts (each trip's release, each shift bell,
each picker, sorter and packer, a dispatcher), with linear scans instead of heaps and no shared
code with the engine. The rules it encodes are those of the engine's module documentation:

* a *dispatcher* assigns work only once nothing else is left to happen at the current instant
  (it waits with ``timeout(0)`` until ``env.peek()`` is in the future), then: pickers, packers,
  wall admission, sorters, each server kind lowest index first;
* servers start tasks only inside a shift window or after the last window ends.

:func:`random_work` builds Works that pass ``Work.check()`` and the engine's own checks, with
integer times so that ties (the hard part) are frequent; :func:`hand_work` is the small day whose
timeline and KPIs the tests work out by hand.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy
from numpy.typing import ArrayLike, NDArray

from wms.sim import SimResources, Work

__all__ = ["RefRecords", "hand_work", "random_work", "simpy_simulate"]


@dataclass
class RefRecords:
    """The reference model's results, with the same names as ``SimRecords``."""

    trip_picker: list[int]
    trip_start_s: list[float]
    trip_end_s: list[float]
    trip_sorter: list[int]
    trip_sort_start_s: list[float]
    trip_sort_end_s: list[float]
    order_picked_s: list[float]
    order_sorted_s: list[float]
    order_ready_s: list[float]
    order_pack_start_s: list[float]
    order_packed_s: list[float]
    order_packer: list[int]
    wall_admit_s: list[float]
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


class _Model:
    """The warehouse as SimPy processes; state in plain lists, everything looked up by index."""

    def __init__(self, work: Work, res: SimResources) -> None:
        self.env = simpy.Environment()
        self.w = work
        self.res = res
        n, m = work.n_orders, work.n_trips
        self.parts: list[list[tuple[int, int]]] = [
            [
                (int(work.part_order[i]), int(work.part_units[i]))
                for i in range(int(work.part_start[t]), int(work.part_start[t + 1]))
            ]
            for t in range(m)
        ]
        self.n_groups = int(work.wall_group.max()) + 1 if n else 0
        self.group_size = [int(np.sum(work.wall_group == g)) for g in range(self.n_groups)]
        self.sort_left = [int(x) for x in work.sort_units]
        self.direct_left = [
            int(a - b) for a, b in zip(work.order_units, work.sort_units, strict=True)
        ]
        self.pick_left = [int(x) for x in work.order_units]

        nan = math.nan
        self.trip_picker = [-1] * m
        self.trip_start = [nan] * m
        self.trip_end = [nan] * m
        self.trip_sorter = [-1] * m
        self.sort_start = [nan] * m
        self.sort_end = [nan] * m
        self.picked = [nan] * n
        self.sorted_at = [nan] * n
        self.ready_at = [nan] * n
        self.pack_start = [nan] * n
        self.packed = [nan] * n
        self.packer = [-1] * n
        self.admitted_at = [nan] * self.n_groups

        self.waiting_trips: list[int] = []
        self.sort_zone: list[tuple[float, int]] = []  # (arrival, trip), admitted or not
        self.ready_orders: list[int] = []
        self.group_seen = [False] * self.n_groups
        self.admitted = 0
        self.free_positions = res.put_wall_positions
        self.max_sort_q = self.max_pack_q = self.max_pos = 0

        kinds = {"pick": res.pickers, "sort": res.sorters, "pack": res.packers}
        self.mailbox: dict[str, list[simpy.Event]] = {
            kind: [self.env.event() for _ in range(count)] for kind, count in kinds.items()
        }
        self.tasks: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
        self.kick_event = self.env.event()

        for t in range(m):
            self.env.process(self.release(t))
        for start, _ in res.shifts:
            self.env.process(self.bell(start))
        for kind, count in kinds.items():
            for i in range(count):
                self.env.process(self.server(kind, i))
        self.env.process(self.dispatcher())

    # --- processes ---------------------------------------------------------------------------
    def release(self, t: int) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(float(self.w.trip_release_s[t]))
        self.waiting_trips.append(t)
        self.kick()

    def bell(self, start: float) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(start)
        self.kick()

    def server(self, kind: str, i: int) -> Generator[simpy.Event, Any, None]:
        while True:
            job = yield self.mailbox[kind][i]
            start = self.env.now
            yield self.env.timeout(self.duration(kind, job))
            self.tasks[kind].append((start, self.env.now))
            self.finish(kind, job)
            self.mailbox[kind][i] = self.env.event()
            self.kick()

    def dispatcher(self) -> Generator[simpy.Event, Any, None]:
        while True:
            yield self.kick_event
            while self.env.peek() == self.env.now:  # let everything else at this instant happen
                yield self.env.timeout(0)
            self.kick_event = self.env.event()
            self.dispatch()

    def kick(self) -> None:
        if not self.kick_event.triggered:
            self.kick_event.succeed()

    # --- rules -------------------------------------------------------------------------------
    def duration(self, kind: str, job: int) -> float:
        if kind == "pick":
            return float(self.w.trip_pick_s[job])
        if kind == "sort":
            return float(self.w.trip_sort_s[job])
        return float(self.w.pack_s[job])

    def on_shift(self) -> bool:
        now = self.env.now
        if now >= self.res.shifts[-1][1]:
            return True
        return any(start <= now < end for start, end in self.res.shifts)

    def make_ready(self, o: int) -> None:
        if self.sort_left[o] == 0 and self.direct_left[o] == 0:
            self.ready_at[o] = self.env.now
            self.ready_orders.append(o)

    def finish(self, kind: str, job: int) -> None:
        now = self.env.now
        if kind == "pick":
            self.trip_end[job] = now
            for o, u in self.parts[job]:
                self.pick_left[o] -= u
                if self.pick_left[o] == 0:
                    self.picked[o] = now
            if self.w.trip_to_sort[job]:
                self.sort_zone.append((now, job))
                self.group_seen[int(self.w.wall_group[self.parts[job][0][0]])] = True
            else:
                for o, u in self.parts[job]:
                    self.direct_left[o] -= u
                    self.make_ready(o)
        elif kind == "sort":
            self.sort_end[job] = now
            for o, u in self.parts[job]:
                self.sort_left[o] -= u
                if self.sort_left[o] == 0:
                    self.sorted_at[o] = now
                    self.make_ready(o)
        else:
            self.packed[job] = now

    def free(self, kind: str) -> list[int]:
        return [i for i, box in enumerate(self.mailbox[kind]) if not box.triggered]

    def dispatch(self) -> None:
        now = self.env.now
        w = self.w
        if self.on_shift():
            for i in self.free("pick"):
                if not self.waiting_trips:
                    break
                t = min(
                    self.waiting_trips,
                    key=lambda t: (float(w.trip_due_s[t]), float(w.trip_release_s[t]), t),
                )
                self.waiting_trips.remove(t)
                self.trip_picker[t] = i
                self.trip_start[t] = now
                self.mailbox["pick"][i].succeed(t)
            for i in self.free("pack"):
                if not self.ready_orders:
                    break
                o = min(self.ready_orders, key=lambda o: (float(w.due_s[o]), self.ready_at[o], o))
                self.ready_orders.remove(o)
                self.packer[o] = i
                self.pack_start[o] = now
                if w.wall_group[o] >= 0:
                    self.free_positions += 1
                self.mailbox["pack"][i].succeed(o)
        while (
            self.admitted < self.n_groups
            and self.group_seen[self.admitted]
            and self.free_positions >= self.group_size[self.admitted]
        ):
            self.free_positions -= self.group_size[self.admitted]
            self.admitted_at[self.admitted] = now
            self.admitted += 1
        if self.on_shift():
            for i in self.free("sort"):
                allowed = [
                    c
                    for c in self.sort_zone
                    if w.wall_group[self.parts[c[1]][0][0]] < self.admitted
                ]
                if not allowed:
                    break
                c = min(allowed)
                self.sort_zone.remove(c)
                self.trip_sorter[c[1]] = i
                self.sort_start[c[1]] = now
                self.mailbox["sort"][i].succeed(c[1])
        self.max_sort_q = max(self.max_sort_q, len(self.sort_zone))
        self.max_pack_q = max(self.max_pack_q, len(self.ready_orders))
        self.max_pos = max(self.max_pos, self.res.put_wall_positions - self.free_positions)

    # --- accounting ----------------------------------------------------------------------------
    def account(self, kind: str) -> tuple[float, float, float]:
        """Busy seconds, busy seconds outside every window, busy seconds after the last one."""
        busy = outside = after = 0.0
        last_end = self.res.shifts[-1][1]
        for start, end in self.tasks[kind]:
            busy += end - start
            inside = 0.0
            for ws, we in self.res.shifts:
                inside += max(0.0, min(end, we) - max(start, ws))
            outside += end - start - inside
            after += max(0.0, end - max(start, last_end))
        return busy, outside, after


def simpy_simulate(work: Work, res: SimResources) -> RefRecords:
    """Run the SimPy reference model of the engine's rules."""
    model = _Model(work, res)
    model.env.run()
    horizon = max(model.packed) if model.packed else 0.0
    window_s = sum(max(0.0, min(end, horizon) - start) for start, end in res.shifts)
    acc = {kind: model.account(kind) for kind in ("pick", "sort", "pack")}
    return RefRecords(
        trip_picker=model.trip_picker,
        trip_start_s=model.trip_start,
        trip_end_s=model.trip_end,
        trip_sorter=model.trip_sorter,
        trip_sort_start_s=model.sort_start,
        trip_sort_end_s=model.sort_end,
        order_picked_s=model.picked,
        order_sorted_s=model.sorted_at,
        order_ready_s=model.ready_at,
        order_pack_start_s=model.pack_start,
        order_packed_s=model.packed,
        order_packer=model.packer,
        wall_admit_s=model.admitted_at,
        max_sort_queue=model.max_sort_q,
        max_pack_queue=model.max_pack_q,
        max_wall_positions=model.max_pos,
        picker_busy_s=acc["pick"][0],
        sorter_busy_s=acc["sort"][0],
        packer_busy_s=acc["pack"][0],
        picker_available_s=res.pickers * window_s + acc["pick"][1],
        sorter_available_s=res.sorters * window_s + acc["sort"][1],
        packer_available_s=res.packers * window_s + acc["pack"][1],
        overtime_s=sum(a[2] for a in acc.values()),
        start_s=min(work.trip_release_s.tolist(), default=0.0),
        end_s=max(model.packed, default=0.0),
    )


def _split(total: int, rng: np.random.Generator, max_pieces: int) -> list[int]:
    """Split ``total`` units into 1..max_pieces positive pieces."""
    k = int(rng.integers(1, min(total, max_pieces) + 1))
    cuts = (
        np.sort(rng.choice(np.arange(1, total), size=k - 1, replace=False)).tolist()
        if k > 1
        else []
    )
    edges = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(edges)]


def _chunks(items: list[tuple[int, int]], rng: np.random.Generator) -> list[list[tuple[int, int]]]:
    """Cut a shuffled list of parts into trips of 1..4 parts."""
    order = rng.permutation(len(items))
    items = [items[i] for i in order]
    out = []
    while items:
        k = int(rng.integers(1, 5))
        out.append(items[:k])
        items = items[k:]
    return out


def random_work(
    rng: np.random.Generator,
    *,
    max_orders: int = 12,
    wall: bool = True,
    zero_durations: bool = False,
    grid: int = 1,
) -> tuple[Work, SimResources]:
    """A small random Work and staff that the engine accepts.

    Integer times (arrivals, releases, durations, shift bounds) make ties frequent. Some orders
    are sorted at the put wall (partly or wholly) in groups of 1..3 orders; put-wall containers
    hold one group each; units are split over several trips. Shifts are 1..3 windows with
    gaps; staff 1..3 per kind; the wall has 0..2 more positions than the largest group.
    With ``zero_durations`` some tasks take 0 s. A ``grid`` > 1 rounds all times and durations
    up to its multiples, so that many events share an instant.
    """

    def snap(x: ArrayLike) -> NDArray[np.float64]:
        return np.ceil(np.asarray(x, dtype=np.float64) / grid) * grid

    n = int(rng.integers(1, max_orders + 1))
    units = rng.integers(1, 5, n)
    arrival = snap(rng.integers(0, 60, n))
    due = (arrival + rng.integers(30, 400, n)).astype(np.float64)
    due[rng.random(n) < 0.2] = np.inf
    sorted_mask = (rng.random(n) < 0.5) if wall else np.zeros(n, dtype=bool)
    sort_units = np.where(sorted_mask, rng.integers(1, units + 1), 0).astype(np.int64)
    wall_group = np.full(n, -1, dtype=np.int64)
    walled = rng.permutation(np.flatnonzero(sorted_mask))
    g = 0
    while len(walled):
        k = int(rng.integers(1, 4))
        wall_group[walled[:k]] = g
        walled = walled[k:]
        g += 1

    trips: list[tuple[bool, list[tuple[int, int]]]] = []
    for grp in range(g):
        pieces = [
            (o, u)
            for o in np.flatnonzero(wall_group == grp).tolist()
            for u in _split(int(sort_units[o]), rng, 2)
        ]
        trips += [(True, c) for c in _chunks(pieces, rng)]
    direct = [
        (o, u)
        for o in range(n)
        if units[o] > sort_units[o]
        for u in _split(int(units[o] - sort_units[o]), rng, 2)
    ]
    trips += [(False, c) for c in _chunks(direct, rng)]
    trips = [trips[i] for i in rng.permutation(len(trips))]
    m = len(trips)

    def durations(low: int, high: int, size: int) -> np.ndarray:
        d = snap(rng.integers(low, high, size))
        if zero_durations:
            d[rng.random(size) < 0.15] = 0.0
        return d

    part_order = np.array([o for _, parts in trips for o, _ in parts], dtype=np.int64)
    part_units = np.array([u for _, parts in trips for _, u in parts], dtype=np.int64)
    part_start = np.concatenate([[0], np.cumsum([len(p) for _, p in trips])]).astype(np.int64)
    trip_due = np.array([min(due[o] for o, _ in parts) for _, parts in trips])
    trip_release = np.array([max(arrival[o] for o, _ in parts) for _, parts in trips]) + snap(
        rng.integers(0, 20, m)
    )
    made = rng.integers(0, 2, n)
    caught = np.minimum(made, rng.integers(0, 2, n))
    work = Work(
        strategy="random",
        lane_names=("any",),
        order_ids=tuple(f"o{i}" for i in range(n)),
        arrival_s=arrival,
        due_s=due,
        order_units=units.astype(np.int64),
        order_lines=rng.integers(1, units + 1).astype(np.int64),
        order_lane=np.zeros(n, dtype=np.int64),
        pack_s=durations(1, 30, n),
        sort_units=sort_units,
        wall_group=wall_group,
        trip_ids=tuple(f"t{i}" for i in range(m)),
        trip_release_s=trip_release.astype(np.float64),
        trip_due_s=trip_due.astype(np.float64),
        trip_pick_s=durations(1, 60, m),
        trip_travel_m=rng.integers(10, 200, m).astype(np.float64),
        trip_units=np.array([sum(u for _, u in p) for _, p in trips], dtype=np.int64),
        trip_lines=np.array([len(p) for _, p in trips], dtype=np.int64),
        trip_lane=np.zeros(m, dtype=np.int64),
        trip_to_sort=np.array([s for s, _ in trips], dtype=bool),
        trip_sort_s=durations(1, 25, m),
        part_start=part_start,
        part_order=part_order,
        part_units=part_units,
        scans=int(rng.integers(0, 100)),
        errors_made=made.astype(np.int64),
        errors_caught=caught.astype(np.int64),
        errors_shipped=(made - caught).astype(np.int64),
    )
    work.check()

    shifts = []
    t = float(snap(rng.integers(0, 40)))
    for _ in range(int(rng.integers(1, 4))):
        end = t + float(snap(rng.integers(10, 150)))
        shifts.append((t, end))
        t = end + float(snap(rng.integers(0, 80)))
    largest = max([int(np.sum(wall_group == k)) for k in range(g)], default=0)
    res = SimResources(
        pickers=int(rng.integers(1, 4)),
        sorters=int(rng.integers(1, 4)) if g else int(rng.integers(0, 2)),
        packers=int(rng.integers(1, 4)),
        put_wall_positions=largest + int(rng.integers(0, 3)),
        shifts=tuple(shifts),
    )
    return work, res


def hand_work() -> tuple[Work, SimResources]:
    """Three orders, two trips, one picker, one sorter, one packer, two shifts with a break.

    * A (2 units, 2 lines) and B (1 unit) are sorted at the wall, both in wall group 0; C (1 unit)
      goes straight to packing. Arrivals 0, 0, 5; cutoffs 500, 400, 210; pack 40, 20, 25 s.
    * Trip T0 (released 0, 100 s, 120 m) holds A and B and goes to the wall (sorted in 30 s);
      trip T1 (released 10, 50 s, 80 m) holds C.
    * Shifts [0, 140) and [200, 240); the wall has 2 positions; 12 scans; A had an error that was
      caught, B one that was shipped.
    """
    work = Work(
        strategy="hand",
        lane_names=("sort_zone", "direct"),
        order_ids=("A", "B", "C"),
        arrival_s=np.array([0.0, 0.0, 5.0]),
        due_s=np.array([500.0, 400.0, 210.0]),
        order_units=np.array([2, 1, 1]),
        order_lines=np.array([2, 1, 1]),
        order_lane=np.array([0, 0, 1]),
        pack_s=np.array([40.0, 20.0, 25.0]),
        sort_units=np.array([2, 1, 0]),
        wall_group=np.array([0, 0, -1]),
        trip_ids=("T0", "T1"),
        trip_release_s=np.array([0.0, 10.0]),
        trip_due_s=np.array([400.0, 210.0]),
        trip_pick_s=np.array([100.0, 50.0]),
        trip_travel_m=np.array([120.0, 80.0]),
        trip_units=np.array([3, 1]),
        trip_lines=np.array([3, 1]),
        trip_lane=np.array([0, 1]),
        trip_to_sort=np.array([True, False]),
        trip_sort_s=np.array([30.0, 0.0]),
        part_start=np.array([0, 2, 3]),
        part_order=np.array([0, 1, 2]),
        part_units=np.array([2, 1, 1]),
        scans=12,
        errors_made=np.array([1, 1, 0]),
        errors_caught=np.array([1, 0, 0]),
        errors_shipped=np.array([0, 1, 0]),
    )
    res = SimResources(
        pickers=1, sorters=1, packers=1, put_wall_positions=2, shifts=((0.0, 140.0), (200.0, 240.0))
    )
    return work, res
