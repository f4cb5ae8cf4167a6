"""``/v1/waves``: plan released orders into waves of pick lists on a shipped layout.

The core planner (:func:`wms.fulfillment.picking.create_wave`) batches the released orders, routes
every pick list and stores the tasks in walking order. A wave is released to the floor when it is
created (the ``wave.released`` event is sent then); ``POST /v1/waves/{id}/release`` confirms that
state and is safe to repeat.
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query, status
from sqlalchemy.orm import selectinload

from wms.api.deps import Page, PageDep, ReadSessionDep, SessionDep, paginate
from wms.api.layouts import layout_by_id
from wms.api.problems import PROBLEM_RESPONSES, conflict
from wms.api.routers._common import require_row
from wms.api.schemas._types import RowId
from wms.api.schemas.waves import WaveCreatedOut, WaveCreateIn, WaveOut
from wms.fulfillment import picking
from wms.store.models import Wave

router = APIRouter(prefix="/waves", tags=["waves"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WaveCreatedOut,
    summary="Plan released orders into waves",
)
def create_wave(body: WaveCreateIn, session: SessionDep) -> WaveCreatedOut:
    """Plan pick lists for the released orders (or the listed ones) and release them.

    Orders the planner cannot place are listed in ``unassigned`` and stay ``released``; with no
    released order the answer lists nothing.
    """
    layout = layout_by_id(body.layout_id)
    result = picking.create_wave(session, layout, order_ids=body.order_ids, actor=body.created_by)
    return WaveCreatedOut.of(result)


@router.get("", response_model=Page[WaveOut], summary="List waves")
def list_waves(
    session: ReadSessionDep,
    page: PageDep,
    status_: Annotated[str | None, Query(alias="status", max_length=16)] = None,
) -> Page[WaveOut]:
    """Waves by id (oldest first)."""
    stmt = sa.select(Wave).options(selectinload(Wave.pick_lists))
    if status_ is not None:
        stmt = stmt.where(Wave.status == status_)
    rows, cursor = paginate(session, stmt, Wave.id, page)
    return Page[WaveOut](items=[WaveOut.of(w) for w in rows], next_cursor=cursor)


@router.get("/{wave_id}", response_model=WaveOut, summary="Get one wave")
def get_wave(wave_id: RowId, session: ReadSessionDep) -> WaveOut:
    """One wave with its pick-list ids; 404 when unknown."""
    wave: Wave = require_row(session, Wave, wave_id, "wave")
    return WaveOut.of(wave)


@router.post("/{wave_id}/release", response_model=WaveOut, summary="Release a wave")
def release_wave(wave_id: RowId, session: SessionDep) -> WaveOut:
    """Release a wave to the floor. Waves are released when planned, so this confirms the state
    (safe to repeat); 409 for a wave in any other state."""
    wave: Wave = require_row(session, Wave, wave_id, "wave")
    if wave.status != "released":
        raise conflict(f"wave {wave_id} is {wave.status}: only planned waves can be released")
    return WaveOut.of(wave)
