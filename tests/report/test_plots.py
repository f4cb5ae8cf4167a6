"""Figures of a comparison: axes per panel, bars per strategy, a Gantt chart without overlaps."""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

from wms.report.plots import (
    KEY_KPIS,
    cycle_time_plot,
    gantt_bars,
    kpi_bars,
    pick_heatmap,
    picker_gantt,
    route_maps,
)
from wms.scenario.result import Comparison


def bar_rows(ax: Axes) -> dict[float, list[tuple[float, float]]]:
    """The Gantt bars drawn on ``ax``: row centre -> sorted ``(start, end)``."""
    rows: dict[float, list[tuple[float, float]]] = defaultdict(list)
    for coll in ax.collections:
        if not isinstance(coll, PolyCollection):
            continue
        for path in coll.get_paths():
            v = path.vertices
            y = round(float(v[:, 1].min() + v[:, 1].max()) / 2, 6)
            rows[y].append((float(v[:, 0].min()), float(v[:, 0].max())))
    return {y: sorted(bars) for y, bars in rows.items()}


def assert_no_overlap(fig: Figure) -> int:
    """Check that no row of any Gantt panel has overlapping bars; return the number of bars."""
    n = 0
    for ax in fig.axes:
        for bars in bar_rows(ax).values():
            n += len(bars)
            for (_, end), (start, _) in itertools.pairwise(bars):
                assert start >= end - 1e-9
    return n


def test_kpi_bars_one_axes_per_key_kpi(comparison: Comparison) -> None:
    fig = kpi_bars(comparison)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == len(KEY_KPIS) == 8
    first = fig.axes[0]  # travel_m_per_unit: sort_zone best
    assert len(first.patches) == len(comparison.strategies)
    widths = [p.get_linewidth() for p in first.patches]
    assert widths.index(max(widths)) == comparison.strategies.index("sort_zone")
    assert any(isinstance(c, ErrorbarContainer) for c in first.containers)  # CI whiskers


def test_kpi_bars_skip_missing_kpis(comparison: Comparison) -> None:
    fig = kpi_bars(comparison, kpis=("travel_m_per_unit", "no_such_kpi", "late_share"))
    assert len(fig.axes) == 2


def test_cycle_time_plot_has_a_curve_per_strategy(comparison: Comparison) -> None:
    fig = cycle_time_plot(comparison)
    assert len(fig.axes) == 2
    left, right = fig.axes
    labels = left.get_legend_handles_labels()[1]
    assert len(labels) == len(comparison.strategies)
    assert all("p95" in lab for lab in labels)
    assert "cutoff" in right.get_legend_handles_labels()[1]


def test_gantt_one_panel_per_strategy_without_overlaps(comparison: Comparison) -> None:
    fig = picker_gantt(comparison)
    assert len(fig.axes) == len(comparison.strategies)
    n_bars = assert_no_overlap(fig)
    sorted_trips = comparison.trips["to_sort"].sum()
    assert n_bars == len(comparison.trips) + sorted_trips
    sort_zone = fig.axes[comparison.strategies.index("sort_zone")]
    labels = [t.get_text() for t in sort_zone.get_yticklabels()]
    assert labels == ["picker 0", "picker 1", "picker 2", "sorter 0", "sorter 1"]


def test_gantt_bars_clip_to_the_window() -> None:
    trips = pd.DataFrame(
        {"picker": [1, 1, 1], "start_s": [0.0, 3600.0, 7200.0], "end_s": [3000.0, 7000.0, 9000.0]}
    )
    rows = gantt_bars(trips, [1], (1800.0, 7200.0))
    assert rows == {"picker 1": [(0.5, 1200 / 3600, ""), (1.0, 3400 / 3600, "")]}


def test_large_gantt_samples_pickers_and_a_window(comparison: Comparison) -> None:
    """60 pickers x 200 back-to-back trips: 20 rows are drawn, in a window of the day."""
    rng = np.random.default_rng(3)
    frames = []
    for name in comparison.strategies[:2]:
        for picker in range(60):
            dur = rng.uniform(60, 300, size=200)
            gap = rng.uniform(0, 60, size=200)
            start = 6 * 3600 + np.cumsum(dur + gap) - dur
            frames.append(
                pd.DataFrame(
                    {
                        "strategy": name,
                        "picker": f"P{picker:02d}",
                        "lane": "x",
                        "start_s": start,
                        "end_s": start + dur,
                        "to_sort": False,
                    }
                )
            )
    trips = pd.concat(frames, ignore_index=True)
    big = dataclasses.replace(comparison, strategies=comparison.strategies[:2], trips=trips)
    fig = picker_gantt(big, max_pickers=20)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert len(ax.get_yticks()) == 20
        assert "20 of 60 pickers" in ax.get_title(loc="left")
        assert max(len(b) for b in bar_rows(ax).values()) <= 160  # about 120, not 200
    assert_no_overlap(fig)
    lo, hi = fig.axes[-1].get_xlim()
    span_h = (trips["end_s"].max() - trips["start_s"].min()) / 3600
    assert 0 < hi - lo < span_h


def test_heatmap_rectangular(comparison: Comparison) -> None:
    fig = pick_heatmap(comparison)
    assert len(fig.axes) == 2  # map and colour bar
    cells = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert len(cells) == 1
    values = np.ma.filled(cells[0].get_array(), 0.0)
    assert values.sum() == pytest.approx(comparison.pick_units["units"].sum())
    assert (values > 0).sum() == len(comparison.pick_units)  # one location per cell here


def test_heatmap_graph(graph_comparison: Comparison) -> None:
    fig = pick_heatmap(graph_comparison)
    assert len(fig.axes) == 2
    dots = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
    nodes = graph_comparison.pick_units.groupby(["x_m", "y_m"]).ngroups
    assert [len(d.get_offsets()) for d in dots] == [nodes]


@pytest.mark.parametrize("which", ["comparison", "graph_comparison"])
def test_route_maps_one_panel_per_strategy(which: str, request: pytest.FixtureRequest) -> None:
    comp: Comparison = request.getfixturevalue(which)
    fig = route_maps(comp)
    assert len(fig.axes) == len(comp.strategies)
    for ax, name in zip(fig.axes, comp.strategies, strict=True):
        assert ax.get_title() == name
        labels = ax.get_legend_handles_labels()[1]
        assert len(labels) == sum(r.strategy == name for r in comp.routes) == 2


def test_plots_survive_empty_records(comparison: Comparison) -> None:
    empty = dataclasses.replace(
        comparison,
        orders=comparison.orders.iloc[0:0],
        trips=comparison.trips.iloc[0:0],
        pick_units=comparison.pick_units.iloc[0:0],
        routes=(),
    )
    assert len(cycle_time_plot(empty).axes) == 2
    assert len(picker_gantt(empty).axes) == len(comparison.strategies)
    assert len(pick_heatmap(empty).axes) == 1
    assert len(route_maps(empty).axes) == len(comparison.strategies)
