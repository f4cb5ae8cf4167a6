"""Scenario sweeps (wms.scenario.sweep): expansion, run ids, overrides, seeds, resume, failures,
break-even points.

The sweeps run the demo scenario cut to 40-60 orders (``tests/data/sweeps/``), serially, so each
takes a few seconds; the backends are compared in ``test_sweep_backends.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wms.errors import ScenarioError
from wms.scenario.schema import load_scenario, load_scenario_data
from wms.scenario.sweep import (
    BreakEven,
    apply_overrides,
    break_even_points,
    load_sweep,
    parse_path,
    read_results,
    run_sweep,
    run_task,
    summarize,
)

ROOT = Path(__file__).parents[2]
SWEEPS = ROOT / "tests" / "data" / "sweeps"
#: Columns that differ between two runs of the same sweep (wall-clock time).
VOLATILE = ["elapsed_s"]


def _stable(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns=VOLATILE).sort_values("run_id").reset_index(drop=True)


# -- paths and overrides ---------------------------------------------------------------------------


def test_parse_path_fields_and_indices() -> None:
    assert parse_path("resources.pickers") == ("resources", "pickers")
    assert parse_path("strategies[2].totes") == ("strategies", 2, "totes")
    assert parse_path("orders.generate.hourly_rates[9]") == (
        "orders",
        "generate",
        "hourly_rates",
        9,
    )
    for bad in ("resources..pickers", "strategies[x]", ".pickers", "a.b[", ""):
        with pytest.raises(ValueError, match="not a parameter path"):
            parse_path(bad)


def test_apply_overrides_copies_and_creates_missing_mappings() -> None:
    doc = {"resources": {"pickers": 3}, "strategies": [{"name": "a"}, {"name": "b"}]}
    out = apply_overrides(
        doc, {"resources.pickers": 8, "strategies[1].totes": 20, "simulation.batching": "seed"}
    )
    assert out["resources"]["pickers"] == 8
    assert out["strategies"][1] == {"name": "b", "totes": 20}
    assert out["simulation"] == {"batching": "seed"}
    assert doc == {"resources": {"pickers": 3}, "strategies": [{"name": "a"}, {"name": "b"}]}
    with pytest.raises(ValueError, match=r"strategies has 2 items .* \[5\] does not exist"):
        apply_overrides(doc, {"strategies[5].totes": 10})
    with pytest.raises(ValueError, match="is a value, not a mapping"):
        apply_overrides(doc, {"resources.pickers.count": 1})


def test_load_scenario_data_matches_load_scenario() -> None:
    """The mapping loader builds the same scenario as the file loader."""
    import yaml

    path = ROOT / "scenarios" / "demo.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    a = load_scenario(path, generate=False)
    b = load_scenario_data(data, path, generate=False)
    assert a.strategies == b.strategies and a.resources == b.resources and a.seed == b.seed
    data["resources"]["pickers"] = 0
    with pytest.raises(ScenarioError, match=r"^variant x: resources\.pickers: must be greater"):
        load_scenario_data(data, path, name="variant x", generate=False)


# -- expansion and run ids -------------------------------------------------------------------------


def test_expansion_is_the_cartesian_product_first_parameter_slowest() -> None:
    sweep = load_sweep(SWEEPS / "small.yaml")
    variants = sweep.variants()
    assert [tuple(v.values.values()) for v in variants] == [
        (1, 10, 60),
        (1, 20, 60),
        (2, 10, 60),
        (2, 20, 60),
        (3, 10, 60),
        (3, 20, 60),
    ]
    tasks = sweep.tasks()
    assert len(tasks) == sweep.n_runs == 6 * 2 * 2
    assert len({t.run_id for t in tasks}) == len(tasks)
    assert len({v.id for v in variants}) == len(variants)
    # Strategies of one (variant, replication) are consecutive and share the seed.
    assert [(t.strategy, t.replication) for t in tasks[:4]] == [
        ("sort_zone", 0),
        ("pick_and_sort_cart", 0),
        ("sort_zone", 1),
        ("pick_and_sort_cart", 1),
    ]
    assert {t.seed for t in tasks} == {7}  # streams: common


def test_run_ids_are_stable_and_do_not_depend_on_the_rest_of_the_grid() -> None:
    import dataclasses

    sweep = load_sweep(SWEEPS / "small.yaml")
    again = load_sweep(SWEEPS / "small.yaml")
    assert [t.run_id for t in sweep.tasks()] == [t.run_id for t in again.tasks()]
    bigger = dataclasses.replace(sweep, grid={**sweep.grid, "resources.pickers": (1, 2, 3, 5)})
    assert {t.run_id for t in sweep.tasks()} <= {t.run_id for t in bigger.tasks()}
    reseeded = dataclasses.replace(sweep, seed=8, digest="other")
    assert not {t.run_id for t in sweep.tasks()} & {t.run_id for t in reseeded.tasks()}


def test_independent_streams_give_each_variant_its_own_seed() -> None:
    import dataclasses

    sweep = dataclasses.replace(load_sweep(SWEEPS / "small.yaml"), streams="independent")
    seeds = [v.seed for v in sweep.variants()]
    assert len(set(seeds)) == len(seeds)
    expected = np.random.SeedSequence(7, spawn_key=(int(sweep.variants()[0].id, 16),))
    assert seeds[0] == int(expected.generate_state(1, dtype=np.uint64)[0])
    # Every strategy of a (variant, replication) still shares that variant's seed.
    first = [t for t in sweep.tasks() if t.variant_id == sweep.variants()[0].id]
    assert {t.seed for t in first} == {seeds[0]}


def test_strategies_of_a_variant_see_the_same_orders() -> None:
    """Common random numbers: KPIs that only count the orders agree across strategies."""
    sweep = load_sweep(SWEEPS / "small.yaml")
    rows = [run_task(t) for t in sweep.tasks()[:4]]
    assert all(r["status"] == "ok" for r in rows)
    assert rows[0]["units"] == rows[1]["units"] and rows[0]["lines"] == rows[1]["lines"]
    assert rows[0]["orders"] == 60.0
    assert rows[2]["units"] == rows[3]["units"]
    assert rows[0]["units"] != rows[2]["units"]  # replication 1 draws other orders


def test_embedded_sweep_section() -> None:
    sweep = load_sweep(SWEEPS / "embedded.yaml")
    assert sweep.scenario_path == (SWEEPS / "embedded.yaml").resolve()
    assert "sweep" not in sweep.document
    assert sweep.strategies == ("sort_zone", "pick_and_sort_cart")
    result = run_sweep(sweep)
    assert len(result.runs) == 4 and (result.runs["status"] == "ok").all()
    # The scenario loader accepts (and ignores) the sweep section.
    assert load_scenario(SWEEPS / "embedded.yaml").name == "tiny-embedded"


# -- user mistakes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "negative-pickers.yaml",
            r"negative-pickers\.yaml, line 4: variant resources\.pickers=-1: resources\.pickers: "
            r"must be greater than or equal to 1, got -1$",
        ),
        (
            "unknown-field.yaml",
            r"line 4: variant resources\.pickrs=2: resources\.pickrs: unknown field 'pickrs'; "
            r"did you mean 'pickers'\?",
        ),
        ("bad-path.yaml", r"line 4: grid\.resources\.\.pickers: .* is not a parameter path"),
        (
            "index-out-of-range.yaml",
            r"line 4: grid\.strategies\[7\]\.totes: strategies has 5 items",
        ),
        ("unknown-strategy.yaml", r"line 5: strategies\[1\]: no strategy labelled 'cart'"),
        ("extra-field.yaml", r"line 5: replication: unknown field .* did you mean 'replications'"),
        ("seed-in-grid.yaml", r"line 4: grid\.seed: 'seed' cannot be swept"),
    ],
)
def test_broken_sweeps_give_one_clear_line(name: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as info:
        load_sweep(SWEEPS / name)
    assert "\n" not in str(info.value)


def test_missing_files() -> None:
    with pytest.raises(ScenarioError, match="sweep file not found"):
        load_sweep(SWEEPS / "nope.yaml")
    with pytest.raises(ScenarioError, match="no 'sweep:' section"):
        load_sweep(ROOT / "scenarios" / "demo.yaml")


# -- running, results file, resume, failures -------------------------------------------------------


def test_failed_runs_are_recorded_and_not_fatal(tmp_path: Path) -> None:
    results = tmp_path / "runs.csv"
    seen = []
    result = run_sweep(SWEEPS / "no-sorters.yaml", results=results, on_result=seen.append)
    assert len(result.runs) == 4 and len(seen) == 4
    failed = result.failures
    assert list(failed["strategy"]) == ["sort_zone"]
    assert list(failed["resources.sort_zone.sorters"]) == [0]
    assert "no sorters" in failed["error"].iloc[0]
    assert failed[list(result.runs.columns[-3:])].isna().all().all()  # KPIs are empty
    table = read_results(results)
    assert list(table["status"]).count("failed") == 1
    row = result.summary[(result.summary["variant"] == 0)].set_index("strategy")
    assert row.loc["sort_zone", "n"] == 0 and row.loc["sort_zone", "failed"] == 1
    assert row.loc["sort_zone", "best"] == "pick_and_sort_cart"
    # A failure is deterministic: resume does not retry it (and records nothing twice).
    again = run_sweep(SWEEPS / "no-sorters.yaml", results=results, resume=True)
    assert again.resumed == 4 and len(read_results(results)) == 4


def test_existing_results_need_resume(tmp_path: Path) -> None:
    results = tmp_path / "runs.csv"
    run_sweep(SWEEPS / "embedded.yaml", results=results)
    with pytest.raises(ScenarioError, match="results file exists; add --resume"):
        run_sweep(SWEEPS / "embedded.yaml", results=results)
    with pytest.raises(ScenarioError, match="columns are not those of this sweep"):
        run_sweep(SWEEPS / "no-sorters.yaml", results=results, resume=True)


def test_resume_after_kill_gives_the_uninterrupted_table(tmp_path: Path) -> None:
    """SIGKILL a serial ``wms sweep`` mid-way, resume it: same table, no run recorded twice."""
    reference = run_sweep(SWEEPS / "small.yaml", results=tmp_path / "reference.csv")
    total = len(reference.runs)
    results = tmp_path / "killed.csv"
    cmd = [sys.executable, "-c", "from wms.cli import main; main()", "sweep"]
    args = [str(SWEEPS / "small.yaml"), "--backend", "serial", "--results", str(results)]
    proc = subprocess.Popen(
        [*cmd, *args, "--no-progress", "--format", "json"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if results.exists() and results.read_text().count("\n") >= 1 + 3:
                break
            if proc.poll() is not None:
                break
            time.sleep(0.01)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    partial = read_results(results)
    assert 3 <= len(partial) < total, "the sweep was not interrupted mid-way"

    done = subprocess.run(
        [*cmd, *args, "--resume", "--no-progress", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"{len(partial)} runs taken from" in done.stderr
    final = read_results(results)
    assert final["run_id"].is_unique and len(final) == total
    pd.testing.assert_frame_equal(_stable(final), _stable(read_results(tmp_path / "reference.csv")))


def test_a_line_cut_by_a_kill_is_dropped_on_resume(tmp_path: Path) -> None:
    results = tmp_path / "runs.csv"
    full = run_sweep(SWEEPS / "embedded.yaml", results=results)
    text = results.read_text()
    results.write_text(text[: len(text) - 25])  # the last row loses its end
    again = run_sweep(SWEEPS / "embedded.yaml", results=results, resume=True)
    assert again.resumed == 3
    assert read_results(results)["run_id"].is_unique
    pd.testing.assert_frame_equal(
        again.runs.drop(columns=VOLATILE), full.runs.drop(columns=VOLATILE)
    )


# -- summary and break-even points -----------------------------------------------------------------


def _synthetic_runs() -> pd.DataFrame:
    """Cart wins with few pickers, sort zone with many: the lines cross at 12 pickers.

    Mean travel (lower is better): cart ``40 + 1 * p``, sort zone ``64 - 1 * p``; two
    replications at ``mean ± 0.1`` (95 % intervals of ± 1.27: apart).
    """
    rows = []
    for v, pickers in enumerate((8, 16, 24, 40)):
        for label, mean in (("cart", 40.0 + pickers), ("sort_zone", 64.0 - pickers)):
            for k, noise in enumerate((-0.1, 0.1)):
                rows.append(
                    {
                        "variant": v,
                        "resources.pickers": pickers,
                        "strategy": label,
                        "replication": k,
                        "status": "ok",
                        "travel_m_per_unit": mean + noise,
                    }
                )
    return pd.DataFrame(rows)


def test_summary_means_intervals_and_best() -> None:
    summary = summarize(
        _synthetic_runs(), ["resources.pickers"], ["cart", "sort_zone"], "travel_m_per_unit"
    )
    first = summary[summary["variant"] == 0].set_index("strategy")
    assert first.loc["cart", "mean"] == pytest.approx(48.0)
    assert first.loc["cart", "n"] == 2
    # t(0.975, 1) * s / sqrt(2) with s = 0.2 / sqrt(2): 12.706 * 0.1
    assert first.loc["cart", "half_width"] == pytest.approx(12.7062047 * 0.1)
    assert list(summary.groupby("variant")["best"].first()) == [
        "cart",
        "sort_zone",
        "sort_zone",
        "sort_zone",
    ]


def test_break_even_between_two_grid_values_is_interpolated() -> None:
    summary = summarize(
        _synthetic_runs(), ["resources.pickers"], ["cart", "sort_zone"], "travel_m_per_unit"
    )
    points = break_even_points(summary, ["resources.pickers"])
    assert points == [
        BreakEven("resources.pickers", {}, 8, 16, "cart", "sort_zone", pytest.approx(12.0), True)
    ]
    assert "between 8 and 16 (≈12)" in points[0].describe()
    assert "cart → sort_zone" in points[0].describe()


def test_break_even_per_slice_of_the_other_parameters() -> None:
    """With a second parameter the flip is found in each slice where it happens."""
    runs = _synthetic_runs()
    wide = pd.concat(
        [
            runs.assign(**{"devices.cart.totes": 10}),
            # With 30 totes the cart is 80 m better everywhere: it never loses.
            runs.assign(
                **{
                    "devices.cart.totes": 30,
                    "variant": runs["variant"] + 4,
                    "travel_m_per_unit": runs["travel_m_per_unit"]
                    - 80.0 * (runs["strategy"] == "cart"),
                }
            ),
        ],
        ignore_index=True,
    )
    params = ["resources.pickers", "devices.cart.totes"]
    summary = summarize(wide, params, ["cart", "sort_zone"], "travel_m_per_unit")
    points = break_even_points(summary, params)
    along_pickers = [p for p in points if p.parameter == "resources.pickers"]
    assert [(p.fixed, p.low, p.high) for p in along_pickers] == [
        ({"devices.cart.totes": 10}, 8, 16)
    ]
    along_totes = [p for p in points if p.parameter == "devices.cart.totes"]
    assert [(p.fixed["resources.pickers"], p.before, p.after) for p in along_totes] == [
        (16, "sort_zone", "cart"),
        (24, "sort_zone", "cart"),
        (40, "sort_zone", "cart"),
    ]


def test_no_break_even_when_one_strategy_always_wins() -> None:
    runs = _synthetic_runs()
    runs = runs[runs["strategy"] == "cart"]
    summary = summarize(runs, ["resources.pickers"], ["cart"], "travel_m_per_unit")
    assert break_even_points(summary, ["resources.pickers"]) == []


def test_higher_is_better_kpis_rank_the_other_way() -> None:
    runs = _synthetic_runs().rename(columns={"travel_m_per_unit": "units_per_picker_hour"})
    summary = summarize(runs, ["resources.pickers"], ["cart", "sort_zone"], "units_per_picker_hour")
    assert list(summary.groupby("variant")["best"].first()) == ["sort_zone", "cart", "cart", "cart"]
