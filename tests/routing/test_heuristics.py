"""Routing heuristics on rectangular layouts (:mod:`wms.routing.heuristics`).

Three lengths must agree on every instance: the compiled batch kernel, the route built from the
heuristic's visits, and walking that route's stops along shortest paths. Every heuristic is at
least as long as the shortest route (Held-Karp on the stop matrix). Small hand-computed cases pin
each definition. All test layouts have coordinates that are exact binary fractions (multiples of
0.5 m), so lengths are compared exactly.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import henn_layout, multi_block_layout
from tests.naive import held_karp
from wms.errors import RoutingError
from wms.layout import BlockSpec, RectangularLayout, build_rectangular
from wms.model import Point
from wms.routing import METHODS, PickLists, RoutingProblem, route, route_many
from wms.routing import heuristics as heur
from wms.routing.base import walk_length

NAMES = ("s_shape", "return", "midpoint", "largest_gap", "combined", "combined_plus")


def _scenarios() -> list[tuple[str, RectangularLayout, str, str]]:
    """Layouts with 1-4 blocks and the three kinds of start/end the heuristics serve."""
    out = [
        ("henn-front-left", henn_layout(), "depot", "depot"),
        ("henn-front-middle", henn_layout(depot_x_aisle=4), "depot", "depot"),
    ]
    for nb in (1, 2, 3, 4):
        out += [
            (f"{nb}b-front-left", multi_block_layout(7, nb, 6), "depot", "depot"),
            # start between aisles 3 and 4, end at the pack station (right, 2 m spur)
            (f"{nb}b-front-mid-to-pack", multi_block_layout(7, nb, 6, 10.5), "depot", "pack"),
            (f"{nb}b-back", multi_block_layout(7, nb, 6, 7.0, depot_row=nb), "depot", "depot"),
        ]
    return out


SCENARIOS = _scenarios()
SCENARIO_IDS = [s[0] for s in SCENARIOS]


def _ids(layout: RectangularLayout, *ids: str) -> np.ndarray:
    return layout.locations.indices(ids)


def batch(
    name: str,
    layout: RectangularLayout,
    lists: PickLists | Sequence[Sequence[int]] | Sequence[np.ndarray],
    start: str | None = None,
    end: str | None = None,
) -> np.ndarray:
    """Batch lengths of ``lists`` with heuristic ``name``."""
    fn = METHODS[name].lengths
    assert fn is not None
    pl = lists if isinstance(lists, PickLists) else PickLists.from_lists(lists)
    return fn(layout, pl, start, end)


def _loc(layout: RectangularLayout, aisle: int, block: int, position: int) -> int:
    loc = layout.locations
    hit = (loc.aisle == aisle) & (loc.block == block) & (loc.position == position) & (loc.side == 0)
    return int(np.flatnonzero(hit)[0])


def test_registry_entries() -> None:
    assert tuple(m.name for m in heur.METHODS) == NAMES
    for m in heur.METHODS:
        assert METHODS[m.name] is m
        assert not m.exact
        assert m.layouts == frozenset({"rectangular"})
        assert m.lengths is not None


# -- kernel, route and walk agree -----------------------------------------------------------------


@pytest.mark.parametrize(("name", "layout", "start", "end"), SCENARIOS, ids=SCENARIO_IDS)
def test_kernel_route_and_walk_lengths_agree(
    name: str, layout: RectangularLayout, start: str, end: str
) -> None:
    rng = np.random.default_rng(SCENARIO_IDS.index(name))
    sizes = [1, 2, 3, 5, 8, 13, 21, 34, 60, *rng.integers(1, 61, size=9).tolist()]
    lists = [rng.integers(0, len(layout.locations), size=k) for k in sizes]
    pick_lists = PickLists.from_lists(lists)
    for method in heur.METHODS:
        assert method.lengths is not None
        lengths = method.lengths(layout, pick_lists, start, end)
        assert lengths.shape == (len(lists),)
        for k, picks in enumerate(lists):
            r = method.route(RoutingProblem(layout, picks, start, end))
            assert r.method == method.name
            assert r.length_m == lengths[k], (method.name, picks.tolist())
            assert walk_length(layout, r) == r.length_m, (method.name, picks.tolist())
            assert r.stops[0].kind == "start" and r.stops[-1].kind == "end"
            picked = [s.pick_index for s in r.stops if s.kind == "pick"]
            assert sorted(k for k in picked if k is not None) == list(range(len(picks)))
            assert len(picked) == len(picks), "every pick appears exactly once"


@pytest.mark.parametrize(("name", "layout", "start", "end"), SCENARIOS, ids=SCENARIO_IDS)
def test_heuristics_are_never_shorter_than_the_optimum(
    name: str, layout: RectangularLayout, start: str, end: str
) -> None:
    rng = np.random.default_rng(100 + SCENARIO_IDS.index(name))
    lists = [rng.integers(0, len(layout.locations), size=k) for k in (1, 2, 3, 4, 5, 6, 7, 8, 10)]
    optimum = np.array([held_karp(layout.stop_matrix(p, start, end)) for p in lists])
    for method in heur.METHODS:
        assert method.lengths is not None
        lengths = method.lengths(layout, PickLists.from_lists(lists), start, end)
        assert np.all(lengths >= optimum - 1e-9), (method.name, lengths - optimum)


def test_irregular_geometry_agrees_to_rounding() -> None:
    """Uneven aisle spacing, blocks of different sizes, a start and an end on the back cross aisle
    at different x with spurs, coordinates that are not binary fractions: the three lengths agree
    up to floating-point rounding and never beat the optimum."""
    layout = build_rectangular(
        "irregular",
        aisle_x_m=[0.0, 2.3, 7.1, 8.0, 13.37, 15.9],
        blocks=[
            BlockSpec(7, 0.9, 1.3, 0.7),
            BlockSpec(4, 1.7, 0.4, 1.1),
            BlockSpec(9, 0.6, 0.8, 0.9),
        ],
        points=[Point("depot", 3.3, 3, 0.7), Point("out", 14.1, 3, 1.3)],
    )
    rng = np.random.default_rng(3)
    for k in [0, 1, 2, 3, 5, 7, 8, *rng.integers(9, 40, size=20).tolist()]:
        picks = rng.integers(0, len(layout.locations), size=k)
        opt = held_karp(layout.stop_matrix(picks, "depot", "out")) if k <= 8 else 0.0
        for name in NAMES:
            length = batch(name, layout, [picks], "depot", "out")[0]
            r = METHODS[name].route(RoutingProblem(layout, picks, "depot", "out"))
            assert r.length_m == pytest.approx(length, rel=1e-12, abs=1e-12)
            assert walk_length(layout, r) == pytest.approx(length, rel=1e-12, abs=1e-12)
            assert length >= opt - 1e-9
            assert sorted(s.pick_index or 0 for s in r.stops if s.kind == "pick") == list(range(k))


def test_registry_functions_serve_the_heuristics() -> None:
    layout = multi_block_layout(6, 3, 8)
    rng = np.random.default_rng(7)
    lists = PickLists.from_lists(
        [rng.integers(0, len(layout.locations), size=k) for k in (0, 4, 17)]
    )
    for name in NAMES:
        via_registry = route_many(layout, lists, name)
        direct = batch(name, layout, lists)
        np.testing.assert_array_equal(via_registry, direct)
        assert route(RoutingProblem(layout, lists[2]), name).length_m == direct[2]


# -- the classic single-block definitions, written plainly ---------------------------------------


def _split(ys: list[float], cf: float, cb: float, rule: str) -> tuple[list[float], list[float]]:
    """Picks of a sub-aisle entered from both ends: (taken from the front, taken from the back)."""
    if rule == "midpoint":
        mid = (cf + cb) / 2
        return [y for y in ys if y <= mid], [y for y in ys if y > mid]
    gaps = np.diff([cf, *ys, cb])
    cut = max(i for i, gap in enumerate(gaps) if gap == gaps.max())  # ties: nearest the back
    return ys[:cut], ys[cut:]


def naive_single_block(
    name: str, layout: RectangularLayout, picks: np.ndarray, s: str, e: str
) -> float:
    """Hall / Petersen / Roodbergen & de Koster on one block, start and end on the front: the
    sweep runs from the leftmost or from the rightmost pick aisle, whichever walk is shorter."""
    cf, cb = (float(v) for v in layout.cross_y_m)
    h = cb - cf
    xs, xe = layout.point(s).x_m, layout.point(e).x_m
    spurs = layout.point(s).offset_m + layout.point(e).offset_m
    if len(picks) == 0:
        return abs(xs - xe) + spurs
    loc = layout.locations
    ys_of: dict[float, list[float]] = {}
    for i in picks:
        ys_of.setdefault(float(loc.x_m[i]), []).append(float(loc.y_m[i]))
    best = np.inf
    for xs_sorted in (sorted(ys_of), sorted(ys_of, reverse=True)):
        aisles = [sorted(ys_of[x]) for x in xs_sorted]
        first, last = xs_sorted[0], xs_sorted[-1]
        walk = abs(xs - first) + abs(last - first)  # to the first aisle, then across
        to_end = abs(last - xe)
        k = len(aisles)
        if name == "return":
            walk += sum(2 * (ys[-1] - cf) for ys in aisles)
        elif name == "s_shape":
            walk += (k - 1) * h + (2 * (aisles[-1][-1] - cf) if k % 2 else h)
        elif name in ("largest_gap", "midpoint"):
            if k == 1:
                walk += 2 * (aisles[0][-1] - cf)
            else:
                walk += 2 * h
                end_x = last
                for x, ys in zip(xs_sorted[1:-1], aisles[1:-1], strict=True):
                    front, back = _split(ys, cf, cb, name)
                    walk += (2 * (front[-1] - cf) if front else 0) + (
                        2 * (cb - back[0]) if back else 0
                    )
                    if front and abs(x - last) > abs(end_x - last):
                        end_x = x
                to_end = abs(last - end_x) + abs(end_x - xe)
        else:  # combined: traverse or return each aisle, DP over the side, leave at the front
            at_front, at_back = 0.0, np.inf
            for ys in aisles:
                at_front, at_back = (
                    min(at_front + 2 * (ys[-1] - cf), at_back + h),
                    min(at_back + 2 * (cb - ys[0]), at_front + h),
                )
            walk += at_front
        best = min(best, walk + to_end)
    return float(best + spurs)


SINGLE_BLOCK = [s for s in SCENARIOS if s[1].n_blocks == 1 and s[1].point(s[2]).cross_aisle == 0]


@pytest.mark.parametrize(
    ("name", "layout", "start", "end"), SINGLE_BLOCK, ids=[s[0] for s in SINGLE_BLOCK]
)
def test_single_block_matches_the_classic_definitions(
    name: str, layout: RectangularLayout, start: str, end: str
) -> None:
    rng = np.random.default_rng(200 + SCENARIO_IDS.index(name))
    lists = [rng.integers(0, len(layout.locations), size=k) for k in rng.integers(0, 40, size=40)]
    for method in NAMES:
        got = batch(method, layout, lists, start, end)
        want = [naive_single_block(method, layout, p, start, end) for p in lists]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9, err_msg=method)


# -- hand-computed cases ---------------------------------------------------------------------------
#
# Henn layout: aisle a at x = 5a, position p at y = 1.5 + p, cross aisles y = 0 and 47, depot at
# x = 0 on the front. Every heuristic except combined+ is evaluated from the left and as the
# mirror image (from the rightmost pick aisle) and keeps the shorter walk.

HENN_CASES = {
    # A: aisles 1 (y 11.5), 3 (y 21.5), 4 (y 6.5): an odd number of pick aisles.
    #  s_shape from the left: 5 to aisle 1, traverse 47, back cross aisle to aisle 3 10, traverse
    #    47, front to aisle 4 5, last aisle (odd) is a return 2 * 6.5 = 13, back to the depot 20:
    #    147 (the mirror image returns in aisle 1 and walks 157).
    #  return: 2 * (11.5 + 21.5 + 6.5) = 79 in the aisles + 2 * 20 along the front = 119.
    #  largest_gap: aisles 1 and 4 traversed (94); aisle 3's largest gap is the one to the back
    #    (25.5 > 21.5), so it is entered from the front: 43; cross aisles 5 + 15 + 5 + 15 = 40;
    #    total 177. midpoint: 21.5 is below the middle 23.5, the same walk: 177.
    #  combined: the DP returns every aisle from the front (13 + 43 + 23 = 79) + 40 = 119.
    "A": (
        ("A01-B0-P10-L", "A03-B0-P20-R", "A04-B0-P05-L"),
        {
            "s_shape": 147,
            "return": 119,
            "midpoint": 177,
            "largest_gap": 177,
            "combined": 119,
            "combined_plus": 119,
        },
    ),
    # B: aisles 0 (y 6.5), 2 (y 10.5, 20.5, 30.5), 4 (y 31.5): midpoint and largest gap differ.
    #  largest_gap from the left: traverse aisle 0 (47), back cross aisle to aisle 4 (20),
    #    traverse 4 (47), front to aisle 2 (10); aisle 2's gaps are 10.5, 10, 10 and 16.5 to the
    #    back, so all three picks are taken from the front: 2 * 30.5 = 61; back to the depot 10:
    #    195 (the mirror image walks 215).
    #  midpoint: in aisle 2, 10.5 and 20.5 (<= 23.5) from the front (2 * 20.5 = 41), 30.5 from the
    #    back (2 * 16.5 = 33): 47 + 33 + 20 + 47 + 10 + 41 + 10 = 208.
    #  s_shape: better as the mirror image: 20 to aisle 4, traverse (47), back to aisle 2 (10),
    #    traverse (47), front to aisle 0 (10), return in aisle 0 (13): 147.
    #  return: 2 * (6.5 + 30.5 + 31.5) + 40 = 177.
    #  combined: return aisle 0 (13), traverse aisles 2 and 4 (94), cross aisles 40: 147.
    "B": (
        ("A00-B0-P05-L", "A02-B0-P09-L", "A02-B0-P19-L", "A02-B0-P29-L", "A04-B0-P30-L"),
        {
            "s_shape": 147,
            "return": 177,
            "midpoint": 208,
            "largest_gap": 195,
            "combined": 147,
            "combined_plus": 147,
        },
    ),
    # C: aisles 0 and 3 near the front (y 1.5), aisles 1 and 2 near the back (y 44.5).
    #  combined: DP over the side: return aisle 0 (3), traverse 1 up (47), traverse 2 down (47),
    #    return aisle 3 (3), cross aisles 30: 130 (the optimum).
    #  largest_gap: traverse 0 and 3 (94), aisles 1 and 2 from the back (5 + 5), 30: 134; the
    #    same for midpoint. s_shape traverses all four: 188 + 30 = 218. return: 184 + 30 = 214.
    "C": (
        ("A00-B0-P00-L", "A01-B0-P43-L", "A02-B0-P43-R", "A03-B0-P00-L"),
        {
            "s_shape": 218,
            "return": 214,
            "midpoint": 134,
            "largest_gap": 134,
            "combined": 130,
            "combined_plus": 130,
        },
    ),
}


@pytest.mark.parametrize("case", sorted(HENN_CASES))
def test_hand_computed_single_block_cases(case: str) -> None:
    layout = henn_layout()
    ids, expected = HENN_CASES[case]
    picks = _ids(layout, *ids)
    for name, length in expected.items():
        got = batch(name, layout, [picks])[0]
        assert got == length, (case, name)
        assert METHODS[name].route(RoutingProblem(layout, picks)).length_m == length


def test_s_shape_route_lists_the_end_of_every_traversed_aisle() -> None:
    """Case A: after its only pick at y = 11.5 the picker walks on to the back of aisle 1 (a
    detour no shortest path between consecutive picks would take), so the route lists that
    corner; aisle 4, the odd one out, is a return and its back corner is not visited."""
    layout = henn_layout()
    r = METHODS["s_shape"].route(RoutingProblem(layout, _ids(layout, *HENN_CASES["A"][0])))
    corners = {(s.x_m, s.y_m) for s in r.stops if s.kind == "waypoint"}
    assert {(5.0, 47.0), (15.0, 47.0), (15.0, 0.0)} <= corners
    assert (20.0, 47.0) not in corners
    assert r.pick_sequence == (0, 1, 2)


def test_hand_computed_multi_block_case() -> None:
    """Two blocks (aisles x = 0, 3, 6, 9; cross aisles y = 0, 11, 22; depot at x = 0 front).

    Picks: aisle 0 block 1 at y 12; aisle 2 block 0 at y 1; aisle 3 block 0 at y 4.

    * combined: up aisle 0 (the leftmost pick aisle) to cross aisle 1 (11), return to y 12 (2);
      block 0 from the back: nearest end aisle 2 (6), traverse it (11), along the front to aisle
      3 (3), return to y 4 (8), back to the depot (9): 50. The mirror image (up aisle 3) is 54.
    * combined_plus also chooses block 0's sweep direction: from aisle 0 along cross aisle 1 to
      aisle 3 (9), traverse it (11), along the front to aisle 2 (3), return to y 1 (2), depot
      (6): 11 + 2 + 9 + 11 + 3 + 2 + 6 = 44.
    * s_shape: as combined but aisle 3 (the second sub-aisle, reached at the front) is a return:
      50. largest_gap: block 0's farthest sub-aisle (aisle 3) is traversed, aisle 2 entered from
      the front on the way back: 11 + 2 + 9 + 11 + 3 + 2 + 6 = 44; midpoint: y 1 is below the
      block's middle 5.5: the same 44.
    * return: aisles 0, 2, 3 from the front to y 12, 1, 4: 2 * 17 + 18 = 52.
    """
    layout = multi_block_layout(4, 2, 10)
    picks = _ids(layout, "A02-B0-P00-L", "A03-B0-P03-L", "A00-B1-P00-L")
    expected = {
        "s_shape": 50,
        "return": 52,
        "midpoint": 44,
        "largest_gap": 44,
        "combined": 50,
        "combined_plus": 44,
    }
    for name, length in expected.items():
        r = METHODS[name].route(RoutingProblem(layout, picks))
        assert r.length_m == length, name
    r = METHODS["combined_plus"].route(RoutingProblem(layout, picks))
    assert r.pick_sequence == (2, 1, 0)


def test_start_and_end_apart_choose_the_sweep_direction() -> None:
    """Depot at x = 0, end at the pack station x = 9 with a 2 m spur; one block (y 0..11).

    Picks: aisle 1 at y 5, aisle 2 at y 10. Return sweeps left to right: 3 + 10 + 3 + 20 + 3 + 2
    = 41 (right to left would be 6 + 20 + 3 + 10 + 6 + 2 = 47). S-shape, largest gap, midpoint,
    combined: traverse both aisles: 3 + 11 + 3 + 11 + 3 + 2 = 33.
    """
    layout = multi_block_layout(4, 1, 10)
    picks = _ids(layout, "A01-B0-P04-L", "A02-B0-P09-L")
    expected = {
        "s_shape": 33,
        "return": 41,
        "midpoint": 33,
        "largest_gap": 33,
        "combined": 33,
        "combined_plus": 33,
    }
    for name, length in expected.items():
        assert (
            METHODS[name].route(RoutingProblem(layout, picks, "depot", "pack")).length_m == length
        )


@pytest.mark.parametrize("name", NAMES)
def test_empty_pick_list_walks_from_start_to_end(name: str) -> None:
    layout = multi_block_layout(4, 2, 10)
    lengths = batch(name, layout, [[], []], "depot", "pack")
    assert lengths.tolist() == [11.0, 11.0]  # 9 m along the front + the pack station's 2 m spur
    r = METHODS[name].route(RoutingProblem(layout, np.empty(0, dtype=np.int64), "depot", "pack"))
    assert r.length_m == 11.0
    assert [s.kind for s in r.stops] == ["start", "end"]


# -- where the heuristics do not apply -------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_start_on_a_middle_cross_aisle_is_refused(name: str) -> None:
    layout = multi_block_layout(4, 3, 10, depot_row=1)
    message = re.escape("front (0) or back (3) cross aisle") + ".*'optimal' or 'tsp'"
    with pytest.raises(RoutingError, match=message):
        METHODS[name].route(RoutingProblem(layout, np.array([0, 5])))
    with pytest.raises(RoutingError, match=message):
        route_many(layout, [[0, 5]], name)


@pytest.mark.parametrize("name", NAMES)
def test_start_and_end_on_different_cross_aisles_are_refused(name: str) -> None:
    layout = multi_block_layout(4, 3, 10, depot_row=3)  # depot at the back, pack at the front
    with pytest.raises(RoutingError, match=r"same cross aisle.*'optimal' or 'tsp'"):
        route_many(layout, [[0, 5]], name, start="depot", end="pack")


# -- properties -----------------------------------------------------------------------------------

N_AISLES, N_BLOCKS, N_POS = 6, 3, 5
FRONT = multi_block_layout(N_AISLES, N_BLOCKS, N_POS)
RIGHT = multi_block_layout(N_AISLES, N_BLOCKS, N_POS, depot_x_m=3.0 * (N_AISLES - 1))
BACK = multi_block_layout(N_AISLES, N_BLOCKS, N_POS, depot_row=N_BLOCKS)

cells = st.tuples(
    st.integers(0, N_AISLES - 1), st.integers(0, N_BLOCKS - 1), st.integers(0, N_POS - 1)
)


@settings(max_examples=60, deadline=None)
@given(st.lists(cells, max_size=14))
def test_mirror_images_have_the_same_lengths(picks: list[tuple[int, int, int]]) -> None:
    """Mirroring the warehouse left-right, or front-back with the depot moved to the back,
    changes no length: every heuristic chooses its sweep direction by length."""
    base = [_loc(FRONT, a, b, p) for a, b, p in picks]
    lr = [_loc(RIGHT, N_AISLES - 1 - a, b, p) for a, b, p in picks]
    fb = [_loc(BACK, a, N_BLOCKS - 1 - b, N_POS - 1 - p) for a, b, p in picks]
    for name in NAMES:
        f = METHODS[name].lengths
        assert f is not None
        expected = f(FRONT, PickLists.from_lists([base]), None, None)[0]
        assert f(RIGHT, PickLists.from_lists([lr]), None, None)[0] == expected, name
        assert f(BACK, PickLists.from_lists([fb]), None, None)[0] == expected, name


@settings(max_examples=60, deadline=None)
@given(st.lists(cells, max_size=14), st.randoms(use_true_random=False))
def test_order_and_repeats_do_not_matter(
    picks: list[tuple[int, int, int]], rnd: random.Random
) -> None:
    base = [_loc(FRONT, a, b, p) for a, b, p in picks]
    shuffled = base + base[: len(base) // 2]
    rnd.shuffle(shuffled)
    lists = PickLists.from_lists([base, shuffled])
    for name in NAMES:
        f = METHODS[name].lengths
        assert f is not None
        a, b = f(FRONT, lists, None, None)
        assert a == b, name


@settings(max_examples=40, deadline=None)
@given(st.lists(cells, min_size=1, max_size=7))
def test_bounds_between_heuristics_and_the_optimum(picks: list[tuple[int, int, int]]) -> None:
    """Every heuristic >= the optimum; combined+ <= combined (combined's walk is a candidate)."""
    idx = np.array([_loc(FRONT, a, b, p) for a, b, p in picks])
    opt = held_karp(FRONT.stop_matrix(idx, "depot", "depot"))
    got = {name: batch(name, FRONT, [idx])[0] for name in NAMES}
    assert all(v >= opt - 1e-9 for v in got.values()), (got, opt)
    assert got["combined_plus"] <= got["combined"] + 1e-9
