"""Releasing holds one by one (who/when/why), stock re-checks, and cancelling orders."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fulfillment.order_fixtures import DOCK, order, rules, stock_warehouse
from wms.fulfillment import stock as stock_service
from wms.fulfillment.events import list_events
from wms.fulfillment.intake import Customer
from wms.fulfillment.orders import (
    OrderFlowError,
    cancel_order,
    import_orders,
    list_holds,
    release_hold,
)
from wms.store.db import session_scope
from wms.store.models import Order


@pytest.fixture
def url(db_url: str) -> str:
    """A migrated database with the stocked test warehouse."""
    stock_warehouse(db_url)
    return db_url


def holds_of(url: str, order_id: str) -> dict[str, int]:
    with session_scope(url, readonly=True) as s:
        return {h.rule: h.id for h in list_holds(s, order_id=order_id)}


def test_each_hold_is_released_on_its_own_and_the_last_releases_the_order(url: str) -> None:
    held = order("H-1", ("S1", 2), payment_status="pending", comment="blue instead of red")
    import_orders(url, [held], rules())
    ids = holds_of(url, "H-1")
    assert set(ids) == {"payment_not_confirmed", "customer_comment"}
    when = datetime(2024, 6, 3, 10, 0, tzinfo=UTC)
    with session_scope(url) as s:
        first = release_hold(s, ids["payment_not_confirmed"], "anna", "paid by transfer", at=when)
        assert (first.order_status, first.open_holds) == ("on_hold", 1)
        assert s.get_one(Order, "H-1").lines[0].qty_reserved == 0
    with session_scope(url) as s:
        last = release_hold(s, ids["customer_comment"], "anna", "customer agreed to red")
        assert (last.order_status, last.open_holds, last.new_holds) == ("released", 0, ())
        assert s.get_one(Order, "H-1").lines[0].qty_reserved == 2
        types = [e.type for e in list_events(s, order_id="H-1")]
        assert types.count("order.hold_released") == 2 and types[-1] == "order.released"
        done = list_holds(s, order_id="H-1", include_released=True)
        assert [(h.released_by, h.release_reason) for h in done] == [
            ("anna", "paid by transfer"),
            ("anna", "customer agreed to red"),
        ]
        assert done[0].released_at == when and not done[0].is_open
        assert list_holds(s, order_id="H-1") == []


def test_release_mistakes_are_clear_errors(url: str) -> None:
    import_orders(url, [order("H-2", ("S1", 1), payment_status="pending")], rules())
    (hold_id,) = holds_of(url, "H-2").values()
    with session_scope(url) as s:
        with pytest.raises(OrderFlowError, match="hold 999 does not exist"):
            release_hold(s, 999, "anna", "x")
        with pytest.raises(OrderFlowError, match="say who"):
            release_hold(s, hold_id, " ", "x")
        with pytest.raises(OrderFlowError, match="give the reason"):
            release_hold(s, hold_id, "anna", "")
        release_hold(s, hold_id, "anna", "paid")
    with session_scope(url) as s, pytest.raises(OrderFlowError, match="already released by anna"):
        release_hold(s, hold_id, "bob", "again")


def test_stock_shortage_hold_rechecks_stock(url: str) -> None:
    import_orders(url, [order("H-3", ("S3", 2), ("S5", 1))], rules())
    hold_id = holds_of(url, "H-3")["stock_shortage"]
    with (
        session_scope(url) as s,
        pytest.raises(OrderFlowError, match=r"stock is still short .*S3 needs 2, 0 available"),
    ):
        release_hold(s, hold_id, "anna", "try")
    with session_scope(url) as s:
        stock_service.receive(s, "S3", DOCK, 1)
        stock_service.put_away(s, "S3", DOCK, "A07-B0-P19-R", 1)
    with session_scope(url) as s, pytest.raises(OrderFlowError, match="S3 needs 2, 1 available"):
        release_hold(s, hold_id, "anna", "try")
    with session_scope(url) as s:
        stock_service.receive(s, "S3", DOCK, 4)
        stock_service.put_away(s, "S3", DOCK, "A07-B0-P19-R", 4)
    with session_scope(url) as s:
        result = release_hold(s, hold_id, "anna", "delivery arrived")
        assert result.order_status == "released"
        assert [ln.qty_reserved for ln in s.get_one(Order, "H-3").lines] == [2, 1]
        assert stock_service.reconcile(s) == []


def test_release_when_stock_was_taken_meanwhile_creates_a_new_shortage_hold(url: str) -> None:
    import_orders(url, [order("H-4", ("S4", 2), payment_status="pending")], rules())
    import_orders(url, [order("H-5", ("S4", 2))], rules())  # takes both units of S4
    hold_id = holds_of(url, "H-4")["payment_not_confirmed"]
    with session_scope(url) as s:
        result = release_hold(s, hold_id, "anna", "paid")
        assert result.order_status == "on_hold" and result.open_holds == 1
        (new,) = result.new_holds
        assert new.rule == "stock_shortage" and "cannot reserve stock" in new.detail


def test_list_holds_filters(url: str) -> None:
    import_orders(
        url,
        [
            order("H-6", ("S5", 1), payment_status="pending"),
            order("H-7", ("S5", 1), comment="please change the size"),
            order("H-8", ("S5", 1), payment_status="pending", comment="cancel it"),
        ],
        rules(),
    )
    with session_scope(url, readonly=True) as s:
        assert [h.order_id for h in list_holds(s, rule="payment_not_confirmed")] == ["H-6", "H-8"]
        assert [h.rule for h in list_holds(s, order_id="H-8")] == [
            "payment_not_confirmed",
            "customer_comment",
        ]
        assert len(list_holds(s)) == 4


def test_cancel_releases_stock_and_holds(url: str) -> None:
    import_orders(
        url, [order("H-9", ("S1", 3)), order("H-10", ("S5", 1), payment_status="x")], rules()
    )
    with session_scope(url) as s:
        cancel_order(s, "H-9", "anna", "customer asked")
        cancel_order(s, "H-10", "anna", "never paid")
        assert s.get_one(Order, "H-9").status == "cancelled"
        assert sum(lv.reserved for lv in stock_service.stock_levels(s)) == 0
        assert list_holds(s, order_id="H-10") == []
        (h,) = list_holds(s, order_id="H-10", include_released=True)
        assert h.release_reason == "order cancelled: never paid"
        assert [e.type for e in list_events(s, order_id="H-9")][-1] == "order.cancelled"
    with (
        session_scope(url) as s,
        pytest.raises(OrderFlowError, match="cannot be cancelled \\(status cancelled\\)"),
    ):
        cancel_order(s, "H-9", "anna", "again")
    with (
        session_scope(url) as s,
        pytest.raises(OrderFlowError, match="order 'nope' does not exist"),
    ):
        cancel_order(s, "nope", "anna", "x")
    with session_scope(url) as s, pytest.raises(OrderFlowError, match="already released"):
        release_hold(s, h.id, "anna", "x")


def test_an_accepted_duplicate_is_not_held_again_in_either_direction(url: str) -> None:
    shop = Customer("Jan Kowalski", "jan.kowalski@gmail.com", "600100200")
    market = Customer("J. Kowalski", "jankowalski+allegro@gmail.com", "0048600100200")
    import_orders(url, [order("D-1", ("S5", 1), customer=shop)], rules())
    import_orders(url, [order("D-2", ("S5", 1), channel="allegro", customer=market)], rules())
    hold_id = holds_of(url, "D-2")["duplicate_customer"]
    # before the consultant decides, the next marketplace order is held too
    import_orders(url, [order("D-3", ("S5", 1), channel="allegro", customer=market)], rules())
    assert "duplicate_customer" in holds_of(url, "D-3")
    with session_scope(url) as s:
        release_hold(s, hold_id, "anna", "same person, two accounts")
    later = [
        order("D-4", ("S5", 1), channel="allegro", customer=market),
        order("D-5", ("S5", 1), customer=shop),
    ]
    report = import_orders(url, later, rules())
    assert [(o.status, o.holds) for o in report.orders] == [("released", ()), ("released", ())]
    # a third account of the same person is still a duplicate
    third = Customer("Jan Kowalski", "jk@example.com", "+48 600 100 200")
    (entry,) = import_orders(
        url, [order("D-6", ("S5", 1), channel="amazon", customer=third)], rules()
    ).orders
    assert entry.holds == ("duplicate_customer",)


def test_concurrent_release_of_the_last_two_holds_releases_the_order(url: str) -> None:
    """Two consultants release an order's two holds at the same moment (threads; a real race
    on PostgreSQL): the order must end released and reserved, not on hold with no hold left."""
    import threading

    held = order("H-11", ("S1", 2), payment_status="pending", comment="blue instead of red")
    import_orders(url, [held], rules())
    ids = list(holds_of(url, "H-11").values())
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def release(hold_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            with session_scope(url) as s:
                release_hold(s, hold_id, "anna", "ok")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=release, args=(h,)) for h in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with session_scope(url, readonly=True) as s:
        o = s.get_one(Order, "H-11")
        assert o.status == "released" and o.lines[0].qty_reserved == 2
        assert list_holds(s, order_id="H-11") == []
