"""Reader for the Henn order-batching benchmark format (Henn et al. 2010 and later work).

An instance is a setting file ``sett<k>.txt`` (``key: value`` lines, keys cut to 10 characters) and
an order file ``<k><s|l>-<orders>-<capacity>-<i>.txt``::

    Order 0	number of articles 19
    0	Aisle 17	Location 29
    ...

Geometry convention (``../shared/formats/README.md``), every number overridable by keyword:

* ``Aisle`` counts aisle **sides**: physical aisle ``a // 2``, side ``a % 2``;
* aisle pitch = ``2 * cell_width + aisle_widt`` (= 5 m for the standard setting);
* ``Location`` ``l`` (0 = depot side) lies ``dis_ais_wa + (l + 0.5) * cell_lengt`` from the front
  cross aisle; the back cross aisle is at ``2 * dis_ais_wa + no_cells__ * cell_lengt`` (= 47 m);
* the depot is on the front cross aisle at the leftmost aisle.

With the standard setting a 10 x 45 Henn warehouse is the same metric as the SPRP examples
``example_m10_C45_*``.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from wms.errors import InstanceError, LayoutError, located
from wms.io.text import read_text
from wms.layout.rectangular import BlockSpec, RectangularLayout, build_rectangular
from wms.model import Point

log = logging.getLogger(__name__)

#: Setting keys whose values must be numbers (as written in the files, 10 characters).
NUMERIC_KEYS = (
    "no_aisles_",
    "no_cells__",
    "cell_lengt",
    "cell_width",
    "aisle_widt",
    "dis_ais_wa",
    "no_orders_",
    "a_p_or_mea",
    "a_p_or_var",
)
_ORDER_RE = re.compile(r"Order\s+(\S+)\s+number\s+of\s+articles\s+(\S+)", re.IGNORECASE)
_ITEM_RE = re.compile(r"(\S+)\s+Aisle\s+(\S+)\s+Location\s+(\S+)", re.IGNORECASE)
_NAME_RE = re.compile(r"^(\d+)([a-zA-Z]*)-(\d+)-(\d+)-(\d+)$")


class HennSetting(dict[str, int | float | str]):
    """The values of a Henn setting file (a plain dict) plus ``source``, the file it came from."""

    def __init__(
        self, values: Mapping[str, int | float | str] | None = None, source: str = "Henn setting"
    ) -> None:
        super().__init__(values or {})
        self.source = source


@dataclass(frozen=True, eq=False)
class HennInstance:
    """One Henn order-batching instance.

    Attributes
    ----------
    name
        The order file's stem, e.g. ``"1s-20-45-0"``.
    layout
        The single-block warehouse; the depot is the point ``"depot"``.
    orders
        For every order, the location indices (into ``layout.locations``) of its articles.
    capacity
        Articles one picking device holds (third number of the file name unless overridden).
    setting
        The setting file's values (keys as written, e.g. ``"no_aisles_"``; numbers as int/float).
    """

    name: str
    layout: RectangularLayout
    orders: list[NDArray[np.int64]]
    capacity: int
    setting: HennSetting = field(default_factory=HennSetting)

    @property
    def n_articles(self) -> int:
        """Total number of articles over all orders."""
        return int(sum(o.size for o in self.orders))


def _parse_number(text: str) -> int | float | None:
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def read_henn_setting(path: str | Path) -> HennSetting:
    """Read a Henn setting file (``sett<k>.txt``).

    Parameters
    ----------
    path
        File of ``key: value`` lines. Unknown keys are kept (and ignored by the geometry).

    Returns
    -------
    HennSetting
        A dict from key (as written, e.g. ``"no_cells__"``) to value: ``int``/``float`` for
        numbers, else ``str``; its ``source`` is the file path (for error messages).

    Raises
    ------
    InstanceError
        A line is not ``key: value``, a key repeats, or a geometry/generator key
        (:data:`NUMERIC_KEYS`) is not a number; the message names the file and line.
    """
    path = Path(path)
    text = read_text(path, "Henn setting file", InstanceError)
    out = HennSetting(source=str(path))
    lines: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise InstanceError(
                located(
                    str(path),
                    number,
                    f"expected 'key: value' (e.g. 'no_aisles_: 10'), got {line!r}",
                )
            )
        if key in lines:
            raise InstanceError(
                located(str(path), number, f"{key!r} is set twice (first on line {lines[key]})")
            )
        parsed = _parse_number(value)
        if key in NUMERIC_KEYS and parsed is None:
            raise InstanceError(
                located(str(path), number, f"{key} must be a number, got {value!r}")
            )
        out[key] = value if parsed is None else parsed
        lines[key] = number
    return out


def henn_layout(
    setting: Mapping[str, int | float | str],
    *,
    n_aisles: int | None = None,
    n_cells: int | None = None,
    aisle_pitch_m: float | None = None,
    cell_length_m: float | None = None,
    front_to_first_m: float | None = None,
    last_to_back_m: float | None = None,
    depot_aisle: int = 0,
    depot_offset_m: float = 0.0,
) -> RectangularLayout:
    """The single-block warehouse of a Henn setting (see the module docstring for the convention).

    Parameters
    ----------
    setting
        Values from :func:`read_henn_setting` (keys ``no_aisles_``, ``no_cells__``, ``cell_lengt``,
        ``cell_width``, ``aisle_widt``, ``dis_ais_wa``); a key is needed only when its number is
        not given as a keyword.
    n_aisles, n_cells
        Physical aisles and positions per aisle side (default: ``no_aisles_``, ``no_cells__``).
    aisle_pitch_m
        Centre-to-centre aisle distance (default ``2 * cell_width + aisle_widt``).
    cell_length_m
        Position pitch along the aisle (default ``cell_lengt``).
    front_to_first_m, last_to_back_m
        From the front (back) cross-aisle centre line to the first (last) position (default
        ``dis_ais_wa + cell_lengt / 2`` both).
    depot_aisle, depot_offset_m
        The depot stands on the front cross aisle at the x of this aisle, this far from the
        centre line.

    Raises
    ------
    InstanceError
        A needed setting is missing or a value is out of range.
    """
    source = getattr(setting, "source", "Henn setting")

    def num(key: str, hint: str) -> float:
        if key not in setting:
            raise InstanceError(
                f"{source}: setting {key!r} is missing; add a line '{key}: <value>' or pass {hint}"
            )
        value = setting[key]
        if isinstance(value, str):
            raise InstanceError(f"{source}: setting {key} must be a number, got {value!r}")
        return float(value)

    def whole(x: float, what: str) -> int:
        if x != int(x) or x < 1:
            raise InstanceError(f"{source}: {what} must be a whole number >= 1, got {x:g}")
        return int(x)

    na = n_aisles if n_aisles is not None else whole(num("no_aisles_", "n_aisles="), "no_aisles_")
    nc = n_cells if n_cells is not None else whole(num("no_cells__", "n_cells="), "no_cells__")
    if aisle_pitch_m is None:
        aisle_pitch_m = 2 * num("cell_width", "aisle_pitch_m=") + num(
            "aisle_widt", "aisle_pitch_m="
        )
    if cell_length_m is None:
        cell_length_m = num("cell_lengt", "cell_length_m=")
    if front_to_first_m is None or last_to_back_m is None:
        end_m = num("dis_ais_wa", "front_to_first_m= and last_to_back_m=") + cell_length_m / 2
        front_to_first_m = end_m if front_to_first_m is None else front_to_first_m
        last_to_back_m = end_m if last_to_back_m is None else last_to_back_m
    if aisle_pitch_m <= 0:
        raise InstanceError(f"{source}: the aisle pitch must be > 0 m, got {aisle_pitch_m:g}")
    if not 0 <= depot_aisle < na:
        raise InstanceError(
            f"{source}: depot aisle {depot_aisle} does not exist: "
            f"the warehouse has aisles 0..{na - 1}"
        )
    try:
        return build_rectangular(
            f"henn-{na}x{nc}",
            aisle_x_m=np.arange(na, dtype=np.float64) * aisle_pitch_m,
            blocks=[BlockSpec(nc, cell_length_m, front_to_first_m, last_to_back_m)],
            points=[Point("depot", depot_aisle * aisle_pitch_m, 0, depot_offset_m)],
            sides=2,
        )
    except (LayoutError, ValueError) as exc:
        raise InstanceError(f"{source}: {exc}") from None


def capacity_from_name(stem: str) -> int | None:
    """The capacity encoded in a Henn order file name (``"1s-20-45-0"`` -> 45), else ``None``."""
    m = _NAME_RE.match(stem)
    return int(m.group(4)) if m else None


def read_henn_orders(
    path: str | Path,
    setting: Mapping[str, int | float | str] | str | Path,
    *,
    capacity: int | None = None,
    n_aisles: int | None = None,
    n_cells: int | None = None,
    aisle_pitch_m: float | None = None,
    cell_length_m: float | None = None,
    front_to_first_m: float | None = None,
    last_to_back_m: float | None = None,
    depot_aisle: int = 0,
    depot_offset_m: float = 0.0,
) -> HennInstance:
    """Read a Henn order file and build its warehouse.

    Parameters
    ----------
    path
        The order file, ``<k><s|l>-<orders>-<capacity>-<i>.txt``.
    setting
        The setting values from :func:`read_henn_setting`, or the path of the setting file.
    capacity
        Articles per picking device; default: the third number of the file name.
    n_aisles, n_cells, aisle_pitch_m, cell_length_m, front_to_first_m, last_to_back_m
        Geometry overrides, see :func:`henn_layout`.
    depot_aisle, depot_offset_m
        Depot placement, see :func:`henn_layout`.

    Returns
    -------
    HennInstance

    Raises
    ------
    InstanceError
        The file is malformed (message with file and line), an aisle side or location lies outside
        the warehouse, or the capacity cannot be read from the file name and is not given.
    """
    path = Path(path)
    if not isinstance(setting, Mapping):
        setting = read_henn_setting(setting)
    layout = henn_layout(
        setting,
        n_aisles=n_aisles,
        n_cells=n_cells,
        aisle_pitch_m=aisle_pitch_m,
        cell_length_m=cell_length_m,
        front_to_first_m=front_to_first_m,
        last_to_back_m=last_to_back_m,
        depot_aisle=depot_aisle,
        depot_offset_m=depot_offset_m,
    )
    n_sides = 2 * layout.n_aisles
    n_pos = int(layout.locations.position.max()) + 1
    source = str(path)

    if capacity is None:
        capacity = capacity_from_name(path.stem)
        if capacity is None:
            raise InstanceError(
                f"{source}: cannot read the capacity from the file name (expected "
                "'<k><s|l>-<orders>-<capacity>-<i>.txt', e.g. '1s-20-45-0.txt'); pass capacity="
            )
    if capacity < 1:
        raise InstanceError(f"{source}: capacity must be >= 1, got {capacity}")

    def err(line: int, message: str) -> InstanceError:
        return InstanceError(located(source, line, message))

    def integer(line: int, what: str, text: str) -> int:
        if not re.fullmatch(r"\d+", text):
            raise err(line, f"{what} must be a whole number >= 0, got {text!r}")
        return int(text)

    orders: list[NDArray[np.int64]] = []
    current: list[int] = []
    expected = 0  # articles still to read for the current order
    header_line = 0
    lines = read_text(path, "Henn order file", InstanceError).splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.lower().startswith("order"):
            if expected:
                raise err(
                    header_line,
                    f"order {len(orders) - 1} announces {len(current) + expected} articles but "
                    f"lists {len(current)}",
                )
            m = _ORDER_RE.fullmatch(line)
            if not m:
                raise err(number, f"expected 'Order <i>\\tnumber of articles <k>', got {line!r}")
            idx = integer(number, "the order number", m.group(1))
            if idx != len(orders):
                raise err(
                    number,
                    f"orders must be numbered 0, 1, 2, ... in turn: expected "
                    f"Order {len(orders)}, got Order {idx}",
                )
            expected = integer(number, "the number of articles", m.group(2))
            if expected == 0:
                raise err(number, f"order {idx} has no articles")
            current = []
            orders.append(np.empty(0, dtype=np.int64))
            header_line = number
            continue
        m = _ITEM_RE.fullmatch(line)
        if not m:
            raise err(
                number,
                f"expected '<j>\\tAisle <a>\\tLocation <l>' or an 'Order' line, got {line!r}",
            )
        if not orders:
            raise err(number, "an article line comes before the first 'Order <i>' line")
        if not expected:
            raise err(
                number,
                f"order {len(orders) - 1} announces {len(current)} articles but this is one more",
            )
        j = integer(number, "the article number", m.group(1))
        if j != len(current):
            raise err(
                number,
                f"articles must be numbered 0, 1, 2, ... in turn: expected {len(current)}, got {j}",
            )
        side_aisle = integer(number, "Aisle", m.group(2))
        loc = integer(number, "Location", m.group(3))
        if side_aisle >= n_sides:
            raise err(
                number,
                f"Aisle {side_aisle} does not exist: Aisle counts aisle sides and the "
                f"warehouse has "
                f"{layout.n_aisles} aisles, so sides 0..{n_sides - 1}",
            )
        if loc >= n_pos:
            raise err(
                number,
                f"Location {loc} does not exist: "
                f"the aisles have {n_pos} positions (0..{n_pos - 1})",
            )
        aisle, side = divmod(side_aisle, 2)
        # build_rectangular enumerates aisle, block, position, side (one block, one level).
        current.append((aisle * n_pos + loc) * 2 + side)
        expected -= 1
        if not expected:
            orders[-1] = np.asarray(current, dtype=np.int64)
    if expected:
        raise err(
            header_line,
            f"order {len(orders) - 1} announces {len(current) + expected} articles but the file "
            f"ends after {len(current)}",
        )
    if not orders:
        raise InstanceError(
            f"{source}: the file contains no orders ('Order <i>\\tnumber of articles <k>' lines)"
        )

    m_name = _NAME_RE.match(path.stem)
    if m_name and int(m_name.group(3)) != len(orders):
        log.warning(
            "%s: the file name says %s orders but the file has %d",
            source,
            m_name.group(3),
            len(orders),
        )
    wanted = setting.get("no_orders_")
    if isinstance(wanted, int | float) and int(wanted) != len(orders):
        log.warning(
            "%s: the setting says no_orders_ %s but the file has %d orders",
            source,
            wanted,
            len(orders),
        )
    return HennInstance(
        name=path.stem,
        layout=layout,
        orders=orders,
        capacity=capacity,
        setting=HennSetting(setting, getattr(setting, "source", "Henn setting")),
    )
