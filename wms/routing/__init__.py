"""Picker routing: one call signature for every method, a registry of names, and a batch API.

>>> from wms.routing import route, route_many, METHODS
>>> sorted(METHODS)  # doctest: +SKIP
['combined', 'combined_plus', 'largest_gap', 'midpoint', 'optimal', 'return', 's_shape', 'tsp']

``route(problem, method)`` returns a :class:`~wms.model.Route` (stops in walking order, length);
``route_many(layout, pick_lists, method)`` returns the lengths of many pick lists at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, overload

import numpy as np
from numpy.typing import NDArray

from wms.errors import RoutingError
from wms.model import Route
from wms.routing import heuristics as _heuristics
from wms.routing import optimal as _optimal
from wms.routing import tsp as _tsp
from wms.routing.base import PickLists as PickLists
from wms.routing.base import RoutingMethod as RoutingMethod
from wms.routing.base import RoutingProblem as RoutingProblem

METHODS: dict[str, RoutingMethod] = {
    m.name: m for mod in (_heuristics, _optimal, _tsp) for m in mod.METHODS
}


def get_method(name: str) -> RoutingMethod:
    """The routing method called ``name``; ``ValueError`` lists the valid names if unknown."""
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(
            f"unknown routing method {name!r}; choose one of: {', '.join(sorted(METHODS))}"
        ) from None


def _check_kind(method: RoutingMethod, kind: str) -> None:
    if kind not in method.layouts:
        served = sorted(n for n, m in METHODS.items() if kind in m.layouts)
        raise RoutingError(
            f"routing method {method.name!r} does not apply to {kind} layouts; "
            f"use one of: {', '.join(served)}"
        )


def route(problem: RoutingProblem, method: str = "optimal") -> Route:
    """Route one pick list with the named method."""
    m = get_method(method)
    _check_kind(m, problem.layout.kind)
    return m.route(problem)


@overload
def route_many(
    layout: object,
    pick_lists: PickLists | Sequence[Sequence[int]],
    method: str = ...,
    start: str | None = ...,
    end: str | None = ...,
    *,
    return_sequences: Literal[False] = ...,
) -> NDArray[np.float64]: ...


@overload
def route_many(
    layout: object,
    pick_lists: PickLists | Sequence[Sequence[int]],
    method: str = ...,
    start: str | None = ...,
    end: str | None = ...,
    *,
    return_sequences: Literal[True],
) -> tuple[NDArray[np.float64], list[NDArray[np.int64]]]: ...


def route_many(
    layout: object,
    pick_lists: PickLists | Sequence[Sequence[int]],
    method: str = "optimal",
    start: str | None = None,
    end: str | None = None,
    *,
    return_sequences: bool = False,
) -> NDArray[np.float64] | tuple[NDArray[np.float64], list[NDArray[np.int64]]]:
    """Route lengths (m) of many pick lists in one call; compiled where the method allows.

    With ``return_sequences=True`` also returns, per list, the positions of its picks in visiting
    order (``lists[k][seq[k]]`` are the locations in walking order). Lengths alone take the
    compiled path; sequences need each walk rebuilt and cost about a millisecond per list.
    """
    m = get_method(method)
    kind = getattr(layout, "kind", None)
    if kind is None:
        raise RoutingError(f"expected a layout, got {type(layout).__name__}")
    _check_kind(m, kind)
    lists = pick_lists if isinstance(pick_lists, PickLists) else PickLists.from_lists(pick_lists)
    lists.check(len(layout.locations))  # type: ignore[attr-defined]
    if return_sequences:
        routes = [
            m.route(RoutingProblem(layout, lists[k], start, end))  # type: ignore[arg-type]
            for k in range(len(lists))
        ]
        lengths = np.array([r.length_m for r in routes], dtype=np.float64)
        return lengths, [np.asarray(r.pick_sequence, dtype=np.int64) for r in routes]
    if m.lengths is not None:
        return m.lengths(layout, lists, start, end)  # type: ignore[arg-type]
    out = np.empty(len(lists))
    for k in range(len(lists)):
        out[k] = m.route(RoutingProblem(layout, lists[k], start, end)).length_m  # type: ignore[arg-type]
    return out


def route_all(
    layout: object,
    pick_lists: PickLists | Sequence[Sequence[int]],
    method: str = "optimal",
    start: str | None = None,
    end: str | None = None,
) -> list[Route]:
    """Full routes (stops in walking order) of many pick lists."""
    m = get_method(method)
    lists = pick_lists if isinstance(pick_lists, PickLists) else PickLists.from_lists(pick_lists)
    return [route(RoutingProblem(layout, lists[k], start, end), m.name) for k in range(len(lists))]  # type: ignore[arg-type]
