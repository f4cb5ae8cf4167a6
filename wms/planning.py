"""The pick-list planning API: orders, SKU catalogue and layout in; waves of pick lists out.

>>> plan = plan_picklists(orders, catalog, layout, PlanConfig(strategy="cart"))  # doctest: +SKIP
>>> plan.to_dataframe()  # one row per stop, lists in walking order          # doctest: +SKIP

What happens, for each wave released by :func:`wms.waves.release.release_waves`:

1. every order line is resolved to its SKU's pick location (its first location), zone and
   handling class;
2. orders are cut into parts that may not share a list (zones, separated handling classes), cart
   orders are packed into totes, and parts too large for one list are split or reported
   (:mod:`wms.waves.split`);
3. parts of one segment are grouped into lists by the batching method of the configuration
   (:func:`wms.batching.batch`, loads per dimension: units, kg, litres, lines, orders, totes);
4. every list is routed with :func:`wms.routing.route` and its stops are emitted in the route's
   pick order, each with its order, order line and (on a cart) tote;
5. totals and a duration estimate from the :class:`~wms.model.TimeStandards` complete the list.

Nothing is dropped silently: an order that cannot be planned is reported in
:attr:`Plan.unassigned` with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from wms.errors import ConfigError, OrderError, RoutingError, WmsError
from wms.model import (
    Device,
    Order,
    PickList,
    PickStop,
    Plan,
    Route,
    Sku,
    TimeStandards,
    Unassigned,
    Wave,
)
from wms.waves.config import PlanConfig, Strategy
from wms.waves.release import release_waves
from wms.waves.split import Failure, Item, Limits, Part, Segment, fit_part, group_parts
from wms.waves.split import pack_part as _pack_part
from wms.waves.split import segment_order as _segment_order
from wms.waves.totes import number_totes

if TYPE_CHECKING:
    from wms.layout import Layout

__all__ = ["PlanConfig", "end_point", "plan_picklists", "resolve_routing"]


def _config(config: PlanConfig | Mapping[str, object] | None) -> PlanConfig:
    if config is None:
        return PlanConfig()
    if isinstance(config, PlanConfig):
        return config
    try:
        return PlanConfig.model_validate(config)
    except ValidationError as exc:
        raise ConfigError(f"planning configuration: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    return f"{where}: {err['msg']}"


def _catalog(catalog: Mapping[str, Sku] | Iterable[Sku]) -> dict[str, Sku]:
    if isinstance(catalog, Mapping):
        out: dict[str, Sku] = {}
        for key, sku in catalog.items():
            if not isinstance(sku, Sku):
                raise OrderError(f"catalogue entry {key!r} is not a Sku: {sku!r}")
            if key != sku.sku_id:
                raise OrderError(f"catalogue key {key!r} differs from its SKU id {sku.sku_id!r}")
            out[key] = sku
        return out
    out = {}
    for sku in catalog:
        if not isinstance(sku, Sku):
            raise OrderError(f"catalogue entry is not a Sku: {sku!r}")
        if sku.sku_id in out:
            raise OrderError(f"duplicate SKU id {sku.sku_id!r} in the catalogue")
        out[sku.sku_id] = sku
    return out


def resolve_routing(layout: Layout, name: str | None) -> str:
    """The routing method to use on ``layout``: ``name`` if given, else the best that applies.

    Without a name: ``"optimal"`` when registered for the layout's kind, else ``"tsp"``, else any
    method serving the layout. Raises :class:`~wms.errors.ConfigError` naming the valid methods.
    """
    from wms.routing import METHODS

    kind = layout.kind
    served = sorted(n for n, m in METHODS.items() if kind in m.layouts)
    if name is not None:
        if name not in METHODS:
            raise ConfigError(
                f"unknown routing method {name!r}; choose one of: {', '.join(sorted(METHODS))}"
            )
        if kind not in METHODS[name].layouts:
            raise ConfigError(
                f"routing method {name!r} does not apply to {kind} layouts; use one of: "
                f"{', '.join(served)}"
            )
        return name
    for preferred in ("optimal", "tsp"):
        if preferred in served:
            return preferred
    if not served:
        raise ConfigError(f"no routing method is registered for {kind} layouts")
    return served[0]


#: Routing method batching measures candidate lists with by default: fast and close to optimal.
#: Exact multi-block routing is too slow for the thousands of evaluations a search makes.
BATCHING_ROUTING = "combined"


def _batching_routing(layout: Layout, name: str | None, plan_routing: str) -> str:
    """``name`` if given, else :data:`BATCHING_ROUTING` where it applies, else the plan's."""
    if name is not None:
        return resolve_routing(layout, name)
    try:
        return resolve_routing(layout, BATCHING_ROUTING)
    except ConfigError:
        return plan_routing


