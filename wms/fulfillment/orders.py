"""Order intake on the database: import, verification holds, release with stock reservation.

:func:`import_orders` stores incoming orders (:mod:`wms.io.shop_orders`) with their customer,
lines and the holds the rules engine (:mod:`wms.fulfillment.holds`) finds; an order without holds
is released at once and its stock reserved (:func:`wms.fulfillment.stock.reserve`). Every step
appends a status event (:mod:`wms.fulfillment.events`): ``order.received``, one ``order.held`` per
hold, ``order.released``.

Speed. A chunk is imported set-based (:mod:`wms.fulfillment.bulk_intake`): a few reads for the
whole chunk, the same per-order decisions in memory, multi-row inserts (about 1 ms per order
instead of 10–20 ms through the per-order path below, which stays as the fallback after a race).

Idempotency and crashes. The order reference (``reference_id``) is the primary key. Orders are
committed in chunks (default: 500 orders per transaction), so a crash (or ``kill -9``) loses at
most the chunk in flight and nothing committed; importing the same
file again skips the orders already stored (reported as ``skipped``) and imports the rest. An
order that exists with *different* content (compared by a fingerprint stored in the
``order.received`` event) is reported as a ``conflict`` and left unchanged.

Holds. Each hold is released on its own (:func:`release_hold`) with who and why; when the last
open hold of an order goes, the order is released and its stock reserved. Releasing a
``stock_shortage`` hold re-checks stock first and fails if it is still short. If reservation fails
when an order is released (stock taken in the meantime), the order gets a new ``stock_shortage``
hold: an order is never released without its stock, even with the ``stock_shortage`` rule off
(the rule decides what is checked at intake; missing stock is a fact).

Concurrency. Two imports of the same feed at once store each order once: a unique-key race on
an order or customer, stock reserved by another writer between a chunk's read and its conditional
update, or a deadlock on PostgreSQL rolls the chunk back and tries it again on fresh data (then
order by order, each order in a savepoint retried on a race: it is then skipped or matched).
Chunks reserve stock rows in one order, so concurrent imports queue rather than deadlock.
:func:`release_hold` and :func:`cancel_order` lock the order row, so consultants releasing the
last two holds of an order at the same moment still release it. The customer index
for the duplicate check is brought up to date when an import starts (it is kept between imports:
:mod:`wms.fulfillment.customer_cache`).

Functions taking a :class:`~sqlalchemy.orm.Session` never commit (the caller's
:func:`~wms.store.db.session_scope` does); :func:`import_orders` manages its own transactions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from wms.errors import StockError, WmsError
from wms.fulfillment import stock as stock_service
from wms.fulfillment.customer_cache import INDEX_CACHE, cache_key
from wms.fulfillment.events import record_event
from wms.fulfillment.holds import (
    CustomerIndex,
    DuplicateCustomerParams,
    HoldContext,
    HoldFinding,
    HoldRulesConfig,
    KnownCustomer,
    evaluate,
    normalize_email,
    normalize_phone,
)
from wms.fulfillment.intake import Address, Customer, IncomingLine, IncomingOrder
from wms.store.db import make_engine, session_scope
from wms.store.models import Customer as CustomerRow
from wms.store.models import Hold, Order, OrderLine, PickTask, Sku, utcnow

__all__ = [
    "HoldRecord",
    "ImportReport",
    "ImportedOrder",
    "OrderFlowError",
    "ReleaseResult",
    "accepted_duplicate_pairs",
    "add_hold",
    "cancel_order",
    "customer_index",
    "get_order",
    "import_orders",
    "list_holds",
    "list_orders",
    "lock_order",
    "order_fingerprint",
    "release_hold",
    "release_order",
]

#: Longest order reference the store keeps (``order.id`` column).
MAX_REFERENCE_LENGTH = 64
#: Name of the hold a failed reservation creates (the rule of the same name).
STOCK_SHORTAGE = "stock_shortage"
#: Statuses from which an order can still be cancelled (nothing has left its location yet).
CANCELLABLE = ("received", "on_hold", "released", "waved")


class OrderFlowError(WmsError):
    """An order or hold operation that does not apply (unknown id, wrong status, still short)."""


# -- results --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportedOrder:
    """One order of an import and what became of it.

    ``outcome`` is ``"imported"``, ``"skipped"`` (same order already stored), ``"conflict"`` (the
    reference exists with other content) or ``"rejected"`` (cannot be stored, e.g. a reference
    longer than 64 characters).
    """

    order_id: str
    outcome: str
    status: str | None = None
    holds: tuple[str, ...] = ()
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "order_id": self.order_id,
            "outcome": self.outcome,
            "status": self.status,
            "holds": list(self.holds),
            "message": self.message,
        }


@dataclass(slots=True)
class ImportReport:
    """What :func:`import_orders` did, order by order."""

    orders: list[ImportedOrder] = field(default_factory=list)

    def of(self, outcome: str) -> list[ImportedOrder]:
        """The orders with the given outcome."""
        return [o for o in self.orders if o.outcome == outcome]

    @property
    def imported(self) -> int:
        """Orders stored by this import."""
        return len(self.of("imported"))

    @property
    def released(self) -> int:
        """Imported orders released to the warehouse (no hold)."""
        return sum(1 for o in self.of("imported") if o.status == "released")

    @property
    def held(self) -> int:
        """Imported orders on hold."""
        return sum(1 for o in self.of("imported") if o.status == "on_hold")

    @property
    def skipped(self) -> int:
        """Orders already stored with the same content."""
        return len(self.of("skipped"))

    @property
    def conflicts(self) -> int:
        """Orders whose reference is stored with different content."""
        return len(self.of("conflict"))

    @property
    def rejected(self) -> int:
        """Orders that could not be stored."""
        return len(self.of("rejected"))

    def summary(self) -> dict[str, int]:
        """Counts per outcome (and released/held among the imported)."""
        return {
            "imported": self.imported,
            "released": self.released,
            "held": self.held,
            "skipped": self.skipped,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
        }


@dataclass(frozen=True, slots=True)
class HoldRecord:
    """A hold as plain data (usable after the session closed)."""

    id: int
    order_id: str
    rule: str
    detail: str
    created_at: datetime
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None

    @property
    def is_open(self) -> bool:
        """Not released yet."""
        return self.released_at is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "id": self.id,
            "order_id": self.order_id,
            "rule": self.rule,
            "detail": self.detail,
            "created_at": self.created_at.isoformat(),
            "released_at": None if self.released_at is None else self.released_at.isoformat(),
            "released_by": self.released_by,
            "release_reason": self.release_reason,
        }


@dataclass(frozen=True, slots=True)
class ReleaseResult:
    """Outcome of :func:`release_hold`: the hold, and the order's status afterwards.

    ``new_holds`` lists holds created because the order could not be reserved on release.
    """

    hold: HoldRecord
    order_status: str
    open_holds: int
    new_holds: tuple[HoldRecord, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "hold": self.hold.to_dict(),
            "order_status": self.order_status,
            "open_holds": self.open_holds,
            "new_holds": [h.to_dict() for h in self.new_holds],
        }


def _hold_record(row: Hold) -> HoldRecord:
    return HoldRecord(
        id=row.id,
        order_id=row.order_id,
        rule=row.rule,
        detail=row.detail or "",
        created_at=row.created_at,
        released_at=row.released_at,
        released_by=row.released_by,
        release_reason=row.release_reason,
    )


# -- fingerprints and conversions -----------------------------------------------------------------


def order_fingerprint(order: IncomingOrder) -> str:
    """SHA-256 of the order's content (not its source position), to recognise a re-import."""
    text = json.dumps(order.content_key(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    """Files give local-less times: a naive time is taken as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _fit(value: str | None, length: int) -> str | None:
    """A string cut to the column length (the hold detail keeps the full original)."""
    if value is None:
        return None
    value = value.strip()
    return value[:length] if value else None


def _code(value: str | None, length: int) -> str | None:
    """An ISO code column (country, currency): only a value of exactly that length is kept."""
    if value is None:
        return None
    value = value.strip().upper()
    return value if len(value) == length else None


# -- customers ------------------------------------------------------------------------------------


def _identity(channel: str, customer: Customer, params: DuplicateCustomerParams) -> str | None:
    """The account key within a channel: normalised e-mail, else phone, else None."""
    if customer.email and customer.email.strip():
        return f"{channel}|e|{normalize_email(customer.email)}"
    if customer.phone:
        phone = normalize_phone(
            customer.phone, params.default_country_code, params.national_number_length
        )
        if phone:
            return f"{channel}|p|{phone}"
    return None


def _customer_id(identity: str) -> str:
    return "C-" + hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def _known(row: CustomerRow) -> KnownCustomer:
    return KnownCustomer(
        customer_id=row.id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        address=Address(row.street, row.city, row.postal_code, row.country),
        channel=row.channel,
    )


def _match_customer(
    session: Session, order: IncomingOrder, params: DuplicateCustomerParams
) -> tuple[CustomerRow | None, bool]:
    """The buyer's own account (``channel`` + e-mail/phone), created if new; ``(row, created)``.

    A buyer with neither e-mail nor phone gets no account (a content hold says why).
    """
    identity = _identity(order.channel, order.customer, params)
    if identity is None:
        return None, False
    cid = _customer_id(identity)
    row = session.get(CustomerRow, cid)
    if row is not None:
        return row, False
    addr = order.address
    row = CustomerRow(
        id=cid,
        channel=_fit(order.channel, 64),
        name=_fit(order.customer.name, 255),
        email=_fit(order.customer.email, 255),
        phone=_fit(order.customer.phone, 64),
        street=_fit(addr.street, 255),
        city=_fit(addr.city, 128),
        postal_code=_fit(addr.postal_code, 32),
        country=_code(addr.country, 2),
    )
    session.add(row)
    session.flush()
    return row, True


def customer_index(session: Session, params: DuplicateCustomerParams) -> CustomerIndex:
    """All stored customers, normalised for the duplicate check (imports keep theirs between
    runs: :mod:`wms.fulfillment.customer_cache`)."""
    rows = session.scalars(sa.select(CustomerRow).order_by(CustomerRow.id))
    return CustomerIndex((_known(row) for row in rows), params)


# -- context for the rules ------------------------------------------------------------------------


def _available(session: Session, sku_ids: Iterable[str]) -> dict[str, int]:
    ids = set(sku_ids)
    got = stock_service.available_units(session, ids)  # one grouped query for the order's SKUs
    return {sku: got.get(sku, 0) for sku in sorted(ids)}


def _known_skus(session: Session, sku_ids: Iterable[str]) -> frozenset[str]:
    ids = sorted(set(sku_ids))
    if not ids:
        return frozenset()
    return frozenset(session.scalars(sa.select(Sku.id).where(Sku.id.in_(ids))))


@dataclass(slots=True)
class _IntakeState:
    """What one import keeps between orders: the customer index and accepted duplicate pairs."""

    customers: CustomerIndex
    accepted_pairs: set[frozenset[str]]


def accepted_duplicate_pairs(session: Session) -> set[frozenset[str]]:
    """Pairs of customers a consultant accepted as the same person: the buyer and the matched
    customer of every released ``duplicate_customer`` hold (from its ``order.held`` event).

    The import does not hold the same pair again, in either direction, on later orders.
    """
    from wms.store.models import Event

    held = dict(
        session.execute(
            sa.select(Hold.id, Order.customer_id)
            .join(Order, Order.id == Hold.order_id)
            .where(Hold.rule == "duplicate_customer", Hold.released_at.is_not(None))
        ).all()
    )
    if not held:
        return set()
    pairs: set[frozenset[str]] = set()
    orders_with = sa.select(Hold.order_id).where(Hold.id.in_(list(held)))
    events = session.scalars(
        sa.select(Event).where(Event.type == "order.held", Event.order_id.in_(orders_with))
    )
    for event in events:
        payload = event.payload or {}
        hold_id = payload.get("hold_id")
        matched = (payload.get("data") or {}).get("customer_id")
        buyer = held.get(hold_id) if isinstance(hold_id, int) else None
        if buyer and matched and buyer != matched:
            pairs.add(frozenset((str(buyer), str(matched))))
    return pairs


def _accepted_for(pairs: set[frozenset[str]], own_id: str | None) -> frozenset[str]:
    if own_id is None:
        return frozenset()
    return frozenset(x for pair in pairs if own_id in pair for x in pair if x != own_id)


def _context(
    session: Session, order: IncomingOrder, own_id: str | None, state: _IntakeState
) -> HoldContext:
    skus = [ln.sku_id for ln in order.lines]
    known = _known_skus(session, skus)
    return HoldContext(
        known_skus=known,
        available_units=_available(session, [s for s in skus if s in known]),
        customers=state.customers,
        own_customer_id=own_id,
        accepted_duplicates=_accepted_for(state.accepted_pairs, own_id),
    )


# -- holds and release ----------------------------------------------------------------------------


def add_hold(
    session: Session, order: Order, finding: HoldFinding, *, at: datetime | None = None
) -> Hold:
    row = Hold(
        order_id=order.id, rule=finding.rule, detail=finding.detail, created_at=at or utcnow()
    )
    session.add(row)
    session.flush()
    order.status = "on_hold"
    record_event(
        session,
        "order.held",
        entity_type="order",
        entity_id=order.id,
        payload={
            "hold_id": row.id,
            "rule": finding.rule,
            "detail": finding.detail,
            "data": _jsonable(finding.data),
        },
        at=at,
    )
    return row


def _jsonable(data: object) -> Any:
    return json.loads(json.dumps(data, default=str))


def _open_holds(session: Session, order_id: str) -> list[Hold]:
    return list(
        session.scalars(
            sa.select(Hold)
            .where(Hold.order_id == order_id, Hold.released_at.is_(None))
            .order_by(Hold.id)
        )
    )


def _missing_units(line: OrderLine) -> int:
    """Units of a line neither reserved nor picked yet."""
    return line.qty - line.qty_reserved - line.qty_picked


def _reserve_order(session: Session, order: Order) -> str | None:
    """Reserve every missing unit of the order, all or nothing; ``None`` or why it failed."""
    savepoint = session.begin_nested()
    try:
        for line in order.lines:
            missing = _missing_units(line)
            if missing > 0:
                stock_service.reserve(session, order.id, line.line_no, line.sku_id, missing)
    except StockError as exc:
        savepoint.rollback()
        for line in order.lines:
            session.refresh(line)
        return str(exc)
    savepoint.commit()
    for line in order.lines:
        session.refresh(line)
        if line.qty_short and _missing_units(line) == 0:
            line.qty_short = 0
    return None


def release_order(
    session: Session, order: Order, *, actor: str | None = None, at: datetime | None = None
) -> list[Hold]:
    """Release an order without open holds to the warehouse and reserve its stock.

    Returns
    -------
    list of Hold
        Empty when released; else the ``stock_shortage`` hold created because reservation failed
        (the order stays ``on_hold``).
    """
    failed = _reserve_order(session, order)
    if failed is not None:
        finding = HoldFinding(STOCK_SHORTAGE, f"cannot reserve stock on release: {failed}")
        return [add_hold(session, order, finding, at=at)]
    order.status = _status_after_release(session, order)
    reservations = stock_service.open_reservations(session, order_id=order.id)
    record_event(
        session,
        "order.released",
        entity_type="order",
        entity_id=order.id,
        payload={
            "actor": actor,
            "reservations": [
                {
                    "line_no": r.line_no,
                    "sku_id": r.sku_id,
                    "location_id": r.location_id,
                    "qty": r.qty,
                }
                for r in reservations
            ],
        },
        at=at,
    )
    if order.status != "released":  # keep the timeline's status in step with the order
        record_event(
            session,
            f"order.{order.status}",
            entity_type="order",
            entity_id=order.id,
            payload={"units_picked": sum(line.qty_picked for line in order.lines)},
            at=at,
        )
    return []


def _status_after_release(session: Session, order: Order) -> str:
    """``released`` normally; an order put on hold mid-picking may already be fully picked
    (``picked``) or have every reserved unit on an open pick task (``waved``)."""
    if all(line.qty_picked >= line.qty for line in order.lines):
        return "picked"
    open_tasks = list(
        session.scalars(
            sa.select(PickTask).where(PickTask.order_id == order.id, PickTask.status == "open")
        )
    )
    if not open_tasks:
        return "released"
    reserved = sum(r.qty for r in stock_service.open_reservations(session, order_id=order.id))
    on_tasks = sum(t.qty - t.qty_picked for t in open_tasks)
    return "waved" if on_tasks >= reserved else "released"


# -- import ---------------------------------------------------------------------------------------


def _stored_fingerprint(session: Session, order_id: str) -> str | None:
    from wms.store.models import Event

    payload = session.scalars(
        sa.select(Event.payload)
        .where(Event.order_id == order_id, Event.type == "order.received")
        .order_by(Event.id)
        .limit(1)
    ).first()
    if not payload:
        return None
    value = payload.get("fingerprint")
    return None if value is None else str(value)


def _rejected_too_long(order: IncomingOrder) -> ImportedOrder:
    ref = order.reference_id
    return ImportedOrder(
        ref,
        "rejected",
        message=f"{order.source}: reference_id is {len(ref)} characters long; the store keeps "
        f"at most {MAX_REFERENCE_LENGTH}",
    )


def _existing_outcome(order: IncomingOrder, status: str, same_content: bool) -> ImportedOrder:
    """``skipped`` (the stored order has the same content) or ``conflict``."""
    ref = order.reference_id
    if same_content:
        return ImportedOrder(ref, "skipped", status, message="already imported")
    return ImportedOrder(
        ref,
        "conflict",
        status,
        message=f"{order.source}: order {ref!r} is already stored (status {status}) "
        "with different content; the stored order is kept: cancel it and import the new one "
        "under another reference, or correct the file",
    )


def _import_one(
    session: Session,
    order: IncomingOrder,
    config: HoldRulesConfig,
    at: datetime | None,
    state: _IntakeState,
) -> tuple[ImportedOrder, KnownCustomer | None]:
    """Store one order; also the customer it created (to add to the index once committed)."""
    ref = order.reference_id
    if len(ref) > MAX_REFERENCE_LENGTH:
        return _rejected_too_long(order), None
    fingerprint = order_fingerprint(order)
    existing = session.get(Order, ref)
    if existing is not None:
        same = _stored_fingerprint(session, ref) == fingerprint
        return _existing_outcome(order, existing.status, same), None
    params = config.rules.duplicate_customer
    customer, created = _match_customer(session, order, params)
    context = _context(session, order, None if customer is None else customer.id, state)
    findings = evaluate(order, context, config)
    addr = order.address
    row = Order(
        id=ref,
        channel=_fit(order.channel, 64) or "default",
        customer_id=None if customer is None else customer.id,
        status="received",
        payment_method=_fit(order.payment_method, 32),
        payment_status=_fit(order.payment_status, 32),
        carrier=_fit(order.carrier, 64),
        value=float(order.value if order.value is not None else Decimal(0)),
        currency=_code(order.currency, 3) or "PLN",
        country=_code(addr.country, 2),
        ship_name=_fit(order.customer.name, 255),
        ship_street=_fit(addr.street, 255),
        ship_city=_fit(addr.city, 128),
        ship_postal_code=_fit(addr.postal_code, 32),
        comment=order.comment,
        created_at=_aware(order.created_at) or at or utcnow(),
        cutoff=_aware(order.cutoff),
    )
    row.lines = [
        OrderLine(line_no=k, sku_id=_fit(ln.sku_id, 64) or ln.sku_id, qty=ln.qty)
        for k, ln in enumerate(order.lines, start=1)
    ]
    session.add(row)
    session.flush()
    record_event(
        session,
        "order.received",
        entity_type="order",
        entity_id=ref,
        payload={
            "channel": order.channel,
            "source": order.source,
            "customer_id": row.customer_id,
            "fingerprint": fingerprint,
            "lines": [[ln.sku_id, ln.qty] for ln in order.lines],
        },
        at=at,
    )
    for finding in findings:
        add_hold(session, row, finding, at=at)
    if not findings:
        findings = [HoldFinding(h.rule, h.detail or "") for h in release_order(session, row, at=at)]
    new = _known(customer) if created and customer is not None else None
    return ImportedOrder(ref, "imported", row.status, tuple(f.rule for f in findings)), new


#: SQLSTATEs of a transaction PostgreSQL aborted to break a deadlock or a serialization conflict.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
#: Attempts per order when a concurrent importer wrote a row it needs (customer or order) first.
CONCURRENT_RETRIES = 3


def _import_with_retry(
    session: Session,
    order: IncomingOrder,
    config: HoldRulesConfig,
    at: datetime | None,
    state: _IntakeState,
) -> ImportedOrder:
    """Import one order in a savepoint; on a unique-key race with another importer (the same
    customer or order inserted meanwhile) roll the order back and try again: the second attempt
    sees the other importer's committed row (matched customer, or the order: skipped)."""
    for _attempt in range(CONCURRENT_RETRIES):
        savepoint = session.begin_nested()
        try:
            result, new_customer = _import_one(session, order, config, at, state)
        except IntegrityError:
            savepoint.rollback()
            continue
        except OperationalError as exc:  # chosen to break a deadlock (PostgreSQL): try again
            if getattr(exc.orig, "sqlstate", None) not in RETRYABLE_SQLSTATES:
                raise
            savepoint.rollback()
            continue
        savepoint.commit()
        if new_customer is not None:
            state.customers.add(new_customer)
        return result
    return ImportedOrder(
        order.reference_id,
        "rejected",
        message=f"{order.source}: gave up after {CONCURRENT_RETRIES} attempts racing another "
        "import; import the file again",
    )


#: Set-based attempts at a chunk before it is imported order by order (each after a race).
BULK_ATTEMPTS = 3


def _import_chunk(
    session: Session,
    chunk: list[IncomingOrder],
    cfg: HoldRulesConfig,
    at: datetime | None,
    state: _IntakeState,
) -> list[ImportedOrder]:
    """One chunk in the caller's transaction: set-based (:mod:`wms.fulfillment.bulk_intake`).

    If another writer got in between (a row inserted meanwhile, stock taken meanwhile, or this
    transaction chosen to break a deadlock), the chunk is rolled back to its savepoint, its
    customers are taken out of the index again, and it is tried again on fresh data; after
    :data:`BULK_ATTEMPTS` it is imported order by order.
    """
    from wms.fulfillment.bulk_intake import ChunkRaceError, import_chunk  # it builds on this module

    known_before = len(state.customers)
    for _attempt in range(BULK_ATTEMPTS):
        savepoint = session.begin_nested()
        try:
            results = import_chunk(session, chunk, cfg, at, state)
        except ChunkRaceError:
            savepoint.rollback()
            state.customers.truncate(known_before)
            continue
        savepoint.commit()
        return results
    return [_import_with_retry(session, o, cfg, at, state) for o in chunk]


def import_orders(
    target: Session | Engine | str | None,
    orders: Iterable[IncomingOrder],
    config: HoldRulesConfig | None = None,
    *,
    chunk_size: int = 500,
    on_commit: Callable[[int], None] | None = None,
    at: datetime | None = None,
) -> ImportReport:
    """Store incoming orders with their holds; release and reserve the ones without holds.

    Parameters
    ----------
    target
        A session, an engine or a database URL (``None``: ``WMS_DATABASE_URL`` or the default
        SQLite file). Given a session, the import **commits it** after each chunk (it must not
        hold uncommitted work of the caller); otherwise it opens one transaction per chunk.
    orders
        Orders from :func:`wms.io.shop_orders.read_shop_orders`.
    config
        Hold rules (default: :class:`~wms.fulfillment.holds.HoldRulesConfig` defaults).
    chunk_size
        Orders per transaction (>= 1). A crash loses at most the chunk in flight.
    on_commit
        Called after each committed chunk with the number of orders processed so far.
    at
        Time stamp of events and holds (aware), default now.

    Returns
    -------
    ImportReport
        One entry per order: imported (with status and holds), skipped, conflict or rejected.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    cfg = config or HoldRulesConfig()
    pending = list(orders)
    if isinstance(target, Session):
        return _import_chunks(
            lambda: nullcontext(target), target.commit, pending, cfg, chunk_size, on_commit, at
        )
    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        return _import_chunks(
            lambda: session_scope(engine), None, pending, cfg, chunk_size, on_commit, at
        )
    finally:
        if not isinstance(target, Engine):
            engine.dispose()


def _import_chunks(
    open_session: Callable[[], AbstractContextManager[Session]],
    commit: Callable[[], None] | None,
    pending: list[IncomingOrder],
    cfg: HoldRulesConfig,
    chunk_size: int,
    on_commit: Callable[[int], None] | None,
    at: datetime | None,
) -> ImportReport:
    """The chunk loop of :func:`import_orders`: one transaction (``open_session``) per chunk."""
    report = ImportReport()
    params = cfg.rules.duplicate_customer
    with open_session() as session:
        key = cache_key(session, params)
        state = _IntakeState(
            INDEX_CACHE.take(session, params, _known), accepted_duplicate_pairs(session)
        )
        if commit is not None:
            commit()
    done = 0
    for start in range(0, len(pending), chunk_size):
        chunk = pending[start : start + chunk_size]
        with open_session() as session:
            results = _import_chunk(session, chunk, cfg, at, state)
            if commit is not None:
                commit()
        report.orders.extend(results)
        done += len(chunk)
        if on_commit is not None:
            on_commit(done)
    # Kept for the next import only now: after a failure the index may hold customers of the
    # chunk that was rolled back.
    INDEX_CACHE.give_back(key, state.customers)
    return report


# -- holds ----------------------------------------------------------------------------------------


def list_holds(
    session: Session,
    *,
    rule: str | None = None,
    order_id: str | None = None,
    include_released: bool = False,
) -> list[HoldRecord]:
    """Holds (open ones by default), oldest first, optionally of one rule or order."""
    query = sa.select(Hold)
    if rule is not None:
        query = query.where(Hold.rule == rule)
    if order_id is not None:
        query = query.where(Hold.order_id == order_id)
    if not include_released:
        query = query.where(Hold.released_at.is_(None))
    return [_hold_record(row) for row in session.scalars(query.order_by(Hold.id))]


def _still_short(session: Session, order: Order, config: HoldRulesConfig | None) -> str | None:
    """Why the order's missing units are still not available, or ``None``."""
    lines = tuple(
        IncomingLine(line.sku_id, _missing_units(line))
        for line in order.lines
        if _missing_units(line) > 0
    )
    if not lines:
        return None
    probe = IncomingOrder(order.id, order.channel, lines)
    skus = [ln.sku_id for ln in lines]
    context = HoldContext(
        known_skus=_known_skus(session, skus), available_units=_available(session, skus)
    )
    cfg = (config or HoldRulesConfig()).only(STOCK_SHORTAGE)
    findings = evaluate(probe, context, cfg)
    unknown = sorted(set(skus) - (context.known_skus or frozenset()))
    if unknown:
        return f"SKU {', '.join(unknown)} is not in the catalogue"
    return findings[0].detail if findings else None


def release_hold(
    session: Session,
    hold_id: int,
    who: str,
    why: str,
    *,
    config: HoldRulesConfig | None = None,
    at: datetime | None = None,
) -> ReleaseResult:
    """Release one hold with who and why; release the order when it was its last open hold.

    A ``stock_shortage`` hold is released only if stock now covers the order (else
    :class:`OrderFlowError` and nothing changes). When the last hold goes, the order's stock is
    reserved; if that fails the order gets a new ``stock_shortage`` hold (in ``new_holds``).

    Raises
    ------
    OrderFlowError
        Unknown or already released hold, missing ``who``/``why``, stock still short, or an order
        that is cancelled.
    """
    if not who or not who.strip():
        raise OrderFlowError(f"release hold {hold_id}: say who releases it (--by NAME)")
    if not why or not why.strip():
        raise OrderFlowError(f"release hold {hold_id}: give the reason (--reason TEXT)")
    found = session.get(Hold, hold_id)
    if found is None:
        raise OrderFlowError(f"hold {hold_id} does not exist: see `wms holds list`")
    # Lock the order first: two consultants releasing the order's last two holds at once must
    # not both see the other's hold still open (the order would stay on hold with none left).
    lock_order(session, found.order_id)
    hold = session.get(Hold, hold_id, populate_existing=True)
    assert hold is not None
    if hold.released_at is not None:
        raise OrderFlowError(
            f"hold {hold_id} of order {hold.order_id!r} was already released by "
            f"{hold.released_by} at {hold.released_at.isoformat()}"
        )
    order = session.get(Order, hold.order_id)
    assert order is not None
    if order.status in ("cancelled", "shipped", "returned"):
        raise OrderFlowError(f"hold {hold_id}: order {order.id!r} is {order.status}")
    if hold.rule == STOCK_SHORTAGE:
        short = _still_short(session, order, config)
        if short is not None:
            raise OrderFlowError(
                f"hold {hold_id} of order {order.id!r}: stock is still short ({short}); "
                "receive or move stock first, or agree next steps with the customer"
            )
    hold.released_at = at or utcnow()
    hold.released_by = who.strip()
    hold.release_reason = why.strip()
    session.flush()
    record_event(
        session,
        "order.hold_released",
        entity_type="order",
        entity_id=order.id,
        payload={"hold_id": hold.id, "rule": hold.rule, "by": who, "reason": why},
        at=at,
    )
    remaining = _open_holds(session, order.id)
    new: list[Hold] = []
    if not remaining and order.status == "on_hold":
        new = release_order(session, order, actor=who, at=at)
    return ReleaseResult(
        hold=_hold_record(hold),
        order_status=order.status,
        open_holds=len(remaining) + len(new),
        new_holds=tuple(_hold_record(h) for h in new),
    )


# -- orders ---------------------------------------------------------------------------------------


def lock_order(session: Session, order_id: str) -> Order | None:
    """Load an order with a row lock (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write
    transactions are serialised anyway), refreshing what the session already had."""
    return session.get(Order, order_id, with_for_update=True, populate_existing=True)


def get_order(session: Session, order_id: str) -> Order:
    """The stored order, or :class:`OrderFlowError` naming the reference."""
    order = session.get(Order, order_id)
    if order is None:
        raise OrderFlowError(f"order {order_id!r} does not exist: see `wms orders list`")
    return order


def list_orders(
    session: Session,
    *,
    status: str | None = None,
    channel: str | None = None,
    customer_id: str | None = None,
) -> list[Order]:
    """Stored orders (optionally of one status, channel or customer) by creation time."""
    query = sa.select(Order)
    if customer_id is not None:
        query = query.where(Order.customer_id == customer_id)
    if status is not None:
        query = query.where(Order.status == status)
    if channel is not None:
        query = query.where(Order.channel == channel)
    return list(session.scalars(query.order_by(Order.created_at, Order.id)))


def cancel_order(
    session: Session, order_id: str, who: str, why: str, *, at: datetime | None = None
) -> Order:
    """Cancel an order that has not been picked: release its reservations, holds and open tasks.

    Raises
    ------
    OrderFlowError
        Unknown order, or an order already (partly) picked, packed, shipped or cancelled.
    """
    order = lock_order(session, order_id) or get_order(session, order_id)
    picked = sum(line.qty_picked for line in order.lines)
    if order.status not in CANCELLABLE or picked:
        state = f"{picked} units already picked" if picked else f"status {order.status}"
        raise OrderFlowError(
            f"order {order_id!r} cannot be cancelled ({state}): only orders not yet picked can; "
            "put picked units back or handle it as a return"
        )
    released = stock_service.release_order_reservations(session, order_id)
    for task in session.scalars(
        sa.select(PickTask).where(PickTask.order_id == order_id, PickTask.status == "open")
    ):
        task.status = "cancelled"
    now = at or utcnow()
    for hold in _open_holds(session, order_id):
        hold.released_at = now
        hold.released_by = who
        hold.release_reason = f"order cancelled: {why}"
    order.status = "cancelled"
    session.flush()
    record_event(
        session,
        "order.cancelled",
        entity_type="order",
        entity_id=order_id,
        payload={"by": who, "reason": why, "released_units": released},
        at=at,
    )
    return order
