"""SQLAlchemy 2 models of the fulfillment database: catalogue, stock ledger, orders, holds, returns.

Every table of the fulfillment layer lives here so that the Alembic migration
(:mod:`wms.store.migrations`) and the models can be compared mechanically (see
``tests/store/test_migrations.py``). Services in :mod:`wms.fulfillment` own the rules; these classes
only describe rows.

Conventions
-----------
- Natural string keys where the outside world has one (SKU, location, order reference, ASN id, RMA
  number); integer surrogate keys for rows the system creates (ledger moves, holds, waves, events).
- All timestamps are timezone-aware UTC (:class:`UtcDateTime`); SQLite stores them as naive UTC text.
- Quantities are whole units (``int``); money is ``value`` in ``currency`` (2 decimals, float in
  Python); weights in kg, volumes in litres, distances in metres.
- ``stock`` holds the current quantity per (location, SKU); ``stock_move`` is the append-only ledger.
  For every (SKU, location): sum of moves in - sum of moves out == ``stock.on_hand``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Kinds of ledger moves. ``from``/``to`` location: receipt (-, dock), putaway (dock, slot),
#: pick (slot, -), adjustment (slot, -) or (-, slot), return (-, location), move (a, b),
#: scrap (a, -), quarantine (a, quarantine location).
MOVE_KINDS: tuple[str, ...] = (
    "receipt",
    "putaway",
    "pick",
    "adjustment",
    "return",
    "move",
    "scrap",
    "quarantine",
)
#: Order statuses along the fulfillment timeline.
ORDER_STATUSES: tuple[str, ...] = (
    "received",
    "on_hold",
    "released",
    "waved",
    "picked",
    "packed",
    "shipped",
    "cancelled",
    "returned",
)
#: Location kinds: only ``storage`` stock can be reserved for orders.
LOCATION_KINDS: tuple[str, ...] = ("storage", "receiving", "quarantine", "returns", "shipping")
RESERVATION_STATES: tuple[str, ...] = ("open", "picked", "released")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _in_list(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A ``DateTime(timezone=True)`` that only accepts aware datetimes and always returns UTC.

    SQLite has no time zone type: values are stored as naive UTC so that text order is time order.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Normalise to UTC; refuse naive datetimes (their zone is a guess)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} given: pass a timezone-aware datetime "
                "(e.g. datetime.now(UTC))"
            )
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (stable names for migrations)."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


# -- catalogue and storage ------------------------------------------------------------------------


class Sku(Base):
    """A stock-keeping unit of the catalogue."""

    __tablename__ = "sku"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    description: Mapped[str] = mapped_column(sa.String(255), default="")
    weight_kg: Mapped[float] = mapped_column(sa.Float, default=0.0)
    volume_l: Mapped[float] = mapped_column(sa.Float, default=0.0)
    handling_class: Mapped[str | None] = mapped_column(sa.String(32))
    velocity_class: Mapped[str | None] = mapped_column(sa.String(1))

    __table_args__ = (
        sa.CheckConstraint("weight_kg >= 0", name="weight_nonneg"),
        sa.CheckConstraint("volume_l >= 0", name="volume_nonneg"),
        sa.CheckConstraint(
            "velocity_class IS NULL OR velocity_class IN ('A', 'B', 'C')", name="velocity"
        ),
    )


class Location(Base):
    """A place stock can be: a storage slot, the receiving dock, quarantine, the returns desk."""

    __tablename__ = "location"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    zone: Mapped[str | None] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(16), default="storage")
    capacity_units: Mapped[int | None] = mapped_column(sa.Integer)
    distance_m: Mapped[float | None] = mapped_column(sa.Float)

    __table_args__ = (
        sa.CheckConstraint(_in_list("kind", LOCATION_KINDS), name="kind"),
        sa.CheckConstraint("capacity_units IS NULL OR capacity_units >= 0", name="capacity"),
    )


class Stock(Base):
    """Current quantity of one SKU at one location; ``available = on_hand - reserved``."""

    __tablename__ = "stock"

    location_id: Mapped[str] = mapped_column(sa.ForeignKey("location.id"), primary_key=True)
    sku_id: Mapped[str] = mapped_column(sa.ForeignKey("sku.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(sa.Integer, default=0)
    reserved: Mapped[int] = mapped_column(sa.Integer, default=0)

    __table_args__ = (
        sa.CheckConstraint("on_hand >= 0", name="on_hand_nonneg"),
        sa.CheckConstraint("reserved >= 0", name="reserved_nonneg"),
        sa.CheckConstraint("reserved <= on_hand", name="reserved_le_on_hand"),
        sa.Index("ix_stock_sku_id", "sku_id"),
    )

    @property
    def available(self) -> int:
        """Units that can still be reserved."""
        return self.on_hand - self.reserved


class StockMove(Base):
    """One line of the append-only stock ledger (never updated, never deleted)."""

    __tablename__ = "stock_move"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(16))
    sku_id: Mapped[str] = mapped_column(sa.ForeignKey("sku.id"))
    from_location_id: Mapped[str | None] = mapped_column(sa.ForeignKey("location.id"))
    to_location_id: Mapped[str | None] = mapped_column(sa.ForeignKey("location.id"))
    qty: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str | None] = mapped_column(sa.String(255))
    reference: Mapped[str | None] = mapped_column(sa.String(64))
    actor: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (
        sa.CheckConstraint("qty > 0", name="qty_positive"),
        sa.CheckConstraint(_in_list("kind", MOVE_KINDS), name="kind"),
        sa.CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL", name="has_location"
        ),
        sa.Index("ix_stock_move_sku_id_at", "sku_id", "at"),
        sa.Index("ix_stock_move_reference", "reference"),
    )


def append_only_ddl(dialect: str) -> list[str]:
    """SQL that makes ``stock_move`` append-only: UPDATE and DELETE raise (SQLite, PostgreSQL).

    The migration creates the same triggers; :meth:`Base.metadata.create_all` does too through the
    ``after_create`` hook below.
    """
    message = "stock_move is append-only: book a correcting move instead"
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER stock_move_no_{op} BEFORE {op.upper()} ON stock_move "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for op in ("update", "delete")
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION wms_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$",
            "CREATE TRIGGER stock_move_append_only BEFORE UPDATE OR DELETE ON stock_move "
            "FOR EACH ROW EXECUTE FUNCTION wms_append_only()",
        ]
    return []


@sa.event.listens_for(StockMove.__table__, "after_create")
def _stock_move_append_only(target: sa.Table, connection: sa.Connection, **kw: Any) -> None:
    for statement in append_only_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


# -- customers and orders -------------------------------------------------------------------------


class Customer(Base):
    """A customer account as a sales channel knows it (one person may have several)."""

    __tablename__ = "customer"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    channel: Mapped[str | None] = mapped_column(sa.String(64))
    name: Mapped[str | None] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(64))
    street: Mapped[str | None] = mapped_column(sa.String(255))
    city: Mapped[str | None] = mapped_column(sa.String(128))
    postal_code: Mapped[str | None] = mapped_column(sa.String(32))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Order(Base):
    """A customer order; ``id`` is the channel's natural reference (import is idempotent on it).

    ``country`` and the ``ship_*`` fields are the ship-to address. ``value`` is the order value in
    ``currency``.
    """

    __tablename__ = "order"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(64), default="shop")
    customer_id: Mapped[str | None] = mapped_column(sa.ForeignKey("customer.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default="received")
    payment_method: Mapped[str | None] = mapped_column(sa.String(32))
    payment_status: Mapped[str | None] = mapped_column(sa.String(32))
    carrier: Mapped[str | None] = mapped_column(sa.String(64))
    value: Mapped[float] = mapped_column(sa.Numeric(14, 2, asdecimal=False), default=0.0)
    currency: Mapped[str] = mapped_column(sa.String(3), default="PLN")
    country: Mapped[str | None] = mapped_column(sa.String(2))
    ship_name: Mapped[str | None] = mapped_column(sa.String(255))
    ship_street: Mapped[str | None] = mapped_column(sa.String(255))
    ship_city: Mapped[str | None] = mapped_column(sa.String(128))
    ship_postal_code: Mapped[str | None] = mapped_column(sa.String(32))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cutoff: Mapped[datetime | None] = mapped_column()
    shipped_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.line_no", cascade="all, delete-orphan"
    )
    holds: Mapped[list[Hold]] = relationship(back_populates="order", order_by="Hold.id")

    __table_args__ = (
        sa.CheckConstraint(_in_list("status", ORDER_STATUSES), name="status"),
        sa.CheckConstraint("value >= 0", name="value_nonneg"),
        sa.Index("ix_order_status", "status"),
        sa.Index("ix_order_customer_id", "customer_id"),
    )


class OrderLine(Base):
    """One line of an order. ``sku_id`` is not a foreign key: unknown SKUs are stored and held."""

    __tablename__ = "order_line"

    order_id: Mapped[str] = mapped_column(
        sa.ForeignKey("order.id", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    sku_id: Mapped[str] = mapped_column(sa.String(64))
    qty: Mapped[int] = mapped_column(sa.Integer)
    qty_reserved: Mapped[int] = mapped_column(sa.Integer, default=0)
    qty_picked: Mapped[int] = mapped_column(sa.Integer, default=0)
    qty_short: Mapped[int] = mapped_column(sa.Integer, default=0)

    order: Mapped[Order] = relationship(back_populates="lines")

    __table_args__ = (
        sa.CheckConstraint("qty_reserved >= 0", name="qty_reserved_nonneg"),
        sa.CheckConstraint("qty_picked >= 0", name="qty_picked_nonneg"),
        sa.CheckConstraint("qty_short >= 0", name="qty_short_nonneg"),
    )


class Hold(Base):
    """A verification hold on an order; released on its own with who/when/why."""

    __tablename__ = "hold"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(sa.ForeignKey("order.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(sa.String(64))
    detail: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column()
    released_by: Mapped[str | None] = mapped_column(sa.String(64))
    release_reason: Mapped[str | None] = mapped_column(sa.Text)

    order: Mapped[Order] = relationship(back_populates="holds")

    __table_args__ = (
        sa.Index("ix_hold_order_id", "order_id"),
        sa.Index("ix_hold_rule", "rule"),
    )


class Reservation(Base):
    """Units of one order line reserved at one location (``open`` until picked or released)."""

    __tablename__ = "reservation"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(sa.String(64))
    line_no: Mapped[int] = mapped_column(sa.Integer)
    sku_id: Mapped[str] = mapped_column(sa.ForeignKey("sku.id"))
    location_id: Mapped[str] = mapped_column(sa.ForeignKey("location.id"))
    qty: Mapped[int] = mapped_column(sa.Integer)
    state: Mapped[str] = mapped_column(sa.String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["order_id", "line_no"],
            ["order_line.order_id", "order_line.line_no"],
            name="fk_reservation_order_line",
        ),
        sa.CheckConstraint("qty > 0", name="qty_positive"),
        sa.CheckConstraint(_in_list("state", RESERVATION_STATES), name="state"),
        sa.Index("ix_reservation_order_id", "order_id"),
    )


# -- waves and picking ----------------------------------------------------------------------------


class Wave(Base):
    """A group of pick lists released to the floor together."""

    __tablename__ = "wave"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(16), default="released")
    label: Mapped[str | None] = mapped_column(sa.String(64))

    pick_lists: Mapped[list[PickList]] = relationship(back_populates="wave", order_by="PickList.id")


class PickList(Base):
    """One picker tour planned by the core (``route_length_m`` from the routing method)."""

    __tablename__ = "pick_list"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    wave_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wave.id"))
    route_length_m: Mapped[float | None] = mapped_column(sa.Float)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    strategy: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()

    wave: Mapped[Wave | None] = relationship(back_populates="pick_lists")
    tasks: Mapped[list[PickTask]] = relationship(
        back_populates="pick_list", order_by="PickTask.seq"
    )


class PickTask(Base):
    """One stop of a pick list: take ``qty`` of ``sku_id`` at ``location_id`` for an order line."""

    __tablename__ = "pick_task"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    pick_list_id: Mapped[int] = mapped_column(sa.ForeignKey("pick_list.id"))
    seq: Mapped[int] = mapped_column(sa.Integer)
    order_id: Mapped[str] = mapped_column(sa.String(64))
    line_no: Mapped[int] = mapped_column(sa.Integer)
    sku_id: Mapped[str] = mapped_column(sa.ForeignKey("sku.id"))
    location_id: Mapped[str] = mapped_column(sa.ForeignKey("location.id"))
    qty: Mapped[int] = mapped_column(sa.Integer)
    qty_picked: Mapped[int] = mapped_column(sa.Integer, default=0)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    tote: Mapped[str | None] = mapped_column(sa.String(32))

    pick_list: Mapped[PickList] = relationship(back_populates="tasks")

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["order_id", "line_no"],
            ["order_line.order_id", "order_line.line_no"],
            name="fk_pick_task_order_line",
        ),
        sa.CheckConstraint("qty > 0", name="qty_positive"),
        sa.CheckConstraint("qty_picked >= 0", name="qty_picked_nonneg"),
        sa.Index("ix_pick_task_pick_list_id", "pick_list_id"),
        sa.Index("ix_pick_task_order_id", "order_id"),
    )


# -- receiving ------------------------------------------------------------------------------------


class Receipt(Base):
    """An announced delivery (ASN); ``id`` is the ASN id. Status: expected, received, closed."""

    __tablename__ = "receipt"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    supplier: Mapped[str | None] = mapped_column(sa.String(255))
    expected_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(16), default="expected")
    received_at: Mapped[datetime | None] = mapped_column()
    dock_location_id: Mapped[str | None] = mapped_column(sa.ForeignKey("location.id"))

    lines: Mapped[list[ReceiptLine]] = relationship(
        back_populates="receipt", order_by="ReceiptLine.line_no", cascade="all, delete-orphan"
    )


class ReceiptLine(Base):
    """One ASN line: expected vs. counted quantity, damaged units, quality status, discrepancy.

    ``discrepancy`` is ``None`` when the count matches, else a comma list of ``over``, ``short``,
    ``damaged``.
    """

    __tablename__ = "receipt_line"

    receipt_id: Mapped[str] = mapped_column(
        sa.ForeignKey("receipt.id", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    sku_id: Mapped[str] = mapped_column(sa.ForeignKey("sku.id"))
    qty_expected: Mapped[int] = mapped_column(sa.Integer)
    qty_received: Mapped[int | None] = mapped_column(sa.Integer)
    qty_damaged: Mapped[int] = mapped_column(sa.Integer, default=0)
    qty_put_away: Mapped[int] = mapped_column(sa.Integer, default=0)
    quality_status: Mapped[str | None] = mapped_column(sa.String(16))
    discrepancy: Mapped[str | None] = mapped_column(sa.String(64))

    receipt: Mapped[Receipt] = relationship(back_populates="lines")

    __table_args__ = (
        sa.CheckConstraint("qty_expected >= 0", name="qty_expected_nonneg"),
        sa.CheckConstraint("qty_received IS NULL OR qty_received >= 0", name="qty_received"),
        sa.CheckConstraint("qty_damaged >= 0", name="qty_damaged_nonneg"),
        sa.CheckConstraint("qty_put_away >= 0", name="qty_put_away_nonneg"),
    )


# -- returns --------------------------------------------------------------------------------------


class Rma(Base):
    """A return authorisation; ``complaint_status`` is what the customer can follow."""

    __tablename__ = "rma"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    order_id: Mapped[str | None] = mapped_column(sa.ForeignKey("order.id"))
    customer_id: Mapped[str | None] = mapped_column(sa.ForeignKey("customer.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default="authorised")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    complaint_status: Mapped[str | None] = mapped_column(sa.String(32))

    lines: Mapped[list[RmaLine]] = relationship(
        back_populates="rma", order_by="RmaLine.line_no", cascade="all, delete-orphan"
    )


class RmaLine(Base):
    """One returned SKU: reason, received quantity, inspected condition and disposition."""

    __tablename__ = "rma_line"

    rma_id: Mapped[str] = mapped_column(
        sa.ForeignKey("rma.id", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    sku_id: Mapped[str] = mapped_column(sa.ForeignKey("sku.id"))
    qty: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str | None] = mapped_column(sa.String(255))
    qty_received: Mapped[int] = mapped_column(sa.Integer, default=0)
    condition: Mapped[str | None] = mapped_column(sa.String(16))
    disposition: Mapped[str | None] = mapped_column(sa.String(16))
    location_id: Mapped[str | None] = mapped_column(sa.ForeignKey("location.id"))

    rma: Mapped[Rma] = relationship(back_populates="lines")

    __table_args__ = (
        sa.CheckConstraint("qty > 0", name="qty_positive"),
        sa.CheckConstraint("qty_received >= 0", name="qty_received_nonneg"),
    )


# -- events ---------------------------------------------------------------------------------------


class Event(Base):
    """A status event (``order.released``, ``receipt.received``, ...); the webhook outbox.

    ``order_id`` is set on every event that concerns an order (also pick-list or return events) so
    the order's timeline is one indexed query. ``delivered`` turns true once a webhook sent it.
    """

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    entity_type: Mapped[str] = mapped_column(sa.String(32))
    entity_id: Mapped[str] = mapped_column(sa.String(64))
    type: Mapped[str] = mapped_column(sa.String(64))
    order_id: Mapped[str | None] = mapped_column(sa.String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    delivered: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())

    __table_args__ = (
        sa.Index("ix_event_entity", "entity_type", "entity_id"),
        sa.Index("ix_event_order_id", "order_id"),
        sa.Index("ix_event_type", "type"),
        sa.Index("ix_event_delivered", "delivered"),
    )


__all__ = [
    "LOCATION_KINDS",
    "MOVE_KINDS",
    "ORDER_STATUSES",
    "RESERVATION_STATES",
    "Base",
    "Customer",
    "Event",
    "Hold",
    "Location",
    "Order",
    "OrderLine",
    "PickList",
    "PickTask",
    "Receipt",
    "ReceiptLine",
    "Reservation",
    "Rma",
    "RmaLine",
    "Sku",
    "Stock",
    "StockMove",
    "UtcDateTime",
    "Wave",
    "append_only_ddl",
    "utcnow",
]
