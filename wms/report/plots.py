"""Figures of a strategy comparison (matplotlib, object-oriented API only).

Every function returns a :class:`matplotlib.figure.Figure` built without :mod:`matplotlib.pyplot`:
no global state, no backend switch, safe in threads and servers. Save one with
``fig.savefig(path)`` or embed it with :func:`wms.report.html.figure_data_uri`.

- :func:`kpi_bars`: the key KPIs per strategy with 95 % confidence-interval error bars;
- :func:`cycle_time_plot`: order cycle-time distributions and finish time against the cutoff;
- :func:`picker_gantt`: what every picker (and sorter) did when, per strategy;
- :func:`pick_heatmap`: units picked per storage location, drawn on the layout;
- :func:`route_maps`: a few pick routes per strategy, drawn on the layout.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from numpy.typing import NDArray

from wms.layout.graph import GraphLayout
from wms.layout.rectangular import RectangularLayout
from wms.report.kpi_format import best_strategies, kpi_format

if TYPE_CHECKING:
    from wms.layout import Layout
    from wms.scenario.result import Comparison

__all__ = [
    "KEY_KPIS",
    "GanttBars",
    "cycle_time_plot",
    "draw_layout",
    "gantt_bars",
    "kpi_bars",
    "pick_heatmap",
    "picker_gantt",
    "route_maps",
    "strategy_colors",
]

#: KPIs of the bar-chart grid, in display order.
KEY_KPIS: tuple[str, ...] = (
    "travel_m_per_unit",
    "units_per_picker_hour",
    "labour_s_per_unit",
    "cycle_time_p95_min",
    "late_orders",
    "makespan_h",
    "put_wall_positions_needed",
    "errors_shipped",
)

_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
_LANE_PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")
_SHELF = "#e4e4e4"
_SORTER = "#7f7f7f"
#: Minutes before the cutoff the finish-against-cutoff panel shows at most.
_SLACK_SHOWN_MIN = 360.0

#: Row label -> bars ``(start_h, width_h, lane)``, times in hours of day.
GanttBars = dict[str, list[tuple[float, float, str]]]


def strategy_colors(strategies: Sequence[str]) -> dict[str, str]:
    """One colour per strategy, stable across every figure of a report."""
    return {name: _PALETTE[k % len(_PALETTE)] for k, name in enumerate(strategies)}


def _hhmm(hours: float, _pos: object = None) -> str:
    minutes = round(hours * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _no_data(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


# -- 1. KPI bars ------------------------------------------------------------------------------------
def kpi_bars(comparison: Comparison, kpis: Sequence[str] = KEY_KPIS, ncols: int = 4) -> Figure:
    """A grid of small bar charts, one per KPI: the mean per strategy with its 95 % CI.

    Parameters
    ----------
    comparison
        The strategy comparison.
    kpis
        KPIs to draw; those missing from ``comparison.summary`` are skipped.
    ncols
        Charts per row.

    Returns
    -------
    Figure
        One axes per drawn KPI. Error bars span the confidence interval (none with one
        replication); the best strategy's bar (by the KPI's direction) has a thick black edge.
    """
    summary = comparison.summary
    present = set(summary["kpi"].astype(str))
    shown = [k for k in kpis if k in present]
    colors = strategy_colors(comparison.strategies)
    n = max(1, len(shown))
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(3.1 * ncols, 2.7 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    if not shown:
        _no_data(axes[0], "no KPIs to show")
        return fig
    names = list(comparison.strategies)
    x = np.arange(len(names))
    for ax, kpi in zip(axes, shown, strict=False):
        fmt = kpi_format(kpi)
        scale = 100.0 if fmt.kind == "percent" else 1.0
        rows = summary[summary["kpi"] == kpi].set_index("strategy")
        means = {s: float(rows["mean"].get(s, math.nan)) for s in names}
        half = {s: float(rows["half_width"].get(s, math.nan)) for s in names}
        heights = np.array([means[s] for s in names]) * scale
        err = np.nan_to_num(np.array([half[s] for s in names]) * scale, nan=0.0)
        best = best_strategies(kpi, means)
        bars = ax.bar(
            x,
            np.nan_to_num(heights, nan=0.0),
            color=[colors[s] for s in names],
            yerr=err if comparison.replications > 1 and np.any(err > 0) else None,
            capsize=3,
            error_kw={"elinewidth": 1.0, "ecolor": "0.15"},
        )
        for bar, s in zip(bars, names, strict=True):
            if s in best:
                bar.set_edgecolor("black")
                bar.set_linewidth(2.0)
        ax.set_title(fmt.heading, fontsize=9)
        ax.set_xticks(x, names, rotation=30, ha="right", fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    for ax in axes[len(shown) :]:
        fig.delaxes(ax)
    return fig


# -- 2. cycle times ---------------------------------------------------------------------------------
def cycle_time_plot(comparison: Comparison) -> Figure:
    """Order cycle-time distributions per strategy and the finish time against the cutoff.

    Left: the empirical CDF of ``orders.cycle_min`` (arrival to packed) per strategy; the legend
    gives the 95th percentile and the late share. Right: the ECDF of packed time minus cutoff
    (minutes) for orders with a cutoff, from at most 6 h before it; everything right of the
    dashed line at 0 is late.

    Returns
    -------
    Figure
        Two axes.
    """
    orders = comparison.orders
    colors = strategy_colors(comparison.strategies)
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax_cycle, ax_cut = fig.subplots(1, 2)
    drew_cycle = False
    slacks: list[NDArray[np.float64]] = []
    for name in comparison.strategies:
        mine = orders[orders["strategy"] == name] if len(orders) else orders
        cycle = pd.to_numeric(mine.get("cycle_min", pd.Series(dtype=float)), errors="coerce")
        cycle = cycle[np.isfinite(cycle)]
        if len(cycle) == 0:
            continue
        late = mine["late"].astype(bool).mean() if "late" in mine else math.nan
        p95 = float(np.percentile(cycle, 95))
        label = f"{name} (p95 {p95:.0f} min"
        label += f", {late:.1%} late)" if math.isfinite(late) else ")"
        ax_cycle.ecdf(cycle.to_numpy(), color=colors[name], label=label, linewidth=1.6)
        drew_cycle = True
        if {"due_s", "packed_s"} <= set(mine.columns):
            due = pd.to_numeric(mine["due_s"], errors="coerce").to_numpy(dtype=float)
            packed = pd.to_numeric(mine["packed_s"], errors="coerce").to_numpy(dtype=float)
            ok = np.isfinite(due) & np.isfinite(packed)
            if ok.any():
                slack = (packed[ok] - due[ok]) / 60.0
                ax_cut.ecdf(slack, color=colors[name], label=name, linewidth=1.6)
                slacks.append(slack)
    if drew_cycle:
        ax_cycle.set_xlabel("order cycle time: arrival to packed [min]")
        ax_cycle.set_ylabel("share of orders")
        ax_cycle.set_title("Cycle-time distribution")
        ax_cycle.grid(alpha=0.3)
        ax_cycle.legend(fontsize=8, loc="lower right")
        ax_cycle.set_xlim(left=0)
    else:
        _no_data(ax_cycle, "no packed orders")
    if slacks:
        # Orders due long after they were packed (next day's pick-up) would squeeze the part
        # around the cutoff that matters: start at most 6 h before the cutoff.
        every = np.concatenate(slacks)
        right = max(float(every.max()), 0.0)
        left = min(max(float(every.min()), -_SLACK_SHOWN_MIN), 0.0)
        margin = 0.03 * (right - left) or 1.0
        ax_cut.set_xlim(left - margin, right + margin)
        ax_cut.axvline(0.0, color="black", linestyle="--", linewidth=1.0, label="cutoff")
        ax_cut.set_xlabel("packed time minus carrier cutoff [min] (> 0: late)")
        ax_cut.set_ylabel("share of orders with a cutoff")
        ax_cut.set_title("Finish against the cutoff")
        ax_cut.grid(alpha=0.3)
        ax_cut.legend(fontsize=8, loc="lower right")
    else:
        _no_data(ax_cut, "no orders with a cutoff")
    return fig


# -- 3. Gantt ---------------------------------------------------------------------------------------
def _sort_key(value: Hashable) -> tuple[int, float, str]:
    try:
        return (0, float(value), "")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return (1, 0.0, str(value))


def _row_label(prefix: str, value: Hashable) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if text.lower().startswith(prefix) else f"{prefix} {text}"


def _valid_intervals(df: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    s = pd.to_numeric(df[start], errors="coerce")
    e = pd.to_numeric(df[end], errors="coerce")
    ok = np.isfinite(s) & np.isfinite(e) & (e > s)
    return df[ok]


def _selected(values: Iterable[Hashable], limit: int) -> list[Hashable]:
    ordered = sorted(set(values), key=_sort_key)
    if len(ordered) <= limit:
        return ordered
    picks = np.unique(np.linspace(0, len(ordered) - 1, limit).round().astype(int))
    return [ordered[int(k)] for k in picks]


def _busiest_window(starts_s: NDArray[np.float64], length_s: float) -> float:
    """Start of the window of ``length_s`` that contains the most trip starts."""
    starts = np.sort(starts_s)
    counts = np.searchsorted(starts, starts + length_s, side="right") - np.arange(starts.size)
    return float(starts[int(np.argmax(counts))])


def gantt_bars(
    trips: pd.DataFrame,
    pickers: Sequence[Hashable],
    window_s: tuple[float, float],
    sorters: Sequence[Hashable] = (),
) -> GanttBars:
    """The bars of one strategy's Gantt chart, row by row.

    Parameters
    ----------
    trips
        The strategy's rows of ``comparison.trips``.
    pickers, sorters
        The picker and sorter ids to draw (others are left out).
    window_s
        The time window ``(from, to)`` in seconds of day; bars are clipped to it.

    Returns
    -------
    GanttBars
        Row label -> ``(start_h, width_h, lane)`` per bar, in start order. A row's bars overlap
        only if its input intervals do: clipping to the window never makes them overlap.
    """
    lo, hi = window_s
    rows: GanttBars = {}

    def add(
        df: pd.DataFrame, key: str, ids: Sequence[Hashable], start: str, end: str, pre: str
    ) -> None:
        for ident in ids:
            mine = df[df[key] == ident]
            mine = _valid_intervals(mine, start, end) if len(mine) else mine
            s = np.clip(mine[start].to_numpy(dtype=float), lo, hi) if len(mine) else np.empty(0)
            e = np.clip(mine[end].to_numpy(dtype=float), lo, hi) if len(mine) else np.empty(0)
            lanes = (
                mine["lane"].astype(str).to_numpy()
                if "lane" in mine and len(mine)
                else np.full(s.size, "")
            )
            order = np.argsort(s, kind="stable")
            rows[_row_label(pre, ident)] = [
                (float(s[i]) / 3600.0, float(e[i] - s[i]) / 3600.0, str(lanes[i]))
                for i in order
                if e[i] > s[i]
            ]

    if len(trips):
        add(trips, "picker", pickers, "start_s", "end_s", "picker")
        if sorters and "sorter" in trips:
            sort_trips = trips[trips["to_sort"].astype(bool)] if "to_sort" in trips else trips
            add(sort_trips, "sorter", sorters, "sort_start_s", "sort_end_s", "sorter")
    else:
        for ident in pickers:
            rows[_row_label("picker", ident)] = []
    return rows


def _gantt_selection(
    trips: pd.DataFrame, max_pickers: int, max_sorters: int
) -> tuple[list[Hashable], list[Hashable]]:
    if not len(trips):
        return [], []
    valid = _valid_intervals(trips, "start_s", "end_s")
    pickers = _selected(valid["picker"].dropna().tolist(), max_pickers)
    sorters: list[Hashable] = []
    if {"sorter", "sort_start_s", "sort_end_s"} <= set(trips.columns):
        sorted_trips = trips[trips["to_sort"].astype(bool)] if "to_sort" in trips else trips
        sorted_trips = _valid_intervals(sorted_trips, "sort_start_s", "sort_end_s")
        sorters = _selected(sorted_trips["sorter"].dropna().tolist(), max_sorters)
    return pickers, sorters


def picker_gantt(
    comparison: Comparison,
    *,
    max_pickers: int = 20,
    max_sorters: int = 4,
    window_h: float | None = None,
    max_bars_per_row: int = 120,
) -> Figure:
    """What every picker (and sorter) did when: one Gantt panel per strategy, shared time axis.

    Parameters
    ----------
    comparison
        The strategy comparison (``comparison.trips`` of replication 0).
    max_pickers, max_sorters
        Rows per panel at most; with more, evenly spaced ids are drawn (the title says so).
    window_h
        Length of the time window drawn, in hours; ``None``: the whole day, unless the busiest
        row would hold more than ``max_bars_per_row`` bars, then a window short enough for that,
        placed where most trips start.
    max_bars_per_row
        See ``window_h``.

    Returns
    -------
    Figure
        One axes per strategy. Bars are pick trips (``start_s`` to ``end_s``), coloured by lane
        when a strategy has several; grey bars on sorter rows are sorting jobs.
    """
    trips = comparison.trips
    names = list(comparison.strategies)
    per: dict[str, pd.DataFrame] = {
        s: (trips[trips["strategy"] == s] if len(trips) else trips) for s in names
    }
    picks: dict[str, tuple[list[Hashable], list[Hashable]]] = {
        s: _gantt_selection(per[s], max_pickers, max_sorters) for s in names
    }
    valid = _valid_intervals(trips, "start_s", "end_s") if len(trips) else trips
    if len(valid):
        first = float(valid["start_s"].min())
        last = float(valid["end_s"].max())
        if {"sort_start_s", "sort_end_s"} <= set(trips.columns):
            sorting = _valid_intervals(trips, "sort_start_s", "sort_end_s")
            if len(sorting):  # sorting may run on after the last pick trip
                first = min(first, float(sorting["sort_start_s"].min()))
                last = max(last, float(sorting["sort_end_s"].max()))
        busiest = max(int(valid.groupby(["strategy", "picker"]).size().max()), 1)
        if window_h is not None:
            length = window_h * 3600.0
        elif busiest > max_bars_per_row:
            length = (last - first) * max_bars_per_row / busiest
        else:
            length = last - first
        if length < last - first:
            start = _busiest_window(valid["start_s"].to_numpy(dtype=float), length)
            start = min(start, last - length)
            window = (start, start + length)
        else:
            window = (first, last)
    else:
        window = (0.0, 1.0)
    heights = [max(1.3, 0.2 * (len(p) + len(q)) + 0.7) for p, q in picks.values()]
    fig = Figure(figsize=(11, sum(heights) + 0.6), layout="constrained")
    axes = fig.subplots(len(names), 1, sharex=True, squeeze=False, height_ratios=heights)[:, 0]
    colors = strategy_colors(names)
    # A lane named after a strategy (mixed and fallback lanes are) takes that strategy's colour.
    all_lanes = sorted(set(trips["lane"].astype(str))) if "lane" in trips and len(trips) else []
    others = [lane for lane in all_lanes if lane not in colors]
    lane_colors = {lane: colors[lane] for lane in all_lanes if lane in colors}
    lane_colors |= {lane: _LANE_PALETTE[k % len(_LANE_PALETTE)] for k, lane in enumerate(others)}
    for ax, name in zip(axes, names, strict=True):
        pickers, sorters = picks[name]
        rows = gantt_bars(per[name], pickers, window, sorters)
        lanes = sorted({lane for bars in rows.values() for _, _, lane in bars})
        lane_color = {
            lane: (colors[name] if len(lanes) <= 1 else lane_colors[lane]) for lane in lanes
        }
        labels = list(rows)
        for y, label in enumerate(labels):
            bars = rows[label]
            is_sorter = label.startswith("sorter")
            for lane in lanes:
                spans = [(s, w) for s, w, ln in bars if ln == lane]
                if spans:
                    ax.broken_barh(
                        spans,
                        (y - 0.4, 0.8),
                        facecolors=_SORTER if is_sorter else lane_color[lane],
                        edgecolor="white",
                        linewidth=0.3,
                    )
        n_pick = int(per[name]["picker"].nunique()) if len(per[name]) else 0
        title = f"{name}: {len(pickers)} of {n_pick} pickers" if n_pick > len(pickers) else name
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
        ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)
        ax.grid(axis="x", alpha=0.3)
        if not labels:
            ax.text(0.5, 0.5, "no trips", ha="center", va="center", transform=ax.transAxes)
        if len(lanes) > 1:
            handles = [Patch(color=lane_color[lane], label=lane) for lane in lanes]
            ax.legend(
                handles=handles,
                fontsize=7,
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
                title="lane",
            )
    axes[-1].set_xlim(window[0] / 3600.0, window[1] / 3600.0)
    axes[-1].xaxis.set_major_formatter(FuncFormatter(_hhmm))
    axes[-1].set_xlabel("time of day")
    return fig


# -- layout drawing ---------------------------------------------------------------------------------
def _rect_cells(layout: RectangularLayout) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Shelf cells of a rectangular layout (one per aisle, block, position, side; levels merged).

    Returns the polygons ``(n, 4, 2)`` and, per location, the index of its cell.
    """
    loc = layout.locations
    ax = layout.aisle_x_m
    gap = float(np.min(np.diff(ax))) if ax.size > 1 else 3.0
    key = np.stack([loc.aisle, loc.block, loc.position, loc.side.astype(np.int64)], axis=1)
    cells, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    # position pitch per block: the smallest gap between distinct positions
    pitch = np.ones(layout.n_blocks)
    for b in range(layout.n_blocks):
        ys = np.unique(loc.y_m[loc.block == b])
        if ys.size > 1:
            pitch[b] = float(np.min(np.diff(ys)))
    x = loc.x_m[first]
    y = loc.y_m[first]
    sign = np.where(cells[:, 3] == 0, -1.0, 1.0)
    x0 = x + sign * 0.15 * gap
    x1 = x + sign * 0.45 * gap
    h = 0.45 * pitch[cells[:, 1]]
    verts = np.stack(
        [
            np.stack([x0, y - h], axis=1),
            np.stack([x1, y - h], axis=1),
            np.stack([x1, y + h], axis=1),
            np.stack([x0, y + h], axis=1),
        ],
        axis=1,
    )
    return verts, inverse.astype(np.int64)


