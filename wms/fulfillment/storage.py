"""Storage: re-slotting suggestions from observed pick frequencies.

Fast movers should live near the depot. :func:`suggest_reslotting` looks at the picks in the
ledger over a period, gives each SKU its *home* (the storage location holding most of its stock)
and proposes new homes: the most picked SKUs get the nearest locations among the current homes and
the empty storage locations that can hold their stock. The saving is estimated with the classic
class-based-storage travel model: every pick visit costs a round trip of ``2 * distance_m`` from
the depot, so moving a SKU with ``f`` picks per day from ``d_old`` to ``d_new`` saves
``2 * f * (d_old - d_new)`` metres per day. The estimate ignores that one tour visits several
locations (batching shares the walk), so it is an upper bound on the real saving; its ranking of
moves is what matters. The moves form chains and swaps (a fast mover takes a slow mover's home, which
moves out): execute them together, via a free location where two SKUs swap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wms.errors import StockError
from wms.store.models import Location, Stock, StockMove


@dataclass(frozen=True, slots=True)
class SlotMove:
    """Move SKU ``sku_id`` (its whole home stock) from ``from_location_id`` to ``to_location_id``."""

    sku_id: str
    from_location_id: str
    to_location_id: str
    units: int
    picks_per_day: float
    from_distance_m: float
    to_distance_m: float

    @property
    def saving_m_per_day(self) -> float:
        """Estimated travel saved per day (m): two legs per pick visit."""
        return 2.0 * self.picks_per_day * (self.from_distance_m - self.to_distance_m)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "sku_id": self.sku_id,
            "from_location_id": self.from_location_id,
            "to_location_id": self.to_location_id,
            "units": self.units,
            "picks_per_day": round(self.picks_per_day, 3),
            "from_distance_m": self.from_distance_m,
            "to_distance_m": self.to_distance_m,
            "saving_m_per_day": round(self.saving_m_per_day, 3),
        }


@dataclass(frozen=True, slots=True)
class ReslotPlan:
    """A re-slotting proposal and what it would save in travel (m per day)."""

    days: float
    moves: tuple[SlotMove, ...]
    current_travel_m_per_day: float
    proposed_travel_m_per_day: float

    @property
    def saving_m_per_day(self) -> float:
        """Travel saved per day by all moves (m)."""
        return self.current_travel_m_per_day - self.proposed_travel_m_per_day

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "days": self.days,
            "current_travel_m_per_day": round(self.current_travel_m_per_day, 3),
            "proposed_travel_m_per_day": round(self.proposed_travel_m_per_day, 3),
            "saving_m_per_day": round(self.saving_m_per_day, 3),
            "moves": [m.to_dict() for m in self.moves],
        }


def pick_frequencies(
    session: Session, *, since: datetime | None = None, until: datetime | None = None
) -> dict[str, int]:
    """Pick visits per SKU (ledger ``pick`` rows) in ``since <= at < until``."""
    query = (
        sa.select(StockMove.sku_id, sa.func.count())
        .where(StockMove.kind == "pick")
        .group_by(StockMove.sku_id)
    )
    if since is not None:
        query = query.where(StockMove.at >= since)
    if until is not None:
        query = query.where(StockMove.at < until)
    return {str(sku): int(n) for sku, n in session.execute(query).all()}


def suggest_reslotting(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    days: float | None = None,
    max_moves: int | None = None,
    min_saving_m_per_day: float | None = None,
) -> ReslotPlan:
    """Propose new homes for picked SKUs so that fast movers sit nearest the depot.

    Parameters
    ----------
    session
        An open session.
    since, until
        Observation window of the picks (aware datetimes); default all history.
    days
        Length of the window in days for the per-day rates; default ``until - since``, or the span
        between the first and last pick (at least one day).
    max_moves
        Keep only the ``max_moves`` moves with the largest saving.
    min_saving_m_per_day
        Drop moves saving less than this. By default none is dropped: a slow mover that must make
        room for a fast one moves farther (negative saving), and the moves only work together.

    Returns
    -------
    ReslotPlan
        Moves sorted by saving, largest first, with current and proposed travel per day. With
        ``max_moves`` the proposed travel counts only the kept moves.
    """
    picks = pick_frequencies(session, since=since, until=until)
    if days is None:
        if since is not None and until is not None:
            days = (until - since) / timedelta(days=1)
        else:
            span = session.execute(
                sa.select(sa.func.min(StockMove.at), sa.func.max(StockMove.at)).where(
                    StockMove.kind == "pick"
                )
            ).one()
            days = 1.0
            if span[0] is not None and span[1] is not None:
                days = max(1.0, (span[1] - span[0]) / timedelta(days=1))
    if days <= 0:
        raise StockError(f"observation window of {days} days: it must be longer than 0")
    locations = {
        str(loc_id): (capacity, float(distance) if distance is not None else None)
        for loc_id, capacity, distance in session.execute(
            sa.select(Location.id, Location.capacity_units, Location.distance_m).where(
                Location.kind == "storage"
            )
        ).all()
    }
    stock_rows = session.execute(
        sa.select(Stock.sku_id, Stock.location_id, Stock.on_hand, Stock.reserved).where(
            Stock.on_hand > 0
        )
    ).all()
    occupied: set[str] = set()
    homes: dict[str, tuple[str, int, int]] = {}
    for sku_id, loc_id, on_hand, reserved in stock_rows:
        if loc_id not in locations:
            continue
        occupied.add(loc_id)
        best = homes.get(sku_id)
        if best is None or (on_hand, loc_id) > (best[1], best[0]):
            homes[sku_id] = (loc_id, int(on_hand), int(reserved))
    # Only SKUs that were picked, sit in a location with a known distance and have nothing
    # reserved at home (moving reserved stock would break pick lists in progress).
    movers = [
        sku
        for sku in sorted(picks, key=lambda s: (-picks[s], s))
        if sku in homes and locations[homes[sku][0]][1] is not None and homes[sku][2] == 0
    ]
    pool = {homes[s][0] for s in movers} | {
        loc for loc, (_, d) in locations.items() if loc not in occupied and d is not None
    }
    free = sorted(pool, key=lambda loc: (locations[loc][1] or 0.0, loc))
    assigned: dict[str, str] = {}
    taken: set[str] = set()

    def fits(loc: str, units: int) -> bool:
        capacity = locations[loc][0]
        return capacity is None or capacity >= units

    for sku in movers:
        units = homes[sku][1]
        target = next((loc for loc in free if loc not in taken and fits(loc, units)), None)
        if target is None or (locations[target][1] or 0.0) >= (locations[homes[sku][0]][1] or 0.0):
            target = homes[sku][0] if homes[sku][0] not in taken else target
        if target is None:
            continue
        assigned[sku] = target
        taken.add(target)
    current = sum(2.0 * picks[s] / days * (locations[homes[s][0]][1] or 0.0) for s in movers)
    moves = [
        SlotMove(
            sku_id=s,
            from_location_id=homes[s][0],
            to_location_id=assigned[s],
            units=homes[s][1],
            picks_per_day=picks[s] / days,
            from_distance_m=locations[homes[s][0]][1] or 0.0,
            to_distance_m=locations[assigned[s]][1] or 0.0,
        )
        for s in movers
        if s in assigned and assigned[s] != homes[s][0]
    ]
    if min_saving_m_per_day is not None:
        moves = [m for m in moves if m.saving_m_per_day >= min_saving_m_per_day]
    moves.sort(key=lambda m: (-m.saving_m_per_day, m.sku_id))
    if max_moves is not None:
        moves = moves[:max_moves]
    proposed = current - sum(m.saving_m_per_day for m in moves)
    return ReslotPlan(
        days=float(days),
        moves=tuple(moves),
        current_travel_m_per_day=current,
        proposed_travel_m_per_day=proposed,
    )


__all__ = ["ReslotPlan", "SlotMove", "pick_frequencies", "suggest_reslotting"]
