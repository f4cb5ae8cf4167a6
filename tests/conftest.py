"""Shared fixtures: small hand-checkable rectangular layouts and random pick lists."""

from __future__ import annotations

import numpy as np
import pytest

from wms.layout import BlockSpec, RectangularLayout, build_rectangular
from wms.model import Point


def henn_layout(depot_x_aisle: int = 0) -> RectangularLayout:
    """10 aisles x 45 positions per side, pitch 5 m, aisle 47 m: the Henn / example_m10_C45 metric.

    Aisle a is at x = 5a; position p at y = 1.5 + p; cross aisles at y = 0 and y = 47.
    """
    return build_rectangular(
        "henn-10x45",
        aisle_x_m=np.arange(10) * 5.0,
        blocks=[BlockSpec(positions=45, pitch_m=1.0, front_to_first_m=1.5, last_to_back_m=1.5)],
        points=[Point("depot", 5.0 * depot_x_aisle, 0)],
    )


def multi_block_layout(
    n_aisles: int = 8,
    n_blocks: int = 3,
    positions: int = 10,
    depot_x_m: float = 0.0,
    depot_row: int = 0,
) -> RectangularLayout:
    """``n_aisles`` aisles 3 m apart, ``n_blocks`` blocks of ``positions`` 1 m positions each."""
    return build_rectangular(
        f"multi-{n_aisles}x{n_blocks}",
        aisle_x_m=np.arange(n_aisles) * 3.0,
        blocks=[
            BlockSpec(positions=positions, pitch_m=1.0, front_to_first_m=1.0, last_to_back_m=1.0)
        ]
        * n_blocks,
        points=[Point("depot", depot_x_m, depot_row), Point("pack", 3.0 * (n_aisles - 1), 0, 2.0)],
    )


@pytest.fixture
def henn() -> RectangularLayout:
    """The 10 x 45 single-block Henn layout, depot at the front of aisle 0."""
    return henn_layout()


@pytest.fixture
def three_blocks() -> RectangularLayout:
    """8 aisles, 3 blocks (4 cross aisles) of 10 positions, depot front-left, pack station front-right."""
    return multi_block_layout()


def random_picks(rng: np.random.Generator, layout: RectangularLayout, k: int) -> np.ndarray:
    """``k`` random location indices (with possible repeats) of ``layout``."""
    return rng.integers(0, len(layout.locations), size=k).astype(np.int64)
