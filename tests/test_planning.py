"""The pick-list planning API and ``wms plan`` on the shipped e-commerce example.

The example (``scenarios/data/``, made by ``make_example.py``) is a day of orders for
``layouts/ecommerce-3-block.yaml``: 40 aisles, 3 blocks, zones (bulky, fragile, fast movers...).
The first 250 orders keep the tests fast.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from tests.plan_fixtures import check_plan
from wms.cli_plan import register
from wms.errors import ConfigError, LayoutError, OrderError
from wms.io.orders import read_orders, read_plan_config, read_skus
from wms.layout import RectangularLayout
from wms.layout.schema import load_layout
from wms.model import STOP_COLUMNS, Order, OrderLine, Plan, Sku
from wms.planning import plan_picklists
from wms.routing import RoutingProblem, route
from wms.routing.base import walk_length
from wms.waves.config import PlanConfig

ROOT = Path(__file__).resolve().parents[1]
LAYOUT_FILE = ROOT / "layouts" / "ecommerce-3-block.yaml"
SKUS_FILE = ROOT / "scenarios" / "data" / "ecommerce-skus.csv"
ORDERS_FILE = ROOT / "scenarios" / "data" / "ecommerce-orders.csv"
N_ORDERS = 250


@pytest.fixture(scope="module")
def layout() -> RectangularLayout:
    """The shipped 40-aisle, 3-block e-commerce layout."""
    lay = load_layout(LAYOUT_FILE)
    assert isinstance(lay, RectangularLayout)
    return lay


@pytest.fixture(scope="module")
def catalog(layout: RectangularLayout) -> dict[str, Sku]:
    """The example SKU master (3,000 SKUs slotted by zone and velocity)."""
    return read_skus(SKUS_FILE, layout=layout)


@pytest.fixture(scope="module")
def orders(catalog: dict[str, Sku]) -> list[Order]:
    """The first orders of the example day (about half single-unit)."""
    return read_orders(ORDERS_FILE, catalog=catalog)[:N_ORDERS]


@pytest.fixture(scope="module", params=["batch", "cart", "singles"])
def planned(
    request: pytest.FixtureRequest, orders: list[Order], catalog: dict[str, Sku],
    layout: RectangularLayout,
) -> tuple[Plan, PlanConfig]:  # fmt: skip
    """The example planned with the default configuration of each strategy."""
    cfg = PlanConfig(strategy=request.param)
    return plan_picklists(orders, catalog, layout, cfg), cfg


def test_the_plan_keeps_every_invariant(
    planned: tuple[Plan, PlanConfig], orders: list[Order], catalog: dict[str, Sku],
    layout: RectangularLayout,
) -> None:  # fmt: skip
    plan, cfg = planned
    check_plan(plan, orders, catalog, layout, cfg)
    assert len(plan.pick_lists) > 3
    assert {p.strategy for p in plan.pick_lists} <= {cfg.strategy, "batch"}
    for u in plan.unassigned:
        assert u.reason in ("order_too_large", "line_too_large") and u.wave_id is not None


def test_stops_are_in_the_walking_order_of_the_route(
    planned: tuple[Plan, PlanConfig], layout: RectangularLayout
) -> None:
    plan, _ = planned
    for p in plan.pick_lists:
        walk = list(dict.fromkeys(s.location_id for s in p.stops))
        # Several SKUs or orders at one location are consecutive stops.
        runs = [s.location_id for k, s in enumerate(p.stops)
                if k == 0 or s.location_id != p.stops[k - 1].location_id]  # fmt: skip
        assert runs == walk
        # Routing the list's locations again gives the same pick sequence and length.
        locations = np.unique(layout.locations.indices(walk))
        again = route(RoutingProblem(layout, locations, p.start, p.end), p.routing)
        assert [layout.locations.ids[locations[k]] for k in again.pick_sequence] == walk
        assert again.length_m == pytest.approx(p.route_length_m)
        assert p.route is not None
        assert walk_length(layout, p.route) == pytest.approx(p.route_length_m)


def test_lists_route_optimally_and_end_where_the_strategy_needs(
    planned: tuple[Plan, PlanConfig],
) -> None:
    plan, _ = planned
    for p in plan.pick_lists:
        assert p.routing == "optimal" and p.start == "depot"
        assert p.end == ("put-wall" if p.strategy == "batch" else "pack-area")


def test_totals_and_duration_estimate(planned: tuple[Plan, PlanConfig]) -> None:
    plan, cfg = planned
    std = cfg.time_standards
    for p in plan.pick_lists:
        per_unit = std.pick_s_per_unit + (std.put_to_tote_s_per_unit if p.strategy == "cart" else 0)
        expected = std.setup_s_per_list + p.route_length_m / std.walk_speed_m_s + per_unit * p.units
        assert p.estimated_duration_s == pytest.approx(expected)
    totals = plan.totals()
    assert totals["pick_lists"] == len(plan.pick_lists)
    assert totals["units"] == sum(p.units for p in plan.pick_lists)


def test_exports_one_row_per_stop(planned: tuple[Plan, PlanConfig]) -> None:
    plan, _ = planned
    df = plan.to_dataframe()
    assert tuple(df.columns) == STOP_COLUMNS
    assert len(df) == sum(len(p.stops) for p in plan.pick_lists)
    first = plan.pick_lists[0]
    rows = df[df["list_id"] == first.list_id]
    assert rows["sequence"].tolist() == [s.sequence for s in first.stops]
    assert rows["location_id"].tolist() == [s.location_id for s in first.stops]
    again = pd.read_csv(io.StringIO(plan.to_csv() or ""))
    assert len(again) == len(df) and again["quantity"].sum() == df["quantity"].sum()
    doc = json.loads(plan.to_json())
    assert doc["totals"] == plan.totals()
    lists = [p for w in doc["waves"] for p in w["pick_lists"]]
    assert [p["list_id"] for p in lists] == [p.list_id for p in plan.pick_lists]
    assert lists[0]["stops"][0] == first.stops[0].to_dict()


def test_the_same_input_gives_the_same_plan(
    orders: list[Order], catalog: dict[str, Sku], layout: RectangularLayout
) -> None:
    cfg = PlanConfig(strategy="cart")
    a = plan_picklists(orders[:120], catalog, layout, cfg)
    b = plan_picklists(orders[:120], catalog, layout, cfg)
    assert a.to_dict() == b.to_dict()


def test_lengths_only_planning_measures_the_same_lists(
    planned: tuple[Plan, PlanConfig], orders: list[Order], catalog: dict[str, Sku],
    layout: RectangularLayout,
) -> None:  # fmt: skip
    """``walk_order=False`` (for simulation) skips the walks but plans the same lists."""
    plan, cfg = planned
    fast = plan_picklists(orders, catalog, layout, cfg, walk_order=False)
    assert len(fast.pick_lists) == len(plan.pick_lists)
    for a, b in zip(plan.pick_lists, fast.pick_lists, strict=True):
        assert b.route is None and a.route is not None
        assert b.route_length_m == pytest.approx(a.route_length_m, abs=1e-9)
        assert b.estimated_duration_s == pytest.approx(a.estimated_duration_s, abs=1e-9)
        assert (a.units, a.lines, set(a.orders)) == (b.units, b.lines, set(b.orders))
        assert len(a.totes) == len(b.totes)  # totes are numbered along the walk, so may differ
        key = lambda s: (s.location_id, s.order_id, s.line)  # noqa: E731
        assert sorted((key(s), s.quantity) for s in a.stops) == sorted(
            (key(s), s.quantity) for s in b.stops
        )


def test_waves_follow_the_carrier_cutoffs(
    orders: list[Order], catalog: dict[str, Sku], layout: RectangularLayout
) -> None:
    cfg = PlanConfig.model_validate({"release": {"keys": ["cutoff", "carrier"]},
                                     "batching": {"method": "savings"}})  # fmt: skip
    plan = plan_picklists(orders, catalog, layout, cfg)
    by_id = {o.order_id: o for o in orders}
    for w in plan.waves:
        key = dict(w.key)
        assert {by_id[o].carrier for o in w.order_ids} == {key["carrier"]}
        for p in w.pick_lists:
            assert {by_id[o].carrier for o in p.orders} == {key["carrier"]}
    cutoffs = [dict(w.key)["cutoff"] for w in plan.waves]
    assert cutoffs == sorted(cutoffs)


def test_a_scheduled_release(
    orders: list[Order], catalog: dict[str, Sku], layout: RectangularLayout
) -> None:
    cfg = PlanConfig.model_validate({
        "release": {"mode": "schedule", "keys": [], "lead_time_minutes": 90},
        "batching": {"method": "fcfs"},
    })  # fmt: skip
    plan = plan_picklists(orders[:60], catalog, layout, cfg)
    assert [w.release_at.hour for w in plan.waves] == [10, 13, 16]  # type: ignore[union-attr]


# -- invalid input ------------------------------------------------------------------------------


def test_invalid_orders_raise_or_are_reported(layout: RectangularLayout) -> None:
    catalog = {
        "OK": Sku("OK", 1.0, 1.0, locations=("A01-B0-P03-L-0",)),
        "NOWHERE": Sku("NOWHERE", 1.0, 1.0),
        "GHOST": Sku("GHOST", 1.0, 1.0, locations=("A99-B0-P00-L-0",)),
    }
    orders = [
        Order("good", (OrderLine("OK", 1),)),
        Order("typo", (OrderLine("OK", 1), OrderLine("0K", 1))),
        Order("unslotted", (OrderLine("NOWHERE", 2),)),
        Order("ghost", (OrderLine("GHOST", 1),)),
    ]
    with pytest.raises(OrderError, match=r"order 'typo', line index 1: unknown SKU '0K'"):
        plan_picklists(orders, catalog, layout)
    plan = plan_picklists(orders, catalog, layout, {"invalid_orders": "unassign"})
    assert [(u.order_id, u.reason, u.sku_id) for u in plan.unassigned] == [
        ("typo", "unknown_sku", "0K"),
        ("unslotted", "sku_without_location", "NOWHERE"),
        ("ghost", "unknown_location", "GHOST"),
    ]
    assert [p.orders for p in plan.pick_lists] == [("good",)]


def test_duplicate_order_ids_are_an_error(
    catalog: dict[str, Sku], layout: RectangularLayout
) -> None:
    sku = next(iter(catalog))
    twice = [Order("A", (OrderLine(sku, 1),)), Order("A", (OrderLine(sku, 2),))]
    with pytest.raises(OrderError, match="duplicate order id 'A'"):
        plan_picklists(twice, catalog, layout)


@pytest.mark.parametrize(
    ("config", "error", "fragment"),
    [
        ({"routing": "zigzag"}, ConfigError, "unknown routing method 'zigzag'; choose one of:"),
        ({"batching": {"method": "magic"}}, ConfigError, "unknown batching method 'magic'"),
        ({"split": {"max_weight_kg": -1}}, ConfigError, "split.max_weight_kg"),
        ({"devices": {"cart": {"totes": 4, "capacity_units": 8, "tote_capacity_units": 9}}},
         ConfigError, "tote_units=9 exceeds the device limit 8"),
        ({"end": "roof"}, LayoutError, "no point 'roof'"),
    ],
)  # fmt: skip
def test_bad_configuration(
    config: dict[str, object], error: type[Exception], fragment: str,
    orders: list[Order], catalog: dict[str, Sku], layout: RectangularLayout,
) -> None:  # fmt: skip
    with pytest.raises(error, match=fragment.replace("(", r"\(").replace(".", r"\.")):
        plan_picklists(orders[:3], catalog, layout, config)


# -- wms plan -----------------------------------------------------------------------------------

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Stand-in for the wms application."""

    register(app)
    return app


