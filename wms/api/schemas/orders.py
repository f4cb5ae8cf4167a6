"""Request and response bodies of ``/v1/orders`` and ``/v1/holds``: orders, holds, imports.

``*In`` models validate what integrators send (unknown fields are errors, so a typo is a 422 with
a pointer, not silently dropped); ``*Out`` models are what the API answers. Both are separate from
the domain objects (:class:`wms.fulfillment.intake.IncomingOrder`, the store rows) and converted at
the edge. Money is ``value`` in ``currency`` (ISO 4217); quantities are whole units.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from wms.api.schemas._types import ApiIn, UtcDatetime
from wms.fulfillment.events import TimelineEntry
from wms.fulfillment.orders import HoldRecord, ImportedOrder, ReleaseResult
from wms.store.models import Hold, Order

__all__ = [
    "MAX_BATCH_ORDERS",
    "AddressIn",
    "CustomerIn",
    "HoldOut",
    "HoldReleaseIn",
    "HoldReleaseOut",
    "OrderBatchIn",
    "OrderBatchOut",
    "OrderCancelIn",
    "OrderImportResultOut",
    "OrderIn",
    "OrderLineIn",
    "OrderLineOut",
    "OrderOut",
    "OrderPackIn",
    "OrderShipIn",
    "TimelineEntryOut",
]

#: Most orders one batch request may carry (larger feeds: several requests).
MAX_BATCH_ORDERS = 5000
#: Most lines one order may have.
MAX_ORDER_LINES = 1000

Outcome = Literal["imported", "skipped", "conflict", "rejected"]


class CustomerIn(ApiIn):
    """The buyer as the sales channel knows them (any field may be missing: a content hold)."""

    name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=64)


class AddressIn(ApiIn):
    """Ship-to address; ``country`` is ISO 3166 alpha-2 (``"PL"``)."""

    street: str | None = Field(default=None, max_length=255)
    city: str | None = Field(default=None, max_length=128)
    postal_code: str | None = Field(default=None, max_length=32)
    country: str | None = Field(default=None, max_length=2)


class OrderLineIn(ApiIn):
    """One order line: ``qty`` units of ``sku_id`` (an unknown SKU puts the order on hold)."""

    sku_id: str = Field(min_length=1, max_length=64, examples=["S1"])
    qty: int = Field(gt=0, le=1_000_000, examples=[2])


class OrderIn(ApiIn):
    """One order of a sales channel; ``reference_id`` is its natural key (unique)."""

    reference_id: str = Field(min_length=1, max_length=64, examples=["SHOP-1001"])
    channel: str | None = Field(default=None, max_length=64, examples=["shop"])
    customer: CustomerIn = CustomerIn()
    address: AddressIn = AddressIn()
    payment_method: str | None = Field(default=None, max_length=32, examples=["card"])
    payment_status: str | None = Field(default=None, max_length=32, examples=["paid"])
    carrier: str | None = Field(default=None, max_length=64, examples=["DPD"])
    value: Decimal | None = Field(
        None, ge=0, le=Decimal("999999999999.99"), allow_inf_nan=False, examples=["129.90"]
    )
    currency: str | None = Field(default=None, min_length=3, max_length=3, examples=["PLN"])
    comment: str | None = Field(default=None, max_length=4000)
    created_at: UtcDatetime | None = None
    cutoff: UtcDatetime | None = None
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_ORDER_LINES)

    def to_record(self) -> dict[str, Any]:
        """The order as a record of the shop-order JSON format (:mod:`wms.io.shop_orders`)."""
        data = self.model_dump(exclude={"lines"}, exclude_none=True)
        data["lines"] = [{"sku": ln.sku_id, "qty": ln.qty} for ln in self.lines]
        return data


class OrderBatchIn(ApiIn):
    """Many orders in one request (the fast import path)."""

    orders: list[OrderIn] = Field(min_length=1, max_length=MAX_BATCH_ORDERS)


class OrderCancelIn(ApiIn):
    """Who cancels an order and why."""

    cancelled_by: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


class OrderPackIn(ApiIn):
    """Who packed the order."""

    packed_by: str | None = Field(default=None, max_length=64)


class OrderShipIn(ApiIn):
    """The carrier's tracking number and who handed the parcel over."""

    tracking: str | None = Field(default=None, max_length=128)
    shipped_by: str | None = Field(default=None, max_length=64)


