"""Readers for the planning inputs: the SKU master, orders (CSV or JSON) and the plan configuration.

Everything is validated at the edge (pydantic, ``extra="forbid"``) and converted to domain objects
once; a bad file raises an :class:`~wms.errors.OrderError` (:class:`~wms.errors.ConfigError` for the
configuration) whose message names the file, the line (CSV) or record path (JSON), and the field.

**SKU master** (``skus.csv``), one SKU per row; ``locations`` lists location ids of the layout, the
first is the pick face, several are separated by ``;``::

    sku_id,weight_kg,volume_l,handling_class,locations,velocity_class
    S0001,0.35,0.8,normal,A03-B0-P12-L-1,A
    S0002,12.5,60,bulky,A36-B1-P04-R-0;A37-B1-P04-R-0,C

``handling_class`` (default ``normal``) and ``velocity_class`` are optional. JSON: a list of
records ``{"sku_id", "weight_kg", "volume_l", "handling_class", "locations": [...],
"velocity_class"}``, or ``{"skus": [...]}``.

**Orders** (``orders.csv``), one order line per row; the rows of an order are consecutive and the
order fields (``channel``, ``priority``, ``cutoff``, ``carrier``, ``arrival``, all optional) may be
given on its first row only::

    order_id,sku_id,quantity,channel,priority,cutoff,carrier,arrival
    O1,S0001,2,shop,0,2024-06-03T15:00,DHL,2024-06-03T09:12
    O1,S0002,1,,,,,

``cutoff`` and ``arrival`` (when the order reached the warehouse) are ISO 8601 date-times (with or
without time zone, the same for all orders). JSON: a list of records ``{"order_id", "lines":
[{"sku_id", "quantity"}], "channel", "priority", "cutoff", "carrier", "arrival"}``, or
``{"orders": [...]}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import ConfigDict, Field, ValidationError

from wms.errors import ConfigError, OrderError, located
from wms.io.text import TextRecord
from wms.model import Order, OrderLine, Sku
from wms.waves.config import PlanConfig

if TYPE_CHECKING:
    from wms.layout import Layout

__all__ = [
    "ORDER_COLUMNS",
    "SKU_COLUMNS",
    "orders_from_records",
    "read_orders",
    "read_plan_config",
    "read_skus",
    "skus_from_records",
]

#: Separator of several location ids in one CSV cell.
LOCATION_SEPARATOR = ";"


class _Record(TextRecord):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SkuRecord(_Record):
    """One SKU as it appears in a file."""

    sku_id: str = Field(min_length=1)
    weight_kg: float = Field(ge=0, allow_inf_nan=False)
    volume_l: float = Field(ge=0, allow_inf_nan=False)
    handling_class: str = Field(default="normal", min_length=1)
    locations: list[str] = Field(default_factory=list)
    velocity_class: str | None = None


class OrderLineRecord(_Record):
    """One order line in a JSON order."""

    sku_id: str = Field(min_length=1)
    quantity: int = Field(gt=0)


class OrderRecord(_Record):
    """One order as it appears in a JSON file."""

    order_id: str = Field(min_length=1)
    lines: list[OrderLineRecord] = Field(min_length=1)
    channel: str = Field(default="default", min_length=1)
    priority: int = 0
    cutoff: datetime | None = None
    carrier: str | None = None
    arrival: datetime | None = None


class _OrderRow(_Record):
    """One row of an orders CSV file (one order line)."""

    order_id: str = Field(min_length=1)
    sku_id: str = Field(min_length=1)
    quantity: int = Field(gt=0)
    channel: str | None = None
    priority: int | None = None
    cutoff: datetime | None = None
    carrier: str | None = None
    arrival: datetime | None = None


SKU_COLUMNS: tuple[str, ...] = tuple(SkuRecord.model_fields)
ORDER_COLUMNS: tuple[str, ...] = tuple(_OrderRow.model_fields)
_ORDER_FIELDS = ("channel", "priority", "cutoff", "carrier", "arrival")


# -- error messages ---------------------------------------------------------------------------


def _describe_error(err: Mapping[str, Any], field: str) -> str:
    """``"quantity must be > 0, got '-2'"`` from one pydantic error."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = f", got {err['input']!r}" if "input" in err and kind != "missing" else ""
    if kind == "missing":
        return f"{field} is required"
    if kind == "extra_forbidden":
        return f"unknown field {field!r}"
    if kind == "greater_than":
        return f"{field} must be > {ctx.get('gt')}{got}"
    if kind == "greater_than_equal":
        return f"{field} must be >= {ctx.get('ge')}{got}"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"{field} must be a whole number{got}"
    if kind in ("float_parsing", "float_type"):
        return f"{field} must be a number{got}"
    if kind == "finite_number":
        return f"{field} must be a finite number{got}"
    if kind.startswith("datetime") or kind.startswith("date_"):
        return f"{field} must be an ISO 8601 date-time such as 2024-06-03T15:00{got}"
    if kind in ("string_too_short", "too_short"):
        return f"{field} must not be empty{got}"
    return f"{field}: {err['msg']}{got}"


