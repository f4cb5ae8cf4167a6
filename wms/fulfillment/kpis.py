"""Service KPIs computed from the stored orders, holds, returns and events.

The measures of logistic service quality of ``DOMAIN.md``:

- **order-to-ship time**: hours from ``order.created_at`` (order received) to ``order.shipped_at``
  (or the first ``order.shipped`` event), as a distribution: p50, p95, max, mean;
- **perfect-order rate**: shipped orders that were complete (every line picked in full, nothing
  short), on time (shipped by the cutoff, when there is one) and not returned for an error
  (wrong item, damaged, defective, missing item), over shipped orders;
- **stock shortages relative to fulfilled orders**: orders that met a shortage (a line with
  ``qty_short > 0`` or a ``stock_shortage`` hold) over shipped orders, and the short units;
- **hold rate per rule**: orders that got a hold of the rule over orders received.

The period selects orders by ``created_at`` (``since <= created_at < until``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wms.fulfillment.returns import ERROR_REASONS
from wms.store.models import Event, Hold, Order, OrderLine, Rma, RmaLine

SHIPPED_STATUSES: tuple[str, ...] = ("shipped", "returned")
SHORTAGE_RULE = "stock_shortage"


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation (numpy's default method)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} must be between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    lo = math.floor(rank)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


@dataclass(frozen=True, slots=True)
class Distribution:
    """Summary of a sample (hours)."""

    count: int
    p50_h: float | None
    p95_h: float | None
    max_h: float | None
    mean_h: float | None

    @classmethod
    def of(cls, values_h: Sequence[float]) -> Distribution:
        """Summarise ``values_h`` (empty: all ``None``)."""
        if not values_h:
            return cls(0, None, None, None, None)
        return cls(
            len(values_h),
            percentile(values_h, 50),
            percentile(values_h, 95),
            max(values_h),
            sum(values_h) / len(values_h),
        )


@dataclass(frozen=True, slots=True)
class ServiceKpis:
    """Service KPIs of one period (see the module docstring for the definitions)."""

    orders_received: int
    orders_shipped: int
    order_to_ship: Distribution
    perfect_orders: int
    orders_short: int
    short_units: int
    late_orders: int
    holds_by_rule: dict[str, int] = field(default_factory=dict)

    @property
    def perfect_order_rate(self) -> float | None:
        """Perfect orders over shipped orders (``None`` when nothing shipped)."""
        return self.perfect_orders / self.orders_shipped if self.orders_shipped else None

    @property
    def shortage_rate(self) -> float | None:
        """Orders that met a stock shortage over shipped (fulfilled) orders."""
        return self.orders_short / self.orders_shipped if self.orders_shipped else None

    @property
    def hold_rate(self) -> dict[str, float]:
        """Per rule: orders held by it over orders received."""
        if not self.orders_received:
            return {}
        return {rule: n / self.orders_received for rule, n in sorted(self.holds_by_rule.items())}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "orders_received": self.orders_received,
            "orders_shipped": self.orders_shipped,
            "order_to_ship_h": {
                "count": self.order_to_ship.count,
                "p50": self.order_to_ship.p50_h,
                "p95": self.order_to_ship.p95_h,
                "max": self.order_to_ship.max_h,
                "mean": self.order_to_ship.mean_h,
            },
            "perfect_orders": self.perfect_orders,
            "perfect_order_rate": self.perfect_order_rate,
            "orders_short": self.orders_short,
            "shortage_rate": self.shortage_rate,
            "short_units": self.short_units,
            "late_orders": self.late_orders,
            "holds_by_rule": dict(sorted(self.holds_by_rule.items())),
            "hold_rate": self.hold_rate,
        }


def service_kpis(
    session: Session, *, since: datetime | None = None, until: datetime | None = None
) -> ServiceKpis:
    """Compute the service KPIs of orders received in ``since <= created_at < until``.

    Parameters
    ----------
    session
        An open session.
    since, until
        Period (aware datetimes); ``None`` for open ends.

    Returns
    -------
    ServiceKpis
    """
    query = sa.select(Order.id, Order.status, Order.created_at, Order.shipped_at, Order.cutoff)
    if since is not None:
        query = query.where(Order.created_at >= since)
    if until is not None:
        query = query.where(Order.created_at < until)
    orders = session.execute(query).all()
    ids = [str(o[0]) for o in orders]
    if not ids:
        return ServiceKpis(0, 0, Distribution.of([]), 0, 0, 0, 0, {})

    def chunks(values: list[str], size: int = 500) -> list[list[str]]:
        return [values[i : i + size] for i in range(0, len(values), size)]

    shipped_event: dict[str, datetime] = {}
    incomplete: set[str] = set()
    short: dict[str, int] = {}
    held: dict[str, set[str]] = {}
    error_returns: set[str] = set()
    for part in chunks(ids):
        for order_id, at in session.execute(
            sa.select(Event.order_id, sa.func.min(Event.at))
            .where(Event.order_id.in_(part), Event.type == "order.shipped")
            .group_by(Event.order_id)
        ).all():
            shipped_event[str(order_id)] = at
        for order_id, qty, picked, qty_short in session.execute(
            sa.select(
                OrderLine.order_id, OrderLine.qty, OrderLine.qty_picked, OrderLine.qty_short
            ).where(OrderLine.order_id.in_(part))
        ).all():
            if picked < qty or qty_short > 0:
                incomplete.add(str(order_id))
            if qty_short > 0:
                short[str(order_id)] = short.get(str(order_id), 0) + int(qty_short)
        for order_id, rule in session.execute(
            sa.select(Hold.order_id, Hold.rule).where(Hold.order_id.in_(part)).distinct()
        ).all():
            held.setdefault(str(rule), set()).add(str(order_id))
        for (order_id,) in session.execute(
            sa.select(Rma.order_id)
            .join(RmaLine, RmaLine.rma_id == Rma.id)
            .where(
                Rma.order_id.in_(part),
                Rma.status != "cancelled",
                RmaLine.reason.in_(list(ERROR_REASONS)),
            )
            .distinct()
        ).all():
            error_returns.add(str(order_id))
    shortage_hold = held.get(SHORTAGE_RULE, set())
    times_h: list[float] = []
    shipped = perfect = late = orders_short = 0
    for order_id, status, created_at, shipped_at, cutoff in orders:
        ship_time = shipped_at or shipped_event.get(order_id)
        if status not in SHIPPED_STATUSES and ship_time is None:
            continue
        if ship_time is None:
            continue
        shipped += 1
        times_h.append((ship_time - created_at) / timedelta(hours=1))
        is_late = cutoff is not None and ship_time > cutoff
        late += is_late
        met_shortage = order_id in short or order_id in shortage_hold
        orders_short += met_shortage
        if order_id not in incomplete and not is_late and order_id not in error_returns:
            perfect += 1
    return ServiceKpis(
        orders_received=len(ids),
        orders_shipped=shipped,
        order_to_ship=Distribution.of(times_h),
        perfect_orders=perfect,
        orders_short=orders_short,
        short_units=sum(short.values()),
        late_orders=late,
        holds_by_rule={rule: len(orders_) for rule, orders_ in held.items()},
    )


__all__ = ["SHORTAGE_RULE", "Distribution", "ServiceKpis", "percentile", "service_kpis"]
