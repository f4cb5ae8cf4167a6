"""SPRP reader: geometry conventions pinned by known optima, and one broken file per defect."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.naive import held_karp
from wms.errors import InstanceError
from wms.io import SprpInstance, read_sprp
from wms.layout.rectangular import location_id

DATA = Path(__file__).parents[1] / "data"
SPRP = DATA / "sprp"
BROKEN = DATA / "broken"


@pytest.mark.parametrize(
    ("name", "optimum"),
    [
        ("literature_m5_C30_a7.txt", 94),
        ("example_m10_C45_a4.txt", 242),
        ("example_m10_C45_a9.txt", 268),
    ],
)
def test_known_optima_pin_the_conventions(name: str, optimum: float) -> None:
    """Held-Karp on the layout's own distances (no routing code) gives the published optimum.

    A wrong depot column gives 88 or 86 on the literature instance, an off-by-one cell 92.
    """
    inst = read_sprp(SPRP / name)
    d = inst.layout.stop_matrix(inst.picks, "depot", "depot")
    assert held_karp(d) == pytest.approx(optimum)


def test_literature_instance_fields() -> None:
    inst = read_sprp(SPRP / "literature_m5_C30_a7.txt")
    assert isinstance(inst, SprpInstance)
    assert inst.name == "literature_m5_C30_a7.txt"
    assert inst.sku_ids == ("0", "1", "2", "3", "4", "5", "6")
    assert inst.quantities.tolist() == [1] * 7
    lay = inst.layout
    assert lay.n_aisles == 5 and lay.n_blocks == 1
    np.testing.assert_allclose(lay.aisle_x_m, [0, 3, 6, 9, 12])
    # 1 + 29 * 1 + 1 = 31 m between the cross aisles
    np.testing.assert_allclose(lay.cross_y_m, [0, 31])
    depot = lay.point("depot")
    assert (depot.x_m, depot.cross_aisle, depot.offset_m) == (9.0, 0, 0.0)
    # SKU 0: AISLE 0 CELL 18 (cells from the top) -> position 30 - 1 - 18 = 11 from the front.
    first = int(inst.picks[0])
    assert lay.locations.ids[first] == location_id(
        0, 0, 11, 0, 0, n_aisles=5, n_positions=30, levels=1
    )
    assert lay.locations.y_m[first] == pytest.approx(1 + 11 * 1)
    assert lay.locations.x_m[first] == 0.0


def test_cell_zero_is_next_to_the_top_cross_aisle() -> None:
    inst = read_sprp(SPRP / "example_m10_C45_a9.txt")
    loc = inst.layout.locations
    # SKU 1: AISLE 1 CELL 0 -> the last position, 1.5 m below the back cross aisle at 47 m.
    k = inst.sku_ids.index("1")
    assert loc.y_m[inst.picks[k]] == pytest.approx(47 - 1.5)
    assert loc.aisle[inst.picks[k]] == 1


def test_top_depot_right_side_and_quantities(tmp_path: Path) -> None:
    text = (SPRP / "literature_m5_C30_a7.txt").read_text()
    text = text.replace("DEPOT_LOCATION : bottom", "DEPOT_LOCATION : top")
    text = text.replace(
        "DISTANCE_TOP_OR_BOTTOM_TO_DEPOT : 0", "DISTANCE_TOP_OR_BOTTOM_TO_DEPOT : 2.5"
    )
    text = text.replace(
        "ID 3 AISLE 1 CELL 0 QUANTITY 1 LEFT_RIGHT_HAND_SIDE left",
        "ID 3 AISLE 1 CELL 0 QUANTITY 1 LEFT_RIGHT_HAND_SIDE right",
    )
    text = text.replace("ID 3 QUANTITY 1", "ID 3 QUANTITY 4")
    f = tmp_path / "top.txt"
    f.write_text(text)
    inst = read_sprp(f)
    depot = inst.layout.point("depot")
    assert (depot.cross_aisle, depot.offset_m) == (1, 2.5)
    k = inst.sku_ids.index("3")
    assert inst.layout.locations.side[inst.picks[k]] == 1
    assert inst.layout.locations.ids[inst.picks[k]].endswith("-R")
    assert inst.quantities[k] == 4


def test_name_falls_back_to_the_file_name(tmp_path: Path) -> None:
    text = (
        (SPRP / "example_m10_C45_a4.txt").read_text().replace("NAME : example_m10_C45_a4.txt\n", "")
    )
    f = tmp_path / "unnamed.txt"
    f.write_text(text + "EOF\n")
    assert read_sprp(f).name == "unnamed.txt"


def test_all_examples_share_geometry_with_the_henn_layout() -> None:
    from tests.conftest import henn_layout

    inst = read_sprp(SPRP / "example_m10_C45_a25.txt")
    henn = henn_layout()
    np.testing.assert_allclose(inst.layout.aisle_x_m, henn.aisle_x_m)
    np.testing.assert_allclose(inst.layout.cross_y_m, henn.cross_y_m)
    assert inst.layout.locations.ids == henn.locations.ids


BROKEN_CASES = [
    (
        "sprp_missing_num_cells.txt",
        13,
        "the header lacks NUM_CELLS; add a line 'NUM_CELLS : <value>'",
    ),
    ("sprp_order_sku_unknown.txt", 31, "ordered SKU 7 is not in SKU_SECTION"),
    ("sprp_non_numeric_distance.txt", 10, "DISTANCE_CELL_TO_CELL must be a number, got 'one'"),
    (
        "sprp_unknown_layout.txt",
        4,
        "unknown LAYOUT 'multi-block': supported layouts are single-block",
    ),
    ("sprp_sku_count_mismatch.txt", 21, "SKU_SECTION announces NUM_SKUS : 5 but lists 4 entries"),
    (
        "sprp_aisle_out_of_range.txt",
        24,
        "SKU 2: AISLE 10 does not exist: NUM_AISLES is 10 (aisles 0..9)",
    ),
    ("sprp_cell_out_of_range.txt", 23, "SKU 1: CELL 45 does not exist: NUM_CELLS is 45"),
    (
        "sprp_depot_aisle_out_of_range.txt",
        7,
        "DEPOT_AISLE 12 does not exist: the warehouse has aisles 0..9",
    ),
    ("sprp_bad_depot_location.txt", 8, "DEPOT_LOCATION must be 'bottom' or 'top', got 'middle'"),
    ("sprp_duplicate_key.txt", 6, "NUM_AISLES is defined twice (first on line 5)"),
    ("sprp_duplicate_sku.txt", 25, "SKU 0 is listed twice (first on line 22)"),
    ("sprp_missing_order_section.txt", 25, "the file ends without ORDER_SECTION"),
    ("sprp_bad_side.txt", 22, "LEFT_RIGHT_HAND_SIDE must be 'left' or 'right', got 'up'"),
    ("sprp_header_without_colon.txt", 3, "expected a header line 'KEY : value'"),
    ("sprp_zero_cell_distance.txt", 10, "DISTANCE_CELL_TO_CELL must be > 0, got 0"),
    ("sprp_sku_line_odd_tokens.txt", 24, "expected 'ID <sku> AISLE <a> CELL <c> QUANTITY <q>"),
    ("sprp_order_quantity_zero.txt", 29, "SKU 1: QUANTITY must be >= 1, got 0"),
]


@pytest.mark.parametrize(("name", "line", "text"), BROKEN_CASES, ids=[c[0] for c in BROKEN_CASES])
def test_broken_files_name_file_line_and_defect(name: str, line: int, text: str) -> None:
    path = BROKEN / name
    with pytest.raises(InstanceError) as info:
        read_sprp(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert text in message


def test_every_broken_sprp_file_is_tested() -> None:
    assert {p.name for p in BROKEN.glob("sprp_*")} == {c[0] for c in BROKEN_CASES}


def test_missing_file_is_an_instance_error(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match=r"nope\.txt: cannot read SPRP file"):
        read_sprp(tmp_path / "nope.txt")
