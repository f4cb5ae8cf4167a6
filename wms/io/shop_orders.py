"""Reader of shop and marketplace orders (CSV or JSON) for order intake.

Orders from several sales channels come in one of two shapes; both give the same
:class:`~wms.fulfillment.intake.IncomingOrder` objects.

**CSV**, one row per order line; the rows of an order are consecutive and the order fields are
repeated on each row (or given on the first row only; a different value on a later row is an
error)::

    reference_id,channel,customer_name,customer_email,customer_phone,street,city,postal_code,country,payment_method,payment_status,carrier,value,currency,comment,created_at,cutoff,sku,qty
    SHOP-1001,shop,Jan Kowalski,jan@example.com,+48 600 100 200,Polna 1,Poznań,60-001,PL,card,paid,DPD,129.90,PLN,,2024-06-03T09:12,,S1,2
    SHOP-1001,shop,Jan Kowalski,jan@example.com,+48 600 100 200,Polna 1,Poznań,60-001,PL,card,paid,DPD,129.90,PLN,,2024-06-03T09:12,,S2,1

Only ``reference_id``, ``sku`` and ``qty`` are required columns. Times are ISO 8601; a time
without a zone is taken as UTC when the order is stored.

**JSON**, a list of orders (or ``{"orders": [...]}``) with nested customer, address and lines::

    [{"reference_id": "ALG-77", "channel": "allegro",
      "customer": {"name": "Anna Nowak", "email": "anna@example.com", "phone": "600200300"},
      "address": {"street": "Lipowa 5", "city": "Kraków", "postal_code": "30-001", "country": "PL"},
      "payment_method": "transfer", "payment_status": "paid", "carrier": "InPost",
      "value": 59.0, "currency": "PLN", "comment": "please ship fast",
      "created_at": "2024-06-03T10:00", "lines": [{"sku": "S3", "qty": 1}]}]

Only malformed data is an error here (an unparsable number or date, a quantity below 1, a missing
reference id, an unknown field, a reference id twice in a file). Missing customer or address
fields, unknown SKUs and the like are *content* problems: the order is read and the hold rules
(:mod:`wms.fulfillment.holds`) put it on hold for a consultant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, ValidationError

from wms.errors import OrderError, located
from wms.fulfillment.intake import Address, Customer, IncomingLine, IncomingOrder
from wms.io.orders import _describe_error, _json_path, _read_csv, _read_json
from wms.io.text import TextRecord

__all__ = [
    "SHOP_ORDER_COLUMNS",
    "read_shop_orders",
    "shop_orders_from_records",
]

#: Channel of orders whose file does not name one.
DEFAULT_CHANNEL = "default"


class _Record(TextRecord):
    # Marketplaces send numeric order ids and EAN-like SKUs as JSON numbers: keep them as text.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)


class _CustomerRecord(_Record):
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class _AddressRecord(_Record):
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None


class _LineRecord(_Record):
    sku: str = Field(min_length=1)
    qty: int = Field(gt=0)


class _OrderFields(_Record):
    """The order-level fields shared by the CSV and JSON shapes."""

    payment_method: str | None = None
    payment_status: str | None = None
    carrier: str | None = None
    value: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)
    currency: str | None = None
    comment: str | None = None
    created_at: datetime | None = None
    cutoff: datetime | None = None


class ShopOrderRecord(_OrderFields):
    """One order as it appears in a JSON file."""

    reference_id: str = Field(min_length=1)
    channel: str | None = None
    customer: _CustomerRecord = Field(default_factory=_CustomerRecord)
    address: _AddressRecord = Field(default_factory=_AddressRecord)
    lines: list[_LineRecord] = Field(min_length=1)


class _ShopOrderRow(_OrderFields):
    """One row (one order line) of a CSV file."""

    reference_id: str = Field(min_length=1)
    channel: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    sku: str = Field(min_length=1)
    qty: int = Field(gt=0)


SHOP_ORDER_COLUMNS: tuple[str, ...] = (
    "reference_id",
    "channel",
    "customer_name",
    "customer_email",
    "customer_phone",
    "street",
    "city",
    "postal_code",
    "country",
    *_OrderFields.model_fields,
    "sku",
    "qty",
)
_REQUIRED_COLUMNS = ("reference_id", "sku", "qty")
_ORDER_COLUMNS = tuple(c for c in SHOP_ORDER_COLUMNS if c not in ("reference_id", "sku", "qty"))

_HINTS = {
    "reference_id": "every order needs the channel's order reference",
    "qty": "a quantity is a whole number of units >= 1",
    "value": "write the order value as a plain number such as 129.90, the currency in its own field",
    "lines": 'an order needs at least one line such as {"sku": "S1", "qty": 1}',
}


def _message(err: Mapping[str, Any], field: str) -> str:
    """The pydantic error as a sentence, with the fix where there is a typical one."""
    text = _describe_error(err, field)
    if err["type"] == "decimal_parsing":
        text = f"{field} must be a number, got {err.get('input')!r}"
    leaf = field.rsplit(".", 1)[-1].split("[", 1)[0]
    hint = _HINTS.get(leaf)
    return f"{text} ({hint})" if hint else text


def read_shop_orders(path: str | Path, *, channel: str | None = None) -> list[IncomingOrder]:
    """Read shop/marketplace orders from a CSV or JSON file.

    Parameters
    ----------
    path
        A ``.csv`` or ``.json`` file (see the module documentation for the format).
    channel
        Channel of orders whose record names none (default ``"default"``).

    Returns
    -------
    list[IncomingOrder]
        Orders in file order; ``source`` says where each was read.

    Raises
    ------
    OrderError
        Naming file, line (CSV) or record (JSON) and field, for malformed data only.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise OrderError(
            f"{p}: cannot read shop orders from a {suffix or 'suffix-less'} file; use .csv or .json"
        )
    fallback = channel or DEFAULT_CHANNEL
    if suffix == ".json":
        data = _read_json(p, "orders")
        return _from_records([(f"{p}: orders[{i}]", rec) for i, rec in enumerate(data)], fallback)
    rows = _read_csv(p, SHOP_ORDER_COLUMNS, _REQUIRED_COLUMNS)
    return _from_csv(p, rows, fallback)


