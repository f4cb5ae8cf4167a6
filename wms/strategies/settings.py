"""Settings every strategy shares in a simulation: wave release, batching, the error model.

They come from the ``simulation:`` section of a scenario file (every field optional); the
defaults are stated here, with where they come from.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SimSettings"]


@dataclass(frozen=True, slots=True)
class SimSettings:
    """How the strategies are planned and what the error model assumes.

    Attributes
    ----------
    release_interval_min
        Orders are released to picking in waves on this grid (minutes) inside the shifts; an
        order waits for the next release after its arrival. After the last shift, orders are
        released as they arrive (overtime).
    batching
        Batching method of batch and cart lists when a strategy names none (see
        :mod:`wms.batching`). ``sweep`` (orders along the walk by centre of gravity, then
        next-fit) plans a 100,000-order day in seconds; ``seed`` and ``ils`` give shorter walks
        at a far higher planning cost (``benchmarks/README.md`` has the figures).
    routing
        Routing method of the pick lists (``None``: exact ``optimal`` where it applies to the
        layout, else ``tsp``).
    pick_error_rate
        Share of picked units that are wrong (wrong SKU or quantity) despite the pick scan.
    put_error_rate
        Pick-and-sort cart: share of units put into the wrong tote.
    match_error_rate_per_order
        Sort at pack: share of units matched to the wrong order, per further order sharing the
        container (errors grow with the orders per container).
    scan_catch_rate
        Probability that one later scan check (put, sort, pack) catches an error.
    search_s_per_unit_per_order
        Sort at pack: extra seconds per unit to find its order, per further order sharing the
        container.
    rework_s
        Seconds to correct one caught error (fetch the right unit or re-sort), added to packing.
    objective
        The KPI the recommendation optimises (a name of :data:`wms.sim.KPI_NAMES`).
    routes_to_draw
        Routes per strategy drawn in the HTML report.
    """

    release_interval_min: float = 30.0
    batching: str = "sweep"
    routing: str | None = None
    pick_error_rate: float = 0.003
    put_error_rate: float = 0.002
    match_error_rate_per_order: float = 0.001
    scan_catch_rate: float = 0.95
    search_s_per_unit_per_order: float = 1.0
    rework_s: float = 60.0
    objective: str = "labour_s_per_unit"
    routes_to_draw: int = 3

    def __post_init__(self) -> None:
        if not self.release_interval_min > 0:
            raise ValueError(f"release_interval_min must be > 0, got {self.release_interval_min}")
        for name in (
            "pick_error_rate",
            "put_error_rate",
            "match_error_rate_per_order",
            "scan_catch_rate",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], got {value}")
        for name in ("search_s_per_unit_per_order", "rework_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.routes_to_draw < 0:
            raise ValueError(f"routes_to_draw must be >= 0, got {self.routes_to_draw}")
