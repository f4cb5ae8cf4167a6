"""Reader for the SPRP benchmark format (single picker routing problem, single-block warehouses).

The format is used by Weidinger (2018), Goeke & Schneider (2021) and Heßler & Irnich (2022):
``KEY : value`` header lines, then ``ARTICLE_SECTION``, ``SKU_SECTION`` and ``ORDER_SECTION``.
See ``../shared/formats/README.md``.

Conventions (they are pinned by golden tests: ``literature_m5_C30_a7.txt`` has optimum 94):

* aisle ``a`` lies at ``x = a * DISTANCE_AISLE_TO_AISLE``;
* ``CELL`` counts from the **top** (back) cross aisle, so cell ``c`` is storage position
  ``p = NUM_CELLS - 1 - c`` counted from the front, at
  ``y = DISTANCE_BOTTOM_TO_CELL + p * DISTANCE_CELL_TO_CELL`` above the front cross aisle;
* the back cross aisle lies ``DISTANCE_TOP_TO_CELL`` beyond the last position;
* the depot stands on the bottom (front) or top (back) cross aisle, per ``DEPOT_LOCATION``, at
  the x of ``DEPOT_AISLE``, ``DISTANCE_TOP_OR_BOTTOM_TO_DEPOT`` away from the centre line;
* ``LEFT_RIGHT_HAND_SIDE`` picks the side of the aisle; both sides are reached from the same point.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from wms.errors import InstanceError, LayoutError, located
from wms.io.text import read_text
from wms.layout.rectangular import BlockSpec, RectangularLayout, build_rectangular
from wms.model import Point

#: Header keys every SPRP file must define (``NAME``, ``TYPE``, ``COMMENT`` are optional).
REQUIRED_KEYS = (
    "LAYOUT",
    "NUM_AISLES",
    "NUM_CELLS",
    "DEPOT_AISLE",
    "DEPOT_LOCATION",
    "DISTANCE_AISLE_TO_AISLE",
    "DISTANCE_CELL_TO_CELL",
    "DISTANCE_TOP_TO_CELL",
    "DISTANCE_BOTTOM_TO_CELL",
    "DISTANCE_TOP_OR_BOTTOM_TO_DEPOT",
)
_OPTIONAL_KEYS = ("NAME", "TYPE", "COMMENT")
_SECTIONS = {
    "ARTICLE_SECTION": "NUM_ARTICLES",
    "SKU_SECTION": "NUM_SKUS",
    "ORDER_SECTION": "NUM_ARTICLES",
}
_LAYOUTS = ("single-block",)
_SIDES = {"left": 0, "right": 1}
_SKU_FORM = "ID <sku> AISLE <a> CELL <c> QUANTITY <q> LEFT_RIGHT_HAND_SIDE <left|right>"


@dataclass(frozen=True, eq=False)
class SprpInstance:
    """One SPRP instance: a single-block layout and the pick list of one order.

    Attributes
    ----------
    name
        The ``NAME`` of the file (its file name when the header has none).
    layout
        The warehouse, built with :func:`wms.layout.build_rectangular` (two sides, one level); the
        depot is the point ``"depot"``.
    picks
        Location index (into ``layout.locations``) of every order line, in file order.
    sku_ids
        The SKU id of every order line, parallel to ``picks``.
    quantities
        Units ordered on every order line, parallel to ``picks`` (routing visits a location once,
        whatever the quantity).
    """

    name: str
    layout: RectangularLayout
    picks: NDArray[np.int64]
    sku_ids: tuple[str, ...]
    quantities: NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    text: str


class _Reader:
    """Line-oriented parser that remembers where every value came from (for error messages)."""

    def __init__(self, path: Path) -> None:
        self.source = str(path)
        text = read_text(path, "SPRP file", InstanceError)
        self.lines = [
            _Line(i, raw.strip()) for i, raw in enumerate(text.splitlines(), start=1) if raw.strip()
        ]
        self.last_line = len(text.splitlines())

    def error(self, line: int | None, message: str) -> InstanceError:
        return InstanceError(located(self.source, line, message))


def _number(reader: _Reader, line: int, key: str, value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise reader.error(line, f"{key} must be a number, got {value!r}") from None
    if not math.isfinite(x):
        raise reader.error(line, f"{key} must be a finite number, got {value!r}")
    return x


def _integer(reader: _Reader, line: int, key: str, value: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", value):
        raise reader.error(line, f"{key} must be a whole number, got {value!r}")
    return int(value)


def _fields(reader: _Reader, line: _Line, keys: tuple[str, ...], form: str) -> dict[str, str]:
    """Parse ``KEY value KEY value ...``; all ``keys`` must appear (``form``: the syntax)."""
    tokens = line.text.split()
    if len(tokens) % 2:
        raise reader.error(line.number, f"expected '{form}', got {line.text!r}")
    out: dict[str, str] = {}
    for k, v in zip(tokens[::2], tokens[1::2], strict=True):
        key = k.upper()
        if key in out:
            raise reader.error(line.number, f"{key} appears twice on this line")
        out[key] = v
    missing = [k for k in keys if k not in out]
    if missing:
        raise reader.error(
            line.number, f"missing {', '.join(missing)}: expected '{form}', got {line.text!r}"
        )
    return out


def _sections(reader: _Reader) -> tuple[dict[str, tuple[str, int]], dict[str, list[_Line]], int]:
    """Split the file into header values and section bodies.

    Returns the header (key -> (value, line)), the section bodies (including their count line) and
    the line number where the header ends (for messages about missing keys).
    """
    header: dict[str, tuple[str, int]] = {}
    sections: dict[str, list[_Line]] = {}
    current: str | None = None
    header_end = reader.last_line
    for line in reader.lines:
        word = line.text.upper()
        if word == "EOF":
            break
        if word in _SECTIONS:
            if word in sections:
                raise reader.error(line.number, f"{word} appears twice")
            if current is None:
                header_end = line.number
            current = word
            sections[word] = []
            continue
        if current is not None:
            sections[current].append(line)
            continue
        key, sep, value = line.text.partition(":")
        if not sep:
            raise reader.error(
                line.number,
                f"expected a header line 'KEY : value' or a section name "
                f"({', '.join(_SECTIONS)}), got {line.text!r}",
            )
        key, value = key.strip().upper(), value.strip()
        if key in header:
            raise reader.error(
                line.number, f"{key} is defined twice (first on line {header[key][1]})"
            )
        header[key] = (value, line.number)
    return header, sections, header_end


def _count_and_body(reader: _Reader, sections: dict[str, list[_Line]], name: str) -> list[_Line]:
    """The body lines of section ``name`` after checking its ``NUM_... : n`` line against them."""
    if name not in sections:
        raise reader.error(
            reader.last_line,
            f"the file ends without {name}; an SPRP file needs a SKU_SECTION and an "
            "ORDER_SECTION (ARTICLE_SECTION is optional)",
        )
    lines = sections[name]
    count_key = _SECTIONS[name]
    body = lines
    if lines and lines[0].text.upper().startswith(count_key):
        first = lines[0]
        key, sep, value = first.text.partition(":")
        if not sep or key.strip().upper() != count_key:
            raise reader.error(first.number, f"expected '{count_key} : <n>', got {first.text!r}")
        n = _integer(reader, first.number, count_key, value.strip())
        body = lines[1:]
        if n != len(body):
            raise reader.error(
                first.number,
                f"{name} announces {count_key} : {n} but lists {len(body)} entr"
                f"{'y' if len(body) == 1 else 'ies'}; fix the count or the list",
            )
    return body


def read_sprp(path: str | Path) -> SprpInstance:
    """Read an SPRP instance file.

    Parameters
    ----------
    path
        The ``.txt`` file (``KEY : value`` header, ``SKU_SECTION`` and ``ORDER_SECTION``).

    Returns
    -------
    SprpInstance
        The layout (depot point ``"depot"``) and the location index of every ordered SKU.

    Raises
    ------
    InstanceError
        If the file cannot be read or is malformed; the message names the file and the line.
    """
    path = Path(path)
    reader = _Reader(path)
    header, sections, header_end = _sections(reader)

    for key in REQUIRED_KEYS:
        if key not in header:
            raise reader.error(
                header_end,
                f"the header lacks {key}; add a line '{key} : <value>' before the first section",
            )

    def value(key: str) -> tuple[str, int]:
        return header[key]

    layout_kind, line = value("LAYOUT")
    if layout_kind.lower() not in _LAYOUTS:
        raise reader.error(
            line, f"unknown LAYOUT {layout_kind!r}: supported layouts are {', '.join(_LAYOUTS)}"
        )
    ints: dict[str, int] = {}
    for key, low in (("NUM_AISLES", 1), ("NUM_CELLS", 1), ("DEPOT_AISLE", 0)):
        raw, line = value(key)
        ints[key] = _integer(reader, line, key, raw)
        if ints[key] < low:
            raise reader.error(line, f"{key} must be >= {low}, got {ints[key]}")
    n_aisles, n_cells, depot_aisle = ints["NUM_AISLES"], ints["NUM_CELLS"], ints["DEPOT_AISLE"]
    if depot_aisle >= n_aisles:
        raise reader.error(
            value("DEPOT_AISLE")[1],
            f"DEPOT_AISLE {depot_aisle} does not exist: the warehouse has aisles 0..{n_aisles - 1}",
        )
    where, line = value("DEPOT_LOCATION")
    if where.lower() not in ("bottom", "top"):
        raise reader.error(line, f"DEPOT_LOCATION must be 'bottom' or 'top', got {where!r}")
    dist: dict[str, float] = {}
    for key in REQUIRED_KEYS[5:]:
        raw, line = value(key)
        dist[key] = _number(reader, line, key, raw)
        strict = key in (
            "DISTANCE_AISLE_TO_AISLE",
            "DISTANCE_CELL_TO_CELL",
            "DISTANCE_TOP_TO_CELL",
            "DISTANCE_BOTTOM_TO_CELL",
        )
        if dist[key] < 0 or (strict and dist[key] == 0):
            raise reader.error(line, f"{key} must be {'> 0' if strict else '>= 0'}, got {raw}")

    pitch_x = dist["DISTANCE_AISLE_TO_AISLE"]
    name = header["NAME"][0] if header.get("NAME", ("", 0))[0] else path.name
    try:
        layout = build_rectangular(
            f"sprp-{n_aisles}x{n_cells}",
            aisle_x_m=np.arange(n_aisles, dtype=np.float64) * pitch_x,
            blocks=[
                BlockSpec(
                    positions=n_cells,
                    pitch_m=dist["DISTANCE_CELL_TO_CELL"],
                    front_to_first_m=dist["DISTANCE_BOTTOM_TO_CELL"],
                    last_to_back_m=dist["DISTANCE_TOP_TO_CELL"],
                )
            ],
            points=[
                Point(
                    "depot",
                    depot_aisle * pitch_x,
                    0 if where.lower() == "bottom" else 1,
                    dist["DISTANCE_TOP_OR_BOTTOM_TO_DEPOT"],
                )
            ],
            sides=2,
        )
    except LayoutError as exc:  # pragma: no cover - the checks above should catch everything
        raise reader.error(None, str(exc)) from None

    # -- articles (optional): only the count is checked ----------------------------------------
    if "ARTICLE_SECTION" in sections:
        for line_ in _count_and_body(reader, sections, "ARTICLE_SECTION"):
            _fields(reader, line_, ("ID",), "ID <article>")

    # -- SKUs: where each SKU is stored ----------------------------------------------------------
    sku_location: dict[str, tuple[int, int]] = {}  # sku -> (location index, line)
    for line_ in _count_and_body(reader, sections, "SKU_SECTION"):
        f = _fields(reader, line_, ("ID", "AISLE", "CELL"), _SKU_FORM)
        sku = f["ID"]
        if sku in sku_location:
            raise reader.error(
                line_.number,
                f"SKU {sku} is listed twice (first on line {sku_location[sku][1]}); "
                "scattered storage (one SKU in several cells) is not supported",
            )
        aisle = _integer(reader, line_.number, "AISLE", f["AISLE"])
        cell = _integer(reader, line_.number, "CELL", f["CELL"])
        if not 0 <= aisle < n_aisles:
            raise reader.error(
                line_.number,
                f"SKU {sku}: AISLE {aisle} does not exist: NUM_AISLES is {n_aisles} "
                f"(aisles 0..{n_aisles - 1})",
            )
        if not 0 <= cell < n_cells:
            raise reader.error(
                line_.number,
                f"SKU {sku}: CELL {cell} does not exist: NUM_CELLS is {n_cells} "
                f"(cells 0..{n_cells - 1}, counted from the top cross aisle)",
            )
        side_raw = f.get("LEFT_RIGHT_HAND_SIDE", "left")
        if side_raw.lower() not in _SIDES:
            raise reader.error(
                line_.number,
                f"SKU {sku}: LEFT_RIGHT_HAND_SIDE must be 'left' or 'right', got {side_raw!r}",
            )
        if "QUANTITY" in f:
            _integer(reader, line_.number, "QUANTITY", f["QUANTITY"])
        position = n_cells - 1 - cell
        # build_rectangular enumerates aisle, block, position, side (one block, one level).
        index = (aisle * n_cells + position) * 2 + _SIDES[side_raw.lower()]
        sku_location[sku] = (index, line_.number)

    # -- the order: which SKUs to pick -------------------------------------------------------------
    picks: list[int] = []
    skus: list[str] = []
    quantities: list[int] = []
    for line_ in _count_and_body(reader, sections, "ORDER_SECTION"):
        f = _fields(reader, line_, ("ID",), "ID <sku> QUANTITY <q>")
        sku = f["ID"]
        if sku not in sku_location:
            raise reader.error(
                line_.number,
                f"ordered SKU {sku} is not in SKU_SECTION; add a line "
                f"'{_SKU_FORM.replace('<sku>', sku)}' there",
            )
        qty = 1
        if "QUANTITY" in f:
            qty = _integer(reader, line_.number, "QUANTITY", f["QUANTITY"])
            if qty < 1:
                raise reader.error(line_.number, f"SKU {sku}: QUANTITY must be >= 1, got {qty}")
        picks.append(sku_location[sku][0])
        skus.append(sku)
        quantities.append(qty)

    return SprpInstance(
        name=name,
        layout=layout,
        picks=np.asarray(picks, dtype=np.int64),
        sku_ids=tuple(skus),
        quantities=np.asarray(quantities, dtype=np.int64),
    )
