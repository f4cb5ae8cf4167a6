"""``/v1/stock``: stock levels by SKU and by location, and count adjustments.

Levels are what the shop owner sees at any time: ``on_hand``, ``reserved`` for orders and
``available``. A SKU of the catalogue without stock is listed with zeros.
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter

from wms.api.deps import Page, PageDep, ReadSessionDep, SessionDep, paginate
from wms.api.problems import PROBLEM_RESPONSES
from wms.api.routers._common import require_row
from wms.api.schemas.stock import (
    LocationStockOut,
    SkuStockOut,
    StockAdjustIn,
    StockAdjustOut,
    StockLevelOut,
)
from wms.fulfillment import stock as stock_service
from wms.store.models import Location, Sku

router = APIRouter(prefix="/stock", tags=["stock"], responses=PROBLEM_RESPONSES)


@router.get("/skus", response_model=Page[SkuStockOut], summary="Stock of every SKU")
def list_sku_stock(session: ReadSessionDep, page: PageDep) -> Page[SkuStockOut]:
    """Every SKU of the catalogue (by id) with its totals and per-location levels."""
    rows, cursor = paginate(session, sa.select(Sku), Sku.id, page)
    items = []
    for sku in rows:
        (total,) = stock_service.stock_by_sku(session, sku_id=sku.id)
        items.append(SkuStockOut.of(total, stock_service.stock_levels(session, sku_id=sku.id)))
    return Page[SkuStockOut](items=items, next_cursor=cursor)


@router.get("/skus/{sku_id}", response_model=SkuStockOut, summary="Stock of one SKU")
def get_sku_stock(sku_id: str, session: ReadSessionDep) -> SkuStockOut:
    """Totals over storage locations and the level at every location; 404 for an unknown SKU."""
    require_row(session, Sku, sku_id, "SKU")
    (total,) = stock_service.stock_by_sku(session, sku_id=sku_id)
    return SkuStockOut.of(total, stock_service.stock_levels(session, sku_id=sku_id))


@router.get(
    "/locations/{location_id}", response_model=LocationStockOut, summary="Stock at one location"
)
def get_location_stock(location_id: str, session: ReadSessionDep) -> LocationStockOut:
    """The SKUs at a location; 404 for an unknown location."""
    loc: Location = require_row(session, Location, location_id, "location")
    levels = stock_service.stock_levels(session, location_id=location_id)
    return LocationStockOut(
        location_id=loc.id,
        kind=loc.kind,
        zone=loc.zone,
        capacity_units=loc.capacity_units,
        distance_m=loc.distance_m,
        on_hand=sum(lv.on_hand for lv in levels),
        levels=[StockLevelOut.of(lv) for lv in levels],
    )


@router.post("/adjustments", response_model=StockAdjustOut, summary="Adjust a stock count")
def adjust_stock(body: StockAdjustIn, session: SessionDep) -> StockAdjustOut:
    """Correct the units of a SKU at a location (a count); 409 when it would go negative or
    touch reserved units."""
    require_row(session, Sku, body.sku_id, "SKU")
    require_row(session, Location, body.location_id, "location")
    stock_service.adjust(
        session,
        body.sku_id,
        body.location_id,
        body.delta_qty,
        reason=body.reason,
        actor=body.adjusted_by,
    )
    levels = stock_service.stock_levels(
        session, sku_id=body.sku_id, location_id=body.location_id, include_empty=True
    )
    level = levels[0] if levels else stock_service.StockLevel(body.sku_id, body.location_id, 0, 0)
    return StockAdjustOut(level=StockLevelOut.of(level))
