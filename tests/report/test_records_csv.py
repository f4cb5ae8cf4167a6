"""CSV records of a comparison: orders, trips and the runs table round-trip through pandas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from wms.report.records import RECORD_FILES, write_records
from wms.scenario.result import Comparison


def test_writes_three_files_in_order(comparison: Comparison, tmp_path: Path) -> None:
    paths = write_records(comparison, tmp_path / "out")
    assert [p.name for p in paths] == list(RECORD_FILES) == ["orders.csv", "trips.csv", "kpis.csv"]
    assert all(p.is_file() for p in paths)


def test_csvs_round_trip(comparison: Comparison, tmp_path: Path) -> None:
    orders, trips, kpis = write_records(comparison, tmp_path)
    pd.testing.assert_frame_equal(pd.read_csv(orders), comparison.orders)
    pd.testing.assert_frame_equal(pd.read_csv(trips), comparison.trips)
    pd.testing.assert_frame_equal(pd.read_csv(kpis), comparison.runs)


def test_no_cutoff_stays_infinite(comparison: Comparison, tmp_path: Path) -> None:
    orders = pd.read_csv(write_records(comparison, tmp_path)[0])
    assert np.isinf(orders["due_s"]).sum() == np.isinf(comparison.orders["due_s"]).sum() > 0
    assert orders["late"].dtype == bool


def test_rewrites_existing_files(comparison: Comparison, tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text("stale\n")
    write_records(comparison, tmp_path)
    assert len(pd.read_csv(tmp_path / "orders.csv")) == len(comparison.orders)
