"""The exact router ``optimal`` against Held-Karp, golden SPRP optima and its own route walks."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import henn_layout, multi_block_layout, random_picks
from tests.naive import brute_force, held_karp
from wms.errors import RoutingError
from wms.layout import BlockSpec, RectangularLayout, build_rectangular
from wms.model import Point, Route
from wms.routing import _automaton, get_method, route_many
from wms.routing import optimal as _optimal
from wms.routing.base import PickLists, RoutingProblem, rect_batch, walk_length
from wms.routing.optimal import METHODS, optimal_lengths, optimal_route

SPRP_DIR = Path(__file__).resolve().parents[1] / "data" / "sprp"


def check_route(
    layout: RectangularLayout, picks: np.ndarray, start: str, end: str
) -> tuple[float, Route]:
    """Route one list both ways and check everything that must agree; return (length, route)."""
    batch = float(optimal_lengths(layout, PickLists.from_lists([picks]), start, end)[0])
    route = optimal_route(RoutingProblem(layout, picks, start, end))
    assert route.method == "optimal"
    assert route.length_m == pytest.approx(batch, abs=1e-9)
    assert walk_length(layout, route) == pytest.approx(batch, abs=1e-9)
    picked = sorted(s.pick_index for s in route.stops if s.kind == "pick")
    assert picked == list(range(len(picks))), "every pick appears exactly once"
    assert route.stops[0].kind == "start" and route.stops[0].location_id == start
    assert route.stops[-1].kind == "end" and route.stops[-1].location_id == end
    for a, b in zip(route.stops, route.stops[1:], strict=False):
        assert abs(a.x_m - b.x_m) < 1e-9 or abs(a.y_m - b.y_m) < 1e-9, "legs are straight"
    return batch, route


def assert_matches_held_karp(
    layout: RectangularLayout, picks: np.ndarray, start: str, end: str
) -> None:
    length, _ = check_route(layout, picks, start, end)
    expected = held_karp(layout.stop_matrix(picks, start, end))
    assert length == pytest.approx(expected, abs=1e-9), (layout.name, start, end, picks.tolist())


def with_points(layout: RectangularLayout, *points: Point) -> RectangularLayout:
    """``layout`` with extra named points (the storage locations are rebuilt identically)."""
    cy = layout.cross_y_m
    return RectangularLayout(
        name=layout.name, aisle_x_m=layout.aisle_x_m, cross_y_m=cy, locations=layout.locations,
        points={**layout.points, **{p.name: p for p in points}}, depot=layout.depot,
    )  # fmt: skip


# -- against Held-Karp ----------------------------------------------------------------------------

# (blocks, start point, end point): depot front/back/middle, on an aisle or between two aisles.
CASES = [
    (n_blocks, start, end)
    for n_blocks in (1, 2, 3, 4)
    for start, end in [
        (Point("s", 0.0, 0), None),  # front-left, closed tour
        (Point("s", 4.5, 0), None),  # front, between aisles 1 and 2
        (Point("s", 6.0, n_blocks), None),  # back cross aisle, on aisle 2
        (Point("s", 7.2, n_blocks // 2 + n_blocks % 2, 1.0), None),  # middle (back if 1 block)
        (Point("s", 1.0, 0, 0.5), Point("e", 12.0, n_blocks, 2.0)),  # front-left to back-right
        (Point("s", 5.0, 0), Point("e", 5.5, n_blocks)),  # both between aisles 1 and 2
        (Point("s", 9.0, 1), Point("e", 1.5, 0, 1.0)),  # middle on aisle 3 to front between
    ]
]


@pytest.mark.parametrize(
    ("n_blocks", "start", "end"),
    CASES,
    ids=[f"{b}b-{s.x_m}@{s.cross_aisle}-{e.x_m if e else 's'}" for b, s, e in CASES],
)
def test_equals_held_karp_on_random_lists(n_blocks: int, start: Point, end: Point | None) -> None:
    base = multi_block_layout(n_aisles=5, n_blocks=n_blocks, positions=4)
    layout = with_points(base, start, *([end] if end else []))
    rng = np.random.default_rng(1000 + 17 * n_blocks + int(start.x_m * 10))
    for trial in range(14):
        k = (0, 1, 2, 12)[trial] if trial < 4 else int(rng.integers(3, 11))
        picks = random_picks(rng, layout, k)
        assert_matches_held_karp(layout, picks, "s", end.name if end else "s")


@pytest.mark.parametrize("depot_aisle", [0, 3, 9])
def test_equals_held_karp_on_henn_layout(depot_aisle: int) -> None:
    layout = henn_layout(depot_aisle)
    rng = np.random.default_rng(depot_aisle)
    for _ in range(20):
        picks = random_picks(rng, layout, int(rng.integers(1, 12)))
        assert_matches_held_karp(layout, picks, "depot", "depot")


def test_pack_station_end_with_offset(three_blocks: RectangularLayout) -> None:
    """Start front-left, end at the pack station (front-right, 2 m spur)."""
    rng = np.random.default_rng(7)
    for _ in range(20):
        picks = random_picks(rng, three_blocks, int(rng.integers(0, 10)))
        assert_matches_held_karp(three_blocks, picks, "depot", "pack")


def test_held_karp_reference_itself() -> None:
    layout = multi_block_layout(4, 2, 3)
    rng = np.random.default_rng(3)
    for _ in range(5):
        d = layout.stop_matrix(random_picks(rng, layout, 6), "depot", "pack")
        assert held_karp(d) == pytest.approx(brute_force(d))


# -- random layouts (hypothesis) ------------------------------------------------------------------


@st.composite
def instances(draw: st.DrawFn) -> tuple[RectangularLayout, np.ndarray, str]:
    """A small random rectangular layout, a start and an end point anywhere, and a pick list."""
    n_aisles = draw(st.integers(1, 5))
    n_blocks = draw(st.integers(1, 4))
    gaps = draw(st.lists(st.sampled_from([1.0, 2.0, 3.5]), min_size=n_aisles, max_size=n_aisles))
    xs = np.cumsum(gaps)
    blocks = [
        BlockSpec(
            positions=draw(st.integers(1, 4)),
            pitch_m=draw(st.sampled_from([0.5, 1.0, 2.0])),
            front_to_first_m=draw(st.sampled_from([0.5, 1.0])),
            last_to_back_m=draw(st.sampled_from([0.5, 1.5])),
        )
        for _ in range(n_blocks)
    ]
    points = []
    for name in ("s", "e"):
        on_aisle = draw(st.booleans())
        x = (
            float(draw(st.sampled_from(list(xs))))
            if on_aisle
            else draw(st.floats(float(xs[0]), float(xs[-1]), allow_nan=False))
        )
        row = draw(st.integers(0, n_blocks))
        offset = draw(st.sampled_from([0.0, 0.0, 1.5]))
        points.append(Point(name, x, row, offset))
    layout = build_rectangular("random", aisle_x_m=xs, blocks=blocks, points=points, depot="s")
    k = draw(st.integers(0, 8))
    picks = draw(st.lists(st.integers(0, len(layout.locations) - 1), min_size=k, max_size=k))
    end = draw(st.sampled_from(["s", "e"]))
    return layout, np.array(picks, dtype=np.int64), end


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(instances())
def test_random_layouts_equal_held_karp(
    instance: tuple[RectangularLayout, np.ndarray, str],
) -> None:
    layout, picks, end = instance
    assert_matches_held_karp(layout, picks, "s", end)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 3 * 5 * 4 * 2 - 1), min_size=1, max_size=25), st.randoms())
def test_order_and_repeats_do_not_matter(picks: list[int], rnd: random.Random) -> None:
    layout = multi_block_layout(n_aisles=5, n_blocks=3, positions=4)
    base = optimal_lengths(layout, PickLists.from_lists([picks]))[0]
    shuffled = list(picks)
    rnd.shuffle(shuffled)
    again = optimal_lengths(layout, PickLists.from_lists([shuffled + picks[:3], picks[:-1]]))
    assert again[0] == pytest.approx(base)
    assert again[1] <= base + 1e-9, "dropping a pick never makes the route longer"


# -- golden values from the SPRP benchmark --------------------------------------------------------


def sprp_layout(path: Path) -> tuple[RectangularLayout, np.ndarray]:
    """Layout and pick list of an SPRP file, built by hand from its header (a test-only reader)."""
    head: dict[str, str] = {}
    skus: dict[str, tuple[int, int]] = {}
    order: list[str] = []
    section = ""
    for line in path.read_text().splitlines():
        if line.endswith("_SECTION"):
            section = line
        elif " : " in line:
            key, value = line.split(" : ")
            head.setdefault(key.strip(), value.strip())
        elif section == "SKU_SECTION" and line.startswith("ID"):
            f = line.split()
            skus[f[1]] = (int(f[3]), int(f[5]))
        elif section == "ORDER_SECTION" and line.startswith("ID"):
            order.append(line.split()[1])
    cells = int(head["NUM_CELLS"])
    pitch = float(head["DISTANCE_AISLE_TO_AISLE"])
    depot_row = 0 if head["DEPOT_LOCATION"] == "bottom" else 1
    layout = build_rectangular(
        path.stem,
        aisle_x_m=np.arange(int(head["NUM_AISLES"])) * pitch,
        blocks=[
            BlockSpec(
                positions=cells,
                pitch_m=float(head["DISTANCE_CELL_TO_CELL"]),
                front_to_first_m=float(head["DISTANCE_BOTTOM_TO_CELL"]),
                last_to_back_m=float(head["DISTANCE_TOP_TO_CELL"]),
            )
        ],
        points=[
            Point(
                "depot", int(head["DEPOT_AISLE"]) * pitch, depot_row,
                float(head["DISTANCE_TOP_OR_BOTTOM_TO_DEPOT"]),
            )
        ],
    )  # fmt: skip
    ids = []
    for sku in order:
        aisle, cell = skus[sku]
        ids.append(f"A{aisle:02d}-B0-P{cells - 1 - cell:02d}-L")
    return layout, layout.locations.indices(ids)


@pytest.mark.parametrize(
    ("name", "optimum"),
    [("literature_m5_C30_a7", 94.0), ("example_m10_C45_a4", 242.0), ("example_m10_C45_a9", 268.0)],
)
def test_sprp_golden_optimum(name: str, optimum: float) -> None:
    layout, picks = sprp_layout(SPRP_DIR / f"{name}.txt")
    length, _ = check_route(layout, picks, "depot", "depot")
    assert length == pytest.approx(optimum)


def test_sprp_example_uses_the_henn_metric() -> None:
    """``example_m10_C45_*`` and the Henn 10 x 45 layout are the same warehouse."""
    layout, picks = sprp_layout(SPRP_DIR / "example_m10_C45_a9.txt")
    henn = henn_layout()
    same = henn.locations.indices([layout.locations.ids[i] for i in picks])
    assert optimal_lengths(henn, PickLists.from_lists([same]))[0] == pytest.approx(268.0)


# -- behaviour at the edges -----------------------------------------------------------------------


def test_empty_list_walks_from_start_to_end() -> None:
    layout = with_points(
        multi_block_layout(n_aisles=4, n_blocks=2, positions=3),
        Point("mid", 4.0, 1, 0.5), Point("back", 7.5, 2),
    )  # fmt: skip
    pts = {n: layout.net_point_of_point(n) for n in ("depot", "pack", "mid", "back")}
    for a in pts:
        for b in pts:
            length, _ = check_route(layout, np.empty(0, dtype=np.int64), a, b)
            # distance() includes both spurs: 2 x offset when a == b
            assert length == pytest.approx(layout.distance(pts[a], pts[b]))


def test_same_place_start_and_end_with_different_names() -> None:
    layout = with_points(henn_layout(), Point("dock", 0.0, 0, 3.0))
    picks = np.array([5, 400, 880])
    closed = optimal_lengths(layout, PickLists.from_lists([picks]), "depot", "depot")[0]
    length, _ = check_route(layout, picks, "depot", "dock")
    assert length == pytest.approx(closed + 3.0)


def test_pass_through_a_depot_between_aisles() -> None:
    """Picks on both sides of a depot between aisles: the walk passes the depot mid-route."""
    layout = with_points(
        multi_block_layout(n_aisles=6, n_blocks=1, positions=10), Point("s", 7.5, 0)
    )
    picks = layout.locations.indices(["A00-B0-P01-L", "A05-B0-P01-L", "A02-B0-P08-R"])
    assert_matches_held_karp(layout, picks, "s", "s")
    assert_matches_held_karp(layout, picks, "s", "pack")


def test_batch_matches_route_on_many_lists(three_blocks: RectangularLayout) -> None:
    rng = np.random.default_rng(11)
    lists = [random_picks(rng, three_blocks, int(rng.integers(0, 40))) for _ in range(30)]
    batch = optimal_lengths(three_blocks, PickLists.from_lists(lists), "depot", "pack")
    for picks, length in zip(lists, batch, strict=True):
        assert check_route(three_blocks, picks, "depot", "pack")[0] == pytest.approx(length)


def test_registered_as_exact_rectangular_method(henn: RectangularLayout) -> None:
    (method,) = METHODS
    assert method.name == "optimal" and method.exact
    assert method.layouts == frozenset({"rectangular"})
    assert get_method("optimal") is method
    lists = [[1, 2, 3], [], [100, 899]]
    assert route_many(henn, lists, "optimal").tolist() == pytest.approx(
        optimal_lengths(henn, PickLists.from_lists(lists)).tolist()
    )


def test_errors_name_the_problem(henn: RectangularLayout) -> None:
    with pytest.raises(RoutingError, match="out of range"):
        optimal_lengths(henn, PickLists.from_lists([[0, 10_000]]))
    with pytest.raises(RoutingError, match="rectangular layout"):
        optimal_lengths(object(), PickLists.from_lists([[0]]))  # type: ignore[arg-type]
    with pytest.raises(RoutingError, match="PickLists"):
        optimal_lengths(henn, [[0]])  # type: ignore[arg-type]
    too_many = build_rectangular(
        "tall", aisle_x_m=[0.0, 2.0], blocks=[BlockSpec(1)] * _automaton.MAX_ROWS,
        points=[Point("depot", 0.0, 0)],
    )  # fmt: skip
    with pytest.raises(RoutingError, match="blocks"):
        optimal_lengths(too_many, PickLists.from_lists([[0]]))


# -- the state machine ----------------------------------------------------------------------------


@pytest.mark.parametrize("n_rows", [2, 3, 4])
def test_automaton_tables_are_consistent(n_rows: int) -> None:
    auto = _automaton.build_automaton(n_rows)
    table = auto.next_state
    assert table.shape == (_automaton.n_kinds(n_rows), auto.n_states, _automaton.N_OPTIONS)
    assert table.min() >= -1 and table.max() < auto.n_states
    assert auto.state(auto.init) == ((0,) * n_rows, 0)
    assert auto.state(auto.done) == ((0,) * n_rows, 1)
    # Once done, only "leave it untouched" is allowed, and it stays done.
    for kind in range(_automaton.n_kinds(n_rows)):
        row = table[kind, auto.done]
        assert set(row[1:].tolist()) == {-1}
        assert row[0] in (-1, auto.done)
    # Horizontal steps never offer more than 3 options.
    assert (table[n_rows - 1 :, :, 3:] == -1).all()


@pytest.mark.parametrize("n_rows", [2, 3, 4, 5])
def test_compiled_automaton_equals_the_python_reference(n_rows: int) -> None:
    compiled = _automaton.build_automaton(n_rows)
    reference = _automaton.reference_automaton(n_rows)
    np.testing.assert_array_equal(compiled.codes, reference.codes)
    np.testing.assert_array_equal(compiled.next_state, reference.next_state)
    assert (compiled.init, compiled.done) == (reference.init, reference.done)
    for i in range(0, compiled.n_states, 7):
        assert _automaton.code_of_state(compiled.state(i)) == compiled.codes[i]


def test_automaton_single_block_size() -> None:
    """One block: 14 states (Ratliff & Rosenthal's 7 classes, split by the broken frontier)."""
    assert _automaton.build_automaton(2).n_states == 14


# -- the two batch kernels agree ------------------------------------------------------------------


@pytest.mark.parametrize(
    "depot",
    [Point("d", 0.0, 0), Point("d", 17.5, 0, 1.0), Point("d", 45.0, 1), Point("d", 21.0, 1)],
)
def test_single_block_kernel_equals_generic_kernel(depot: Point) -> None:
    """The hand-written 7-class kernel and the automaton kernel give the same lengths."""
    layout = with_points(henn_layout(), depot)
    rng = np.random.default_rng(int(depot.x_m * 10) + depot.cross_aisle)
    sizes = rng.integers(0, 40, size=3000)
    lists = PickLists(
        np.concatenate([[0], np.cumsum(sizes)]), rng.integers(0, len(layout.locations), sizes.sum())
    )
    batch = rect_batch(layout, lists, "d", "d")
    cols = _optimal._columns(layout, depot, depot)
    fast = _optimal._one_block_lengths(batch, cols)
    generic = _optimal._generic_lengths(layout, batch, cols)
    np.testing.assert_allclose(fast, generic, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(optimal_lengths(layout, lists, "d", "d"), fast)


def test_route_many_returns_sequences_consistent_with_lengths() -> None:
    """The batch API's optional sequences visit every pick once and agree with the batch lengths."""
    from wms.routing import route_many

    layout = henn_layout()
    rng = np.random.default_rng(11)
    lists = [rng.integers(0, len(layout.locations), size=k) for k in (1, 5, 12, 30)]
    fast = route_many(layout, lists, "optimal")
    lengths, seqs = route_many(layout, lists, "optimal", return_sequences=True)
    np.testing.assert_allclose(lengths, fast)
    for picks, seq in zip(lists, seqs, strict=True):
        assert sorted(seq.tolist()) == list(range(len(picks)))
