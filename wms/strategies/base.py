"""What every strategy gets and gives: the order stream, the planning context, the protocol.

A strategy turns one replication's orders (:class:`OrderStream`) into the work of a day
(:class:`wms.sim.work.Work`) given the warehouse (:class:`StrategyContext`)::

    work = get_strategy("sort_zone", params).plan(stream, context)

The stream carries the random numbers of the replication (one pair of uniforms per ordered
unit, for the error model), so every strategy sees the same orders *and* the same dice: common
random numbers, which make the differences between strategies far less noisy than their levels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

from wms.model import Order, Sku, TimeStandards
from wms.strategies.settings import SimSettings

if TYPE_CHECKING:
    from wms.layout import Layout
    from wms.sim.work import Work
    from wms.waves.config import DeviceConfig

__all__ = ["OrderStream", "Strategy", "StrategyContext", "release_times", "seconds_of_day"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def seconds_of_day(moment: datetime, day: date) -> float:
    """Seconds from midnight of ``day`` to ``moment`` (negative before, > 86,400 after)."""
    midnight = datetime.combine(day, time(0), tzinfo=moment.tzinfo)
    return (moment - midnight).total_seconds()


def release_times(arrival_s: F64, shifts: Sequence[tuple[float, float]], interval_s: float) -> F64:
    """When each order is released to picking: the next wave on the release grid.

    Waves are released every ``interval_s`` from the start of each shift window, while the window
    lasts. An order is released with the first wave at or after its arrival; an order arriving
    after the last window is released at once (overtime).

    Parameters
    ----------
    arrival_s
        Arrival times (seconds from midnight).
    shifts
        Shift windows ``(start_s, end_s)``, sorted and disjoint.
    interval_s
        Time between two releases (> 0).

    Returns
    -------
    ndarray
        Release time of each order (``>=`` its arrival).
    """
    if not interval_s > 0:
        raise ValueError(f"the release interval must be > 0 s, got {interval_s}")
    grid = np.concatenate(
        [np.arange(start, end, interval_s, dtype=np.float64) for start, end in shifts]
    )
    k = np.searchsorted(grid, arrival_s, side="left")
    out = np.asarray(arrival_s, dtype=np.float64).copy()
    inside = k < grid.size
    out[inside] = grid[k[inside]]
    return out


@dataclass(frozen=True)
class OrderStream:
    """One replication's orders with their times and random numbers.

    Attributes
    ----------
    orders
        The orders, in arrival order.
    arrival_s, release_s, due_s
        Arrival, release to picking (the wave) and cutoff (``inf``: none), seconds from midnight.
    units, lines
        Units and lines of each order.
    unit_start
        CSR offsets of each order's units in ``u_error`` / ``u_catch`` (``n + 1`` entries).
    u_error, u_catch
        Two uniforms per ordered unit: whether the unit is picked wrongly, and whether a check
        catches it. The same for every strategy (common random numbers).
    """

    orders: tuple[Order, ...]
    arrival_s: F64
    release_s: F64
    due_s: F64
    units: I64
    lines: I64
    unit_start: I64
    u_error: F64
    u_catch: F64

    @classmethod
    def build(
        cls,
        orders: Sequence[Order],
        arrival_s: Sequence[float] | F64,
        *,
        day: date,
        shifts: Sequence[tuple[float, float]],
        release_interval_s: float,
        rng: np.random.Generator,
    ) -> OrderStream:
        """Times, sizes and the replication's uniforms of ``orders``.

        Parameters
        ----------
        orders
            The orders.
        arrival_s
            Their arrival times, seconds from midnight of ``day``.
        day
            The simulated day (cutoffs are measured from its midnight).
        shifts, release_interval_s
            The release grid (see :func:`release_times`).
        rng
            The replication's generator for the error model's uniforms.
        """
        arrival = np.asarray(arrival_s, dtype=np.float64)
        if arrival.shape != (len(orders),):
            raise ValueError(f"{len(orders)} orders but {arrival.size} arrival times")
        units = np.fromiter((o.units for o in orders), dtype=np.int64, count=len(orders))
        lines = np.fromiter((len(o.lines) for o in orders), dtype=np.int64, count=len(orders))
        due = np.array(
            [np.inf if o.cutoff is None else seconds_of_day(o.cutoff, day) for o in orders],
            dtype=np.float64,
        )
        unit_start = np.zeros(len(orders) + 1, dtype=np.int64)
        np.cumsum(units, out=unit_start[1:])
        total = int(unit_start[-1])
        return cls(
            orders=tuple(orders),
            arrival_s=arrival,
            release_s=release_times(arrival, shifts, release_interval_s),
            due_s=due,
            units=units,
            lines=lines,
            unit_start=unit_start,
            u_error=rng.random(total),
            u_catch=rng.random(total),
        )

    def __len__(self) -> int:
        return len(self.orders)


@dataclass(frozen=True)
class StrategyContext:
    """The warehouse a strategy plans for.

    Attributes
    ----------
    layout, catalog
        The layout and the SKUs (with their pick locations).
    devices
        Devices by kind (``batch``, ``cart``, ``singles``) in planning-configuration form.
    standards, label_print_s
        Time standards and the courier-label print time (s).
    put_wall_positions
        Order positions of the put wall: a sort-zone wave never holds more orders.
    settings
        Release, batching, routing and the error model.
    chunk_orders
        Largest batching problem: a wave's orders of one lane are batched in chunks of at most
        this many orders (in cutoff order), which keeps planning linear in the day's volume.
    """

    layout: Layout
    catalog: Mapping[str, Sku]
    devices: Mapping[str, DeviceConfig]
    standards: TimeStandards
    label_print_s: float
    put_wall_positions: int
    settings: SimSettings
    chunk_orders: int = 1000


class Strategy(Protocol):
    """A picking strategy: orders in, the day's work out."""

    name: str

    def plan(self, stream: OrderStream, context: StrategyContext, label: str) -> Work:
        """Plan ``stream`` and return the work to simulate, labelled ``label``."""
        ...
