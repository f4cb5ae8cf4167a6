"""What a strategy comparison returns: KPIs per strategy with confidence intervals, records, advice.

:func:`wms.scenario.compare.compare` builds a :class:`Comparison`; the terminal table, the JSON
document and the HTML report (:mod:`wms.report`) are views of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from wms.layout import Layout

__all__ = ["Comparison", "DrawnRoute", "Recommendation"]


@dataclass(frozen=True, slots=True)
class DrawnRoute:
    """One pick trip's walk, for drawing: the points in walking order (metres)."""

    strategy: str
    trip_id: str
    length_m: float
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The advice: the best strategy on the chosen KPI and why.

    Attributes
    ----------
    objective
        The KPI name the planner chose (see :data:`wms.sim.KPI_NAMES`).
    best
        Label of the best strategy on it.
    ranking
        All strategy labels, best first.
    reasons
        Plain sentences with the numbers behind the choice (difference to the runner-up and
        whether the confidence intervals overlap, trade-offs on other KPIs).
    """

    objective: str
    best: str
    ranking: tuple[str, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "objective": self.objective,
            "best": self.best,
            "ranking": list(self.ranking),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Comparison:
    """Strategies compared on one scenario.

    Attributes
    ----------
    scenario, description
        The scenario's name and free text.
    strategies
        Strategy labels in scenario order.
    replications
        Number of replications (independent order streams; every strategy sees the same ones).
    runs
        One row per (strategy, replication): columns ``strategy``, ``replication`` and every KPI
        of :data:`wms.sim.KPI_NAMES`.
    summary
        Long table, one row per (strategy, KPI): ``strategy``, ``kpi``, ``mean``,
        ``half_width`` (of the 95 % confidence interval, Student t; 0 with one replication),
        ``ci_low``, ``ci_high``, ``n``.
    orders
        Per-order records of replication 0: ``strategy``, ``order_id``, ``lane``, ``arrival_s``,
        ``due_s``, ``units``, ``lines``, ``picked_s``, ``ready_s``, ``pack_start_s``,
        ``packed_s``, ``cycle_min``, ``late`` (times in seconds from midnight of the day).
    trips
        Per-trip records of replication 0: ``strategy``, ``trip_id``, ``lane``, ``picker``,
        ``release_s``, ``start_s``, ``end_s``, ``travel_m``, ``units``, ``lines``, ``orders``,
        ``to_sort``, ``sorter``, ``sort_start_s``, ``sort_end_s``.
    pick_units
        Units picked per location in replication 0 (the same for every strategy): ``location``,
        ``x_m``, ``y_m``, ``units``.
    routes
        A few routes per strategy from replication 0, for drawing.
    layout
        The scenario's layout (for drawing).
    recommendation
        The advice on the objective KPI.
    """

    scenario: str
    description: str | None
    strategies: tuple[str, ...]
    replications: int
    runs: pd.DataFrame
    summary: pd.DataFrame
    orders: pd.DataFrame
    trips: pd.DataFrame
    pick_units: pd.DataFrame
    routes: tuple[DrawnRoute, ...]
    layout: Layout
    recommendation: Recommendation

    def kpi_table(self, stat: str = "mean") -> pd.DataFrame:
        """KPIs as rows, strategies as columns (``stat``: ``mean``, ``half_width``, ...)."""
        table = self.summary.pivot(index="kpi", columns="strategy", values=stat)
        kpi_order = list(dict.fromkeys(self.summary["kpi"]))
        return table.loc[kpi_order, list(self.strategies)]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``wms compare --format json``.

        ``{"scenario": ..., "replications": ..., "strategies": [{"name": ..., "kpis": {kpi:
        {"mean": ..., "ci_low": ..., "ci_high": ..., "half_width": ...}}}], "recommendation":
        {...}}``; numbers that are not finite become ``null``.
        """
        strategies = []
        for name in self.strategies:
            rows = self.summary[self.summary["strategy"] == name]
            kpis = {
                str(r.kpi): {
                    "mean": _num(r.mean),
                    "ci_low": _num(r.ci_low),
                    "ci_high": _num(r.ci_high),
                    "half_width": _num(r.half_width),
                }
                for r in rows.itertuples(index=False)
            }
            strategies.append({"name": name, "kpis": kpis})
        return {
            "scenario": self.scenario,
            "replications": self.replications,
            "strategies": strategies,
            "recommendation": self.recommendation.to_dict(),
        }


def _num(value: Any) -> float | None:
    x = float(value)
    return x if pd.notna(x) and abs(x) != float("inf") else None