def _check_batching(method: str) -> None:
    from wms.batching import METHODS

    if method not in METHODS:
        raise ConfigError(
            f"unknown batching method {method!r}; choose one of: {', '.join(sorted(METHODS))}"
        )


def end_point(layout: Layout, strategy: str, config: PlanConfig) -> str:
    """Where a list ends: the configured end; else, for batch lists, the sort zone; else the
    layout's end (the pack area), its first pack station, or the start."""
    if config.end is not None:
        return config.end
    sort_zone: str | None = getattr(layout, "sort_zone", None)
    packs: tuple[str, ...] = tuple(getattr(layout, "pack_stations", ()))
    if strategy == "batch" and sort_zone:
        return sort_zone
    if layout.end:
        return layout.end
    if strategy != "batch" and packs:
        return packs[0]
    return config.start or layout.depot


#: A lane is how a part is picked: a strategy (``"batch"``, ``"cart"``, ``"singles"``) or
#: ``"handling:<class>"`` for a separated handling class with a device of its own (batch-picked).
Lane = str

_HANDLING = "handling:"


def _strategy_of(lane: Lane) -> Strategy:
    return "batch" if lane.startswith(_HANDLING) else lane  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class _Job:
    """One batching problem: the parts of one segment of one wave in one lane."""

    wave: int
    lane: Lane
    segment: Segment
    parts: tuple[Part, ...]


