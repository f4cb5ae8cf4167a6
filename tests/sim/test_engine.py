"""The event engine (:mod:`wms.sim.engine`): a hand-computed day, the SimPy reference on random
Works, invariants under hypothesis, and clear errors for work that cannot be simulated."""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wms.sim import SimRecords, SimResources, Work, kpis, simulate

sys.path.insert(0, str(Path(__file__).parent))
from simpy_reference import hand_work, random_work, simpy_simulate

nan = math.nan


def test_hand_computed_day() -> None:
    """The timeline, worked out by hand:

    * 0: the picker starts T0 (T1 is not released yet) -> 100. 100: T0's container reaches the
      wall, group 0 (2 orders) is admitted, sorting 100 -> 130; the picker starts T1 -> 150.
    * 130: A and B are on the wall and ready; the packer takes B first (cutoff 400 < 500),
      130 -> 150, freeing B's position.
    * 150: C is dropped off (ready), but 150 is in the break: A and C wait (pack queue 2).
    * 200: the packer takes C (cutoff 210) -> 225 (late), then A 225 -> 265 (25 s after the
      last shift: overtime).
    * Busy: picker 150 s, 10 of them after 140; sorter 30 s; packer 85 s, 10 s after 140 and
      25 s after 240. Windows give 180 s per server.
    """
    work, res = hand_work()
    r = simulate(work, res)
    np.testing.assert_array_equal(r.trip_picker, [0, 0])
    np.testing.assert_array_equal(r.trip_start_s, [0.0, 100.0])
    np.testing.assert_array_equal(r.trip_end_s, [100.0, 150.0])
    np.testing.assert_array_equal(r.trip_sorter, [0, -1])
    np.testing.assert_array_equal(r.trip_sort_start_s, [100.0, nan])
    np.testing.assert_array_equal(r.trip_sort_end_s, [130.0, nan])
    np.testing.assert_array_equal(r.order_picked_s, [100.0, 100.0, 150.0])
    np.testing.assert_array_equal(r.order_sorted_s, [130.0, 130.0, nan])
    np.testing.assert_array_equal(r.order_ready_s, [130.0, 130.0, 150.0])
    np.testing.assert_array_equal(r.order_pack_start_s, [225.0, 130.0, 200.0])
    np.testing.assert_array_equal(r.order_packed_s, [265.0, 150.0, 225.0])
    np.testing.assert_array_equal(r.order_packer, [0, 0, 0])
    np.testing.assert_array_equal(r.wall_admit_s, [100.0])
    assert (r.max_sort_queue, r.max_pack_queue, r.max_wall_positions) == (0, 2, 2)
    assert (r.picker_busy_s, r.sorter_busy_s, r.packer_busy_s) == (150.0, 30.0, 85.0)
    assert r.picker_available_s == 180.0 + 10.0
    assert r.sorter_available_s == 180.0
    assert r.packer_available_s == 180.0 + 10.0 + 25.0
    assert r.overtime_s == 25.0
    assert (r.start_s, r.end_s) == (0.0, 265.0)


def _assert_same(r: SimRecords, ref: object) -> None:
    for f in dataclasses.fields(SimRecords):
        ours, theirs = getattr(r, f.name), getattr(ref, f.name)
        if isinstance(ours, np.ndarray):
            np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-12, atol=0, err_msg=f.name)
        else:
            assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-9), f.name


@pytest.mark.parametrize("seed", range(150))
def test_matches_simpy_reference(seed: int) -> None:
    """Every timestamp, server, queue maximum and busy/available figure equals the SimPy model's.

    Every third Work has zero-second tasks, which end at the instant they start; every other
    one has all times on a 10 s grid, so that many events share an instant and the tie rules
    decide."""
    rng = np.random.default_rng(seed)
    work, res = random_work(
        rng,
        max_orders=4 + seed % 12,
        zero_durations=seed % 3 == 0,
        grid=10 if seed % 2 else 1,
    )
    _assert_same(simulate(work, res), simpy_simulate(work, res))


