"""Response and request bodies of ``/v1/stock``: quantities per SKU and location, adjustments."""

from __future__ import annotations

from pydantic import BaseModel, Field

from wms.api.schemas._types import ApiIn
from wms.fulfillment.stock import SkuStock, StockLevel

__all__ = ["LocationStockOut", "SkuStockOut", "StockAdjustIn", "StockAdjustOut", "StockLevelOut"]


class StockLevelOut(BaseModel):
    """Units of one SKU at one location; ``available = on_hand - reserved``."""

    sku_id: str
    location_id: str
    on_hand: int
    reserved: int
    available: int

    @classmethod
    def of(cls, level: StockLevel) -> StockLevelOut:
        """From the service record."""
        return cls(
            sku_id=level.sku_id,
            location_id=level.location_id,
            on_hand=level.on_hand,
            reserved=level.reserved,
            available=level.available,
        )


class SkuStockOut(BaseModel):
    """A SKU's units summed over storage locations, and its stock at every location."""

    sku_id: str
    on_hand: int
    reserved: int
    available: int
    locations: int = Field(description="Storage locations holding the SKU")
    levels: list[StockLevelOut] = Field(description="Per location, of any kind (dock, returns...)")

    @classmethod
    def of(cls, total: SkuStock, levels: list[StockLevel]) -> SkuStockOut:
        """From the service records."""
        return cls(
            sku_id=total.sku_id,
            on_hand=total.on_hand,
            reserved=total.reserved,
            available=total.available,
            locations=total.locations,
            levels=[StockLevelOut.of(lv) for lv in levels],
        )


class LocationStockOut(BaseModel):
    """A location and the SKUs it holds."""

    location_id: str
    kind: str
    zone: str | None
    capacity_units: int | None
    distance_m: float | None
    on_hand: int
    levels: list[StockLevelOut]


class StockAdjustIn(ApiIn):
    """A stock-count correction at one location (emits ``stock.adjusted``)."""

    sku_id: str = Field(min_length=1, max_length=64)
    location_id: str = Field(min_length=1, max_length=64)
    delta_qty: int = Field(ge=-10_000_000, le=10_000_000, description="Signed change in units")
    reason: str = Field(min_length=1, max_length=255, examples=["cycle count"])
    adjusted_by: str | None = Field(default=None, max_length=64)


class StockAdjustOut(BaseModel):
    """The level after the adjustment."""

    level: StockLevelOut
