"""Graph layouts: shortest paths against the rectangular closed form, one-way and blocked edges,
route stops that can be walked, and the error messages for broken graphs."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

import wms.layout.graph as graph_module
from tests.conftest import henn_layout, multi_block_layout
from wms.errors import LayoutError
from wms.layout import BlockSpec, GraphLayout, RectangularLayout, build_rectangular
from wms.model import Point, Route, Stop

# -- fixtures ----------------------------------------------------------------------------------


def odd_points_layout() -> RectangularLayout:
    """3 aisles 4 m apart, 2 blocks of 5 positions; a depot between aisles with a 1.5 m spur, a
    back point between aisles and a point on the middle cross aisle."""
    return build_rectangular(
        "pts",
        aisle_x_m=[0.0, 4.0, 8.0],
        blocks=[BlockSpec(5), BlockSpec(5)],
        points=[Point("depot", 2.0, 0, 1.5), Point("back", 6.0, 2), Point("mid", 5.0, 1)],
        end="back",
        pack_stations=["back"],
    )


def corridor(directed: bool = False) -> nx.Graph:
    """A square loop a(0,0) - b(10,0) - c(10,10) - d(0,10) - a, no explicit lengths (Euclidean)."""
    g: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    for n, (x, y) in {"a": (0, 0), "b": (10, 0), "c": (10, 10), "d": (0, 10)}.items():
        g.add_node(n, x=x, y=y)
    g.add_edges_from([("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")])
    return g


RECT_LAYOUTS = [
    henn_layout(),
    multi_block_layout(),
    multi_block_layout(5, 3, 4, 1.5, 1),
    odd_points_layout(),
]
RECT_IDS = ["henn", "3blocks", "3blocks-mid-depot", "odd-points"]


# -- agreement with the closed form ------------------------------------------------------------


@pytest.mark.parametrize("layout", RECT_LAYOUTS, ids=RECT_IDS)
def test_from_rectangular_distances_equal_closed_form(layout: RectangularLayout) -> None:
    graph = GraphLayout.from_rectangular(layout)
    assert graph.kind == "graph" and graph.name == layout.name
    assert graph.locations.ids == layout.locations.ids
    np.testing.assert_allclose(graph.locations.x_m, layout.locations.x_m)
    np.testing.assert_allclose(graph.locations.y_m, layout.locations.y_m)
    np.testing.assert_allclose(graph.distance_matrix(), layout.distance_matrix(), atol=1e-9)
    rows, cols = np.arange(0, len(layout.locations), 7), np.arange(3, len(layout.locations), 11)
    np.testing.assert_allclose(
        graph.distance_matrix(rows, cols), layout.distance_matrix(rows, cols), atol=1e-9
    )


@pytest.mark.parametrize("layout", RECT_LAYOUTS, ids=RECT_IDS)
def test_from_rectangular_stop_matrix_and_routes_equal_closed_form(
    layout: RectangularLayout,
) -> None:
    graph = GraphLayout.from_rectangular(layout)
    rng = np.random.default_rng(7)
    names = sorted(layout.points)
    for _ in range(10):
        picks = rng.integers(0, len(layout.locations), size=int(rng.integers(0, 9)))
        start, end = (str(x) for x in rng.choice(names, size=2))
        ours, closed = graph.stop_matrix(picks, start, end), layout.stop_matrix(picks, start, end)
        if start == end:
            # the closed form charges the spur out and back even between a point and itself;
            # the graph does not (staying put costs nothing). Only an empty list walks that leg.
            closed[0, -1] = closed[-1, 0] = 0.0
        np.testing.assert_allclose(ours, closed, atol=1e-9)
        if start == end and picks.size == 0:
            continue
        order = rng.permutation(picks.size).tolist()
        route = graph.stops_for_sequence(picks, order, start, end, "test")
        reference = layout.stops_for_sequence(picks, order, start, end, "test")
        assert route.length_m == pytest.approx(reference.length_m, abs=1e-9)
        assert graph.walk_length(route) == pytest.approx(route.length_m, abs=1e-9)
        assert route.pick_sequence == tuple(order)
        assert route.stops[0] == Stop("start", start, *_xy(graph, start))
        assert route.stops[-1].kind == "end" and route.stops[-1].location_id == end


def _xy(graph: GraphLayout, point: str) -> tuple[float, float]:
    n = graph.point_node(point)
    return float(graph.node_x_m[n]), float(graph.node_y_m[n])


def test_from_rectangular_keeps_points_zones_and_stations() -> None:
    layout = odd_points_layout()
    graph = GraphLayout.from_rectangular(layout)
    assert set(graph.points) == set(layout.points)
    assert graph.depot == "depot" and graph.end == "back" and graph.pack_stations == ("back",)
    assert graph.point("depot") == "P/depot"  # a spur node, since the depot has an offset
    assert graph.point("back") == "X2/x6"
    assert graph.graph.edges["P/depot", "X0/x2"]["length"] == 1.5


def test_waypoints_are_the_turns_of_shortest_paths() -> None:
    graph = GraphLayout.from_rectangular(henn_layout())
    i = graph.locations.index("A02-B0-P00-L")  # aisle 2 (x = 10), y = 1.5
    route = graph.stops_for_sequence(np.array([i]), [0], "depot", "depot", "test")
    kinds = [s.kind for s in route.stops]
    # the picker walks straight past A01/X0 and turns into aisle 2 at A02/X0 (both ways)
    assert kinds == ["start", "waypoint", "pick", "waypoint", "end"]
    assert [s.location_id for s in route.stops] == [
        "depot",
        "A02/X0",
        "A02-B0-P00-L",
        "A02/X0",
        "depot",
    ]
    assert route.length_m == pytest.approx(2 * 11.5)
    assert graph.walk_length(route) == pytest.approx(route.length_m)


# -- one-way and blocked edges -----------------------------------------------------------------


def test_one_way_edges_make_distances_asymmetric() -> None:
    g = corridor(directed=True)  # a -> b -> c -> d -> a, each 10 m
    layout = GraphLayout.from_networkx(
        "loop", g, locations={"Lb": "b", "Lc": "c", "Ld": "d"}, points={"depot": "a"}
    )
    assert layout.directed
    d = layout.distance_matrix()
    expected = np.array([[0, 10, 20], [30, 0, 10], [20, 30, 0]], dtype=float)
    np.testing.assert_allclose(d, expected)
    m = layout.stop_matrix(np.array([2, 0]), "depot", "depot")  # [a, d, b, a]
    np.testing.assert_allclose(m[0], [0, 30, 10, 0])
    np.testing.assert_allclose(m[:, 0], [0, 10, 30, 0])
    route = layout.stops_for_sequence(np.array([2, 0]), [1, 0], "depot", "depot", "t")
    assert route.length_m == pytest.approx(40.0)  # a->b, b->c->d, d->a
    assert [s.location_id for s in route.stops] == ["depot", "Lb", "c", "Ld", "depot"]
    assert layout.walk_length(route) == pytest.approx(40.0)


def test_blocked_attribute_removes_an_edge() -> None:
    g = corridor()
    g.edges["a", "b"]["blocked"] = True
    layout = GraphLayout.from_networkx("loop", g, locations={"Lb": "b"}, points={"depot": "a"})
    assert layout.stop_matrix(np.array([0]), "depot", "depot")[0, 1] == pytest.approx(30.0)


def test_blocking_an_aisle_segment_forces_a_detour() -> None:
    rect = henn_layout()
    graph = GraphLayout.from_rectangular(rect)
    i = rect.locations.index("A00-B0-P20-L")  # aisle 0 at y = 21.5
    assert graph.stop_matrix(np.array([i]), "depot", "depot")[0, 1] == pytest.approx(21.5)
    # block aisle 0 between positions 10 and 11 (y = 11.5 .. 12.5)
    blocked = graph.with_blocked([("A00/y11.5", "A00/y12.5")])
    assert blocked.graph.edges["A00/y11.5", "A00/y12.5"]["blocked"] is True
    # front cross aisle to aisle 1 (5), up to the back (47), across (5), down to 21.5 (25.5)
    d = blocked.stop_matrix(np.array([i]), "depot", "depot")
    assert d[0, 1] == pytest.approx(82.5)
    assert d[1, 0] == pytest.approx(82.5)
    # the original layout is untouched
    assert graph.stop_matrix(np.array([i]), "depot", "depot")[0, 1] == pytest.approx(21.5)


def test_blocking_by_edge_attribute() -> None:
    rect = multi_block_layout(4, 2, 5)  # aisles 3 m apart, cross aisles at y = 0, 6, 12
    graph = GraphLayout.from_rectangular(rect)

    def edges(**attrs: object) -> list[tuple[str, str]]:
        return [
            (u, v)
            for u, v, a in graph.graph.edges(data=True)
            if all(a.get(k) == val for k, val in attrs.items())
        ]

    i = rect.locations.index("A00-B0-P04-L")  # y = 5
    j = rect.locations.index("A01-B0-P04-L")
    assert graph.distance_matrix([i], [j])[0, 0] == pytest.approx(1 + 1 + 3)  # via the middle
    no_middle = graph.with_blocked(edges(kind="cross", cross_aisle=1))
    assert no_middle.distance_matrix([i], [j])[0, 0] == pytest.approx(5 + 5 + 3)  # via the front
    # blocking a whole aisle segment cuts its locations off: a clear error, not inf distances
    with pytest.raises(
        LayoutError, match=r"location 'A01-B0-P00-L' .* cannot be reached from depot"
    ):
        graph.with_blocked(edges(kind="aisle", aisle=1, block=0))
    with pytest.raises(LayoutError, match="cannot block edge"):
        graph.with_blocked([("A01/X0", "A03/X0")])


def test_euclidean_default_and_parallel_edges() -> None:
    g = nx.MultiGraph()
    g.add_node("a", x=0.0, y=0.0)
    g.add_node("b", x=3.0, y=4.0)
    g.add_edge("a", "b")  # Euclidean: 5
    g.add_edge("a", "b", length=7.0)
    layout = GraphLayout.from_networkx("m", g, locations={"L": "b"}, points={"depot": "a"})
    assert layout.stop_matrix(np.array([0]), "depot", "depot")[0, 1] == pytest.approx(5.0)
    g.add_edge("a", "b", length=2.0)
    layout = GraphLayout.from_networkx("m", g, locations={"L": "b"}, points={"depot": "a"})
    assert layout.stop_matrix(np.array([0]), "depot", "depot")[0, 1] == pytest.approx(2.0)


def test_zero_length_edges_are_edges() -> None:
    g = nx.Graph()
    g.add_node("a", x=0.0, y=0.0)
    g.add_node("b", x=0.0, y=0.0)
    g.add_edge("a", "b", length=0.0)
    layout = GraphLayout.from_networkx("z", g, locations={"L": "b"}, points={"depot": "a"})
    assert layout.distance_matrix().tolist() == [[0.0]]
    assert layout.stop_matrix(np.array([0]), "depot", "depot")[0, 1] == 0.0


def test_zones_and_custom_weight_attribute() -> None:
    g = corridor()
    for _, _, a in g.edges(data=True):
        a["metres"] = 1.0
    layout = GraphLayout.from_networkx(
        "w",
        g,
        locations={"Lb": "b", "Lc": "c"},
        points={"depot": "a", "pack": "d"},
        weight="metres",
        zones={"Lc": "cold"},
        pack_stations=["pack"],
        end="pack",
    )
    assert layout.locations.zone_of(0) is None and layout.locations.zone_of(1) == "cold"
    assert [z.name for z in layout.zones] == ["cold"]
    assert layout.distance_matrix().tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert (
        layout.with_blocked([("a", "b")]).stop_matrix(np.array([0]), "depot", "pack")[0, 1] == 3.0
    )


# -- large matrices and the row cache ----------------------------------------------------------


def test_chunked_matrix_equals_cached_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    rect = multi_block_layout(6, 2, 8)
    graph = GraphLayout.from_rectangular(rect)
    rows = np.arange(0, len(rect.locations), 2)
    cached = graph.distance_matrix(rows)
    monkeypatch.setattr(graph_module, "CACHE_BYTES", 1)  # capacity 64 rows: forces the chunked path
    monkeypatch.setattr(graph_module, "_CHUNK_BYTES", 8 * graph.n_nodes * 5)  # 5 sources a chunk
    fresh = GraphLayout.from_rectangular(rect)
    np.testing.assert_array_equal(fresh.distance_matrix(rows), cached)
    np.testing.assert_allclose(cached, rect.distance_matrix(rows), atol=1e-9)
    fresh.clear_cache()
    assert fresh.stop_matrix(rows[:3], "depot", "pack").shape == (5, 5)


def test_pickle_round_trip_drops_the_cache() -> None:
    import pickle

    graph = GraphLayout.from_rectangular(multi_block_layout(4, 2, 5))
    before = graph.stop_matrix(np.array([0, 5, 9]), "depot", "pack")
    clone = pickle.loads(pickle.dumps(graph))
    assert len(clone._cache) == 0
    np.testing.assert_array_equal(clone.stop_matrix(np.array([0, 5, 9]), "depot", "pack"), before)


def test_node_matrix_checks_nodes_and_names_unreachable_pairs() -> None:
    g = corridor()
    g.add_node("attic", x=5.0, y=50.0)  # holds nothing, so the layout is valid
    layout = GraphLayout.from_networkx("n", g, locations={"Lb": "b"}, points={"depot": "a"})
    a, attic = layout.node_index("a"), layout.node_index("attic")
    assert layout.node_matrix(np.array([a]), np.array([layout.node_index("c")]))[0, 0] == 20.0
    with pytest.raises(LayoutError, match="node 'a' cannot reach node 'attic'"):
        layout.node_matrix(np.array([a]), np.array([attic]))
    with pytest.raises(LayoutError, match=r"node index out of range 0\.\.4"):
        layout.node_matrix(np.array([7]), np.array([a]))
    assert layout.node_path(a, layout.node_index("c")) in ([0, 1, 2], [0, 3, 2])


def test_duplicate_node_labels_are_made_unique() -> None:
    g = nx.Graph()
    g.add_node(1, x=0.0, y=0.0)
    g.add_node("1", x=1.0, y=0.0)
    g.add_node(2, x=2.0, y=0.0)
    g.add_edges_from([(1, "1"), ("1", 2)])
    layout = GraphLayout.from_networkx("dup", g, locations={"L": 2}, points={"depot": 1})
    assert len(set(layout.node_labels)) == 3
    route = layout.stops_for_sequence(np.array([0]), [0], "depot", "depot", "t")
    assert route.length_m == pytest.approx(4.0)
    assert layout.walk_length(route) == pytest.approx(4.0)


# -- error messages ----------------------------------------------------------------------------


def _layout(g: nx.Graph, **kw: object) -> GraphLayout:
    args: dict = {"locations": {"Lb": "b", "Lc": "c"}, "points": {"depot": "a"}}
    args.update(kw)
    return GraphLayout.from_networkx("bad", g, **args)


def test_error_unreachable_location_names_it_and_the_depot() -> None:
    g = corridor()
    g.add_node("island", x=50.0, y=50.0)
    with pytest.raises(
        LayoutError, match=r"location 'Li' \(node 'island'\) cannot be reached from depot 'depot'"
    ):
        _layout(g, locations={"Lb": "b", "Li": "island"})


def test_error_one_way_dead_end_has_no_way_back() -> None:
    g = corridor(directed=True)
    g.remove_edge("d", "a")
    g.add_edge("d", "c")
    with pytest.raises(
        LayoutError,
        match=r"location 'Lb' \(node 'b'\) has no way back to depot 'depot' \(node 'a'\) "
        r"\(and 1 more location\)",
    ):
        _layout(g)


def test_error_unreachable_point() -> None:
    g = corridor()
    g.add_node("far", x=99.0, y=0.0)
    with pytest.raises(LayoutError, match=r"point 'pack' \(node 'far'\) cannot be reached"):
        _layout(g, points={"depot": "a", "pack": "far"})


def test_error_blocking_cuts_off_a_location() -> None:
    g = corridor()
    g.edges["b", "c"]["blocked"] = True
    g.edges["c", "d"]["blocked"] = True
    with pytest.raises(LayoutError, match="location 'Lc'"):
        _layout(g)


def test_error_unknown_nodes() -> None:
    with pytest.raises(
        LayoutError, match=r"location 'Lx' is at node 'x', which is not in the graph"
    ):
        _layout(corridor(), locations={"Lx": "x"})
    with pytest.raises(
        LayoutError, match=r"point 'depot' is at node 'zz', which is not in the graph"
    ):
        _layout(corridor(), points={"depot": "zz"})


def test_error_negative_nan_and_non_numeric_lengths() -> None:
    for value, text in [(-1.0, "= -1.0"), (math.nan, "= nan"), (math.inf, "= inf")]:
        g = corridor()
        g.edges["a", "b"]["length"] = value
        with pytest.raises(LayoutError, match=rf"edge \('a', 'b'\) has 'length' {text}"):
            _layout(g)
    g = corridor()
    g.edges["a", "b"]["length"] = "ten"
    with pytest.raises(LayoutError, match="non-numeric 'length' = 'ten'"):
        _layout(g)


def test_error_missing_or_bad_coordinates() -> None:
    g = corridor()
    del g.nodes["c"]["y"]
    with pytest.raises(LayoutError, match=r"1 node\(s\) lack them: 'c'"):
        _layout(g)
    g = corridor()
    g.nodes["c"]["x"] = "left"
    with pytest.raises(LayoutError, match="node 'c' has non-numeric coordinates"):
        _layout(g)
    g = corridor()
    g.nodes["c"]["x"] = math.inf
    with pytest.raises(LayoutError, match="node 'c' has non-finite coordinates"):
        _layout(g)


def test_error_undefined_point_names_and_zones() -> None:
    with pytest.raises(
        LayoutError, match=r"end names point 'pack', which is not defined; defined points: depot"
    ):
        _layout(corridor(), end="pack")
    with pytest.raises(LayoutError, match="depot names point 'depot'"):
        _layout(corridor(), points={"start": "a"})
    with pytest.raises(LayoutError, match="zones name location"):
        _layout(corridor(), zones={"nope": "z"})
    with pytest.raises(LayoutError, match="expected a networkx Graph"):
        GraphLayout.from_networkx("x", {"a": 1}, locations={}, points={})  # type: ignore[arg-type]
    with pytest.raises(LayoutError, match="has no nodes"):
        GraphLayout.from_networkx("x", nx.Graph(), locations={}, points={})


def test_error_unknown_point_lists_defined_names() -> None:
    layout = _layout(corridor(), points={"depot": "a", "pack": "d"})
    with pytest.raises(LayoutError, match="has no point 'dock'; defined points: depot, pack"):
        layout.point("dock")
    with pytest.raises(LayoutError, match="has no point 'dock'"):
        layout.stop_matrix(np.array([0]), "dock", "depot")
    with pytest.raises(LayoutError, match="location index out of range"):
        layout.distance_matrix([5])
    with pytest.raises(LayoutError, match="has no node 'q'"):
        layout.node_index("q")
    bad = Route("x", 0.0, (Stop("start", "depot", 0, 0), Stop("waypoint", "nowhere", 0, 0)))
    with pytest.raises(LayoutError, match="waypoint 'nowhere' is not a node label"):
        layout.walk_length(bad)
