"""Set-based order import: one chunk of orders in a handful of statements.

:func:`wms.fulfillment.orders.import_orders` stores orders chunk by chunk. Going through the
service functions order by order (``session.get``, ``reserve``, ``record_event`` with a flush each)
costs 10–20 ms per order; this module imports a whole chunk at once with the same decisions, in
the same sequence, producing the same rows:

1. **Read once** (:func:`_read_chunk`): which references are stored (and their fingerprints), the
   customers the chunk's buyers map to, which SKUs exist, and the available stock of every SKU of
   the chunk at each storage location, nearest to the depot first.
2. **Decide in memory** (:class:`_ChunkPlanner`), order by order exactly as the per-order path
   does: rejected / skipped / conflict, the buyer's account (created once), the hold rules (with
   the availability the earlier orders of the chunk left, and the customers they created in the
   duplicate index), then either holds or the reservation, nearest location first, all or nothing.
3. **Write in bulk** (:func:`_write_plan`): one conditional ``UPDATE ... WHERE on_hand - reserved
   >= qty`` per stock row touched (so a concurrent writer can never make it over-reserve), then
   multi-row inserts of customers, orders, lines, holds, events and reservations.

Step 3 raises :class:`ChunkRaceError` when another writer got in between (a unique key inserted
meanwhile, stock reserved meanwhile, or this transaction chosen to break a deadlock); the caller
rolls the chunk back, tries it again on fresh data, and after a few attempts imports it order by
order, which handles those races one order at a time. Tests compare both paths row by row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from wms.fulfillment.holds import HoldContext, HoldFinding, HoldRulesConfig, KnownCustomer, evaluate
from wms.fulfillment.intake import Address, IncomingOrder
from wms.fulfillment.orders import (  # the per-order path's conversions, shared on purpose
    MAX_REFERENCE_LENGTH,
    RETRYABLE_SQLSTATES,
    STOCK_SHORTAGE,
    ImportedOrder,
    _accepted_for,
    _aware,
    _code,
    _customer_id,
    _existing_outcome,
    _fit,
    _identity,
    _IntakeState,
    _jsonable,
    _rejected_too_long,
    order_fingerprint,
)
from wms.fulfillment.stock import reserve_units_at
from wms.store.models import Customer as CustomerRow
from wms.store.models import (
    Event,
    Hold,
    Location,
    Order,
    OrderLine,
    Reservation,
    Sku,
    Stock,
    utcnow,
)

__all__ = ["ChunkRaceError", "import_chunk"]

#: Bound parameters per ``IN (...)`` list (SQLite allows 32,766 per statement).
IN_BATCH = 500

_customers = cast(sa.Table, CustomerRow.__table__)
_orders = cast(sa.Table, Order.__table__)
_lines = cast(sa.Table, OrderLine.__table__)
_holds = cast(sa.Table, Hold.__table__)
_events = cast(sa.Table, Event.__table__)
_reservations = cast(sa.Table, Reservation.__table__)
_stock = cast(sa.Table, Stock.__table__)
_locations = cast(sa.Table, Location.__table__)
_skus = cast(sa.Table, Sku.__table__)


class ChunkRaceError(Exception):
    """Another writer changed what the chunk's plan relied on; import the chunk order by order."""


# -- reading --------------------------------------------------------------------------------------


def _batches(values: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), IN_BATCH):
        yield ordered[start : start + IN_BATCH]


@dataclass(slots=True)
class _Snapshot:
    """What the chunk's decisions read from the database, fetched in a few queries."""

    stored_status: dict[str, str]
    stored_fingerprint: dict[str, str | None]
    customers: set[str]
    skus: frozenset[str]
    #: SKU -> [[location, available units]] of storage locations, nearest first (mutable).
    stock: dict[str, list[list[Any]]]


def _stored_orders(session: Session, refs: Iterable[str]) -> dict[str, str]:
    """Status of each stored order among ``refs``."""
    status: dict[str, str] = {}
    for part in _batches(refs):
        found = session.execute(
            sa.select(_orders.c.id, _orders.c.status).where(_orders.c.id.in_(part))
        )
        status.update((str(ref), str(value)) for ref, value in found)
    return status


