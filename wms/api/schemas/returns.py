"""Request and response bodies of ``/v1/returns``: RMA, receipt, inspection, disposition."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from wms.api.schemas._types import ApiIn
from wms.fulfillment.returns import RmaStatus

__all__ = [
    "ReturnCreateIn",
    "ReturnDisposeIn",
    "ReturnInspectIn",
    "ReturnLineIn",
    "ReturnLineOut",
    "ReturnOut",
    "ReturnReceiveIn",
]


class ReturnLineIn(ApiIn):
    """Units of one SKU coming back, and why."""

    sku_id: str = Field(min_length=1, max_length=64)
    qty: int = Field(gt=0, le=1_000_000)
    reason: str = Field(default="unwanted", min_length=1, max_length=255, examples=["wrong_item"])


class ReturnCreateIn(ApiIn):
    """Authorise a return (RMA); ``rma_id`` is its number (unique)."""

    rma_id: str = Field(min_length=1, max_length=64, examples=["RMA-1"])
    order_id: str | None = Field(default=None, max_length=64, description="The order shipped")
    customer_id: str | None = Field(default=None, max_length=64)
    complaint: bool = Field(default=False, description="Open a complaint the customer can follow")
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=1000)


class ReturnReceiveLineIn(ApiIn):
    """Units received for one RMA line (0: it did not come back)."""

    line_no: int = Field(ge=1)
    qty_received: int = Field(ge=0, le=1_000_000)


class ReturnReceiveIn(ApiIn):
    """What came back; ``null`` lines: every line in full."""

    lines: list[ReturnReceiveLineIn] | None = Field(default=None, max_length=1000)
    location_id: str | None = Field(
        default=None, max_length=64, description="Default: the returns desk"
    )
    received_by: str | None = Field(default=None, max_length=64)


class ReturnInspectLineIn(ApiIn):
    """The inspected condition of one received line."""

    line_no: int = Field(ge=1)
    condition: Literal["new", "opened", "damaged", "defective"]


class ReturnInspectIn(ApiIn):
    """Conditions of received lines."""

    lines: list[ReturnInspectLineIn] = Field(min_length=1, max_length=1000)
    inspected_by: str | None = Field(default=None, max_length=64)


class ReturnDisposeIn(ApiIn):
    """What happens to one inspected line: back to stock, quarantine or scrap."""

    line_no: int = Field(ge=1)
    disposition: Literal["restock", "quarantine", "scrap"]
    location_id: str | None = Field(
        None, max_length=64, description="Storage location (restock, required) or quarantine"
    )
    disposed_by: str | None = Field(default=None, max_length=64)


class ReturnLineOut(BaseModel):
    """One RMA line with what was received, its condition and disposition."""

    line_no: int
    sku_id: str
    qty: int
    reason: str | None
    qty_received: int
    condition: str | None
    disposition: str | None


class ReturnOut(BaseModel):
    """What the customer sees: status, complaint status, lines and history."""

    rma_id: str
    order_id: str | None
    status: str
    complaint_status: str | None
    lines: list[ReturnLineOut]
    history: list[dict[str, Any]]

    @classmethod
    def of(cls, s: RmaStatus) -> ReturnOut:
        """From the service record."""
        return cls(
            rma_id=s.rma_id,
            order_id=s.order_id,
            status=s.status,
            complaint_status=s.complaint_status,
            lines=[ReturnLineOut.model_validate(ln) for ln in s.lines],
            history=list(s.history),
        )
