"""Request and response bodies of ``/v1/picklists``: pick lists in walking order, pick confirmation."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from wms.api.schemas._types import ApiIn
from wms.fulfillment.picking import PickResult
from wms.store.models import PickList, PickTask

__all__ = ["PickConfirmIn", "PickListOut", "PickResultOut", "PickTaskOut"]


class PickTaskOut(BaseModel):
    """One stop: take ``qty`` units of ``sku_id`` at ``location_id`` for an order line."""

    id: int
    seq: int
    order_id: str
    line_no: int
    sku_id: str
    location_id: str
    qty: int
    qty_picked: int
    status: str
    tote: str | None

    @classmethod
    def of(cls, task: PickTask) -> PickTaskOut:
        """From the store row."""
        return cls(
            id=task.id,
            seq=task.seq,
            order_id=task.order_id,
            line_no=task.line_no,
            sku_id=task.sku_id,
            location_id=task.location_id,
            qty=task.qty,
            qty_picked=task.qty_picked or 0,
            status=task.status,
            tote=task.tote,
        )


class PickListOut(BaseModel):
    """A picker tour: its tasks in walking order (``seq``), planned length in metres."""

    id: int
    wave_id: int | None
    status: str
    strategy: str | None
    route_length_m: float | None
    created_at: datetime
    completed_at: datetime | None
    tasks: list[PickTaskOut]

    @classmethod
    def of(cls, pick_list: PickList) -> PickListOut:
        """From the store row (tasks loaded, ordered by ``seq``)."""
        return cls(
            id=pick_list.id,
            wave_id=pick_list.wave_id,
            status=pick_list.status,
            strategy=pick_list.strategy,
            route_length_m=pick_list.route_length_m,
            created_at=pick_list.created_at,
            completed_at=pick_list.completed_at,
            tasks=[PickTaskOut.of(t) for t in sorted(pick_list.tasks, key=lambda t: (t.seq, t.id))],
        )


class PickConfirmIn(ApiIn):
    """What the picker took; fewer units than the task's ``qty`` is a short pick."""

    qty_picked: int = Field(ge=0, le=1_000_000, description="Units actually taken")
    picked_by: str | None = Field(default=None, max_length=64)
    missing_at_location: bool = Field(
        True,
        description="On a short pick, book the missing units out of the location (they are not "
        "there); false: they are there but could not be taken",
    )


class PickResultOut(BaseModel):
    """Outcome of a confirmation: short units, reallocation tasks or a new hold, order status."""

    task_id: int
    qty_picked: int
    short_qty: int
    order_status: str
    reallocated_task_ids: list[int]
    hold_id: int | None
    pick_list_completed: bool
    adjusted_qty: int

    @classmethod
    def of(cls, result: PickResult) -> PickResultOut:
        """From the service result."""
        return cls(
            task_id=result.task_id,
            qty_picked=result.qty_picked,
            short_qty=result.short_qty,
            order_status=result.order_status,
            reallocated_task_ids=list(result.reallocated_task_ids),
            hold_id=result.hold_id,
            pick_list_completed=result.pick_list_completed,
            adjusted_qty=result.adjusted_qty,
        )
