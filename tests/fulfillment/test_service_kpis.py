"""Service KPIs from stored data, checked by hand on five orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from wms.fulfillment.events import record_event
from wms.fulfillment.kpis import percentile, service_kpis
from wms.store.db import session_scope
from wms.store.models import Hold, Order, OrderLine, Rma, RmaLine, Sku

T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
H = timedelta(hours=1)


def _order(
    order_id: str,
    *,
    shipped_after_h: float | None,
    cutoff_after_h: float | None = None,
    picked: int = 2,
    short: int = 0,
    status: str = "shipped",
) -> Order:
    order = Order(
        id=order_id,
        status=status,
        created_at=T0,
        shipped_at=None if shipped_after_h is None else T0 + shipped_after_h * H,
        cutoff=None if cutoff_after_h is None else T0 + cutoff_after_h * H,
    )
    order.lines = [OrderLine(line_no=1, sku_id="S1", qty=2, qty_picked=picked, qty_short=short)]
    return order


@pytest.fixture
def day(db_engine: Engine) -> Engine:
    """A perfect order, a late one, a short one, an unshipped held one, a returned wrong item."""
    with session_scope(db_engine) as s:
        s.add(Sku(id="S1"))
        s.add(_order("A", shipped_after_h=2, cutoff_after_h=4))
        s.add(_order("B", shipped_after_h=10, cutoff_after_h=4))
        s.add(_order("C", shipped_after_h=4, picked=1, short=1))
        s.add(_order("D", shipped_after_h=None, picked=0, status="on_hold"))
        s.add(_order("E", shipped_after_h=None, status="returned"))
        s.flush()
        record_event(s, "order.shipped", entity_type="order", entity_id="E", at=T0 + 6 * H)
        s.add(Hold(order_id="C", rule="stock_shortage", detail="1 unit short"))
        s.add(Hold(order_id="D", rule="payment_not_confirmed"))
        s.add(Hold(order_id="D", rule="stock_shortage"))
        rma = Rma(id="R1", order_id="E", status="completed")
        rma.lines = [RmaLine(line_no=1, sku_id="S1", qty=1, reason="wrong_item")]
        s.add(rma)
    return db_engine


def test_service_kpis_by_hand(day: Engine) -> None:
    with session_scope(day, readonly=True) as s:
        k = service_kpis(s)
    assert (k.orders_received, k.orders_shipped) == (5, 4)
    # order-to-ship times 2, 10, 4, 6 h
    assert k.order_to_ship.p50_h == pytest.approx(5.0)
    assert k.order_to_ship.p95_h == pytest.approx(9.4)
    assert (k.order_to_ship.max_h, k.order_to_ship.mean_h) == (10.0, 5.5)
    assert k.perfect_orders == 1 and k.perfect_order_rate == pytest.approx(0.25)
    assert k.late_orders == 1
    assert (k.orders_short, k.short_units) == (1, 1)
    assert k.shortage_rate == pytest.approx(0.25)
    assert k.hold_rate == {"payment_not_confirmed": 0.2, "stock_shortage": 0.4}
    assert k.to_dict()["order_to_ship_h"]["count"] == 4


def test_period_filter_and_empty_period(day: Engine) -> None:
    with session_scope(day, readonly=True) as s:
        empty = service_kpis(s, since=T0 + H)
        all_ = service_kpis(s, since=T0, until=T0 + H)
    assert empty.orders_received == 0 and empty.perfect_order_rate is None
    assert empty.order_to_ship.p50_h is None
    assert all_.orders_received == 5


def test_percentile_matches_linear_interpolation() -> None:
    assert percentile([1.0], 95) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
