"""Incoming shop and marketplace orders as domain objects, before verification and storage.

An :class:`IncomingOrder` is what a sales channel sent, validated for *form* only (numbers parse,
quantities are positive, the reference id is there). Whether its *content* is usable (address
complete, SKUs known, paid, ...) is decided by the hold rules (:mod:`wms.fulfillment.holds`), so
every optional field may be ``None`` here: a missing address is a hold, not a parse error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

__all__ = ["Address", "Customer", "IncomingLine", "IncomingOrder"]


@dataclass(frozen=True, slots=True)
class Customer:
    """The buyer as the channel knows them; any field may be missing."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """Plain JSON-ready dictionary."""
        return {"name": self.name, "email": self.email, "phone": self.phone}


@dataclass(frozen=True, slots=True)
class Address:
    """The ship-to address; ``country`` is an ISO 3166 alpha-2 code such as ``"PL"``."""

    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """Plain JSON-ready dictionary."""
        return {
            "street": self.street,
            "city": self.city,
            "postal_code": self.postal_code,
            "country": self.country,
        }

    def one_line(self) -> str:
        """``"street, postal_code city, country"`` with the missing parts left out."""
        town = " ".join(x for x in (self.postal_code, self.city) if x)
        return ", ".join(x for x in (self.street, town, self.country) if x)


@dataclass(frozen=True, slots=True)
class IncomingLine:
    """One order line: ``qty`` (> 0) units of SKU ``sku_id`` (the SKU may be unknown)."""

    sku_id: str
    qty: int

    def __post_init__(self) -> None:
        if not isinstance(self.sku_id, str) or not self.sku_id.strip():
            raise ValueError(f"order line: sku must be a non-empty string, got {self.sku_id!r}")
        if isinstance(self.qty, bool) or not isinstance(self.qty, int) or self.qty < 1:
            raise ValueError(
                f"order line of SKU {self.sku_id!r}: qty must be >= 1, got {self.qty!r}"
            )


@dataclass(frozen=True, slots=True)
class IncomingOrder:
    """One order of a sales channel, as received.

    Attributes
    ----------
    reference_id
        The channel's order reference; the natural key of the order in the store.
    channel
        Sales channel (``"shop"``, ``"allegro"``, ``"amazon"``...).
    customer, address
        Buyer and ship-to address (fields may be missing: a content hold, not an error).
    payment_method, payment_status
        E.g. ``"card"``/``"cod"`` and ``"paid"``/``"pending"``.
    carrier
        The courier the customer chose.
    value, currency
        Order value (goods and shipping) in ``currency`` (ISO 4217, e.g. ``"PLN"``).
    comment
        Free text of the customer.
    created_at, cutoff
        When the customer placed the order; ship-by time (``None`` if none).
    lines
        At least one line.
    source
        Where the order was read (``"orders.csv, line 4"``), for messages.
    """

    reference_id: str
    channel: str
    lines: tuple[IncomingLine, ...]
    customer: Customer = Customer()
    address: Address = Address()
    payment_method: str | None = None
    payment_status: str | None = None
    carrier: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    comment: str | None = None
    created_at: datetime | None = None
    cutoff: datetime | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.reference_id, str) or not self.reference_id.strip():
            raise ValueError(
                f"order: reference_id must be a non-empty string, got {self.reference_id!r}"
            )
        if not self.channel:
            raise ValueError(f"order {self.reference_id!r}: channel must be a non-empty string")
        lines = tuple(self.lines)
        if not lines:
            raise ValueError(
                f"order {self.reference_id!r} has no lines: an order needs at least one"
            )
        object.__setattr__(self, "lines", lines)
        if self.value is not None and self.value < 0:
            raise ValueError(f"order {self.reference_id!r}: value must be >= 0, got {self.value}")

    @property
    def units(self) -> int:
        """Total units over all lines."""
        return sum(line.qty for line in self.lines)

    def content_key(self) -> dict[str, object]:
        """The order's content as a plain dictionary (without ``source``), to compare re-imports."""
        return {
            "reference_id": self.reference_id,
            "channel": self.channel,
            "customer": self.customer.to_dict(),
            "address": self.address.to_dict(),
            "payment_method": self.payment_method,
            "payment_status": self.payment_status,
            "carrier": self.carrier,
            "value": None if self.value is None else str(self.value.quantize(Decimal("0.01"))),
            "currency": self.currency,
            "comment": self.comment,
            "lines": [[ln.sku_id, ln.qty] for ln in self.lines],
        }
