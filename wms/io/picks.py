"""Reader for pick-list files: which storage locations to visit, for one or several pick lists.

Two forms are accepted:

* **CSV** with a header row and a ``location_id`` column; an optional ``list_id`` column splits the
  rows into several pick lists (in order of first appearance). Other columns are ignored::

      list_id,location_id
      L1,A03-B0-P12-L
      L1,A07-B1-P02-R

* **JSON**: a list of location ids (one pick list), or ``{"lists": {"L1": [...], "L2": [...]}}``.

Without a ``list_id`` the single pick list is named after the file stem.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from wms.errors import LayoutError, WmsError, located
from wms.io.text import read_text

if TYPE_CHECKING:
    from wms.layout import Layout


class PicksFileError(WmsError):
    """A pick-list file is malformed or names an unknown location."""


def read_pick_lists(path: str | Path, layout: Layout) -> dict[str, NDArray[np.int64]]:
    """Read the pick lists of a CSV or JSON file as location indices of ``layout``.

    Parameters
    ----------
    path
        ``.csv`` (columns ``location_id`` and optional ``list_id``) or ``.json`` (a list of ids or
        ``{"lists": {name: [ids]}}``); see the module docstring.
    layout
        The layout whose location ids the file uses.

    Returns
    -------
    dict
        Pick-list name to location indices, in file order.

    Raises
    ------
    PicksFileError
        The file cannot be read, is malformed or names an unknown location; the message gives
        the file and the line (CSV) or the JSON path.
    """
    path = Path(path)
    text = read_text(path, "pick-list file", PicksFileError, encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix == ".json":
        raw = _json_lists(path, text)
    elif suffix == ".csv":
        raw = _csv_lists(path, text)
    else:
        raise PicksFileError(f"{path}: unknown pick-list file type {suffix!r}; use .csv or .json")
    out: dict[str, NDArray[np.int64]] = {}
    for name, items in raw.items():
        indices = np.empty(len(items), dtype=np.int64)
        for k, (loc_id, where) in enumerate(items):
            try:
                indices[k] = layout.locations.index(loc_id)
            except LayoutError as exc:
                raise PicksFileError(f"{path}{where}: {exc}") from None
        out[name] = indices
    return out


def _csv_lists(path: Path, text: str) -> dict[str, list[tuple[str, str]]]:
    rows = csv.reader(text.splitlines())
    try:
        header = [h.strip() for h in next(rows)]
    except StopIteration:
        raise PicksFileError(
            f"{path}: the file is empty; it needs a header row with location_id"
        ) from None
    except csv.Error as exc:
        raise PicksFileError(located(str(path), 1, f"bad CSV: {exc}")) from None
    if "location_id" not in header:
        raise PicksFileError(
            located(str(path), 1, f"no 'location_id' column; the header has: {', '.join(header)}")
        )
    col = header.index("location_id")
    list_col = header.index("list_id") if "list_id" in header else None
    lists: dict[str, list[tuple[str, str]]] = {}
    try:
        for number, row in enumerate(rows, start=2):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise PicksFileError(
                    located(
                        str(path), number, f"{len(row)} fields, but the header has {len(header)}"
                    )
                )
            loc_id = row[col].strip()
            if not loc_id:
                raise PicksFileError(located(str(path), number, "empty location_id"))
            name = path.stem if list_col is None else row[list_col].strip()
            if not name:
                raise PicksFileError(located(str(path), number, "empty list_id"))
            lists.setdefault(name, []).append((loc_id, f", line {number}"))
    except csv.Error as exc:
        raise PicksFileError(f"{path}: bad CSV: {exc}") from None
    if not lists:
        raise PicksFileError(f"{path}: no picks: the file has a header but no rows")
    return lists


def _json_lists(path: Path, text: str) -> dict[str, list[tuple[str, str]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PicksFileError(
            located(str(path), exc.lineno, f"JSON syntax error: {exc.msg} (column {exc.colno})")
        ) from None
    if isinstance(data, list):
        named: dict[str, object] = {path.stem: data}
        prefix = ""
    elif isinstance(data, dict) and set(data) == {"lists"} and isinstance(data["lists"], dict):
        named = data["lists"]
        prefix = "lists."
    else:
        raise PicksFileError(
            f"{path}: expected a JSON list of location ids or "
            '{"lists": {"<list id>": ["<location id>", ...]}}'
        )
    out: dict[str, list[tuple[str, str]]] = {}
    for name, ids in named.items():
        where = f"{prefix}{name}" if prefix else ""
        if not isinstance(ids, list):
            raise PicksFileError(f"{path}: {where}: expected a list of location ids")
        items: list[tuple[str, str]] = []
        for k, loc_id in enumerate(ids):
            if not isinstance(loc_id, str):
                raise PicksFileError(
                    f"{path}: {where}[{k}]: expected a location id string, got {loc_id!r}"
                )
            items.append((loc_id, f": {where}[{k}]"))
        out[name] = items
    if not out:
        raise PicksFileError(f"{path}: no pick lists")
    return out