def _point_xy(layout: Layout, name: str) -> tuple[float, float]:
    if isinstance(layout, RectangularLayout):
        p = layout.point(name)
        y = float(layout.cross_y_m[p.cross_aisle])
        back = p.cross_aisle == layout.cross_y_m.size - 1 and layout.cross_y_m.size > 1
        return float(p.x_m), y + (p.offset_m if back else -p.offset_m)
    k = layout.point_node(name)
    return float(layout.node_x_m[k]), float(layout.node_y_m[k])


def _layout_width_m(layout: Layout) -> float:
    if isinstance(layout, RectangularLayout):
        return float(np.ptp(layout.aisle_x_m)) + 1.0
    return float(np.ptp(layout.node_x_m)) + 1.0


def _draw_points(ax: Axes, layout: Layout) -> None:
    """Mark the named points; label each unless it would sit on an earlier label."""
    styles: dict[str, tuple[str, str]] = {layout.depot: ("s", "black")}
    if layout.sort_zone is not None:
        styles.setdefault(layout.sort_zone, ("D", "#8e44ad"))
    if layout.end is not None:
        styles.setdefault(layout.end, ("^", "#1f5fbf"))
    for name in layout.pack_stations:
        styles.setdefault(name, ("^", "#1f5fbf"))
    for name in layout.points:
        styles.setdefault(name, ("o", "0.3"))
    # Labels are ~10 % of the width apart at least: six pack stations side by side get a
    # marker each but only the labels that fit.
    min_gap = 0.1 * _layout_width_m(layout)
    labelled: list[tuple[float, float]] = []
    for name, (marker, color) in styles.items():
        x, y = _point_xy(layout, name)
        ax.plot([x], [y], marker=marker, color=color, markersize=6, linestyle="none", zorder=5)
        if any(abs(x - lx) < min_gap and abs(y - ly) < min_gap for lx, ly in labelled):
            continue
        labelled.append((x, y))
        ax.annotate(
            name,
            (x, y),
            xytext=(4, -9),
            textcoords="offset points",
            fontsize=7,
            color=color,
            zorder=5,
        )


