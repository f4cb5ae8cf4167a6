"""``POST /v1/routes``: route one or many pick lists on a layout (stateless); ``GET /v1/layouts``.

Location ids are resolved on the layout (an unknown id is a 422 problem with a pointer to it);
lengths come from :func:`wms.routing.route_many` (compiled where the method allows), and with
``include_stops`` every list's distinct locations are returned in walking order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import APIRouter

from wms.api.layouts import layout_by_id, resolve_layout, shipped_layout_ids
from wms.api.problems import PROBLEM_RESPONSES, ApiProblem, ProblemError
from wms.api.schemas.routes import MAX_LIST_LOCATIONS, LayoutListOut, RoutesIn, RoutesOut
from wms.planning import resolve_routing
from wms.routing import route_many

router = APIRouter(tags=["planning"])


def _invalid(errors: list[ProblemError], detail: str) -> ApiProblem:
    return ApiProblem(
        422, detail, slug="validation-error", title="Validation failed", errors=errors
    )


@router.post(
    "/routes",
    response_model=RoutesOut,
    summary="Route one or many pick lists (lengths and stops in walking order)",
    responses={k: v for k, v in PROBLEM_RESPONSES.items() if k in (401, 413, 422)},
)
def create_routes(body: RoutesIn) -> Any:
    """Route each pick list from ``start`` to ``end`` with ``method``; nothing is stored.

    An empty list walks from start to end. Stops are the distinct locations of the list in the
    order the picker reaches them.
    """
    layout = resolve_layout(body.layout_id, body.layout)
    method = resolve_routing(layout, body.method)
    table = layout.locations
    lists: list[list[int]] = []
    errors: list[ProblemError] = []
    for k, ids in enumerate(body.pick_lists):
        if len(ids) > MAX_LIST_LOCATIONS:
            errors.append(
                ProblemError(
                    pointer=f"/pick_lists/{k}",
                    detail=f"{len(ids)} locations: at most {MAX_LIST_LOCATIONS} per list",
                )
            )
            continue
        row: list[int] = []
        for j, loc in enumerate(ids):
            try:
                row.append(table.index(loc))
            except Exception:  # LayoutError naming the id; collect them all
                errors.append(
                    ProblemError(
                        pointer=f"/pick_lists/{k}/{j}",
                        detail=f"location {loc!r} is not in layout {layout.name!r}",
                    )
                )
        lists.append(row)
    if errors:
        n = len(errors)
        raise _invalid(errors[:100], f"{n} pick-list entr{'ies are' if n != 1 else 'y is'} invalid")
    start = body.start or layout.depot
    end = body.end or layout.end or start
    unique = [list(dict.fromkeys(row)) for row in lists]
    if body.include_stops:
        lengths, sequences = route_many(layout, unique, method, start, end, return_sequences=True)
    else:
        lengths, sequences = route_many(layout, unique, method, start, end), None
    routes = []
    for k, row in enumerate(unique):
        stops = None
        if sequences is not None:
            order: list[int] = np.asarray(row, dtype=np.int64)[sequences[k]].tolist() if row else []
            stops = [
                {
                    "sequence": s + 1,
                    "location_id": table.ids[int(i)],
                    "x_m": round(float(table.x_m[int(i)]), 6),
                    "y_m": round(float(table.y_m[int(i)]), 6),
                }
                for s, i in enumerate(order)
            ]
        routes.append({"index": k, "length_m": round(float(lengths[k]), 6), "stops": stops})
    return {
        "method": method,
        "start": start,
        "end": end,
        "total_length_m": round(float(np.sum(lengths)), 6),
        "routes": routes,
    }


@router.get(
    "/layouts",
    response_model=LayoutListOut,
    summary="The shipped layouts (ids for `layout_id`)",
    responses={k: v for k, v in PROBLEM_RESPONSES.items() if k == 401},
)
def list_layouts() -> Any:
    """Every layout shipped with the server: its id, kind, size and named points."""
    items = []
    for layout_id in shipped_layout_ids():
        layout = layout_by_id(layout_id)
        items.append(
            {
                "layout_id": layout_id,
                "name": layout.name,
                "kind": layout.kind,
                "locations": len(layout.locations.ids),
                "depot": layout.depot,
                "end": layout.end,
                "pack_stations": list(getattr(layout, "pack_stations", ())),
                "sort_zone": getattr(layout, "sort_zone", None),
            }
        )
    return {"items": items}


__all__ = ["router"]
