"""Wave release: orders wait for the next release on the grid inside the shifts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms.strategies import release_times

SHIFTS = ((6 * 3600.0, 14 * 3600.0), (15 * 3600.0, 22 * 3600.0))


def test_release_grid_by_hand() -> None:
    arrivals = np.array([0.0, 6 * 3600.0, 6 * 3600 + 1.0, 14 * 3600 + 10.0, 23 * 3600.0])
    got = release_times(arrivals, SHIFTS, 1800.0)
    expected = [6 * 3600.0, 6 * 3600.0, 6.5 * 3600, 15 * 3600.0, 23 * 3600.0]
    np.testing.assert_allclose(got, expected)


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        release_times(np.zeros(1), SHIFTS, 0.0)


@given(
    st.lists(st.floats(0, 30 * 3600, allow_nan=False), min_size=1, max_size=50),
    st.sampled_from([300.0, 900.0, 1800.0, 3600.0]),
)
def test_release_is_the_next_grid_point(arrivals: list[float], interval: float) -> None:
    a = np.array(arrivals)
    r = release_times(a, SHIFTS, interval)
    assert np.all(r >= a)
    last_end = SHIFTS[-1][1]
    for x, y in zip(a.tolist(), r.tolist(), strict=True):
        if y == x and x >= last_end - interval:
            continue  # overtime, or an arrival exactly on the grid
        inside = [(s, e) for s, e in SHIFTS if s <= y < e]
        assert inside, (x, y)
        s, _ = inside[0]
        assert (y - s) % interval == pytest.approx(0.0, abs=1e-6)
        # No earlier grid point at or after the arrival.
        assert y - x < interval or x < s
    order = np.argsort(a, kind="stable")
    assert np.all(np.diff(r[order]) >= 0)  # monotone: a later arrival never leaves earlier