def _draw_graph_edges(ax: Axes, layout: GraphLayout) -> None:
    g = layout.graph
    segments: list[list[tuple[float, float]]] = []
    blocked: list[list[tuple[float, float]]] = []
    arrows: list[tuple[tuple[float, float], tuple[float, float]]] = []
    xs, ys = layout.node_x_m, layout.node_y_m
    for u, v, data in g.edges(data=True):
        i, j = layout.node_index(u), layout.node_index(v)
        seg = [(float(xs[i]), float(ys[i])), (float(xs[j]), float(ys[j]))]
        if data.get("blocked", False):
            blocked.append(seg)
            continue
        segments.append(seg)
        if layout.directed and not g.has_edge(v, u):
            arrows.append((seg[0], seg[1]))
    ax.add_collection(LineCollection(segments, colors="0.6", linewidths=1.2, zorder=1))
    if blocked:
        ax.add_collection(
            LineCollection(blocked, colors="#c0392b", linewidths=1.2, linestyles="--", zorder=1)
        )
    for (x0, y0), (x1, y1) in arrows[:500]:
        mx, my = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
        dx, dy = 0.1 * (x1 - x0), 0.1 * (y1 - y0)
        ax.annotate(
            "",
            xy=(mx + dx, my + dy),
            xytext=(mx - dx, my - dy),
            arrowprops={"arrowstyle": "->", "color": "0.35", "lw": 1.0},
            zorder=2,
        )


