"""Request and response bodies of ``POST /v1/routes`` (stateless routing of pick lists)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from wms.api.schemas._types import ApiIn

#: Largest number of pick lists, and of locations per list, in one routing request.
MAX_ROUTE_LISTS = 10_000
MAX_LIST_LOCATIONS = 2_000


class RoutesIn(ApiIn):
    """One or many pick lists (location ids) to route on a layout."""

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
    pick_lists: list[list[str]] = Field(
        min_length=1,
        max_length=MAX_ROUTE_LISTS,
        description="Each list: the location ids to visit (repeats allowed, any order)",
    )
    method: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Routing method (s_shape, return, midpoint, largest_gap, combined, optimal, "
        "tsp, ...); default: optimal where it applies, else tsp",
    )
    start: str | None = Field(
        default=None, min_length=1, max_length=64, description="Start point name"
    )
    end: str | None = Field(default=None, min_length=1, max_length=64, description="End point name")
    include_stops: bool = Field(default=True, description="Return the stops in walking order")


class RouteStopOut(BaseModel):
    """A pick location of a route, in walking order."""

    sequence: int = Field(description="Position in the walk, 1 for the first pick")
    location_id: str
    x_m: float
    y_m: float


class RouteOut(BaseModel):
    """The route of one pick list."""

    index: int = Field(description="Position of the list in the request")
    length_m: float = Field(description="Walking distance from start to end")
    stops: list[RouteStopOut] | None = Field(
        description="Distinct pick locations in walking order (null without include_stops)"
    )


class RoutesOut(BaseModel):
    """Routes of all lists, in request order."""

    method: str
    start: str
    end: str
    total_length_m: float
    routes: list[RouteOut]


class LayoutSummaryOut(BaseModel):
    """A shipped layout that requests can name by ``layout_id``."""

    layout_id: str
    name: str
    kind: str = Field(description="rectangular or graph")
    locations: int = Field(description="Number of storage locations")
    depot: str
    end: str | None
    pack_stations: list[str]
    sort_zone: str | None


class LayoutListOut(BaseModel):
    """The shipped layouts."""

    items: list[LayoutSummaryOut]


__all__ = [
    "MAX_LIST_LOCATIONS",
    "MAX_ROUTE_LISTS",
    "LayoutListOut",
    "LayoutSummaryOut",
    "RouteOut",
    "RouteStopOut",
    "RoutesIn",
    "RoutesOut",
]
