"""Receiving: announced deliveries (ASN), counting with quality control, putaway to storage.

The flow of a delivery:

1. :func:`read_asn` reads ASN files (CSV or JSON); :func:`import_asn` stores one as a ``receipt``
   with its lines (status ``expected``).
2. :func:`receive_receipt` records what was counted per line (received, damaged, quality status).
   Good units go to the receiving dock, damaged or rejected units to quarantine; every line whose
   count differs from the ASN gets a discrepancy (``over``, ``short``, ``damaged``). Emits
   ``receipt.received``.
3. :func:`suggest_putaway` proposes storage locations by class-based slotting: A movers (fast) to
   the locations nearest the depot, then B, then C, respecting each location's capacity and
   preferring locations that already hold the SKU. :func:`confirm_putaway` performs the moves
   (ledger kind ``putaway``) and closes the receipt once everything is stored.

Every function runs inside the caller's transaction: an error leaves nothing behind.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wms.errors import ReceivingError, StockError, located
from wms.fulfillment import stock
from wms.fulfillment.events import record_event
from wms.io.text import NUL_MESSAGE, first_nul_line
from wms.store.models import Location, Receipt, ReceiptLine, Sku, Stock, StockMove, utcnow

DOCK = "DOCK"
QUARANTINE = "QUARANTINE"
QUALITY_STATUSES: tuple[str, ...] = ("ok", "damaged", "rejected")
#: Share of storage locations (nearest first) reserved for each velocity class.
DEFAULT_CLASS_SHARES: dict[str, float] = {"A": 0.2, "B": 0.3, "C": 0.5}


# -- ASN files ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AsnLine:
    """One announced line: ``qty_expected`` units of ``sku_id``."""

    line_no: int
    sku_id: str
    qty_expected: int
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Asn:
    """An advance shipping notice: the delivery a supplier announced."""

    id: str
    supplier: str | None
    expected_at: datetime | None
    lines: tuple[AsnLine, ...]


def _parse_time(value: object, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ReceivingError(
            f"{where}: expected_at {value!r} is not an ISO 8601 time (e.g. 2026-11-23T08:00:00Z)"
        ) from None
    if parsed.tzinfo is None:
        raise ReceivingError(f"{where}: expected_at {value!r} has no time zone: add Z or +01:00")
    return parsed


def _parse_int(value: object, name: str, where: str, *, minimum: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ReceivingError(f"{where}: {name} {value!r} is not a whole number") from None
    if number < minimum:
        raise ReceivingError(f"{where}: {name} {number} must be >= {minimum}")
    return number


def _asn_from_rows(rows: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Asn]:
    """Group flat rows (``where``, row) with ``asn_id`` into ASNs, lines in row order."""
    heads: dict[str, tuple[str | None, datetime | None]] = {}
    lines: dict[str, list[AsnLine]] = {}
    seen_lines: dict[str, set[int]] = {}
    for where, row in rows:
        asn_id = str(row.get("asn_id") or "").strip()
        if not asn_id:
            raise ReceivingError(f"{where}: field asn_id is missing: every line needs its ASN id")
        sku_id = str(row.get("sku_id") or "").strip()
        if not sku_id:
            raise ReceivingError(f"{where}: field sku_id is missing")
        qty = _parse_int(row.get("qty_expected", row.get("qty")), "qty_expected", where, minimum=1)
        supplier = (str(row.get("supplier") or "").strip()) or None
        expected_at = _parse_time(row.get("expected_at"), where)
        if asn_id not in heads:
            heads[asn_id] = (supplier, expected_at)
            lines[asn_id] = []
            seen_lines[asn_id] = set()
        line_no_raw = row.get("line_no")
        line_no = (
            _parse_int(line_no_raw, "line_no", where, minimum=1)
            if line_no_raw not in (None, "")
            else len(lines[asn_id]) + 1
        )
        if line_no in seen_lines[asn_id]:
            raise ReceivingError(f"{where}: ASN {asn_id!r} has line_no {line_no} twice")
        seen_lines[asn_id].add(line_no)
        description = row.get("description")
        lines[asn_id].append(
            AsnLine(line_no, sku_id, qty, str(description) if description else None)
        )
    return [Asn(a, heads[a][0], heads[a][1], tuple(lines[a])) for a in heads]


def read_asn(path: str | Path) -> list[Asn]:
    """Read ASNs from a CSV or JSON file.

    CSV: one row per line, columns ``asn_id, sku_id, qty_expected`` and optionally ``supplier,
    expected_at, line_no, description``. JSON: an object ``{"id", "supplier", "expected_at",
    "lines": [{"sku_id", "qty_expected"}, ...]}``, a list of them, or ``{"asns": [...]}``.

    Raises
    ------
    ReceivingError
        Naming the file, line (CSV) or entry (JSON), the field and the fix.
    """
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate the BOM spreadsheets write
    except UnicodeDecodeError as exc:
        raise ReceivingError(
            f"{source}: not UTF-8 text (byte {exc.start}): save the file as UTF-8"
        ) from None
    nul = first_nul_line(text)
    if nul is not None:
        raise ReceivingError(located(source, nul, NUL_MESSAGE.replace("contains", "the line has")))
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReceivingError(
                located(source, exc.lineno, f"not valid JSON: {exc.msg}")
            ) from None
        if isinstance(data, dict) and "asns" in data:
            data = data["asns"]
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise ReceivingError(f"{source}: expected an ASN object or a list of them")
        rows: list[tuple[str, Mapping[str, Any]]] = []
        for i, asn in enumerate(data):
            if not isinstance(asn, dict):
                raise ReceivingError(f"{source}: entry {i} is not an object")
            lines = asn.get("lines")
            if not isinstance(lines, list) or not lines:
                raise ReceivingError(f"{source}: asns[{i}].lines is missing or empty")
            for j, line in enumerate(lines):
                if not isinstance(line, dict):
                    raise ReceivingError(f"{source}: asns[{i}].lines[{j}] is not an object")
                row = {
                    "asn_id": asn.get("id", asn.get("asn_id")),
                    "supplier": asn.get("supplier"),
                    "expected_at": asn.get("expected_at"),
                    **line,
                }
                rows.append((f"{source}: asns[{i}].lines[{j}]", row))
        return _asn_from_rows(rows)
    if path.suffix.lower() != ".csv":
        raise ReceivingError(f"{source}: unknown ASN file type {path.suffix!r}: use .csv or .json")
    reader = csv.DictReader(text.splitlines())
    missing = {"asn_id", "sku_id"} - set(reader.fieldnames or [])
    if missing or not ({"qty_expected", "qty"} & set(reader.fieldnames or [])):
        raise ReceivingError(
            located(
                source,
                1,
                "header must have columns asn_id, sku_id, qty_expected "
                "(optional: supplier, expected_at, line_no, description)",
            )
        )
    return _asn_from_rows(
        (located(source, reader.line_num, "").rstrip(": "), row) for row in reader
    )


def import_asn(session: Session, asn: Asn, *, create_missing_skus: bool = False) -> Receipt:
    """Store an ASN as a receipt with status ``expected``; importing the same ASN again is a no-op.

    Parameters
    ----------
    session
        An open session.
    asn
        The announced delivery.
    create_missing_skus
        Add SKUs the catalogue does not know (with the line's description) instead of failing.

    Returns
    -------
    Receipt
        The stored (or already existing, identical) receipt.

    Raises
    ------
    ReceivingError
        Unknown SKU, or an ASN with this id exists with different content.
    """
    existing = session.get(Receipt, asn.id)
    if existing is not None:
        same = [(ln.line_no, ln.sku_id, ln.qty_expected) for ln in existing.lines] == [
            (ln.line_no, ln.sku_id, ln.qty_expected) for ln in asn.lines
        ]
        if same:
            return existing
        raise ReceivingError(
            f"ASN {asn.id!r} is already stored with different lines: use a new ASN id for a new "
            "delivery"
        )
    for line in asn.lines:
        if session.get(Sku, line.sku_id) is None:
            if not create_missing_skus:
                raise ReceivingError(
                    f"ASN {asn.id!r} line {line.line_no}: unknown SKU {line.sku_id!r}: add it to "
                    "the catalogue or import with --create-skus"
                )
            stock.upsert_skus(session, [{"id": line.sku_id, "description": line.description or ""}])
    receipt = Receipt(
        id=asn.id, supplier=asn.supplier, expected_at=asn.expected_at, status="expected"
    )
    receipt.lines = [
        ReceiptLine(
            line_no=ln.line_no,
            sku_id=ln.sku_id,
            qty_expected=ln.qty_expected,
            qty_damaged=0,
            qty_put_away=0,
        )
        for ln in asn.lines
    ]
    session.add(receipt)
    session.flush()
    record_event(
        session,
        "receipt.announced",
        entity_type="receipt",
        entity_id=asn.id,
        payload={"supplier": asn.supplier, "lines": len(asn.lines)},
    )
    return receipt


# -- counting -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineCount:
    """What was counted for one SKU of a delivery.

    ``qty_received`` counts every unit that arrived, ``qty_damaged`` those of them that are
    damaged (they go to quarantine). ``quality_status`` ``"rejected"`` sends the whole line to
    quarantine.
    """

    sku_id: str
    qty_received: int
    qty_damaged: int = 0
    quality_status: str = "ok"
    line_no: int | None = None


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A receipt line whose count differs from the ASN."""

    line_no: int
    sku_id: str
    qty_expected: int
    qty_received: int
    qty_damaged: int
    kinds: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "line_no": self.line_no,
            "sku_id": self.sku_id,
            "qty_expected": self.qty_expected,
            "qty_received": self.qty_received,
            "qty_damaged": self.qty_damaged,
            "discrepancy": ",".join(self.kinds),
        }


