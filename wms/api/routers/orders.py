"""``/v1/orders``: import (one, or a batch), get, list with filters, cancel, pack, ship.

The order's ``reference_id`` (the sales channel's order number) is its natural key: creating an
order whose reference is stored already is a 409 problem, whatever its content (a retry of the
*same request* is answered from the Idempotency-Key store instead). The batch endpoint reports
duplicates per order (``skipped``/``conflict``) instead, so a feed can be replayed safely.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.orm import Session, selectinload

from wms.api.deps import Page, PageDep, ReadSessionDep, SessionDep, paginate
from wms.api.problems import PROBLEM_RESPONSES, ApiProblem, conflict
from wms.api.routers._common import hold_rules, require_row
from wms.api.schemas.orders import (
    OrderBatchIn,
    OrderBatchOut,
    OrderCancelIn,
    OrderImportResultOut,
    OrderIn,
    OrderOut,
    OrderPackIn,
    OrderShipIn,
    TimelineEntryOut,
)
from wms.fulfillment import orders as order_service
from wms.fulfillment import picking
from wms.fulfillment.events import order_timeline
from wms.io.shop_orders import shop_orders_from_records
from wms.store.models import ORDER_STATUSES, Order

router = APIRouter(prefix="/orders", tags=["orders"], responses=PROBLEM_RESPONSES)

#: Orders per transaction of a batch import (a crash loses at most one chunk, never a half order).
BATCH_CHUNK = 500


def _load(session: Session, reference_id: str) -> Order:
    order: Order = require_row(session, Order, reference_id, "order")
    return order


def _duplicate(reference_id: str, status: str | None) -> Exception:
    return conflict(
        f"order {reference_id!r} already exists (status {status}): a reference_id is used "
        "once; GET /v1/orders/{reference_id} shows it"
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderOut,
    summary="Import one order",
)
def create_order(
    body: OrderIn, session: SessionDep, request: Request, response: Response
) -> OrderOut:
    """Store one order, run the hold rules, release and reserve it if nothing holds it.

    409 when an order with this ``reference_id`` exists (natural key).
    """
    incoming = shop_orders_from_records([body.to_record()], source="request body")
    # Refuse a known reference before the import builds its customer index; a create racing
    # this check is caught by the import itself (``skipped``/``conflict`` below).
    existing = session.get(Order, body.reference_id)
    if existing is not None:
        raise _duplicate(body.reference_id, existing.status)
    report = order_service.import_orders(session, incoming, hold_rules(request))
    (result,) = report.orders
    if result.outcome in ("skipped", "conflict"):
        raise _duplicate(body.reference_id, result.status)
    if result.outcome != "imported":
        raise ApiProblem(422, result.message, slug="invalid-orders", title="Invalid orders")
    response.headers["Location"] = f"{request.url.path}/{quote(body.reference_id, safe='')}"
    return OrderOut.of(_load(session, body.reference_id))


@router.post("/batch", response_model=OrderBatchOut, summary="Import many orders at once")
def import_batch(body: OrderBatchIn, session: SessionDep, request: Request) -> OrderBatchOut:
    """Import up to 5,000 orders in one request, committed in chunks of 500.

    Every order gets a result: ``imported`` (with its status and hold rules), ``skipped`` (the
    same order was stored before: replaying a feed is safe), ``conflict`` (the reference is stored
    with other content; the stored order is kept) or ``rejected``. A ``reference_id`` twice in one
    batch is a 422 problem.
    """
    incoming = shop_orders_from_records(
        [o.to_record() for o in body.orders], source="request body: orders"
    )
    report = order_service.import_orders(
        session, incoming, hold_rules(request), chunk_size=BATCH_CHUNK
    )
    counts = report.summary()
    return OrderBatchOut(
        imported=counts["imported"],
        released=counts["released"],
        held=counts["held"],
        skipped=counts["skipped"],
        conflicts=counts["conflicts"],
        rejected=counts["rejected"],
        results=[OrderImportResultOut.of(r) for r in report.orders],
    )


@router.get("", response_model=Page[OrderOut], summary="List orders")
def list_orders(
    session: ReadSessionDep,
    page: PageDep,
    status_: Annotated[
        str | None,
        Query(alias="status", description=f"One of {', '.join(ORDER_STATUSES)}"),
    ] = None,
    channel: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[OrderOut]:
    """Orders in ``reference_id`` order, optionally of one status, channel or customer."""
    if status_ is not None and status_ not in ORDER_STATUSES:
        raise ApiProblem(
            422,
            f"status {status_!r} is not an order status: use one of {', '.join(ORDER_STATUSES)}",
            slug="validation-error",
            title="Validation failed",
        )
    stmt = sa.select(Order).options(selectinload(Order.lines), selectinload(Order.holds))
    if status_ is not None:
        stmt = stmt.where(Order.status == status_)
    if channel is not None:
        stmt = stmt.where(Order.channel == channel)
    if customer_id is not None:
        stmt = stmt.where(Order.customer_id == customer_id)
    rows, cursor = paginate(session, stmt, Order.id, page)
    return Page[OrderOut](items=[OrderOut.of(o) for o in rows], next_cursor=cursor)


@router.get("/{reference_id}", response_model=OrderOut, summary="Get one order")
def get_order(reference_id: str, session: ReadSessionDep) -> OrderOut:
    """The order with its lines and holds; 404 when the reference is unknown."""
    return OrderOut.of(_load(session, reference_id))


@router.get(
    "/{reference_id}/timeline",
    response_model=list[TimelineEntryOut],
    summary="Status timeline of one order",
)
def get_timeline(reference_id: str, session: ReadSessionDep) -> list[TimelineEntryOut]:
    """Every event of the order, oldest first, with the order status after each."""
    _load(session, reference_id)
    return [TimelineEntryOut.of(e) for e in order_timeline(session, reference_id)]


@router.post("/{reference_id}/cancel", response_model=OrderOut, summary="Cancel an order")
def cancel_order(reference_id: str, body: OrderCancelIn, session: SessionDep) -> OrderOut:
    """Cancel an order not yet picked (its reservations, holds and open tasks are released).

    409 when the order is already picked, packed, shipped or cancelled.
    """
    _load(session, reference_id)
    order = order_service.cancel_order(session, reference_id, body.cancelled_by, body.reason)
    return OrderOut.of(order)


@router.post("/{reference_id}/pack", response_model=OrderOut, summary="Pack a picked order")
def pack_order(reference_id: str, body: OrderPackIn, session: SessionDep) -> OrderOut:
    """Status ``picked`` → ``packed``; 409 from any other status."""
    _load(session, reference_id)
    return OrderOut.of(picking.pack_order(session, reference_id, actor=body.packed_by))


@router.post("/{reference_id}/ship", response_model=OrderOut, summary="Ship a packed order")
def ship_order(reference_id: str, body: OrderShipIn, session: SessionDep) -> OrderOut:
    """Status ``packed`` → ``shipped`` (with the carrier's tracking number); 409 otherwise."""
    _load(session, reference_id)
    order = picking.ship_order(session, reference_id, tracking=body.tracking, actor=body.shipped_by)
    return OrderOut.of(order)
