"""Reader of shop and marketplace orders: good CSV/JSON files and broken ones.

Good files live in ``tests/data/fulfillment/``; broken ones in ``tests/data/broken/shop-orders/``,
named after their defect, each giving one :class:`~wms.errors.OrderError` that names the file, the
line (CSV) or record (JSON) and the field.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from wms.errors import OrderError
from wms.fulfillment.intake import Address, Customer, IncomingLine, IncomingOrder
from wms.io.shop_orders import read_shop_orders, shop_orders_from_records

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "fulfillment"
BROKEN = DATA / "broken" / "shop-orders"


def test_csv_groups_consecutive_rows_into_orders() -> None:
    orders = read_shop_orders(GOOD / "shop-orders.csv")
    assert [o.reference_id for o in orders] == ["SHOP-1001", "SHOP-1002", "SHOP-1003"]
    first = orders[0]
    assert first.lines == (IncomingLine("S1", 2), IncomingLine("S2", 1))
    assert first.customer == Customer("Jan Kowalski", "jan.kowalski@gmail.com", "+48 600 100 200")
    assert first.address == Address("Polna 1", "Poznań", "60-001", "PL")
    assert first.value == Decimal("129.90") and first.currency == "PLN"
    assert first.created_at == datetime(2024, 6, 3, 8, 0)
    assert first.cutoff == datetime(2024, 6, 3, 15, 0)
    assert first.source.endswith("shop-orders.csv, line 2")
    assert orders[1].comment == "please ship fast" and orders[1].cutoff is None
    assert first.units == 3


def test_json_nested_customer_address_and_lines() -> None:
    orders = read_shop_orders(GOOD / "marketplace-orders.json")
    assert [o.reference_id for o in orders] == ["ALG-77", "ALG-78"]
    assert orders[0].channel == "allegro"
    assert orders[0].lines == (IncomingLine("S1", 1), IncomingLine("S2", 2))
    assert orders[1].customer.email == "jankowalski+allegro@gmail.com"
    assert orders[1].source.endswith("orders[1]")


def test_content_problems_are_not_parse_errors() -> None:
    """Missing address, unknown SKU, missing payment: read fine, the hold rules judge them."""
    (order,) = shop_orders_from_records(
        [{"reference_id": "X-1", "lines": [{"sku": "NOPE", "qty": 1}]}]
    )
    assert order == IncomingOrder("X-1", "default", (IncomingLine("NOPE", 1),), source="orders[0]")
    assert order.address == Address() and order.customer == Customer() and order.value is None


def test_channel_default_and_currency_upper_case() -> None:
    (order,) = shop_orders_from_records(
        [
            {
                "reference_id": "X-1",
                "currency": "eur",
                "value": "10.5",
                "lines": [{"sku": "S", "qty": 1}],
            }
        ],
        channel="amazon",
    )
    assert order.channel == "amazon" and order.currency == "EUR" and order.value == Decimal("10.5")


def test_csv_and_json_of_the_same_order_are_equal(tmp_path: Path) -> None:
    csv = tmp_path / "o.csv"
    csv.write_text(
        "reference_id,channel,customer_name,country,sku,qty,value,currency\n"
        "R1,shop,Ann,PL,S1,1,10,PLN\nR1,,,,S2,2,,\n",
        encoding="utf-8",
    )
    js = tmp_path / "o.json"
    js.write_text(
        '[{"reference_id": "R1", "channel": "shop", "customer": {"name": "Ann"},'
        ' "address": {"country": "PL"}, "value": 10, "currency": "PLN",'
        ' "lines": [{"sku": "S1", "qty": 1}, {"sku": "S2", "qty": 2}]}]',
        encoding="utf-8",
    )
    (a,) = read_shop_orders(csv)
    (b,) = read_shop_orders(js)
    assert a.content_key() == b.content_key()


BROKEN_CASES = [
    ("value_not_a_number.csv", "line 2", "value must be a number, got '12o.50'"),
    ("negative_qty.csv", "line 3", "qty must be > 0, got '-3'"),
    ("missing_reference_id.csv", "line 2", "reference_id is required"),
    ("fractional_qty.csv", "line 2", "qty must be a whole number"),
    ("conflicting_value.csv", "line 3", "has value 150 here but 120 on line 2"),
    ("duplicate_reference_id.csv", "line 4", "duplicate reference_id 'SHOP-1'"),
    ("missing_sku_column.csv", "line 1", "missing column 'sku'"),
    ("unknown_column.csv", "line 1", "unknown column 'gift_wrap'"),
    ("bad_created_at.csv", "line 2", "created_at must be an ISO 8601 date-time"),
    ("json_syntax.json", "line 1", "invalid JSON"),
    ("no_lines.json", "orders[0]", "lines must not be empty"),
    ("zero_qty.json", "orders[1]", "lines[1].qty must be > 0, got 0"),
    ("unknown_customer_field.json", "orders[0]", "unknown field 'customer.mail'"),
    ("negative_value.json", "orders[0]", "value must be >= 0"),
    ("record_not_an_object.json", "orders[0]", "expected an object with reference_id and lines"),
]


@pytest.mark.parametrize(("name", "where", "text"), BROKEN_CASES, ids=[c[0] for c in BROKEN_CASES])
def test_broken_file_gives_one_clear_error(name: str, where: str, text: str) -> None:
    path = BROKEN / name
    with pytest.raises(OrderError) as info:
        read_shop_orders(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert where in message
    assert text in message
    assert "\n" not in message


def test_every_broken_file_is_covered() -> None:
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(c[0] for c in BROKEN_CASES)


def test_fix_is_suggested_for_typical_mistakes() -> None:
    with pytest.raises(OrderError, match="a quantity is a whole number of units >= 1"):
        read_shop_orders(BROKEN / "negative_qty.csv")
    with pytest.raises(OrderError, match="every order needs the channel's order reference"):
        read_shop_orders(BROKEN / "missing_reference_id.csv")


def test_wrong_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OrderError, match=r"use \.csv or \.json"):
        read_shop_orders(tmp_path / "orders.xlsx")
    with pytest.raises(OrderError, match="file not found"):
        read_shop_orders(tmp_path / "missing.csv")


def test_numeric_ids_and_skus_in_json_are_text() -> None:
    (order,) = shop_orders_from_records(
        [{"reference_id": 1234567, "lines": [{"sku": 5901234123457, "qty": 2}]}]
    )
    assert order.reference_id == "1234567" and order.lines == (IncomingLine("5901234123457", 2),)
