"""``/v1/holds``: the verification holds consultants work through, and releasing one.

An order can carry several holds; each is released on its own with who and why. Releasing the
last open hold releases the order and reserves its stock (or, if the stock went meanwhile, adds a
new ``stock_shortage`` hold, listed in ``new_holds``).
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request

from wms.api.deps import Page, PageDep, ReadSessionDep, SessionDep, paginate
from wms.api.problems import PROBLEM_RESPONSES
from wms.api.routers._common import hold_rules, require_row
from wms.api.schemas._types import RowId
from wms.api.schemas.orders import HoldOut, HoldReleaseIn, HoldReleaseOut
from wms.fulfillment import orders as order_service
from wms.store.models import Hold

router = APIRouter(prefix="/holds", tags=["holds"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[HoldOut], summary="List holds")
def list_holds(
    session: ReadSessionDep,
    page: PageDep,
    rule: Annotated[str | None, Query(max_length=64, description="Only this rule")] = None,
    order_id: Annotated[str | None, Query(max_length=64, description="Only this order")] = None,
    include_released: Annotated[
        bool, Query(description="Also released holds (default: open ones only)")
    ] = False,
) -> Page[HoldOut]:
    """Holds oldest first (by id), open ones unless ``include_released``."""
    stmt = sa.select(Hold)
    if rule is not None:
        stmt = stmt.where(Hold.rule == rule)
    if order_id is not None:
        stmt = stmt.where(Hold.order_id == order_id)
    if not include_released:
        stmt = stmt.where(Hold.released_at.is_(None))
    rows, cursor = paginate(session, stmt, Hold.id, page)
    return Page[HoldOut](items=[HoldOut.of(h) for h in rows], next_cursor=cursor)


@router.get("/{hold_id}", response_model=HoldOut, summary="Get one hold")
def get_hold(hold_id: RowId, session: ReadSessionDep) -> HoldOut:
    """One hold; 404 when unknown."""
    hold: Hold = require_row(session, Hold, hold_id, "hold")
    return HoldOut.of(hold)


@router.post("/{hold_id}/release", response_model=HoldReleaseOut, summary="Release a hold")
def release_hold(
    hold_id: RowId, body: HoldReleaseIn, session: SessionDep, request: Request
) -> HoldReleaseOut:
    """Release one hold with who and why.

    409 when the hold was released before, its order is cancelled or shipped, or (for a
    ``stock_shortage`` hold) the stock is still short.
    """
    require_row(session, Hold, hold_id, "hold")
    result = order_service.release_hold(
        session, hold_id, body.released_by, body.reason, config=hold_rules(request)
    )
    return HoldReleaseOut.of(result)
