"""Henn order-batching reader: setting, orders, geometry (same metric as the SPRP m10 examples)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import henn_layout
from tests.naive import held_karp
from wms.errors import InstanceError
from wms.io import HennInstance, HennSetting, read_henn_orders, read_henn_setting
from wms.io import henn_layout as io_henn_layout
from wms.io.henn import capacity_from_name
from wms.io.sprp import read_sprp

DATA = Path(__file__).parents[1] / "data"
HENN = DATA / "henn"
BROKEN = DATA / "broken"


@pytest.fixture
def sett1() -> HennSetting:
    """The standard Henn setting: 10 aisles x 45 cells, 1 m cells, 1.5 m wide, 2 m aisles."""
    return read_henn_setting(HENN / "sett1.txt")


def test_setting_values(sett1: HennSetting) -> None:
    assert sett1["no_aisles_"] == 10
    assert sett1["cell_width"] == 1.5
    assert sett1["routing___"] == "s"
    assert sett1.source == str(HENN / "sett1.txt")


def test_orders_and_capacity(sett1: HennSetting) -> None:
    inst = read_henn_orders(HENN / "1s-20-45-0.txt", sett1)
    assert isinstance(inst, HennInstance)
    assert inst.name == "1s-20-45-0"
    assert inst.capacity == 45
    assert len(inst.orders) == 20
    assert inst.orders[0].size == 19
    # Order 0, article 0: Aisle 17 Location 29 -> physical aisle 8, right side, position 29.
    loc = inst.layout.locations
    first = int(inst.orders[0][0])
    assert (loc.aisle[first], loc.side[first], loc.position[first]) == (8, 1, 29)
    assert loc.x_m[first] == pytest.approx(40.0)
    assert loc.y_m[first] == pytest.approx(1 + 29.5)
    assert inst.n_articles == sum(o.size for o in inst.orders)


def test_setting_path_and_capacity_override() -> None:
    inst = read_henn_orders(HENN / "2s-60-30-0.txt", HENN / "sett2.txt", capacity=75)
    assert inst.capacity == 75 and len(inst.orders) == 60
    assert capacity_from_name("2s-60-30-0") == 30
    assert capacity_from_name("orders") is None


def test_geometry_is_the_sprp_m10_metric(sett1: HennSetting) -> None:
    """Aisle pitch 5, positions at 1.5 + l, back cross aisle at 47: the example_m10_C45 metric."""
    lay = io_henn_layout(sett1)
    ref = henn_layout()
    np.testing.assert_allclose(lay.aisle_x_m, ref.aisle_x_m)
    np.testing.assert_allclose(lay.cross_y_m, [0.0, 47.0])
    np.testing.assert_allclose(lay.locations.y_m, ref.locations.y_m)
    assert lay.locations.ids == ref.locations.ids
    sprp = read_sprp(DATA / "sprp" / "example_m10_C45_a9.txt")
    d_henn = lay.stop_matrix(sprp.picks, "depot", "depot")
    d_sprp = sprp.layout.stop_matrix(sprp.picks, "depot", "depot")
    np.testing.assert_allclose(d_henn, d_sprp)
    assert held_karp(d_henn) == pytest.approx(268)


def test_geometry_overrides(sett1: HennSetting) -> None:
    lay = io_henn_layout(
        sett1, aisle_pitch_m=4.0, front_to_first_m=2.0, depot_aisle=3, depot_offset_m=1.0
    )
    np.testing.assert_allclose(lay.aisle_x_m[:3], [0, 4, 8])
    assert lay.locations.y_m.min() == pytest.approx(2.0)
    assert lay.cross_y_m[-1] == pytest.approx(2.0 + 44 + 1.5)
    depot = lay.point("depot")
    assert (depot.x_m, depot.offset_m) == (12.0, 1.0)
    inst = read_henn_orders(HENN / "1s-20-45-0.txt", sett1, n_aisles=12)
    assert inst.layout.n_aisles == 12


def test_order_count_mismatch_with_setting_is_logged(
    sett1: HennSetting, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="wms.io.henn"):
        read_henn_orders(HENN / "2s-60-30-0.txt", sett1)
    assert "no_orders_ 20 but the file has 60 orders" in caplog.text


BROKEN_ORDERS = [
    (
        "henn_bad_aisle.txt",
        6,
        "Aisle 20 does not exist: Aisle counts aisle sides and the warehouse "
        "has 10 aisles, so sides 0..19",
    ),
    (
        "henn_bad_location.txt",
        3,
        "Location 45 does not exist: the aisles have 45 positions (0..44)",
    ),
    ("henn_article_count_mismatch.txt", 1, "order 0 announces 3 articles but lists 2"),
    ("henn_malformed_article_line.txt", 3, "expected '<j>\\tAisle <a>\\tLocation <l>'"),
    ("henn_order_numbering.txt", 3, "expected Order 1, got Order 2"),
    ("henn_non_numeric_aisle.txt", 3, "Aisle must be a whole number >= 0, got 'x'"),
]


@pytest.mark.parametrize(("name", "line", "text"), BROKEN_ORDERS, ids=[c[0] for c in BROKEN_ORDERS])
def test_broken_order_files(sett1: HennSetting, name: str, line: int, text: str) -> None:
    path = BROKEN / name
    with pytest.raises(InstanceError) as info:
        read_henn_orders(path, sett1, capacity=45)
    message = str(info.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert text in message


def test_capacity_must_come_from_the_name_or_the_caller(
    sett1: HennSetting,
) -> None:
    path = BROKEN / "henn_no_capacity_in_name.txt"
    with pytest.raises(InstanceError) as info:
        read_henn_orders(path, sett1)
    assert str(info.value).startswith(f"{path}: cannot read the capacity from the file name")
    assert "pass capacity=" in str(info.value)


BROKEN_SETTINGS = [
    ("henn_setting_non_numeric.txt", ", line 2: no_cells__ must be a number, got 'many'"),
    ("henn_setting_line_without_colon.txt", ", line 2: expected 'key: value'"),
]


@pytest.mark.parametrize(("name", "text"), BROKEN_SETTINGS, ids=[c[0] for c in BROKEN_SETTINGS])
def test_broken_setting_files(name: str, text: str) -> None:
    path = BROKEN / name
    with pytest.raises(InstanceError) as info:
        read_henn_setting(path)
    assert str(info.value).startswith(f"{path}{text}"), str(info.value)


def test_missing_setting_key_names_the_file_and_the_fix() -> None:
    path = BROKEN / "henn_setting_missing_cells.txt"
    setting = read_henn_setting(path)
    with pytest.raises(InstanceError) as info:
        read_henn_orders(HENN / "1s-20-45-0.txt", setting)
    assert str(info.value) == (
        f"{path}: setting 'no_cells__' is missing; "
        "add a line 'no_cells__: <value>' or pass n_cells="
    )
    # ... and the keyword fills the gap
    assert read_henn_orders(HENN / "1s-20-45-0.txt", setting, n_cells=45).layout.n_aisles == 10


def test_every_broken_henn_file_is_tested() -> None:
    tested = {c[0] for c in BROKEN_ORDERS + BROKEN_SETTINGS}
    tested |= {"henn_no_capacity_in_name.txt", "henn_setting_missing_cells.txt"}
    assert {p.name for p in BROKEN.glob("henn_*")} == tested
