"""Exact picker routing in rectangular warehouses with one or more blocks.

The method (Ratliff & Rosenthal 1983 for one block; Roodbergen & de Koster 2001 and Pansart,
Catusse & Cambazard 2018 for several) rests on one fact: a shortest walk from the start through
every pick to the end is an Euler walk of a minimum-length connected multigraph on the aisle
network in which every edge is used 0, 1 or 2 times, every pick, the start and the end are
touched, and every vertex has even degree except the start and the end (odd when they differ).

A left-to-right sweep over the aisles builds that graph one sub-aisle and one cross-aisle edge at a
time, remembering only the *frontier*: per cross aisle, untouched or the degree parity and the
component. The frontier state machine is built once per number of cross aisles
(:mod:`wms.routing._automaton`); the sweep is a compiled min-plus recursion over its tables
(:mod:`wms.routing._dp_kernels`). Closed tours in single-block warehouses, the most common case,
use a hand-written kernel with Ratliff & Rosenthal's seven classes instead (about 4x faster).

:func:`optimal_route` rebuilds the graph from the back-pointers and walks it (an Euler walk) to list
the stops; :func:`optimal_lengths` computes only the lengths, many pick lists in one compiled call.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from wms.errors import RoutingError
from wms.layout.rectangular import RectangularLayout
from wms.model import Point, Route
from wms.routing import _automaton as _am
from wms.routing import _dp_kernels as _k
from wms.routing.base import (
    PickLists,
    RectBatch,
    RoutingMethod,
    RoutingProblem,
    Visit,
    rect_batch,
    rect_route_from_visits,
)

_EPS = 1e-9

__all__ = ["METHODS", "optimal_lengths", "optimal_route"]


# -- the sweep's columns --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Columns:
    """The columns a sweep visits: every aisle plus a virtual column per off-aisle start/end x.

    ``hkind[c, i]`` is the automaton step kind for the horizontal step leaving vertex ``(c, i)``.
    """

    x: NDArray[np.float64]
    aisle: NDArray[np.int64]
    aisle_col: NDArray[np.int64]
    hkind: NDArray[np.int64]
    start: tuple[int, int]
    end: tuple[int, int]

    @property
    def same_place(self) -> bool:
        return self.start == self.end

    @property
    def span(self) -> tuple[int, int]:
        """The columns the start and end need, widened to the nearest aisles on both sides.

        The sweep may skip the columns outside ``span`` and outside the pick aisles: whatever a
        walk does beyond the outermost aisle it needs, it can do cheaper in that aisle. A virtual
        column has no sub-aisles, so the outermost column must be a real aisle.
        """
        real = np.flatnonzero(self.aisle >= 0)
        lo, hi = sorted((self.start[0], self.end[0]))
        return int(real[real <= lo].max()), int(real[real >= hi].min())


@functools.lru_cache(maxsize=64)
def _columns(layout: RectangularLayout, start: Point, end: Point) -> _Columns:
    """Column set-up for a (layout, start, end); cached because batching calls it thousands of
    times with the same arguments (layouts are immutable and hash by identity)."""
    m = layout.cross_y_m.size
    entries: dict[float, int] = {float(x): a for a, x in enumerate(layout.aisle_x_m)}
    for p in (start, end):
        if layout.aisle_at(p.x_m) < 0 and all(abs(p.x_m - x) > _EPS for x in entries):
            entries[float(p.x_m)] = -1
    xs = sorted(entries)
    aisle = np.array([entries[x] for x in xs], dtype=np.int64)
    aisle_col = np.empty(layout.n_aisles, dtype=np.int64)
    aisle_col[aisle[aisle >= 0]] = np.flatnonzero(aisle >= 0)

    def col_of(p: Point) -> int:
        return int(np.argmin(np.abs(np.array(xs) - p.x_m)))

    s = (col_of(start), start.cross_aisle)
    e = (col_of(end), end.cross_aisle)
    ends = np.zeros((len(xs), m), dtype=np.int64)
    ends[s] += 1
    ends[e] += 1
    # _am.horizontal_kind for every vertex: required when a start/end stands there, odd target
    # degree when exactly one of them does.
    hkind = (m - 1) + 4 * np.arange(m)[None, :] + 2 * (ends > 0) + ends % 2
    arrays = (np.array(xs), aisle, aisle_col, hkind.astype(np.int64))
    for arr in arrays:
        arr.flags.writeable = False  # shared through the cache
    return _Columns(*arrays, s, e)


def _automaton(layout: RectangularLayout) -> _am.Automaton:
    m = int(layout.cross_y_m.size)
    if m > _am.MAX_ROWS:
        raise RoutingError(
            f"routing method 'optimal' handles up to {_am.MAX_ROWS - 1} blocks, layout "
            f"{layout.name!r} has {m - 1}; use the 'tsp' method or a heuristic instead"
        )
    return _am.build_automaton(m)


def _rectangular(layout: object) -> RectangularLayout:
    if not isinstance(layout, RectangularLayout):
        raise RoutingError(
            f"routing method 'optimal' needs a rectangular layout, got {type(layout).__name__}; "
            "use 'tsp' for graph layouts"
        )
    return layout


# -- batch API ------------------------------------------------------------------------------------


def optimal_lengths(
    layout: RectangularLayout,
    pick_lists: PickLists,
    start: str | None = None,
    end: str | None = None,
) -> NDArray[np.float64]:
    """Shortest route lengths (m) of many pick lists, computed in one compiled call.

    Parameters
    ----------
    layout
        A rectangular layout (any number of blocks up to the automaton's limit).
    pick_lists
        The pick lists as location indices in CSR form (repeated locations are allowed).
    start, end
        Point names; ``None`` means the layout's depot and default end.

    Returns
    -------
    numpy.ndarray
        ``float64[len(pick_lists)]``: the length of a shortest walk from ``start`` through every
        pick of the list to ``end``, including the start and end spurs (``offset_m``).

    Raises
    ------
    RoutingError
        If the layout is not rectangular, has too many blocks, or an index is out of range.
    """
    layout = _rectangular(layout)
    if not isinstance(pick_lists, PickLists):
        raise RoutingError(f"pick_lists must be a PickLists, got {type(pick_lists).__name__}")
    batch = rect_batch(layout, pick_lists, start, end)  # checks the indices and point names
    cols = _columns(
        layout,
        Point("start", batch.start_x, batch.start_row, batch.start_offset),
        Point("end", batch.end_x, batch.end_row, batch.end_offset),
    )
    if layout.n_blocks == 1 and cols.same_place:
        return _one_block_lengths(batch, cols)
    return _generic_lengths(layout, batch, cols)


def _generic_lengths(
    layout: RectangularLayout, batch: RectBatch, cols: _Columns
) -> NDArray[np.float64]:
    """The automaton kernel (any number of blocks, any start and end)."""
    auto = _automaton(layout)
    out = np.empty(batch.indptr.size - 1, dtype=np.float64)
    _k.batch_lengths(
        batch.cross_y, cols.x, cols.aisle, cols.aisle_col, cols.hkind, *cols.span,
        cols.same_place, float(batch.start_offset + batch.end_offset),
        batch.indptr, batch.pick_aisle, batch.pick_y, auto.next_state, auto.init, auto.done, out,
    )  # fmt: skip
    return out


def _one_block_lengths(batch: RectBatch, cols: _Columns) -> NDArray[np.float64]:
    """The hand-written single-block kernel for closed tours (start and end at one place)."""
    if batch.cross_y.size != 2 or not cols.same_place:
        raise ValueError("the single-block kernel needs one block and start == end")
    out = np.empty(batch.indptr.size - 1, dtype=np.float64)
    _k.batch_lengths_one_block(
        batch.cross_y, cols.x, cols.aisle, cols.aisle_col, *cols.start, *cols.span,
        float(batch.start_offset + batch.end_offset),
        batch.indptr, batch.pick_aisle, batch.pick_y, out,
    )  # fmt: skip
    return out


# -- one route with its stops ---------------------------------------------------------------------

Node = tuple[int, int]  # (column, row)


@dataclass
class _Edge:
    """An edge of the route multigraph; ``groups`` are the pick groups met walking ``u`` -> ``v``.

    A self-loop (``u == v``) is an excursion into a sub-aisle and back; its groups are listed in
    walking order from the corner.
    """

    u: Node
    v: Node
    groups: tuple[int, ...] = ()


def _pick_groups(
    layout: RectangularLayout, picks: NDArray[np.int64], cols: _Columns
) -> tuple[dict[tuple[int, int], list[int]], list[float], list[list[int]]]:
    """Group picks by place: per sub-aisle ``(column, block)`` the group ids sorted by y."""
    loc = layout.locations
    by_place: dict[tuple[int, int, float], list[int]] = defaultdict(list)
    for k, i in enumerate(picks):
        by_place[int(loc.aisle[i]), int(loc.block[i]), float(loc.y_m[i])].append(k)
    group_y: list[float] = []
    members: list[list[int]] = []
    per_sub: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (a, b, y), ks in sorted(by_place.items()):
        per_sub[int(cols.aisle_col[a]), b].append(len(group_y))
        group_y.append(y)
        members.append(ks)
    return per_sub, group_y, members


def optimal_route(problem: RoutingProblem) -> Route:
    """A shortest route for one pick list, with its stops in walking order.

    Parameters
    ----------
    problem
        The pick list, on a rectangular layout.

    Returns
    -------
    Route
        Method ``"optimal"``; every pick appears once as a ``"pick"`` stop (at its first pass),
        ``"waypoint"`` stops mark the corners where the walk turns, consecutive stops are joined
        by straight segments, and ``length_m`` (the sum of the legs plus the start and end spurs)
        equals :func:`optimal_lengths` for the same list.

    Raises
    ------
    RoutingError
        If the layout is not rectangular or has more blocks than the state machine supports.
    """
    layout = _rectangular(problem.layout)
    s_pt, e_pt = layout.point(problem.start_name), layout.point(problem.end_name)
    cols = _columns(layout, s_pt, e_pt)
    if problem.picks.size == 0:
        visits: list[Visit] = []
        return rect_route_from_visits(problem, "optimal", visits)
    auto = _automaton(layout)
    cy = layout.cross_y_m
    m = cy.size
    per_sub, group_y, members = _pick_groups(layout, problem.picks, cols)

    pick_cols = [c for (c, _b) in per_sub]
    lo = min(cols.span[0], *pick_cols)
    hi = max(cols.span[1], *pick_cols)

    # The sweep as an explicit list of steps: (kind, costs, what the step is).
    kinds: list[int] = []
    costs: list[list[float]] = []
    what: list[tuple[str, int, int]] = []
    inf = np.inf
    for c in range(lo, hi + 1):
        if cols.aisle[c] >= 0:
            for b in range(m - 1):
                y_lo, y_hi = float(cy[b]), float(cy[b + 1])
                length = y_hi - y_lo
                gs = per_sub.get((c, b), [])
                if not gs:
                    row = [0.0, length, 2 * length, inf, inf, inf]
                else:
                    ys = [group_y[g] for g in gs]
                    gap = max((q - p for p, q in itertools.pairwise(ys)), default=0.0)
                    row = [
                        inf, length, 2 * length, 2 * (y_hi - ys[0]), 2 * (ys[-1] - y_lo),
                        2 * (length - gap) if gap > 0 else inf,
                    ]  # fmt: skip
                kinds.append(b)
                costs.append(row)
                what.append(("v", c, b))
        dx = float(cols.x[c + 1] - cols.x[c]) if c < hi else inf
        for i in range(m):
            kinds.append(int(cols.hkind[c, i]))
            costs.append([0.0, dx, 2 * dx, inf, inf, inf])
            what.append(("h", c, i))
    step_kind = np.array(kinds, dtype=np.int64)
    step_cost = np.array(costs, dtype=np.float64)
    n_steps = step_kind.size
    pred_state = np.full((n_steps, auto.n_states), -1, dtype=np.int32)
    pred_option = np.full((n_steps, auto.n_states), -1, dtype=np.int8)
    best = _k.solve_steps(
        auto.next_state, auto.init, auto.done, step_kind, step_cost, pred_state, pred_option
    )
    if not np.isfinite(best):  # pragma: no cover - the graph always has a tour
        raise RuntimeError("optimal routing found no tour: this is a bug, please report it")
    options = np.empty(n_steps, dtype=np.int64)
    state = auto.done
    for t in range(n_steps - 1, -1, -1):
        options[t] = pred_option[t, state]
        state = int(pred_state[t, state])
    assert state == auto.init

    edges = _route_edges(what, options, per_sub, group_y)
    edges = _straighten_virtual(edges, cols)
    visits = _euler_visits(edges, cols, members)
    route = rect_route_from_visits(problem, "optimal", visits)
    expected = best + s_pt.offset_m + e_pt.offset_m
    if abs(route.length_m - expected) > 1e-6 * max(1.0, expected):  # pragma: no cover
        raise RuntimeError(
            f"optimal routing rebuilt a walk of {route.length_m} m for an optimum of {expected} m: "
            "this is a bug, please report it"
        )
    return route


def _route_edges(
    what: list[tuple[str, int, int]],
    options: NDArray[np.int64],
    per_sub: dict[tuple[int, int], list[int]],
    group_y: list[float],
) -> list[_Edge]:
    """The multigraph chosen by the sweep, as edges between (column, row) vertices."""
    edges: list[_Edge] = []
    for (step, c, j), o in zip(what, options, strict=True):
        if step == "h":
            edges += [_Edge((c, j), (c + 1, j)) for _ in range(int(o))]
            continue
        lo, hi = (c, j), (c, j + 1)
        gs = per_sub.get((c, j), [])
        if o == _am.OPT_SINGLE:
            edges.append(_Edge(lo, hi, tuple(gs)))
        elif o == _am.OPT_DOUBLE:
            edges += [_Edge(lo, hi, tuple(gs)), _Edge(lo, hi, tuple(gs))]
        elif o == _am.OPT_UPPER:
            edges.append(_Edge(hi, hi, tuple(reversed(gs))))
        elif o == _am.OPT_LOWER:
            edges.append(_Edge(lo, lo, tuple(gs)))
        elif o == _am.OPT_GAP:
            ys = [group_y[g] for g in gs]
            cut = max(range(1, len(gs)), key=lambda r: ys[r] - ys[r - 1])
            edges.append(_Edge(lo, lo, tuple(gs[:cut])))
            edges.append(_Edge(hi, hi, tuple(reversed(gs[cut:]))))
    return edges


def _straighten_virtual(edges: list[_Edge], cols: _Columns) -> list[_Edge]:
    """Join the edges through each virtual vertex in left/right pairs.

    A virtual vertex (a start or end point between two aisles, or a cross-aisle point beside one)
    is not a corner the walk can be told to pass, so a walk must never turn back there: pairing each
    edge from the left with one to the right makes every pass straight. Only the walk's own ends
    keep an edge at the vertex.
    """
    for c in np.flatnonzero(cols.aisle < 0):
        for i in range(cols.hkind.shape[1]):
            v = (int(c), i)
            left = [e for e in edges if e.v == v and e.u != v]
            right = [e for e in edges if e.u == v and e.v != v]
            if not left and not right:
                continue
            ends = (cols.start == v) + (cols.end == v)
            n_pairs = min((len(left) + len(right) - ends) // 2, len(left), len(right))
            if n_pairs <= 0:
                continue
            drop = {id(e) for e in left[:n_pairs] + right[:n_pairs]}
            joined = [_Edge(a.u, b.v) for a, b in zip(left[:n_pairs], right[:n_pairs], strict=True)]
            edges = [e for e in edges if id(e) not in drop] + joined
    return edges


def _euler_visits(edges: list[_Edge], cols: _Columns, members: list[list[int]]) -> list[Visit]:
    """Walk every edge once from the start vertex (Hierholzer) and list picks and corners."""
    adj: dict[Node, list[int]] = defaultdict(list)
    for k, e in enumerate(edges):
        adj[e.u].append(k)
        if e.v != e.u:
            adj[e.v].append(k)
    used = [False] * len(edges)
    stack: list[tuple[Node, int]] = [(cols.start, -1)]
    walk: list[tuple[Node, int]] = []
    while stack:
        node, _ = stack[-1]
        free = adj[node]
        while free and used[free[-1]]:
            free.pop()
        if free:
            k = free.pop()
            used[k] = True
            e = edges[k]
            stack.append((e.v if e.u == node else e.u, k))
        else:
            walk.append(stack.pop())
    walk.reverse()
    assert all(used) and walk[-1][0] == cols.end, "the route multigraph is not an Euler walk"

    visits: list[Visit] = []
    picked = [False] * len(members)
    for (prev, _), (node, k) in itertools.pairwise(walk):
        e = edges[k]
        groups = e.groups if e.u == prev else tuple(reversed(e.groups))
        for g in groups:
            if not picked[g]:
                picked[g] = True
                visits += [("pick", p) for p in members[g]]
        aisle = int(cols.aisle[node[0]])
        if aisle >= 0:
            visits.append(("corner", aisle, node[1]))
    assert all(picked)
    # The walk ends at the end point's vertex: the end stop itself follows.
    if visits and visits[-1][0] == "corner" and (cols.aisle[cols.end[0]] >= 0):
        visits.pop()
    return visits


def _lengths(
    layout: object, pick_lists: PickLists, start: str | None, end: str | None
) -> NDArray[np.float64]:
    return optimal_lengths(_rectangular(layout), pick_lists, start, end)


METHODS: tuple[RoutingMethod, ...] = (
    RoutingMethod(
        name="optimal",
        summary="shortest route (exact sweep over the aisles; rectangular layouts, any blocks)",
        route=optimal_route,
        lengths=_lengths,
        exact=True,
        layouts=frozenset({"rectangular"}),
    ),
)
