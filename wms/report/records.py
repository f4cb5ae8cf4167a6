"""The records of a strategy comparison as CSV files, for spreadsheets and further analysis.

``orders.csv`` (one row per order and strategy, replication 0), ``trips.csv`` (one row per pick
trip and strategy, replication 0) and ``kpis.csv`` (one row per strategy and replication, every
KPI). Columns are those documented on :class:`wms.scenario.result.Comparison`; floats keep full
precision, an order without a cutoff has ``due_s = inf``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wms.scenario.result import Comparison

__all__ = ["RECORD_FILES", "write_records"]

#: File names written by :func:`write_records`, in order.
RECORD_FILES: tuple[str, ...] = ("orders.csv", "trips.csv", "kpis.csv")


def write_records(comparison: Comparison, directory: str | Path) -> list[Path]:
    """Write the per-order, per-trip and per-run records of ``comparison`` into ``directory``.

    Parameters
    ----------
    comparison
        The strategy comparison.
    directory
        Target folder, created if missing; existing files of the same names are replaced.

    Returns
    -------
    list[Path]
        The paths of ``orders.csv``, ``trips.csv`` and ``kpis.csv``, in that order.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    tables = (comparison.orders, comparison.trips, comparison.runs)
    paths: list[Path] = []
    for name, table in zip(RECORD_FILES, tables, strict=True):
        path = folder / name
        table.to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    return paths