@pytest.fixture(scope="module")
def small_orders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 40 orders of the example as a CSV file."""
    df = pd.read_csv(ORDERS_FILE, dtype=str, keep_default_na=False)
    keep = df["order_id"].drop_duplicates().head(40)
    path = tmp_path_factory.mktemp("plan") / "orders.csv"
    df[df["order_id"].isin(keep)].to_csv(path, index=False)
    return path


def _plan(*args: str | Path) -> tuple[int, str, str]:
    base = ["plan", "--layout", str(LAYOUT_FILE), "--skus", str(SKUS_FILE)]
    result = runner.invoke(_app(), [*base, *(str(a) for a in args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_plan_prints_a_table(small_orders: Path) -> None:
    code, out, _ = _plan(small_orders, "--strategy", "cart")
    assert code == 0
    assert "wave W001" in out and "W001-L001" in out and "cart" in out
    assert "pick lists" in out and "orders unassigned" in out


def test_plan_json_and_csv_agree(small_orders: Path) -> None:
    code, out, _ = _plan(small_orders, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    stops = sum(len(p["stops"]) for w in doc["waves"] for p in w["pick_lists"])
    code, out, _ = _plan(small_orders, "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert tuple(df.columns) == STOP_COLUMNS and len(df) == stops


def test_plan_writes_the_output_file_and_reads_a_config(small_orders: Path, tmp_path: Path) -> None:
    config = tmp_path / "plan.yaml"
    config.write_text("strategy: cart\nrelease: {keys: [carrier]}\nbatching: {method: savings}\n")
    out_file = tmp_path / "stops.csv"
    code, out, _ = _plan(small_orders, "--config", config, "--format", "csv", "--output", out_file)
    assert code == 0 and out == ""
    df = pd.read_csv(out_file)
    assert set(df["strategy"]) <= {"cart", "batch"} and df["tote"].notna().any()
    waves: dict[str, set[str]] = defaultdict(set)
    for wave, list_id in zip(df["wave_id"], df["list_id"], strict=True):
        waves[wave].add(list_id)
    assert len(waves) <= 3  # three carriers
    # --strategy overrides the configuration file
    code, _, _ = _plan(small_orders, "--config", config, "--strategy", "batch", "--format", "csv",
                       "--output", out_file)  # fmt: skip
    assert code == 0 and set(pd.read_csv(out_file)["strategy"]) == {"batch"}


@pytest.mark.parametrize(
    ("defect", "column", "value", "fragment"),
    [
        ("unknown_sku", 1, "X99", "unknown SKU 'X99'"),
        ("negative_quantity", 2, "-1", "quantity must be > 0, got '-1'"),
    ],
)
def test_plan_reports_a_bad_file_in_one_line(
    defect: str, column: int, value: str, fragment: str, small_orders: Path, tmp_path: Path
) -> None:
    path = tmp_path / f"orders_{defect}.csv"
    lines = small_orders.read_text().splitlines()
    cells = lines[5].split(",")
    cells[column] = value
    lines[5] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    code, out, err = _plan(path)
    assert code == 1 and out == ""
    got = err.strip().splitlines()
    assert len(got) == 1 and got[0].startswith("error: ") and "Traceback" not in err
    assert f"{path.name}, line 6" in got[0] and fragment in got[0]


def test_plan_reports_a_bad_config_in_one_line(small_orders: Path) -> None:
    code, _, err = _plan(
        small_orders, "--config", ROOT / "tests/data/broken/plan_config_bad_value.yaml"
    )
    assert code == 1 and err.startswith("error: ") and "split.max_lines must be >= 1" in err


def test_the_shipped_plan_configuration(
    orders: list[Order], catalog: dict[str, Sku], layout: RectangularLayout
) -> None:
    cfg = read_plan_config(ROOT / "scenarios" / "data" / "ecommerce-plan.yaml")
    assert cfg.strategy == "cart" and cfg.cart.oversize == "batch"
    plan = plan_picklists(orders, catalog, layout, cfg)
    check_plan(plan, orders, catalog, layout, cfg)
    # Bulky goods go on pallet-truck lists; nothing is left unassigned.
    assert not plan.unassigned
    devices = {(p.strategy, p.device, p.handling_class) for p in plan.pick_lists}
    assert ("batch", "pallet-truck", "bulky") in devices
    assert {p.end for p in plan.pick_lists if p.device == "pallet-truck"} == {"bulky-dock"}
    assert {d for _, d, _ in devices} <= {"cart-20", "pallet-truck", "container"}


def test_the_example_data_is_what_its_script_makes(tmp_path: Path) -> None:
    import runpy

    script = runpy.run_path(str(ROOT / "scenarios" / "data" / "make_example.py"))
    script["main"](tmp_path)
    for name in ("ecommerce-skus.csv", "ecommerce-orders.csv"):
        assert (tmp_path / name).read_bytes() == (ROOT / "scenarios" / "data" / name).read_bytes()
