"""Seeded generators of SKU catalogues (with slotting) and order streams for scenarios.

Every generator takes an explicit :class:`numpy.random.Generator`; the same parameters and the
same generator state give the same output, bit for bit. Parameters come in frozen dataclasses that
check themselves on construction (``ValueError`` naming the field and the allowed range).

* :func:`generate_catalog` draws SKUs (popularity ABC or Zipf, lognormal weights and volumes,
  bulky and fragile shares) and slots each one in its own storage location of a layout, randomly
  or class-based (popular SKUs nearest the depot by walking distance).
* :func:`generate_orders` draws the orders of a day: arrivals (a Poisson process over the day
  with an hourly peak profile, or waves), order sizes with a share of single-unit orders, lines,
  quantities, SKUs by popularity, channels, carriers with their cutoffs, and priorities.
  :func:`generate_order_arrivals` gives the same orders together with their arrival times.

Popularity lives in the catalogue: :func:`generate_catalog` returns the SKUs in popularity rank
order (most popular first) and marks each with a velocity class (``"A"``, ``"B"``, ``"C"``);
:class:`OrderParams` chooses how orders turn rank and class into demand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from wms.model import Order, OrderLine, Sku

if TYPE_CHECKING:
    from wms.layout import Layout

__all__ = [
    "CarrierParams",
    "CatalogParams",
    "OrderParams",
    "depot_distances",
    "generate_catalog",
    "generate_order_arrivals",
    "generate_orders",
    "sku_demand_weights",
]

VELOCITY_CLASSES: tuple[str, str, str] = ("A", "B", "C")


# -- validation helpers ----------------------------------------------------------------------------


def _check_share(owner: str, name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{owner}.{name} must be a number in [0, 1], got {value!r}")


def _check_positive(owner: str, name: str, value: float, *, allow_zero: bool = False) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{owner}.{name} must be a finite number {bound}, got {value!r}")


def _check_int(owner: str, name: str, value: int, lo: int, hi: int | None = None) -> None:
    bad = isinstance(value, bool) or not isinstance(value, int)
    if bad or value < lo or (hi is not None and value > hi):
        rng = f"in [{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ValueError(f"{owner}.{name} must be an integer {rng}, got {value!r}")


def _check_shares(owner: str, name: str, shares: tuple[float, ...], n: int | None = None) -> None:
    if n is not None and len(shares) != n:
        raise ValueError(f"{owner}.{name} needs {n} values, got {len(shares)}: {shares!r}")
    for s in shares:
        _check_positive(owner, name, s, allow_zero=True)
    if not shares or sum(shares) <= 0:
        raise ValueError(
            f"{owner}.{name} must hold shares >= 0 with a positive sum, got {shares!r}"
        )


# -- catalogue -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatalogParams:
    """How to draw a SKU catalogue and slot it in a layout.

    Attributes
    ----------
    n_skus
        Number of SKUs (>= 1); each gets its own storage location.
    popularity
        How the velocity classes A/B/C follow the popularity rank. ``"abc"``: by SKU count
        (``abc_sku_shares``: A = the first 20 % of the ranking...); ``"zipf"``: demand of rank
        ``r`` (0-based) proportional to ``1 / (r + 1) ** zipf_exponent``,
        classes A/B/C by cumulative demand (80 % / 15 % / 5 %).
    abc_sku_shares
        Shares of SKUs in classes A, B, C (normalised).
    zipf_exponent
        Zipf exponent (> 0), about 1 for e-commerce assortments.
    weight_median_kg, weight_sigma
        Lognormal unit weight: median and spread (sigma of the log) of normal and fragile SKUs.
    volume_median_l, volume_sigma
        Lognormal unit volume of normal and fragile SKUs.
    bulky_weight_median_kg, bulky_volume_median_l
        Medians of bulky SKUs (same spreads).
    bulky_share, fragile_share
        Shares of bulky and fragile SKUs (their sum at most 1).
    storage
        ``"random"``: any free location of the right kind; ``"class_based"``: by popularity rank,
        the most popular SKUs in the free locations nearest the depot (walking distance).
    sku_prefix
        Ids are ``f"{sku_prefix}{k:05d}"``, ``k = 1..n_skus`` in rank order.
    """

    n_skus: int = 1000
    popularity: Literal["abc", "zipf"] = "zipf"
    abc_sku_shares: tuple[float, float, float] = (0.2, 0.3, 0.5)
    zipf_exponent: float = 1.0
    weight_median_kg: float = 0.5
    weight_sigma: float = 0.8
    volume_median_l: float = 1.5
    volume_sigma: float = 0.8
    bulky_weight_median_kg: float = 15.0
    bulky_volume_median_l: float = 80.0
    bulky_share: float = 0.0
    fragile_share: float = 0.0
    storage: Literal["random", "class_based"] = "class_based"
    sku_prefix: str = "S"

    def __post_init__(self) -> None:
        o = "CatalogParams"
        _check_int(o, "n_skus", self.n_skus, 1)
        if self.popularity not in ("abc", "zipf"):
            raise ValueError(f"{o}.popularity must be 'abc' or 'zipf', got {self.popularity!r}")
        object.__setattr__(self, "abc_sku_shares", tuple(self.abc_sku_shares))
        _check_shares(o, "abc_sku_shares", self.abc_sku_shares, 3)
        _check_positive(o, "zipf_exponent", self.zipf_exponent)
        for name in (
            "weight_median_kg",
            "volume_median_l",
            "bulky_weight_median_kg",
            "bulky_volume_median_l",
        ):
            _check_positive(o, name, getattr(self, name))
        for name in ("weight_sigma", "volume_sigma"):
            _check_positive(o, name, getattr(self, name), allow_zero=True)
            if getattr(self, name) > 5:
                raise ValueError(f"{o}.{name} must be in [0, 5], got {getattr(self, name)!r}")
        _check_share(o, "bulky_share", self.bulky_share)
        _check_share(o, "fragile_share", self.fragile_share)
        if self.bulky_share + self.fragile_share > 1:
            raise ValueError(
                f"{o}.bulky_share + fragile_share must be <= 1, got "
                f"{self.bulky_share} + {self.fragile_share}"
            )
        if self.storage not in ("random", "class_based"):
            raise ValueError(f"{o}.storage must be 'random' or 'class_based', got {self.storage!r}")
        if not isinstance(self.sku_prefix, str) or not self.sku_prefix.strip():
            raise ValueError(f"{o}.sku_prefix must be a non-empty string, got {self.sku_prefix!r}")


def _abc_classes_by_count(n: int, shares: tuple[float, ...]) -> NDArray[np.int64]:
    cum = np.cumsum(np.asarray(shares, dtype=np.float64) / sum(shares))
    bounds = np.round(cum * n).astype(np.int64)
    return np.searchsorted(bounds, np.arange(n), side="right").clip(0, 2).astype(np.int64)


def _velocity_classes(params: CatalogParams) -> NDArray[np.int64]:
    """Class index (0 = A, 1 = B, 2 = C) of every popularity rank."""
    if params.popularity == "abc":
        return _abc_classes_by_count(params.n_skus, params.abc_sku_shares)
    demand = 1.0 / np.arange(1, params.n_skus + 1, dtype=np.float64) ** params.zipf_exponent
    demand /= demand.sum()
    before = np.cumsum(demand) - demand  # demand of the more popular SKUs
    return np.where(before < 0.80, 0, np.where(before < 0.95, 1, 2)).astype(np.int64)


def depot_distances(layout: Layout) -> NDArray[np.float64]:
    """Walking distance from the layout's depot to every storage location (m), by location index.

    Parameters
    ----------
    layout
        A rectangular or graph layout.

    Returns
    -------
    numpy.ndarray
        ``float64`` array of length ``len(layout.locations)``.
    """
    from wms.layout import RectangularLayout

    n = len(layout.locations)
    if isinstance(layout, RectangularLayout):
        depot = layout.net_point_of_point(layout.depot)
        return np.fromiter(
            (layout.distance(depot, layout.net_point_of_location(i)) for i in range(n)),
            dtype=np.float64,
            count=n,
        )
    source = np.array([layout.point_node(layout.depot)], dtype=np.int64)
    return layout.node_matrix(source, layout.locations.node)[0].copy()


def _location_pools(layout: Layout) -> dict[str | None, NDArray[np.int64]]:
    """Location indices by the handling class their zone is reserved for (``None``: general)."""
    loc = layout.locations
    handling_of_zone = np.array(
        [
            next((z.handling for z in layout.zones if z.name == name), None)
            for name in loc.zone_names
        ]
        + [None],
        dtype=object,
    )
    handling = handling_of_zone[loc.zone]  # zone -1 (no zone) picks the trailing None
    pools: dict[str | None, NDArray[np.int64]] = {}
    for h in dict.fromkeys(handling.tolist()):
        pools[h] = np.flatnonzero(handling == h).astype(np.int64)
    pools.setdefault(None, np.empty(0, dtype=np.int64))
    return pools


def generate_catalog(
    layout: Layout, params: CatalogParams, rng: np.random.Generator
) -> dict[str, Sku]:
    """Draw a SKU catalogue and slot it in ``layout``, one SKU per location.

    Bulky SKUs go to zones whose ``handling`` is ``bulky`` and fragile SKUs to ``fragile`` zones
    when the layout has such zones (else to the general locations); other SKUs never take a
    location of a zone reserved for a handling class. No location holds two SKUs.

    Parameters
    ----------
    layout
        The layout to slot the SKUs in.
    params
        Catalogue parameters.
    rng
        Random generator (the only source of randomness).

    Returns
    -------
    dict[str, Sku]
        SKUs by id in popularity rank order (most popular first), each with one location and its
        velocity class.

    Raises
    ------
    ValueError
        When there are more SKUs of a kind than free locations for them, naming the counts.
    """
    n = params.n_skus
    classes = _velocity_classes(params)
    n_bulky = round(params.bulky_share * n)
    n_fragile = min(round(params.fragile_share * n), n - n_bulky)
    kinds = np.full(n, "normal", dtype=object)
    special = rng.permutation(n)[: n_bulky + n_fragile]
    kinds[special[:n_bulky]] = "bulky"
    kinds[special[n_bulky:]] = "fragile"

    weight = rng.lognormal(math.log(params.weight_median_kg), params.weight_sigma, n)
    volume = rng.lognormal(math.log(params.volume_median_l), params.volume_sigma, n)
    bulky = kinds == "bulky"
    weight[bulky] *= params.bulky_weight_median_kg / params.weight_median_kg
    volume[bulky] *= params.bulky_volume_median_l / params.volume_median_l

    pools = _location_pools(layout)
    if n > len(layout.locations):
        raise ValueError(
            f"CatalogParams.n_skus={n} exceeds the {len(layout.locations)} storage locations of "
            f"layout {layout.name!r}: every SKU needs a location of its own"
        )
    dist = depot_distances(layout) if params.storage == "class_based" else None
    # The pool each SKU is slotted in: its handling class's zones, else the general locations
    # (then it is slotted by rank together with the normal SKUs).
    pool_of = np.array(
        [k if k != "normal" and pools.get(k, np.empty(0)).size else None for k in kinds.tolist()],
        dtype=object,
    )
    location_of = np.full(n, -1, dtype=np.int64)
    for key in dict.fromkeys(pool_of.tolist()):
        members = np.flatnonzero(pool_of == key)  # in rank order
        pool = pools[key]
        if members.size > pool.size:
            what = "normal" if key is None else str(key)
            where = "general locations" if key is None else f"locations in {key!r} zones"
            raise ValueError(
                f"{members.size} {what} SKUs do not fit: layout {layout.name!r} has "
                f"{pool.size} {where}; lower CatalogParams.n_skus or the {what} share"
            )
        if dist is None:
            chosen = rng.permutation(pool)[: members.size]
        else:
            chosen = pool[np.argsort(dist[pool], kind="stable")][: members.size]
        location_of[members] = chosen

    ids = layout.locations.ids
    out: dict[str, Sku] = {}
    for r in range(n):
        sku_id = f"{params.sku_prefix}{r + 1:05d}"
        out[sku_id] = Sku(
            sku_id=sku_id,
            weight_kg=round(float(weight[r]), 3),
            volume_l=round(float(volume[r]), 3),
            handling_class=str(kinds[r]),
            locations=(ids[int(location_of[r])],),
            velocity_class=VELOCITY_CLASSES[int(classes[r])],
        )
    return out


# -- orders ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CarrierParams:
    """A carrier with its daily pick-up (cutoff) time and its share of the orders."""

    name: str
    cutoff: time
    share: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"CarrierParams.name must be a non-empty string, got {self.name!r}")
        if not isinstance(self.cutoff, time):
            raise ValueError(
                f"CarrierParams.cutoff of {self.name!r} must be a time of day, got {self.cutoff!r}"
            )
        _check_positive("CarrierParams", "share", self.share)


def _flat_day() -> tuple[float, ...]:
    return (1.0,) * 24


@dataclass(frozen=True, slots=True)
class OrderParams:
    """How to draw the orders of one day (or shift).

    Attributes
    ----------
    n_orders
        Number of orders (>= 1); with ``count="poisson"`` the expected number.
    count
        ``"exact"``: exactly ``n_orders`` (a Poisson process conditioned on its count);
        ``"poisson"``: the count itself is Poisson distributed.
    arrival
        ``"poisson"``: a non-homogeneous Poisson process whose rate in hour ``h`` of the day is
        proportional to ``hourly_rates[h]``; ``"waves"``: orders arrive in batches at
        ``wave_times`` (e.g. marketplace imports), shares ``wave_shares``.
    hourly_rates
        24 relative rates (>= 0, positive sum), hour 0 = 00:00-01:00. Zero outside a shift.
    wave_times, wave_shares
        Wave arrival times and their shares of the orders (default equal).
    single_unit_share
        Share of orders of exactly one unit (default 0.5).
    lines
        Lines of a multi-unit order: ``"geometric"`` (1 + geometric) or ``"poisson"``
        (1 + Poisson), with mean ``mean_lines`` (>= 1) and at most ``max_lines``.
    mean_quantity, max_quantity
        Units per line: 1 + Poisson with mean ``mean_quantity`` (>= 1), at most ``max_quantity``
        (>= 2). A one-line multi-unit order gets at least 2 units.
    popularity
        SKU choice: ``"rank"`` (catalogue order, Zipf with ``zipf_exponent``), ``"abc"``
        (``abc_demand_shares`` over velocity classes A/B/C, uniform inside a class; an SKU
        without a class counts as C) or ``"uniform"``. The SKUs of one order are distinct.
    channels
        ``(name, share)`` pairs.
    carriers
        Carriers with their cutoffs and shares; the order's cutoff is the carrier's next cutoff
        after the arrival (the next day's when today's has passed). Empty: no carrier, no cutoff.
    priority_share
        Share of express orders (priority 1; others 0).
    order_prefix
        Ids are ``f"{order_prefix}{k:06d}"`` in arrival order.
    """

    n_orders: int = 1000
    count: Literal["exact", "poisson"] = "exact"
    arrival: Literal["poisson", "waves"] = "poisson"
    hourly_rates: tuple[float, ...] = field(default_factory=_flat_day)
    wave_times: tuple[time, ...] = ()
    wave_shares: tuple[float, ...] = ()
    single_unit_share: float = 0.5
    lines: Literal["geometric", "poisson"] = "geometric"
    mean_lines: float = 2.5
    max_lines: int = 30
    mean_quantity: float = 1.3
    max_quantity: int = 20
    popularity: Literal["rank", "abc", "uniform"] = "rank"
    zipf_exponent: float = 1.0
    abc_demand_shares: tuple[float, float, float] = (0.6, 0.3, 0.1)
    channels: tuple[tuple[str, float], ...] = (("shop", 1.0),)
    carriers: tuple[CarrierParams, ...] = ()
    priority_share: float = 0.0
    order_prefix: str = "O"

    def __post_init__(self) -> None:
        o = "OrderParams"
        _check_int(o, "n_orders", self.n_orders, 1)
        if self.count not in ("exact", "poisson"):
            raise ValueError(f"{o}.count must be 'exact' or 'poisson', got {self.count!r}")
        if self.arrival not in ("poisson", "waves"):
            raise ValueError(f"{o}.arrival must be 'poisson' or 'waves', got {self.arrival!r}")
        object.__setattr__(self, "hourly_rates", tuple(float(r) for r in self.hourly_rates))
        _check_shares(o, "hourly_rates", self.hourly_rates, 24)
        object.__setattr__(self, "wave_times", tuple(self.wave_times))
        if self.arrival == "waves" and not self.wave_times:
            raise ValueError(f"{o}.wave_times must list at least one time with arrival='waves'")
        for t in self.wave_times:
            if not isinstance(t, time):
                raise ValueError(f"{o}.wave_times must hold times of day, got {t!r}")
        object.__setattr__(self, "wave_shares", tuple(self.wave_shares))
        if self.wave_shares:
            _check_shares(o, "wave_shares", self.wave_shares, len(self.wave_times))
        _check_share(o, "single_unit_share", self.single_unit_share)
        if self.lines not in ("geometric", "poisson"):
            raise ValueError(f"{o}.lines must be 'geometric' or 'poisson', got {self.lines!r}")
        _check_int(o, "max_lines", self.max_lines, 1, 1000)
        _check_positive(o, "mean_lines", self.mean_lines)
        if not 1 <= self.mean_lines <= self.max_lines:
            raise ValueError(
                f"{o}.mean_lines must be in [1, max_lines={self.max_lines}], got {self.mean_lines!r}"
            )
        _check_int(o, "max_quantity", self.max_quantity, 2, 100_000)
        _check_positive(o, "mean_quantity", self.mean_quantity)
        if not 1 <= self.mean_quantity <= self.max_quantity:
            raise ValueError(
                f"{o}.mean_quantity must be in [1, max_quantity={self.max_quantity}], got "
                f"{self.mean_quantity!r}"
            )
        if self.popularity not in ("rank", "abc", "uniform"):
            raise ValueError(
                f"{o}.popularity must be 'rank', 'abc' or 'uniform', got {self.popularity!r}"
            )
        _check_positive(o, "zipf_exponent", self.zipf_exponent, allow_zero=True)
        object.__setattr__(self, "abc_demand_shares", tuple(self.abc_demand_shares))
        _check_shares(o, "abc_demand_shares", self.abc_demand_shares, 3)
        channels = tuple((str(c), float(s)) for c, s in self.channels)
        object.__setattr__(self, "channels", channels)
        if not channels or any(not c.strip() for c, _ in channels):
            raise ValueError(f"{o}.channels must list (name, share) pairs with non-empty names")
        _check_shares(o, "channels", tuple(s for _, s in channels))
        object.__setattr__(self, "carriers", tuple(self.carriers))
        names = [c.name for c in self.carriers]
        if len(set(names)) != len(names):
            raise ValueError(f"{o}.carriers lists a carrier twice: {names}")
        _check_share(o, "priority_share", self.priority_share)
        if not isinstance(self.order_prefix, str) or not self.order_prefix.strip():
            raise ValueError(
                f"{o}.order_prefix must be a non-empty string, got {self.order_prefix!r}"
            )


def sku_demand_weights(catalog: Mapping[str, Sku], params: OrderParams) -> NDArray[np.float64]:
    """Probability of each SKU (in catalogue order) to be chosen for an order line.

    Parameters
    ----------
    catalog
        SKUs in popularity rank order (as :func:`generate_catalog` returns them).
    params
        Order parameters (``popularity``, ``zipf_exponent``, ``abc_demand_shares``).

    Returns
    -------
    numpy.ndarray
        Non-negative weights summing to 1.
    """
    n = len(catalog)
    if n == 0:
        raise ValueError("the catalogue is empty: orders need at least one SKU")
    if params.popularity == "uniform":
        return np.full(n, 1.0 / n)
    if params.popularity == "rank":
        w = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** params.zipf_exponent
        return w / w.sum()
    cls = np.array(
        [
            VELOCITY_CLASSES.index(s.velocity_class) if s.velocity_class in VELOCITY_CLASSES else 2
            for s in catalog.values()
        ]
    )
    w = np.zeros(n)
    for k, share in enumerate(params.abc_demand_shares):
        members = cls == k
        if members.any():
            w[members] = share / members.sum()
    if w.sum() <= 0:  # only classes without demand share: fall back to uniform
        return np.full(n, 1.0 / n)
    return w / w.sum()


def _arrival_seconds(params: OrderParams, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """Sorted arrival times in seconds after midnight."""
    if params.arrival == "waves":
        shares = np.asarray(params.wave_shares or (1.0,) * len(params.wave_times), dtype=float)
        counts = rng.multinomial(n, shares / shares.sum())
        secs = np.array([t.hour * 3600 + t.minute * 60 + t.second for t in params.wave_times])
        return np.sort(np.repeat(secs.astype(np.float64), counts), kind="stable")
    rates = np.asarray(params.hourly_rates, dtype=np.float64)
    counts = rng.multinomial(n, rates / rates.sum())
    hours = np.repeat(np.arange(24, dtype=np.float64), counts)
    secs = (hours + rng.random(n)) * 3600.0
    return np.sort(np.floor(secs), kind="stable")


def _next_cutoff(arrival: datetime, cutoff: time) -> datetime:
    candidate = datetime.combine(arrival.date(), cutoff)
    return candidate if candidate > arrival else candidate + timedelta(days=1)


def generate_order_arrivals(
    catalog: Mapping[str, Sku],
    params: OrderParams,
    rng: np.random.Generator,
    *,
    day: date,
) -> list[tuple[datetime, Order]]:
    """Draw the orders of ``day`` with their arrival times (see :func:`generate_orders`).

    Parameters
    ----------
    catalog
        SKUs in popularity rank order.
    params
        Order parameters.
    rng
        Random generator (the only source of randomness).
    day
        The day the orders arrive on.

    Returns
    -------
    list[tuple[datetime, Order]]
        ``(arrival, order)`` pairs sorted by arrival; arrivals lie within ``day``.
    """
    n = int(rng.poisson(params.n_orders)) if params.count == "poisson" else params.n_orders
    sku_ids = list(catalog)
    weights = sku_demand_weights(catalog, params)
    n_skus = len(sku_ids)
    arrivals = _arrival_seconds(params, n, rng)

    single = rng.random(n) < params.single_unit_share
    extra = params.mean_lines - 1.0
    if params.lines == "geometric":
        # 1 + (geometric on 0, 1, ...) with mean `extra`
        n_lines = 1 + (rng.geometric(1.0 / (1.0 + extra), n) - 1 if extra > 0 else np.zeros(n))
    else:
        n_lines = 1 + rng.poisson(extra, n)
    n_lines = np.minimum(n_lines.astype(np.int64), min(params.max_lines, n_skus))
    n_lines[single] = 1
    total_lines = int(n_lines.sum())
    qty = 1 + rng.poisson(params.mean_quantity - 1.0, total_lines)
    qty = np.minimum(qty, params.max_quantity).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(n_lines)[:-1])).astype(np.int64)
    qty[starts[single]] = 1
    one_line_multi = (~single) & (n_lines == 1)
    qty[starts[one_line_multi]] = np.maximum(qty[starts[one_line_multi]], 2)

    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    picks = np.searchsorted(cdf, rng.random(total_lines), side="right").clip(0, n_skus - 1)

    channel_names = [c for c, _ in params.channels]
    channel_p = np.array([s for _, s in params.channels])
    channel_ix = rng.choice(len(channel_names), size=n, p=channel_p / channel_p.sum())
    if params.carriers:
        carrier_p = np.array([c.share for c in params.carriers])
        carrier_ix = rng.choice(len(params.carriers), size=n, p=carrier_p / carrier_p.sum())
    else:
        carrier_ix = np.full(n, -1)
    priority = rng.random(n) < params.priority_share

    midnight = datetime.combine(day, time())
    out: list[tuple[datetime, Order]] = []
    for k in range(n):
        lo, hi = int(starts[k]), int(starts[k] + n_lines[k])
        chosen = picks[lo:hi]
        if hi - lo > 1 and np.unique(chosen).size < hi - lo:
            chosen = _distinct(chosen, cdf, rng)
        at = midnight + timedelta(seconds=float(arrivals[k]))
        carrier = params.carriers[int(carrier_ix[k])] if carrier_ix[k] >= 0 else None
        order = Order(
            order_id=f"{params.order_prefix}{k + 1:06d}",
            lines=tuple(
                OrderLine(sku_ids[int(s)], int(q)) for s, q in zip(chosen, qty[lo:hi], strict=True)
            ),
            channel=channel_names[int(channel_ix[k])],
            priority=int(priority[k]),
            cutoff=None if carrier is None else _next_cutoff(at, carrier.cutoff),
            carrier=None if carrier is None else carrier.name,
        )
        out.append((at, order))
    return out


def _distinct(
    chosen: NDArray[np.int64], cdf: NDArray[np.float64], rng: np.random.Generator
) -> NDArray[np.int64]:
    """Redraw repeated SKUs of one order until all are distinct (rejection, by popularity)."""
    seen: list[int] = []
    n_skus = cdf.size
    for s in chosen.tolist():
        while s in seen:
            s = int(np.searchsorted(cdf, rng.random(), side="right").clip(0, n_skus - 1))
            if len(seen) >= n_skus:  # pragma: no cover - n_lines is capped at the catalogue size
                break
        seen.append(int(s))
    return np.asarray(seen, dtype=np.int64)


def generate_orders(
    catalog: Mapping[str, Sku],
    params: OrderParams,
    rng: np.random.Generator,
    *,
    day: date,
) -> list[Order]:
    """Draw the orders of ``day``: arrivals, sizes, SKUs, channels, carriers and cutoffs.

    Parameters
    ----------
    catalog
        SKUs in popularity rank order (as :func:`generate_catalog` returns them).
    params
        Order parameters.
    rng
        Random generator (the only source of randomness).
    day
        The day the orders arrive on (cutoffs may fall on the next day).

    Returns
    -------
    list[Order]
        Orders in arrival order; :func:`generate_order_arrivals` gives the same orders (for the
        same generator state) with their arrival times.
    """
    return [order for _, order in generate_order_arrivals(catalog, params, rng, day=day)]
