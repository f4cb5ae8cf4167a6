"""KPIs of a simulated strategy (:mod:`wms.sim.kpis`): the hand-computed day, metadata, edges."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

from wms.sim import KPI_INFO, KPI_NAMES, SimResources, kpis, simulate

sys.path.insert(0, str(Path(__file__).parent))
from simpy_reference import hand_work, random_work


def test_hand_computed_kpis() -> None:
    """The day of ``hand_work`` (``simpy_reference.py``) (timeline in ``test_hand_computed_day``).

    Cycle times: A 265 - 0, B 150 - 0, C 225 - 5 = 220 s; the 95th percentile interpolates
    between 220 and 265: 220 + 0.9 * 45 = 260.5 s. C is packed at 225 after its cutoff 210.
    Only A is perfect (B shipped an error, C is late).
    """
    work, res = hand_work()
    k = kpis(work, simulate(work, res), res)
    expected = {
        "orders": 3.0,
        "unplanned_orders": 0.0,
        "units": 4.0,
        "lines": 4.0,
        "trips": 2.0,
        "travel_m": 200.0,
        "travel_m_per_unit": 50.0,
        "units_per_picker_hour": 4 / (150 / 3600),
        "makespan_h": 265 / 3600,
        "cycle_time_p50_min": 220 / 60,
        "cycle_time_p95_min": 260.5 / 60,
        "cycle_time_max_min": 265 / 60,
        "late_orders": 1.0,
        "late_share": 1 / 3,
        "picker_utilisation": 150 / 190,
        "sorter_utilisation": 30 / 180,
        "packer_utilisation": 85 / 215,
        "max_sort_queue": 0.0,
        "max_pack_queue": 2.0,
        "put_wall_positions_needed": 2.0,
        "sort_work_h": 30 / 3600,
        "labour_h": 265 / 3600,
        "labour_s_per_unit": 265 / 4,
        "overtime_h": 25 / 3600,
        "scans_per_unit": 3.0,
        "errors_made": 2.0,
        "errors_caught": 1.0,
        "errors_shipped": 1.0,
        "perfect_order_rate": 1 / 3,
    }
    assert tuple(k) == KPI_NAMES
    assert k == pytest.approx(expected, rel=1e-12)
    assert all(type(v) is float for v in k.values())


def test_metadata() -> None:
    assert tuple(KPI_INFO) == KPI_NAMES
    assert len(set(KPI_NAMES)) == len(KPI_NAMES) == 29
    for name, (label, unit, better) in KPI_INFO.items():
        assert label and isinstance(unit, str), name
        assert better in ("lower", "higher", ""), name


def test_no_sorters_gives_zero_sorter_utilisation() -> None:
    work, res = random_work(np.random.default_rng(1), wall=False)
    res = dataclasses.replace(res, sorters=0)
    k = kpis(work, simulate(work, res), res)
    assert k["sorter_utilisation"] == 0.0 and k["sort_work_h"] == 0.0
    assert k["put_wall_positions_needed"] == 0.0


def test_no_late_orders_without_cutoffs() -> None:
    work, res = hand_work()
    work = dataclasses.replace(work, due_s=np.full(3, np.inf), errors_shipped=np.zeros(3, np.int64))
    k = kpis(work, simulate(work, res), res)
    assert k["late_orders"] == 0.0 and k["late_share"] == 0.0
    assert k["perfect_order_rate"] == 1.0


def test_bounds_on_random_days() -> None:
    rng = np.random.default_rng(7)
    for _ in range(30):
        work, res = random_work(rng, max_orders=25)
        k = kpis(work, simulate(work, res), res)
        assert all(np.isfinite(v) for v in k.values())
        for name in ("late_share", "perfect_order_rate", "picker_utilisation",
                     "sorter_utilisation", "packer_utilisation"):  # fmt: skip
            assert 0.0 <= k[name] <= 1.0, name
        assert k["cycle_time_p50_min"] <= k["cycle_time_p95_min"] <= k["cycle_time_max_min"]
        assert k["labour_h"] >= k["sort_work_h"]
        assert k["units"] == float(work.order_units.sum())


def test_busy_staff_all_day_is_fully_utilised() -> None:
    """One picker, one long trip per window: busy the whole window and nothing else."""
    work, _ = hand_work()
    res = SimResources(1, 1, 1, 2, shifts=((0.0, 100.0),))
    k = kpis(work, simulate(work, res), res)
    assert k["picker_utilisation"] == 1.0  # 0-100 in the window, 100-150 in overtime
    assert k["overtime_h"] > 0
