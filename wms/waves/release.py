"""Wave release: which orders are released together, and when.

Orders are grouped by a configurable release key (cutoff time bucket, carrier, priority, sales
channel) and released either on demand (all now) or on a schedule of fixed release times derived
from each order's cutoff. Within a wave, orders are listed most urgent first (cutoff, then
priority); that order is what first-come-first-served batching sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from wms.errors import OrderError
from wms.model import Order
from wms.waves.config import ReleaseRules

#: Release-key value of orders without a cutoff.
_NO_CUTOFF = "none"

_Key = tuple[tuple[str, str], ...]
_Chunk = tuple[datetime | None, _Key, list[int]]


@dataclass(frozen=True, slots=True)
class WaveRelease:
    """A released wave before splitting: its id, release time, key, and order positions.

    ``orders`` are positions in the order sequence given to :func:`release_waves`, most urgent
    first.
    """

    wave_id: str
    release_at: datetime | None
    key: tuple[tuple[str, str], ...]
    orders: tuple[int, ...]


def floor_time(t: datetime, minutes: int, origin: datetime | None = None) -> datetime:
    """``t`` rounded down to a multiple of ``minutes`` after ``origin`` (default: its midnight)."""
    if minutes <= 0:
        return t
    base = origin if origin is not None else t.replace(hour=0, minute=0, second=0, microsecond=0)
    step = timedelta(minutes=minutes)
    return base + ((t - base) // step) * step


def _check_time_zones(orders: Sequence[Order], extra: Sequence[datetime | None]) -> None:
    """Cutoffs (and schedule times) must all carry a time zone or all lack one."""
    aware: tuple[str, datetime] | None = None
    naive: tuple[str, datetime] | None = None
    named = [(f"order {o.order_id!r}", o.cutoff) for o in orders if o.cutoff is not None]
    named += [("the release schedule", t) for t in extra if t is not None]
    for who, t in named:
        if t.tzinfo is not None and t.utcoffset() is not None:
            aware = aware or (who, t)
        else:
            naive = naive or (who, t)
        if aware and naive:
            raise OrderError(
                f"cutoff times mix time zones: {aware[0]} has {aware[1].isoformat()} (with a "
                f"time zone) but {naive[0]} has {naive[1].isoformat()} (without one); give every "
                "time with a time zone or none"
            )


def _key_value(order: Order, name: str, rules: ReleaseRules) -> str:
    if name == "cutoff":
        if order.cutoff is None:
            return _NO_CUTOFF
        return floor_time(order.cutoff, rules.cutoff_bucket_minutes).isoformat()
    if name == "carrier":
        return order.carrier or ""
    if name == "priority":
        return str(order.priority)
    return order.channel


def _schedule(
    orders: Sequence[Order], rules: ReleaseRules, now: datetime | None
) -> list[datetime | None]:
    """Release time of every order under ``rules`` (mode ``schedule``)."""
    step = timedelta(minutes=rules.interval_minutes)
    lead = timedelta(minutes=rules.lead_time_minutes)
    latest = [o.cutoff - lead for o in orders if o.cutoff is not None]
    if rules.start is not None:
        start = rules.start
    elif latest:
        start = floor_time(min(latest), rules.interval_minutes)
    else:
        start = now  # type: ignore[assignment]
    if start is None:
        return [None] * len(orders)
    out: list[datetime | None] = []
    for o in orders:
        if o.cutoff is None:
            out.append(None)
            continue
        k = max(0, (o.cutoff - lead - start) // step)
        out.append(start + k * step)
    last = max((t for t in out if t is not None), default=start)
    return [last if t is None else t for t in out]


def _urgency(order: Order, position: int) -> tuple[bool, datetime | None, int, int]:
    # Orders without a cutoff sort last; ``cutoff or 0`` would break when zones differ.
    return (order.cutoff is None, order.cutoff, -order.priority, position)


def release_waves(
    orders: Sequence[Order], rules: ReleaseRules | None = None, now: datetime | None = None
) -> list[WaveRelease]:
    """Group ``orders`` into waves according to ``rules``.

    Parameters
    ----------
    orders
        The orders to release (ids are not checked here).
    rules
        Release rules; default :class:`ReleaseRules` (on demand, by cutoff hour).
    now
        Release time of on-demand waves (``None``: unspecified), and the schedule origin when no
        order has a cutoff.

    Returns
    -------
    list[WaveRelease]
        Waves in release order (release time, earliest cutoff, highest priority), with ids
        ``W001``, ``W002``...; every order is in exactly one wave.
    """
    rules = rules or ReleaseRules()
    _check_time_zones(orders, [rules.start, now])
    release = _schedule(orders, rules, now) if rules.mode == "schedule" else [now] * len(orders)

    groups: dict[tuple[datetime | None, _Key], list[int]] = {}
    for i, order in enumerate(orders):
        key: _Key = tuple((str(name), _key_value(order, name, rules)) for name in rules.keys)
        groups.setdefault((release[i], key), []).append(i)

    chunks: list[_Chunk] = []
    for (at, key), members in groups.items():
        members.sort(key=lambda i: _urgency(orders[i], i))
        size = rules.max_orders_per_wave or len(members)
        for lo in range(0, len(members), size):
            chunks.append((at, key, members[lo : lo + size]))

    def wave_order(chunk: _Chunk) -> tuple[Any, ...]:
        at, key, members = chunk
        first = orders[members[0]]
        return (at is None, at, *_urgency(first, members[0]), key)

    chunks.sort(key=wave_order)
    width = max(3, len(str(len(chunks))))
    return [
        WaveRelease(f"W{k:0{width}d}", at, key, tuple(members))
        for k, (at, key, members) in enumerate(chunks, start=1)
    ]
