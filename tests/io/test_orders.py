"""Readers of the SKU master, orders and plan configuration: good files and broken ones.

Broken files live in ``tests/data/broken/`` and are named after their defect; each must give one
:class:`~wms.errors.WmsError` naming the file, the line (CSV) or record (JSON), and the field.
Good files (``tests/data/orders/``) use location ids of ``tests.plan_fixtures.zoned_layout``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.plan_fixtures import zoned_layout
from wms.errors import ConfigError, OrderError
from wms.io.orders import (
    orders_from_records,
    read_orders,
    read_plan_config,
    read_skus,
    skus_from_records,
)
from wms.model import Order, OrderLine, Sku
from wms.waves.config import PlanConfig

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "orders"
BROKEN = DATA / "broken"
LAYOUT = zoned_layout()


@pytest.fixture(scope="module")
def catalog() -> dict[str, Sku]:
    """The four SKUs of ``tests/data/orders/skus.csv``."""
    return read_skus(GOOD / "skus.csv", layout=LAYOUT)


def test_read_skus_csv(catalog: dict[str, Sku]) -> None:
    assert list(catalog) == ["S1", "S2", "S3", "S4"]
    assert catalog["S3"] == Sku("S3", 18.0, 90.0, "bulky", ("A05-B1-P01-L", "A05-B1-P02-L"), "C")
    assert catalog["S4"].handling_class == "normal" and catalog["S4"].velocity_class is None
    assert catalog["S3"].pick_location == "A05-B1-P01-L"


def test_csv_and_json_give_the_same_objects(catalog: dict[str, Sku]) -> None:
    assert read_skus(GOOD / "skus.json", layout=LAYOUT) == catalog
    assert read_orders(GOOD / "orders.csv", catalog=catalog) == read_orders(
        GOOD / "orders.json", catalog=catalog
    )


def test_read_orders_csv_groups_consecutive_rows(catalog: dict[str, Sku]) -> None:
    orders = read_orders(GOOD / "orders.csv", catalog=catalog)
    assert [o.order_id for o in orders] == ["O1", "O2", "O3"]
    assert orders[0] == Order(
        "O1", (OrderLine("S1", 2), OrderLine("S2", 1)), "shop", 0, datetime(2024, 6, 3, 12), "DHL"
    )
    assert orders[1].priority == 1 and orders[1].carrier == "DPD"
    assert orders[2].cutoff == datetime(2024, 6, 3, 12, 30)  # "2024-06-03 12:30" is accepted


def test_records_round_trip_through_to_dict(catalog: dict[str, Sku]) -> None:
    orders = read_orders(GOOD / "orders.json")
    assert orders_from_records([o.to_dict() for o in orders], catalog=catalog) == orders
    assert skus_from_records([s.to_dict() for s in catalog.values()], layout=LAYOUT) == catalog


def test_records_errors_name_the_source() -> None:
    with pytest.raises(OrderError, match=r"^request\[1\]: lines\[0\]\.quantity must be > 0"):
        orders_from_records(
            [{"order_id": "a", "lines": [{"sku_id": "S1", "quantity": 1}]},
             {"order_id": "b", "lines": [{"sku_id": "S1", "quantity": -1}]}],
            source="request",
        )  # fmt: skip


def test_read_plan_config() -> None:
    cfg = read_plan_config(GOOD / "plan.yaml")
    assert cfg.strategy == "cart" and cfg.release.keys == ("carrier",)
    assert cfg.split.max_weight_kg == 20 and cfg.split.separate_handling == ("bulky",)
    device = cfg.devices.cart.to_device()
    assert (device.name, device.totes, device.tote_units) == ("cart-4", 4, 6)
    assert cfg.cart.oversize == "batch" and cfg.batching.method == "savings"


def test_an_empty_config_file_gives_the_defaults(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n")
    assert read_plan_config(empty) == PlanConfig()


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("orders_unknown_sku.csv", ["line 3", "unknown SKU 'S99'", "order 'O2'"]),
        ("orders_negative_quantity.csv", ["line 2", "quantity must be > 0", "'-2'"]),
        ("orders_zero_quantity.json", ["orders[1]", "lines[0].quantity must be > 0", "got 0"]),
        ("orders_fractional_quantity.csv", ["line 2", "quantity must be a whole number", "'1.5'"]),
        ("orders_duplicate_id.csv", ["line 4", "duplicate order id 'O1'", "line 2"]),
        ("orders_duplicate_id.json", ["orders[2]", "duplicate order id 'O1'", "orders[0]"]),
        ("orders_missing_column.csv", ["line 1", "missing column 'quantity'"]),
        ("orders_unknown_column.csv", ["line 1", "unknown column 'qty'", "order_id, sku_id"]),
        ("orders_conflicting_carrier.csv", ["line 3", "carrier DPD", "DHL on line 2"]),
        ("orders_bad_cutoff.csv", ["line 2", "cutoff must be an ISO 8601 date-time", "tomorrow"]),
        ("orders_ragged_row.csv", ["line 3", "expected 3 fields", "found 4"]),
        ("orders_no_lines.json", ["orders[0]", "lines must not be empty"]),
        ("orders_json_syntax.json", ["line 2", "invalid JSON"]),
        ("orders_empty.csv", ["the file is empty", "order_id, sku_id, quantity"]),
    ],
)
def test_broken_order_files(name: str, fragments: list[str], catalog: dict[str, Sku]) -> None:
    with pytest.raises(OrderError) as info:
        read_orders(BROKEN / name, catalog=catalog)
    message = str(info.value)
    assert message.startswith(str(BROKEN / name))
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("skus_duplicate_id.csv", ["line 4", "duplicate SKU id 'S1'", "first at line 2"]),
        ("skus_without_location.csv", ["line 3", "SKU 'S2' has no storage location", "';'"]),
        ("skus_unknown_location.csv", ["line 2", "unknown location 'A09-B0-P00-L'", "plan-test"]),
        ("skus_bad_number.csv", ["line 2", "weight_kg must be a number", "'heavy'"]),
        ("skus_negative_weight.json", ["skus[0]", "weight_kg must be >= 0", "-1"]),
        ("skus_unknown_field.json", ["skus[0]", "unknown field 'colour'"]),
    ],
)
def test_broken_sku_files(name: str, fragments: list[str]) -> None:
    with pytest.raises(OrderError) as info:
        read_skus(BROKEN / name, layout=LAYOUT)
    message = str(info.value)
    assert message.startswith(str(BROKEN / name))
    for fragment in fragments:
        assert fragment in message


def test_unknown_locations_are_only_checked_against_a_layout() -> None:
    skus = read_skus(BROKEN / "skus_unknown_location.csv")
    assert skus["S1"].locations == ("A00-B0-P00-L", "A09-B0-P00-L")


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("plan_config_unknown_key.yaml", ["unknown field 'split.max_weigth_kg'"]),
        ("plan_config_bad_value.yaml", ["split.max_lines must be >= 1", "got 0"]),
        ("plan_config_unknown_strategy.yaml", ["strategy", "'batch', 'cart' or 'singles'", "wave"]),
        ("plan_config_yaml_syntax.yaml", ["line 3", "invalid YAML"]),
    ],
)
def test_broken_config_files(name: str, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        read_plan_config(BROKEN / name)
    message = str(info.value)
    assert message.startswith(str(BROKEN / name))
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("reader", [read_orders, read_skus, read_plan_config])
def test_missing_file(reader, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((OrderError, ConfigError), match="file not found"):
        reader(tmp_path / "nope.csv")


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(OrderError, match=r"\.xlsx file; use \.csv or \.json"):
        read_orders(tmp_path / "orders.xlsx")