def _fingerprints(session: Session, refs: Iterable[str]) -> dict[str, str | None]:
    """The content fingerprint of each order's first ``order.received`` event."""
    out: dict[str, str | None] = {}
    for part in _batches(refs):
        events = session.execute(
            sa.select(_events.c.order_id, _events.c.payload)
            .where(_events.c.type == "order.received", _events.c.order_id.in_(part))
            .order_by(_events.c.id)
        )
        for order_id, payload in events:
            if order_id not in out:
                value = dict(payload or {}).get("fingerprint")
                out[str(order_id)] = None if value is None else str(value)
    return out


def _existing_ids(session: Session, column: sa.Column[str], ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for part in _batches(ids):
        found.update(str(v) for v in session.scalars(sa.select(column).where(column.in_(part))))
    return found


def _available_stock(session: Session, skus: Iterable[str]) -> dict[str, list[list[Any]]]:
    """``SKU -> [[location, available]]`` over storage locations, nearest to the depot first (the
    order :func:`wms.fulfillment.stock.reserve` tries them in)."""
    stock: dict[str, list[list[Any]]] = {}
    loc = _locations
    for part in _batches(skus):
        found = session.execute(
            sa.select(_stock.c.sku_id, _stock.c.location_id, _stock.c.on_hand - _stock.c.reserved)
            .join(loc, loc.c.id == _stock.c.location_id)
            .where(
                _stock.c.sku_id.in_(part),
                loc.c.kind == "storage",
                _stock.c.on_hand - _stock.c.reserved > 0,
            )
            .order_by(sa.func.coalesce(loc.c.distance_m, 1e18), _stock.c.location_id)
        )
        for sku, location, available in found:
            stock.setdefault(str(sku), []).append([str(location), int(available)])
    return stock


def _read_chunk(
    session: Session, refs: Sequence[str], customer_ids: Iterable[str], sku_ids: Iterable[str]
) -> _Snapshot:
    status = _stored_orders(session, refs)
    skus = frozenset(_existing_ids(session, _skus.c.id, sku_ids))
    return _Snapshot(
        stored_status=status,
        stored_fingerprint=_fingerprints(session, status),
        customers=_existing_ids(session, _customers.c.id, customer_ids),
        skus=skus,
        stock=_available_stock(session, skus),
    )


# -- deciding -------------------------------------------------------------------------------------


@dataclass(slots=True)
class ChunkPlan:
    """The rows a chunk adds, in the order the per-order path would add them."""

    results: list[ImportedOrder] = field(default_factory=list)  # in input order
    customers: list[dict[str, Any]] = field(default_factory=list)
    new_customers: list[KnownCustomer] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    holds: list[dict[str, Any]] = field(default_factory=list)
    #: Per order: its events; a held event names its hold by position in ``holds``.
    events: list[dict[str, Any]] = field(default_factory=list)
    reservations: list[dict[str, Any]] = field(default_factory=list)
    #: (SKU, location) -> units to reserve there.
    takes: dict[tuple[str, str], int] = field(default_factory=dict)


def _available(stock: dict[str, list[list[Any]]], skus: Iterable[str]) -> dict[str, int]:
    return {sku: sum(entry[1] for entry in stock.get(sku, ())) for sku in sorted(set(skus))}


def _allocate(
    snapshot: _Snapshot, ref: str, lines: Sequence[tuple[int, str, int]]
) -> list[tuple[int, str, str, int]] | str:
    """Reserve every line nearest location first, all or nothing, in the snapshot.

    Returns the reservations ``(line_no, sku, location, qty)`` in creation order, or why it
    failed (the message :func:`wms.fulfillment.stock.reserve` gives); on failure the snapshot is
    unchanged.
    """
    made: list[tuple[int, str, str, int]] = []
    undo: list[tuple[list[Any], int]] = []
    failure: str | None = None
    for line_no, sku, qty in lines:
        if sku not in snapshot.skus:
            failure = f"unknown SKU {sku!r}: add it to the catalogue first"
            break
        entries = snapshot.stock.get(sku, [])
        total = sum(entry[1] for entry in entries)
        if total < qty:
            failure = (
                f"reserve {sku!r} for order {ref!r} line {line_no}: {qty} units wanted, "
                f"{total} available"
            )
            break
        remaining = qty
        for entry in entries:
            if remaining == 0:
                break
            take = min(entry[1], remaining)
            if take <= 0:
                continue
            entry[1] -= take
            undo.append((entry, take))
            made.append((line_no, sku, entry[0], take))
            remaining -= take
    if failure is not None:
        for entry, take in undo:
            entry[1] += take
        return failure
    return made


class _ChunkPlanner:
    """Takes the per-order decisions of :mod:`wms.fulfillment.orders` for a chunk, in memory."""

    def __init__(
        self,
        snapshot: _Snapshot,
        config: HoldRulesConfig,
        at: datetime | None,
        state: _IntakeState,
    ) -> None:
        self.snapshot = snapshot
        self.config = config
        self.at = at
        self.state = state
        self.plan = ChunkPlan()
        #: Reference -> (status, fingerprint) of orders this chunk imports.
        self.imported: dict[str, tuple[str, str]] = {}

    def add(self, order: IncomingOrder) -> None:
        ref = order.reference_id
        if len(ref) > MAX_REFERENCE_LENGTH:
            self.plan.results.append(_rejected_too_long(order))
            return
        fingerprint = order_fingerprint(order)
        stored = self._stored(ref)
        if stored is not None:
            status, stored_fp = stored
            self.plan.results.append(_existing_outcome(order, status, stored_fp == fingerprint))
            return
        customer_id = self._customer(order)
        self.plan.results.append(self._store(order, customer_id, fingerprint))

    def _stored(self, ref: str) -> tuple[str, str | None] | None:
        if ref in self.imported:
            return self.imported[ref]
        status = self.snapshot.stored_status.get(ref)
        if status is None:
            return None
        return status, self.snapshot.stored_fingerprint.get(ref)

    def _customer(self, order: IncomingOrder) -> str | None:
        identity = _identity(order.channel, order.customer, self.config.rules.duplicate_customer)
        if identity is None:
            return None
        cid: str = _customer_id(identity)
        if cid in self.snapshot.customers:
            return cid
        addr = order.address
        row: dict[str, Any] = {
            "id": cid,
            "channel": _fit(order.channel, 64),
            "name": _fit(order.customer.name, 255),
            "email": _fit(order.customer.email, 255),
            "phone": _fit(order.customer.phone, 64),
            "street": _fit(addr.street, 255),
            "city": _fit(addr.city, 128),
            "postal_code": _fit(addr.postal_code, 32),
            "country": _code(addr.country, 2),
            "created_at": utcnow(),
        }
        self.snapshot.customers.add(cid)
        self.plan.customers.append(row)
        self.plan.new_customers.append(
            KnownCustomer(
                customer_id=cid,
                name=row["name"],
                email=row["email"],
                phone=row["phone"],
                address=Address(row["street"], row["city"], row["postal_code"], row["country"]),
                channel=row["channel"],
            )
        )
        return cid

    def _store(
        self, order: IncomingOrder, customer_id: str | None, fingerprint: str
    ) -> ImportedOrder:
        ref = order.reference_id
        findings = evaluate(order, self._context(order, customer_id), self.config)
        now = self.at or utcnow()
        lines = [
            (k, _fit(ln.sku_id, 64) or ln.sku_id, ln.qty) for k, ln in enumerate(order.lines, 1)
        ]
        received = {
            "channel": order.channel,
            "source": order.source,
            "customer_id": customer_id,
            "fingerprint": fingerprint,
            "lines": [[ln.sku_id, ln.qty] for ln in order.lines],
        }
        events = [_event("order.received", ref, received, now)]
        reserved: dict[int, int] = {}
        status = "on_hold"
        if not findings:
            made = _allocate(self.snapshot, ref, lines)
            if isinstance(made, str):
                findings = [HoldFinding(STOCK_SHORTAGE, f"cannot reserve stock on release: {made}")]
            else:
                status = "released" if lines else "picked"  # as release_order() decides
                events.extend(_release_events(ref, made, status, now))
                reserved = self._reserve(ref, made, now)
        for finding in findings:
            events.append(_event("order.held", ref, self._hold(ref, finding, now), now))
        self.plan.orders.append(_order_row(order, customer_id, status, self.at, now))
        self.plan.lines.extend(_line_rows(ref, lines, reserved))
        self.plan.events.extend(events)
        self.imported[ref] = (status, fingerprint)
        # The per-order path adds a new customer to the index once its order is stored.
        for known in self.plan.new_customers:
            self.state.customers.add(known)
        self.plan.new_customers.clear()
        return ImportedOrder(ref, "imported", status, tuple(f.rule for f in findings))

    def _context(self, order: IncomingOrder, customer_id: str | None) -> HoldContext:
        skus = [ln.sku_id for ln in order.lines]
        known = frozenset(s for s in skus if s in self.snapshot.skus)
        return HoldContext(
            known_skus=known,
            available_units=_available(self.snapshot.stock, [s for s in skus if s in known]),
            customers=self.state.customers,
            own_customer_id=customer_id,
            accepted_duplicates=_accepted_for(self.state.accepted_pairs, customer_id),
        )

    def _reserve(
        self, ref: str, made: list[tuple[int, str, str, int]], now: datetime
    ) -> dict[int, int]:
        """Add the reservations to the plan; units reserved per line number."""
        reserved: dict[int, int] = {}
        for line_no, sku, location, qty in made:
            reserved[line_no] = reserved.get(line_no, 0) + qty
            key = (sku, location)
            self.plan.takes[key] = self.plan.takes.get(key, 0) + qty
            self.plan.reservations.append(
                {
                    "order_id": ref,
                    "line_no": line_no,
                    "sku_id": sku,
                    "location_id": location,
                    "qty": qty,
                    "state": "open",
                    "created_at": now,
                }
            )
        return reserved

    def _hold(self, ref: str, finding: HoldFinding, now: datetime) -> dict[str, Any]:
        """Add the hold to the plan; the payload of its ``order.held`` event."""
        payload = {
            "hold_id": len(self.plan.holds),  # its position: replaced by the stored id
            "rule": finding.rule,
            "detail": finding.detail,
            "data": _jsonable(finding.data),
        }
        self.plan.holds.append(
            {
                "order_id": ref,
                "rule": finding.rule,
                "detail": finding.detail,
                "created_at": now,
                "released_at": None,
                "released_by": None,
                "release_reason": None,
            }
        )
        return payload


def _release_events(
    ref: str, made: list[tuple[int, str, str, int]], status: str, now: datetime
) -> list[dict[str, Any]]:
    reservations = [
        {"line_no": n, "sku_id": s, "location_id": loc, "qty": q} for n, s, loc, q in made
    ]
    events = [_event("order.released", ref, {"actor": None, "reservations": reservations}, now)]
    if status == "picked":  # an order without lines has nothing left to pick
        events.append(_event("order.picked", ref, {"units_picked": 0}, now))
    return events


def _order_row(
    order: IncomingOrder,
    customer_id: str | None,
    status: str,
    at: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    addr = order.address
    return {
        "id": order.reference_id,
        "channel": _fit(order.channel, 64) or "default",
        "customer_id": customer_id,
        "status": status,
        "payment_method": _fit(order.payment_method, 32),
        "payment_status": _fit(order.payment_status, 32),
        "carrier": _fit(order.carrier, 64),
        "value": float(order.value if order.value is not None else Decimal(0)),
        "currency": _code(order.currency, 3) or "PLN",
        "country": _code(addr.country, 2),
        "ship_name": _fit(order.customer.name, 255),
        "ship_street": _fit(addr.street, 255),
        "ship_city": _fit(addr.city, 128),
        "ship_postal_code": _fit(addr.postal_code, 32),
        "comment": order.comment,
        "created_at": _aware(order.created_at) or at or now,
        "cutoff": _aware(order.cutoff),
        "shipped_at": None,
        "updated_at": now,
    }


def _line_rows(
    ref: str, lines: Sequence[tuple[int, str, int]], reserved: dict[int, int]
) -> list[dict[str, Any]]:
    return [
        {
            "order_id": ref,
            "line_no": line_no,
            "sku_id": sku,
            "qty": qty,
            "qty_reserved": reserved.get(line_no, 0),
            "qty_picked": 0,
            "qty_short": 0,
        }
        for line_no, sku, qty in lines
    ]


def _event(type_: str, order_id: str, payload: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "at": at,
        "type": type_,
        "entity_type": "order",
        "entity_id": order_id,
        "order_id": order_id,
        "payload": payload,
        "delivered": False,
    }


# -- writing --------------------------------------------------------------------------------------


def _write_plan(session: Session, plan: ChunkPlan) -> None:
    """Store the plan: stock first (conditional, so a race is caught before anything is written),
    then the rows, parents before children."""
    try:
        _reserve_stock(session, plan.takes)
        _insert(session, _customers, plan.customers)
        _insert(session, _orders, plan.orders)
        _insert(session, _lines, plan.lines)
        hold_ids: list[int] = []
        if plan.holds:
            returning = sa.insert(_holds).returning(_holds.c.id, sort_by_parameter_order=True)
            hold_ids = list(session.scalars(returning, plan.holds))
        for event in plan.events:
            if event["type"] == "order.held":
                event["payload"]["hold_id"] = hold_ids[event["payload"]["hold_id"]]
        _insert(session, _events, plan.events)
        _insert(session, _reservations, plan.reservations)
    except IntegrityError as exc:  # a customer or order inserted by a concurrent import
        raise ChunkRaceError(str(exc.orig)) from exc
    except OperationalError as exc:  # PostgreSQL chose this chunk's transaction to break a cycle
        if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
            raise ChunkRaceError(str(exc.orig)) from exc
        raise


def _reserve_stock(session: Session, takes: dict[tuple[str, str], int]) -> None:
    """One conditional update per stock row, in (SKU, location) order: two chunks imported at
    once lock rows in the same order and queue instead of deadlocking (PostgreSQL)."""
    for (sku, location), qty in sorted(takes.items()):
        if not reserve_units_at(session, sku, location, qty):
            raise ChunkRaceError(f"stock of {sku!r} at {location!r} was reserved meanwhile")


def _insert(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """A multi-row insert (SQLAlchemy's "insertmanyvalues": a few statements, not one per row)."""
    if rows:
        session.execute(sa.insert(table), rows)


def import_chunk(
    session: Session,
    orders: Sequence[IncomingOrder],
    config: HoldRulesConfig,
    at: datetime | None,
    state: _IntakeState,
) -> list[ImportedOrder]:
    """Import ``orders`` in the caller's transaction, set-based; one result per order.

    ``state`` is the import's ``_IntakeState`` (customer index, accepted pairs): new customers
    are added to its index as the orders are decided.

    Raises
    ------
    ChunkRaceError
        Another writer got in between; nothing the chunk wrote stays if the caller rolls back
        (the customer index then holds customers that were not stored: rebuild it).
    """
    params = config.rules.duplicate_customer
    refs = [o.reference_id for o in orders if len(o.reference_id) <= MAX_REFERENCE_LENGTH]
    customer_ids = set()
    for order in orders:
        identity = _identity(order.channel, order.customer, params)
        if identity is not None:
            customer_ids.add(_customer_id(identity))
    sku_ids = set()
    for order in orders:
        for line in order.lines:
            sku_ids.add(line.sku_id)
            sku_ids.add(_fit(line.sku_id, 64) or line.sku_id)
    snapshot = _read_chunk(session, refs, customer_ids, sku_ids)
    planner = _ChunkPlanner(snapshot, config, at, state)
    for order in orders:
        planner.add(order)
    _write_plan(session, planner.plan)
    return planner.plan.results
