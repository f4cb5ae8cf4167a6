"""Views of a scenario sweep: the terminal summary table, sensitivity plots, the HTML report.

All read a :class:`wms.scenario.sweep.SweepResult` and change nothing.

- :func:`sweep_table`: one row per variant (its parameter values), one column per strategy with
  ``mean ± half width`` of the objective, the best strategy of the row marked;
- :func:`sensitivity_plot`: the objective against one parameter, one line per strategy with its
  95 % confidence band, one panel per combination of the other parameters, break-even points
  marked;
- :func:`render_sweep_html` / :func:`write_sweep_html`: one self-contained HTML file (inline CSS,
  SVG figures as ``data:`` URIs, no script) with the settings, the break-even points, the table,
  the plots and the failed runs.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from rich.table import Table

from wms.report.html import figure_data_uri
from wms.report.kpi_format import format_cell, kpi_format, row_decimals
from wms.report.plots import strategy_colors

if TYPE_CHECKING:
    from wms.scenario.sweep import BreakEven, SweepResult

__all__ = ["render_sweep_html", "sensitivity_plot", "sweep_table", "write_sweep_html"]

#: Panels of one sensitivity figure at most (slices of the other parameters beyond are left out).
MAX_PANELS = 12


def _text(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _same(a: Any, b: Any) -> bool:
    return _text(a) == _text(b)


def sweep_table(result: SweepResult) -> Table:
    """The summary as a rich table: variants as rows, strategies as columns.

    Parameters
    ----------
    result
        The sweep result.

    Returns
    -------
    rich.table.Table
        Parameter columns, then ``mean ± half width`` of the objective per strategy (bold green
        for the variant's best, ``failed`` counts in brackets), then the best strategy.
    """
    fmt = kpi_format(result.objective)
    s = result.summary
    reps = result.sweep.replications
    dec = row_decimals(result.objective, s["mean"].tolist())
    table = Table(
        title=f"{result.sweep.name}: {fmt.heading} (mean ± 95 % CI over {reps} replication"
        f"{'s' if reps != 1 else ''})",
        title_justify="left",
    )
    for p in result.sweep.parameters:
        table.add_column(p, justify="right")
    for label in result.sweep.strategies:
        table.add_column(label, justify="right")
    table.add_column("best", justify="left")
    for _, group in s.groupby("variant", sort=True):
        best = str(group["best"].iloc[0])
        cells = [_text(group[p].iloc[0]) for p in result.sweep.parameters]
        for r in group.to_dict("records"):
            text = format_cell(
                result.objective, r["mean"], r["half_width"], int(r["n"]), decimals=dec
            )
            if r["failed"]:
                text += f" [{r['failed']} failed]"
            cells.append(f"[bold green]{text}[/]" if r["strategy"] == best else text)
        cells.append(best or "–")
        table.add_row(*cells)
    return table


def _sorted_values(values: list[Any]) -> tuple[list[Any], bool]:
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    return (sorted(values) if numeric else values), numeric


def sensitivity_plot(result: SweepResult, parameter: str) -> Figure:
    """The objective against ``parameter``: one line per strategy, its 95 % CI as a band.

    Parameters
    ----------
    result
        The sweep result.
    parameter
        One of the grid parameters.

    Returns
    -------
    Figure
        One panel per combination of the other parameters (at most :data:`MAX_PANELS`); dashed
        vertical lines mark the break-even points (where the best strategy changes), labelled
        with the interpolated value. Non-numeric parameter values sit at equal spacing.
    """
    sweep = result.sweep
    fmt = kpi_format(result.objective)
    scale = 100.0 if fmt.kind == "percent" else 1.0
    s = result.summary
    others = [p for p in sweep.parameters if p != parameter]
    values, numeric = _sorted_values(list(sweep.grid[parameter]))
    xs = np.array(values, dtype=float) if numeric else np.arange(len(values), dtype=float)
    slices = [
        dict(zip(others, combo, strict=True))
        for combo in itertools.product(*(sweep.grid[p] for p in others))
    ]
    shown = slices[:MAX_PANELS]
    ncols = min(3, len(shown))
    nrows = math.ceil(len(shown) / ncols)
    fig = Figure(figsize=(4.2 * ncols, 3.2 * nrows + 0.4), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    colors = strategy_colors(sweep.strategies)
    # Few replications give wide bands; keep the axis on the means so the lines stay readable.
    means = s["mean"].to_numpy(dtype=float) * scale
    finite = means[np.isfinite(means)]
    limits = None
    if finite.size:
        span = float(finite.max() - finite.min()) or max(abs(float(finite.max())) * 0.1, 1.0)
        limits = (float(finite.min()) - 0.75 * span, float(finite.max()) + 0.75 * span)
    for ax, fixed in zip(axes, shown, strict=False):
        mask = np.ones(len(s), dtype=bool)
        for p, v in fixed.items():
            mask &= np.array([_same(x, v) for x in s[p]])
        sub = s[mask]
        for label in sweep.strategies:
            mine = sub[sub["strategy"] == label]
            mean = np.full(len(values), np.nan)
            lo = np.full(len(values), np.nan)
            hi = np.full(len(values), np.nan)
            for i, v in enumerate(values):
                row = mine[[_same(x, v) for x in mine[parameter]]]
                if len(row):
                    mean[i] = float(row["mean"].iloc[0]) * scale
                    lo[i] = float(row["ci_low"].iloc[0]) * scale
                    hi[i] = float(row["ci_high"].iloc[0]) * scale
            ax.plot(xs, mean, marker="o", markersize=4, color=colors[label], label=label)
            if np.any(hi > lo):
                ax.fill_between(xs, lo, hi, color=colors[label], alpha=0.15, linewidth=0)
        for b in result.break_even:
            if b.parameter != parameter or not all(
                _same(b.fixed.get(p), v) for p, v in fixed.items()
            ):
                continue
            if numeric:
                x = b.at if b.at is not None else (float(b.low) + float(b.high)) / 2
            else:
                x = (values.index(b.low) + values.index(b.high)) / 2
            ax.axvline(x, color="0.3", linestyle="--", linewidth=1)
            where = f"{x:.3g}" if numeric else "↔"
            ax.annotate(
                f"{where}: {b.before}→{b.after}",
                (x, 1.0),
                xycoords=("data", "axes fraction"),
                fontsize=7,
                rotation=90,
                va="top",
                ha="right",
                color="0.25",
            )
        if not numeric:
            ax.set_xticks(xs, [_text(v) for v in values], rotation=20, fontsize=8)
        elif all(isinstance(v, int) for v in values):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        title = ", ".join(f"{p}={_text(v)}" for p, v in fixed.items())
        ax.set_title(title or parameter, fontsize=9)
        ax.set_xlabel(parameter, fontsize=8)
        ax.set_ylabel(f"{fmt.label}" + (f" [{fmt.unit}]" if fmt.unit else ""), fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        if limits is not None:
            low, high = ax.get_ylim()
            ax.set_ylim(max(low, limits[0]), min(high, limits[1]))
    for ax in axes[len(shown) :]:
        fig.delaxes(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncols=min(5, len(labels)), fontsize=8)
    return fig


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scenario sweep: {{ r.sweep.name }}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #222; background: #fafafa; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 1.5rem 2rem 3rem; background: #fff; }
h1 { margin: 0 0 .3rem; font-size: 1.6rem; }
h2 { margin: 2rem 0 .6rem; font-size: 1.25rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.meta { color: #555; margin: 0 0 1rem; }
.breakeven { border-left: 6px solid #2e6b8b; background: #eef4f8; padding: .8rem 1.2rem; }
.breakeven ul { margin: .4rem 0 0; padding-left: 1.2rem; }
.failed { border-left: 6px solid #b03a2e; background: #fbeeee; padding: .6rem 1.2rem; }
table.sweep { border-collapse: collapse; font-size: .9rem; font-variant-numeric: tabular-nums; }
table.sweep th, table.sweep td { padding: .25rem .7rem; border-bottom: 1px solid #eee; text-align: right;
  white-space: nowrap; }
table.sweep thead th { border-bottom: 2px solid #bbb; background: #f4f4f4; }
table.sweep td.best { color: #12703a; font-weight: 700; background: #e6f5ea; }
table.sweep td.name { text-align: left; }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: .92rem; margin-top: .4rem; max-width: 60rem; }
footer { margin-top: 2.5rem; border-top: 1px solid #ddd; padding-top: .8rem; color: #555;
         font-size: .85rem; }
</style>
</head>
<body>
<main>
<header>
<h1>Scenario sweep: {{ r.sweep.name }}</h1>
<p class="meta">Scenario {{ scenario }} · {{ n_variants }} variant{{ "s" if n_variants != 1 }}
× {{ r.sweep.strategies | length }} strategies × {{ r.sweep.replications }} replication{{ "s" if r.sweep.replications != 1 }}
= {{ n_runs }} runs{% if n_failed %} ({{ n_failed }} failed){% endif %} · objective: {{ objective }}</p>
<p class="meta">Grid: {% for p, vs in grid %}<code>{{ p }}</code> ∈ {{ vs }}{% if not loop.last %}; {% endif %}{% endfor %}</p>
</header>

<section class="breakeven" id="break-even">
<strong>Break-even points</strong> (where the best strategy on {{ objective }} changes along a parameter)
{% if breaks %}<ul>
{% for b in breaks %}  <li>{{ b }}</li>
{% endfor %}</ul>{% else %}<p>None: the same strategy is best {{ "in every variant" if single_best else "along every parameter" }}{% if single_best %} ({{ single_best }}){% endif %}.</p>{% endif %}
</section>

<h2 id="summary">Summary</h2>
<p class="meta">{{ ci_text }} The best strategy of each variant is <strong>highlighted</strong>.</p>
<table class="sweep">
<thead><tr>{% for p in params %}<th>{{ p }}</th>{% endfor %}{% for s in r.sweep.strategies %}<th>{{ s }}</th>{% endfor %}<th>best</th></tr></thead>
<tbody>
{% for row in rows %}<tr>{% for v in row.params %}<td>{{ v }}</td>{% endfor %}{% for c in row.cells %}<td{% if c.best %} class="best"{% endif %}>{{ c.text }}</td>{% endfor %}<td class="name">{{ row.best }}</td></tr>
{% endfor %}</tbody>
</table>

{% for f in figures %}<h2>{{ f.title }}</h2>
<figure>
<img src="{{ f.uri }}" alt="{{ f.alt }}">
<figcaption>{{ f.caption }}</figcaption>
</figure>
{% endfor %}
{% if failures %}<h2 id="failures">Failed runs</h2>
<div class="failed"><ul>
{% for f in failures %}  <li>{{ f }}</li>
{% endfor %}</ul></div>{% endif %}
<footer>
<p>Every strategy of a variant and replication plans and simulates the same orders (common random
numbers){% if r.sweep.streams == "common" %}; with streams "common" every variant also draws the same
order streams, so differences along a parameter are not sampling noise{% endif %}. Means are over the
finished replications ± the half width of the 95 % confidence interval (Student t). A break-even
value is interpolated linearly between the two grid values where the best strategy changes.</p>
<p>Generated by wms.</p>
</footer>
</main>
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_COMPILED = _ENV.from_string(_TEMPLATE)


def _describe(b: BreakEven) -> str:
    return b.describe()


def render_sweep_html(result: SweepResult, *, figures: bool = True) -> str:
    """The sweep as one self-contained HTML document.

    Parameters
    ----------
    result
        The sweep result.
    figures
        Embed the sensitivity plots (one per parameter).

    Returns
    -------
    str
        HTML text: inline CSS, SVG images as ``data:`` URIs, no script, no external reference.
    """
    sweep = result.sweep
    fmt = kpi_format(result.objective)
    objective = fmt.label + (f" [{fmt.unit}]" if fmt.unit else "") + f" ({fmt.better} is better)"
    s = result.summary
    dec = row_decimals(result.objective, s["mean"].tolist())
    rows = []
    for _, group in s.groupby("variant", sort=True):
        best = str(group["best"].iloc[0])
        cells = []
        for r in group.to_dict("records"):
            text = format_cell(
                result.objective, r["mean"], r["half_width"], int(r["n"]), decimals=dec
            )
            if r["failed"]:
                text += f" ({r['failed']} failed)"
            cells.append({"text": text, "best": r["strategy"] == best})
        rows.append(
            {
                "params": [_text(group[p].iloc[0]) for p in sweep.parameters],
                "cells": cells,
                "best": best or "–",
            }
        )
    bests = set(s["best"]) - {""}
    figs = []
    if figures:
        for p in sweep.parameters:
            figs.append(
                {
                    "title": f"Sensitivity to {p}",
                    "caption": f"{fmt.label} against {p}, one line per strategy; the band is the "
                    "95 % confidence interval. One panel per combination of the other parameters"
                    + (f" (the first {MAX_PANELS})" if _panels(result, p) > MAX_PANELS else "")
                    + ". Dashed lines: break-even points, where the best strategy changes.",
                    "alt": f"{fmt.label} against {p} per strategy",
                    "uri": figure_data_uri(sensitivity_plot(result, p), "svg"),
                }
            )
    fails = result.failures
    failures = [
        f"run {row['run_id']} ({', '.join(f'{p}={_text(row[p])}' for p in sweep.parameters)}; "
        f"{row['strategy']}, replication {row['replication']}): {row['error']}"
        for row in fails.to_dict("records")
    ]
    reps = sweep.replications
    ci_text = (
        f"{fmt.label}: mean over {reps} replications ± half width of the 95 % confidence interval."
        if reps > 1
        else f"{fmt.label}: one replication, no confidence interval."
    )
    return _COMPILED.render(
        r=result,
        scenario=sweep.scenario_path.name,
        n_variants=len(s["variant"].unique()) if len(s) else 0,
        n_runs=len(result.runs),
        n_failed=len(fails),
        objective=objective,
        grid=[(p, ", ".join(_text(v) for v in vs)) for p, vs in sweep.grid.items()],
        breaks=[_describe(b) for b in result.break_even],
        single_best=next(iter(bests)) if len(bests) == 1 else "",
        params=list(sweep.parameters),
        rows=rows,
        ci_text=ci_text,
        figures=figs,
        failures=failures,
    )


def _panels(result: SweepResult, parameter: str) -> int:
    return math.prod(len(v) for p, v in result.sweep.grid.items() if p != parameter)


def write_sweep_html(result: SweepResult, path: str | Path, *, figures: bool = True) -> None:
    """Write :func:`render_sweep_html` of ``result`` to ``path`` (UTF-8), creating folders."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_sweep_html(result, figures=figures), encoding="utf-8")