def _draw_rect_frame(ax: Axes, layout: RectangularLayout) -> None:
    axs, cy = layout.aisle_x_m, layout.cross_y_m
    gap = float(np.min(np.diff(axs))) if axs.size > 1 else 3.0
    lo, hi = float(axs[0]) - 0.5 * gap, float(axs[-1]) + 0.5 * gap
    cross = [[(lo, float(y)), (hi, float(y))] for y in cy]
    aisles = [[(float(x), float(cy[0])), (float(x), float(cy[-1]))] for x in axs]
    ax.add_collection(LineCollection(cross, colors="0.75", linewidths=0.8, zorder=0))
    ax.add_collection(
        LineCollection(aisles, colors="0.85", linewidths=0.6, linestyles=":", zorder=0)
    )


def draw_layout(ax: Axes, layout: Layout, *, shelves: bool = True) -> None:
    """Draw the layout on ``ax``: shelves, aisles and cross aisles (or graph edges), named points.

    Parameters
    ----------
    ax
        Target axes; its aspect is set to equal.
    layout
        A :class:`RectangularLayout` (shelf cells, aisle centre lines, cross aisles) or a
        :class:`GraphLayout` (walking edges, blocked ones dashed red, one-way ones with an arrow;
        storage nodes as small grey dots).
    shelves
        Draw the storage positions in light grey (off when a heat map covers them).
    """
    if isinstance(layout, RectangularLayout):
        _draw_rect_frame(ax, layout)
        if shelves and len(layout.locations):
            verts, _ = _rect_cells(layout)
            ax.add_collection(
                PolyCollection(list(verts), facecolors=_SHELF, edgecolors="none", zorder=0.5)
            )
    else:
        _draw_graph_edges(ax, layout)
        if shelves and len(layout.locations):
            ax.scatter(layout.locations.x_m, layout.locations.y_m, s=6, color="0.7", zorder=1.5)
    _draw_points(ax, layout)
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_xlabel("x [m]", fontsize=8)
    ax.set_ylabel("y [m]", fontsize=8)
    ax.tick_params(labelsize=7)


