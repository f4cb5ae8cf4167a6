"""Closed-form rectangular distances against networkx shortest paths on the explicit aisle graph."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from tests.conftest import henn_layout, multi_block_layout
from wms.errors import LayoutError
from wms.layout import BlockSpec, RectangularLayout, build_rectangular
from wms.model import Point


def explicit_graph(layout: RectangularLayout, extra: list[tuple[float, float]]) -> nx.Graph:
    """The aisle network as a graph: every location, corner and extra point is a node."""
    g = nx.Graph()
    xs = layout.aisle_x_m
    ys = layout.cross_y_m
    for a, x in enumerate(xs):
        col = {float(y) for y in ys}
        col |= {float(y) for y in layout.locations.y_m[layout.locations.aisle == a]}
        col |= {y for (px, y) in extra if abs(px - x) < 1e-9}
        pts = sorted(col)
        for y0, y1 in itertools.pairwise(pts):
            g.add_edge((float(x), y0), (float(x), y1), weight=y1 - y0)
    for y in ys:
        row = {float(x) for x in xs} | {px for (px, py) in extra if abs(py - y) < 1e-9}
        pts = sorted(row)
        for x0, x1 in itertools.pairwise(pts):
            g.add_edge((x0, float(y)), (x1, float(y)), weight=x1 - x0)
    return g


@pytest.mark.parametrize(
    "layout", [henn_layout(), multi_block_layout(5, 3, 4)], ids=["henn", "3blocks"]
)
def test_location_matrix_matches_graph_shortest_paths(layout: RectangularLayout) -> None:
    rng = np.random.default_rng(1)
    idx = rng.choice(len(layout.locations), size=40, replace=False)
    d = layout.distance_matrix(idx)
    g = explicit_graph(layout, [])
    for i in range(0, 40, 3):
        src = (float(layout.locations.x_m[idx[i]]), float(layout.locations.y_m[idx[i]]))
        lengths = nx.single_source_dijkstra_path_length(g, src)
        for j in range(40):
            dst = (float(layout.locations.x_m[idx[j]]), float(layout.locations.y_m[idx[j]]))
            assert d[i, j] == pytest.approx(lengths[dst])


def test_points_between_aisles_and_offsets() -> None:
    layout = build_rectangular(
        "pts",
        aisle_x_m=[0.0, 4.0, 8.0],
        blocks=[BlockSpec(5), BlockSpec(5)],
        points=[Point("depot", 2.0, 0, 1.5), Point("back", 6.0, 2), Point("mid", 5.0, 1)],
    )
    g = explicit_graph(
        layout, [(2.0, 0.0), (6.0, float(layout.cross_y_m[2])), (5.0, float(layout.cross_y_m[1]))]
    )
    for a, b in [("depot", "back"), ("depot", "mid"), ("mid", "back")]:
        pa, pb = layout.net_point_of_point(a), layout.net_point_of_point(b)
        expected = (
            nx.dijkstra_path_length(g, (pa.x_m, pa.y_m), (pb.x_m, pb.y_m))
            + pa.offset_m
            + pb.offset_m
        )
        assert layout.distance(pa, pb) == pytest.approx(expected)
        # the leg corners lie on a shortest path
        walk = [pa._replace(offset_m=0.0), *layout.leg_waypoints(pa, pb), pb._replace(offset_m=0.0)]
        assert sum(
            layout.distance(p, q) for p, q in itertools.pairwise(walk)
        ) == pytest.approx(expected - pa.offset_m - pb.offset_m)
        for p, q in itertools.pairwise(walk):
            assert abs(p.x_m - q.x_m) < 1e-9 or abs(p.y_m - q.y_m) < 1e-9, "legs are straight"


def test_henn_geometry_matches_the_formats_convention(henn: RectangularLayout) -> None:
    assert henn.cross_y_m.tolist() == [0.0, 47.0]
    i = henn.locations.index("A03-B0-P00-L")
    assert henn.locations.x_m[i] == 15.0 and henn.locations.y_m[i] == 1.5
    assert len(henn.locations) == 10 * 45 * 2


def test_unknown_location_id_names_it(henn: RectangularLayout) -> None:
    with pytest.raises(LayoutError, match="unknown location id 'A99-B0-P00-L'"):
        henn.locations.index("A99-B0-P00-L")


def test_point_outside_the_aisles_is_rejected() -> None:
    with pytest.raises(LayoutError, match="outside the aisles"):
        build_rectangular(
            "bad", aisle_x_m=[0.0, 3.0], blocks=[BlockSpec(3)], points=[Point("depot", 9.0, 0)]
        )
