"""``/v1/events``: the status event log, filtered and paginated (oldest first, by id).

The same events drive the webhooks (:mod:`wms.api.webhooks`); polling this list with the last
``next_cursor`` is the pull alternative to subscribing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query

from wms.api.deps import Page, PageDep, ReadSessionDep, paginate
from wms.api.problems import PROBLEM_RESPONSES, ApiProblem, ProblemError
from wms.api.schemas.events import EventOut
from wms.store.models import Event

router = APIRouter(prefix="/events", tags=["events"], responses=PROBLEM_RESPONSES)


def _aware(name: str, value: datetime | None) -> datetime | None:
    """The time in UTC; a 422 problem when it has no zone or no UTC equivalent."""
    if value is None:
        return None
    problem = None
    if value.utcoffset() is None:
        problem = "time zone missing"
        detail = f"{name} {value.isoformat()} has no time zone: add Z or an offset such as +01:00"
    else:
        try:
            return value.astimezone(UTC)
        except OverflowError:
            problem = "out of range"
            detail = f"{name} {value.isoformat()} is outside the range of UTC times"
    raise ApiProblem(
        422,
        detail,
        slug="validation-error",
        title="Validation failed",
        errors=[ProblemError(pointer=None, parameter=name, detail=problem)],
    )


@router.get("", response_model=Page[EventOut], summary="List events")
def list_events(
    session: ReadSessionDep,
    page: PageDep,
    type_: Annotated[
        str | None, Query(alias="type", max_length=64, description="Exact type: order.held")
    ] = None,
    type_prefix: Annotated[
        str | None, Query(max_length=64, description="Type prefix: order.")
    ] = None,
    entity_type: Annotated[str | None, Query(max_length=32)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[datetime | None, Query(description="Events at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="Events before (ISO 8601)")] = None,
) -> Page[EventOut]:
    """Events matching every filter, in id order (the order they were recorded)."""
    since = _aware("since", since)
    until = _aware("until", until)
    stmt = sa.select(Event)
    if type_ is not None:
        stmt = stmt.where(Event.type == type_)
    if type_prefix is not None:
        stmt = stmt.where(Event.type.startswith(type_prefix, autoescape=True))
    if entity_type is not None:
        stmt = stmt.where(Event.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(Event.entity_id == entity_id)
    if order_id is not None:
        stmt = stmt.where(Event.order_id == order_id)
    if since is not None:
        stmt = stmt.where(Event.at >= since)
    if until is not None:
        stmt = stmt.where(Event.at < until)
    rows, cursor = paginate(session, stmt, Event.id, page)
    return Page[EventOut](items=[EventOut.of(e) for e in rows], next_cursor=cursor)
