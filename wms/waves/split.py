"""Pick-list splitting within a wave: order parts, capacity limits, grouping by the batching API.

The steps, for the orders of one wave and one strategy:

1. :func:`segment_order` cuts an order into *parts* that may not share a list with each other:
   one part per zone when lists may not mix zones, and one per separated handling class (bulky,
   fragile...). Parts of one order are consolidated after picking.
2. :func:`pack_part` (pick-and-sort cart only) packs a part into totes, one order per tote.
3. :func:`fit_part` checks a part against the list limits (:class:`Limits`: device capacity and
   split rules, one dimension each for units, weight, volume, lines, orders, totes); a part that
   is too large is split by line and quantity when the rules allow, or reported.
4. :func:`group_parts` chooses which parts share a list with a batching method of
   :mod:`wms.batching` (loads per dimension, capacity per list), and checks that the result keeps
   every limit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from wms.model import Device
from wms.waves.config import SplitRules
from wms.waves.totes import ToteCapacity, ToteItem, pack_totes

_EPS = 1e-9

#: Every capacity dimension a list may be limited in, in this order.
DIMENSIONS: tuple[str, ...] = ("units", "weight_kg", "volume_l", "lines", "orders", "totes")

#: ``(zone, handling class)`` of a part; ``None`` where the rules do not separate.
Segment = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class Item:
    """An order line (or a piece of one) resolved to its pick location.

    ``order`` is the position of the order in the planner's order sequence, ``line`` the index of
    the line in the order, ``location`` the layout location index.
    """

    order: int
    order_id: str
    line: int
    sku_id: str
    location: int
    quantity: int
    unit_weight_kg: float
    unit_volume_l: float
    zone: str | None
    handling_class: str

    @property
    def weight_kg(self) -> float:
        """Weight of the item's units."""
        return self.quantity * self.unit_weight_kg

    @property
    def volume_l(self) -> float:
        """Volume of the item's units."""
        return self.quantity * self.unit_volume_l