def test_matches_simpy_reference_on_a_crowded_wall() -> None:
    """Many small groups, a wall that fits only the largest one, one sorter: long admission
    waits and a long sort queue."""
    rng = np.random.default_rng(99)
    for _ in range(20):
        work, res = random_work(rng, max_orders=30, grid=10)
        res = dataclasses.replace(
            res,
            sorters=1,
            put_wall_positions=max(1, int(np.bincount(work.wall_group + 1)[1:].max(initial=1))),
        )
        _assert_same(simulate(work, res), simpy_simulate(work, res))


def test_deterministic() -> None:
    work, res = random_work(np.random.default_rng(5), max_orders=40)
    a, b = simulate(work, res), simulate(work, res)
    for f in dataclasses.fields(SimRecords):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y


def _check_invariants(work: Work, res: SimResources, r: SimRecords) -> None:
    m, n = work.n_trips, work.n_orders
    windows = res.shifts
    last_end = windows[-1][1]

    def on_shift(t: float) -> bool:
        return t >= last_end or any(s <= t < e for s, e in windows)

    sorted_trips = work.trip_to_sort.astype(bool)
    tasks = [
        ("pick", res.pickers, r.trip_picker, r.trip_start_s, r.trip_end_s, np.ones(m, bool)),
        ("sort", res.sorters, r.trip_sorter, r.trip_sort_start_s, r.trip_sort_end_s, sorted_trips),
        (
            "pack",
            res.packers,
            r.order_packer,
            r.order_pack_start_s,
            r.order_packed_s,
            np.ones(n, bool),
        ),
    ]
    for kind, count, server, start, end, done in tasks:
        # every task done exactly once, by a real server, started on shift
        assert np.all((server >= 0) == done), kind
        assert np.all(server[done] < count), kind
        assert np.all(np.isfinite(start[done]) & (end[done] >= start[done])), kind
        assert np.all(np.isnan(start[~done])), kind
        assert all(on_shift(float(t)) for t in start[done]), kind
        # no server does two things at once
        for s in range(count):
            mine = np.flatnonzero(server == s)
            order = mine[np.lexsort((end[mine], start[mine]))]
            assert np.all(start[order][1:] >= end[order][:-1]), (kind, s)

    # causality along the flow
    assert np.all(r.trip_start_s >= work.trip_release_s)
    assert np.all(r.trip_sort_start_s[sorted_trips] >= r.trip_end_s[sorted_trips])
    trip_groups = work.wall_group[work.part_order[work.part_start[:-1]]]
    admitted = r.wall_admit_s[trip_groups[sorted_trips]]
    assert np.all(r.trip_sort_start_s[sorted_trips] >= admitted)
    part_trip = np.repeat(np.arange(m), np.diff(work.part_start))
    last_release = np.full(n, -np.inf)
    np.maximum.at(last_release, work.part_order, work.trip_release_s[part_trip])
    assert np.all(r.order_picked_s >= last_release)
    assert np.all(r.order_ready_s >= r.order_picked_s)
    on_wall = work.wall_group >= 0
    assert np.all(r.order_ready_s[on_wall] >= r.order_sorted_s[on_wall])
    assert np.all(np.isnan(r.order_sorted_s[~on_wall]))
    assert np.all(r.order_pack_start_s >= r.order_ready_s)
    assert np.all(r.order_packed_s >= r.order_pack_start_s)
    assert r.end_s == r.order_packed_s.max()

    # Put-wall positions are held from the group's admission until the order's packing starts.
    # Between instants: everything admitted so far minus every packing started so far.
    sizes = np.bincount(work.wall_group[on_wall], minlength=len(r.wall_admit_s))
    freed = np.sort(r.order_pack_start_s[on_wall])
    for t in np.unique(np.concatenate([r.wall_admit_s, freed])):
        held = sizes[r.wall_admit_s <= t].sum() - np.searchsorted(freed, t, side="right")
        assert 0 <= held <= res.put_wall_positions
    # Just after admitting a group: it, plus earlier groups' orders whose packing starts later.
    group_of = work.wall_group[on_wall]
    for g, a in enumerate(r.wall_admit_s):
        still = np.sum((group_of < g) & (r.order_pack_start_s[on_wall] > a))
        assert sizes[g] + still <= res.put_wall_positions
    assert r.max_wall_positions <= res.put_wall_positions
    assert np.all(np.diff(r.wall_admit_s) >= 0)  # groups admitted in index order

    k = kpis(work, r, res)
    for name in ("picker_utilisation", "sorter_utilisation", "packer_utilisation"):
        assert 0.0 <= k[name] <= 1.0, name
    assert k["units"] == float(work.part_units.sum())


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), zero=st.booleans(), size=st.integers(1, 40))
def test_invariants(seed: int, zero: bool, size: int) -> None:
    work, res = random_work(np.random.default_rng(seed), max_orders=size, zero_durations=zero)
    _check_invariants(work, res, simulate(work, res))


