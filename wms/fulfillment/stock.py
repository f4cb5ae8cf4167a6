"""Stock: the append-only ledger and per-location quantities, kept in step in one transaction.

Every change of stock is one :class:`~wms.store.models.StockMove` row (receipt, putaway, pick,
adjustment, return, move, scrap, quarantine) and the matching change of ``stock.on_hand`` /
``stock.reserved`` in the same transaction, so for every (SKU, location)
``sum(moves in) - sum(moves out) == on_hand`` (:func:`reconcile` checks it).

Concurrency. Quantities are changed only by *conditional* ``UPDATE ... WHERE on_hand - reserved >=
:qty`` statements whose row count is checked, and new rows are created with an upsert
(``INSERT ... ON CONFLICT DO UPDATE``). On PostgreSQL the row lock taken by the UPDATE makes a second
writer wait and re-check the condition on the committed row, so two orders can never reserve the
same last unit; on SQLite every write transaction starts with ``BEGIN IMMEDIATE``
(:mod:`wms.store.db`), which serialises writers. The CHECK constraints of the ``stock`` table
(``on_hand >= 0``, ``reserved >= 0``, ``reserved <= on_hand``) are the last line of defence.

All functions take an open :class:`~sqlalchemy.orm.Session` and never commit: the caller's
``session_scope`` decides, so a multi-step operation is all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wms.errors import StockError
from wms.fulfillment.events import record_event
from wms.store.models import (
    LOCATION_KINDS,
    Location,
    OrderLine,
    Reservation,
    Sku,
    Stock,
    StockMove,
    utcnow,
)

if TYPE_CHECKING:
    from wms.layout import Layout

_stock = cast(sa.Table, Stock.__table__)
_line = cast(sa.Table, OrderLine.__table__)


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Quantities of one SKU at one location (units)."""

    sku_id: str
    location_id: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        """Units that can still be reserved."""
        return self.on_hand - self.reserved

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "sku_id": self.sku_id,
            "location_id": self.location_id,
            "on_hand": self.on_hand,
            "reserved": self.reserved,
            "available": self.available,
        }


@dataclass(frozen=True, slots=True)
class SkuStock:
    """Quantities of one SKU summed over its storage locations (units)."""

    sku_id: str
    on_hand: int
    reserved: int
    locations: int

    @property
    def available(self) -> int:
        """Units that can still be reserved."""
        return self.on_hand - self.reserved

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "sku_id": self.sku_id,
            "on_hand": self.on_hand,
            "reserved": self.reserved,
            "available": self.available,
            "locations": self.locations,
        }


# -- master data ----------------------------------------------------------------------------------


def upsert_skus(session: Session, skus: Iterable[Mapping[str, Any]]) -> int:
    """Create or update catalogue SKUs.

    Parameters
    ----------
    session
        An open session.
    skus
        Mappings with ``id`` and optionally ``description``, ``weight_kg``, ``volume_l``,
        ``handling_class``, ``velocity_class``.

    Returns
    -------
    int
        Number of SKUs written.
    """
    fields = ("description", "weight_kg", "volume_l", "handling_class", "velocity_class")
    n = 0
    for spec in skus:
        sku_id = str(spec.get("id") or "").strip()
        if not sku_id:
            raise StockError(f"SKU #{n + 1} has no id: every SKU needs a non-empty 'id'")
        velocity = spec.get("velocity_class")
        if velocity is not None and velocity not in ("A", "B", "C"):
            raise StockError(f"SKU {sku_id!r}: velocity_class {velocity!r} must be A, B or C")
        for name in ("weight_kg", "volume_l"):
            value = spec.get(name)
            if value is not None and float(value) < 0:
                raise StockError(f"SKU {sku_id!r}: {name} {value} must be >= 0")
        row = session.get(Sku, sku_id) or Sku(
            id=sku_id, description="", weight_kg=0.0, volume_l=0.0
        )
        for name in fields:
            if name in spec and spec[name] is not None:
                setattr(row, name, spec[name])
        session.add(row)
        n += 1
    session.flush()
    return n


def ensure_location(
    session: Session,
    location_id: str,
    *,
    kind: str = "storage",
    zone: str | None = None,
    capacity_units: int | None = None,
    distance_m: float | None = None,
) -> Location:
    """Return location ``location_id``, creating it with the given attributes if it is new."""
    if kind not in LOCATION_KINDS:
        raise StockError(f"location kind {kind!r} is not one of {', '.join(LOCATION_KINDS)}")
    row = session.get(Location, location_id)
    if row is None:
        row = Location(
            id=location_id,
            kind=kind,
            zone=zone,
            capacity_units=capacity_units,
            distance_m=distance_m,
        )
        session.add(row)
        session.flush()
    return row


