"""The five strategies: which lane each order takes.

================== ==========================================================================
strategy           orders -> lanes
================== ==========================================================================
single_unit        single-unit orders -> ``single_unit``; the others -> ``fallback``
                   (default ``sort_zone``)
sort_zone          every order -> ``sort_zone`` (batch picking, put wall, pack)
pick_and_sort_cart every order -> ``pick_and_sort_cart`` (one order per tote)
sort_at_pack       every order -> ``sort_at_pack`` (a few orders per container)
mixed              singles -> ``single_unit``; orders of at most ``small_max_units`` units ->
                   ``small`` (default the cart); larger ones -> ``large`` (default sort zone)
================== ==========================================================================
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wms.sim.work import Work
from wms.strategies.base import OrderStream, StrategyContext
from wms.strategies.lanes import LANES, LaneSpec, PlannedWork, plan_lanes

__all__ = ["STRATEGIES", "RuleStrategy", "get_strategy"]

#: Strategy names with their parameters and defaults.
STRATEGIES: dict[str, dict[str, Any]] = {
    "single_unit": {"fallback": "sort_zone"},
    "sort_zone": {"max_units_per_list": None, "max_lines_per_list": None, "batching": None},
    "pick_and_sort_cart": {"totes": None, "batching": None},
    "sort_at_pack": {"max_orders_per_container": 8, "batching": None},
    "mixed": {
        "singles": "single_unit",
        "small_max_units": 5,
        "small": "pick_and_sort_cart",
        "large": "sort_zone",
    },
}


@dataclass(frozen=True)
class RuleStrategy:
    """A strategy given by its name and parameters (see the module documentation)."""

    name: str
    params: Mapping[str, Any]

    def lane(self, kind: str, context: StrategyContext) -> LaneSpec:
        """The lane ``kind`` with this strategy's parameters."""
        p = self.params
        return LaneSpec(
            kind=kind,
            batching=p.get("batching") or context.settings.batching,
            max_units_per_list=p.get("max_units_per_list"),
            max_lines_per_list=p.get("max_lines_per_list"),
            totes=p.get("totes"),
            max_orders_per_container=p.get("max_orders_per_container") or 8,
        )

    def lanes_of(self, stream: OrderStream, context: StrategyContext) -> list[LaneSpec]:
        """The lane of each order."""
        p = self.params
        if self.name == "mixed":
            single = self.lane(p.get("singles") or "single_unit", context)
            small = self.lane(p.get("small") or "pick_and_sort_cart", context)
            large = self.lane(p.get("large") or "sort_zone", context)
            limit = int(p.get("small_max_units") or 5)
            return [
                single if u == 1 else small if u <= limit else large for u in stream.units.tolist()
            ]
        if self.name == "single_unit":
            single = self.lane("single_unit", context)
            other = self.lane(p.get("fallback") or "sort_zone", context)
            return [single if u == 1 else other for u in stream.units.tolist()]
        lane = self.lane(self.name, context)
        return [lane] * len(stream)

    def plan_with_routes(
        self, stream: OrderStream, context: StrategyContext, label: str
    ) -> PlannedWork:
        """Like :meth:`plan`, also returning the routes kept for drawing."""
        lanes = self.lanes_of(stream, context)
        fallback = self.lane("sort_zone", context)
        return plan_lanes(label, stream, lanes, context, fallback)

    def plan(self, stream: OrderStream, context: StrategyContext, label: str) -> Work:
        """Plan ``stream`` (see :class:`wms.strategies.base.Strategy`)."""
        return self.plan_with_routes(stream, context, label).work


def get_strategy(name: str, params: Mapping[str, Any] | None = None) -> RuleStrategy:
    """The strategy ``name`` with ``params`` (missing ones take their defaults).

    Raises
    ------
    ValueError
        For an unknown name or parameter, listing the valid ones.
    """
    if name not in STRATEGIES:
        hint = difflib.get_close_matches(name, list(STRATEGIES), n=1)
        raise ValueError(
            f"unknown strategy {name!r}"
            + (f"; did you mean {hint[0]!r}?" if hint else "")
            + f" (strategies: {', '.join(STRATEGIES)})"
        )
    merged = dict(STRATEGIES[name])
    for key, value in (params or {}).items():
        if key not in merged:
            raise ValueError(
                f"strategy {name!r} has no parameter {key!r} (its parameters: "
                f"{', '.join(STRATEGIES[name]) or 'none'})"
            )
        merged[key] = value
    for key in ("fallback", "singles", "small", "large"):
        if merged.get(key) is not None and merged[key] not in LANES:
            raise ValueError(f"strategy {name!r}: {key} must be one of {', '.join(LANES)}")
    return RuleStrategy(name, merged)
