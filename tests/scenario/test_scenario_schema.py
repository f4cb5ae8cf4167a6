"""Scenario files: the shipped scenarios, the format's features, one broken file per defect.

(Named ``test_scenario_schema.py``, not ``test_schema.py``: ``tests/layout/test_schema.py`` already
owns that module name, and the test folders are not packages.)
"""

from __future__ import annotations

import json
import shutil
import time as clock
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
import yaml

from wms.errors import ScenarioError
from wms.model import TimeStandards
from wms.scenario import Scenario, load_scenario, scenario_json_schema
from wms.scenario.schema import STRATEGY_NAMES, ScenarioIn

ROOT = Path(__file__).parents[2]
SCENARIOS = ROOT / "scenarios"
BROKEN = ROOT / "tests" / "data" / "broken"


def write(tmp_path: Path, doc: dict[str, Any], name: str = "s.yaml") -> Path:
    """Write ``doc`` as a scenario file in ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def minimal(**extra: Any) -> dict[str, Any]:
    """The smallest valid scenario: the small layout, 40 SKUs, 30 orders, one strategy."""
    doc: dict[str, Any] = {
        "schema_version": 1,
        "layout": str(ROOT / "layouts" / "small-single-block.yaml"),
        "catalogue": {"generate": {"n_skus": 40}},
        "orders": {"generate": {"n_orders": 30}},
        "resources": {"pickers": 2},
        "strategies": [{"name": "sort_zone"}],
    }
    doc.update(extra)
    return doc


# -- shipped scenarios -----------------------------------------------------------------------------


def test_demo_loads_and_generates() -> None:
    s = load_scenario(SCENARIOS / "demo.yaml")
    assert s.name == "demo"
    assert s.layout.name == "small-single-block"
    assert s.catalog is not None and len(s.catalog) == 200
    assert s.orders is not None and len(s.orders) == 300
    assert s.arrivals is not None and s.arrivals == tuple(sorted(s.arrivals))
    assert all(a.date() == s.day for a in s.arrivals)
    assert [st.name for st in s.strategies] == list(STRATEGY_NAMES)
    assert s.devices["cart"].totes == 12
    assert s.resources.pickers == 3 and s.resources.shifts[0].start == time(7)
    assert s.time_standards == TimeStandards()
    singles = sum(o.units == 1 for o in s.orders) / len(s.orders)
    assert 0.4 <= singles <= 0.6
    # The same file gives the same scenario (seeded), a replication gives other orders.
    again = load_scenario(SCENARIOS / "demo.yaml")
    assert again.orders == s.orders and again.catalog == s.catalog
    rep0 = s.generate_orders(0)
    assert tuple(o for _, o in rep0) == s.orders
    assert tuple(o for _, o in s.generate_orders(1)) != s.orders


def test_ecommerce_day_parameters_and_generation_time() -> None:
    s = load_scenario(SCENARIOS / "ecommerce-day.yaml", generate=False)
    assert s.layout.name == "ecommerce-3-block"
    assert s.resources.pickers == 30
    assert s.order_params is not None and s.order_params.n_orders == 20_000
    assert s.order_params.single_unit_share == 0.5
    assert s.catalog_params is not None and s.catalog_params.bulky_share > 0
    assert s.catalog is None and s.orders is None
    start = clock.perf_counter()
    full = load_scenario(SCENARIOS / "ecommerce-day.yaml")
    assert clock.perf_counter() - start < 5.0
    assert full.orders is not None and len(full.orders) == 20_000


def test_peak_day_parameters() -> None:
    s = load_scenario(SCENARIOS / "peak-day.yaml", generate=False)
    assert s.order_params is not None and s.order_params.n_orders == 100_000
    assert s.order_params.single_unit_share == 0.5
    assert s.devices["cart"].totes == 30
    assert s.resources.shifts[-1].end < s.resources.shifts[-1].start  # night shift
    assert len(s.strategies) == 5


# -- features --------------------------------------------------------------------------------------


def test_defaults(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, minimal()))
    assert s.name == "s" and s.day == date(2024, 6, 3)
    assert s.replications == 5 and s.seed == 0
    ts = s.time_standards
    assert (ts.walk_speed_m_s, ts.pick_s_per_unit, ts.setup_s_per_list, ts.scan_s) == (
        0.8,
        10.0,
        180.0,
        2.0,
    )
    assert (ts.put_to_tote_s_per_unit, ts.sort_s_per_unit) == (2.5, 4.0)
    assert (ts.pack_s_per_order, ts.pack_s_per_unit, s.label_print_s) == (45.0, 5.0, 5.0)
    assert s.devices["cart"].totes == 20
    assert s.strategies[0].params == {
        "max_units_per_list": None,
        "max_lines_per_list": None,
        "batching": None,  # the simulation's default batching
    }
    assert s.simulation.batching == "sweep"
    assert s.simulation.release_interval_min == 30.0
    assert s.resources.shifts[0].start == time(6)


def test_seed_changes_the_orders(tmp_path: Path) -> None:
    a = load_scenario(write(tmp_path, minimal(seed=1), "a.yaml"))
    b = load_scenario(write(tmp_path, minimal(seed=2), "b.yaml"))
    assert a.orders != b.orders


def test_files_relative_to_the_scenario(tmp_path: Path) -> None:
    data = ROOT / "scenarios" / "data"
    doc = minimal(
        layout=str(ROOT / "layouts" / "ecommerce-3-block.yaml"),
        catalogue={"file": str(data / "ecommerce-skus.csv")},
        orders={"file": str(data / "ecommerce-orders.csv")},
    )
    s = load_scenario(write(tmp_path, doc))
    assert s.catalog is not None and len(s.catalog) == 3000
    assert s.orders is not None and len(s.orders) == 800
    assert s.arrivals is None and s.order_params is None
    with pytest.raises(ScenarioError, match="orders come from a file"):
        s.generate_orders(0)
    # a relative path resolves against the scenario file's folder, not the working directory
    (tmp_path / "layouts").mkdir()
    (tmp_path / "scenarios").mkdir()
    shutil.copy(ROOT / "layouts" / "small-single-block.yaml", tmp_path / "layouts" / "lay.yaml")
    rel = write(tmp_path / "scenarios", minimal(layout="../layouts/lay.yaml"))
    assert (
        load_scenario(rel, generate=False).layout_path
        == (tmp_path / "layouts" / "lay.yaml").resolve()
    )


def test_strategy_labels_and_params(tmp_path: Path) -> None:
    doc = minimal(
        strategies=[
            {"name": "pick_and_sort_cart", "totes": 12, "label": "cart-12"},
            {"name": "pick_and_sort_cart", "totes": 24, "label": "cart-24"},
            {"name": "mixed", "small_max_units": 3},
        ]
    )
    s = load_scenario(write(tmp_path, doc), generate=False)
    assert [x.label for x in s.strategies] == ["cart-12", "cart-24", "mixed"]
    assert s.strategies[1].params["totes"] == 24
    assert s.strategies[2].params["small_max_units"] == 3
    doc["strategies"][1]["label"] = "cart-12"
    with pytest.raises(ScenarioError, match=r"strategies\[1\]: strategy label 'cart-12'"):
        load_scenario(write(tmp_path, doc), generate=False)


def test_unknown_batching_method(tmp_path: Path) -> None:
    doc = minimal(strategies=[{"name": "sort_zone", "batching": "ilss"}])
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, doc), generate=False)
    message = str(info.value)
    assert "line 13: strategies[0].batching: unknown batching method 'ilss'" in message
    assert "did you mean 'ils'?" in message


def test_json_schema() -> None:
    schema = scenario_json_schema()
    json.dumps(schema)
    assert schema["title"] == "wms scenario file"
    assert {"schema_version", "layout", "catalogue", "orders", "strategies"} <= set(
        schema["properties"]
    )
    assert set(schema["required"]) >= {"schema_version", "layout", "resources", "strategies"}
    assert ScenarioIn.model_config.get("extra") == "forbid"


def test_missing_scenario_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nope\.yaml: scenario file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.yaml"
    p.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"empty\.yaml: the file is empty"):
        load_scenario(p)


def test_generator_inconsistency_points_at_the_generator(tmp_path: Path) -> None:
    doc = minimal(orders={"generate": {"n_orders": 10, "arrival": "waves"}})
    with pytest.raises(ScenarioError, match=r"line \d+: orders\.generate: .*wave_times"):
        load_scenario(write(tmp_path, doc))


# -- broken files ----------------------------------------------------------------------------------

BROKEN_CASES = {
    "unknown_field": (10, "resources.picker_speed", "did you mean 'pickers'"),
    "negative_pickers": (9, "resources.pickers", "greater than or equal to 1, got -2"),
    "unknown_strategy": (12, "strategies[1].name", "did you mean 'sort_zone'"),
    "bad_schema_version": (2, "schema_version", "reads schema_version 1"),
    "missing_layout_file": (3, "layout", "no-such-layout.yaml' not found"),
    "yaml_syntax": (8, "YAML syntax error", "expected ',' or '}'"),
    "unquoted_time": (10, "orders.generate.carriers[0].cutoff", 'quoted string such as "15:00"'),
    "two_order_sources": (6, "orders", "exactly one of 'file"),
    "cart_too_many_totes": (11, "devices.cart.totes", "10 to 30 totes, got 40"),
    "too_many_skus": (5, "catalogue.generate.n_skus", "500 SKUs do not fit in the 320"),
    "strategy_bad_parameter": (11, "strategies[0]", "has no parameter 'totes'"),
    "unknown_objective": (9, "simulation.objective", "did you mean 'labour_s_per_unit'"),
    "unknown_batching": (9, "simulation.batching", "did you mean 'sweep'"),
    "error_rate_above_one": (9, "simulation.pick_error_rate", "less than or equal to 1, got 1.5"),
}


def test_every_broken_scenario_file_has_a_case() -> None:
    names = {p.stem.removeprefix("scenario_") for p in BROKEN.glob("scenario_*.yaml")}
    assert names == set(BROKEN_CASES)


@pytest.mark.parametrize("defect", sorted(BROKEN_CASES))
def test_broken_scenario(defect: str) -> None:
    line, where, what = BROKEN_CASES[defect]
    path = BROKEN / f"scenario_{defect}.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line {line}: {where}"), message
    assert what in message
    assert "\n" not in message


def test_scenario_is_a_frozen_value() -> None:
    s = load_scenario(BROKEN.parent.parent.parent / "scenarios" / "demo.yaml", generate=False)
    assert isinstance(s, Scenario)
    with pytest.raises(AttributeError):
        s.seed = 3  # type: ignore[misc]