def sync_locations(
    session: Session,
    layout: Layout,
    *,
    capacity_units: int | None = None,
    capacity_of: Mapping[str, int] | None = None,
) -> int:
    """Create or update one ``storage`` location per layout location, with its depot distance.

    Parameters
    ----------
    session
        An open session.
    layout
        A layout from :func:`wms.layout.schema.load_layout`.
    capacity_units
        Capacity of every location (units), ``None`` for unlimited.
    capacity_of
        Per-location capacities overriding ``capacity_units``.

    Returns
    -------
    int
        Number of locations written.
    """
    from wms.scenario.generate import depot_distances

    distances_m = depot_distances(layout)
    table = layout.locations
    zone_names = table.zone_names
    capacity_of = capacity_of or {}
    for i, loc_id in enumerate(table.ids):
        zone_index = int(table.zone[i])
        zone = zone_names[zone_index] if zone_index >= 0 else None
        row = session.get(Location, loc_id) or Location(id=loc_id, kind="storage")
        row.zone = zone
        row.distance_m = float(distances_m[i])
        row.capacity_units = capacity_of.get(loc_id, capacity_units)
        session.add(row)
    session.flush()
    return len(table.ids)


# -- checks ---------------------------------------------------------------------------------------


def _check_qty(qty: object, what: str) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise StockError(f"{what}: quantity {qty!r} must be a whole number of units > 0")
    return qty


def _check_sku(session: Session, sku_id: str) -> None:
    if session.get(Sku, sku_id) is None:
        raise StockError(f"unknown SKU {sku_id!r}: add it to the catalogue first")


def _check_location(session: Session, location_id: str) -> Location:
    row = session.get(Location, location_id)
    if row is None:
        raise StockError(
            f"unknown location {location_id!r}: create it (wms db locations --layout ...) first"
        )
    return row


def _level(
    session: Session, sku_id: str, location_id: str, *, lock: bool = False
) -> tuple[int, int]:
    query = sa.select(_stock.c.on_hand, _stock.c.reserved).where(
        _stock.c.sku_id == sku_id, _stock.c.location_id == location_id
    )
    if lock:  # PostgreSQL: hold the row until commit; SQLite: writers are serialised anyway
        query = query.with_for_update()
    row = session.execute(query).first()
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


def _units_at(session: Session, location_id: str) -> int:
    total = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(_stock.c.on_hand), 0)).where(
            _stock.c.location_id == location_id
        )
    ).scalar_one()
    return int(total)


# -- quantity primitives --------------------------------------------------------------------------


def _add_on_hand(session: Session, sku_id: str, location_id: str, qty: int) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(_stock)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(_stock)
    stmt = stmt.values(location_id=location_id, sku_id=sku_id, on_hand=qty, reserved=0)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_stock.c.location_id, _stock.c.sku_id],
        set_={"on_hand": _stock.c.on_hand + qty},
    )
    session.execute(stmt)


