"""Speed of the event engine (group ``sim``) on a synthetic peak day.

100,000 orders (1-5 units, arriving over 20 h, cutoff 4 h after arrival), half of them sorted at
the put wall in groups of 25 orders (2 containers per group), the other half picked 12 orders per
trip straight to packing: about 8,000 trips released in 15-minute waves. Staff: 60 pickers,
10 sorters, 300 wall positions, 12 packers, three 8-hour shifts covering 24 h.

Target: <= 3 s per 100,000-order Work (five strategies must simulate well under 20 s). The
benchmark asserts that every order is packed and every unit conserved.

Run: ``.venv/bin/python -m pytest benchmarks/test_bench_sim.py --benchmark-only -s``
"""

from __future__ import annotations

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from wms.sim import SimRecords, SimResources, Work, kpis, simulate

GROUP_ORDERS = 25
DIRECT_ORDERS_PER_TRIP = 12
WAVE_S = 900.0


def peak_day(n: int = 100_000, seed: int = 2024) -> Work:
    """The synthetic peak day described in the module documentation."""
    rng = np.random.default_rng(seed)
    units = np.minimum(1 + rng.poisson(0.8, n), 5).astype(np.int64)
    arrival = np.sort(rng.uniform(0.0, 20 * 3600.0, n))
    due = arrival + 4 * 3600.0
    wall = rng.random(n) < 0.5
    wall_idx, direct_idx = np.flatnonzero(wall), np.flatnonzero(~wall)

    wall_group = np.full(n, -1, dtype=np.int64)
    rank = np.arange(len(wall_idx))
    wall_group[wall_idx] = rank // GROUP_ORDERS
    # two containers per group: its first 13 orders and the rest
    container = 2 * (rank // GROUP_ORDERS) + (rank % GROUP_ORDERS >= (GROUP_ORDERS + 1) // 2)
    n_containers = int(container.max()) + 1
    order_trip = np.empty(n, dtype=np.int64)
    order_trip[wall_idx] = container
    order_trip[direct_idx] = n_containers + np.arange(len(direct_idx)) // DIRECT_ORDERS_PER_TRIP
    m = int(order_trip.max()) + 1

    part_order = np.argsort(order_trip, kind="stable").astype(np.int64)
    part_units = units[part_order]
    part_start = np.concatenate([[0], np.cumsum(np.bincount(order_trip, minlength=m))])
    heads = part_start[:-1]
    trip_units = np.add.reduceat(part_units, heads)
    # a trip is released with the first wave after all of its orders arrived
    release = (np.floor(np.maximum.reduceat(arrival[part_order], heads) / WAVE_S) + 1) * WAVE_S
    sort_units = np.where(wall, units, 0).astype(np.int64)
    return Work(
        strategy="synthetic",
        lane_names=("sort_zone", "direct"),
        order_ids=tuple(f"o{i}" for i in range(n)),
        arrival_s=arrival,
        due_s=due,
        order_units=units,
        order_lines=units.copy(),
        order_lane=(~wall).astype(np.int64),
        pack_s=(6.0 + 1.5 * units).astype(np.float64),
        sort_units=sort_units,
        wall_group=wall_group,
        trip_ids=tuple(f"t{i}" for i in range(m)),
        trip_release_s=release,
        trip_due_s=np.minimum.reduceat(due[part_order], heads),
        trip_pick_s=120.0 + 15.0 * trip_units,
        trip_travel_m=150.0 + 10.0 * trip_units,
        trip_units=trip_units,
        trip_lines=trip_units.copy(),
        trip_lane=(np.arange(m) >= n_containers).astype(np.int64),
        trip_to_sort=np.arange(m) < n_containers,
        trip_sort_s=4.0 * trip_units,
        part_start=part_start.astype(np.int64),
        part_order=part_order,
        part_units=part_units,
        scans=int(3 * units.sum()),
        errors_made=np.zeros(n, dtype=np.int64),
        errors_caught=np.zeros(n, dtype=np.int64),
        errors_shipped=np.zeros(n, dtype=np.int64),
    )


RESOURCES = SimResources(
    pickers=60,
    sorters=10,
    packers=12,
    put_wall_positions=300,
    shifts=((0.0, 8 * 3600.0), (8 * 3600.0, 16 * 3600.0), (16 * 3600.0, 24 * 3600.0)),
)


def _check(work: Work, r: SimRecords) -> None:
    """Everything packed once, every unit through the flow, wall never over capacity."""
    assert np.all(np.isfinite(r.order_packed_s))
    assert np.all(r.order_packer >= 0) and np.all(r.trip_picker >= 0)
    sorted_trips = work.trip_to_sort
    assert np.all(r.trip_sorter[sorted_trips] >= 0) and np.all(r.trip_sorter[~sorted_trips] == -1)
    part_trip = np.repeat(np.arange(work.n_trips), np.diff(work.part_start))
    on_wall = sorted_trips[part_trip]
    assert int(work.part_units[on_wall].sum()) == int(work.sort_units.sum())
    assert int(work.part_units.sum()) == int(work.order_units.sum())
    assert np.all(r.order_packed_s >= r.order_ready_s)
    assert np.all(np.isfinite(r.wall_admit_s))
    assert 0 < r.max_wall_positions <= RESOURCES.put_wall_positions


@pytest.mark.benchmark(group="sim")
def test_simulate_peak_day(benchmark: BenchmarkFixture) -> None:
    work = peak_day()
    work.check()
    records = benchmark.pedantic(simulate, args=(work, RESOURCES), rounds=3, iterations=1)
    _check(work, records)
    k = kpis(work, records, RESOURCES)
    assert k["units"] == float(work.order_units.sum())
    stats = benchmark.stats
    assert stats is not None
    benchmark.extra_info.update(
        best_s=stats["min"], trips=work.n_trips, orders=work.n_orders, makespan_h=k["makespan_h"]
    )
    print(
        f"\nsim peak day: best {stats['min']:.3f} s, {work.n_orders:,} orders, "
        f"{work.n_trips:,} trips ({int(work.trip_to_sort.sum()):,} to the wall), makespan "
        f"{k['makespan_h']:.1f} h, utilisation pick {k['picker_utilisation']:.2f} sort "
        f"{k['sorter_utilisation']:.2f} pack {k['packer_utilisation']:.2f}, "
        f"cycle p95 {k['cycle_time_p95_min']:.0f} min, late {k['late_share']:.1%}, "
        f"max sort queue {k['max_sort_queue']:.0f}, max pack queue {k['max_pack_queue']:.0f}"
    )
    assert stats["min"] <= 3.0
