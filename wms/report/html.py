"""The strategy comparison as one self-contained HTML file (inline CSS, embedded images).

The report opens with the recommendation and its reasons, then the KPI table (every KPI,
``mean ± 95 % CI half width``, best value per row highlighted), then the figures of
:mod:`wms.report.plots` with a caption saying what to read from each, and a footer on how the
confidence intervals are computed. Images are ``data:`` URIs (SVG for the small charts, PNG for
the dense ones), so the file can be mailed or archived as is: it references nothing outside itself
and runs no script. All text is escaped (jinja2 autoescape).
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import jinja2
from matplotlib.figure import Figure

from wms.report import plots
from wms.report.kpi_format import (
    best_strategies,
    format_cell,
    format_value,
    kpi_format,
    row_decimals,
)

if TYPE_CHECKING:
    from wms.scenario.result import Comparison

__all__ = ["ReportFigure", "figure_data_uri", "render_html", "report_figures", "write_html"]

ImageFormat = Literal["svg", "png"]


@dataclass(frozen=True, slots=True)
class ReportFigure:
    """One figure of the report: heading, caption and the image as a ``data:`` URI."""

    title: str
    caption: str
    alt: str
    uri: str


def figure_data_uri(fig: Figure, fmt: ImageFormat = "png", dpi: int = 96) -> str:
    """``fig`` rendered as a ``data:image/...;base64,`` URI (SVG or PNG at ``dpi``)."""
    buf = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buf, format="svg", metadata={"Date": None})
        mime = "image/svg+xml"
    else:
        fig.savefig(buf, format="png", dpi=dpi)
        mime = "image/png"
    return f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode('ascii')}"


def report_figures(comparison: Comparison, dpi: int = 96) -> list[ReportFigure]:
    """The report's figures, rendered, in display order (see :mod:`wms.report.plots`)."""
    big = len(comparison.orders) > 5_000
    out = [
        ReportFigure(
            "Key KPIs",
            "Mean per strategy over the replications; the whisker spans the 95 % confidence "
            "interval. The bar with the thick black edge is the best one on that KPI (↓: lower "
            "is better, ↑: higher is better). Where two whiskers overlap, the replications do "
            "not separate the two strategies on that KPI.",
            "Bar charts of the key KPIs per strategy with confidence intervals",
            figure_data_uri(plots.kpi_bars(comparison), "svg"),
        ),
        ReportFigure(
            "Order cycle times",
            "Left: share of orders packed within a given time after arrival (replication 0); a "
            "curve further left and steeper means faster, more predictable service, and the "
            "legend gives the 95th percentile and the late share. Right: when orders were packed "
            "relative to their carrier cutoff (from 6 h before it); the part of each curve right "
            "of the dashed line is late.",
            "Empirical distribution of order cycle times per strategy",
            figure_data_uri(plots.cycle_time_plot(comparison), "png" if big else "svg", dpi),
        ),
        ReportFigure(
            "Who worked when",
            "One row per picker (and sorter, grey), one bar per pick trip (replication 0). Gaps "
            "are idle time; rows packed solid late in the day point to too few pickers for that "
            "strategy, a solid sorter row to a sort-zone bottleneck. Large runs show a sample of "
            "the pickers and the busiest time window.",
            "Gantt chart of picker trips per strategy",
            figure_data_uri(plots.picker_gantt(comparison), "png", dpi),
        ),
        ReportFigure(
            "Where picks happen",
            "Units picked per storage location (the same orders for every strategy). Hot spots "
            "far from the depot mean long walks: a candidate for re-slotting fast movers closer "
            "to the depot and pack stations.",
            "Heat map of units picked per location on the layout",
            figure_data_uri(plots.pick_heatmap(comparison), "png", dpi),
        ),
        ReportFigure(
            "Sample routes",
            "A few pick trips per strategy in walking order (circle: start, cross: end; the "
            "legend gives trip and length). Batched strategies visit more locations per walk; "
            "compare how far each route wanders for its picks.",
            "Sample pick routes drawn on the layout",
            figure_data_uri(plots.route_maps(comparison), "png", dpi),
        ),
    ]
    return out


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Strategy comparison: {{ c.scenario }}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #222; background: #fafafa; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 1.5rem 2rem 3rem; background: #fff; }
h1 { margin: 0 0 .3rem; font-size: 1.6rem; }
h2 { margin: 2rem 0 .6rem; font-size: 1.25rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.meta { color: #555; margin: 0 0 1rem; }
.description { white-space: pre-wrap; margin: .4rem 0 1rem; }
.recommendation { border-left: 6px solid #2e8b57; background: #eef8f1; padding: .8rem 1.2rem; }
.recommendation .best { font-size: 1.3rem; font-weight: 700; color: #1d6b40; }
.recommendation ul { margin: .4rem 0 0; padding-left: 1.2rem; }
table.kpis { border-collapse: collapse; font-size: .9rem; font-variant-numeric: tabular-nums; }
table.kpis th, table.kpis td { padding: .25rem .7rem; border-bottom: 1px solid #eee; }
table.kpis thead th { text-align: right; border-bottom: 2px solid #bbb; background: #f4f4f4; }
table.kpis thead th.kpi, table.kpis td.kpi { text-align: left; white-space: nowrap; }
table.kpis td { text-align: right; white-space: nowrap; }
table.kpis td.best { color: #12703a; font-weight: 700; background: #e6f5ea; }
table.kpis th.recommended { color: #12703a; }
table.kpis tr:hover td { background: #f7f7f7; }
table.kpis tr:hover td.best { background: #d8efdf; }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: .92rem; margin-top: .4rem; max-width: 60rem; }
.legend { color: #555; font-size: .85rem; }
footer { margin-top: 2.5rem; border-top: 1px solid #ddd; padding-top: .8rem; color: #555;
         font-size: .85rem; }
</style>
</head>
<body>
<main>
<header>
<h1>Picking-strategy comparison: {{ c.scenario }}</h1>
<p class="meta">Layout {{ c.layout.name }} ({{ layout_kind }}, {{ n_locations }} storage locations)
· {{ c.strategies | length }} strategies · {{ c.replications }} replication{{ "s" if c.replications != 1 }}</p>
{% if c.description %}<p class="description">{{ c.description }}</p>{% endif %}
</header>

<section class="recommendation" id="recommendation">
<div>Recommendation: <span class="best">{{ rec.best }}</span></div>
<div>Objective: {{ objective }}{% if rec.ranking %} · ranking: {{ rec.ranking | join(" > ") }}{% endif %}</div>
{% if rec.reasons %}<ul>
{% for reason in rec.reasons %}  <li>{{ reason }}</li>
{% endfor %}</ul>{% endif %}
</section>

<h2 id="kpis">KPIs</h2>
<p class="legend">{{ ci_text }} ↓: lower is better, ↑: higher is better; the best value of each
row is <strong>highlighted</strong>. Hover a cell for its confidence interval.</p>
<table class="kpis">
<thead><tr><th class="kpi">KPI</th>{% for s in c.strategies %}<th{% if s == rec.best %} class="recommended"{% endif %}>{{ s }}{% if s == rec.best %} ★{% endif %}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr><td class="kpi">{{ row.heading }}</td>{% for cell in row.cells %}<td{% if cell.best %} class="best"{% endif %}{% if cell.tip %} title="{{ cell.tip }}"{% endif %}>{{ cell.text }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>

{% for f in figures %}<h2>{{ f.title }}</h2>
<figure>
<img src="{{ f.uri }}" alt="{{ f.alt }}">
<figcaption>{{ f.caption }}</figcaption>
</figure>
{% endfor %}
<footer>
<p>{{ c.replications }} replication{{ "s" if c.replications != 1 }}: independent order streams on the
same warehouse; every strategy sees the same orders in a replication (common random numbers).
{% if c.replications > 1 %}Each KPI is the mean over the replications ± the half width of its 95 %
confidence interval, t<sub>0.975, n−1</sub> · s / √n (Student t, s the standard deviation between
replications, n = {{ c.replications }}).{% else %}With one replication there is no confidence
interval: run more replications to see how much the KPIs vary.{% endif %}
The figures of orders, trips, pick frequency and routes show replication 0.</p>
<p>Generated by wms.</p>
</footer>
</main>
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False)
_COMPILED = _ENV.from_string(_TEMPLATE)


@dataclass(frozen=True, slots=True)
class _Cell:
    text: str
    best: bool
    tip: str


@dataclass(frozen=True, slots=True)
class _Row:
    heading: str
    cells: tuple[_Cell, ...]


def _rows(comparison: Comparison) -> list[_Row]:
    s = comparison.summary
    reps = comparison.replications
    rows: list[_Row] = []
    for kpi in dict.fromkeys(str(k) for k in s["kpi"]):
        mine = s[s["kpi"] == kpi].set_index("strategy")
        stats = {
            name: {
                col: float(mine[col].get(name, math.nan)) if col in mine else math.nan
                for col in ("mean", "half_width", "ci_low", "ci_high")
            }
            for name in comparison.strategies
        }
        best = best_strategies(kpi, {n: v["mean"] for n, v in stats.items()})
        dec = row_decimals(kpi, [v["mean"] for v in stats.values()])
        cells = []
        for name in comparison.strategies:
            v = stats[name]
            tip = ""
            lo, hi = v["ci_low"], v["ci_high"]
            if reps > 1 and math.isfinite(lo) and math.isfinite(hi) and hi > lo:
                tip = (
                    f"95 % CI {format_value(kpi, v['ci_low'], decimals=dec)} to "
                    f"{format_value(kpi, v['ci_high'], decimals=dec)}"
                )
            cells.append(
                _Cell(
                    format_cell(kpi, v["mean"], v["half_width"], reps, decimals=dec),
                    name in best,
                    tip,
                )
            )
        rows.append(_Row(kpi_format(kpi).heading, tuple(cells)))
    return rows


def render_html(comparison: Comparison, *, figures: bool = True, dpi: int = 96) -> str:
    """The comparison as one self-contained HTML document.

    Parameters
    ----------
    comparison
        The strategy comparison.
    figures
        Embed the figures (turn off for a quick table-only report).
    dpi
        Resolution of the PNG figures.

    Returns
    -------
    str
        The HTML text: inline CSS, images as ``data:`` URIs, no script, no external reference.
    """
    rec = comparison.recommendation
    fmt = kpi_format(rec.objective)
    objective = fmt.label + (f" ({fmt.better} is better)" if fmt.better else "")
    reps = comparison.replications
    ci_text = (
        f"Mean over {reps} replications ± half width of the 95 % confidence interval."
        if reps > 1
        else "One replication: values without a confidence interval."
    )
    layout = comparison.layout
    return _COMPILED.render(
        c=comparison,
        rec=rec,
        objective=objective,
        ci_text=ci_text,
        rows=_rows(comparison),
        figures=report_figures(comparison, dpi) if figures else [],
        layout_kind=layout.kind,
        n_locations=f"{len(layout.locations):,}",
    )


def write_html(
    comparison: Comparison, path: str | Path, *, figures: bool = True, dpi: int = 96
) -> None:
    """Write :func:`render_html` of ``comparison`` to ``path`` (UTF-8), creating parent folders.

    ``figures`` and ``dpi`` are passed on to :func:`render_html`.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(comparison, figures=figures, dpi=dpi), encoding="utf-8")
