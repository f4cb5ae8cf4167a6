"""Events: append, filter, order timeline, outbox delivery flag; they roll back with their change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from wms.fulfillment.events import (
    list_events,
    mark_delivered,
    order_timeline,
    pending_events,
    record_event,
)
from wms.store.db import session_scope

T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
M = timedelta(minutes=1)


@pytest.fixture
def logged(db_engine: Engine) -> Engine:
    """Order A-1 through hold, release, wave, pick, ship; one receipt event."""
    steps = [
        ("order.received", "order", "A-1", {}),
        ("order.held", "order", "A-1", {"rule": "payment_not_confirmed"}),
        ("receipt.received", "receipt", "ASN-1", {"units_to_dock": 4}),
        ("order.released", "order", "A-1", {"by": "eva", "reason": "paid"}),
        ("order.waved", "order", "A-1", {"wave_id": 1}),
        ("picklist.completed", "pick_list", "7", {}),
        ("order.picked", "order", "A-1", {}),
        ("order.shipped", "order", "A-1", {"carrier": "dpd"}),
    ]
    with session_scope(db_engine) as s:
        for i, (type_, kind, entity, payload) in enumerate(steps):
            order_id = "A-1" if type_ == "picklist.completed" else None
            record_event(
                s,
                type_,
                entity_type=kind,
                entity_id=entity,
                order_id=order_id,
                payload=payload,
                at=T0 + i * M,
            )
    return db_engine


def test_order_timeline_lists_statuses_in_order(logged: Engine) -> None:
    with session_scope(logged, readonly=True) as s:
        timeline = order_timeline(s, "A-1")
        assert order_timeline(s, "nope") == []
    assert [(e.type, e.status) for e in timeline] == [
        ("order.received", "received"),
        ("order.held", "on_hold"),
        ("order.released", "released"),
        ("order.waved", "waved"),
        ("picklist.completed", "waved"),
        ("order.picked", "picked"),
        ("order.shipped", "shipped"),
    ]
    assert timeline[1].detail == {"rule": "payment_not_confirmed"}
    assert timeline[0].at == T0 and timeline[0].at.tzinfo is not None


def test_filters(logged: Engine) -> None:
    with session_scope(logged, readonly=True) as s:
        assert [e.entity_id for e in list_events(s, type="receipt.received")] == ["ASN-1"]
        assert len(list_events(s, type_prefix="order.")) == 6
        assert len(list_events(s, since=T0 + 2 * M, until=T0 + 4 * M)) == 2
        assert len(list_events(s, entity_type="order", entity_id="A-1", limit=3)) == 3


def test_outbox_delivery_flag(logged: Engine) -> None:
    with session_scope(logged) as s:
        batch = pending_events(s, limit=5)
        assert len(batch) == 5
        assert mark_delivered(s, [e.id for e in batch]) == 5
        assert mark_delivered(s, [batch[0].id]) == 0
    with session_scope(logged, readonly=True) as s:
        assert len(pending_events(s)) == 3
        assert len(list_events(s, delivered=True)) == 5


def test_event_rolls_back_with_its_transaction(db_engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(db_engine) as s:
        record_event(s, "order.held", entity_type="order", entity_id="X")
        raise RuntimeError("the change failed")
    with session_scope(db_engine, readonly=True) as s:
        assert list_events(s) == []


def test_event_type_must_be_dotted(db_engine: Engine) -> None:
    with pytest.raises(ValueError, match="must look like"), session_scope(db_engine) as s:
        record_event(s, "held", entity_type="order", entity_id="X")