def _layout_figsize(
    layout: Layout, width: float, ncols: int = 1, nrows: int = 1, extra_w: float = 0.0
) -> tuple[float, float]:
    """Figure size for ``nrows x ncols`` layout panels (``extra_w``: inches of a colour bar)."""
    loc = layout.locations
    if isinstance(layout, RectangularLayout):
        w = float(np.ptp(layout.aisle_x_m)) + 3.0
        h = float(np.ptp(layout.cross_y_m)) + 4.0
    else:
        w = float(np.ptp(layout.node_x_m)) + 2.0
        h = float(np.ptp(layout.node_y_m)) + 2.0
    if len(loc) == 0 and w <= 0:
        return width, width * 0.6
    ratio = min(1.6, max(0.3, h / max(w, 1e-9)))
    panel_w = (width - extra_w) / ncols
    return width, max(2.5, (0.85 * panel_w * ratio + 0.8) * nrows)


# -- 4. pick heat map -------------------------------------------------------------------------------
def _units_per_location(comparison: Comparison) -> pd.DataFrame:
    pu = comparison.pick_units
    if not len(pu):
        return pd.DataFrame({"location": [], "x_m": [], "y_m": [], "units": []})
    return pu.groupby("location", as_index=False, sort=False).agg(
        x_m=("x_m", "first"), y_m=("y_m", "first"), units=("units", "sum")
    )