@dataclass(frozen=True, slots=True)
class ReceiptResult:
    """Outcome of counting a delivery."""

    receipt_id: str
    units_to_dock: int
    units_to_quarantine: int
    discrepancies: tuple[Discrepancy, ...] = field(default=())


def _discrepancy_kinds(expected: int, received: int, damaged: int) -> tuple[str, ...]:
    kinds: list[str] = []
    if received > expected:
        kinds.append("over")
    elif received < expected:
        kinds.append("short")
    if damaged > 0:
        kinds.append("damaged")
    return tuple(kinds)


def receive_receipt(
    session: Session,
    receipt_id: str,
    counts: Sequence[LineCount],
    *,
    dock_location_id: str = DOCK,
    quarantine_location_id: str = QUARANTINE,
    actor: str | None = None,
    at: datetime | None = None,
) -> ReceiptResult:
    """Record the counted quantities of an expected delivery and bring the units in.

    Counts are matched to ASN lines by ``line_no`` if given, else by SKU (first open line). ASN
    lines nobody counted were not delivered (``short``); a counted SKU the ASN did not announce
    becomes a new line with ``qty_expected = 0`` (``over``).

    Parameters
    ----------
    session
        An open session.
    receipt_id
        The ASN id; the receipt must be ``expected``.
    counts
        What was counted.
    dock_location_id, quarantine_location_id
        Where good and damaged/rejected units go (created if missing: kinds ``receiving`` and
        ``quarantine``).
    actor, at
        Who counted, when.

    Returns
    -------
    ReceiptResult
        Units to dock and quarantine, and the discrepancies.

    Raises
    ------
    ReceivingError
        Unknown or already received receipt, bad counts (negative, damaged > received, unknown
        quality status or SKU). Nothing is written then.
    """
    receipt = session.get(Receipt, receipt_id, with_for_update=True)
    if receipt is None:
        raise ReceivingError(f"receipt {receipt_id!r} does not exist: import its ASN first")
    if receipt.status != "expected":
        raise ReceivingError(
            f"receipt {receipt_id!r} is already {receipt.status}: a delivery is counted once"
        )
    stock.ensure_location(session, dock_location_id, kind="receiving", distance_m=0.0)
    stock.ensure_location(session, quarantine_location_id, kind="quarantine")
    by_line = {ln.line_no: ln for ln in receipt.lines}
    counted: dict[int, LineCount] = {}
    next_line_no = max(by_line, default=0) + 1
    for i, c in enumerate(counts, start=1):
        where = f"receipt {receipt_id!r}, count {i} (SKU {c.sku_id!r})"
        if (
            isinstance(c.qty_received, bool)
            or not isinstance(c.qty_received, int)
            or c.qty_received < 0
        ):
            raise ReceivingError(f"{where}: qty_received {c.qty_received!r} must be >= 0")
        if not isinstance(c.qty_damaged, int) or not 0 <= c.qty_damaged <= c.qty_received:
            raise ReceivingError(
                f"{where}: qty_damaged {c.qty_damaged!r} must be between 0 and qty_received "
                f"{c.qty_received}"
            )
        if c.quality_status not in QUALITY_STATUSES:
            raise ReceivingError(
                f"{where}: quality_status {c.quality_status!r} must be one of "
                f"{', '.join(QUALITY_STATUSES)}"
            )
        if session.get(Sku, c.sku_id) is None:
            raise ReceivingError(f"{where}: unknown SKU {c.sku_id!r}: add it to the catalogue")
        if c.line_no is not None:
            line = by_line.get(c.line_no)
            if line is None or line.sku_id != c.sku_id:
                raise ReceivingError(f"{where}: receipt has no line {c.line_no} for this SKU")
            line_no = c.line_no
        else:
            free = [n for n, ln in by_line.items() if ln.sku_id == c.sku_id and n not in counted]
            if free:
                line_no = free[0]
            else:
                line_no = next_line_no
                next_line_no += 1
                new_line = ReceiptLine(
                    line_no=line_no,
                    sku_id=c.sku_id,
                    qty_expected=0,
                    qty_damaged=0,
                    qty_put_away=0,
                )
                receipt.lines.append(new_line)
                by_line[line_no] = new_line
        if line_no in counted:
            raise ReceivingError(f"{where}: line {line_no} is counted twice: add the counts up")
        counted[line_no] = c
    to_dock = to_quarantine = 0
    discrepancies: list[Discrepancy] = []
    for line_no, line in sorted(by_line.items()):
        c = counted.get(line_no) or LineCount(line.sku_id, 0)
        bad = c.qty_received if c.quality_status == "rejected" else c.qty_damaged
        good = c.qty_received - bad
        line.qty_received = c.qty_received
        line.qty_damaged = bad
        line.quality_status = (
            c.quality_status if c.quality_status != "ok" or bad == 0 else "damaged"
        )
        kinds = _discrepancy_kinds(line.qty_expected, c.qty_received, bad)
        line.discrepancy = ",".join(kinds) or None
        if kinds:
            discrepancies.append(
                Discrepancy(line_no, line.sku_id, line.qty_expected, c.qty_received, bad, kinds)
            )
        if good:
            stock.receive(
                session,
                line.sku_id,
                dock_location_id,
                good,
                reference=receipt_id,
                actor=actor,
                at=at,
            )
            to_dock += good
        if bad:
            stock.receive(
                session,
                line.sku_id,
                quarantine_location_id,
                bad,
                reason="damaged on receipt" if c.quality_status != "rejected" else "rejected",
                reference=receipt_id,
                actor=actor,
                at=at,
            )
            to_quarantine += bad
    receipt.status = "received"
    receipt.received_at = at or utcnow()
    receipt.dock_location_id = dock_location_id
    session.flush()
    record_event(
        session,
        "receipt.received",
        entity_type="receipt",
        entity_id=receipt_id,
        payload={
            "units_to_dock": to_dock,
            "units_to_quarantine": to_quarantine,
            "discrepancies": [d.to_dict() for d in discrepancies],
            "actor": actor,
        },
        at=at,
    )
    return ReceiptResult(receipt_id, to_dock, to_quarantine, tuple(discrepancies))


