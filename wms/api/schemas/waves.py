"""Request and response bodies of ``/v1/waves``: planning released orders into pick lists."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from wms.api.schemas._types import ApiIn
from wms.fulfillment.picking import WaveResult
from wms.store.models import Wave

__all__ = ["UnassignedOrderOut", "WaveCreateIn", "WaveCreatedOut", "WaveOut"]


class WaveCreateIn(ApiIn):
    """Plan the released orders (all, or the listed ones) on a shipped layout."""

    layout_id: str = Field(
        min_length=1,
        max_length=128,
        description="A shipped layout: a file name of layouts/ without .yaml",
        examples=["small-single-block"],
    )
    order_ids: list[str] | None = Field(
        None, max_length=10_000, description="Only these released orders (default: all)"
    )
    created_by: str | None = Field(default=None, max_length=64, description="Who plans the wave")


class UnassignedOrderOut(BaseModel):
    """A released order the planner could not put on a pick list (it stays ``released``)."""

    order_id: str
    reason: str


class WaveCreatedOut(BaseModel):
    """What planning stored: waves (released to the floor at once), pick lists, waved orders."""

    wave_ids: list[int]
    pick_list_ids: list[int]
    order_ids: list[str]
    unassigned: list[UnassignedOrderOut]
    route_length_m: float

    @classmethod
    def of(cls, result: WaveResult) -> WaveCreatedOut:
        """From the service result."""
        return cls(
            wave_ids=list(result.wave_ids),
            pick_list_ids=list(result.pick_list_ids),
            order_ids=list(result.order_ids),
            unassigned=[UnassignedOrderOut(order_id=o, reason=r) for o, r in result.unassigned],
            route_length_m=round(result.route_length_m, 3),
        )


class WaveOut(BaseModel):
    """A wave and its pick lists."""

    id: int
    label: str | None
    status: str
    created_at: datetime
    pick_list_ids: list[int]
    route_length_m: float

    @classmethod
    def of(cls, wave: Wave) -> WaveOut:
        """From the store row (pick lists loaded)."""
        return cls(
            id=wave.id,
            label=wave.label,
            status=wave.status,
            created_at=wave.created_at,
            pick_list_ids=[pl.id for pl in wave.pick_lists],
            route_length_m=round(sum(pl.route_length_m or 0.0 for pl in wave.pick_lists), 3),
        )