@dataclass(frozen=True, slots=True)
class Part:
    """Items of one order that travel on one pick list.

    On a cart, ``tote_of[k]`` is the part's own tote (0-based) item ``k`` goes into and
    ``n_totes`` the number of totes; for a shared container both are empty/zero.
    """

    order: int
    segment: Segment
    items: tuple[Item, ...]
    tote_of: tuple[int, ...] = ()
    n_totes: int = 0

    @property
    def order_id(self) -> str:
        """Id of the order the part belongs to."""
        return self.items[0].order_id

    def load(self) -> NDArray[np.float64]:
        """Load in every dimension of :data:`DIMENSIONS`."""
        units = weight = volume = 0.0
        lines: set[int] = set()
        for it in self.items:  # one pass: this runs for every part of a day's orders
            units += it.quantity
            weight += it.quantity * it.unit_weight_kg
            volume += it.quantity * it.unit_volume_l
            lines.add(it.line)
        return np.array([units, weight, volume, len(lines), 1.0, self.n_totes], dtype=np.float64)

    def locations(self) -> NDArray[np.int64]:
        """Distinct pick locations, ascending."""
        return np.array(sorted({it.location for it in self.items}), dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Failure:
    """Why an order cannot be planned: reason code, message, and the line at fault if any."""

    reason: str
    message: str
    sku_id: str | None = None
    quantity: int | None = None


@dataclass(frozen=True, eq=False)
class Limits:
    """The limits every pick list of one strategy keeps: the finite dimensions of the capacity.

    Attributes
    ----------
    dims
        Names of the limited dimensions (a subset of :data:`DIMENSIONS`, same order).
    capacity
        Limit per dimension.
    """

    dims: tuple[str, ...]
    capacity: NDArray[np.float64]
    _idx: NDArray[np.int64] = field(init=False, repr=False)
    _limit: NDArray[np.float64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Positions of the limited dimensions, computed once: excess() runs for every part.
        idx = np.array([DIMENSIONS.index(d) for d in self.dims], dtype=np.int64)
        object.__setattr__(self, "_idx", idx)
        object.__setattr__(self, "_limit", self.capacity + _EPS)

    @classmethod
    def of(cls, device: Device, rules: SplitRules) -> Limits:
        """Limits of a list on ``device`` under ``rules`` (the tighter of the two per dimension)."""

        def lim(*values: float | None) -> float:
            return min((float(v) for v in values if v is not None), default=math.inf)

        caps = {
            "units": lim(device.capacity_units, rules.max_units),
            "weight_kg": lim(device.capacity_weight_kg, rules.max_weight_kg),
            "volume_l": lim(device.capacity_volume_l, rules.max_volume_l),
            "lines": lim(rules.max_lines),
            "orders": lim(rules.max_orders),
            "totes": float(device.totes) if device.is_cart else math.inf,
        }
        dims = tuple(d for d in DIMENSIONS if math.isfinite(caps[d]))
        return cls(dims, np.array([caps[d] for d in dims], dtype=np.float64))

    def project(self, load: NDArray[np.float64]) -> NDArray[np.float64]:
        """The limited dimensions of a full :data:`DIMENSIONS` load vector (or matrix)."""
        return load[..., self._idx]

    def excess(self, load: NDArray[np.float64]) -> tuple[str, float, float] | None:
        """The first dimension where ``load`` (full vector) exceeds the limit, or ``None``."""
        proj = self.project(load)
        over = np.flatnonzero(proj > self._limit)
        if over.size == 0:
            return None
        d = int(over[0])
        return self.dims[d], float(proj[d]), float(self.capacity[d])

    def fits(self, load: NDArray[np.float64]) -> bool:
        """Whether ``load`` (full vector) keeps every limit."""
        return self.excess(load) is None

    def max_units_of(self, item: Item) -> int:
        """How many units of ``item``'s SKU one list can take (lines/orders/totes aside)."""
        caps = dict(zip(self.dims, self.capacity.tolist(), strict=True))
        fits = caps.get("units", math.inf)
        if item.unit_weight_kg > 0:
            fits = min(fits, caps.get("weight_kg", math.inf) / item.unit_weight_kg)
        if item.unit_volume_l > 0:
            fits = min(fits, caps.get("volume_l", math.inf) / item.unit_volume_l)
        return 2**62 if math.isinf(fits) else math.floor(fits + _EPS)


def _describe(segment: Segment) -> str:
    zone, handling = segment
    parts = []
    if zone is not None:
        parts.append(f"zone {zone!r}")
    if handling is not None:
        parts.append(f"handling class {handling!r}")
    return f" ({', '.join(parts)})" if parts else ""


def segment_order(order: int, items: Sequence[Item], rules: SplitRules) -> list[Part]:
    """Cut one order's items into parts by zone and separated handling class (see module doc).

    Parts come in order of their first line, so an order that needs no cut is one part.
    """
    separate = set(rules.separate_handling)
    groups: dict[Segment, list[Item]] = {}
    for it in items:
        seg: Segment = (
            it.zone if rules.by_zone else None,
            it.handling_class if it.handling_class in separate else None,
        )
        groups.setdefault(seg, []).append(it)
    return [Part(order, seg, tuple(its)) for seg, its in groups.items()]


def pack_part(part: Part, device: Device) -> Part | Failure:
    """Pack a part into the totes of ``device`` (a cart): one order per tote.

    Returns the part with :attr:`Part.tote_of` filled, its items split by quantity where a line
    spans totes, or a :class:`Failure` when one unit of a line does not fit into a tote.
    """
    cap = ToteCapacity(
        units=float(device.tote_units or math.inf),
        weight_kg=float(device.tote_weight_kg or math.inf),
        volume_l=float(device.tote_volume_l or math.inf),
    )
    units, weight, volume = part.load()[:3]
    fits = units <= cap.units + _EPS and weight <= cap.weight_kg + _EPS
    if fits and volume <= cap.volume_l + _EPS:
        # The usual case: the whole part fits one tote (what first-fit decreasing would find).
        ordered = sorted(part.items, key=lambda it: (it.location, it.line))
        return Part(part.order, part.segment, tuple(ordered), (0,) * len(ordered), 1)
    totes = pack_totes(
        [ToteItem(it.quantity, it.unit_weight_kg, it.unit_volume_l) for it in part.items], cap
    )
    if totes is None:
        bad = next(
            it for it in part.items if cap.max_units_of(it.unit_weight_kg, it.unit_volume_l) < 1
        )
        return Failure(
            "line_too_large",
            f"order {bad.order_id!r}, SKU {bad.sku_id!r} (line index {bad.line}): one unit "
            f"({bad.unit_weight_kg:g} kg, {bad.unit_volume_l:g} l) does not fit into a tote of "
            f"{device.name!r} ({_cap_text(cap)})",
            bad.sku_id,
            bad.quantity,
        )
    items: list[Item] = []
    tote_of: list[int] = []
    for t, content in enumerate(totes):
        for i, q in content:
            items.append(replace(part.items[i], quantity=q))
            tote_of.append(t)
    order = sorted(range(len(items)), key=lambda k: (items[k].location, items[k].line, tote_of[k]))
    return Part(
        part.order,
        part.segment,
        tuple(items[k] for k in order),
        tuple(tote_of[k] for k in order),
        len(totes),
    )


def _cap_text(cap: ToteCapacity) -> str:
    shown = [
        f"{v:g} {unit}"
        for v, unit in ((cap.units, "units"), (cap.weight_kg, "kg"), (cap.volume_l, "l"))
        if math.isfinite(v)
    ]
    return ", ".join(shown) or "unlimited"


def fit_part(part: Part, limits: Limits, split_orders: bool) -> list[Part] | Failure:
    """Check ``part`` against ``limits``; split it by line (and quantity) if allowed and needed.

    Parameters
    ----------
    part
        The order part (cart parts already packed into totes).
    limits
        The limits of one list.
    split_orders
        Whether a part too large for one list may be split over several lists.

    Returns
    -------
    list[Part] | Failure
        The part itself when it fits; else its pieces (each fits, locations in layout order); or
        a :class:`Failure` when splitting is not allowed or one unit (one tote on a cart) alone
        exceeds a limit.
    """
    excess = limits.excess(part.load())
    if excess is None:
        return [part]
    dim, need, cap = excess
    if not split_orders:
        return Failure(
            "order_too_large",
            f"order {part.order_id!r} needs {need:g} {dim} on one list{_describe(part.segment)} "
            f"but a list holds at most {cap:g}; allow split.split_orders or raise the limit",
        )
    if part.n_totes:
        return _split_cart_part(part, limits)
    return _split_part(part, limits)


def _split_part(part: Part, limits: Limits) -> list[Part] | Failure:
    """Next-fit over the items in location order; lines larger than a list are cut by quantity."""
    atoms: list[Item] = []
    for it in sorted(part.items, key=lambda it: (it.location, it.line)):
        per_list = limits.max_units_of(it)
        if per_list < 1:
            return Failure(
                "line_too_large",
                f"order {it.order_id!r}, SKU {it.sku_id!r} (line index {it.line}): one unit "
                f"({it.unit_weight_kg:g} kg, {it.unit_volume_l:g} l) exceeds the limits of a "
                f"list{_describe(part.segment)}",
                it.sku_id,
                it.quantity,
            )
        q = it.quantity
        while q > per_list:
            atoms.append(replace(it, quantity=per_list))
            q -= per_list
        atoms.append(replace(it, quantity=q))
    chunks: list[list[Item]] = []
    for atom in atoms:
        if chunks and limits.fits(Part(part.order, part.segment, (*chunks[-1], atom)).load()):
            chunks[-1].append(atom)
        else:
            chunks.append([atom])
    return [Part(part.order, part.segment, tuple(c)) for c in chunks]


def _split_cart_part(part: Part, limits: Limits) -> list[Part] | Failure:
    """Next-fit over whole totes (a tote's content never leaves its tote)."""
    totes: dict[int, list[Item]] = {}
    for it, t in zip(part.items, part.tote_of, strict=True):
        totes.setdefault(t, []).append(it)
    chunks: list[list[list[Item]]] = []

    def as_part(tote_list: list[list[Item]]) -> Part:
        items = [it for tote in tote_list for it in tote]
        tote_of = [k for k, tote in enumerate(tote_list) for _ in tote]
        return Part(part.order, part.segment, tuple(items), tuple(tote_of), len(tote_list))

    for t in sorted(totes):
        tote = totes[t]
        single = as_part([tote])
        excess = limits.excess(single.load())
        if excess is not None:
            dim, need, cap = excess
            return Failure(
                "order_too_large",
                f"order {part.order_id!r}: one tote holds {need:g} {dim} but a list holds at "
                f"most {cap:g}{_describe(part.segment)}",
            )
        if chunks and limits.fits(as_part([*chunks[-1], tote]).load()):
            chunks[-1].append(tote)
        else:
            chunks.append([tote])
    return [as_part(c) for c in chunks]


def group_parts(
    parts: Sequence[Part],
    limits: Limits,
    layout: object,
    *,
    method: str,
    routing: str,
    time_limit_s: float,
    max_iterations: int | None,
    seed: int,
    start: str | None,
    end: str | None,
) -> list[list[int]]:
    """Group parts (each within ``limits``) into lists with the batching method ``method``.

    Parameters
    ----------
    parts
        Parts of one segment of one wave; each fits into a list on its own.
    limits
        Capacity of a list per dimension (the batching problem's loads and capacity).
    layout
        The layout the lists are walked on.
    method, routing
        Batching method (:data:`wms.batching.METHODS`) and the routing method it measures lists
        with.
    time_limit_s, max_iterations, seed
        Search budget and seed of the batching method.
    start, end
        Start and end point names of the walks.

    Returns
    -------
    list[list[int]]
        Part indices per list, lists ordered by their first part. Every part is in exactly one
        list and no list exceeds a limit (checked: a batching method that breaks a limit is a
        bug and raises ``RuntimeError``).
    """
    n = len(parts)
    if n == 0:
        return []
    loads = np.stack([p.load() for p in parts])
    if not limits.dims:
        return [list(range(n))]
    proj = limits.project(loads)
    if np.all(proj.sum(axis=0) <= limits.capacity + _EPS):
        return [list(range(n))]

    from wms.batching import batch
    from wms.batching.base import BatchingParams, BatchingProblem
    from wms.routing.base import PickLists

    problem = BatchingProblem(
        layout,  # type: ignore[arg-type]
        PickLists.from_lists([p.locations() for p in parts]),
        proj,
        limits.capacity,
        limits.dims,
        routing,
        start,
        end,
    )
    params = (
        BatchingParams(time_limit_s=time_limit_s)
        if max_iterations is None
        else BatchingParams(time_limit_s=time_limit_s, max_iterations=max_iterations)
    )
    result = batch(problem, method=method, params=params, seed=seed)
    lists = [sorted(int(k) for k in b) for b in result.batches if len(b)]
    seen = sorted(k for b in lists for k in b)
    if seen != list(range(n)):
        raise RuntimeError(
            f"batching method {method!r} did not put every one of {n} orders in exactly one batch"
        )
    for b in lists:
        total = proj[b].sum(axis=0)
        over = np.flatnonzero(total > limits.capacity + _EPS)
        if over.size:
            d = int(over[0])
            raise RuntimeError(
                f"batching method {method!r} made a batch with {total[d]:g} {limits.dims[d]}, "
                f"over the capacity {limits.capacity[d]:g}"
            )
    lists.sort(key=lambda b: b[0])
    return lists