def test_invariants_hand_case() -> None:
    work, res = hand_work()
    _check_invariants(work, res, simulate(work, res))


def test_work_between_shifts_waits_for_the_next_window() -> None:
    """Trips waiting before the first window or in a break start when the next window opens;
    trips released after the last window start at once (overtime)."""
    work, _ = hand_work()
    res = SimResources(1, 1, 1, 2, shifts=((50.0, 60.0), (300.0, 310.0)))
    r = simulate(work, res)
    # both trips wait for the first window; T1 is due first, 50 -> 100; T0 then waits out the
    # break (60 -> 300)
    assert r.trip_start_s.tolist() == [300.0, 50.0]
    assert r.order_pack_start_s.min() >= 300.0
    late = dataclasses.replace(work, trip_release_s=np.array([1000.0, 1000.0]))
    assert simulate(late, res).trip_start_s.tolist() == [1050.0, 1000.0]  # T1 is due first


def test_group_waits_for_positions() -> None:
    """Two groups of one order each on a 1-position wall: the second is admitted only when the
    first order's packing starts."""
    work, res = hand_work()
    two = dataclasses.replace(
        work,
        wall_group=np.array([0, 1, -1]),
        trip_ids=("T0", "T1", "T2"),
        trip_release_s=np.array([0.0, 0.0, 10.0]),
        trip_due_s=np.array([500.0, 400.0, 210.0]),
        trip_pick_s=np.array([100.0, 10.0, 50.0]),
        trip_travel_m=np.array([100.0, 20.0, 80.0]),
        trip_units=np.array([2, 1, 1]),
        trip_lines=np.array([2, 1, 1]),
        trip_lane=np.array([0, 0, 1]),
        trip_to_sort=np.array([True, True, False]),
        trip_sort_s=np.array([30.0, 5.0, 0.0]),
        part_start=np.array([0, 1, 2, 3]),
    )
    res = SimResources(2, 1, 1, 1, shifts=((0.0, 1000.0),))
    r = simulate(two, res)
    # T1 (group 1) reaches the wall at 10, before T0 (group 0) at 100: group 1 must wait for
    # group 0, which is admitted at 100 and packed from 130, when group 1 gets the position.
    np.testing.assert_array_equal(r.wall_admit_s, [100.0, 130.0])
    assert r.trip_sort_start_s[1] == 130.0
    assert r.max_sort_queue == 1 and r.max_wall_positions == 1


