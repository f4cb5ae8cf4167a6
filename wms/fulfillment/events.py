"""Status events: an append-only log of what happened, and the outbox for webhooks.

Every service that changes something a customer or an integrator cares about appends an event in the
same transaction as the change (``order.received``, ``order.held``, ``order.released``,
``wave.released``, ``picklist.completed``, ``order.shipped``, ``receipt.received``,
``return.completed``, ``stock.adjusted``, ...). Events are never updated except for the
``delivered`` flag a webhook sender sets once it delivered them (:func:`pending_events`,
:func:`mark_delivered`). An order's timeline is the list of its events (:func:`order_timeline`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wms.store.models import Event, utcnow

#: Order status each order event type moves the order to (for the timeline's status column).
ORDER_STATUS_OF_EVENT: dict[str, str] = {
    "order.received": "received",
    "order.held": "on_hold",
    "order.released": "released",
    "order.waved": "waved",
    "order.picked": "picked",
    "order.packed": "packed",
    "order.shipped": "shipped",
    "order.cancelled": "cancelled",
    "order.returned": "returned",
}


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A stored event as plain data (safe to use after the session closed)."""

    id: int
    at: datetime
    type: str
    entity_type: str
    entity_id: str
    order_id: str | None
    payload: dict[str, Any]
    delivered: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``at`` as ISO 8601 UTC)."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "type": self.type,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "order_id": self.order_id,
            "payload": self.payload,
            "delivered": self.delivered,
        }


def _record(row: Event) -> EventRecord:
    return EventRecord(
        id=row.id,
        at=row.at,
        type=row.type,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        order_id=row.order_id,
        payload=dict(row.payload or {}),
        delivered=bool(row.delivered),
    )


def record_event(
    session: Session,
    type: str,
    *,
    entity_type: str,
    entity_id: str,
    order_id: str | None = None,
    payload: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Append one event in the caller's transaction.

    Parameters
    ----------
    session
        The open session; the event commits or rolls back with the change it describes.
    type
        Dotted event type, ``<entity>.<what happened>`` (e.g. ``"order.held"``).
    entity_type, entity_id
        What the event is about (``"order"``, ``"A-1001"``).
    order_id
        The order concerned, if any (also for pick-list or return events), for the timeline.
        Defaults to ``entity_id`` when ``entity_type == "order"``.
    payload
        JSON-serialisable details (rule name, quantities, who, ...).
    at
        When it happened (aware); default now.

    Returns
    -------
    Event
        The new row (flushed, so ``id`` is set).
    """
    if not type or "." not in type:
        raise ValueError(f"event type {type!r} must look like '<entity>.<what>', e.g. 'order.held'")
    if order_id is None and entity_type == "order":
        order_id = entity_id
    row = Event(
        at=at or utcnow(),
        type=type,
        entity_type=entity_type,
        entity_id=str(entity_id),
        order_id=order_id,
        payload=dict(payload or {}),
        delivered=False,
    )
    session.add(row)
    session.flush()
    return row


def list_events(
    session: Session,
    *,
    type: str | None = None,
    type_prefix: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    order_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    delivered: bool | None = None,
    limit: int | None = None,
) -> list[EventRecord]:
    """Events matching every given filter, oldest first.

    Parameters
    ----------
    session
        An open session.
    type, type_prefix
        Exact type (``"order.held"``) or prefix (``"order."``).
    entity_type, entity_id, order_id
        What the events are about.
    since, until
        Half-open time window ``since <= at < until`` (aware datetimes).
    delivered
        ``False``: the outbox (not yet delivered); ``True``: delivered only.
    limit
        At most this many (the oldest).

    Returns
    -------
    list of EventRecord
    """
    query = sa.select(Event)
    if type is not None:
        query = query.where(Event.type == type)
    if type_prefix is not None:
        query = query.where(Event.type.startswith(type_prefix, autoescape=True))
    if entity_type is not None:
        query = query.where(Event.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(Event.entity_id == entity_id)
    if order_id is not None:
        query = query.where(Event.order_id == order_id)
    if since is not None:
        query = query.where(Event.at >= since)
    if until is not None:
        query = query.where(Event.at < until)
    if delivered is not None:
        query = query.where(Event.delivered == delivered)
    query = query.order_by(Event.at, Event.id)
    if limit is not None:
        query = query.limit(limit)
    return [_record(row) for row in session.scalars(query)]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One step of an order's timeline: when, what, and the order status after it."""

    at: datetime
    type: str
    status: str | None
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"at": self.at.isoformat(), "type": self.type, "status": self.status, **self.detail}


def order_timeline(session: Session, order_id: str) -> list[TimelineEntry]:
    """The status timeline of one order: every event about it, oldest first.

    ``status`` is the order status after the event (``None`` for events that do not change it,
    e.g. ``picklist.completed``; it then repeats the previous status).

    Parameters
    ----------
    session
        An open session.
    order_id
        The order's reference.

    Returns
    -------
    list of TimelineEntry
        Empty when the order has no events.
    """
    entries: list[TimelineEntry] = []
    status: str | None = None
    for event in list_events(session, order_id=order_id):
        status = ORDER_STATUS_OF_EVENT.get(event.type, status)
        entries.append(
            TimelineEntry(at=event.at, type=event.type, status=status, detail=event.payload)
        )
    return entries


def pending_events(session: Session, limit: int = 100) -> list[EventRecord]:
    """The outbox: events not yet delivered, oldest first (at most ``limit``)."""
    return list_events(session, delivered=False, limit=limit)


def mark_delivered(session: Session, event_ids: Iterable[int]) -> int:
    """Flag events as delivered by a webhook sender; returns how many rows changed."""
    ids = list(event_ids)
    if not ids:
        return 0
    table = cast(sa.Table, Event.__table__)
    result = session.execute(
        sa.update(table)
        .where(table.c.id.in_(ids), table.c.delivered.is_(sa.false()))
        .values(delivered=True)
    )
    return int(getattr(result, "rowcount", 0) or 0)


__all__ = [
    "ORDER_STATUS_OF_EVENT",
    "EventRecord",
    "TimelineEntry",
    "list_events",
    "mark_delivered",
    "order_timeline",
    "pending_events",
    "record_event",
]
