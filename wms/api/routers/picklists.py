"""``/v1/picklists``: pick lists with their tasks in walking order, and confirming picks.

A confirmation with fewer units than the task asked for is a short pick: the missing units are
reallocated from another location (a new task on the same list, listed in
``reallocated_task_ids``) or, when no stock is left, the order goes on a ``stock_shortage`` hold.
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query
from sqlalchemy.orm import selectinload

from wms.api.deps import Page, PageDep, ReadSessionDep, SessionDep, paginate
from wms.api.problems import PROBLEM_RESPONSES, not_found
from wms.api.routers._common import require_row
from wms.api.schemas._types import MAX_ROW_ID, RowId
from wms.api.schemas.picklists import PickConfirmIn, PickListOut, PickResultOut
from wms.fulfillment import picking
from wms.store.models import PickList, PickTask

router = APIRouter(prefix="/picklists", tags=["picklists"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[PickListOut], summary="List pick lists")
def list_pick_lists(
    session: ReadSessionDep,
    page: PageDep,
    wave_id: Annotated[
        int | None, Query(ge=1, le=MAX_ROW_ID, description="Only this wave's lists")
    ] = None,
    status_: Annotated[
        str | None, Query(alias="status", max_length=16, description="open or completed")
    ] = None,
) -> Page[PickListOut]:
    """Pick lists by id, each with its tasks in walking order."""
    stmt = sa.select(PickList).options(selectinload(PickList.tasks))
    if wave_id is not None:
        stmt = stmt.where(PickList.wave_id == wave_id)
    if status_ is not None:
        stmt = stmt.where(PickList.status == status_)
    rows, cursor = paginate(session, stmt, PickList.id, page)
    return Page[PickListOut](items=[PickListOut.of(p) for p in rows], next_cursor=cursor)


@router.get("/{pick_list_id}", response_model=PickListOut, summary="Get one pick list")
def get_pick_list(pick_list_id: RowId, session: ReadSessionDep) -> PickListOut:
    """The pick list with every task (any status) in walking order; 404 when unknown."""
    pick_list: PickList = require_row(session, PickList, pick_list_id, "pick list")
    return PickListOut.of(pick_list)


@router.post(
    "/{pick_list_id}/tasks/{task_id}/confirm",
    response_model=PickResultOut,
    summary="Confirm a pick (short picks included)",
)
def confirm_pick(
    pick_list_id: RowId, task_id: RowId, body: PickConfirmIn, session: SessionDep
) -> PickResultOut:
    """Book the units the picker took; 409 when the task is not open or the quantity exceeds it."""
    require_row(session, PickList, pick_list_id, "pick list")
    task = session.get(PickTask, task_id)
    if task is None or task.pick_list_id != pick_list_id:
        raise not_found(f"task of pick list {pick_list_id}", task_id)
    result = picking.confirm_pick(
        session,
        task_id,
        body.qty_picked,
        actor=body.picked_by,
        missing_at_location=body.missing_at_location,
    )
    return PickResultOut.of(result)
