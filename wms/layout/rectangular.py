"""Rectangular warehouses: parallel aisles crossed by two or more cross aisles (one or more blocks).

Geometry (see ``../shared/DESIGN.md``): x runs across aisles, y along them; cross aisle 0 is the
front (y smallest), the last one the back. Aisles run through every block and are wide enough to
turn anywhere; both sides of an aisle are picked from its centre line. Distances are closed-form.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from wms.errors import LayoutError
from wms.layout import _rect_kernels as _k
from wms.layout.locations import LocationTable, make_table
from wms.model import Point, Route

_EPS = 1e-9


class NetPoint(NamedTuple):
    """A point on the aisle network: ``aisle`` is -1 when it is on a cross aisle between aisles,
    ``row`` the cross aisle it lies on (or -1), ``offset_m`` the spur walked to reach it."""

    x_m: float
    y_m: float
    aisle: int
    row: int
    offset_m: float
    label: str


@dataclass(frozen=True, slots=True)
class Zone:
    """A named zone/sector; ``handling`` marks zones reserved for a handling class (e.g. bulky)."""

    name: str
    handling: str | None = None


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """Storage positions of one block, identical in every aisle.

    Position ``p`` (0 = nearest the block's front cross aisle) has its access point at
    ``front_to_first_m + p * pitch_m`` from the front cross-aisle centre line; the block's length
    between cross-aisle centre lines is ``front_to_first_m + (positions - 1) * pitch_m + last_to_back_m``.
    """

    positions: int
    pitch_m: float = 1.0
    front_to_first_m: float = 1.5
    last_to_back_m: float = 1.5

    def __post_init__(self) -> None:
        if self.positions < 1:
            raise LayoutError(
                f"a block needs at least 1 position per aisle side, got {self.positions}"
            )
        if self.pitch_m <= 0:
            raise LayoutError(f"position pitch must be > 0 m, got {self.pitch_m}")
        if self.front_to_first_m <= 0 or self.last_to_back_m <= 0:
            raise LayoutError(
                "the first and last positions must lie strictly inside the block: "
                f"front_to_first_m={self.front_to_first_m}, last_to_back_m={self.last_to_back_m} "
                "must both be > 0"
            )

    @property
    def length_m(self) -> float:
        return self.front_to_first_m + (self.positions - 1) * self.pitch_m + self.last_to_back_m


@dataclass(frozen=True, slots=True)
class ZoneRule:
    """Assigns locations to a zone: those in ``aisles`` (all if None) and ``blocks`` (all if None)."""

    zone: Zone
    aisles: tuple[int, ...] | None = None
    blocks: tuple[int, ...] | None = None
    levels: tuple[int, ...] | None = None


@dataclass(frozen=True, eq=False)
class RectangularLayout:
    """A rectangular multi-block warehouse with its storage locations and named points.

    Attributes
    ----------
    aisle_x_m
        x of every aisle centre line, strictly increasing.
    cross_y_m
        y of every cross-aisle centre line, strictly increasing; ``len = n_blocks + 1``.
    points
        Named points (``depot`` at least; end points, pack stations, sort zone).
    depot, end
        Names of the default start point and end point (``end=None``: back to the depot).
    """

    name: str
    aisle_x_m: NDArray[np.float64]
    cross_y_m: NDArray[np.float64]
    locations: LocationTable
    points: Mapping[str, Point]
    depot: str = "depot"
    end: str | None = None
    pack_stations: tuple[str, ...] = ()
    sort_zone: str | None = None
    zones: tuple[Zone, ...] = ()
    kind: Literal["rectangular"] = field(default="rectangular", init=False)

    def __post_init__(self) -> None:
        ax = np.ascontiguousarray(self.aisle_x_m, dtype=np.float64)
        cy = np.ascontiguousarray(self.cross_y_m, dtype=np.float64)
        object.__setattr__(self, "aisle_x_m", ax)
        object.__setattr__(self, "cross_y_m", cy)
        if ax.ndim != 1 or ax.size < 1:
            raise LayoutError(f"layout {self.name!r}: needs at least one aisle")
        if np.any(np.diff(ax) <= 0):
            raise LayoutError(
                f"layout {self.name!r}: aisle x positions must be strictly increasing"
            )
        if cy.ndim != 1 or cy.size < 2:
            raise LayoutError(
                f"layout {self.name!r}: needs at least 2 cross aisles (front and back), got {cy.size}"
            )
        if np.any(np.diff(cy) <= 0):
            raise LayoutError(
                f"layout {self.name!r}: cross-aisle y positions must be strictly increasing"
            )
        locs = self.locations
        if len(locs) and (locs.aisle.min() < 0 or locs.aisle.max() >= ax.size):
            raise LayoutError(
                f"layout {self.name!r}: a location refers to an aisle outside 0..{ax.size - 1}"
            )
        if len(locs) and (locs.block.min() < 0 or locs.block.max() >= cy.size - 1):
            raise LayoutError(
                f"layout {self.name!r}: a location refers to a block outside 0..{cy.size - 2}"
            )
        for name in (self.depot, self.end, self.sort_zone, *self.pack_stations):
            if name is not None and name not in self.points:
                raise LayoutError(f"layout {self.name!r}: point {name!r} is named but not defined")
        for p in self.points.values():
            if p.cross_aisle >= cy.size:
                raise LayoutError(
                    f"layout {self.name!r}: point {p.name!r} is on cross aisle {p.cross_aisle}, "
                    f"but the layout has cross aisles 0..{cy.size - 1}"
                )
            if not ax[0] - _EPS <= p.x_m <= ax[-1] + _EPS:
                raise LayoutError(
                    f"layout {self.name!r}: point {p.name!r} at x={p.x_m} m lies outside the aisles "
                    f"({ax[0]}..{ax[-1]} m); place it on a cross aisle between the outer aisles"
                )

    # -- shape -------------------------------------------------------------------------------
    @property
    def n_aisles(self) -> int:
        return int(self.aisle_x_m.size)

    @property
    def n_blocks(self) -> int:
        return int(self.cross_y_m.size - 1)

    def point(self, name: str) -> Point:
        """The named point; raises :class:`LayoutError` listing the defined names if unknown."""
        try:
            return self.points[name]
        except KeyError:
            raise LayoutError(
                f"layout {self.name!r} has no point {name!r}; defined points: "
                f"{', '.join(sorted(self.points))}"
            ) from None

    # -- network points ----------------------------------------------------------------------
    def aisle_at(self, x_m: float) -> int:
        """Index of the aisle whose centre line is at ``x_m``, or -1."""
        k = int(np.searchsorted(self.aisle_x_m, x_m - _EPS))
        if k < self.n_aisles and abs(self.aisle_x_m[k] - x_m) <= _EPS:
            return k
        return -1

    def net_point_of_point(self, name: str) -> NetPoint:
        p = self.point(name)
        return NetPoint(
            p.x_m,
            float(self.cross_y_m[p.cross_aisle]),
            self.aisle_at(p.x_m),
            p.cross_aisle,
            p.offset_m,
            name,
        )

    def net_point_of_location(self, i: int) -> NetPoint:
        loc = self.locations
        return NetPoint(
            float(loc.x_m[i]), float(loc.y_m[i]), int(loc.aisle[i]), -1, 0.0, loc.ids[i]
        )

    # -- distances ---------------------------------------------------------------------------
    def distance(self, p: NetPoint, q: NetPoint) -> float:
        """Shortest walking distance between two network points (offsets included)."""
        return float(
            _k.pair_distance(
                p.x_m,
                p.y_m,
                p.aisle,
                p.offset_m,
                q.x_m,
                q.y_m,
                q.aisle,
                q.offset_m,
                self.aisle_x_m,
                self.cross_y_m,
            )
        )

    def distance_matrix(
        self,
        rows: Sequence[int] | NDArray[np.int64] | None = None,
        cols: Sequence[int] | NDArray[np.int64] | None = None,
    ) -> NDArray[np.float64]:
        """Shortest-path distances between storage locations, ``rows × cols`` (default: all).

        Closed form, compiled and parallel: 10,000 × 10,000 takes well under a second.
        """
        r = self._check_indices(rows, "rows")
        c = r if cols is None else self._check_indices(cols, "cols")
        loc = self.locations
        out = np.empty((r.size, c.size), dtype=np.float64)
        _k.location_matrix(
            loc.x_m[r],
            loc.y_m[r],
            loc.aisle[r],
            loc.block[r],
            loc.x_m[c],
            loc.y_m[c],
            loc.aisle[c],
            loc.block[c],
            self.cross_y_m,
            out,
        )
        return out

    def stop_matrix(self, picks: NDArray[np.int64], start: str, end: str) -> NDArray[np.float64]:
        """Distances among ``[start, *picks, end]`` (size ``len(picks) + 2``)."""
        pts = [self.net_point_of_point(start)]
        pts += [self.net_point_of_location(int(i)) for i in picks]
        pts.append(self.net_point_of_point(end))
        return _k.point_matrix(
            np.array([p.x_m for p in pts]),
            np.array([p.y_m for p in pts]),
            np.array([p.aisle for p in pts], dtype=np.int64),
            np.array([p.offset_m for p in pts]),
            self.aisle_x_m,
            self.cross_y_m,
        )

    def leg_waypoints(self, p: NetPoint, q: NetPoint) -> list[NetPoint]:
        """The corners of a shortest path from ``p`` to ``q`` (excluding both ends).

        Every sub-leg is a straight segment along one aisle or one cross aisle.
        """
        if p.aisle >= 0 and p.aisle == q.aisle:
            return []
        cy = self.cross_y_m
        if p.aisle < 0 and q.aisle < 0:
            if p.row == q.row:
                return []
            # Walk along p's cross aisle to an aisle, up/down it, then along q's cross aisle.
            lo, hi = min(p.x_m, q.x_m), max(p.x_m, q.x_m)
            k = int(
                np.argmin(np.maximum(0, lo - self.aisle_x_m) + np.maximum(0, self.aisle_x_m - hi))
            )
            return [self._corner(k, p.row), self._corner(k, q.row)]
        if p.aisle < 0:
            row = p.row
        elif q.aisle < 0:
            row = q.row
        else:
            costs = np.abs(p.y_m - cy) + np.abs(cy - q.y_m)
            row = int(np.argmin(costs))
        out: list[NetPoint] = []
        if p.aisle >= 0:
            out.append(self._corner(p.aisle, row))
        if q.aisle >= 0:
            out.append(self._corner(q.aisle, row))
        return out

    def net_point_at(self, x_m: float, y_m: float, label: str = "") -> NetPoint:
        """The network point at coordinates ``(x_m, y_m)`` (on an aisle or a cross aisle)."""
        rows = np.flatnonzero(np.abs(self.cross_y_m - y_m) <= _EPS)
        row = int(rows[0]) if rows.size else -1
        aisle = self.aisle_at(x_m)
        if aisle < 0 and row < 0:
            raise LayoutError(f"({x_m}, {y_m}) is neither on an aisle nor on a cross aisle")
        return NetPoint(x_m, y_m, aisle, row, 0.0, label)

    def walk_length(self, route: Route) -> float:
        """Length of walking ``route.stops`` in order along shortest paths, plus the end spurs."""
        if not route.stops:
            return 0.0
        pts = [self.net_point_at(s.x_m, s.y_m, s.location_id) for s in route.stops]
        total = sum(self.distance(a, b) for a, b in itertools.pairwise(pts))
        first, last = route.stops[0], route.stops[-1]
        if first.kind == "start":
            total += self.point(first.location_id).offset_m
        if last.kind == "end":
            total += self.point(last.location_id).offset_m
        return float(total)

    def stops_for_sequence(
        self, picks: NDArray[np.int64], order: Sequence[int], start: str, end: str, method: str
    ) -> Route:
        """The route visiting ``picks[order[0]], picks[order[1]], ...`` by shortest paths."""
        from wms.routing.base import RoutingProblem, rect_route_from_visits

        problem = RoutingProblem(self, picks, start, end)
        return rect_route_from_visits(problem, method, [("pick", int(k)) for k in order])

    def _corner(self, aisle: int, row: int) -> NetPoint:
        return NetPoint(
            float(self.aisle_x_m[aisle]),
            float(self.cross_y_m[row]),
            aisle,
            row,
            0.0,
            f"A{aisle:02d}/X{row}",
        )

    def _check_indices(
        self, idx: Sequence[int] | NDArray[np.int64] | None, what: str
    ) -> NDArray[np.int64]:
        n = len(self.locations)
        if idx is None:
            return np.arange(n, dtype=np.int64)
        arr = np.asarray(idx)
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise LayoutError(f"{what}: expected a 1-d array of integer location indices")
        arr = arr.astype(np.int64, copy=False)
        if arr.size and (arr.min() < 0 or arr.max() >= n):
            raise LayoutError(f"{what}: location index out of range 0..{n - 1}")
        return arr


def _pad(n: int) -> int:
    return max(2, len(str(max(n - 1, 0))))


def location_id(
    aisle: int,
    block: int,
    position: int,
    side: int,
    level: int,
    *,
    n_aisles: int,
    n_positions: int,
    levels: int,
) -> str:
    """The id of a storage location: ``A03-B1-P12-L`` (aisle, block, position, side[, level])."""
    base = f"A{aisle:0{_pad(n_aisles)}d}-B{block}-P{position:0{_pad(n_positions)}d}-{'LR'[side]}"
    return base if levels == 1 else f"{base}-{level}"


def build_rectangular(
    name: str,
    *,
    aisle_x_m: Sequence[float] | NDArray[np.float64],
    blocks: Sequence[BlockSpec],
    points: Sequence[Point],
    depot: str = "depot",
    end: str | None = None,
    sides: int = 2,
    levels: int = 1,
    zone_rules: Sequence[ZoneRule] = (),
    pack_stations: Sequence[str] = (),
    sort_zone: str | None = None,
    first_cross_aisle_y_m: float = 0.0,
) -> RectangularLayout:
    """Build a rectangular layout with every storage location generated from the block specs.

    Locations are enumerated aisle by aisle, block by block, position, side, level; ids follow
    :func:`location_id`. The first zone rule that matches a location gives its zone.
    """
    if sides not in (1, 2):
        raise LayoutError(f"layout {name!r}: sides must be 1 or 2, got {sides}")
    if levels < 1:
        raise LayoutError(f"layout {name!r}: levels must be >= 1, got {levels}")
    if not blocks:
        raise LayoutError(f"layout {name!r}: needs at least one block")
    ax = np.asarray(aisle_x_m, dtype=np.float64)
    cross_y = np.concatenate(
        [[first_cross_aisle_y_m], first_cross_aisle_y_m + np.cumsum([b.length_m for b in blocks])]
    )
    zones = tuple(dict.fromkeys(r.zone for r in zone_rules))
    zone_index = {z: i for i, z in enumerate(zones)}
    n_pos_max = max(b.positions for b in blocks)

    # Enumerate (aisle, block, position, side, level) in that nesting order, vectorised per block.
    parts: list[NDArray[np.int64]] = []
    for b, spec in enumerate(blocks):
        grid = np.indices((ax.size, 1, spec.positions, sides, levels)).reshape(5, -1)
        grid[1] = b
        parts.append(grid)
    a_, b_, p_, s_, l_ = np.concatenate(parts, axis=1)
    order = np.lexsort((l_, s_, p_, b_, a_))
    a_, b_, p_, s_, l_ = a_[order], b_[order], p_[order], s_[order], l_[order]
    firsts = np.array([cross_y[b] + spec.front_to_first_m for b, spec in enumerate(blocks)])
    pitches = np.array([spec.pitch_m for spec in blocks])
    y = firsts[b_] + p_ * pitches[b_]
    z = np.full(a_.size, -1, dtype=np.int64)
    for rule in reversed(zone_rules):  # the first matching rule wins, so apply it last
        hit = np.ones(a_.size, dtype=bool)
        if rule.aisles is not None:
            hit &= np.isin(a_, rule.aisles)
        if rule.blocks is not None:
            hit &= np.isin(b_, rule.blocks)
        if rule.levels is not None:
            hit &= np.isin(l_, rule.levels)
        z[hit] = zone_index[rule.zone]
    ids = [
        location_id(
            int(a),
            int(b),
            int(p),
            int(sd),
            int(lv),
            n_aisles=ax.size,
            n_positions=n_pos_max,
            levels=levels,
        )
        for a, b, p, sd, lv in zip(a_, b_, p_, s_, l_, strict=True)
    ]
    table = make_table(
        ids,
        ax[a_],
        y,
        aisle=a_,
        block=b_,
        position=p_,
        side=s_.astype(np.int8),
        level=l_.astype(np.int16),
        zone=z,
        zone_names=[zn.name for zn in zones],
    )
    return RectangularLayout(
        name=name,
        aisle_x_m=ax,
        cross_y_m=cross_y,
        locations=table,
        points={p.name: p for p in points},
        depot=depot,
        end=end,
        pack_stations=tuple(pack_stations),
        sort_zone=sort_zone,
        zones=zones,
    )
