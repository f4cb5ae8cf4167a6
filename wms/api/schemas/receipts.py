"""Request and response bodies of ``/v1/receipts``: announced deliveries, counts, putaway."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from wms.api.schemas._types import ApiIn, UtcDatetime
from wms.fulfillment.receiving import Discrepancy, PutawaySuggestion, ReceiptResult
from wms.store.models import Receipt

__all__ = [
    "DiscrepancyOut",
    "PutawayConfirmIn",
    "PutawayDoneOut",
    "PutawayMoveIn",
    "PutawaySuggestionOut",
    "ReceiptIn",
    "ReceiptLineIn",
    "ReceiptLineOut",
    "ReceiptOut",
    "ReceiveIn",
    "ReceiveLineIn",
    "ReceiveOut",
]


class ReceiptLineIn(ApiIn):
    """One announced line: ``qty_expected`` units of ``sku_id``."""

    line_no: int | None = Field(
        default=None, ge=1, le=100_000, description="Default: position, from 1"
    )
    sku_id: str = Field(min_length=1, max_length=64)
    qty_expected: int = Field(ge=0, le=10_000_000)
    description: str | None = Field(default=None, max_length=255)


class ReceiptIn(ApiIn):
    """An advance shipping notice (ASN); ``receipt_id`` is the ASN id (unique)."""

    receipt_id: str = Field(min_length=1, max_length=64, examples=["ASN-1001"])
    supplier: str | None = Field(default=None, max_length=255)
    expected_at: UtcDatetime | None = None
    create_missing_skus: bool = Field(
        False, description="Add SKUs the catalogue does not know instead of refusing the ASN"
    )
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=10_000)


class ReceiveLineIn(ApiIn):
    """What was counted for one SKU (matched by ``line_no``, else the SKU's first open line)."""

    sku_id: str = Field(min_length=1, max_length=64)
    qty_received: int = Field(ge=0, le=10_000_000, description="Every unit that arrived")
    qty_damaged: int = Field(default=0, ge=0, le=10_000_000, description="Of them, damaged units")
    quality_status: Literal["ok", "damaged", "rejected"] = "ok"
    line_no: int | None = Field(default=None, ge=1, le=100_000)


class ReceiveIn(ApiIn):
    """The counted delivery; ASN lines nobody counted were not delivered (``short``)."""

    counts: list[ReceiveLineIn] = Field(max_length=10_000)
    received_by: str | None = Field(default=None, max_length=64)


class PutawayMoveIn(ApiIn):
    """Move ``qty`` units of ``sku_id`` from the dock to storage location ``to_location_id``."""

    sku_id: str = Field(min_length=1, max_length=64)
    to_location_id: str = Field(min_length=1, max_length=64)
    qty: int = Field(gt=0, le=10_000_000)


class PutawayConfirmIn(ApiIn):
    """The moves done; ``null`` moves: the current suggestion, as suggested."""

    moves: list[PutawayMoveIn] | None = Field(default=None, max_length=10_000)
    put_away_by: str | None = Field(default=None, max_length=64)


# -- responses ------------------------------------------------------------------------------------


class ReceiptLineOut(BaseModel):
    """An ASN line with its count, quality and discrepancy (``over``, ``short``, ``damaged``)."""

    line_no: int
    sku_id: str
    qty_expected: int
    qty_received: int | None
    qty_damaged: int
    qty_put_away: int
    quality_status: str | None
    discrepancy: str | None


class ReceiptOut(BaseModel):
    """A receipt: ``expected`` → ``received`` → ``closed`` (everything put away)."""

    receipt_id: str
    supplier: str | None
    status: str
    expected_at: datetime | None
    received_at: datetime | None
    dock_location_id: str | None
    lines: list[ReceiptLineOut]

    @classmethod
    def of(cls, receipt: Receipt) -> ReceiptOut:
        """From the store row (lines loaded)."""
        return cls(
            receipt_id=receipt.id,
            supplier=receipt.supplier,
            status=receipt.status,
            expected_at=receipt.expected_at,
            received_at=receipt.received_at,
            dock_location_id=receipt.dock_location_id,
            lines=[
                ReceiptLineOut(
                    line_no=ln.line_no,
                    sku_id=ln.sku_id,
                    qty_expected=ln.qty_expected,
                    qty_received=ln.qty_received,
                    qty_damaged=ln.qty_damaged or 0,
                    qty_put_away=ln.qty_put_away or 0,
                    quality_status=ln.quality_status,
                    discrepancy=ln.discrepancy,
                )
                for ln in receipt.lines
            ],
        )


class DiscrepancyOut(BaseModel):
    """A line whose count differs from the ASN; ``kinds`` of ``over``, ``short``, ``damaged``."""

    line_no: int
    sku_id: str
    qty_expected: int
    qty_received: int
    qty_damaged: int
    kinds: list[str]

    @classmethod
    def of(cls, d: Discrepancy) -> DiscrepancyOut:
        """From the service record."""
        return cls(
            line_no=d.line_no,
            sku_id=d.sku_id,
            qty_expected=d.qty_expected,
            qty_received=d.qty_received,
            qty_damaged=d.qty_damaged,
            kinds=list(d.kinds),
        )


class ReceiveOut(BaseModel):
    """Units brought to the dock and to quarantine, and the discrepancies found."""

    receipt_id: str
    units_to_dock: int
    units_to_quarantine: int
    discrepancies: list[DiscrepancyOut]

    @classmethod
    def of(cls, result: ReceiptResult) -> ReceiveOut:
        """From the service result."""
        return cls(
            receipt_id=result.receipt_id,
            units_to_dock=result.units_to_dock,
            units_to_quarantine=result.units_to_quarantine,
            discrepancies=[DiscrepancyOut.of(d) for d in result.discrepancies],
        )


class PutawaySuggestionOut(BaseModel):
    """A suggested move by class-based slotting (A movers nearest the depot)."""

    sku_id: str
    from_location_id: str
    to_location_id: str
    qty: int
    velocity_class: str
    location_class: str
    distance_m: float | None

    @classmethod
    def of(cls, s: PutawaySuggestion) -> PutawaySuggestionOut:
        """From the service record."""
        return cls(
            sku_id=s.sku_id,
            from_location_id=s.from_location_id,
            to_location_id=s.to_location_id,
            qty=s.qty,
            velocity_class=s.velocity_class,
            location_class=s.location_class,
            distance_m=s.distance_m,
        )


class PutawayDoneOut(BaseModel):
    """Units moved per confirmed move, and the receipt afterwards (``closed`` when done)."""

    moved_units: int
    moves: int
    receipt: ReceiptOut