class _Planner:
    """State shared by the steps of one :func:`plan_picklists` call."""

    def __init__(
        self,
        orders: Sequence[Order],
        skus: dict[str, Sku],
        layout: Layout,
        cfg: PlanConfig,
    ) -> None:
        self.orders = orders
        self.skus = skus
        self.layout = layout
        self.cfg = cfg
        self.routing = resolve_routing(layout, cfg.routing)
        self.fallback_routing: str | None = None
        if cfg.routing is None and self.routing == "optimal":
            try:
                self.fallback_routing = resolve_routing(layout, "tsp")
            except ConfigError:
                self.fallback_routing = None
        self.batch_routing = _batching_routing(layout, cfg.batching.routing, self.routing)
        _check_batching(cfg.batching.method)
        from wms.batching import METHODS as BATCHING_METHODS

        self.singles_method = (
            cfg.batching.singles_method
            if cfg.batching.singles_method in BATCHING_METHODS
            else cfg.batching.method
        )
        for cls in cfg.handling_devices:
            if cls not in cfg.split.separate_handling:
                raise ConfigError(
                    f"handling_devices names handling class {cls!r}, which is not in "
                    f"split.separate_handling {list(cfg.split.separate_handling)}: only separated "
                    "classes have lists of their own"
                )
        try:
            self.devices: dict[Lane, Device] = {
                "batch": cfg.devices.batch.to_device(),
                "cart": cfg.devices.cart.to_device(),
                "singles": cfg.devices.singles.to_device(),
            }
            for cls, dev in cfg.handling_devices.items():
                self.devices[_HANDLING + cls] = dev.to_device()
            self.standards: TimeStandards = cfg.time_standards.to_standards()
        except ValueError as exc:
            raise ConfigError(f"planning configuration: {exc}") from None
        self.limits = {lane: Limits.of(d, cfg.split) for lane, d in self.devices.items()}
        self.start = cfg.start or layout.depot
        configs = {
            "batch": cfg.devices.batch,
            "cart": cfg.devices.cart,
            "singles": cfg.devices.singles,
            **{_HANDLING + cls: dev for cls, dev in cfg.handling_devices.items()},
        }
        self.ends = {
            lane: configs[lane].end or end_point(layout, _strategy_of(lane), cfg)
            for lane in self.devices
        }
        for name in (self.start, *self.ends.values()):
            layout.point(name)  # raises a LayoutError listing the defined points

    # -- 1. resolve lines ------------------------------------------------------------------
    def resolve(self, pos: int, order: Order) -> list[Item] | Failure:
        """The order's lines as :class:`Item` objects, or why they cannot be picked."""
        loc = self.layout.locations
        items: list[Item] = []
        for k, line in enumerate(order.lines):
            sku = self.skus.get(line.sku_id)
            where = f"order {order.order_id!r}, line index {k}"
            if sku is None:
                return Failure(
                    "unknown_sku",
                    f"{where}: unknown SKU {line.sku_id!r} (not in the catalogue of "
                    f"{len(self.skus)} SKUs)",
                    line.sku_id,
                    line.quantity,
                )
            if sku.pick_location is None:
                return Failure(
                    "sku_without_location",
                    f"{where}: SKU {sku.sku_id!r} has no storage location",
                    sku.sku_id,
                    line.quantity,
                )
            try:
                index = loc.index(sku.pick_location)
            except WmsError:
                return Failure(
                    "unknown_location",
                    f"{where}: SKU {sku.sku_id!r} is stored at {sku.pick_location!r}, which is "
                    f"not a location of layout {self.layout.name!r}",
                    sku.sku_id,
                    line.quantity,
                )
            items.append(
                Item(
                    order=pos,
                    order_id=order.order_id,
                    line=k,
                    sku_id=sku.sku_id,
                    location=index,
                    quantity=line.quantity,
                    unit_weight_kg=float(sku.weight_kg),
                    unit_volume_l=float(sku.volume_l),
                    zone=loc.zone_of(index),
                    handling_class=sku.handling_class,
                )
            )
        return items

    # -- 2. parts ----------------------------------------------------------------------------
    def parts_of(self, items: list[Item], strategy: Strategy) -> list[tuple[Lane, Part]] | Failure:
        """Choose how the order is picked and cut it into parts that each fit into one list."""
        order = self.orders[items[0].order]
        rules = self.cfg.split
        if strategy == "singles" and order.units != 1:
            fallback = self.cfg.singles.fallback
            if fallback == "unassigned":
                return Failure(
                    "not_single_unit",
                    f"order {order.order_id!r} has {order.units} units; the singles strategy "
                    "plans single-unit orders only (set singles.fallback to plan the others)",
                )
            strategy = fallback
        lanes: list[tuple[Lane, Part]] = []
        for part in _segment_order(items[0].order, items, rules):
            handling = part.segment[1]
            own = handling is not None and handling in self.cfg.handling_devices
            lanes.append((f"{_HANDLING}{handling}" if own else str(strategy), part))
        if strategy == "cart":
            device = self.devices["cart"]
            oversize = self.cfg.cart.oversize
            for k, (part_lane, part) in enumerate(lanes):
                if part_lane != "cart":
                    continue
                got = _pack_part(part, device)
                if isinstance(got, Failure) or got.n_totes > 1:
                    if oversize == "batch":
                        return self.parts_of(items, "batch")
                    if isinstance(got, Failure):
                        return got
                    if oversize == "unassigned":
                        return Failure(
                            "order_too_large_for_tote",
                            f"order {order.order_id!r} needs {got.n_totes} totes of "
                            f"{device.name!r}; cart.oversize is 'unassigned'",
                        )
                lanes[k] = (part_lane, got)
        fitted: list[tuple[Lane, Part]] = []
        for part_lane, part in lanes:
            pieces = fit_part(part, self.limits[part_lane], rules.split_orders)
            if isinstance(pieces, Failure):
                return pieces
            fitted.extend((part_lane, piece) for piece in pieces)
        return fitted

    # -- 4. lists ----------------------------------------------------------------------------
    def route(self, locations: NDArray[np.int64], lane: Lane) -> tuple[Route, str]:
        """Route the distinct locations of a list; fall back to "tsp" where "optimal" fails."""
        from wms.routing import RoutingProblem, route

        problem = RoutingProblem(self.layout, locations, self.start, self.ends[lane])
        try:
            return route(problem, self.routing), self.routing
        except RoutingError:
            if self.fallback_routing is None:
                raise
            return route(problem, self.fallback_routing), self.fallback_routing

    def lengths(self, lists: Sequence[tuple[Lane, NDArray[np.int64]]]) -> list[tuple[float, str]]:
        """Only the route lengths of many lists, one compiled batch call per lane (no walks)."""
        from wms.routing import PickLists, route_many

        out: list[tuple[float, str]] = [(0.0, self.routing)] * len(lists)
        by_lane: dict[Lane, list[int]] = {}
        for k, (lane, _) in enumerate(lists):
            by_lane.setdefault(lane, []).append(k)
        for lane, members in by_lane.items():
            batch = PickLists.from_lists([lists[k][1].tolist() for k in members])
            start, end = self.start, self.ends[lane]
            method = self.routing
            try:
                got = route_many(self.layout, batch, method, start, end)
            except RoutingError:
                if self.fallback_routing is None:
                    raise
                method = self.fallback_routing
                got = route_many(self.layout, batch, method, start, end)
            for k, length in zip(members, got.tolist(), strict=True):
                out[k] = (float(length), method)
        return out

    @staticmethod
    def locations_of(parts: Sequence[Part]) -> NDArray[np.int64]:
        """The distinct locations of a list's parts, ascending."""
        return np.unique(
            np.fromiter((it.location for p in parts for it in p.items), dtype=np.int64)
        )

    def build_list(
        self,
        list_id: str,
        wave_id: str,
        lane: Lane,
        parts: Sequence[Part],
        measured: tuple[float, str] | None = None,
    ) -> PickList:
        """Route one list and emit its stops in walking order, with totes on a cart.

        With ``measured`` (length and method from :meth:`lengths`) the walk is not rebuilt and
        the stops come in location order.
        """
        locations = self.locations_of(parts)
        rt: Route | None = None
        if measured is None:
            rt, method = self.route(locations, lane)
            sequence: Sequence[int] = rt.pick_sequence
            length = float(rt.length_m)
        else:
            length, method = measured
            sequence = range(locations.size)
        if sorted(sequence) != list(range(locations.size)):
            raise RuntimeError(
                f"routing method {method!r} did not visit each of the {locations.size} "
                f"locations of pick list {list_id!r} exactly once"
            )
        rank = {int(locations[k]): r for r, k in enumerate(sequence)}

        # Entries: (walk rank, part, local tote, item); a location's entries are consecutive.
        entries = sorted(
            (
                (rank[it.location], k, p.tote_of[j] if p.n_totes else -1, j, it)
                for k, p in enumerate(parts)
                for j, it in enumerate(p.items)
            ),
            key=lambda e: e[:4],
        )
        cart = lane == "cart"
        tote_no: dict[tuple[int, int], int] = (
            number_totes([(k, t) for _, k, t, _, _ in entries]) if cart else {}
        )
        quantity: dict[tuple[int, int, int, int], int] = {}
        item_of: dict[tuple[int, int, int, int], Item] = {}
        for r, k, t, _, it in entries:
            key = (r, tote_no[(k, t)] if cart else 0, it.order, it.line)
            quantity[key] = quantity.get(key, 0) + it.quantity
            item_of.setdefault(key, it)
        loc = self.layout.locations
        stops: list[PickStop] = []
        for seq_no, key in enumerate(sorted(quantity), start=1):
            it = item_of[key]
            stops.append(
                PickStop(
                    sequence=seq_no,
                    location_id=loc.ids[it.location],
                    sku_id=it.sku_id,
                    quantity=quantity[key],
                    order_id=it.order_id,
                    tote=key[1] if cart else None,
                    x_m=float(loc.x_m[it.location]),
                    y_m=float(loc.y_m[it.location]),
                    line=it.line,
                )
            )
        items = [it for p in parts for it in p.items]
        zones = {it.zone for it in items}
        classes = {it.handling_class for it in items}
        units = sum(it.quantity for it in items)
        device = self.devices[lane]
        return PickList(
            list_id=list_id,
            wave_id=wave_id,
            strategy=_strategy_of(lane),
            zone=next(iter(zones)) if len(zones) == 1 else None,
            handling_class=next(iter(classes)) if len(classes) == 1 else None,
            device=device.name,
            stops=tuple(stops),
            units=units,
            lines=len({(it.order, it.line) for it in items}),
            weight_kg=float(sum(it.weight_kg for it in items)),
            volume_l=float(sum(it.volume_l for it in items)),
            route_length_m=length,
            estimated_duration_s=self.standards.pick_list_duration_s(length, units, cart=cart),
            orders=tuple(dict.fromkeys(s.order_id for s in stops)),
            routing=method,
            start=self.start,
            end=self.ends[lane],
            route=rt,
        )