class HoldReleaseIn(ApiIn):
    """Who releases a hold and why (both required: the audit trail)."""

    released_by: str = Field(min_length=1, max_length=64, examples=["anna"])
    reason: str = Field(min_length=1, max_length=2000, examples=["customer confirmed by phone"])


# -- responses ------------------------------------------------------------------------------------


class HoldOut(BaseModel):
    """A verification hold; ``released_at`` is null while it is open."""

    id: int
    order_id: str
    rule: str
    detail: str
    created_at: datetime
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None

    @classmethod
    def of(cls, hold: HoldRecord | Hold) -> HoldOut:
        """From a service record or a store row."""
        return cls(
            id=hold.id,
            order_id=hold.order_id,
            rule=hold.rule,
            detail=hold.detail or "",
            created_at=hold.created_at,
            released_at=hold.released_at,
            released_by=hold.released_by,
            release_reason=hold.release_reason,
        )


class HoldReleaseOut(BaseModel):
    """The released hold, the order's status afterwards, and holds a failed reservation added."""

    hold: HoldOut
    order_status: str
    open_holds: int
    new_holds: list[HoldOut]

    @classmethod
    def of(cls, result: ReleaseResult) -> HoldReleaseOut:
        """From the service result."""
        return cls(
            hold=HoldOut.of(result.hold),
            order_status=result.order_status,
            open_holds=result.open_holds,
            new_holds=[HoldOut.of(h) for h in result.new_holds],
        )


class OrderLineOut(BaseModel):
    """An order line with its progress in units."""

    line_no: int
    sku_id: str
    qty: int
    qty_reserved: int
    qty_picked: int
    qty_short: int


class OrderOut(BaseModel):
    """A stored order: status, ship-to, lines and every hold (open and released)."""

    reference_id: str
    channel: str
    status: str
    customer_id: str | None
    payment_method: str | None
    payment_status: str | None
    carrier: str | None
    value: float
    currency: str
    country: str | None
    ship_name: str | None
    ship_street: str | None
    ship_city: str | None
    ship_postal_code: str | None
    comment: str | None
    created_at: datetime
    cutoff: datetime | None
    shipped_at: datetime | None
    updated_at: datetime
    lines: list[OrderLineOut]
    holds: list[HoldOut]

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        """From the store row (lines and holds loaded)."""
        return cls(
            reference_id=order.id,
            channel=order.channel,
            status=order.status,
            customer_id=order.customer_id,
            payment_method=order.payment_method,
            payment_status=order.payment_status,
            carrier=order.carrier,
            value=float(order.value or 0.0),
            currency=order.currency,
            country=order.country,
            ship_name=order.ship_name,
            ship_street=order.ship_street,
            ship_city=order.ship_city,
            ship_postal_code=order.ship_postal_code,
            comment=order.comment,
            created_at=order.created_at,
            cutoff=order.cutoff,
            shipped_at=order.shipped_at,
            updated_at=order.updated_at,
            lines=[
                OrderLineOut(
                    line_no=ln.line_no,
                    sku_id=ln.sku_id,
                    qty=ln.qty,
                    qty_reserved=ln.qty_reserved or 0,
                    qty_picked=ln.qty_picked or 0,
                    qty_short=ln.qty_short or 0,
                )
                for ln in order.lines
            ],
            holds=[HoldOut.of(h) for h in order.holds],
        )


class OrderImportResultOut(BaseModel):
    """What became of one order of a batch: ``imported`` (with status and hold rules),
    ``skipped`` (stored before with the same content), ``conflict`` (stored with other content)
    or ``rejected`` (``message`` says why)."""

    reference_id: str
    outcome: Outcome
    status: str | None
    holds: list[str]
    message: str

    @classmethod
    def of(cls, result: ImportedOrder) -> OrderImportResultOut:
        """From the service result."""
        return cls(
            reference_id=result.order_id,
            outcome=result.outcome,  # type: ignore[arg-type]
            status=result.status,
            holds=list(result.holds),
            message=result.message,
        )


class OrderBatchOut(BaseModel):
    """Counts per outcome, and one result per order in request order."""

    imported: int
    released: int
    held: int
    skipped: int
    conflicts: int
    rejected: int
    results: list[OrderImportResultOut]


class TimelineEntryOut(BaseModel):
    """One step of an order's timeline: when, what, the order status after it, and details."""

    at: datetime
    type: str
    status: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, entry: TimelineEntry) -> TimelineEntryOut:
        """From the service record."""
        return cls(at=entry.at, type=entry.type, status=entry.status, detail=dict(entry.detail))
