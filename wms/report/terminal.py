"""The strategy comparison on a terminal: a KPI table (rich) and the recommendation below it.

Strategies are columns, KPIs rows, each cell ``mean ± half width`` of the 95 % confidence
interval; the best value of each row (by the KPI's direction, see :mod:`wms.report.kpi_format`) is
bold green.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from wms.report.kpi_format import best_strategies, format_cell, kpi_format, row_decimals

if TYPE_CHECKING:
    from wms.scenario.result import Comparison

__all__ = [
    "BEST_STYLE",
    "kpi_table",
    "recommendation_renderable",
    "render_terminal",
    "terminal_report",
]

#: Style of the best value in a row.
BEST_STYLE = "bold green"


def _kpi_order(comparison: Comparison) -> list[str]:
    return list(dict.fromkeys(str(k) for k in comparison.summary["kpi"]))


def _row_values(comparison: Comparison, kpi: str, column: str) -> dict[str, float]:
    s = comparison.summary
    rows = s[s["kpi"] == kpi]
    values = {str(r.strategy): float(getattr(r, column)) for r in rows.itertuples(index=False)}
    return {name: values.get(name, math.nan) for name in comparison.strategies}


def kpi_table(comparison: Comparison) -> Table:
    """The KPI table: one row per KPI, one column per strategy, best values highlighted.

    Parameters
    ----------
    comparison
        The strategy comparison.

    Returns
    -------
    rich.table.Table
        First column the KPI (label, unit, ↓/↑ when lower/higher is better), then one column per
        strategy in scenario order; the recommended strategy's header carries a ★. Cells are
        ``mean ± half width`` (the mean alone with one replication or a zero-width interval).
    """
    reps = comparison.replications
    ci = "mean ± 95 % CI half width" if reps > 1 else "one replication"
    table = Table(
        title=f"{comparison.scenario}: {len(comparison.strategies)} strategies, {reps} "
        f"replication{'s' if reps != 1 else ''} ({ci})",
        title_justify="left",
        header_style="bold",
        show_lines=False,
    )
    # Wrapping beats eliding on a narrow terminal: "13.7 ± 1.4" may break at a space, but
    # never loses digits.
    table.add_column("KPI", overflow="fold")
    best_name = comparison.recommendation.best
    for name in comparison.strategies:
        header = f"{name} ★" if name == best_name else name
        table.add_column(header, justify="right", overflow="fold")
    for kpi in _kpi_order(comparison):
        means = _row_values(comparison, kpi, "mean")
        half = _row_values(comparison, kpi, "half_width")
        best = best_strategies(kpi, means)
        decimals = row_decimals(kpi, means.values())
        cells: list[Text] = []
        for name in comparison.strategies:
            text = format_cell(kpi, means[name], half[name], reps, decimals=decimals)
            cells.append(Text(text, style=BEST_STYLE if name in best else ""))
        table.add_row(Text(kpi_format(kpi).heading), *cells)
    return table


def recommendation_renderable(comparison: Comparison) -> Group:
    """The recommendation: best strategy, objective, ranking and the reasons as bullets."""
    rec = comparison.recommendation
    fmt = kpi_format(rec.objective)
    text = Text()
    text.append("Recommendation: ", style="bold")
    text.append(rec.best, style=BEST_STYLE)
    text.append(f"  (objective: {fmt.label}")
    if fmt.better:
        text.append(f", {fmt.better} is better")
    text.append(")\n")
    if rec.ranking:
        text.append("Ranking: " + " > ".join(rec.ranking))
    text.rstrip()
    reasons = Table.grid(padding=(0, 1))
    reasons.add_column(no_wrap=True)
    reasons.add_column()
    for reason in rec.reasons:
        reasons.add_row(" •", reason)
    return Group(text, reasons)


def terminal_report(comparison: Comparison) -> Group:
    """The table followed by the recommendation, as one rich renderable."""
    return Group(kpi_table(comparison), Text(""), recommendation_renderable(comparison))


def render_terminal(comparison: Comparison, console: Console | None = None) -> None:
    """Print the KPI table and the recommendation on ``console`` (stdout by default)."""
    (console or Console()).print(terminal_report(comparison))
