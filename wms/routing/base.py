"""The routing contract: problem in, route out; batches of pick lists as flat arrays.

Every method is registered as a :class:`RoutingMethod` with ``route(problem) -> Route`` and
``lengths(layout, pick_lists, start, end) -> ndarray`` (the batch API that batching and simulation
call millions of times). See :mod:`wms.routing` for the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from wms.errors import RoutingError
from wms.model import Route, Stop

if TYPE_CHECKING:
    from wms.layout import Layout
    from wms.layout.rectangular import NetPoint, RectangularLayout


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """One pick list to route.

    ``picks`` are location indices (``layout.locations``; repeated locations are allowed).
    ``start`` and ``end`` are point names; ``None`` means the layout's depot and default end
    (the depot again when the layout names no end).
    """

    layout: Layout
    picks: NDArray[np.int64]
    start: str | None = None
    end: str | None = None

    def __post_init__(self) -> None:
        picks = np.asarray(self.picks)
        if picks.ndim != 1 or (picks.size and not np.issubdtype(picks.dtype, np.integer)):
            raise RoutingError("picks must be a 1-d sequence of integer location indices")
        picks = picks.astype(np.int64, copy=False)
        n = len(self.layout.locations)
        if picks.size and (picks.min() < 0 or picks.max() >= n):
            bad = int(picks[(picks < 0) | (picks >= n)][0])
            raise RoutingError(f"pick location index {bad} is out of range 0..{n - 1}")
        object.__setattr__(self, "picks", picks)
        start = self.start or self.layout.depot
        end = self.end or self.layout.end or start
        for name in (start, end):
            self.layout.point(name)  # raises a LayoutError naming the defined points
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @classmethod
    def from_ids(
        cls,
        layout: Layout,
        location_ids: Sequence[str],
        start: str | None = None,
        end: str | None = None,
    ) -> RoutingProblem:
        """Build a problem from location ids (unknown ids raise an error naming them)."""
        return cls(layout, layout.locations.indices(location_ids), start, end)

    @property
    def start_name(self) -> str:
        assert self.start is not None
        return self.start

    @property
    def end_name(self) -> str:
        assert self.end is not None
        return self.end


@dataclass(frozen=True, eq=False)
class PickLists:
    """Many pick lists in CSR form: list ``k`` is ``indices[indptr[k]:indptr[k+1]]``."""

    indptr: NDArray[np.int64]
    indices: NDArray[np.int64]

    def __post_init__(self) -> None:
        indptr = np.ascontiguousarray(self.indptr, dtype=np.int64)
        indices = np.ascontiguousarray(self.indices, dtype=np.int64)
        if indptr.ndim != 1 or indptr.size < 1 or indptr[0] != 0 or np.any(np.diff(indptr) < 0):
            raise RoutingError("indptr must start at 0 and be non-decreasing")
        if indptr[-1] != indices.size:
            raise RoutingError(f"indptr ends at {indptr[-1]} but there are {indices.size} indices")
        object.__setattr__(self, "indptr", indptr)
        object.__setattr__(self, "indices", indices)

    @classmethod
    def from_lists(cls, lists: Sequence[Sequence[int]] | Sequence[NDArray[np.int64]]) -> PickLists:
        sizes = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
        indptr = np.zeros(len(lists) + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        flat = (
            np.concatenate([np.asarray(x, dtype=np.int64) for x in lists])
            if len(lists)
            else np.empty(0, dtype=np.int64)
        )
        return cls(indptr, flat)

    def __len__(self) -> int:
        return int(self.indptr.size - 1)

    def __getitem__(self, k: int) -> NDArray[np.int64]:
        return self.indices[self.indptr[k] : self.indptr[k + 1]]

    def check(self, n_locations: int) -> None:
        """Raise :class:`RoutingError` if an index is outside ``0..n_locations-1``."""
        if self.indices.size and (self.indices.min() < 0 or self.indices.max() >= n_locations):
            raise RoutingError(f"a pick location index is out of range 0..{n_locations - 1}")


@dataclass(frozen=True, eq=False)
class RectBatch:
    """Flat arrays a compiled rectangular-layout kernel needs for many pick lists.

    Picks are ``(aisle, y)`` pairs; start and end are points on cross aisles given by
    ``x``, ``row`` (cross-aisle index) and ``offset`` (spur length).
    """

    aisle_x: NDArray[np.float64]
    cross_y: NDArray[np.float64]
    indptr: NDArray[np.int64]
    pick_aisle: NDArray[np.int64]
    pick_y: NDArray[np.float64]
    start_x: float
    start_row: int
    start_offset: float
    end_x: float
    end_row: int
    end_offset: float


def rect_batch(
    layout: RectangularLayout, pick_lists: PickLists, start: str | None, end: str | None
) -> RectBatch:
    """Resolve start/end names and gather pick coordinates into a :class:`RectBatch`."""
    pick_lists.check(len(layout.locations))
    s_name = start or layout.depot
    e_name = end or layout.end or s_name
    s, e = layout.point(s_name), layout.point(e_name)
    loc = layout.locations
    return RectBatch(
        aisle_x=layout.aisle_x_m,
        cross_y=layout.cross_y_m,
        indptr=pick_lists.indptr,
        pick_aisle=np.ascontiguousarray(loc.aisle[pick_lists.indices]),
        pick_y=np.ascontiguousarray(loc.y_m[pick_lists.indices]),
        start_x=s.x_m,
        start_row=s.cross_aisle,
        start_offset=s.offset_m,
        end_x=e.x_m,
        end_row=e.cross_aisle,
        end_offset=e.offset_m,
    )


# -- turning a walk into stops ------------------------------------------------------------------

#: A visit in a rectangular walk: ``("pick", k)`` for the k-th pick of the problem,
#: ``("corner", aisle, row)`` for an aisle/cross-aisle intersection the picker passes.
Visit = tuple[str, int] | tuple[str, int, int]


def rect_route_from_visits(problem: RoutingProblem, method: str, visits: Sequence[Visit]) -> Route:
    """Build a :class:`Route` on a rectangular layout from the start, ``visits``, and the end.

    Consecutive visits are joined by a shortest path, whose corners are added as waypoints; the
    length is the sum of the legs plus the start and end spurs. A method's walk is therefore listed
    exactly when it passes through every corner where it leaves a shortest path.
    """
    layout: RectangularLayout = problem.layout  # type: ignore[assignment]
    start = layout.net_point_of_point(problem.start_name)
    end = layout.net_point_of_point(problem.end_name)
    seq: list[tuple[NetPoint, int | None]] = [(start, None)]
    for v in visits:
        if v[0] == "pick":
            k = v[1]
            seq.append((layout.net_point_of_location(int(problem.picks[k])), k))
        elif v[0] == "corner":
            seq.append((layout._corner(v[1], v[2]), None))  # type: ignore[misc]
        else:  # pragma: no cover - programming error in a method
            raise ValueError(f"unknown visit kind {v[0]!r}")
    seq.append((end, None))
    return _route_from_netpoints(layout, method, seq)


def _route_from_netpoints(
    layout: RectangularLayout, method: str, seq: Sequence[tuple[NetPoint, int | None]]
) -> Route:
    stops: list[Stop] = []
    length = seq[0][0].offset_m + seq[-1][0].offset_m

    def add(p: NetPoint, kind: str, pick: int | None) -> None:
        if stops and kind == "waypoint":
            last = stops[-1]
            if abs(last.x_m - p.x_m) < 1e-9 and abs(last.y_m - p.y_m) < 1e-9:
                return
        if (
            len(stops) >= 2
            and stops[-1].kind == "waypoint"
            and _straight_through(stops[-2], stops[-1], p)
        ):
            stops.pop()  # the picker walks straight on: not a turn worth listing
        stops.append(Stop(kind, p.label, p.x_m, p.y_m, pick))  # type: ignore[arg-type]

    prev: NetPoint | None = None
    for idx, (p, pick) in enumerate(seq):
        if prev is not None:
            a = prev._replace(offset_m=0.0)
            for w in layout.leg_waypoints(a, p):
                add(w, "waypoint", None)
            length += layout.distance(a, p._replace(offset_m=0.0))
        kind = (
            "start"
            if idx == 0
            else "end"
            if idx == len(seq) - 1
            else ("pick" if pick is not None else "waypoint")
        )
        add(p, kind, pick)
        prev = p
    return Route(method=method, length_m=float(length), stops=tuple(stops))


def _straight_through(a: Stop, b: Stop, c: NetPoint) -> bool:
    """True when ``b`` lies on the straight segment from ``a`` to ``c`` (same aisle or cross aisle)."""
    eps = 1e-9
    if abs(a.x_m - b.x_m) < eps and abs(b.x_m - c.x_m) < eps:
        return min(a.y_m, c.y_m) - eps <= b.y_m <= max(a.y_m, c.y_m) + eps
    if abs(a.y_m - b.y_m) < eps and abs(b.y_m - c.y_m) < eps:
        return min(a.x_m, c.x_m) - eps <= b.x_m <= max(a.x_m, c.x_m) + eps
    return False


def walk_length(layout: Layout, route: Route) -> float:
    """Sum of shortest-path distances between consecutive stops plus the end spurs.

    Used by tests to prove a route is walkable: for a valid route it equals ``route.length_m``.
    """
    return layout.walk_length(route)


# -- registry -----------------------------------------------------------------------------------

RouteFn = Callable[[RoutingProblem], Route]
LengthsFn = Callable[["Layout", PickLists, "str | None", "str | None"], NDArray[np.float64]]


@dataclass(frozen=True)
class RoutingMethod:
    """A registered routing method.

    ``exact`` methods return a shortest tour; ``layouts`` lists the layout kinds served
    (``"rectangular"``, ``"graph"``); ``lengths`` is the batch API (None: loop over ``route``).
    """

    name: str
    summary: str
    route: RouteFn
    lengths: LengthsFn | None = None
    exact: bool = False
    layouts: frozenset[str] = field(default_factory=lambda: frozenset({"rectangular"}))
