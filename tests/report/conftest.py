"""Synthetic strategy comparisons for the report views: hand-written records, real layouts.

Nothing here runs the simulation: the DataFrames are built directly with the columns documented
on :class:`wms.scenario.result.Comparison`, small enough to check by eye.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wms.layout.schema import load_layout
from wms.report.kpi_format import KPI_FORMATS
from wms.scenario.result import Comparison, DrawnRoute, Recommendation

ROOT = Path(__file__).parents[2]
STRATEGIES = ("single_unit", "sort_zone", "pick_and_sort_cart", "sort_at_pack", "mixed")
#: The KPI names of the simulation, in its order (the brief of wms.sim).
KPI_NAMES = tuple(KPI_FORMATS)


def summarise(runs: pd.DataFrame, kpis: tuple[str, ...]) -> pd.DataFrame:
    """The long summary table (mean, Student-t 95 % half width) of a runs table."""
    rows = []
    for kpi in kpis:
        for name, group in runs.groupby("strategy", sort=False):
            x = group[kpi].to_numpy(dtype=float)
            n = x.size
            mean = float(x.mean())
            hw = float(stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0
            rows.append(
                {
                    "strategy": name,
                    "kpi": kpi,
                    "mean": mean,
                    "half_width": hw,
                    "ci_low": mean - hw,
                    "ci_high": mean + hw,
                    "n": n,
                }
            )
    return pd.DataFrame(rows)


def make_comparison(
    layout_file: str = "layouts/small-single-block.yaml",
    *,
    replications: int = 3,
    description: str | None = "Synthetic comparison: 40 orders, 3 pickers.",
    seed: int = 7,
) -> Comparison:
    """Five strategies, 40 orders each, 3 pickers with back-to-back non-overlapping trips.

    KPI ``k`` of strategy ``s`` in replication ``r`` is ``10 + k + s + noise``, except that
    ``travel_m_per_unit`` is smallest for ``sort_zone`` and ``units_per_picker_hour`` largest
    for it; shares and utilisations are fractions in 0..1.
    """
    rng = np.random.default_rng(seed)
    layout = load_layout(ROOT / layout_file)
    run_rows = []
    for s, name in enumerate(STRATEGIES):
        for r in range(replications):
            row: dict[str, object] = {"strategy": name, "replication": r}
            for k, kpi in enumerate(KPI_NAMES):
                value = 10.0 + k + s + rng.normal(0, 0.3)
                if KPI_FORMATS[kpi].kind == "percent":
                    value = 0.5 + 0.08 * s + rng.normal(0, 0.01)
                elif KPI_FORMATS[kpi].kind == "count":
                    value = float(round(value))
                row[kpi] = value
            row["travel_m_per_unit"] = (3.0 if name == "sort_zone" else 6.0 + s) + rng.normal(
                0, 0.1
            )
            row["units_per_picker_hour"] = (
                120.0 if name == "sort_zone" else 80.0 - s
            ) + rng.normal(0, 1)
            row["orders"] = 40.0
            run_rows.append(row)
    runs = pd.DataFrame(run_rows)
    summary = summarise(runs, KPI_NAMES)

    order_rows = []
    for name in STRATEGIES:
        for o in range(40):
            arrival = 8 * 3600 + o * 300.0
            due = (13 * 3600.0, 16 * 3600.0, float("inf"))[o % 3]
            cycle = float(rng.uniform(20, 200))
            packed = arrival + cycle * 60
            order_rows.append(
                {
                    "strategy": name,
                    "order_id": f"O{o:03d}",
                    "lane": "singles" if o % 2 else "multi",
                    "arrival_s": arrival,
                    "due_s": due,
                    "units": 1 + o % 3,
                    "lines": 1 + o % 2,
                    "picked_s": packed - 600,
                    "ready_s": packed - 300,
                    "pack_start_s": packed - 60,
                    "packed_s": packed,
                    "cycle_min": cycle,
                    "late": bool(packed > due),
                }
            )
    orders = pd.DataFrame(order_rows)

    trip_rows = []
    for name in STRATEGIES:
        sorter_free = [0.0, 0.0]  # each sorter handles one container at a time
        for picker in range(3):
            t = 8 * 3600.0 + picker * 120
            for j in range(6):
                dur = float(rng.uniform(600, 1500))
                start = t + float(rng.uniform(0, 300))
                end = start + dur
                to_sort = name == "sort_zone" or (name == "mixed" and j % 3 == 2)
                sorter = picker % 2
                s0 = max(end, sorter_free[sorter]) if to_sort else float("nan")
                s1 = s0 + 400 if to_sort else float("nan")
                if to_sort:
                    sorter_free[sorter] = s1
                trip_rows.append(
                    {
                        "strategy": name,
                        "trip_id": f"{name[:3]}-{picker}-{j}",
                        "lane": ("singles", "cart", "sort")[j % 3] if name == "mixed" else name,
                        "picker": picker,
                        "release_s": start - 60,
                        "start_s": start,
                        "end_s": end,
                        "travel_m": float(rng.uniform(50, 300)),
                        "units": int(rng.integers(5, 40)),
                        "lines": int(rng.integers(5, 30)),
                        "orders": int(rng.integers(1, 12)),
                        "to_sort": to_sort,
                        "sorter": sorter if to_sort else -1,
                        "sort_start_s": s0,
                        "sort_end_s": s1,
                    }
                )
                t = end
    trips = pd.DataFrame(trip_rows)

    loc = layout.locations
    picked = rng.choice(len(loc), size=min(30, len(loc)), replace=False)
    pick_units = pd.DataFrame(
        {
            "location": [loc.ids[i] for i in picked],
            "x_m": loc.x_m[picked],
            "y_m": loc.y_m[picked],
            "units": rng.integers(1, 200, size=picked.size),
        }
    )

    routes = []
    for name in STRATEGIES:
        for k in range(2):
            stops = rng.choice(len(loc), size=4, replace=False)
            pts = [(float(loc.x_m[0]), float(loc.y_m[0]) - 2)]
            pts += [(float(loc.x_m[i]), float(loc.y_m[i])) for i in stops]
            pts.append(pts[0])
            routes.append(DrawnRoute(name, f"{name[:3]}-0-{k}", 123.4 + k, tuple(pts)))

    recommendation = Recommendation(
        objective="travel_m_per_unit",
        best="sort_zone",
        ranking=("sort_zone", "single_unit", "pick_and_sort_cart", "sort_at_pack", "mixed"),
        reasons=(
            "sort_zone walks 3.0 m per unit, 50 % less than single_unit (6.0 m); the 95 % "
            "confidence intervals do not overlap.",
            "Trade-off: sort_zone needs 12 put-wall positions.",
        ),
    )
    return Comparison(
        scenario="synthetic",
        description=description,
        strategies=STRATEGIES,
        replications=replications,
        runs=runs,
        summary=summary,
        orders=orders,
        trips=trips,
        pick_units=pick_units,
        routes=tuple(routes),
        layout=layout,
        recommendation=recommendation,
    )


@pytest.fixture(scope="session")
def comparison() -> Comparison:
    """Five strategies, 3 replications, on the 8-aisle single-block layout."""
    return make_comparison()


@pytest.fixture(scope="session")
def graph_comparison() -> Comparison:
    """The same synthetic records on the graph layout with a mezzanine (one replication)."""
    return make_comparison("layouts/graph-mezzanine.yaml", replications=1)


@pytest.fixture
def comparison_factory() -> Callable[..., Comparison]:
    """:func:`make_comparison`, for tests that need a variant."""
    return make_comparison