def _norm(values: NDArray[np.float64]) -> Normalize:
    positive = values[values > 0]
    if positive.size == 0:
        return Normalize(0.0, 1.0)
    lo, hi = float(positive.min()), float(positive.max())
    if hi / lo > 20:
        return LogNorm(max(lo, 1e-9), hi)
    return Normalize(0.0, hi)


def pick_heatmap(comparison: Comparison, cmap: str = "YlOrRd") -> Figure:
    """Units picked per storage location on the layout (replication 0, every strategy alike).

    On a rectangular layout every shelf cell (levels merged, both aisle sides) is coloured by its
    units; cells never picked stay light grey. On a graph layout every storage node is a dot sized
    and coloured by its units. A logarithmic colour scale is used when the busiest location has
    more than 20 times the units of the quietest picked one.

    Returns
    -------
    Figure
        The map axes and, when anything was picked, a colour-bar axes.
    """
    layout = comparison.layout
    units = _units_per_location(comparison)
    fig = Figure(figsize=_layout_figsize(layout, 8.0, extra_w=1.6), layout="constrained")
    ax = fig.subplots()
    total = float(units["units"].sum()) if len(units) else 0.0
    if isinstance(layout, RectangularLayout) and len(layout.locations):
        draw_layout(ax, layout, shelves=False)
        verts, cell_of = _rect_cells(layout)
        per_cell = np.zeros(len(verts))
        index = layout.locations._index
        extra: list[tuple[float, float, float]] = []
        for loc_id, x, y, u in units.itertuples(index=False):
            k = index.get(str(loc_id))
            if k is None:
                extra.append((float(x), float(y), float(u)))
            else:
                per_cell[cell_of[k]] += float(u)
        norm = _norm(per_cell)
        colormap = colormaps[cmap].with_extremes(bad=_SHELF)  # never-picked cells stay grey
        coll = PolyCollection(list(verts), edgecolors="none", zorder=0.5, cmap=colormap, norm=norm)
        coll.set_array(np.ma.masked_less_equal(per_cell, 0.0))
        ax.add_collection(coll)
        if extra:
            ex = np.array(extra)
            ax.scatter(ex[:, 0], ex[:, 1], c=ex[:, 2], cmap=cmap, norm=norm, s=12, zorder=3)
        mappable: Any = coll if total > 0 else None
    else:
        draw_layout(ax, layout, shelves=len(units) == 0)
        if len(units):
            xy = units.groupby(["x_m", "y_m"], as_index=False)["units"].sum()
            vals = xy["units"].to_numpy(dtype=float)
            norm = _norm(vals)
            size = 20 + 180 * np.sqrt(vals / max(vals.max(), 1e-9))
            mappable = ax.scatter(
                xy["x_m"], xy["y_m"], c=vals, s=size, cmap=cmap, norm=norm, zorder=3,
                edgecolors="0.3", linewidths=0.4,
            )  # fmt: skip
        else:
            mappable = None
    if mappable is not None and total > 0:
        bar = fig.colorbar(mappable, ax=ax, label="units picked", shrink=0.8)
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.set_title(
        f"Pick frequency: {total:,.0f} units at {int((units['units'] > 0).sum())} locations",
        fontsize=10,
    )
    ax.autoscale_view()
    return fig


