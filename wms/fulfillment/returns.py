"""Returns and complaints: RMA, receiving the return, inspection, disposition, customer status.

The flow of a return:

1. :func:`create_rma` authorises a return of some units of an order, each line with a reason;
   ``complaint=True`` opens a complaint (repair/replace/refund) the customer can follow.
2. :func:`receive_return` books the units that came back into the returns desk location (ledger kind
   ``return``).
3. :func:`inspect_return` records each line's condition (``new``, ``opened``, ``damaged``,
   ``defective``).
4. :func:`dispose_return` decides per line: ``restock`` (to a storage location), ``quarantine`` or
   ``scrap``. When every line is disposed, the RMA is ``completed`` (``return.completed``); the
   order becomes ``returned`` once every shipped unit came back (over all its RMAs), else it keeps
   its status and gets an ``order.partially_returned`` event.
5. :func:`set_complaint_status` moves the complaint along; :func:`rma_status` is what the customer
   sees.

Statuses: ``authorised -> received -> inspected -> completed`` (or ``cancelled``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wms.errors import ReturnsError
from wms.fulfillment import stock
from wms.fulfillment.events import list_events, record_event
from wms.store.models import Location, Order, OrderLine, Rma, RmaLine, Sku, utcnow

RETURNS_DESK = "RETURNS"
QUARANTINE = "QUARANTINE"
RMA_STATUSES: tuple[str, ...] = ("authorised", "received", "inspected", "completed", "cancelled")
CONDITIONS: tuple[str, ...] = ("new", "opened", "damaged", "defective")
DISPOSITIONS: tuple[str, ...] = ("restock", "quarantine", "scrap")
COMPLAINT_STATUSES: tuple[str, ...] = (
    "open",
    "in_review",
    "in_repair",
    "repaired",
    "replaced",
    "refunded",
    "rejected",
    "closed",
)
#: Reasons that count against the perfect-order rate (the order was not right).
ERROR_REASONS: tuple[str, ...] = ("wrong_item", "damaged", "defective", "missing_item")


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """A line of a return request: ``qty`` units of ``sku_id`` for ``reason``."""

    sku_id: str
    qty: int
    reason: str = "unwanted"


def _get_rma(session: Session, rma_id: str, *, lock: bool = True) -> Rma:
    rma = session.get(Rma, rma_id, with_for_update=lock)
    if rma is None:
        raise ReturnsError(f"return {rma_id!r} does not exist")
    return rma


def _line(rma: Rma, line_no: int) -> RmaLine:
    for line in rma.lines:
        if line.line_no == line_no:
            return line
    raise ReturnsError(
        f"return {rma.id!r} has no line {line_no}: lines are "
        f"{', '.join(str(ln.line_no) for ln in rma.lines)}"
    )


def _event(session: Session, rma: Rma, type: str, at: datetime | None, **payload: Any) -> None:
    """Stamp the RMA as changed and append the event (its flush stores the RMA's changes too)."""
    rma.updated_at = at or utcnow()
    record_event(
        session,
        type,
        entity_type="rma",
        entity_id=rma.id,
        order_id=rma.order_id,
        payload={"status": rma.status, "complaint_status": rma.complaint_status, **payload},
        at=at,
    )


def create_rma(
    session: Session,
    rma_id: str,
    lines: Sequence[ReturnLine],
    *,
    order_id: str | None = None,
    customer_id: str | None = None,
    complaint: bool = False,
    at: datetime | None = None,
) -> Rma:
    """Authorise a return.

    Parameters
    ----------
    session
        An open session.
    rma_id
        The return's number (unique).
    lines
        What comes back and why.
    order_id
        The order the units were shipped with; a line may not return more units of a SKU than the
        order picked (minus what earlier returns of the order already cover).
    customer_id
        Defaults to the order's customer.
    complaint
        Open a complaint the customer can follow (``complaint_status = "open"``).
    at
        When (aware), default now.

    Returns
    -------
    Rma
        Status ``authorised``.

    Raises
    ------
    ReturnsError
        Duplicate id, no lines, bad quantity, unknown SKU or order, more units than shipped.
    """
    if session.get(Rma, rma_id) is not None:
        raise ReturnsError(f"return {rma_id!r} already exists: use a new RMA number")
    if not lines:
        raise ReturnsError(f"return {rma_id!r}: give at least one line (SKU, quantity, reason)")
    order = None
    if order_id is not None:
        order = session.get(Order, order_id)
        if order is None:
            raise ReturnsError(f"return {rma_id!r}: order {order_id!r} does not exist")
        customer_id = customer_id or order.customer_id
    wanted: dict[str, int] = {}
    for i, ln in enumerate(lines, start=1):
        where = f"return {rma_id!r} line {i}"
        if isinstance(ln.qty, bool) or not isinstance(ln.qty, int) or ln.qty <= 0:
            raise ReturnsError(f"{where}: quantity {ln.qty!r} must be a whole number > 0")
        if session.get(Sku, ln.sku_id) is None:
            raise ReturnsError(f"{where}: unknown SKU {ln.sku_id!r}")
        if not ln.reason or not ln.reason.strip():
            raise ReturnsError(f"{where}: give a reason for the return")
        wanted[ln.sku_id] = wanted.get(ln.sku_id, 0) + ln.qty
    if order is not None:
        picked: dict[str, int] = {}
        for ol in session.scalars(sa.select(OrderLine).where(OrderLine.order_id == order.id)):
            picked[ol.sku_id] = picked.get(ol.sku_id, 0) + ol.qty_picked
        earlier: dict[str, int] = {}
        for sku_id, qty in session.execute(
            sa.select(RmaLine.sku_id, sa.func.sum(RmaLine.qty))
            .join(Rma, Rma.id == RmaLine.rma_id)
            .where(Rma.order_id == order.id, Rma.status != "cancelled")
            .group_by(RmaLine.sku_id)
        ).all():
            earlier[str(sku_id)] = int(qty)
        for sku_id, qty in wanted.items():
            allowed = picked.get(sku_id, 0) - earlier.get(sku_id, 0)
            if qty > allowed:
                raise ReturnsError(
                    f"return {rma_id!r}: {qty} units of {sku_id!r} exceed the {allowed} that order "
                    f"{order.id!r} shipped and not yet returned"
                )
    now = at or utcnow()
    rma = Rma(
        id=rma_id,
        order_id=order_id,
        customer_id=customer_id,
        status="authorised",
        created_at=now,
        updated_at=now,
        complaint_status="open" if complaint else None,
    )
    rma.lines = [
        RmaLine(line_no=i, sku_id=ln.sku_id, qty=ln.qty, reason=ln.reason.strip(), qty_received=0)
        for i, ln in enumerate(lines, start=1)
    ]
    session.add(rma)
    session.flush()
    _event(
        session,
        rma,
        "return.authorised",
        at,
        lines=[{"sku_id": ln.sku_id, "qty": ln.qty, "reason": ln.reason} for ln in lines],
    )
    return rma


def receive_return(
    session: Session,
    rma_id: str,
    received: Mapping[int, int] | None = None,
    *,
    location_id: str = RETURNS_DESK,
    actor: str | None = None,
    at: datetime | None = None,
) -> Rma:
    """Book the units that came back into the returns desk (ledger kind ``return``).

    Parameters
    ----------
    session
        An open session.
    rma_id
        An ``authorised`` return.
    received
        Units received per line number; default every line in full. A line may not receive more
        than authorised; 0 means it did not come back.
    location_id
        The returns desk (created with kind ``returns`` if missing).
    actor, at
        Who, when.
    """
    rma = _get_rma(session, rma_id)
    if rma.status != "authorised":
        raise ReturnsError(
            f"return {rma_id!r} is {rma.status}: only authorised returns are received"
        )
    counts = {ln.line_no: ln.qty for ln in rma.lines} if received is None else dict(received)
    for line_no, qty in counts.items():
        line = _line(rma, line_no)
        if isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty <= line.qty:
            raise ReturnsError(
                f"return {rma_id!r} line {line_no}: received {qty!r} must be between 0 and the "
                f"{line.qty} authorised"
            )
    stock.ensure_location(session, location_id, kind="returns")
    for line in rma.lines:
        qty = counts.get(line.line_no, 0)
        line.qty_received = qty
        if qty:
            stock.receive(
                session,
                line.sku_id,
                location_id,
                qty,
                kind="return",
                reason=line.reason,
                reference=rma_id,
                actor=actor,
                at=at,
            )
            line.location_id = location_id
    rma.status = "received"
    _event(
        session,
        rma,
        "return.received",
        at,
        received={str(k): v for k, v in counts.items()},
        actor=actor,
    )
    return rma


def inspect_return(
    session: Session,
    rma_id: str,
    conditions: Mapping[int, str],
    *,
    actor: str | None = None,
    at: datetime | None = None,
) -> Rma:
    """Record the inspected condition of received lines (``new``, ``opened``, ``damaged``,
    ``defective``); the RMA becomes ``inspected`` once every received line has one."""
    rma = _get_rma(session, rma_id)
    if rma.status not in ("received", "inspected"):
        raise ReturnsError(f"return {rma_id!r} is {rma.status}: receive it before inspecting")
    for line_no, condition in conditions.items():
        line = _line(rma, line_no)
        if condition not in CONDITIONS:
            raise ReturnsError(
                f"return {rma_id!r} line {line_no}: condition {condition!r} must be one of "
                f"{', '.join(CONDITIONS)}"
            )
        if line.qty_received == 0:
            raise ReturnsError(f"return {rma_id!r} line {line_no}: nothing was received to inspect")
        line.condition = condition
    if all(ln.condition is not None for ln in rma.lines if ln.qty_received):
        rma.status = "inspected"
    _event(
        session,
        rma,
        "return.inspected",
        at,
        conditions={str(k): v for k, v in conditions.items()},
        actor=actor,
    )
    return rma


def dispose_return(
    session: Session,
    rma_id: str,
    line_no: int,
    disposition: str,
    *,
    location_id: str | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> Rma:
    """Decide what happens to the received units of one inspected line.

    Parameters
    ----------
    session
        An open session.
    rma_id, line_no
        The line; it must be inspected and not yet disposed.
    disposition
        ``restock`` (move to storage ``location_id``, required), ``quarantine`` (move to
        ``location_id`` or the ``QUARANTINE`` location) or ``scrap`` (leave the warehouse).
    location_id
        Target of ``restock`` / ``quarantine``.
    actor, at
        Who, when.

    Returns
    -------
    Rma
        ``completed`` once every received line is disposed (then ``return.completed`` is emitted
        and the order, if any, becomes ``returned`` when every shipped unit is back).
    """
    rma = _get_rma(session, rma_id)
    line = _line(rma, line_no)
    where = f"return {rma_id!r} line {line_no}"
    if disposition not in DISPOSITIONS:
        raise ReturnsError(
            f"{where}: disposition {disposition!r} must be one of {', '.join(DISPOSITIONS)}"
        )
    if line.qty_received == 0:
        raise ReturnsError(f"{where}: nothing was received")
    if line.condition is None:
        raise ReturnsError(f"{where}: inspect the line before deciding its disposition")
    if line.disposition is not None:
        raise ReturnsError(f"{where}: already disposed ({line.disposition})")
    if disposition == "restock" and line.condition in ("damaged", "defective"):
        raise ReturnsError(
            f"{where}: a {line.condition} item cannot go back to stock: quarantine or scrap it"
        )
    source = line.location_id or RETURNS_DESK
    if disposition == "restock":
        if location_id is None:
            raise ReturnsError(f"{where}: restock needs a storage location (--location)")
        target = session.get(Location, location_id)
        if target is None or target.kind != "storage":
            raise ReturnsError(f"{where}: {location_id!r} is not a storage location")
        stock.move(
            session,
            line.sku_id,
            source,
            location_id,
            line.qty_received,
            kind="putaway",
            reason="return restock",
            reference=rma_id,
            actor=actor,
            at=at,
        )
        line.location_id = location_id
    elif disposition == "quarantine":
        target_id = location_id or QUARANTINE
        stock.ensure_location(session, target_id, kind="quarantine")
        stock.move(
            session,
            line.sku_id,
            source,
            target_id,
            line.qty_received,
            kind="quarantine",
            reason=f"return: {line.condition}",
            reference=rma_id,
            actor=actor,
            at=at,
            check_capacity=False,
        )
        line.location_id = target_id
    else:
        stock.remove(
            session,
            line.sku_id,
            source,
            line.qty_received,
            kind="scrap",
            reason=f"return: {line.condition}",
            reference=rma_id,
            actor=actor,
            at=at,
        )
        line.location_id = None
    line.disposition = disposition
    _event(
        session,
        rma,
        "return.disposed",
        at,
        line_no=line_no,
        sku_id=line.sku_id,
        disposition=disposition,
        location_id=line.location_id,
        actor=actor,
    )
    if all(ln.disposition is not None for ln in rma.lines if ln.qty_received):
        rma.status = "completed"
        _event(session, rma, "return.completed", at)
        if rma.order_id is not None:
            _order_after_return(session, rma.order_id, rma_id, at)
    session.flush()
    return rma


def _order_after_return(session: Session, order_id: str, rma_id: str, at: datetime | None) -> None:
    """After an RMA of the order completed: ``returned`` once every shipped unit came back (over
    all its completed RMAs), else the order keeps its status and gets ``order.partially_returned``.
    """
    order = session.get(Order, order_id)
    if order is None or order.status == "returned":
        return
    shipped = sum(line.qty_picked for line in order.lines)
    back = int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(RmaLine.qty_received), 0))
            .join(Rma, Rma.id == RmaLine.rma_id)
            .where(Rma.order_id == order_id, Rma.status == "completed")
        )
        or 0
    )
    complete = back >= shipped
    if complete:
        order.status = "returned"
    record_event(
        session,
        "order.returned" if complete else "order.partially_returned",
        entity_type="order",
        entity_id=order.id,
        payload={"rma_id": rma_id, "units_returned": back, "units_shipped": shipped},
        at=at,
    )