def _take_available(session: Session, sku_id: str, location_id: str, qty: int, what: str) -> None:
    """Remove ``qty`` unreserved units, or raise without changing anything."""
    result = session.execute(
        sa.update(_stock)
        .where(
            _stock.c.sku_id == sku_id,
            _stock.c.location_id == location_id,
            _stock.c.on_hand - _stock.c.reserved >= qty,
        )
        .values(on_hand=_stock.c.on_hand - qty)
    )
    if _rowcount(result) != 1:
        on_hand, reserved = _level(session, sku_id, location_id)
        raise StockError(
            f"{what}: {qty} units of SKU {sku_id!r} at {location_id!r} are not available "
            f"(on hand {on_hand}, reserved {reserved}, available {on_hand - reserved})"
        )


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _ledger(
    session: Session,
    kind: str,
    sku_id: str,
    qty: int,
    *,
    from_location_id: str | None = None,
    to_location_id: str | None = None,
    reason: str | None = None,
    reference: str | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> StockMove:
    row = StockMove(
        at=at or utcnow(),
        kind=kind,
        sku_id=sku_id,
        from_location_id=from_location_id,
        to_location_id=to_location_id,
        qty=qty,
        reason=reason,
        reference=reference,
        actor=actor,
    )
    session.add(row)
    session.flush()
    return row


# -- movements ------------------------------------------------------------------------------------


def receive(
    session: Session,
    sku_id: str,
    location_id: str,
    qty: int,
    *,
    kind: str = "receipt",
    reason: str | None = None,
    reference: str | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> StockMove:
    """Bring ``qty`` units of a SKU into the warehouse at ``location_id`` (usually a dock).

    Parameters
    ----------
    session
        An open session (not committed here).
    sku_id, location_id
        Must exist.
    qty
        Units, > 0.
    kind
        ``"receipt"`` (a delivery) or ``"return"`` (a customer return).
    reason, reference, actor
        Ledger annotations: why, which document (ASN, RMA), who.
    at
        Time of the move (aware), default now.

    Returns
    -------
    StockMove
        The ledger row.
    """
    if kind not in ("receipt", "return"):
        raise StockError(f"receive: kind {kind!r} must be 'receipt' or 'return'")
    _check_qty(qty, f"receive {sku_id!r}")
    _check_sku(session, sku_id)
    _check_location(session, location_id)
    _add_on_hand(session, sku_id, location_id, qty)
    return _ledger(
        session,
        kind,
        sku_id,
        qty,
        to_location_id=location_id,
        reason=reason,
        reference=reference,
        actor=actor,
        at=at,
    )


def move(
    session: Session,
    sku_id: str,
    from_location_id: str,
    to_location_id: str,
    qty: int,
    *,
    kind: str = "move",
    reason: str | None = None,
    reference: str | None = None,
    actor: str | None = None,
    at: datetime | None = None,
    check_capacity: bool = True,
) -> StockMove:
    """Move unreserved units between two locations.

    Parameters
    ----------
    session
        An open session.
    sku_id, from_location_id, to_location_id
        Must exist and differ.
    qty
        Units, > 0; at most the available (unreserved) units at the source.
    kind
        ``"move"``, ``"putaway"`` or ``"quarantine"``.
    reason, reference, actor, at
        Ledger annotations.
    check_capacity
        Refuse to exceed the target's ``capacity_units`` (total units of all SKUs).

    Returns
    -------
    StockMove
        The ledger row.

    Raises
    ------
    StockError
        Unknown SKU/location, bad quantity, not enough available units, or over capacity.
    """
    if kind not in ("move", "putaway", "quarantine"):
        raise StockError(f"move: kind {kind!r} must be 'move', 'putaway' or 'quarantine'")
    what = f"{kind} {sku_id!r} {from_location_id!r} -> {to_location_id!r}"
    _check_qty(qty, what)
    if from_location_id == to_location_id:
        raise StockError(f"{what}: source and target are the same location")
    _check_sku(session, sku_id)
    _check_location(session, from_location_id)
    target = _check_location(session, to_location_id)
    # Lock both locations, in id order: two concurrent putaways cannot both fill the last space
    # of the target, and two moves in opposite directions between the same two locations queue
    # instead of deadlocking (PostgreSQL; SQLite serialises writers anyway). FOR NO KEY UPDATE:
    # the foreign-key checks of ledger rows other writers insert meanwhile do not wait for it.
    session.execute(
        sa.select(Location.id)
        .where(Location.id.in_([from_location_id, to_location_id]))
        .order_by(Location.id)
        .with_for_update(key_share=True)
    )
    if check_capacity and target.capacity_units is not None:
        used = _units_at(session, to_location_id)
        if used + qty > target.capacity_units:
            raise StockError(
                f"{what}: location {to_location_id!r} holds {used} of {target.capacity_units} "
                f"units; {qty} more do not fit: choose another location"
            )
    _take_available(session, sku_id, from_location_id, qty, what)
    _add_on_hand(session, sku_id, to_location_id, qty)
    return _ledger(
        session,
        kind,
        sku_id,
        qty,
        from_location_id=from_location_id,
        to_location_id=to_location_id,
        reason=reason,
        reference=reference,
        actor=actor,
        at=at,
    )


def put_away(
    session: Session,
    sku_id: str,
    from_location_id: str,
    to_location_id: str,
    qty: int,
    *,
    reference: str | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> StockMove:
    """Confirmed putaway: move received units from the dock to a storage location."""
    return move(
        session,
        sku_id,
        from_location_id,
        to_location_id,
        qty,
        kind="putaway",
        reference=reference,
        actor=actor,
        at=at,
    )


def remove(
    session: Session,
    sku_id: str,
    location_id: str,
    qty: int,
    *,
    kind: str = "scrap",
    reason: str | None = None,
    reference: str | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> StockMove:
    """Take unreserved units out of the warehouse (``kind`` ``"scrap"``)."""
    if kind != "scrap":
        raise StockError(f"remove: kind {kind!r} must be 'scrap'")
    what = f"scrap {sku_id!r} at {location_id!r}"
    _check_qty(qty, what)
    _check_sku(session, sku_id)
    _check_location(session, location_id)
    _take_available(session, sku_id, location_id, qty, what)
    return _ledger(
        session,
        kind,
        sku_id,
        qty,
        from_location_id=location_id,
        reason=reason,
        reference=reference,
        actor=actor,
        at=at,
    )


def adjust(
    session: Session,
    sku_id: str,
    location_id: str,
    delta_qty: int,
    *,
    reason: str,
    reference: str | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> StockMove | None:
    """Correct the quantity at a location by ``delta_qty`` units (a stock-count adjustment).

    A reduction may not touch reserved units (release the reservation first). Emits
    ``stock.adjusted``.

    Parameters
    ----------
    session
        An open session.
    sku_id, location_id
        Must exist.
    delta_qty
        Signed change; 0 does nothing and returns ``None``.
    reason
        Required (``"cycle count"``, ``"damaged in storage"``, ...).
    reference, actor, at
        Ledger annotations.

    Returns
    -------
    StockMove or None
        The ledger row (``from`` set for a reduction, ``to`` for an increase).
    """
    if isinstance(delta_qty, bool) or not isinstance(delta_qty, int):
        raise StockError(
            f"adjust {sku_id!r} at {location_id!r}: {delta_qty!r} is not a whole number"
        )
    if not reason or not reason.strip():
        raise StockError(f"adjust {sku_id!r} at {location_id!r}: give a reason for the adjustment")
    _check_sku(session, sku_id)
    _check_location(session, location_id)
    if delta_qty == 0:
        return None
    what = f"adjust {sku_id!r} at {location_id!r} by {delta_qty}"
    if delta_qty > 0:
        _add_on_hand(session, sku_id, location_id, delta_qty)
        row = _ledger(
            session,
            "adjustment",
            sku_id,
            delta_qty,
            to_location_id=location_id,
            reason=reason,
            reference=reference,
            actor=actor,
            at=at,
        )
    else:
        _take_available(session, sku_id, location_id, -delta_qty, what)
        row = _ledger(
            session,
            "adjustment",
            sku_id,
            -delta_qty,
            from_location_id=location_id,
            reason=reason,
            reference=reference,
            actor=actor,
            at=at,
        )
    on_hand, _reserved = _level(session, sku_id, location_id)
    record_event(
        session,
        "stock.adjusted",
        entity_type="location",
        entity_id=location_id,
        payload={
            "sku_id": sku_id,
            "delta_qty": delta_qty,
            "on_hand": on_hand,
            "reason": reason,
            "actor": actor,
        },
        at=at,
    )
    return row


def count(
    session: Session,
    sku_id: str,
    location_id: str,
    counted_qty: int,
    *,
    reason: str = "cycle count",
    actor: str | None = None,
    at: datetime | None = None,
) -> StockMove | None:
    """Record a cycle count: adjust the location to ``counted_qty`` units (``None`` if it matched).

    Raises
    ------
    StockError
        ``counted_qty`` is negative or below the reserved units (release reservations first).
    """
    if isinstance(counted_qty, bool) or not isinstance(counted_qty, int) or counted_qty < 0:
        raise StockError(
            f"count {sku_id!r} at {location_id!r}: counted quantity {counted_qty!r} must be >= 0"
        )
    _check_sku(session, sku_id)
    _check_location(session, location_id)
    on_hand, reserved = _level(session, sku_id, location_id, lock=True)
    if counted_qty < reserved:
        raise StockError(
            f"count {sku_id!r} at {location_id!r}: counted {counted_qty} but {reserved} units are "
            "reserved for orders: release or reallocate those reservations first"
        )
    return adjust(
        session,
        sku_id,
        location_id,
        counted_qty - on_hand,
        reason=reason,
        actor=actor,
        at=at,
    )


# -- reservations and picks -----------------------------------------------------------------------


def _candidates(session: Session, sku_id: str) -> list[tuple[str, int]]:
    """Storage locations holding available units of ``sku_id``, nearest to the depot first."""
    loc = Location.__table__
    rows = session.execute(
        sa.select(_stock.c.location_id, _stock.c.on_hand - _stock.c.reserved)
        .join(loc, loc.c.id == _stock.c.location_id)
        .where(
            _stock.c.sku_id == sku_id,
            loc.c.kind == "storage",
            _stock.c.on_hand - _stock.c.reserved > 0,
        )
        .order_by(sa.func.coalesce(loc.c.distance_m, 1e18), _stock.c.location_id)
    ).all()
    return [(str(r[0]), int(r[1])) for r in rows]


def reserve(
    session: Session,
    order_id: str,
    line_no: int,
    sku_id: str,
    qty: int,
    *,
    location_id: str | None = None,
    allow_partial: bool = False,
) -> list[Reservation]:
    """Reserve ``qty`` units of a SKU for one order line.

    Locations are tried nearest to the depot first (only ``storage`` locations). Each reservation
    is one conditional ``UPDATE`` that succeeds only if the units are still available, so concurrent
    callers can never reserve the same unit twice; the line's ``qty_reserved`` grows by what was
    reserved.

    Parameters
    ----------
    session
        An open session.
    order_id, line_no
        The order line (must exist).
    sku_id
        The SKU to reserve.
    qty
        Units wanted, > 0.
    location_id
        Reserve only at this location.
    allow_partial
        ``True``: reserve what is available (possibly nothing); ``False``: all or nothing.

    Returns
    -------
    list of Reservation
        One per location used, ``state == "open"``; empty when nothing was available and
        ``allow_partial``.

    Raises
    ------
    StockError
        Bad quantity, unknown order line, or (``allow_partial=False``) not enough available units;
        nothing is reserved then.
    """
    what = f"reserve {sku_id!r} for order {order_id!r} line {line_no}"
    _check_qty(qty, what)
    if session.get(OrderLine, (order_id, line_no)) is None:
        raise StockError(f"{what}: order line does not exist")
    _check_sku(session, sku_id)
    if location_id is not None:
        _check_location(session, location_id)
    candidates = _candidates(session, sku_id)
    if location_id is not None:
        candidates = [c for c in candidates if c[0] == location_id]
    if candidates and candidates[0][1] >= qty:
        # The usual case: the nearest location has it all. One conditional UPDATE is atomic, so
        # no savepoint is needed; if a concurrent writer took the units in between, fall through.
        loc_id = candidates[0][0]
        if reserve_units_at(session, sku_id, loc_id, qty):
            row = Reservation(
                order_id=order_id,
                line_no=line_no,
                sku_id=sku_id,
                location_id=loc_id,
                qty=qty,
                state="open",
            )
            session.add(row)
            _add_line_reserved(session, order_id, line_no, qty)
            session.flush()
            _expire_line(session, order_id, line_no)
            return [row]
    savepoint = session.begin_nested()
    made: list[Reservation] = []
    remaining = qty
    candidates = _candidates(session, sku_id)
    if location_id is not None:
        candidates = [c for c in candidates if c[0] == location_id]
    for loc_id, available in candidates:
        if remaining == 0:
            break
        take = min(available, remaining)
        while take > 0:
            if reserve_units_at(session, sku_id, loc_id, take):
                break
            # Someone else reserved in between: re-read what is left and try that much.
            on_hand, reserved = _level(session, sku_id, loc_id)
            take = min(on_hand - reserved, remaining)
        if take <= 0:
            continue
        row = Reservation(
            order_id=order_id,
            line_no=line_no,
            sku_id=sku_id,
            location_id=loc_id,
            qty=take,
            state="open",
        )
        session.add(row)
        made.append(row)
        remaining -= take
    if remaining > 0 and not allow_partial:
        savepoint.rollback()
        total = sum(a for _, a in _candidates(session, sku_id))
        raise StockError(
            f"{what}: {qty} units wanted, {total} available"
            + (f" at {location_id!r}" if location_id else "")
        )
    reserved_qty = qty - remaining
    if reserved_qty:
        _add_line_reserved(session, order_id, line_no, reserved_qty)
    savepoint.commit()
    session.flush()
    _expire_line(session, order_id, line_no)
    return made


def reserve_units_at(session: Session, sku_id: str, location_id: str, qty: int) -> bool:
    """Reserve ``qty`` units at one location if they are still available (one atomic conditional
    UPDATE of the stock row; no reservation row); ``False`` if they are not."""
    result = session.execute(
        sa.update(_stock)
        .where(
            _stock.c.sku_id == sku_id,
            _stock.c.location_id == location_id,
            _stock.c.on_hand - _stock.c.reserved >= qty,
        )
        .values(reserved=_stock.c.reserved + qty)
    )
    return _rowcount(result) == 1


def _add_line_reserved(session: Session, order_id: str, line_no: int, qty: int) -> None:
    session.execute(
        sa.update(_line)
        .where(_line.c.order_id == order_id, _line.c.line_no == line_no)
        .values(qty_reserved=_line.c.qty_reserved + qty)
    )


def _expire_line(session: Session, order_id: str, line_no: int) -> None:
    line = session.get(OrderLine, (order_id, line_no))
    if line is not None:
        session.expire(line, ["qty_reserved", "qty_picked"])


def release_reservation(session: Session, reservation_id: int, qty: int | None = None) -> int:
    """Give back the units of an open reservation (all, or ``qty`` of them).

    Returns
    -------
    int
        Units released.
    """
    row = session.get(Reservation, reservation_id, with_for_update=True)
    if row is None:
        raise StockError(f"reservation {reservation_id} does not exist")
    if row.state != "open":
        raise StockError(
            f"reservation {reservation_id} is {row.state}: only open ones can be released"
        )
    qty = row.qty if qty is None else _check_qty(qty, f"release reservation {reservation_id}")
    if qty > row.qty:
        raise StockError(f"release reservation {reservation_id}: {qty} units > reserved {row.qty}")
    result = session.execute(
        sa.update(_stock)
        .where(
            _stock.c.sku_id == row.sku_id,
            _stock.c.location_id == row.location_id,
            _stock.c.reserved >= qty,
        )
        .values(reserved=_stock.c.reserved - qty)
    )
    if _rowcount(result) != 1:  # pragma: no cover - would mean the ledger was bypassed
        raise StockError(f"reservation {reservation_id}: stock row has fewer reserved units")
    session.execute(
        sa.update(_line)
        .where(_line.c.order_id == row.order_id, _line.c.line_no == row.line_no)
        .values(qty_reserved=_line.c.qty_reserved - qty)
    )
    if qty == row.qty:
        row.state = "released"
    else:
        row.qty -= qty
        session.add(
            Reservation(
                order_id=row.order_id,
                line_no=row.line_no,
                sku_id=row.sku_id,
                location_id=row.location_id,
                qty=qty,
                state="released",
            )
        )
    session.flush()
    _expire_line(session, row.order_id, row.line_no)
    return qty


def release_order_reservations(session: Session, order_id: str) -> int:
    """Release every open reservation of an order (cancel, re-hold); returns units released."""
    ids = session.scalars(
        sa.select(Reservation.id).where(
            Reservation.order_id == order_id, Reservation.state == "open"
        )
    ).all()
    return sum(release_reservation(session, rid) for rid in ids)


def open_reservations(
    session: Session, *, order_id: str | None = None, sku_id: str | None = None
) -> list[Reservation]:
    """Open reservations, optionally of one order or SKU, in id order."""
    query = sa.select(Reservation).where(Reservation.state == "open")
    if order_id is not None:
        query = query.where(Reservation.order_id == order_id)
    if sku_id is not None:
        query = query.where(Reservation.sku_id == sku_id)
    return list(session.scalars(query.order_by(Reservation.id)))


def pick(
    session: Session,
    reservation_id: int,
    qty: int | None = None,
    *,
    actor: str | None = None,
    at: datetime | None = None,
) -> StockMove:
    """Pick units of an open reservation: they leave the location and the reservation.

    Picking fewer units than reserved keeps the rest reserved (the caller decides whether to
    reallocate or release it). The order line's ``qty_picked`` grows, ``qty_reserved`` shrinks.

    Parameters
    ----------
    session
        An open session.
    reservation_id
        An open reservation.
    qty
        Units picked, default all reserved.
    actor, at
        Ledger annotations.

    Returns
    -------
    StockMove
        The ``pick`` ledger row (``reference`` = order id).
    """
    row = session.get(Reservation, reservation_id, with_for_update=True)
    if row is None:
        raise StockError(f"reservation {reservation_id} does not exist")
    if row.state != "open":
        raise StockError(
            f"reservation {reservation_id} is {row.state}: only open ones can be picked"
        )
    qty = row.qty if qty is None else _check_qty(qty, f"pick reservation {reservation_id}")
    if qty > row.qty:
        raise StockError(
            f"pick reservation {reservation_id}: {qty} units > {row.qty} reserved: "
            "reserve the extra units first"
        )
    result = session.execute(
        sa.update(_stock)
        .where(
            _stock.c.sku_id == row.sku_id,
            _stock.c.location_id == row.location_id,
            _stock.c.reserved >= qty,
            _stock.c.on_hand >= qty,
        )
        .values(on_hand=_stock.c.on_hand - qty, reserved=_stock.c.reserved - qty)
    )
    if _rowcount(result) != 1:  # pragma: no cover - would mean the ledger was bypassed
        raise StockError(f"pick reservation {reservation_id}: stock row lost its reserved units")
    session.execute(
        sa.update(_line)
        .where(_line.c.order_id == row.order_id, _line.c.line_no == row.line_no)
        .values(
            qty_reserved=_line.c.qty_reserved - qty,
            qty_picked=_line.c.qty_picked + qty,
        )
    )
    if qty == row.qty:
        row.state = "picked"
    else:
        row.qty -= qty
        session.add(
            Reservation(
                order_id=row.order_id,
                line_no=row.line_no,
                sku_id=row.sku_id,
                location_id=row.location_id,
                qty=qty,
                state="picked",
            )
        )
    move_row = _ledger(
        session,
        "pick",
        row.sku_id,
        qty,
        from_location_id=row.location_id,
        reference=row.order_id,
        actor=actor,
        at=at,
    )
    _expire_line(session, row.order_id, row.line_no)
    return move_row


# -- queries --------------------------------------------------------------------------------------


def stock_levels(
    session: Session,
    *,
    sku_id: str | None = None,
    location_id: str | None = None,
    include_empty: bool = False,
) -> list[StockLevel]:
    """Current quantities per (SKU, location), sorted by SKU then location."""
    query = sa.select(_stock.c.sku_id, _stock.c.location_id, _stock.c.on_hand, _stock.c.reserved)
    if sku_id is not None:
        query = query.where(_stock.c.sku_id == sku_id)
    if location_id is not None:
        query = query.where(_stock.c.location_id == location_id)
    if not include_empty:
        query = query.where(_stock.c.on_hand > 0)
    query = query.order_by(_stock.c.sku_id, _stock.c.location_id)
    return [StockLevel(str(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in session.execute(query)]


def stock_by_sku(
    session: Session, *, sku_id: str | None = None, storage_only: bool = True
) -> list[SkuStock]:
    """Quantities per SKU summed over locations (by default ``storage`` locations only).

    SKUs of the catalogue without stock are listed with zeros (the shop owner sees them too).
    """
    loc = Location.__table__
    sku = Sku.__table__
    join_cond = sa.and_(_stock.c.sku_id == sku.c.id)
    stock_q = sa.select(_stock).join(loc, loc.c.id == _stock.c.location_id)
    if storage_only:
        stock_q = stock_q.where(loc.c.kind == "storage")
    sub = stock_q.subquery()
    join_cond = sub.c.sku_id == sku.c.id
    query = (
        sa.select(
            sku.c.id,
            sa.func.coalesce(sa.func.sum(sub.c.on_hand), 0),
            sa.func.coalesce(sa.func.sum(sub.c.reserved), 0),
            sa.func.count(sub.c.location_id).filter(sub.c.on_hand > 0),
        )
        .select_from(sku.outerjoin(sub, join_cond))
        .group_by(sku.c.id)
        .order_by(sku.c.id)
    )
    if sku_id is not None:
        query = query.where(sku.c.id == sku_id)
    return [SkuStock(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in session.execute(query)]


def available_units(session: Session, sku_ids: Collection[str]) -> dict[str, int]:
    """Available units (on hand minus reserved, storage locations) of each SKU in ``sku_ids``,
    in one grouped query; SKUs without stock are missing from the answer."""
    ids = sorted(set(sku_ids))
    if not ids:
        return {}
    loc = Location.__table__
    query = (
        sa.select(_stock.c.sku_id, sa.func.sum(_stock.c.on_hand - _stock.c.reserved))
        .join(loc, loc.c.id == _stock.c.location_id)
        .where(loc.c.kind == "storage", _stock.c.sku_id.in_(ids))
        .group_by(_stock.c.sku_id)
    )
    return {str(sku): max(0, int(units)) for sku, units in session.execute(query)}


def ledger(
    session: Session,
    *,
    sku_id: str | None = None,
    location_id: str | None = None,
    reference: str | None = None,
    kinds: Sequence[str] | None = None,
    until: datetime | None = None,
) -> list[StockMove]:
    """Ledger rows (oldest first) matching the filters; ``location_id`` matches either end."""
    query = sa.select(StockMove)
    if sku_id is not None:
        query = query.where(StockMove.sku_id == sku_id)
    if location_id is not None:
        query = query.where(
            sa.or_(
                StockMove.from_location_id == location_id, StockMove.to_location_id == location_id
            )
        )
    if reference is not None:
        query = query.where(StockMove.reference == reference)
    if kinds is not None:
        query = query.where(StockMove.kind.in_(list(kinds)))
    if until is not None:
        query = query.where(StockMove.at <= until)
    return list(session.scalars(query.order_by(StockMove.at, StockMove.id)))


def ledger_balance(
    session: Session, *, as_of: datetime | None = None
) -> dict[tuple[str, str], int]:
    """On-hand units per (SKU, location) computed from the ledger alone (at ``as_of`` if given).

    This is the stock "at any time": replaying the moves up to a moment gives that moment's stock.
    Pairs with zero balance are left out.
    """
    moves = StockMove.__table__
    inflow = sa.select(
        moves.c.sku_id.label("sku_id"),
        moves.c.to_location_id.label("location_id"),
        moves.c.qty.label("qty"),
    ).where(moves.c.to_location_id.is_not(None))
    outflow = sa.select(
        moves.c.sku_id.label("sku_id"),
        moves.c.from_location_id.label("location_id"),
        (-moves.c.qty).label("qty"),
    ).where(moves.c.from_location_id.is_not(None))
    if as_of is not None:
        inflow = inflow.where(moves.c.at <= as_of)
        outflow = outflow.where(moves.c.at <= as_of)
    flows = sa.union_all(inflow, outflow).subquery()
    query = sa.select(flows.c.sku_id, flows.c.location_id, sa.func.sum(flows.c.qty)).group_by(
        flows.c.sku_id, flows.c.location_id
    )
    out: dict[tuple[str, str], int] = {}
    for sku_id, location_id, total in session.execute(query):
        if int(total) != 0:
            out[(str(sku_id), str(location_id))] = int(total)
    return out


def reconcile(session: Session) -> list[str]:
    """Differences between the ledger and the ``stock`` table (empty list: all consistent).

    Also checks that open reservations add up to ``stock.reserved``.
    """
    problems: list[str] = []
    balance = ledger_balance(session)
    levels = {(s.sku_id, s.location_id): s for s in stock_levels(session, include_empty=True)}
    for key in sorted(set(balance) | {k for k, s in levels.items() if s.on_hand}):
        expected = balance.get(key, 0)
        actual = levels[key].on_hand if key in levels else 0
        if expected != actual:
            problems.append(
                f"SKU {key[0]!r} at {key[1]!r}: ledger says {expected} on hand, stock table {actual}"
            )
    res = Reservation.__table__
    reserved_rows = session.execute(
        sa.select(res.c.sku_id, res.c.location_id, sa.func.sum(res.c.qty))
        .where(res.c.state == "open")
        .group_by(res.c.sku_id, res.c.location_id)
    ).all()
    reserved = {(str(r[0]), str(r[1])): int(r[2]) for r in reserved_rows}
    for key in sorted(set(reserved) | {k for k, s in levels.items() if s.reserved}):
        expected = reserved.get(key, 0)
        actual = levels[key].reserved if key in levels else 0
        if expected != actual:
            problems.append(
                f"SKU {key[0]!r} at {key[1]!r}: open reservations sum to {expected}, "
                f"stock table has {actual} reserved"
            )
    return problems


__all__ = [
    "SkuStock",
    "StockLevel",
    "adjust",
    "count",
    "ensure_location",
    "ledger",
    "ledger_balance",
    "move",
    "open_reservations",
    "pick",
    "put_away",
    "receive",
    "reconcile",
    "release_order_reservations",
    "release_reservation",
    "remove",
    "reserve",
    "reserve_units_at",
    "stock_by_sku",
    "stock_levels",
    "sync_locations",
    "upsert_skus",
]