# -- putaway --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PutawaySuggestion:
    """Move ``qty`` units of ``sku_id`` from the dock to ``to_location_id``."""

    sku_id: str
    from_location_id: str
    to_location_id: str
    qty: int
    velocity_class: str
    location_class: str
    distance_m: float | None
    receipt_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "sku_id": self.sku_id,
            "from_location_id": self.from_location_id,
            "to_location_id": self.to_location_id,
            "qty": self.qty,
            "velocity_class": self.velocity_class,
            "location_class": self.location_class,
            "distance_m": self.distance_m,
            "receipt_id": self.receipt_id,
        }


def velocity_classes(
    session: Session, *, shares: tuple[float, float] = (0.8, 0.95)
) -> dict[str, str]:
    """Velocity class per SKU: the catalogue's ``velocity_class``, else ABC by picked units.

    SKUs are ranked by units picked (ledger ``pick`` moves); the SKUs making up the first 80 % of
    picked units are A, up to 95 % B, the rest C (``shares``). SKUs never picked are C.
    """
    picked = dict(
        session.execute(
            sa.select(StockMove.sku_id, sa.func.sum(StockMove.qty))
            .where(StockMove.kind == "pick")
            .group_by(StockMove.sku_id)
        ).all()
    )
    total = sum(int(v) for v in picked.values())
    derived: dict[str, str] = {}
    cumulative = 0
    for sku_id, units in sorted(picked.items(), key=lambda kv: (-int(kv[1]), kv[0])):
        before = cumulative / total if total else 1.0
        derived[str(sku_id)] = "A" if before < shares[0] else "B" if before < shares[1] else "C"
        cumulative += int(units)
    out: dict[str, str] = {}
    for sku_id, declared in session.execute(sa.select(Sku.id, Sku.velocity_class)).all():
        out[str(sku_id)] = declared or derived.get(str(sku_id), "C")
    return out


