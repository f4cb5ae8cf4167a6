"""Picker routing as a TSP on the shortest-path metric: works on every layout kind.

The pick list, its start and its end become a matrix ``layout.stop_matrix(picks, start, end)`` of
shortest walking distances (rows = from, so one-way aisles give an asymmetric matrix). The shortest
path ``start -> every pick -> end`` on that matrix is the shortest route (a closed tour when start
and end are the same point). Two methods solve it:

``tsp``
    Compiled iterated local search (2-opt and Or-opt with directed costs, segment-swap kicks),
    deterministic for a given seed and iteration budget; lists of up to
    :data:`EXACT_MAX_PICKS` distinct stops are solved exactly by Held-Karp.
``tsp_ortools``
    OR-Tools routing with guided local search under a time limit: a reference, slower.

The route itself is built by ``layout.stops_for_sequence`` so its stops can be walked as listed.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray

from wms.errors import RoutingError
from wms.model import Route
from wms.routing import _local_search as _ls
from wms.routing.base import PickLists, RoutingMethod, RoutingProblem

#: Pick lists with at most this many distinct stops are solved exactly (Held-Karp, 2^k k^2).
EXACT_MAX_PICKS = 12
#: Kicks of the iterated local search per route by default (see :func:`default_iterations`).
DEFAULT_ITERATIONS = 300
#: Kicks exchange two adjacent segments of at most this many stops each (8 beat 2, 3 and 5 on
#: 30-pick lists at equal budget; 12 was no better).
KICK_SEGMENT = 8
#: Default time limit of :func:`tsp_ortools_route` (seconds).
ORTOOLS_TIME_LIMIT_S = 1.0


def default_iterations(n_picks: int) -> int:
    """Kick budget for ``n_picks`` stops: :data:`DEFAULT_ITERATIONS` up to 400, then shrinking.

    A kick re-optimises only the nodes around it, so it costs O(n) (about 10 us at 30 stops, 130 us
    at 400): the default budget keeps a route of 400 stops near 40 ms. Above that the budget
    shrinks as ``1 / n`` (never below 50 kicks) to hold the time roughly constant. Measured on a
    30-aisle 3-block warehouse against the exact optimum: 0 % mean gap at 30-60 picks, about
    0.3-0.5 % at 100-200 and 0.9-1.5 % at 400 (a few lists each).
    """
    if n_picks <= 400:
        return DEFAULT_ITERATIONS
    return max(50, DEFAULT_ITERATIONS * 400 // n_picks)


def _check_matrix(d: NDArray[np.float64]) -> NDArray[np.float64]:
    arr = np.asarray(d)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] < 2:
        raise RoutingError(
            f"expected a square (k+2) x (k+2) stop matrix with the start first and the end last, "
            f"got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.number):
        raise RoutingError(f"the stop matrix must be numeric, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        i, j = np.argwhere(~np.isfinite(arr))[0]
        raise RoutingError(f"stop matrix entry [{i}, {j}] is {arr[i, j]}: distances must be finite")
    return arr


def solve_tsp(
    d: NDArray[np.float64],
    *,
    time_limit_s: float | None = None,
    seed: int = 0,
    iterations: int | None = None,
    exact_max: int = EXACT_MAX_PICKS,
) -> tuple[NDArray[np.int64], float]:
    """Shortest path from row 0 through every inner row to the last row of ``d``.

    Parameters
    ----------
    d
        ``(k+2) x (k+2)`` cost matrix, ``d[i, j]`` from ``i`` to ``j`` (asymmetric allowed): the
        start is row 0, the end row ``k+1``, pick ``p`` is row ``p+1``.
    time_limit_s
        Optional wall-clock cap on the local search, checked every few kicks. ``None`` (default)
        makes the result depend only on ``d``, ``seed`` and ``iterations``.
    seed
        Seed of the kick generator; the same seed gives the same result, bit for bit.
    iterations
        Number of kicks (default :func:`default_iterations`).
    exact_max
        Solve exactly (Held-Karp) when ``k <= exact_max`` (at most 14).

    Returns
    -------
    order : ndarray of int64
        The picks ``0..k-1`` in visiting order.
    length : float
        Cost of the path ``0 -> order + 1 -> k + 1``.
    """
    dm = _check_matrix(d)
    if not 0 <= exact_max <= 14:
        raise RoutingError(
            f"exact_max must be in 0..14 (Held-Karp memory is 2^k k), got {exact_max}"
        )
    if iterations is not None and iterations < 0:
        raise RoutingError(f"iterations must be >= 0, got {iterations}")
    if time_limit_s is not None and time_limit_s <= 0:
        raise RoutingError(f"time_limit_s must be > 0, got {time_limit_s}")
    n = dm.shape[0]
    k = n - 2
    if k <= max(exact_max, 3):  # kicks need at least 3 inner stops to change anything
        path, _ = _ls.held_karp(dm)
    else:
        path = _ils(
            dm, time_limit_s, seed, default_iterations(k) if iterations is None else iterations
        )
    return path[1:-1] - 1, float(_ls.path_cost(dm, path))


def _ils(
    d: NDArray[np.float64], time_limit_s: float | None, seed: int, iterations: int
) -> NDArray[np.int64]:
    t0 = time.perf_counter()
    state = np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)
    cur = _ls.nearest_neighbour(d)
    _ls.local_search(d, cur)
    best = cur.copy()
    if time_limit_s is None:
        _ls.iterated_local_search(d, cur, best, state, iterations, KICK_SEGMENT)
        return best
    done = 0
    chunk = 25
    while done < iterations and time.perf_counter() - t0 < time_limit_s:
        step = min(chunk, iterations - done)
        _ls.iterated_local_search(d, cur, best, state, step, KICK_SEGMENT)
        done += step
    return best


def _collapse(d: NDArray[np.float64]) -> tuple[NDArray[np.float64], list[list[int]]]:
    """Merge picks at the same place (zero distance both ways) into one stop.

    Valid for shortest-path metrics: by the triangle inequality some shortest route visits
    coinciding picks one after the other. Returns the reduced matrix and, for each reduced inner
    stop, the original pick positions it stands for.
    """
    inner = d[1:-1, 1:-1]
    if inner.shape[0] < 2:
        return d, [[p] for p in range(inner.shape[0])]
    same = (inner == 0.0) & (inner.T == 0.0)
    rep = np.argmax(same, axis=1)  # first pick at the same place (itself at least: zero diagonal)
    groups: dict[int, list[int]] = {}
    for p, r in enumerate(rep.tolist()):
        groups.setdefault(int(r), []).append(p)
    if len(groups) == inner.shape[0]:
        return d, [[p] for p in range(inner.shape[0])]
    keep = np.array([0, *(r + 1 for r in groups), d.shape[0] - 1], dtype=np.int64)
    return d[np.ix_(keep, keep)], list(groups.values())


def _expand(order: NDArray[np.int64], groups: list[list[int]]) -> list[int]:
    return [p for g in order.tolist() for p in groups[g]]


def _solve_problem(
    problem: RoutingProblem, time_limit_s: float | None, seed: int, iterations: int | None
) -> tuple[list[int], float]:
    d = problem.layout.stop_matrix(problem.picks, problem.start_name, problem.end_name)
    reduced, groups = _collapse(d)
    order, length = solve_tsp(reduced, time_limit_s=time_limit_s, seed=seed, iterations=iterations)
    return _expand(order, groups), length


def tsp_route(
    problem: RoutingProblem,
    *,
    time_limit_s: float | None = None,
    seed: int = 0,
    iterations: int | None = None,
) -> Route:
    """Route ``problem`` by the compiled TSP local search (method ``"tsp"``).

    Exact for up to :data:`EXACT_MAX_PICKS` distinct pick places; see :func:`solve_tsp` for the
    parameters. Works on rectangular and graph layouts, one-way edges included.
    """
    order, _ = _solve_problem(problem, time_limit_s, seed, iterations)
    return problem.layout.stops_for_sequence(
        problem.picks, order, problem.start_name, problem.end_name, "tsp"
    )


# -- OR-Tools ------------------------------------------------------------------------------------


def solve_tsp_ortools(
    d: NDArray[np.float64],
    *,
    time_limit_s: float = ORTOOLS_TIME_LIMIT_S,
    scale: float = 1000.0,
    exact_max: int = 8,
) -> tuple[NDArray[np.int64], float]:
    """Shortest path ``0 -> inner rows -> last row`` by OR-Tools guided local search.

    Arc costs are rounded to ``1/scale`` metres (millimetres by default) for OR-Tools' integer
    model; the returned length is recomputed on ``d``. Lists with at most ``exact_max`` picks are
    solved by Held-Karp instead (guided local search would spend its whole time limit on them).
    Not bit-for-bit reproducible: the search stops on wall-clock time.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    dm = _check_matrix(d)
    n = dm.shape[0]
    k = n - 2
    if k <= min(exact_max, 14):
        path, _ = _ls.held_karp(dm)
        return path[1:-1] - 1, float(_ls.path_cost(dm, path))
    if np.any(dm < 0):
        raise RoutingError("OR-Tools needs non-negative arc costs")
    cost = np.rint(dm * scale)
    if cost.max() * n >= 2**62:
        raise RoutingError(f"distances too large for OR-Tools at scale {scale}: lower the scale")
    manager = pywrapcp.RoutingIndexManager(n, 1, [0], [n - 1])
    model = pywrapcp.RoutingModel(manager)
    transit = model.RegisterTransitMatrix(cost.astype(np.int64).tolist())
    model.SetArcCostEvaluatorOfAllVehicles(transit)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    solution = model.SolveWithParameters(params)
    if solution is None:  # pragma: no cover - a complete graph always has a solution
        raise RoutingError("OR-Tools found no route")
    visits = [0]
    index = solution.Value(model.NextVar(model.Start(0)))
    while not model.IsEnd(index):
        visits.append(manager.IndexToNode(index))
        index = solution.Value(model.NextVar(index))
    visits.append(n - 1)
    arr = np.asarray(visits, dtype=np.int64)
    return arr[1:-1] - 1, float(_ls.path_cost(dm, arr))


