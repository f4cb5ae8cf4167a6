"""``/v1/returns``: return authorisation (RMA), receiving, inspection, disposition, status.

Statuses: ``authorised`` → ``received`` → ``inspected`` → ``completed`` (every received line
disposed; ``return.completed`` is sent, and the order becomes ``returned`` once every shipped unit
is back, else ``order.partially_returned`` is sent). A step out of turn is a 409 problem; a bad
value (unknown SKU or line, more units than shipped) is a 422 problem.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response, status
from sqlalchemy.orm import Session

from wms.api.deps import ReadSessionDep, SessionDep
from wms.api.problems import PROBLEM_RESPONSES, conflict
from wms.api.routers._common import require_row
from wms.api.schemas.returns import (
    ReturnCreateIn,
    ReturnDisposeIn,
    ReturnInspectIn,
    ReturnOut,
    ReturnReceiveIn,
)
from wms.fulfillment import returns as return_service
from wms.store.models import Rma

router = APIRouter(prefix="/returns", tags=["returns"], responses=PROBLEM_RESPONSES)


def _rma(session: Session, rma_id: str) -> Rma:
    rma: Rma = require_row(session, Rma, rma_id, "return")
    return rma


def _out(session: Session, rma_id: str) -> ReturnOut:
    return ReturnOut.of(return_service.rma_status(session, rma_id))


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ReturnOut, summary="Authorise a return"
)
def create_return(
    body: ReturnCreateIn, session: SessionDep, request: Request, response: Response
) -> ReturnOut:
    """Authorise a return of units an order shipped; 409 when the ``rma_id`` exists already."""
    if session.get(Rma, body.rma_id) is not None:
        raise conflict(f"return {body.rma_id!r} already exists: use a new RMA number")
    return_service.create_rma(
        session,
        body.rma_id,
        [return_service.ReturnLine(ln.sku_id, ln.qty, ln.reason) for ln in body.lines],
        order_id=body.order_id,
        customer_id=body.customer_id,
        complaint=body.complaint,
    )
    response.headers["Location"] = f"{request.url.path}/{quote(body.rma_id, safe='')}"
    return _out(session, body.rma_id)


@router.get("/{rma_id}", response_model=ReturnOut, summary="Status of a return")
def get_return(rma_id: str, session: ReadSessionDep) -> ReturnOut:
    """The customer-facing status with lines and history; 404 when unknown."""
    _rma(session, rma_id)
    return _out(session, rma_id)


@router.post("/{rma_id}/receive", response_model=ReturnOut, summary="Receive a return")
def receive_return(rma_id: str, body: ReturnReceiveIn, session: SessionDep) -> ReturnOut:
    """Book the units that came back into the returns desk; 409 unless ``authorised``."""
    rma = _rma(session, rma_id)
    if rma.status != "authorised":
        raise conflict(f"return {rma_id!r} is {rma.status}: only authorised returns are received")
    received = None if body.lines is None else {ln.line_no: ln.qty_received for ln in body.lines}
    return_service.receive_return(
        session,
        rma_id,
        received,
        location_id=body.location_id or return_service.RETURNS_DESK,
        actor=body.received_by,
    )
    return _out(session, rma_id)


@router.post("/{rma_id}/inspect", response_model=ReturnOut, summary="Inspect a return")
def inspect_return(rma_id: str, body: ReturnInspectIn, session: SessionDep) -> ReturnOut:
    """Record the condition of received lines; 409 before the return is received."""
    rma = _rma(session, rma_id)
    if rma.status not in ("received", "inspected"):
        raise conflict(f"return {rma_id!r} is {rma.status}: receive it before inspecting")
    return_service.inspect_return(
        session,
        rma_id,
        {ln.line_no: ln.condition for ln in body.lines},
        actor=body.inspected_by,
    )
    return _out(session, rma_id)


@router.post("/{rma_id}/dispose", response_model=ReturnOut, summary="Dispose of a return line")
def dispose_return(rma_id: str, body: ReturnDisposeIn, session: SessionDep) -> ReturnOut:
    """Restock, quarantine or scrap one inspected line; the return completes with its last line.

    409 when the return is not inspected yet or the line was disposed before.
    """
    rma = _rma(session, rma_id)
    if rma.status not in ("received", "inspected"):
        raise conflict(f"return {rma_id!r} is {rma.status}: inspect it before disposing")
    line = next((ln for ln in rma.lines if ln.line_no == body.line_no), None)
    if line is not None and line.disposition is not None:
        raise conflict(
            f"return {rma_id!r} line {body.line_no} is already disposed ({line.disposition})"
        )
    return_service.dispose_return(
        session,
        rma_id,
        body.line_no,
        body.disposition,
        location_id=body.location_id,
        actor=body.disposed_by,
    )
    return _out(session, rma_id)