# -- 5. routes --------------------------------------------------------------------------------------
def route_maps(comparison: Comparison, max_routes: int = 3, ncols: int = 3) -> Figure:
    """A few pick routes per strategy, drawn on the layout in walking order.

    Parameters
    ----------
    comparison
        The strategy comparison (``comparison.routes``).
    max_routes
        Routes per strategy at most (the first ones in ``comparison.routes``).
    ncols
        Panels per row.

    Returns
    -------
    Figure
        One axes per strategy. Each route has its own colour and is shifted by a fraction of a
        metre so that routes sharing an aisle stay distinguishable; a circle marks its start, a
        cross its end; the legend gives trip id and length.
    """
    layout = comparison.layout
    names = list(comparison.strategies)
    by_strategy: dict[str, list[Any]] = {s: [] for s in names}
    for r in comparison.routes:
        if r.strategy in by_strategy and len(by_strategy[r.strategy]) < max_routes:
            by_strategy[r.strategy].append(r)
    n = max(1, len(names))
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=_layout_figsize(layout, 4.2 * ncols, ncols, nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, name in zip(axes, names, strict=False):
        draw_layout(ax, layout)
        routes = by_strategy[name]
        k_mid = (len(routes) - 1) / 2
        for k, route in enumerate(routes):
            pts = np.asarray(route.points, dtype=float).reshape(-1, 2)
            if pts.shape[0] == 0:
                continue
            shift = (k - k_mid) * 0.3
            pts = pts + shift
            color = _PALETTE[k % len(_PALETTE)]
            ax.plot(
                pts[:, 0], pts[:, 1], color=color, linewidth=1.3, alpha=0.9, zorder=3,
                label=f"{route.trip_id} ({route.length_m:,.0f} m)",
            )  # fmt: skip
            ax.plot(pts[0, 0], pts[0, 1], "o", color=color, markersize=6, zorder=4)
            ax.plot(pts[-1, 0], pts[-1, 1], "x", color=color, markersize=6, zorder=4)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("")
        if routes:  # below the map, where it hides nothing
            ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.06), frameon=False)
        else:
            ax.text(0.5, 0.5, "no routes", ha="center", va="center", transform=ax.transAxes)
    for ax in axes[len(names) :]:
        fig.delaxes(ax)
    return fig