def tsp_ortools_route(
    problem: RoutingProblem, *, time_limit_s: float = ORTOOLS_TIME_LIMIT_S
) -> Route:
    """Route ``problem`` with OR-Tools guided local search (method ``"tsp_ortools"``)."""
    d = problem.layout.stop_matrix(problem.picks, problem.start_name, problem.end_name)
    reduced, groups = _collapse(d)
    order, _ = solve_tsp_ortools(reduced, time_limit_s=time_limit_s)
    return problem.layout.stops_for_sequence(
        problem.picks, _expand(order, groups), problem.start_name, problem.end_name, "tsp_ortools"
    )


# -- registry ------------------------------------------------------------------------------------


def _route_tsp(problem: RoutingProblem) -> Route:
    return tsp_route(problem)


def _lengths_tsp(
    layout: object, pick_lists: PickLists, start: str | None, end: str | None
) -> NDArray[np.float64]:
    out = np.empty(len(pick_lists))
    for k in range(len(pick_lists)):
        problem = RoutingProblem(layout, pick_lists[k], start, end)  # type: ignore[arg-type]
        out[k] = _solve_problem(problem, None, 0, None)[1]
    return out


def _route_ortools(problem: RoutingProblem) -> Route:
    return tsp_ortools_route(problem)


METHODS: tuple[RoutingMethod, ...] = (
    RoutingMethod(
        name="tsp",
        summary="TSP on the shortest-path metric: compiled iterated local search "
        "(exact up to 12 stops); any layout, one-way aisles included",
        route=_route_tsp,
        lengths=_lengths_tsp,
        exact=False,
        layouts=frozenset({"rectangular", "graph"}),
    ),
    RoutingMethod(
        name="tsp_ortools",
        summary="TSP on the shortest-path metric by OR-Tools guided local search "
        f"({ORTOOLS_TIME_LIMIT_S:g} s per route); any layout",
        route=_route_ortools,
        exact=False,
        layouts=frozenset({"rectangular", "graph"}),
    ),
)
