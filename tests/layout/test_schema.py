"""Layout files: the shipped layouts, every feature of the format, one broken file per defect."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from tests.conftest import henn_layout
from wms.errors import LayoutError
from wms.layout import GraphLayout, RectangularLayout
from wms.layout.schema import layout_json_schema, load_layout, parse_layout

ROOT = Path(__file__).parents[2]
LAYOUTS = ROOT / "layouts"
BROKEN = ROOT / "tests" / "data" / "broken"


def rect(doc: dict[str, Any]) -> RectangularLayout:
    """Parse a rectangular layout document given as a dict."""
    layout = parse_layout(doc, source="test.yaml")
    assert isinstance(layout, RectangularLayout)
    return layout


def minimal(**extra: Any) -> dict[str, Any]:
    """3 aisles 4 m apart, one block of 5 positions, depot front-left."""
    doc: dict[str, Any] = {
        "aisles": {"count": 3, "pitch_m": 4.0},
        "blocks": [{"positions": 5}],
        "points": {"depot": {"aisle": 0}},
    }
    doc.update(extra)
    return doc


# -- shipped layouts -------------------------------------------------------------------------------


def test_every_shipped_layout_loads() -> None:
    files = sorted(LAYOUTS.glob("*.yaml"))
    assert len(files) >= 4
    for f in files:
        layout = load_layout(f)
        assert layout.name == f.stem
        assert len(layout.locations) > 0


def test_small_single_block() -> None:
    lay = load_layout(LAYOUTS / "small-single-block.yaml")
    assert isinstance(lay, RectangularLayout)
    assert (lay.n_aisles, lay.n_blocks, len(lay.locations)) == (8, 1, 8 * 20 * 2)
    assert lay.depot == "depot" and lay.end == "pack-1" and lay.pack_stations == ("pack-1",)
    assert lay.point("depot").x_m == 0.0


def test_henn_layout_file_is_the_henn_metric() -> None:
    lay = load_layout(LAYOUTS / "henn-10x45.yaml")
    ref = henn_layout()
    assert isinstance(lay, RectangularLayout)
    np.testing.assert_allclose(lay.aisle_x_m, ref.aisle_x_m)
    np.testing.assert_allclose(lay.cross_y_m, [0.0, 47.0])
    assert lay.locations.ids == ref.locations.ids
    np.testing.assert_allclose(lay.locations.y_m, ref.locations.y_m)
    rng = np.random.default_rng(3)
    picks = rng.integers(0, len(lay.locations), 12)
    np.testing.assert_allclose(
        lay.stop_matrix(picks, "depot", "depot"), ref.stop_matrix(picks, "depot", "depot")
    )


def test_ecommerce_layout_is_realistic() -> None:
    lay = load_layout(LAYOUTS / "ecommerce-3-block.yaml")
    assert isinstance(lay, RectangularLayout)
    loc = lay.locations
    assert lay.n_aisles >= 36 and lay.n_blocks == 3
    assert set(np.unique(loc.side)) == {0, 1}
    assert 3 <= int(loc.level.max()) + 1 <= 4
    handling = {z.name: z.handling for z in lay.zones}
    assert "bulky" in handling.values() and "fragile" in handling.values()
    assert {"fast-movers", "mezzanine"} <= set(handling)
    assert len(lay.pack_stations) >= 4 and lay.sort_zone is not None
    assert lay.end is not None and lay.end != lay.depot
    # Fast movers sit nearer the depot than the average location.
    depot = lay.net_point_of_point(lay.depot)
    fast = np.flatnonzero(loc.zone == loc.zone_names.index("fast-movers"))
    everything = np.arange(len(loc))

    def mean_distance(idx: np.ndarray) -> float:
        return float(
            np.mean([lay.distance(depot, lay.net_point_of_location(int(i))) for i in idx[::50]])
        )

    assert mean_distance(fast) < mean_distance(everything)
    # Every location is in some zone (the last zone is a catch-all).
    assert np.all(loc.zone >= 0)


def test_graph_layout_has_obstacle_and_one_way_aisle() -> None:
    lay = load_layout(LAYOUTS / "graph-mezzanine.yaml")
    assert isinstance(lay, GraphLayout)
    assert lay.directed
    edges = list(lay.graph.edges(data=True))
    assert any(d.get("blocked") for *_, d in edges)
    ids = list(lay.locations.ids)
    one_way = np.array([ids.index("G-A4-15-R")])
    d = lay.stop_matrix(one_way, "depot", "pack-1")
    # depot -> F0 (3) -> F4 (20) -> up the one-way aisle 15 m = 38; on to the pack station the
    # picker must leave by the back: 5 up, 5 along the back, 20 down aisle 3, 5 along, 3 = 38.
    assert d[0, 1] == pytest.approx(38.0)
    assert d[1, 2] == pytest.approx(38.0)


def test_readme_examples_load() -> None:
    text = (LAYOUTS / "README.md").read_text()
    docs = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    layouts = [
        parse_layout(d, source="README") for d in docs if isinstance(d, dict) and "points" in d
    ]
    assert [lay.kind for lay in layouts] == ["rectangular", "graph"]


# -- features --------------------------------------------------------------------------------------


def test_block_length_helper_spreads_positions_evenly() -> None:
    lay = rect(
        minimal(
            blocks=[
                {"positions": 10, "length_m": 30.0},
                {"positions": 4, "length_m": 10, "pitch_m": 2},
            ]
        )
    )
    np.testing.assert_allclose(lay.cross_y_m, [0, 30, 40])
    ys = np.unique(lay.locations.y_m)
    np.testing.assert_allclose(ys[:10], 1.5 + 3.0 * np.arange(10))
    np.testing.assert_allclose(ys[10:], 30 + 2 + 2.0 * np.arange(4))


def test_explicit_aisle_positions_and_first_x() -> None:
    lay = rect(minimal(aisles={"x_m": [0, 3, 7.5]}, points={"depot": {"x_m": 5.0}}))
    np.testing.assert_allclose(lay.aisle_x_m, [0, 3, 7.5])
    lay = rect(
        minimal(aisles={"count": 2, "pitch_m": 3, "first_x_m": 2}, points={"depot": {"aisle": 1}})
    )
    np.testing.assert_allclose(lay.aisle_x_m, [2, 5])
    assert lay.point("depot").x_m == 5.0


def test_zones_ranges_first_match_and_repeated_entries() -> None:
    lay = rect(
        minimal(
            aisles={"count": 10, "pitch_m": 3},
            blocks=[{"positions": 2}, {"positions": 2}],
            levels=2,
            zones=[
                {"name": "bulky", "aisles": "8-9", "handling": "bulky"},
                {"name": "fast", "aisles": "0-1,3", "blocks": 0, "levels": [0]},
                {"name": "bulky", "aisles": [5], "blocks": [1], "handling": "bulky"},
                {"name": "rest"},
            ],
        )
    )
    loc = lay.locations
    zone = {loc.ids[i]: loc.zone_of(i) for i in range(len(loc))}
    assert zone["A08-B0-P00-L-0"] == "bulky"
    assert zone["A03-B0-P01-R-0"] == "fast"
    assert zone["A03-B0-P01-R-1"] == "rest"  # level 1 is not in the fast zone
    assert zone["A02-B0-P00-L-0"] == "rest"
    assert zone["A05-B1-P00-L-1"] == "bulky"
    assert [z.name for z in lay.zones] == ["bulky", "fast", "rest"]
    assert lay.zones[0].handling == "bulky"


def test_points_cross_aisles_offsets_and_roles() -> None:
    lay = rect(
        minimal(
            blocks=[{"positions": 5}, {"positions": 5}],
            points={
                "depot": {"aisle": 0, "offset_m": 2},
                "top": {"aisle": 2, "cross_aisle": "back"},
                "mid": {"x_m": 6.0, "cross_aisle": 1},
                "pack": {"aisle": 1, "cross_aisle": "front"},
            },
            end="pack",
            pack_stations=["pack"],
            sort_zone="mid",
        )
    )
    assert lay.point("top").cross_aisle == 2
    assert lay.point("mid").cross_aisle == 1 and lay.point("mid").x_m == 6.0
    assert lay.point("depot").offset_m == 2.0
    assert (lay.end, lay.pack_stations, lay.sort_zone) == ("pack", ("pack",), "mid")


def test_one_sided_aisles_and_default_name() -> None:
    lay = rect(minimal(sides=1))
    assert len(lay.locations) == 3 * 5
    assert lay.name == "layout"


def test_graph_edges_default_to_straight_lines_and_undirected() -> None:
    doc = {
        "kind": "graph",
        "nodes": [{"id": "d", "x_m": 0, "y_m": 0}, {"id": 1, "x_m": 3, "y_m": 4}],
        "edges": [{"from": "d", "to": 1}],
        "locations": [{"id": "L1", "node": 1}],
        "points": {"depot": "d"},
    }
    lay = parse_layout(doc, source="g.yaml", default_name="g")
    assert isinstance(lay, GraphLayout)
    assert not lay.directed
    assert lay.stop_matrix(np.array([0]), "depot", "depot")[0, 1] == pytest.approx(5.0)


def test_json_schema_describes_both_kinds_and_forbids_extras() -> None:
    schema = layout_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    refs = {item["$ref"].rsplit("/", 1)[-1] for item in schema["anyOf"]}
    assert refs == {"RectangularLayoutIn", "GraphLayoutIn"}
    defs = schema["$defs"]
    assert all(
        d.get("additionalProperties") is False for d in defs.values() if d.get("type") == "object"
    )
    assert "from" in defs["EdgeIn"]["properties"]
    # Every top-level key of the shipped files is a property of its kind's schema.
    for f in LAYOUTS.glob("*.yaml"):
        doc = yaml.safe_load(f.read_text())
        kind = "GraphLayoutIn" if doc.get("kind") == "graph" else "RectangularLayoutIn"
        assert set(doc) <= set(defs[kind]["properties"]), f.name


# -- broken files ----------------------------------------------------------------------------------

BROKEN_CASES = [
    ("layout_negative_pitch.yaml", 4, "aisles.pitch_m: must be greater than 0, got -3.0"),
    (
        "layout_unknown_field.yaml",
        7,
        "blocks[0].pich_m: unknown field 'pich_m'; did you mean 'pitch_m'?",
    ),
    ("layout_yaml_syntax.yaml", 7, "YAML syntax error: "),
    (
        "layout_zero_positions.yaml",
        5,
        "blocks[1].positions: must be greater than or equal to 1, got 0",
    ),
    (
        "layout_missing_aisles.yaml",
        1,
        "aisles: required field is missing; add e.g. 'aisles: {count: 10",
    ),
    (
        "layout_zone_aisle_out_of_range.yaml",
        9,
        "zones[1].aisles: aisle 40 does not exist: the layout has aisles 0..35",
    ),
    ("layout_backwards_range.yaml", 7, "zones[0].aisles: range '9-3' runs backwards; write '3-9'"),
    (
        "layout_undefined_pack_station.yaml",
        11,
        "pack_stations[1]: no point named 'pack-9'; define it under 'points' "
        "(defined: depot, pack-1)",
    ),
    (
        "layout_point_aisle_and_x.yaml",
        7,
        "points.pack-1: give exactly one of 'aisle: <index>' or 'x_m:",
    ),
    ("layout_duplicate_key.yaml", 7, "duplicate key 'blocks' (first on line 3)"),
    (
        "layout_cross_aisle_out_of_range.yaml",
        8,
        "points.stairs.cross_aisle: cross aisle 3 does not exist: 2 blocks give cross aisles 0..2",
    ),
    (
        "layout_point_outside_aisles.yaml",
        6,
        "points.depot.x_m: x_m -2 lies outside the aisles (0..21 m)",
    ),
    (
        "layout_block_too_short.yaml",
        4,
        "blocks[0]: length_m 15 is too short for 20 positions at pitch 1 m: it must exceed 19 m",
    ),
    (
        "layout_unknown_kind.yaml",
        1,
        "kind: unknown layout kind 'circular'; use 'rectangular' or 'graph'",
    ),
    ("layout_graph_unknown_node.yaml", 8, "edges[1].to: unknown node 'n2'"),
    (
        "layout_graph_unreachable_location.yaml",
        12,
        "locations[1]: location 'L2' (node 'n2') cannot be reached from the depot",
    ),
    (
        "layout_graph_one_way_trap.yaml",
        12,
        "locations[1]: location 'L2' (node 'n2') has no way back to the depot",
    ),
]


@pytest.mark.parametrize(("name", "line", "text"), BROKEN_CASES, ids=[c[0] for c in BROKEN_CASES])
def test_broken_layout_files(name: str, line: int, text: str) -> None:
    path = BROKEN / name
    with pytest.raises(LayoutError) as info:
        load_layout(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert text in message
    assert "\n" not in message


def test_empty_layout_file() -> None:
    path = BROKEN / "layout_empty.yaml"
    with pytest.raises(LayoutError) as info:
        load_layout(path)
    assert str(info.value).startswith(f"{path}: the file is empty")


def test_every_broken_layout_file_is_tested() -> None:
    tested = {c[0] for c in BROKEN_CASES} | {"layout_empty.yaml"}
    assert {p.name for p in BROKEN.glob("layout_*")} == tested


def test_several_problems_are_one_message() -> None:
    doc = minimal(aisles={"count": 0, "pitch_m": -1}, sides=3)
    with pytest.raises(LayoutError) as info:
        parse_layout(doc, source="many.yaml")
    message = str(info.value)
    assert message.startswith("many.yaml: aisles.count: must be greater than or equal to 1, got 0")
    assert "(and 2 more problems: aisles.pitch_m, sides)" in message


def test_unknown_top_level_field_is_reported_before_the_missing_one() -> None:
    doc = minimal()
    doc["aisle"] = doc.pop("aisles")
    with pytest.raises(LayoutError, match=r"aisle: unknown field 'aisle'; did you mean 'aisles'\?"):
        parse_layout(doc, source="typo.yaml")


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (
            {"zones": [{"name": "a", "handling": "bulky"}, {"name": "a", "handling": "fragile"}]},
            "zones[1].handling: zone 'a' is also listed as zones[0] with handling 'bulky'",
        ),
        ({"zones": [{"name": "a", "levels": 1}]}, "zones[0].levels: level 1 does not exist"),
        ({"zones": [{"name": "a", "aisles": []}]}, "zones[0].aisles: the list is empty"),
        (
            {"zones": [{"name": "a", "handling": "Bulky Goods"}]},
            "zones[0].handling: a handling class is one lowercase word",
        ),
        (
            {"pack_stations": ["depot", "depot"]},
            "pack_stations[1]: pack station 'depot' is listed twice",
        ),
        ({"end": "dock"}, "end: no point named 'dock'"),
        ({"aisles": {"count": 3}}, "aisles: needs count and pitch_m"),
        ({"aisles": {"x_m": [0, 3, 3]}}, "aisles: x_m must be strictly increasing"),
        (
            {"blocks": [{"positions": 5, "length_m": 6, "front_to_first_m": 1}]},
            "blocks[0]: give either length_m or front_to_first_m/last_to_back_m",
        ),
        ({"points": {"depot": {"aisle": 5}}}, "points.depot.aisle: aisle 5 does not exist"),
        (
            {"points": {"depot": {"aisle": 0, "cross_aisle": "middle"}}},
            "points.depot.cross_aisle: expected a cross-aisle index",
        ),
    ],
)
def test_semantic_errors_name_the_field(change: dict[str, Any], text: str) -> None:
    with pytest.raises(LayoutError) as info:
        parse_layout(minimal(**change), source="x.yaml")
    assert str(info.value).startswith("x.yaml: "), str(info.value)
    assert text in str(info.value)


@pytest.mark.parametrize(
    ("edges", "text"),
    [
        ([{"from": "d", "to": "d"}], "edges[0]: edge from 'd' to itself"),
        (
            [{"from": "d", "to": "n"}, {"from": "n", "to": "d"}],
            "edges[1]: edge 'n' - 'd' duplicates edges[0]",
        ),
        ([{"from": "d", "to": "nn"}], "edges[0].to: unknown node 'nn'; did you mean 'n'?"),
        ([{"from": "d", "to": "n", "length_m": 0}], "edges[0].length_m: must be greater than 0"),
    ],
)
def test_graph_errors_name_the_field(edges: list[dict[str, Any]], text: str) -> None:
    doc = {
        "kind": "graph",
        "nodes": [{"id": "d", "x_m": 0, "y_m": 0}, {"id": "n", "x_m": 1, "y_m": 0}],
        "edges": edges,
        "locations": [{"id": "L", "node": "n"}],
        "points": {"depot": "d"},
    }
    with pytest.raises(LayoutError) as info:
        parse_layout(doc, source="g.yaml")
    assert str(info.value).startswith("g.yaml: "), str(info.value)
    assert text in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match=r"none\.yaml: cannot read layout file"):
        load_layout(tmp_path / "none.yaml")