def plan_picklists(
    orders: Iterable[Order],
    catalog: Mapping[str, Sku] | Iterable[Sku],
    layout: Layout,
    config: PlanConfig | Mapping[str, object] | None = None,
    *,
    now: datetime | None = None,
    walk_order: bool = True,
) -> Plan:
    """Plan waves and pick lists (stops in walking order) for ``orders``.

    Parameters
    ----------
    orders
        The orders to plan; ids must be unique.
    catalog
        The SKU master: ``{sku_id: Sku}`` or an iterable of :class:`~wms.model.Sku`.
    layout
        The warehouse (:func:`wms.layout.schema.load_layout`); SKU locations are its location ids.
    config
        A :class:`~wms.waves.config.PlanConfig` or a dict of the same shape (default: batch
        picking, on-demand waves by cutoff hour, default devices and split rules).
    now
        Release time of on-demand waves (and the schedule origin when no order has a cutoff).
    walk_order
        Route every list and emit its stops in walking order (the default). With ``False`` only
        the route length is computed (the compiled batch path, many times faster on multi-block
        layouts), stops come in location order and ``PickList.route`` is ``None``: enough for
        simulation, which needs lengths and contents, not the walk.

    Returns
    -------
    Plan
        Waves with their pick lists; orders that cannot be planned are in ``Plan.unassigned``.

    Raises
    ------
    OrderError
        Duplicate order ids; with ``invalid_orders="raise"`` (the default) also an order naming an
        unknown SKU, an SKU without location, or a location the layout does not have.
    ConfigError
        An invalid configuration (unknown routing or batching method, bad values).
    LayoutError
        A start or end point the layout does not define.
    """
    cfg = _config(config)
    order_list = list(orders)
    seen: dict[str, int] = {}
    for i, o in enumerate(order_list):
        if not isinstance(o, Order):
            raise OrderError(f"orders[{i}] is not an Order: {o!r}")
        if o.order_id in seen:
            raise OrderError(
                f"duplicate order id {o.order_id!r} (orders {seen[o.order_id]} and {i}): "
                "order ids must be unique"
            )
        seen[o.order_id] = i
    planner = _Planner(order_list, _catalog(catalog), layout, cfg)

    resolved: list[list[Item] | Failure] = []
    for i, o in enumerate(order_list):
        got = planner.resolve(i, o)
        if isinstance(got, Failure) and cfg.invalid_orders == "raise":
            raise OrderError(got.message)
        resolved.append(got)

    releases = release_waves(order_list, cfg.release, now)
    unassigned: list[Unassigned] = []
    jobs: dict[tuple[int, Lane, Segment], list[Part]] = {}
    for w, rel in enumerate(releases):
        for pos in rel.orders:
            got = resolved[pos]
            planned = got if isinstance(got, Failure) else planner.parts_of(got, cfg.strategy)
            if isinstance(planned, Failure):
                unassigned.append(
                    Unassigned(
                        order_id=order_list[pos].order_id,
                        reason=planned.reason,
                        message=planned.message,
                        wave_id=rel.wave_id,
                        sku_id=planned.sku_id,
                        quantity=planned.quantity,
                    )
                )
                continue
            for lane, part in planned:
                jobs.setdefault((w, lane, part.segment), []).append(part)

    job_list = [_Job(w, s, seg, tuple(parts)) for (w, s, seg), parts in jobs.items()]
    total_parts = sum(len(j.parts) for j in job_list) or 1
    lists_of_wave: dict[int, list[tuple[Lane, list[Part]]]] = {}
    for j, job in enumerate(job_list):
        seed = int(np.random.SeedSequence([cfg.batching.seed, j]).generate_state(1)[0])
        method = planner.singles_method if job.lane == "singles" else cfg.batching.method
        groups = group_parts(
            job.parts,
            planner.limits[job.lane],
            layout,
            method=method,
            routing=planner.batch_routing,
            time_limit_s=cfg.batching.time_limit_s * len(job.parts) / total_parts,
            max_iterations=cfg.batching.max_iterations,
            seed=seed,
            start=planner.start,
            end=planner.ends[job.lane],
        )
        for g in groups:
            lists_of_wave.setdefault(job.wave, []).append((job.lane, [job.parts[k] for k in g]))

    waves: list[Wave] = []
    for w, rel in enumerate(releases):
        pick_lists = []
        wave_lists = lists_of_wave.get(w, [])
        measured: list[tuple[float, str] | None] = [None] * len(wave_lists)
        if not walk_order:
            measured = list(
                planner.lengths([(lane, planner.locations_of(parts)) for lane, parts in wave_lists])
            )
        for k, (lane, parts) in enumerate(wave_lists, start=1):
            pick_lists.append(
                planner.build_list(
                    f"{rel.wave_id}-L{k:03d}", rel.wave_id, lane, parts, measured[k - 1]
                )
            )
        waves.append(
            Wave(
                wave_id=rel.wave_id,
                release_at=rel.release_at,
                key=rel.key,
                order_ids=tuple(order_list[p].order_id for p in rel.orders),
                pick_lists=tuple(pick_lists),
            )
        )
    return Plan(waves=tuple(waves), unassigned=tuple(unassigned))
