"""The order-batching contract: group orders into batches (pick lists) under a device capacity.

Every method has the signature ``batch(problem, params, rng) -> Batching`` and is registered by
name in :mod:`wms.batching`. Capacity is multi-dimensional: each order has a load per dimension
(units, kg, litres, lines, ...) and a batch's summed load may not exceed ``capacity`` in any one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

from wms.errors import InfeasibleError
from wms.routing.base import PickLists

if TYPE_CHECKING:
    from wms.layout import Layout


@dataclass(frozen=True, eq=False)
class BatchingProblem:
    """Orders to group, the capacity of one batch, and how batches are routed.

    Attributes
    ----------
    layout
        The warehouse; batches are routed on it.
    orders
        Pick locations of every order (CSR); order ``k`` is ``orders[k]``, one entry per pick stop.
    loads
        ``(n_orders, n_dims)`` load of each order per capacity dimension.
    capacity
        ``(n_dims,)`` limit per batch in each dimension.
    dimensions
        Names of the dimensions (e.g. ``("units", "weight_kg", "volume_l")``), used in messages.
    routing
        Routing method name (see :mod:`wms.routing`) used to measure batch tours.
    """

    layout: Layout
    orders: PickLists
    loads: NDArray[np.float64]
    capacity: NDArray[np.float64]
    dimensions: tuple[str, ...] = ("units",)
    routing: str = "s_shape"
    start: str | None = None
    end: str | None = None

    def __post_init__(self) -> None:
        loads = np.asarray(self.loads, dtype=np.float64)
        if loads.ndim == 1:
            loads = loads[:, None]
        cap = np.atleast_1d(np.asarray(self.capacity, dtype=np.float64))
        object.__setattr__(self, "loads", loads)
        object.__setattr__(self, "capacity", cap)
        n = len(self.orders)
        if loads.shape != (n, cap.size):
            raise ValueError(f"loads has shape {loads.shape}, expected ({n}, {cap.size})")
        if len(self.dimensions) != cap.size:
            raise ValueError(f"{cap.size} capacity dimensions but names {self.dimensions}")
        if np.any(cap <= 0):
            d = int(np.flatnonzero(cap <= 0)[0])
            raise InfeasibleError(f"capacity for {self.dimensions[d]} must be > 0, got {cap[d]}")
        if np.any(loads < 0):
            k, d = (int(v) for v in np.argwhere(loads < 0)[0])
            raise InfeasibleError(
                f"order {k} has a negative {self.dimensions[d]} load {loads[k, d]}"
            )
        over = loads > cap[None, :] + 1e-9
        if np.any(over):
            k, d = (int(v) for v in np.argwhere(over)[0])
            raise InfeasibleError(
                f"order {k} needs {loads[k, d]:g} {self.dimensions[d]} but a batch holds at most "
                f"{cap[d]:g}: raise the capacity or allow splitting orders"
            )
        self.orders.check(len(self.layout.locations))

    @classmethod
    def from_orders(
        cls,
        layout: Layout,
        orders: Sequence[Sequence[int]] | Sequence[NDArray[np.int64]],
        capacity_units: float,
        *,
        routing: str = "s_shape",
        start: str | None = None,
        end: str | None = None,
    ) -> BatchingProblem:
        """Unit-capacity problem: each pick is one unit (the Henn benchmark setting)."""
        lists = PickLists.from_lists(orders)
        units = np.diff(lists.indptr).astype(np.float64)
        return cls(
            layout, lists, units, np.array([capacity_units]), ("units",), routing, start, end
        )

    @property
    def n_orders(self) -> int:
        return len(self.orders)

    def order_zones(self) -> NDArray[np.int64]:
        """Zone index of every order: ``-1`` for no zone (or no picks), ``-2`` for orders whose
        picks lie in several zones."""
        zone = np.asarray(self.layout.locations.zone, dtype=np.int64)[self.orders.indices]
        ptr = self.orders.indptr
        if zone.size == 0:
            return np.full(self.n_orders, -1, dtype=np.int64)
        nonempty = np.diff(ptr) > 0
        starts = np.minimum(ptr[:-1], zone.size - 1)
        lo = np.where(nonempty, np.minimum.reduceat(zone, starts), -1)
        hi = np.where(nonempty, np.maximum.reduceat(zone, starts), -1)
        return np.where(lo == hi, lo, -2).astype(np.int64)


@dataclass(frozen=True, eq=False)
class Batching:
    """A batching: each batch is a tuple of order indices; ``lengths`` its route lengths (m)."""

    method: str
    routing: str
    batches: tuple[tuple[int, ...], ...]
    lengths: NDArray[np.float64]

    @property
    def total_length(self) -> float:
        return float(np.sum(self.lengths))

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "routing": self.routing,
            "batches": [list(b) for b in self.batches],
            "lengths": [float(x) for x in self.lengths],
            "total_length": self.total_length,
        }


@dataclass(frozen=True, slots=True)
class BatchingParams:
    """Search budget and knobs shared by all methods (each method uses what applies).

    Attributes
    ----------
    time_limit_s
        Wall-clock budget of search methods (``ils``), construction included.
    max_iterations
        Iteration budget of search methods; the binding limit for bit-for-bit reproducibility.
    seed_rule, add_rule
        Rules of the ``seed`` method (see ``wms.batching.construct.SEED_RULES``/``ADD_RULES``).
    neighbours
        Candidate partners per order (by aisle similarity) when a problem is too large to consider
        every pair of orders.
    """

    time_limit_s: float = 1.0
    max_iterations: int = 1_000_000
    seed_rule: str = "largest_aisle_span"
    neighbours: int = 80
    add_rule: str = "shortest_added_route"

    def __post_init__(self) -> None:
        if self.time_limit_s < 0:
            raise ValueError(f"time_limit_s must be >= 0, got {self.time_limit_s}")
        if self.max_iterations < 0:
            raise ValueError(f"max_iterations must be >= 0, got {self.max_iterations}")
        if self.neighbours < 1:
            raise ValueError(f"neighbours must be >= 1, got {self.neighbours}")


class BatchFn(Protocol):
    def __call__(
        self, problem: BatchingProblem, params: BatchingParams, rng: np.random.Generator
    ) -> Batching: ...


BatchingRegistry = dict[
    str, Callable[[BatchingProblem, BatchingParams, np.random.Generator], Batching]
]