def _json_path(prefix: str, loc: Sequence[int | str]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


# -- reading files ----------------------------------------------------------------------------


def _suffix(path: Path, what: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise OrderError(
            f"{path}: cannot read {what} from a {suffix or 'suffix-less'} file; use .csv or .json"
        )
    return suffix


def _read_csv(
    path: Path, columns: Sequence[str], required: Sequence[str]
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as ``(line number, {column: non-empty stripped value})``."""
    try:
        df = pd.read_csv(
            path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8-sig"
        )
    except FileNotFoundError:
        raise OrderError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise OrderError(f"{path}: is a directory, expected a CSV file") from None
    except pd.errors.EmptyDataError:
        raise OrderError(
            f"{path}: the file is empty; expected a header row with the columns "
            f"{', '.join(required)}"
        ) from None
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise OrderError(
                located(
                    str(path),
                    int(m.group(2)),
                    f"expected {m.group(1)} fields (as in the header), found {m.group(3)}",
                )
            ) from None
        raise OrderError(f"{path}: not a valid CSV file ({exc})") from None
    except UnicodeDecodeError:
        raise OrderError(f"{path}: not UTF-8 text") from None
    header = [str(c).strip() for c in df.columns]
    unknown = [c for c in header if c not in columns]
    if unknown:
        raise OrderError(
            located(
                str(path),
                1,
                f"unknown column {unknown[0]!r}; expected columns: {', '.join(columns)}",
            )
        )
    if len(set(header)) != len(header):
        dup = next(c for i, c in enumerate(header) if c in header[:i])
        raise OrderError(located(str(path), 1, f"column {dup!r} appears twice"))
    missing = [c for c in required if c not in header]
    if missing:
        raise OrderError(
            located(
                str(path), 1, f"missing column {missing[0]!r}; the file has: {', '.join(header)}"
            )
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for i, values in enumerate(df.itertuples(index=False, name=None)):
        cells = {c: str(v).strip() for c, v in zip(header, values, strict=True)}
        cells = {c: v for c, v in cells.items() if v != ""}
        if cells:
            rows.append((i + 2, cells))
    return rows


def _read_json(path: Path, key: str) -> list[Any]:
    """The record list of a JSON file: a top-level list or ``{key: [...]}``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise OrderError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise OrderError(f"{path}: is a directory, expected a JSON file") from None
    except UnicodeDecodeError:
        raise OrderError(f"{path}: not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OrderError(located(str(path), exc.lineno, f"invalid JSON: {exc.msg}")) from None
    if isinstance(data, dict) and set(data) == {key}:
        data = data[key]
    if not isinstance(data, list):
        raise OrderError(
            f"{path}: expected a list of records or {{{key!r}: [...]}} at the top level"
        )
    return data


# -- SKUs -------------------------------------------------------------------------------------


def read_skus(path: str | Path, *, layout: Layout | None = None) -> dict[str, Sku]:
    """Read the SKU master from a CSV or JSON file.

    Parameters
    ----------
    path
        A ``.csv`` or ``.json`` file (see the module documentation for the format).
    layout
        When given, every location must be one of its location ids.

    Returns
    -------
    dict[str, Sku]
        SKUs by id, in file order.

    Raises
    ------
    OrderError
        Naming file, line (CSV) or record (JSON) and field: a bad or missing value, a duplicate
        SKU id, an SKU without location, or a location the layout does not have.
    """
    p = Path(path)
    if _suffix(p, "SKUs") == ".csv":
        rows = _read_csv(p, SKU_COLUMNS, ("sku_id", "weight_kg", "volume_l", "locations"))
        records: list[tuple[str, str, Any]] = []
        for line, cells in rows:
            rec: dict[str, Any] = dict(cells)
            if "locations" in rec:
                rec["locations"] = [
                    x.strip() for x in cells["locations"].split(LOCATION_SEPARATOR) if x.strip()
                ]
            records.append((located(str(p), line, ""), f"line {line}", rec))
        return _skus(records, layout, csv=True)
    data = _read_json(p, "skus")
    return _skus(
        [(f"{p}: skus[{i}]: ", f"skus[{i}]", rec) for i, rec in enumerate(data)], layout, csv=False
    )


def skus_from_records(
    records: Iterable[Mapping[str, Any]], *, source: str = "skus", layout: Layout | None = None
) -> dict[str, Sku]:
    """Validate SKU records (dicts shaped like the JSON format) as :func:`read_skus` does.

    ``source`` names the input in messages (e.g. ``"request body"``).
    """
    return _skus(
        [(f"{source}[{i}]: ", f"{source}[{i}]", rec) for i, rec in enumerate(records)],
        layout,
        csv=False,
    )


def _skus(
    records: list[tuple[str, str, Any]], layout: Layout | None, *, csv: bool
) -> dict[str, Sku]:
    """SKUs from ``(message prefix, label, record)`` triples."""
    out: dict[str, Sku] = {}
    first_seen: dict[str, str] = {}
    known = None if layout is None else set(layout.locations.ids)
    for prefix, label, rec in records:
        if not isinstance(rec, Mapping):
            raise OrderError(f"{prefix}expected an object with the fields {', '.join(SKU_COLUMNS)}")
        try:
            r = SkuRecord.model_validate(rec)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = _json_path("", err["loc"]).lstrip(".")
            raise OrderError(f"{prefix}{_describe_error(err, field)}") from None
        if r.sku_id in out:
            raise OrderError(
                f"{prefix}duplicate SKU id {r.sku_id!r} (first at {first_seen[r.sku_id]}): "
                "SKU ids must be unique"
            )
        if not r.locations:
            hint = (
                "column 'locations' must list at least one location id (several separated by "
                f"{LOCATION_SEPARATOR!r})"
                if csv
                else "'locations' must list at least one location id"
            )
            raise OrderError(f"{prefix}SKU {r.sku_id!r} has no storage location: {hint}")
        if layout is not None and known is not None:
            for loc in r.locations:
                if loc not in known:
                    example = ", ".join(layout.locations.ids[:2])
                    raise OrderError(
                        f"{prefix}SKU {r.sku_id!r}: unknown location {loc!r}: layout "
                        f"{layout.name!r} has no such location (ids look like {example})"
                    )
        try:
            sku = Sku(
                sku_id=r.sku_id,
                weight_kg=r.weight_kg,
                volume_l=r.volume_l,
                handling_class=r.handling_class,
                locations=tuple(r.locations),
                velocity_class=r.velocity_class,
            )
        except ValueError as exc:
            raise OrderError(f"{prefix}{exc}") from None
        out[sku.sku_id] = sku
        first_seen[sku.sku_id] = label
    return out


# -- orders -----------------------------------------------------------------------------------


def read_orders(path: str | Path, *, catalog: Mapping[str, Sku] | None = None) -> list[Order]:
    """Read orders from a CSV or JSON file.

    Parameters
    ----------
    path
        A ``.csv`` or ``.json`` file (see the module documentation for the format).
    catalog
        When given, every SKU an order names must be in it.

    Returns
    -------
    list[Order]
        Orders in file order.

    Raises
    ------
    OrderError
        Naming file, line (CSV) or record (JSON) and field: a bad or missing value, a
        non-positive quantity, a duplicate order id, conflicting order fields, an unknown SKU.
    """
    p = Path(path)
    if _suffix(p, "orders") == ".json":
        data = _read_json(p, "orders")
        return _orders(
            [(f"{p}: orders[{i}]: ", f"orders[{i}]", rec) for i, rec in enumerate(data)], catalog
        )
    rows = _read_csv(p, ORDER_COLUMNS, ("order_id", "sku_id", "quantity"))
    return _orders_csv(p, rows, catalog)


def orders_from_records(
    records: Iterable[Mapping[str, Any]],
    *,
    source: str = "orders",
    catalog: Mapping[str, Sku] | None = None,
) -> list[Order]:
    """Validate order records (dicts shaped like the JSON format) as :func:`read_orders` does."""
    return _orders(
        [(f"{source}[{i}]: ", f"{source}[{i}]", rec) for i, rec in enumerate(records)], catalog
    )


def _orders(records: list[tuple[str, str, Any]], catalog: Mapping[str, Sku] | None) -> list[Order]:
    """Orders from ``(message prefix, label, record)`` triples."""
    out: list[Order] = []
    first_seen: dict[str, str] = {}
    for prefix, label, rec in records:
        if not isinstance(rec, Mapping):
            raise OrderError(f"{prefix}expected an object with order_id and lines")
        try:
            r = OrderRecord.model_validate(rec)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = _json_path("", err["loc"]).lstrip(".")
            raise OrderError(f"{prefix}{_describe_error(err, field)}") from None
        if r.order_id in first_seen:
            raise OrderError(
                f"{prefix}duplicate order id {r.order_id!r} (first at "
                f"{first_seen[r.order_id]}): order ids must be unique"
            )
        first_seen[r.order_id] = label
        if catalog is not None:
            for j, line in enumerate(r.lines):
                if line.sku_id not in catalog:
                    raise OrderError(
                        f"{prefix}lines[{j}].sku_id: unknown SKU {line.sku_id!r} (not in the "
                        f"catalogue of {len(catalog)} SKUs)"
                    )
        lines = [(ln.sku_id, ln.quantity) for ln in r.lines]
        out.append(
            _order(prefix, r.order_id, lines, r.channel, r.priority, r.cutoff, r.carrier, r.arrival)
        )
    return out


def _order(
    prefix: str,
    order_id: str,
    lines: list[tuple[str, int]],
    channel: str,
    priority: int,
    cutoff: datetime | None,
    carrier: str | None,
    arrival: datetime | None = None,
) -> Order:
    try:
        return Order(
            order_id=order_id,
            lines=tuple(OrderLine(s, q) for s, q in lines),
            channel=channel,
            priority=priority,
            cutoff=cutoff,
            carrier=carrier,
            arrival=arrival,
        )
    except ValueError as exc:
        raise OrderError(f"{prefix}{exc}") from None


def _orders_csv(
    path: Path, rows: list[tuple[int, dict[str, str]]], catalog: Mapping[str, Sku] | None
) -> list[Order]:
    out: list[Order] = []
    done: dict[str, int] = {}  # order id -> first line, for orders already closed
    current: dict[str, Any] | None = None

    def close() -> None:
        if current is not None:
            out.append(
                _order(
                    located(str(path), current["line"], ""),
                    current["order_id"],
                    current["lines"],
                    current["channel"] or "default",
                    current["priority"] or 0,
                    current["cutoff"],
                    current["carrier"],
                    current["arrival"],
                )
            )
            done[current["order_id"]] = current["line"]

    for line, cells in rows:
        try:
            r = _OrderRow.model_validate(cells)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"])
            raise OrderError(located(str(path), line, _describe_error(err, field))) from None
        if catalog is not None and r.sku_id not in catalog:
            raise OrderError(
                located(
                    str(path),
                    line,
                    f"unknown SKU {r.sku_id!r} in order {r.order_id!r} (not in the catalogue of "
                    f"{len(catalog)} SKUs)",
                )
            )
        if current is None or r.order_id != current["order_id"]:
            if r.order_id in done:
                raise OrderError(
                    located(
                        str(path),
                        line,
                        f"duplicate order id {r.order_id!r}: it already appeared on line "
                        f"{done[r.order_id]}, followed by other orders (order ids must be unique "
                        "and an order's lines must be consecutive rows)",
                    )
                )
            close()
            current = {"order_id": r.order_id, "line": line, "lines": []}
            current.update({f: getattr(r, f) for f in _ORDER_FIELDS})
        else:
            for f in _ORDER_FIELDS:
                value = getattr(r, f)
                if value is None:
                    continue
                if current[f] is None:
                    current[f] = value
                elif current[f] != value:
                    raise OrderError(
                        located(
                            str(path),
                            line,
                            f"order {r.order_id!r} has {f} {value!s} here but {current[f]!s} "
                            f"on line {current['line']}: an order has one {f}",
                        )
                    )
        current["lines"].append((r.sku_id, r.quantity))
    close()
    return out


# -- configuration ----------------------------------------------------------------------------


def read_plan_config(path: str | Path) -> PlanConfig:
    """Read a :class:`~wms.waves.config.PlanConfig` from a YAML or JSON file.

    An empty file gives the defaults. Raises :class:`~wms.errors.ConfigError` naming the file
    and the field path (``split.max_weight_kg``) of the first problem.
    """
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{p}: file not found") from None
    except (IsADirectoryError, UnicodeDecodeError):
        raise ConfigError(f"{p}: not a readable text file") from None
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(located(str(p), exc.lineno, f"invalid JSON: {exc.msg}")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(located(str(p), line, f"invalid YAML: {problem}")) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping of settings at the top level")
    try:
        return PlanConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"]) or "(top level)"
        raise ConfigError(f"{p}: {_describe_error(err, field)}") from None