def location_classes(
    session: Session, class_shares: Mapping[str, float] = DEFAULT_CLASS_SHARES
) -> dict[str, str]:
    """Class band (A/B/C) of every storage location: nearest ``A`` share of them is A, and so on."""
    total_share = sum(class_shares.values())
    if total_share <= 0:
        raise ReceivingError("class shares must add up to more than 0")
    rows = session.execute(
        sa.select(Location.id)
        .where(Location.kind == "storage")
        .order_by(sa.func.coalesce(Location.distance_m, 1e18), Location.id)
    ).all()
    n = len(rows)
    bounds: list[tuple[str, float]] = []
    acc = 0.0
    for cls, share in class_shares.items():
        acc += share / total_share
        bounds.append((cls, acc))
    out: dict[str, str] = {}
    for i, (loc_id,) in enumerate(rows):
        position = (i + 0.5) / n
        out[str(loc_id)] = next((c for c, b in bounds if position <= b), bounds[-1][0])
    return out


def suggest_putaway(
    session: Session,
    receipt_id: str | None = None,
    *,
    dock_location_id: str = DOCK,
    class_shares: Mapping[str, float] = DEFAULT_CLASS_SHARES,
) -> list[PutawaySuggestion]:
    """Suggest storage locations for the units waiting at the dock (class-based slotting).

    For each SKU (A movers first), locations are tried in this order: its own velocity band
    (A = nearest the depot), then the next bands outward, then inward; within a band, locations
    already holding the SKU first, then empty ones, nearest first. A location never receives more
    than its free capacity (``capacity_units`` minus units stored and already suggested);
    locations holding other SKUs are not mixed into.

    Parameters
    ----------
    session
        An open session.
    receipt_id
        Only the units of this receipt still to be put away; ``None``: everything at the dock.
    dock_location_id
        Where units wait.
    class_shares
        Share of storage locations (nearest first) per velocity class.

    Returns
    -------
    list of PutawaySuggestion
        Possibly several per SKU (split over locations). Units that fit nowhere are left out.
    """
    at_dock = {
        lv.sku_id: lv.available
        for lv in stock.stock_levels(session, location_id=dock_location_id)
        if lv.available > 0
    }
    wanted: dict[str, int]
    if receipt_id is not None:
        receipt = session.get(Receipt, receipt_id)
        if receipt is None:
            raise ReceivingError(f"receipt {receipt_id!r} does not exist")
        wanted = {}
        for line in receipt.lines:
            todo = (line.qty_received or 0) - line.qty_damaged - line.qty_put_away
            if todo > 0:
                wanted[line.sku_id] = wanted.get(line.sku_id, 0) + todo
        wanted = {s: min(q, at_dock.get(s, 0)) for s, q in wanted.items() if at_dock.get(s, 0)}
    else:
        wanted = at_dock
    if not wanted:
        return []
    velocity = velocity_classes(session)
    loc_class = location_classes(session, class_shares)
    bands = list(class_shares)
    loc_rows = session.execute(
        sa.select(Location.id, Location.capacity_units, Location.distance_m)
        .where(Location.kind == "storage")
        .order_by(sa.func.coalesce(Location.distance_m, 1e18), Location.id)
    ).all()
    used: dict[str, int] = {}
    skus_at: dict[str, set[str]] = {}
    for loc_id, sku_id, on_hand in session.execute(
        sa.select(Stock.location_id, Stock.sku_id, Stock.on_hand).where(Stock.on_hand > 0)
    ).all():
        used[loc_id] = used.get(loc_id, 0) + int(on_hand)
        skus_at.setdefault(loc_id, set()).add(sku_id)
    order = {"A": 0, "B": 1, "C": 2}
    suggestions: list[PutawaySuggestion] = []
    for sku_id in sorted(wanted, key=lambda s: (order.get(velocity.get(s, "C"), 3), s)):
        remaining = wanted[sku_id]
        cls = velocity.get(sku_id, "C")
        home = bands.index(cls) if cls in bands else len(bands) - 1
        band_order = [bands[home], *bands[home + 1 :], *reversed(bands[:home])]
        for band in band_order:
            in_band = [r for r in loc_rows if loc_class.get(r[0]) == band]
            own = [r for r in in_band if sku_id in skus_at.get(r[0], set())]
            empty = [r for r in in_band if not skus_at.get(r[0])]
            for loc_id, capacity, distance_m in own + empty:
                if remaining == 0:
                    break
                free = remaining if capacity is None else capacity - used.get(loc_id, 0)
                take = min(free, remaining)
                if take <= 0:
                    continue
                suggestions.append(
                    PutawaySuggestion(
                        sku_id=sku_id,
                        from_location_id=dock_location_id,
                        to_location_id=loc_id,
                        qty=take,
                        velocity_class=cls,
                        location_class=band,
                        distance_m=distance_m,
                        receipt_id=receipt_id,
                    )
                )
                used[loc_id] = used.get(loc_id, 0) + take
                skus_at.setdefault(loc_id, set()).add(sku_id)
                remaining -= take
            if remaining == 0:
                break
    return suggestions