def shop_orders_from_records(
    records: Iterable[Mapping[str, Any]], *, source: str = "orders", channel: str | None = None
) -> list[IncomingOrder]:
    """Validate order records (dicts shaped like the JSON format) as :func:`read_shop_orders`.

    ``source`` names the input in messages (e.g. ``"request body"``).
    """
    return _from_records(
        [(f"{source}[{i}]", rec) for i, rec in enumerate(records)], channel or DEFAULT_CHANNEL
    )


def _from_records(records: Sequence[tuple[str, Any]], channel: str) -> list[IncomingOrder]:
    out: list[IncomingOrder] = []
    first_seen: dict[str, str] = {}
    for where, rec in records:
        if not isinstance(rec, Mapping):
            raise OrderError(f"{where}: expected an object with reference_id and lines")
        try:
            r = ShopOrderRecord.model_validate(rec)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = _json_path("", err["loc"]).lstrip(".")
            raise OrderError(f"{where}: {_message(err, field)}") from None
        if r.reference_id in first_seen:
            raise OrderError(
                f"{where}: duplicate reference_id {r.reference_id!r} (first at "
                f"{first_seen[r.reference_id]}): each order appears once per file"
            )
        first_seen[r.reference_id] = where
        out.append(
            _order(
                where,
                reference_id=r.reference_id,
                channel=r.channel or channel,
                lines=[(ln.sku, ln.qty) for ln in r.lines],
                customer=Customer(**r.customer.model_dump()),
                address=Address(**r.address.model_dump()),
                fields=r,
            )
        )
    return out


def _order(
    where: str,
    *,
    reference_id: str,
    channel: str,
    lines: list[tuple[str, int]],
    customer: Customer,
    address: Address,
    fields: _OrderFields,
) -> IncomingOrder:
    try:
        return IncomingOrder(
            reference_id=reference_id,
            channel=channel,
            lines=tuple(IncomingLine(s, q) for s, q in lines),
            customer=customer,
            address=address,
            payment_method=fields.payment_method,
            payment_status=fields.payment_status,
            carrier=fields.carrier,
            value=fields.value,
            currency=None if fields.currency is None else fields.currency.upper(),
            comment=fields.comment,
            created_at=fields.created_at,
            cutoff=fields.cutoff,
            source=where,
        )
    except ValueError as exc:
        raise OrderError(f"{where}: {exc}") from None


def _from_csv(
    path: Path, rows: list[tuple[int, dict[str, str]]], channel: str
) -> list[IncomingOrder]:
    out: list[IncomingOrder] = []
    done: dict[str, int] = {}
    current: dict[str, Any] | None = None

    def close() -> None:
        if current is None:
            return
        row: _ShopOrderRow = current["row"]
        values = current["values"]
        out.append(
            _order(
                f"{path}, line {current['line']}",
                reference_id=row.reference_id,
                channel=values["channel"] or channel,
                lines=current["lines"],
                customer=Customer(
                    values["customer_name"], values["customer_email"], values["customer_phone"]
                ),
                address=Address(
                    values["street"], values["city"], values["postal_code"], values["country"]
                ),
                fields=_OrderFields(
                    **{k: values[k] for k in _OrderFields.model_fields},
                ),
            )
        )
        done[row.reference_id] = current["line"]

    for line, cells in rows:
        try:
            r = _ShopOrderRow.model_validate(cells)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"])
            raise OrderError(located(str(path), line, _message(err, field))) from None
        if current is None or r.reference_id != current["row"].reference_id:
            if r.reference_id in done:
                raise OrderError(
                    located(
                        str(path),
                        line,
                        f"duplicate reference_id {r.reference_id!r}: it already appeared on line "
                        f"{done[r.reference_id]}, followed by other orders (the rows of an order "
                        "must be consecutive)",
                    )
                )
            close()
            current = {
                "row": r,
                "line": line,
                "lines": [],
                "values": {c: getattr(r, c) for c in _ORDER_COLUMNS},
            }
        else:
            for c in _ORDER_COLUMNS:
                value = getattr(r, c)
                if value is None:
                    continue
                before = current["values"][c]
                if before is None:
                    current["values"][c] = value
                elif before != value:
                    raise OrderError(
                        located(
                            str(path),
                            line,
                            f"order {r.reference_id!r} has {c} {value!s} here but {before!s} on "
                            f"line {current['line']}: repeat the order's fields unchanged on "
                            "each of its rows (or leave them empty)",
                        )
                    )
        current["lines"].append((r.sku, r.qty))
    close()
    return out
