"""The terminal view: KPI formatting, the rich table (one column per strategy, best highlighted)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from rich.console import Console
from rich.text import Text

from wms.report.kpi_format import (
    KPI_FORMATS,
    best_strategies,
    format_cell,
    format_value,
    kpi_format,
    row_decimals,
)
from wms.report.terminal import BEST_STYLE, kpi_table, render_terminal
from wms.scenario.result import Comparison

#: The simulation's KPI names, in its order (the contract with wms.sim).
SIM_KPIS = (
    "orders", "unplanned_orders", "units", "lines", "trips", "travel_m", "travel_m_per_unit", "units_per_picker_hour",
    "makespan_h", "cycle_time_p50_min", "cycle_time_p95_min", "cycle_time_max_min", "late_orders",
    "late_share", "picker_utilisation", "sorter_utilisation", "packer_utilisation",
    "max_sort_queue", "max_pack_queue", "put_wall_positions_needed", "sort_work_h", "labour_h",
    "labour_s_per_unit", "overtime_h", "scans_per_unit", "errors_made", "errors_caught",
    "errors_shipped", "perfect_order_rate",
)  # fmt: skip


def test_format_table_covers_exactly_the_sim_kpis() -> None:
    assert tuple(KPI_FORMATS) == SIM_KPIS


def test_directions_agree_with_the_simulation() -> None:
    """The table highlights the best value the way the recommendation ranks (wms.sim.KPI_INFO)."""
    sim = pytest.importorskip("wms.sim")
    info = sim.KPI_INFO
    assert tuple(info) == tuple(KPI_FORMATS)
    assert {k: v[2] for k, v in info.items()} == {k: f.better for k, f in KPI_FORMATS.items()}


def test_directions() -> None:
    higher = {k for k, f in KPI_FORMATS.items() if f.better == "higher"}
    neutral = {k for k, f in KPI_FORMATS.items() if f.better == ""}
    assert higher == {"units_per_picker_hour", "perfect_order_rate"}
    assert neutral == {
        "orders", "units", "lines", "errors_caught",
        "picker_utilisation", "sorter_utilisation", "packer_utilisation",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kpi", "mean", "hw", "reps", "expected"),
    [
        ("late_share", 0.1234, 0.0101, 3, "12.3 ± 1.0 %"),
        ("late_share", 0.1234, 0.0101, 1, "12.3 %"),
        ("travel_m", 12345.0, 0.0, 5, "12,345"),
        ("travel_m", 12345.4, 210.7, 5, "12,345 ± 211"),
        ("late_orders", 4.3333, 1.5, 5, "4.3 ± 1.5"),
        ("late_orders", 4.0, 1.5, 5, "4 ± 2"),
        ("travel_m_per_unit", 8.4123, 0.256, 5, "8.41 ± 0.26"),
        ("units_per_picker_hour", 97.04, 3.0, 5, "97.0 ± 3.0"),
        ("perfect_order_rate", 0.99831, 0.0012, 5, "99.83 ± 0.12 %"),
        ("travel_m_per_unit", float("nan"), 0.1, 5, "–"),
        ("a_new_kpi", 1.23456, 0.1, 5, "1.23 ± 0.10"),
    ],
)
def test_format_cell(kpi: str, mean: float, hw: float, reps: int, expected: str) -> None:
    assert format_cell(kpi, mean, hw, reps) == expected


def test_format_value_with_unit() -> None:
    assert format_value("travel_m_per_unit", 8.4, unit=True) == "8.40 m"
    assert kpi_format("travel_m_per_unit").heading == "Travel per unit [m] ↓"
    assert kpi_format("late_share").heading == "Late share ↓"  # the % is in the values


def test_a_row_of_counts_shares_its_decimals() -> None:
    means = [6.0, 5.3333, float("nan")]
    assert row_decimals("late_orders", means) == 1
    assert row_decimals("late_orders", [6.0, 5.0]) == 0
    assert row_decimals("travel_m_per_unit", [6.0]) == 2
    assert format_cell("late_orders", 6.0, 2.0, 3, decimals=1) == "6.0 ± 2.0"


def test_best_strategies_by_direction_and_ties() -> None:
    assert best_strategies("travel_m_per_unit", {"a": 3.0, "b": 2.0, "c": 2.001}) == {"b", "c"}
    assert best_strategies("units_per_picker_hour", {"a": 90.0, "b": 120.0}) == {"b"}
    assert best_strategies("picker_utilisation", {"a": 0.5, "b": 0.9}) == set()
    assert best_strategies("late_orders", {"a": 3.0, "b": 3.0}) == set()
    assert best_strategies("late_orders", {"a": float("nan"), "b": 3.0}) == set()


def test_table_has_one_column_per_strategy(comparison: Comparison) -> None:
    table = kpi_table(comparison)
    headers = [str(c.header) for c in table.columns]
    assert len(headers) == 1 + len(comparison.strategies)
    for name, header in zip(comparison.strategies, headers[1:], strict=True):
        assert header.startswith(name)
    assert headers[1 + comparison.strategies.index("sort_zone")].endswith("★")
    assert table.row_count == comparison.summary["kpi"].nunique()


def _cells(comparison: Comparison, kpi: str) -> dict[str, Text]:
    table = kpi_table(comparison)
    kpis = list(dict.fromkeys(comparison.summary["kpi"]))
    row = kpis.index(kpi)
    out = {}
    for name, column in zip(comparison.strategies, table.columns[1:], strict=True):
        cell = list(column.cells)[row]
        assert isinstance(cell, Text)
        out[name] = cell
    return out


def test_best_value_is_highlighted(comparison: Comparison) -> None:
    cells = _cells(comparison, "travel_m_per_unit")
    assert [n for n, c in cells.items() if c.style == BEST_STYLE] == ["sort_zone"]
    cells = _cells(comparison, "units_per_picker_hour")
    assert [n for n, c in cells.items() if c.style == BEST_STYLE] == ["sort_zone"]
    cells = _cells(comparison, "picker_utilisation")  # neutral: nothing highlighted
    assert not any(c.style == BEST_STYLE for c in cells.values())


def test_single_replication_has_no_interval(comparison_factory: Callable[..., Comparison]) -> None:
    one = comparison_factory(replications=1)
    cells = _cells(one, "travel_m_per_unit")
    assert not any("±" in c.plain for c in cells.values())


def test_render_terminal_prints_table_and_recommendation(comparison: Comparison) -> None:
    out = io.StringIO()
    render_terminal(comparison, Console(file=out, width=220, color_system=None))
    text = out.getvalue()
    for name in comparison.strategies:
        assert name in text
    assert "Recommendation: sort_zone" in text
    assert comparison.recommendation.reasons[1] in text
    assert "Travel per unit [m] ↓" in text
