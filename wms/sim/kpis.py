"""Key performance indicators of one simulated strategy: the numbers a planner compares.

:func:`kpis` condenses a :class:`~wms.sim.work.Work` and its
:class:`~wms.sim.engine.SimRecords` into a flat ``{name: float}`` dict with the keys of
:data:`KPI_NAMES`, in that order. :data:`KPI_INFO` gives each KPI a label, a unit and which
direction is better, so reports can format and colour a comparison table without knowing them.

Conventions: a ratio with nothing to divide by (no units, no servers, no orders) is 0; durations
are in hours (``_h``) or minutes (``_min``) as named; utilisation is busy / available
server-seconds as defined in :class:`~wms.sim.engine.SimRecords`.
"""

from __future__ import annotations

import numpy as np

from wms.sim.engine import SimRecords
from wms.sim.work import SimResources, Work

__all__ = ["KPI_INFO", "KPI_NAMES", "kpis"]

#: ``name: (label, unit, better)``; ``better`` is ``"lower"``, ``"higher"`` or ``""`` (neutral:
#: a size of the day, not a quality).
KPI_INFO: dict[str, tuple[str, str, str]] = {
    "orders": ("Orders", "orders", ""),
    "unplanned_orders": ("Orders the strategy could not plan", "orders", "lower"),
    "units": ("Units", "units", ""),
    "lines": ("Order lines", "lines", ""),
    "trips": ("Pick trips", "trips", "lower"),
    "travel_m": ("Travel distance", "m", "lower"),
    "travel_m_per_unit": ("Travel per unit", "m/unit", "lower"),
    "units_per_picker_hour": ("Units per picker hour", "units/h", "higher"),
    "makespan_h": ("Makespan (first release to last pack)", "h", "lower"),
    "cycle_time_p50_min": ("Order cycle time, median", "min", "lower"),
    "cycle_time_p95_min": ("Order cycle time, 95th percentile", "min", "lower"),
    "cycle_time_max_min": ("Order cycle time, maximum", "min", "lower"),
    "late_orders": ("Late orders", "orders", "lower"),
    "late_share": ("Share of late orders", "", "lower"),
    "picker_utilisation": ("Picker utilisation", "", ""),
    "sorter_utilisation": ("Sorter utilisation", "", ""),
    "packer_utilisation": ("Packer utilisation", "", ""),
    "max_sort_queue": ("Longest sort queue", "containers", "lower"),
    "max_pack_queue": ("Longest pack queue", "orders", "lower"),
    "put_wall_positions_needed": ("Put-wall positions needed", "positions", "lower"),
    "sort_work_h": ("Sorting work", "h", "lower"),
    "labour_h": ("Labour (pick + sort + pack)", "h", "lower"),
    "labour_s_per_unit": ("Labour per unit", "s/unit", "lower"),
    "overtime_h": ("Overtime", "h", "lower"),
    "scans_per_unit": ("Scans per unit", "scans/unit", "lower"),
    "errors_made": ("Picking errors made", "errors", "lower"),
    "errors_caught": ("Picking errors caught", "errors", ""),
    "errors_shipped": ("Errors shipped to customers", "errors", "lower"),
    "perfect_order_rate": ("Perfect order rate (on time, no error shipped)", "", "higher"),
}

#: The KPI names in report order (the keys :func:`kpis` returns).
KPI_NAMES: tuple[str, ...] = tuple(KPI_INFO)


def _ratio(num: float, den: float) -> float:
    """``num / den``, or 0 when there is nothing to divide by."""
    return num / den if den > 0 else 0.0


def kpis(work: Work, records: SimRecords, resources: SimResources) -> dict[str, float]:
    """Compute the KPIs of one simulated strategy.

    Parameters
    ----------
    work
        The simulated work (orders, trips, scans and errors).
    records
        What :func:`~wms.sim.engine.simulate` returned for ``work`` on ``resources``.
    resources
        The staff the work was simulated on.

    Returns
    -------
    dict[str, float]
        One float per name of :data:`KPI_NAMES`, in that order (see :data:`KPI_INFO` for labels
        and units). Cycle time is ``order_packed_s - arrival_s``; an order is late when it is
        packed after its ``due_s``; a perfect order is on time with no error shipped.
    """
    n = work.n_orders
    units = float(work.order_units.sum())
    travel = float(work.trip_travel_m.sum())
    if n:
        cycle_min = (records.order_packed_s - work.arrival_s) / 60.0
        p50, p95 = (float(v) for v in np.percentile(cycle_min, [50.0, 95.0]))
        cycle_max = float(cycle_min.max())
        late = records.order_packed_s > work.due_s
        perfect = float(np.mean(~late & (work.errors_shipped == 0)))
    else:
        p50 = p95 = cycle_max = perfect = 0.0
        late = np.zeros(0, dtype=bool)
    busy_s = records.picker_busy_s + records.sorter_busy_s + records.packer_busy_s

    def util(servers: int, busy: float, available: float) -> float:
        # Busy <= available by construction; min() only absorbs rounding in the window sums.
        return min(1.0, _ratio(busy, available)) if servers > 0 else 0.0

    values = {
        "orders": float(n),
        "unplanned_orders": float(len(work.unplanned)),
        "units": units,
        "lines": float(work.order_lines.sum()),
        "trips": float(work.n_trips),
        "travel_m": travel,
        "travel_m_per_unit": _ratio(travel, units),
        "units_per_picker_hour": _ratio(units, records.picker_busy_s / 3600.0),
        "makespan_h": (records.end_s - records.start_s) / 3600.0,
        "cycle_time_p50_min": p50,
        "cycle_time_p95_min": p95,
        "cycle_time_max_min": cycle_max,
        "late_orders": float(late.sum()),
        "late_share": _ratio(float(late.sum()), n),
        "picker_utilisation": util(
            resources.pickers, records.picker_busy_s, records.picker_available_s
        ),
        "sorter_utilisation": util(
            resources.sorters, records.sorter_busy_s, records.sorter_available_s
        ),
        "packer_utilisation": util(
            resources.packers, records.packer_busy_s, records.packer_available_s
        ),
        "max_sort_queue": float(records.max_sort_queue),
        "max_pack_queue": float(records.max_pack_queue),
        "put_wall_positions_needed": float(records.max_wall_positions),
        "sort_work_h": records.sorter_busy_s / 3600.0,
        "labour_h": busy_s / 3600.0,
        "labour_s_per_unit": _ratio(busy_s, units),
        "overtime_h": records.overtime_s / 3600.0,
        "scans_per_unit": _ratio(float(work.scans), units),
        "errors_made": float(work.errors_made.sum()),
        "errors_caught": float(work.errors_caught.sum()),
        "errors_shipped": float(work.errors_shipped.sum()),
        "perfect_order_rate": perfect,
    }
    return {name: values[name] for name in KPI_NAMES}
