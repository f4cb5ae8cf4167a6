"""Routing heuristics for rectangular warehouses: S-shape, return, midpoint, largest gap, combined,
combined+.

These are the routing policies pickers are taught on the floor (and the ones the batching
literature evaluates its pick lists with): simple patterns, not shortest tours. Each method has a
compiled batch API, ``lengths(layout, pick_lists, start, end)`` (millions of lists per second), and
``route(problem)``, which lists the walk as stops; both describe the same walk, so
``route(problem).length_m`` equals the batch length.

Where the heuristics apply
--------------------------
The start and the end must lie on the same cross aisle, and that cross aisle must be the front one
(0) or the back one (the last); they may differ in x. A start on the back cross aisle is handled
as the mirror image (front and back swapped). Anything else raises
:class:`~wms.errors.RoutingError` pointing to ``optimal`` or ``tsp``. An empty pick list walks
straight from the start to the end. The spurs of the start and end points (``Point.offset_m``)
are added to every length.

Words used below: a *pick aisle* is an aisle with at least one pick; a *sub-aisle* is the part of
an aisle inside one block; the *front* of a block is its cross aisle on the depot side, the *back*
the other one; to *traverse* a sub-aisle is to walk through it from one cross aisle to the other;
a *return* enters a sub-aisle from one cross aisle, walks to the farthest pick it has to take and
comes back the same way. "Left" and "right" refer to one orientation: every heuristic except
combined+ is evaluated as written and in its mirror image (right and left swapped), and the
shorter walk is kept; that is how the sweep direction is chosen when the start, the end or the
picks are not at the left. Inside a sub-aisle the picks are taken in walking order.

The block-by-block frame (Roodbergen & de Koster 2001b)
-------------------------------------------------------
S-shape, largest gap, midpoint and combined share it:

1. From the start, walk along the front cross aisle to the leftmost pick aisle *L*, and along *L*
   up to the front of the farthest block with picks, taking the picks of *L* in the nearer blocks
   on the way (they are not visited again).
2. Process the blocks from the farthest to the nearest. The farthest block is entered at its front
   (at *L*), every other block at its back, where the previous block ended. A block without
   remaining picks is crossed straight down the aisle the picker stands in.
3. In a block, go along the cross aisle to the nearer of its leftmost and rightmost sub-aisles with
   picks (ties: the left one), then work through its sub-aisles towards the other end with the
   heuristic's sub-aisle policy, which always ends on the block's front cross aisle.
4. After the nearest block, walk along the front cross aisle to the end.

With one block this is the classic single-block heuristic (Hall 1993; Petersen 1997; Roodbergen &
de Koster 2001a): start, leftmost pick aisle, sweep to the right, end.

The heuristics
--------------
``s_shape`` (traversal)
    Every sub-aisle with picks is traversed, so the picker snakes through the block. The last
    sub-aisle of a block is a return from the front when the picker arrives there at the front (an
    odd number of sub-aisles in the farthest block, an even number in the others); in particular a
    lone sub-aisle of the farthest block is a return. Single block: every pick aisle is traversed,
    the last one is a return when their number is odd.
``return``
    Every pick aisle is entered from the depot's cross aisle, walked up to its farthest pick and
    left the same way; the picker sweeps along the depot's cross aisle from the leftmost to the
    rightmost pick aisle. Multi-block version: the other cross aisles are only walked through
    (straight along the aisle), never used to change aisles.
``largest_gap``
    Farthest block (entered at the front): traverse its first sub-aisle to the back; walk along
    the back cross aisle to its last sub-aisle, entering the sub-aisles in between from the back;
    traverse the last one to the front; walk back along the front cross aisle entering the
    sub-aisles in between from the front. A lone sub-aisle there is a return from the front.
    Nearer blocks (entered at the back): the sub-aisle with picks farthest from the picker (ties:
    the right one) is the last one; walk along the back cross aisle from where the picker stands,
    entering every other sub-aisle from the back, to the last one; traverse it to the front; walk
    back along the front cross aisle entering the other sub-aisles from the front. A sub-aisle
    entered from both sides leaves out its largest gap (front to first pick, between two picks,
    last pick to back; ties: the gap nearest the back): the picks below the gap are taken from
    the front, those above from the back, and a side with nothing to take is not entered. Along
    each cross aisle the picker walks only as far as needed. Single block: Hall's largest gap
    (first and last pick aisles traversed, the others entered from both sides).
``midpoint``
    As largest gap, but a sub-aisle entered from both sides is split at the middle of the block:
    picks up to the middle are taken from the front, the others from the back (Hall 1993; Petersen
    1997). This block-by-block version is ours; the literature defines midpoint for one block.
``combined``
    Each sub-aisle with picks is visited once, in the order of the sweep, and is either traversed or
    returned from the side the picker is on; the choice is made by dynamic programming over the
    side (front/back) the picker is on after each sub-aisle, minimising the walk along the aisles
    of the block under the rule that the block is left at its front (Roodbergen & de Koster 2001a;
    the block-by-block version is that of 2001b).
``combined_plus``
    Combined with three more choices, made together by a dynamic programme over the blocks that
    minimises the whole walk: (1) the aisle used to go up to the farthest block is any aisle, not
    only *L* (every aisle is tried; its picks in the nearer blocks are taken on the way up; ties:
    the leftmost aisle); (2) every block is swept in the direction that is best for the rest of
    the walk, not from its nearer end: the state after a block is the end of it the picker stands
    at (its leftmost or rightmost sub-aisle, at the front); (3) the walk to the end point is part
    of the objective. Inside a block the combined dynamic programme is used; a block without
    remaining picks is crossed straight down. Combined's walk is one of the candidates, so
    combined+ is never longer than combined; on a single block (nothing to go up to, two sweep
    directions) the two coincide.

References: Hall (1993) "Distance approximations for routing manual pickers in a warehouse",
IIE Transactions 25(4); Petersen (1997) "An evaluation of order picking routeing policies",
IJOPM 17(11); Roodbergen & de Koster (2001a) "Routing order pickers in a warehouse with a middle
aisle", EJOR 133(1); Roodbergen & de Koster (2001b) "Routing methods for warehouses with multiple
cross aisles", IJPR 39(9).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from wms.errors import RoutingError
from wms.model import Route
from wms.routing import _heuristic_kernels as _k
from wms.routing.base import (
    LengthsFn,
    PickLists,
    RouteFn,
    RoutingMethod,
    RoutingProblem,
    Visit,
    rect_batch,
    rect_route_from_visits,
)

if TYPE_CHECKING:
    from wms.layout import Layout
    from wms.layout.rectangular import RectangularLayout

#: Kernel codes of the heuristics, by registry name.
CODES: dict[str, int] = {
    "s_shape": _k.S_SHAPE,
    "return": _k.RETURN,
    "midpoint": _k.MIDPOINT,
    "largest_gap": _k.LARGEST_GAP,
    "combined": _k.COMBINED,
    "combined_plus": _k.COMBINED_PLUS,
}

_SUMMARIES: dict[str, str] = {
    "s_shape": "S-shape (traversal): every sub-aisle with picks traversed, block by block",
    "return": "return: every pick aisle entered and left from the depot's cross aisle",
    "midpoint": "midpoint: outer sub-aisles traversed, others entered up to the middle",
    "largest_gap": "largest gap: outer sub-aisles traversed, others entered up to the largest gap",
    "combined": "combined (Roodbergen & de Koster): traverse or return per sub-aisle, by DP",
    "combined_plus": "combined+: combined, with the ascent aisle and block sweeps chosen by DP",
}


#: Batches smaller than this are routed serially: a thread-pool start costs more than the routing.
_PARALLEL_FROM = 4096


def _rect(layout: object, method: str) -> RectangularLayout:
    kind = getattr(layout, "kind", None)
    if kind != "rectangular":
        what = kind or type(layout).__name__
        raise RoutingError(
            f"routing method {method!r} applies to rectangular layouts only, got a {what} "
            "layout; use 'tsp' for arbitrary layouts"
        )
    return layout  # type: ignore[return-value]


def _geometry(
    layout: RectangularLayout, start: str | None, end: str | None, method: str
) -> tuple[_k.Geo, float]:
    """Check that the heuristic applies to ``start``/``end``; return the kernels' geometry and
    the start plus end spurs."""
    s_name = start or layout.depot
    e_name = end or layout.end or s_name
    s, e = layout.point(s_name), layout.point(e_name)
    last = layout.n_blocks
    if s.cross_aisle != e.cross_aisle:
        raise RoutingError(
            f"routing method {method!r} needs the start and the end on the same cross aisle, but "
            f"start {s.name!r} is on cross aisle {s.cross_aisle} and end {e.name!r} on cross aisle "
            f"{e.cross_aisle}; use method 'optimal' or 'tsp' for this start and end"
        )
    if s.cross_aisle not in (0, last):
        raise RoutingError(
            f"routing method {method!r} needs the start and end on the front (0) or back ({last}) "
            f"cross aisle, but {s.name!r} is on cross aisle {s.cross_aisle}; use method 'optimal' "
            "or 'tsp' for this start and end"
        )
    ax = layout.aisle_x_m
    n = int(ax.size)
    cy = layout.cross_y_m
    flip = s.cross_aisle == last
    c0cm = float(cy[0] + cy[-1])
    idx = np.arange(n, dtype=np.int64)
    geo = _k.Geo(
        n,
        int(cy.size - 1),
        np.ascontiguousarray(np.stack([ax, -ax[::-1]])),
        np.ascontiguousarray(np.stack([idx, n - 1 - idx])),
        np.ascontiguousarray(c0cm - cy[::-1]) if flip else np.ascontiguousarray(cy),
        bool(flip),
        c0cm,
        float(s.x_m),
        float(e.x_m),
    )
    return geo, float(s.offset_m + e.offset_m)


def _make_lengths(name: str) -> LengthsFn:
    code = CODES[name]

    def lengths(
        layout: Layout,
        pick_lists: PickLists | Sequence[Sequence[int]],
        start: str | None = None,
        end: str | None = None,
    ) -> NDArray[np.float64]:
        rect = _rect(layout, name)
        lists = (
            pick_lists if isinstance(pick_lists, PickLists) else PickLists.from_lists(pick_lists)
        )
        geo, spurs = _geometry(rect, start, end, name)
        batch = rect_batch(rect, lists, start, end)
        out = np.empty(len(lists), dtype=np.float64)
        kernel = _k.batch_lengths if len(lists) >= _PARALLEL_FROM else _k.batch_lengths_serial
        kernel(code, geo, batch.indptr, batch.pick_aisle, batch.pick_y, spurs, out)
        return out

    lengths.__name__ = f"{name}_lengths"
    lengths.__doc__ = f"""Route lengths (m) of many pick lists with the {name} heuristic.

    Parameters
    ----------
    layout
        A rectangular layout.
    pick_lists
        The lists (CSR :class:`~wms.routing.base.PickLists` or a sequence of index sequences).
    start, end
        Point names; ``None``: the layout's depot and default end.

    Returns
    -------
    numpy.ndarray
        One length per list, start and end spurs included.

    Raises
    ------
    RoutingError
        If the layout is not rectangular, or the start and end are not on the same front or back
        cross aisle, or a location index is out of range.
    """
    return lengths


def _make_route(name: str) -> RouteFn:
    code = CODES[name]

    def route(problem: RoutingProblem) -> Route:
        rect = _rect(problem.layout, name)
        geo, _ = _geometry(rect, problem.start, problem.end, name)
        loc = rect.locations
        _, rec = _k.route_visits(
            code, geo, np.ascontiguousarray(loc.aisle[problem.picks]),
            np.ascontiguousarray(loc.y_m[problem.picks]),
        )  # fmt: skip
        visits: list[Visit] = [
            ("pick", int(a)) if kind == 0 else ("corner", int(a), int(r)) for kind, a, r in rec
        ]
        return rect_route_from_visits(problem, name, visits)

    route.__name__ = f"{name}_route"
    route.__doc__ = f"""Route one pick list with the {name} heuristic.

    Parameters
    ----------
    problem
        The pick list on a rectangular layout, with its start and end.

    Returns
    -------
    Route
        Stops in walking order (picks and the corners where the walk turns); ``length_m`` equals
        the batch API's length for the same list.

    Raises
    ------
    RoutingError
        If the layout is not rectangular or the start and end are not on the same front or back
        cross aisle.
    """
    return route


METHODS: tuple[RoutingMethod, ...] = tuple(
    RoutingMethod(
        name=name,
        summary=_SUMMARIES[name],
        route=_make_route(name),
        lengths=_make_lengths(name),
        exact=False,
        layouts=frozenset({"rectangular"}),
    )
    for name in CODES
)
