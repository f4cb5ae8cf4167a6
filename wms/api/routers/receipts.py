"""``/v1/receipts``: announce a delivery (ASN), record the count, put the units away.

Flow: ``POST /v1/receipts`` (status ``expected``) → ``POST /v1/receipts/{id}/receive`` with the
counted quantities (good units to the dock, damaged or rejected ones to quarantine, discrepancies
reported) → ``GET /v1/receipts/{id}/putaway-suggestions`` → ``POST /v1/receipts/{id}/putaway``
(the receipt is ``closed`` once everything is stored).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.orm import Session, selectinload

from wms.api.deps import Page, PageDep, ReadSessionDep, SessionDep, paginate
from wms.api.problems import PROBLEM_RESPONSES, ApiProblem, ProblemError, conflict
from wms.api.routers._common import require_row
from wms.api.schemas.receipts import (
    PutawayConfirmIn,
    PutawayDoneOut,
    PutawaySuggestionOut,
    ReceiptIn,
    ReceiptOut,
    ReceiveIn,
    ReceiveOut,
)
from wms.fulfillment import receiving
from wms.store.models import Receipt

router = APIRouter(prefix="/receipts", tags=["receipts"], responses=PROBLEM_RESPONSES)


def _receipt(session: Session, receipt_id: str) -> Receipt:
    receipt: Receipt = require_row(session, Receipt, receipt_id, "receipt")
    return receipt


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReceiptOut,
    summary="Announce a delivery (ASN)",
)
def create_receipt(
    body: ReceiptIn, session: SessionDep, request: Request, response: Response
) -> ReceiptOut:
    """Store an ASN as a receipt ``expected``; 409 when the ``receipt_id`` exists already."""
    if session.get(Receipt, body.receipt_id) is not None:
        raise conflict(
            f"receipt {body.receipt_id!r} already exists: use a new ASN id for a new delivery"
        )
    numbers = [ln.line_no if ln.line_no is not None else i for i, ln in enumerate(body.lines, 1)]
    seen: set[int] = set()
    for i, number in enumerate(numbers):
        if number in seen:
            raise ApiProblem(
                422,
                f"line_no {number} appears twice in receipt {body.receipt_id!r}",
                slug="validation-error",
                title="Validation failed",
                errors=[
                    ProblemError(
                        pointer=f"/lines/{i}/line_no", parameter=None, detail="duplicate line_no"
                    )
                ],
            )
        seen.add(number)
    asn = receiving.Asn(
        id=body.receipt_id,
        supplier=body.supplier,
        expected_at=body.expected_at,
        lines=tuple(
            receiving.AsnLine(n, ln.sku_id, ln.qty_expected, ln.description)
            for n, ln in zip(numbers, body.lines, strict=True)
        ),
    )
    receipt = receiving.import_asn(session, asn, create_missing_skus=body.create_missing_skus)
    response.headers["Location"] = f"{request.url.path}/{quote(body.receipt_id, safe='')}"
    return ReceiptOut.of(receipt)


@router.get("", response_model=Page[ReceiptOut], summary="List receipts")
def list_receipts(
    session: ReadSessionDep,
    page: PageDep,
    status_: Annotated[str | None, Query(alias="status", max_length=16)] = None,
) -> Page[ReceiptOut]:
    """Receipts by id, optionally of one status (``expected``, ``received``, ``closed``)."""
    stmt = sa.select(Receipt).options(selectinload(Receipt.lines))
    if status_ is not None:
        stmt = stmt.where(Receipt.status == status_)
    rows, cursor = paginate(session, stmt, Receipt.id, page)
    return Page[ReceiptOut](items=[ReceiptOut.of(r) for r in rows], next_cursor=cursor)


@router.get("/{receipt_id}", response_model=ReceiptOut, summary="Get one receipt")
def get_receipt(receipt_id: str, session: ReadSessionDep) -> ReceiptOut:
    """The receipt with its lines, counts and discrepancies; 404 when unknown."""
    return ReceiptOut.of(_receipt(session, receipt_id))


@router.post("/{receipt_id}/receive", response_model=ReceiveOut, summary="Record the count")
def receive_receipt(receipt_id: str, body: ReceiveIn, session: SessionDep) -> ReceiveOut:
    """Record counted quantities and bring the units in; 409 when already received."""
    receipt = _receipt(session, receipt_id)
    if receipt.status != "expected":
        raise conflict(
            f"receipt {receipt_id!r} is already {receipt.status}: a delivery is counted once"
        )
    counts = [
        receiving.LineCount(
            sku_id=c.sku_id,
            qty_received=c.qty_received,
            qty_damaged=c.qty_damaged,
            quality_status=c.quality_status,
            line_no=c.line_no,
        )
        for c in body.counts
    ]
    result = receiving.receive_receipt(session, receipt_id, counts, actor=body.received_by)
    return ReceiveOut.of(result)


@router.get(
    "/{receipt_id}/putaway-suggestions",
    response_model=list[PutawaySuggestionOut],
    summary="Suggest storage locations",
)
def putaway_suggestions(receipt_id: str, session: SessionDep) -> list[PutawaySuggestionOut]:
    """Where the receipt's units waiting at the dock should go (class-based slotting)."""
    _receipt(session, receipt_id)
    return [PutawaySuggestionOut.of(s) for s in receiving.suggest_putaway(session, receipt_id)]


@router.post("/{receipt_id}/putaway", response_model=PutawayDoneOut, summary="Confirm putaway")
def confirm_putaway(receipt_id: str, body: PutawayConfirmIn, session: SessionDep) -> PutawayDoneOut:
    """Perform the moves (all or nothing); without ``moves``, the current suggestion.

    409 when the receipt is not received yet, or a move is impossible (stock, capacity).
    """
    receipt = _receipt(session, receipt_id)
    if receipt.status != "received":
        raise conflict(
            f"receipt {receipt_id!r} is {receipt.status}: only a received delivery is put away"
        )
    moves: list[receiving.PutawayMove | receiving.PutawaySuggestion]
    if body.moves is None:
        moves = list(receiving.suggest_putaway(session, receipt_id))
    else:
        dock = receipt.dock_location_id or receiving.DOCK
        moves = [
            receiving.PutawayMove(
                sku_id=m.sku_id,
                to_location_id=m.to_location_id,
                qty=m.qty,
                from_location_id=dock,
                receipt_id=receipt_id,
            )
            for m in body.moves
        ]
    rows = receiving.confirm_putaway(session, moves, actor=body.put_away_by)
    session.refresh(receipt)
    return PutawayDoneOut(
        moved_units=sum(r.qty for r in rows), moves=len(rows), receipt=ReceiptOut.of(receipt)
    )