def _two_trip_work(sort: bool, due: tuple[float, float], pick_s: tuple[float, float]) -> Work:
    """Orders X, Y of one unit each, on trips T0 and T1 (released at 0); both sorted in one
    wall group (5 s per container) or both straight to packing; pack 7 s each."""
    return Work(
        strategy="ties", lane_names=("l",), order_ids=("X", "Y"), arrival_s=np.zeros(2),
        due_s=np.array(due), order_units=np.ones(2, np.int64), order_lines=np.ones(2, np.int64),
        order_lane=np.zeros(2, np.int64), pack_s=np.array([7.0, 7.0]),
        sort_units=np.full(2, int(sort), np.int64), wall_group=np.full(2, 0 if sort else -1),
        trip_ids=("T0", "T1"), trip_release_s=np.zeros(2), trip_due_s=np.array(due),
        trip_pick_s=np.array(pick_s), trip_travel_m=np.ones(2), trip_units=np.ones(2, np.int64),
        trip_lines=np.ones(2, np.int64), trip_lane=np.zeros(2, np.int64),
        trip_to_sort=np.full(2, sort), trip_sort_s=np.full(2, 5.0),
        part_start=np.array([0, 1, 2]), part_order=np.array([0, 1]), part_units=np.ones(2, np.int64),
        scans=0, errors_made=np.zeros(2, np.int64), errors_caught=np.zeros(2, np.int64),
        errors_shipped=np.zeros(2, np.int64),
    )  # fmt: skip


def test_tie_rules() -> None:
    """Containers by arrival then trip index (not by cutoff); orders by cutoff, then ready time,
    then index; the lowest free server index takes the first task."""
    res = SimResources(pickers=2, sorters=2, packers=2, put_wall_positions=2, shifts=((0.0, 1e4),))
    one_sorter = dataclasses.replace(res, sorters=1, packers=1)
    # both containers arrive at 10: T0 (lower index) is sorted first although Y is due earlier
    r = simulate(_two_trip_work(True, (900.0, 100.0), (10.0, 10.0)), one_sorter)
    assert r.trip_sort_start_s.tolist() == [10.0, 15.0]
    # ...but the earlier arrival goes first
    r = simulate(_two_trip_work(True, (100.0, 100.0), (10.0, 8.0)), one_sorter)
    assert r.trip_sort_start_s.tolist() == [13.0, 8.0]
    # ready at the same instant: the earlier cutoff is packed first; equal cutoffs: lower index
    r = simulate(_two_trip_work(False, (900.0, 100.0), (10.0, 10.0)), one_sorter)
    assert r.order_pack_start_s.tolist() == [17.0, 10.0]
    r = simulate(_two_trip_work(False, (100.0, 100.0), (10.0, 10.0)), one_sorter)
    assert r.order_pack_start_s.tolist() == [10.0, 17.0]
    # both wait out a break (3 -> 20): Y, ready at 3, goes before X, ready at 10 (same cutoff)
    with_break = dataclasses.replace(one_sorter, shifts=((0.0, 3.0), (20.0, 1e4)))
    r = simulate(_two_trip_work(False, (100.0, 100.0), (10.0, 3.0)), with_break)
    assert r.order_ready_s.tolist() == [10.0, 3.0]
    assert r.order_pack_start_s.tolist() == [27.0, 20.0]
    # pickers: Y's trip is due first and gets picker 0
    r = simulate(_two_trip_work(False, (900.0, 100.0), (10.0, 10.0)), res)
    assert r.trip_picker.tolist() == [1, 0] and r.order_packer.tolist() == [1, 0]


def test_empty_work() -> None:
    _, res = hand_work()
    empty = Work(
        strategy="none", lane_names=(), order_ids=(), arrival_s=np.zeros(0), due_s=np.zeros(0),
        order_units=np.zeros(0, np.int64), order_lines=np.zeros(0, np.int64),
        order_lane=np.zeros(0, np.int64), pack_s=np.zeros(0), sort_units=np.zeros(0, np.int64),
        wall_group=np.zeros(0, np.int64), trip_ids=(), trip_release_s=np.zeros(0),
        trip_due_s=np.zeros(0), trip_pick_s=np.zeros(0), trip_travel_m=np.zeros(0),
        trip_units=np.zeros(0, np.int64), trip_lines=np.zeros(0, np.int64),
        trip_lane=np.zeros(0, np.int64), trip_to_sort=np.zeros(0, bool), trip_sort_s=np.zeros(0),
        part_start=np.zeros(1, np.int64), part_order=np.zeros(0, np.int64),
        part_units=np.zeros(0, np.int64), scans=0, errors_made=np.zeros(0, np.int64),
        errors_caught=np.zeros(0, np.int64), errors_shipped=np.zeros(0, np.int64),
    )  # fmt: skip
    r = simulate(empty, res)
    assert len(r.order_packed_s) == 0 and len(r.wall_admit_s) == 0
    assert (r.start_s, r.end_s, r.picker_busy_s, r.overtime_s) == (0.0, 0.0, 0.0, 0.0)


