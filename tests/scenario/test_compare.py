"""The comparison runner on the demo: replay, parallel runs, confidence intervals, CRN."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wms import compare
from wms.errors import ScenarioError
from wms.scenario.schema import load_scenario
from wms.sim import KPI_NAMES

DEMO = "scenarios/demo.yaml"


@pytest.fixture(scope="module")
def demo():
    """The demo scenario, loaded once."""
    return load_scenario(DEMO)


@pytest.fixture(scope="module")
def two_reps(demo):
    """Two replications of sort_zone and the cart."""
    return compare(demo, replications=2, strategies=["sort_zone", "pick_and_sort_cart"])


def test_same_seed_same_numbers(demo, two_reps) -> None:
    again = compare(demo, replications=2, strategies=["sort_zone", "pick_and_sort_cart"])
    pd.testing.assert_frame_equal(two_reps.runs, again.runs)
    pd.testing.assert_frame_equal(two_reps.orders, again.orders)


def test_parallel_runs_give_the_same_numbers(demo, two_reps) -> None:
    parallel = compare(
        demo, replications=2, strategies=["sort_zone", "pick_and_sort_cart"], n_jobs=2
    )
    pd.testing.assert_frame_equal(two_reps.runs, parallel.runs)


def test_common_random_numbers(two_reps) -> None:
    runs = two_reps.runs.set_index(["replication", "strategy"])
    for k in (0, 1):
        a, b = runs.loc[(k, "sort_zone")], runs.loc[(k, "pick_and_sort_cart")]
        assert a["orders"] == b["orders"] and a["units"] == b["units"]
        assert a["errors_made"] <= b["errors_made"]  # the cart adds wrong-tote puts
    # Replications differ.
    assert runs.loc[(0, "sort_zone"), "units"] != runs.loc[(1, "sort_zone"), "units"]


def test_confidence_interval_is_student_t(two_reps) -> None:
    runs = two_reps.runs[two_reps.runs.strategy == "sort_zone"]["travel_m"].to_numpy()
    row = two_reps.summary.query("strategy == 'sort_zone' and kpi == 'travel_m'").iloc[0]
    half = stats.t.ppf(0.975, 1) * runs.std(ddof=1) / np.sqrt(2)
    assert row["mean"] == pytest.approx(runs.mean())
    assert row["half_width"] == pytest.approx(half)
    assert row["ci_low"] == pytest.approx(runs.mean() - half)
    assert set(two_reps.summary.kpi) == set(KPI_NAMES)


def test_records_and_drawn_routes(two_reps) -> None:
    orders = two_reps.orders
    assert set(orders.strategy) == {"sort_zone", "pick_and_sort_cart"}
    assert (orders.packed_s >= orders.ready_s).all() and (orders.ready_s >= orders.picked_s).all()
    assert np.allclose(orders.cycle_min, (orders.packed_s - orders.arrival_s) / 60)
    trips = two_reps.trips
    assert (trips.end_s > trips.start_s).all()
    assert two_reps.pick_units.units.sum() == orders[orders.strategy == "sort_zone"].units.sum()
    assert {r.strategy for r in two_reps.routes} == {"sort_zone", "pick_and_sort_cart"}
    for r in two_reps.routes:
        walked = sum(
            abs(x1 - x0) + abs(y1 - y0)
            for (x0, y0), (x1, y1) in zip(r.points, r.points[1:], strict=False)
        )
        # Legs run along aisles; the depot (1 m) and the pack station (1.5 m) sit off the cross
        # aisle, walked once each.
        assert walked + 1.0 + 1.5 == pytest.approx(r.length_m, rel=1e-6)


def test_kpi_table_has_strategies_as_columns(two_reps) -> None:
    table = two_reps.kpi_table()
    assert list(table.columns) == ["sort_zone", "pick_and_sort_cart"]
    assert list(table.index) == list(KPI_NAMES)


def test_bad_arguments_are_named(demo) -> None:
    with pytest.raises(ScenarioError, match="no strategy labelled 'nope'"):
        compare(demo, strategies=["nope"])
    with pytest.raises(ScenarioError, match="unknown KPI"):
        compare(demo, objective="speed")
    with pytest.raises(ScenarioError, match="at least 1"):
        compare(demo, replications=0)


def test_every_order_is_packed_exactly_once_by_every_strategy(demo) -> None:
    result = compare(demo, replications=1)
    orders = result.orders
    assert orders.groupby("strategy").order_id.nunique().eq(300).all()
    assert not orders.duplicated(["strategy", "order_id"]).any()
    assert orders.packed_s.notna().all() and np.isfinite(orders.packed_s).all()
    units = orders.groupby("strategy").units.sum()
    trips = result.trips.groupby("strategy").units.sum()
    pd.testing.assert_series_equal(units, trips, check_names=False)  # picked = ordered
    sorted_units = result.trips[result.trips.to_sort].groupby("strategy").units.sum()
    assert set(sorted_units.index) == {"single_unit", "sort_zone", "mixed"}  # sort_zone lanes
    assert (result.runs.unplanned_orders == 0).all()