def set_complaint_status(
    session: Session,
    rma_id: str,
    status: str,
    *,
    note: str | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> Rma:
    """Move a complaint along (``open``, ``in_review``, ``in_repair``, ``repaired``, ``replaced``,
    ``refunded``, ``rejected``, ``closed``); the customer sees it in :func:`rma_status`."""
    if status not in COMPLAINT_STATUSES:
        raise ReturnsError(
            f"complaint status {status!r} must be one of {', '.join(COMPLAINT_STATUSES)}"
        )
    rma = _get_rma(session, rma_id)
    rma.complaint_status = status
    _event(session, rma, "return.complaint_updated", at, note=note, actor=actor)
    return rma


@dataclass(frozen=True, slots=True)
class RmaStatus:
    """What a customer can see about a return."""

    rma_id: str
    order_id: str | None
    status: str
    complaint_status: str | None
    lines: tuple[dict[str, Any], ...]
    history: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "rma_id": self.rma_id,
            "order_id": self.order_id,
            "status": self.status,
            "complaint_status": self.complaint_status,
            "lines": list(self.lines),
            "history": list(self.history),
        }


def rma_status(session: Session, rma_id: str) -> RmaStatus:
    """The customer-facing status of a return: status, complaint status, lines, history."""
    rma = _get_rma(session, rma_id, lock=False)
    lines = tuple(
        {
            "line_no": ln.line_no,
            "sku_id": ln.sku_id,
            "qty": ln.qty,
            "reason": ln.reason,
            "qty_received": ln.qty_received,
            "condition": ln.condition,
            "disposition": ln.disposition,
        }
        for ln in rma.lines
    )
    history = tuple(
        {
            "at": e.at.isoformat(),
            "type": e.type,
            "status": e.payload.get("status"),
            "complaint_status": e.payload.get("complaint_status"),
            **({"note": e.payload["note"]} if e.payload.get("note") else {}),
        }
        for e in list_events(session, entity_type="rma", entity_id=rma_id)
    )
    return RmaStatus(rma.id, rma.order_id, rma.status, rma.complaint_status, lines, history)


__all__ = [
    "COMPLAINT_STATUSES",
    "CONDITIONS",
    "DISPOSITIONS",
    "ERROR_REASONS",
    "QUARANTINE",
    "RETURNS_DESK",
    "RMA_STATUSES",
    "ReturnLine",
    "RmaStatus",
    "create_rma",
    "dispose_return",
    "inspect_return",
    "receive_return",
    "rma_status",
    "set_complaint_status",
]
