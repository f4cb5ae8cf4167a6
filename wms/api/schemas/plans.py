"""Request and response bodies of ``POST /v1/plans`` (stateless pick-list planning).

The request carries everything the planner needs (orders, SKU master with slotting, a layout and
an optional :class:`~wms.waves.config.PlanConfig`); nothing is read from or written to the
database. The response mirrors :meth:`wms.model.Plan.to_dict`: waves of pick lists whose stops
come in walking order, tote assignments, totals, and the orders that could not be planned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from wms.api.schemas._types import ApiIn
from wms.model import Order, OrderLine, Sku
from wms.waves.config import PlanConfig

#: Largest number of orders / SKUs in one planning request.
MAX_PLAN_ORDERS = 20_000
MAX_PLAN_SKUS = 100_000
MAX_ORDER_LINES = 1_000
#: Largest batching time budget a request may ask for (seconds).
MAX_PLAN_TIME_S = 60.0

_Id = Field(min_length=1, max_length=64)


class PlanLineIn(ApiIn):
    """One order line: ``qty`` units of SKU ``sku_id``."""

    sku_id: str = Field(min_length=1, max_length=64, examples=["S1"])
    qty: int = Field(gt=0, le=1_000_000, examples=[2])


class PlanOrderIn(ApiIn):
    """An order to plan."""

    order_id: str = Field(min_length=1, max_length=64, examples=["A-1"])
    lines: list[PlanLineIn] = Field(min_length=1, max_length=MAX_ORDER_LINES)
    channel: str = Field(default="default", min_length=1, max_length=64)
    priority: int = Field(
        default=0, ge=-1_000_000, le=1_000_000, description="Larger is more urgent"
    )
    cutoff: datetime | None = Field(
        default=None, description="Ship-by time (ISO 8601, with time zone)"
    )
    carrier: str | None = Field(default=None, min_length=1, max_length=64)

    def to_domain(self) -> Order:
        """The domain order."""
        return Order(
            order_id=self.order_id,
            lines=tuple(OrderLine(ln.sku_id, ln.qty) for ln in self.lines),
            channel=self.channel,
            priority=self.priority,
            cutoff=self.cutoff,
            carrier=self.carrier,
        )


class PlanSkuIn(ApiIn):
    """A SKU of the catalogue with its slotting (the first location is the pick face)."""

    sku_id: str = Field(min_length=1, max_length=64, examples=["S1"])
    weight_kg: float = Field(ge=0, le=100_000, allow_inf_nan=False, examples=[0.4])
    volume_l: float = Field(ge=0, le=100_000, allow_inf_nan=False, examples=[1.2])
    handling_class: str = Field(default="normal", min_length=1, max_length=32)
    locations: list[str] = Field(default_factory=list, max_length=100, examples=[["A01-01"]])
    velocity_class: str | None = Field(default=None, min_length=1, max_length=8)

    def to_domain(self) -> Sku:
        """The domain SKU."""
        return Sku(
            sku_id=self.sku_id,
            weight_kg=self.weight_kg,
            volume_l=self.volume_l,
            handling_class=self.handling_class,
            locations=tuple(self.locations),
            velocity_class=self.velocity_class,
        )


class PlanIn(ApiIn):
    """Orders, SKUs, a layout (shipped id or inline document) and an optional configuration."""

    orders: list[PlanOrderIn] = Field(min_length=1, max_length=MAX_PLAN_ORDERS)
    skus: list[PlanSkuIn] = Field(min_length=1, max_length=MAX_PLAN_SKUS)
    layout_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="A shipped layout (file name of layouts/ without .yaml); or give `layout`",
        examples=["small-single-block"],
    )
    layout: dict[str, Any] | None = Field(
        default=None,
        description="An inline layout document in the layout file format (YAML as JSON)",
    )
    config: PlanConfig | None = Field(
        default=None,
        description="Planning configuration: strategy, routing, devices, split rules, ...",
    )
    now: datetime | None = Field(
        default=None, description="Release time of on-demand waves (default: now)"
    )


# -- responses ------------------------------------------------------------------------------------


class PlanStopOut(BaseModel):
    """One stop of a pick list, in walking order."""

    sequence: int = Field(description="Position in the walk, 1 for the first stop")
    location_id: str
    sku_id: str
    quantity: int
    order_id: str
    line: int = Field(description="Index (0-based) of the order line")
    tote: int | None = Field(description="Cart tote (1-based), null with one shared container")
    x_m: float
    y_m: float


class PlanPickListOut(BaseModel):
    """One picker tour: totals and stops in walking order."""

    list_id: str
    wave_id: str
    strategy: str = Field(description="batch, cart or singles")
    zone: str | None
    handling_class: str | None
    device: str
    units: int
    lines: int
    orders: list[str]
    weight_kg: float
    volume_l: float
    route_length_m: float
    estimated_duration_s: float
    routing: str
    start: str | None
    end: str | None
    totes: dict[str, str] = Field(description="Tote number → order id (cart lists)")
    stops: list[PlanStopOut]


class WavePlanOut(BaseModel):
    """A wave: orders released together and their pick lists."""

    wave_id: str
    release_at: datetime | None
    key: dict[str, str] = Field(description="Release key, e.g. {'cutoff': ..., 'carrier': ...}")
    order_ids: list[str]
    pick_lists: list[PlanPickListOut]


class UnassignedOut(BaseModel):
    """An order the plan could not put on a pick list, and why."""

    order_id: str
    reason: str = Field(description="Short code, e.g. unknown_sku, order_too_large")
    message: str
    wave_id: str | None
    sku_id: str | None
    quantity: int | None


class PlanTotalsOut(BaseModel):
    """Plan-wide totals."""

    waves: int
    pick_lists: int
    orders: int
    unassigned_orders: int
    units: int
    lines: int
    weight_kg: float
    volume_l: float
    route_length_m: float
    estimated_duration_s: float


class PlanOut(BaseModel):
    """The plan: totals, waves with pick lists, unassigned orders."""

    totals: PlanTotalsOut
    waves: list[WavePlanOut]
    unassigned: list[UnassignedOut]


__all__ = [
    "MAX_PLAN_ORDERS",
    "MAX_PLAN_SKUS",
    "MAX_PLAN_TIME_S",
    "PlanIn",
    "PlanLineIn",
    "PlanOrderIn",
    "PlanOut",
    "PlanPickListOut",
    "PlanSkuIn",
    "PlanStopOut",
    "PlanTotalsOut",
    "UnassignedOut",
    "WavePlanOut",
]