@dataclass(frozen=True, slots=True)
class PutawayMove:
    """A putaway a worker confirms (possibly differing from the suggestion)."""

    sku_id: str
    to_location_id: str
    qty: int
    from_location_id: str = DOCK
    receipt_id: str | None = None


def confirm_putaway(
    session: Session,
    moves: Sequence[PutawayMove | PutawaySuggestion],
    *,
    actor: str | None = None,
    at: datetime | None = None,
) -> list[StockMove]:
    """Perform confirmed putaway moves (all or nothing) and close receipts that are fully stored.

    Raises
    ------
    StockError
        A move is not possible (not enough units at the dock, unknown location, over capacity).
    """
    rows: list[StockMove] = []
    touched: set[str] = set()
    for i, m in enumerate(moves, start=1):
        target = session.get(Location, m.to_location_id)
        if target is not None and target.kind != "storage":
            raise StockError(
                f"putaway {i}: {m.to_location_id!r} is a {target.kind} location: put away to "
                "storage locations"
            )
        rows.append(
            stock.put_away(
                session,
                m.sku_id,
                m.from_location_id,
                m.to_location_id,
                m.qty,
                reference=m.receipt_id,
                actor=actor,
                at=at,
            )
        )
        if m.receipt_id is not None:
            receipt = session.get(Receipt, m.receipt_id)
            if receipt is None:
                raise ReceivingError(f"putaway {i}: receipt {m.receipt_id!r} does not exist")
            left = m.qty
            for line in receipt.lines:
                if line.sku_id != m.sku_id or left == 0:
                    continue
                todo = (line.qty_received or 0) - line.qty_damaged - line.qty_put_away
                take = min(todo, left)
                if take > 0:
                    line.qty_put_away += take
                    left -= take
            if left:
                raise ReceivingError(
                    f"putaway {i}: {m.qty} units of {m.sku_id!r} exceed what receipt "
                    f"{m.receipt_id!r} still has to put away"
                )
            touched.add(m.receipt_id)
    session.flush()
    for receipt_id in sorted(touched):
        receipt = session.get(Receipt, receipt_id)
        assert receipt is not None
        done = all(
            (ln.qty_received or 0) - ln.qty_damaged - ln.qty_put_away <= 0 for ln in receipt.lines
        )
        if done and receipt.status == "received":
            receipt.status = "closed"
            record_event(
                session,
                "receipt.put_away",
                entity_type="receipt",
                entity_id=receipt_id,
                payload={"actor": actor},
                at=at,
            )
    session.flush()
    return rows


def receipt_discrepancies(session: Session, receipt_id: str) -> list[Discrepancy]:
    """Discrepancies recorded for a received delivery."""
    receipt = session.get(Receipt, receipt_id)
    if receipt is None:
        raise ReceivingError(f"receipt {receipt_id!r} does not exist")
    return [
        Discrepancy(
            ln.line_no,
            ln.sku_id,
            ln.qty_expected,
            ln.qty_received or 0,
            ln.qty_damaged,
            tuple(ln.discrepancy.split(",")),
        )
        for ln in receipt.lines
        if ln.discrepancy
    ]


__all__ = [
    "DEFAULT_CLASS_SHARES",
    "DOCK",
    "QUALITY_STATUSES",
    "QUARANTINE",
    "Asn",
    "AsnLine",
    "Discrepancy",
    "LineCount",
    "PutawayMove",
    "PutawaySuggestion",
    "ReceiptResult",
    "confirm_putaway",
    "import_asn",
    "location_classes",
    "read_asn",
    "receipt_discrepancies",
    "receive_receipt",
    "suggest_putaway",
    "velocity_classes",
]
