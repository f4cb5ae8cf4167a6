"""How each KPI is labelled, formatted and judged (lower or higher is better) in the reports.

One table, :data:`KPI_FORMATS`, covers every KPI of the simulation (:data:`wms.sim.KPI_NAMES`);
the terminal table, the plots and the HTML report all read it, so a KPI looks the same everywhere.
Directions agree with :data:`wms.sim.KPI_INFO` (the recommendation ranks by those; a test keeps
the two in step); labels are shorter, to fit table rows and chart titles.
A KPI the table does not know (a new one) still renders, with its name as label, two decimals
and no direction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "KPI_FORMATS",
    "KpiFormat",
    "best_strategies",
    "format_cell",
    "format_value",
    "kpi_format",
    "row_decimals",
]

Better = Literal["lower", "higher", ""]
Kind = Literal["count", "number", "percent"]


@dataclass(frozen=True, slots=True)
class KpiFormat:
    """Presentation of one KPI.

    Attributes
    ----------
    label
        Short human label (no unit).
    unit
        Unit shown next to the label (``""`` for none, ``"%"`` for shares).
    better
        ``"lower"``, ``"higher"`` or ``""`` (neutral: no best value is highlighted).
    kind
        ``"count"``: whole numbers (one decimal when a mean over replications is fractional);
        ``"number"``: ``decimals`` decimals; ``"percent"``: a fraction 0..1 shown as percent with
        ``decimals`` decimals.
    decimals
        Decimals of ``number`` and ``percent`` values.
    """

    label: str
    unit: str
    better: Better
    kind: Kind = "number"
    decimals: int = 2

    @property
    def heading(self) -> str:
        """Label with unit and direction arrow, e.g. ``"Travel per unit [m] ↓"``.

        Percentages carry their ``%`` in every value, not in the heading.
        """
        unit = f" [{self.unit}]" if self.unit and self.kind != "percent" else ""
        arrow = {"lower": " ↓", "higher": " ↑", "": ""}[self.better]
        return f"{self.label}{unit}{arrow}"


def _count(label: str, better: Better = "", unit: str = "") -> KpiFormat:
    return KpiFormat(label, unit, better, "count", 0)


def _num(label: str, unit: str, better: Better, decimals: int) -> KpiFormat:
    return KpiFormat(label, unit, better, "number", decimals)


def _pct(label: str, better: Better, decimals: int = 1) -> KpiFormat:
    return KpiFormat(label, "%", better, "percent", decimals)


#: Presentation of every simulation KPI, in the simulation's order.
KPI_FORMATS: Mapping[str, KpiFormat] = {
    "orders": _count("Orders"),
    "unplanned_orders": _count("Orders not planned", "lower"),
    "units": _count("Units"),
    "lines": _count("Order lines"),
    "trips": _count("Pick trips", "lower"),
    "travel_m": _num("Travel", "m", "lower", 0),
    "travel_m_per_unit": _num("Travel per unit", "m", "lower", 2),
    "units_per_picker_hour": _num("Units per picker hour", "", "higher", 1),
    "makespan_h": _num("Makespan", "h", "lower", 2),
    "cycle_time_p50_min": _num("Cycle time p50", "min", "lower", 1),
    "cycle_time_p95_min": _num("Cycle time p95", "min", "lower", 1),
    "cycle_time_max_min": _num("Cycle time max", "min", "lower", 1),
    "late_orders": _count("Late orders", "lower"),
    "late_share": _pct("Late share", "lower"),
    "picker_utilisation": _pct("Picker utilisation", ""),
    "sorter_utilisation": _pct("Sorter utilisation", ""),
    "packer_utilisation": _pct("Packer utilisation", ""),
    "max_sort_queue": _count("Max sort queue", "lower"),
    "max_pack_queue": _count("Max pack queue", "lower"),
    "put_wall_positions_needed": _count("Put-wall positions needed", "lower"),
    "sort_work_h": _num("Sort work", "h", "lower", 2),
    "labour_h": _num("Labour", "h", "lower", 2),
    "labour_s_per_unit": _num("Labour per unit", "s", "lower", 1),
    "overtime_h": _num("Overtime", "h", "lower", 2),
    "scans_per_unit": _num("Scans per unit", "", "lower", 2),
    "errors_made": _count("Errors made", "lower"),
    "errors_caught": _count("Errors caught"),
    "errors_shipped": _count("Errors shipped", "lower"),
    "perfect_order_rate": _pct("Perfect order rate", "higher", 2),
}


def kpi_format(kpi: str) -> KpiFormat:
    """The presentation of ``kpi``; a generic one (name as label, 2 decimals) if unknown."""
    found = KPI_FORMATS.get(kpi)
    return found if found is not None else KpiFormat(kpi, "", "", "number", 2)


def _decimals(fmt: KpiFormat, value: float) -> int:
    if fmt.kind == "count":
        return 0 if abs(value - round(value)) < 1e-9 else 1
    return fmt.decimals


def _scaled(fmt: KpiFormat, value: float) -> float:
    return value * 100.0 if fmt.kind == "percent" else value


def row_decimals(kpi: str, values: Iterable[float]) -> int:
    """Decimals that show every value of one table row alike.

    Counts get one decimal as soon as one mean is fractional (``"5.3"`` next to ``"6.0"``, not
    ``"6"``); other kinds always have their fixed decimals.
    """
    fmt = kpi_format(kpi)
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return max((_decimals(fmt, v) for v in finite), default=fmt.decimals)


def format_value(kpi: str, value: float, *, unit: bool = False, decimals: int | None = None) -> str:
    """``value`` of ``kpi`` as text (``"12,345"``, ``"8.41"``, ``"97.5 %"``); ``"–"`` if missing.

    Parameters
    ----------
    kpi
        KPI name.
    value
        The value in the KPI's own unit (shares and utilisations as fractions 0..1).
    unit
        Append the unit (``"8.41 m"``); percentages always carry ``%``.
    decimals
        Override the KPI's decimals (see :func:`row_decimals`).
    """
    if value is None or not math.isfinite(float(value)):
        return "–"
    fmt = kpi_format(kpi)
    x = _scaled(fmt, float(value))
    text = f"{x:,.{_decimals(fmt, float(value)) if decimals is None else decimals}f}"
    if fmt.kind == "percent":
        return f"{text} %"
    return f"{text} {fmt.unit}" if unit and fmt.unit else text


def format_cell(
    kpi: str, mean: float, half_width: float, replications: int, *, decimals: int | None = None
) -> str:
    """``"mean ± half_width"`` of ``kpi``; just the mean with one replication or a zero interval.

    The half width gets the mean's decimals (and ``%`` for percentages, once, at the end);
    ``decimals`` overrides them (see :func:`row_decimals`).
    """
    text = format_value(kpi, mean, decimals=decimals)
    if text == "–" or replications <= 1:
        return text
    hw = float(half_width)
    if not math.isfinite(hw) or hw <= 0:
        return text
    fmt = kpi_format(kpi)
    if decimals is None:
        decimals = _decimals(fmt, float(mean))
    hw_text = f"{_scaled(fmt, hw):,.{decimals}f}"
    if fmt.kind == "percent":
        return f"{text[:-2]} ± {hw_text} %"
    return f"{text} ± {hw_text}"


def best_strategies(kpi: str, means: Mapping[str, float]) -> set[str]:
    """The strategies with the best mean of ``kpi`` (ties at display precision all count).

    Empty for neutral KPIs, when fewer than two strategies have a finite mean, and when all
    finite means are equal (there is nothing to single out).
    """
    fmt = kpi_format(kpi)
    if not fmt.better:
        return set()
    keys: dict[str, float] = {}
    for name, value in means.items():
        if value is None or not math.isfinite(float(value)):
            continue
        x = float(value)
        keys[name] = round(_scaled(fmt, x), _decimals(fmt, x) if fmt.kind != "count" else 1)
    if len(keys) < 2 or len(set(keys.values())) == 1:
        return set()
    target = min(keys.values()) if fmt.better == "lower" else max(keys.values())
    return {name for name, key in keys.items() if key == target}