# --- work that cannot be simulated -----------------------------------------------------------


def test_group_larger_than_the_wall() -> None:
    work, res = hand_work()
    with pytest.raises(
        ValueError, match="wall group 0 has 2 orders but the put wall has 1 positions"
    ):
        simulate(work, dataclasses.replace(res, put_wall_positions=1))


def test_sort_work_without_sorters() -> None:
    work, res = hand_work()
    with pytest.raises(ValueError, match="1 trips go to the put wall but there are no sorters"):
        simulate(work, dataclasses.replace(res, sorters=0))


def test_no_sorters_is_fine_without_sort_work() -> None:
    work, res = random_work(np.random.default_rng(3), wall=False)
    r = simulate(work, dataclasses.replace(res, sorters=0))
    assert r.sorter_busy_s == 0.0 and r.sorter_available_s == 0.0


def test_container_with_several_wall_groups() -> None:
    work, res = hand_work()
    mixed = dataclasses.replace(work, wall_group=np.array([0, 1, -1]))
    with pytest.raises(
        ValueError, match=r"trip T0 goes to the put wall with orders of wall groups \[0, 1\]"
    ):
        simulate(mixed, res)


def test_container_with_an_order_off_the_wall() -> None:
    work, res = hand_work()
    only_c = dataclasses.replace(work, trip_to_sort=np.array([True, True]))
    with pytest.raises(
        ValueError, match="trip T1 goes to the put wall but its orders have no wall"
    ):
        simulate(only_c, res)
    # T0 holds A (group 0) and C (not sorted), T1 holds B
    with_c = dataclasses.replace(work, part_order=np.array([0, 2, 1]))
    with pytest.raises(ValueError, match=r"trip T0 .* wall groups \[-1, 0\]"):
        simulate(with_c, res)


def test_sort_units_disagree_with_trips() -> None:
    work, res = hand_work()
    bad = dataclasses.replace(work, sort_units=np.array([1, 1, 0]))
    with pytest.raises(ValueError, match="order A: 2 units on put-wall trips but sort_units is 1"):
        simulate(bad, res)


def test_order_without_units() -> None:
    work, res = hand_work()
    bad = dataclasses.replace(
        work,
        order_ids=("A", "B", "C", "D"),
        arrival_s=np.append(work.arrival_s, 0.0),
        due_s=np.append(work.due_s, np.inf),
        order_units=np.append(work.order_units, 0),
        order_lines=np.append(work.order_lines, 0),
        order_lane=np.append(work.order_lane, 0),
        pack_s=np.append(work.pack_s, 10.0),
        sort_units=np.append(work.sort_units, 0),
        wall_group=np.append(work.wall_group, -1),
        errors_made=np.append(work.errors_made, 0),
        errors_caught=np.append(work.errors_caught, 0),
        errors_shipped=np.append(work.errors_shipped, 0),
    )
    with pytest.raises(ValueError, match="order D has no units"):
        simulate(bad, res)


def test_check_failure_is_reported() -> None:
    work, res = hand_work()
    with pytest.raises(ValueError, match="trip_pick_s has 1 entries for 2 trips"):
        simulate(dataclasses.replace(work, trip_pick_s=np.array([1.0])), res)
    with pytest.raises(ValueError, match="trip_pick_s must be finite"):
        simulate(dataclasses.replace(work, trip_pick_s=np.array([1.0, np.inf])), res)
