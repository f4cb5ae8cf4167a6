"""Order import on the database: holds from the rules, release with reservation, idempotency.

The warehouse is ``tests/fulfillment/order_fixtures.stock_warehouse`` (S1: 8 units in two
locations, S2: 5, S3: none, S4: 2, S5: 10); the files are ``tests/data/fulfillment/``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.fulfillment.order_fixtures import DATA, order, rules, stock_warehouse
from wms.fulfillment import stock as stock_service
from wms.fulfillment.events import list_events
from wms.fulfillment.intake import Address, Customer, IncomingOrder
from wms.fulfillment.orders import import_orders, list_holds
from wms.io.shop_orders import read_shop_orders
from wms.store.db import session_scope
from wms.store.models import Customer as CustomerRow
from wms.store.models import Event, Hold, Order, Reservation


@pytest.fixture
def url(db_url: str) -> str:
    """A migrated database with the stocked test warehouse."""
    stock_warehouse(db_url)
    return db_url


def files() -> list[IncomingOrder]:
    return read_shop_orders(DATA / "shop-orders.csv") + read_shop_orders(
        DATA / "marketplace-orders.json"
    )


def counts(url: str) -> dict[str, int]:
    with session_scope(url, readonly=True) as s:
        return {
            table.__tablename__: s.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in (Order, Hold, Event, Reservation, CustomerRow)
        }


def test_import_stores_orders_holds_events_and_reserves_released_ones(url: str) -> None:
    report = import_orders(url, files(), rules())
    assert report.summary() == {
        "imported": 5,
        "released": 3,
        "held": 2,
        "skipped": 0,
        "conflicts": 0,
        "rejected": 0,
    }
    outcome = {o.order_id: (o.status, o.holds) for o in report.orders}
    assert outcome == {
        "SHOP-1001": ("released", ()),
        "SHOP-1002": ("on_hold", ("stock_shortage",)),  # S3 has no stock
        "SHOP-1003": ("released", ()),
        "ALG-77": ("released", ()),
        # same person as SHOP-1001 on another channel; comment changes the order
        "ALG-78": ("on_hold", ("duplicate_customer", "customer_comment")),
    }
    with session_scope(url, readonly=True) as s:
        o = s.get_one(Order, "SHOP-1001")
        assert [(ln.sku_id, ln.qty, ln.qty_reserved) for ln in o.lines] == [
            ("S1", 2, 2),
            ("S2", 1, 1),
        ]
        assert o.value == pytest.approx(129.90) and o.currency == "PLN" and o.country == "PL"
        assert o.created_at == datetime(2024, 6, 3, 8, 0, tzinfo=UTC)  # naive times are UTC
        assert o.cutoff == datetime(2024, 6, 3, 15, 0, tzinfo=UTC)
        held = s.get_one(Order, "ALG-78")
        assert [ln.qty_reserved for ln in held.lines] == [0]
        dup = next(h for h in held.holds if h.rule == "duplicate_customer")
        assert o.customer_id is not None and o.customer_id in (
            dup.detail or ""
        )  # names the matched customer
        types = [e.type for e in list_events(s, order_id="ALG-78")]
        assert types == ["order.received", "order.held", "order.held"]
        assert [e.type for e in list_events(s, order_id="ALG-77")] == [
            "order.received",
            "order.released",
        ]
        assert len(s.scalars(sa.select(CustomerRow)).all()) == 5
        reserved = sum(lv.reserved for lv in stock_service.stock_levels(s))
        assert reserved == 2 + 1 + 1 + 1 + 2  # SHOP-1001, SHOP-1003, ALG-77
        assert stock_service.reconcile(s) == []


def test_reimport_skips_everything_and_writes_nothing(url: str) -> None:
    import_orders(url, files(), rules())
    before = counts(url)
    again = import_orders(url, files(), rules())
    assert again.summary()["skipped"] == 5 and again.imported == 0
    assert {o.message for o in again.orders} == {"already imported"}
    assert counts(url) == before


def test_changed_content_of_a_stored_reference_is_a_conflict(url: str) -> None:
    import_orders(url, [order("R-1", ("S5", 1))], rules())
    before = counts(url)
    report = import_orders(url, [order("R-1", ("S5", 2))], rules())
    (entry,) = report.orders
    assert entry.outcome == "conflict" and report.conflicts == 1
    assert "already stored (status released) with different content" in entry.message
    assert counts(url) == before
    with session_scope(url, readonly=True) as s:
        assert [ln.qty for ln in s.get_one(Order, "R-1").lines] == [1]


def test_source_position_is_not_content(url: str) -> None:
    import_orders(url, [order("R-1", ("S5", 1), source="a.csv, line 2")], rules())
    report = import_orders(url, [order("R-1", ("S5", 1), source="b.json: orders[7]")], rules())
    assert report.skipped == 1


def test_all_rules_off_releases_everything_that_has_stock(url: str) -> None:
    bad = order(
        "R-2",
        ("S5", 1),
        payment_status="pending",
        comment="red instead of blue",
        address=Address(),
    )
    report = import_orders(url, [bad], rules().all_off())
    assert [(o.status, o.holds) for o in report.orders] == [("released", ())]


def test_missing_stock_holds_the_order_even_with_the_rule_off(url: str) -> None:
    report = import_orders(url, [order("R-3", ("S3", 1))], rules().all_off())
    (entry,) = report.orders
    assert entry.status == "on_hold" and entry.holds == ("stock_shortage",)
    with session_scope(url, readonly=True) as s:
        (hold,) = list_holds(s, order_id="R-3")
        assert "cannot reserve stock on release" in hold.detail


def test_reservation_is_all_or_nothing_per_order(url: str) -> None:
    # S1 has 8 units; the first order takes 6, the second needs S5 and 3 x S1: only 2 are left.
    cfg = rules().all_off()
    import_orders(url, [order("R-4", ("S1", 6))], cfg)
    report = import_orders(url, [order("R-5", ("S5", 1), ("S1", 3))], cfg)
    assert report.orders[0].holds == ("stock_shortage",)
    with session_scope(url, readonly=True) as s:
        assert [ln.qty_reserved for ln in s.get_one(Order, "R-5").lines] == [0, 0]
        assert stock_service.reconcile(s) == []


def test_stock_shortage_rule_sees_reservations_of_earlier_orders(url: str) -> None:
    report = import_orders(url, [order("R-6", ("S4", 2)), order("R-7", ("S4", 1))], rules())
    assert [(o.status, o.holds) for o in report.orders] == [
        ("released", ()),
        ("on_hold", ("stock_shortage",)),
    ]


def test_same_account_twice_is_one_customer_without_duplicate_hold(url: str) -> None:
    a = order("R-8", ("S5", 1), customer=Customer("Ola Nowak", "ola@example.com", "600700800"))
    b = order("R-9", ("S5", 1), customer=Customer("Ola Nowak", "OLA@example.com", None))
    report = import_orders(url, [a, b], rules())
    assert [o.holds for o in report.orders] == [(), ()]
    with session_scope(url, readonly=True) as s:
        ids = {s.get_one(Order, r).customer_id for r in ("R-8", "R-9")}
    assert len(ids) == 1


def test_chunks_and_progress_callback(url: str) -> None:
    seen: list[int] = []
    orders = [order(f"R-{k}", ("S5", 1)) for k in range(7)]
    report = import_orders(url, orders, rules(), chunk_size=3, on_commit=seen.append)
    assert seen == [3, 6, 7] and report.imported == 7
    with pytest.raises(ValueError, match="chunk_size must be >= 1"):
        import_orders(url, orders, rules(), chunk_size=0)


def test_too_long_reference_is_rejected_not_truncated(url: str) -> None:
    report = import_orders(url, [order("X" * 65, ("S5", 1)), order("R-ok", ("S5", 1))], rules())
    assert [o.outcome for o in report.orders] == ["rejected", "imported"]
    assert "at most 64" in report.orders[0].message


def test_odd_codes_are_stored_safely_and_held(url: str) -> None:
    odd = order(
        "R-10",
        ("S5", 1),
        currency="EURO",
        value=Decimal("5"),
        address=Address("Polna 1", "Poznań", "60-001", "Poland"),
    )
    (entry,) = import_orders(url, [odd], rules()).orders
    # "Poland" is not the home country code and "EURO" has no rate: both rules see it
    assert entry.holds == ("foreign_value_limit", "incomplete_content")
    with session_scope(url, readonly=True) as s:
        stored = s.get_one(Order, "R-10")
        assert stored.country is None and stored.currency == "PLN"
        hold = next(h for h in stored.holds if h.rule == "incomplete_content")
        assert "'Poland'" in (hold.detail or "") and "'EURO'" in (hold.detail or "")


def test_import_into_a_session_commits_it_per_chunk(url: str) -> None:
    from wms.store.db import make_engine

    engine = make_engine(url)
    try:
        with sa.orm.Session(bind=engine, expire_on_commit=False) as session:
            seen: list[int] = []
            report = import_orders(
                session,
                [order(f"S-{k}", ("S5", 1)) for k in range(3)],
                rules(),
                chunk_size=1,
                on_commit=seen.append,
            )
            assert report.imported == 3 and seen == [1, 2, 3]
        # committed: visible from a new session
        with session_scope(engine, readonly=True) as s:
            assert {o.id for o in s.scalars(sa.select(Order))} == {"S-0", "S-1", "S-2"}
    finally:
        engine.dispose()


NUL = "contains a NUL character (\\u0000), which cannot be stored: remove it"


def test_a_nul_character_in_an_order_file_names_file_line_and_field(tmp_path: Path) -> None:
    """PostgreSQL cannot store NUL: the reader refuses it before anything is written."""
    from wms.errors import OrderError

    csv = tmp_path / "o.csv"
    csv.write_bytes(b"reference_id,sku,qty\nA-1,S1,1\nA-2,S\x002,1\n")
    with pytest.raises(OrderError) as err:
        read_shop_orders(csv)
    assert str(err.value).startswith(f"{csv}, line 3: sku: Value error, {NUL}")
    js = tmp_path / "o.json"
    js.write_text(
        '[{"reference_id": "A-1", "lines": [{"sku": "S1", "qty": 1}], '
        '"customer": {"name": "J\\u0000an"}}]'
    )
    with pytest.raises(OrderError) as err:
        read_shop_orders(js)
    assert str(err.value).startswith(f"{js}: orders[0]: customer.name: Value error, {NUL}")
