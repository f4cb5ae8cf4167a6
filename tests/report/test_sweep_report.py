"""The sweep views (wms.report.sweep) on a hand-made sweep result: no simulation runs here.

Two parameters (pickers 8/16/24/40, cart totes 10/30) and two strategies: with 10 totes the cart
wins up to 12 pickers and the sort zone beyond; with 30 totes the cart always wins.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from wms.report.sweep import render_sweep_html, sensitivity_plot, sweep_table, write_sweep_html
from wms.scenario.sweep import Sweep, SweepResult, break_even_points, summarize
from wms.sim.kpis import KPI_NAMES

PARAMS = ("resources.pickers", "devices.cart.totes")
GRID = {"resources.pickers": (8, 16, 24, 40), "devices.cart.totes": (10, 30)}


def make_result(*, failed: bool = False, name: str = "synthetic") -> SweepResult:
    """Travel per unit: cart ``40 + p`` (``-80`` with 30 totes), sort zone ``64 - p``; two
    replications at ``± 0.1``; other KPIs are 1.0. With ``failed`` one sort-zone run failed."""
    rows = []
    v = 0
    for pickers in GRID["resources.pickers"]:
        for totes in GRID["devices.cart.totes"]:
            for label in ("cart", "sort_zone"):
                mean = 40.0 + pickers - (80.0 if totes == 30 else 0.0)
                if label == "sort_zone":
                    mean = 64.0 - pickers
                for k, noise in enumerate((-0.1, 0.1)):
                    bad = failed and v == 0 and label == "sort_zone" and k == 1
                    row = {
                        "run_id": f"{v:02d}{label[:2]}{k}",
                        "variant": v,
                        "variant_id": f"v{v}",
                        "resources.pickers": pickers,
                        "devices.cart.totes": totes,
                        "strategy": label,
                        "replication": k,
                        "seed": 1,
                        "status": "failed" if bad else "ok",
                        "error": "strategy 'sort_zone' <b>broke</b>" if bad else "",
                        "elapsed_s": 0.1,
                    }
                    row.update({kpi: float("nan") if bad else 1.0 for kpi in KPI_NAMES})
                    if not bad:
                        row["travel_m_per_unit"] = mean + noise
                    rows.append(row)
            v += 1
    runs = pd.DataFrame(rows)
    sweep = Sweep(
        name=name,
        source=Path("synthetic.yaml"),
        scenario_path=Path("scenarios/demo.yaml"),
        document={},
        grid=GRID,
        strategies=("cart", "sort_zone"),
        replications=2,
        seed=1,
        streams="common",
        objective="travel_m_per_unit",
        digest="0" * 12,
    )
    summary = summarize(runs, PARAMS, sweep.strategies, sweep.objective)
    points = tuple(break_even_points(summary, PARAMS, orders=GRID))
    return SweepResult(sweep, runs, sweep.objective, summary, points)


@pytest.fixture(scope="module")
def result() -> SweepResult:
    """The synthetic sweep, every run finished."""
    return make_result()


@pytest.fixture(scope="module")
def html(result: SweepResult) -> str:
    """Its HTML report."""
    return render_sweep_html(result)


def test_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["'](?!data:)""", html)
    assert html.count('<img src="data:image/svg+xml;base64,') == len(PARAMS)


def test_break_even_points_are_listed(html: str, result: SweepResult) -> None:
    assert "Break-even points" in html
    first = [b for b in result.break_even if b.parameter == "resources.pickers"]
    assert len(first) == 1 and first[0].at == pytest.approx(12.0)
    assert (
        "resources.pickers between 8 and 16 (≈12) at devices.cart.totes=10: cart → sort_zone"
        in html
    )


def test_table_marks_the_best_of_each_variant(html: str) -> None:
    assert html.count('class="best"') == 8  # one per variant
    assert "48.00 ± 1.27" in html  # cart, 8 pickers, 10 totes


def test_failed_runs_are_listed_and_escaped() -> None:
    text = render_sweep_html(make_result(failed=True), figures=False)
    assert "Failed runs" in text and "(1 failed)" in text
    assert "&lt;b&gt;broke&lt;/b&gt;" in text and "<b>broke</b>" not in text


def test_name_is_escaped() -> None:
    text = render_sweep_html(make_result(name="<i>peak</i>"), figures=False)
    assert "&lt;i&gt;peak&lt;/i&gt;" in text and "<i>peak</i>" not in text


def test_sensitivity_plot_has_a_panel_per_slice(result: SweepResult) -> None:
    fig = sensitivity_plot(result, "resources.pickers")
    assert len(fig.axes) == 2  # totes 10 and 30
    assert len(fig.axes[0].lines) >= 3  # two strategies and the break-even line
    fig = sensitivity_plot(result, "devices.cart.totes")
    assert len(fig.axes) == 4


def test_terminal_table(result: SweepResult) -> None:
    console = Console(width=200, record=True)
    console.print(sweep_table(result))
    text = console.export_text()
    assert "resources.pickers" in text and "sort_zone" in text
    assert text.count("cart") >= 6


def test_write(result: SweepResult, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "sweep.html"
    write_sweep_html(result, target, figures=False)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
