"""The pick-list planning configuration: strategy, devices, wave release and list-splitting rules.

Configuration is input (a YAML/JSON file, an HTTP body, a dict), so it is a pydantic model with
``extra="forbid"``: a misspelt key is an error naming it, and the JSON Schema comes for free
(``PlanConfig.model_json_schema()``). The core converts it to domain objects (:class:`Device`,
:class:`TimeStandards`) once. Every limit is optional; ``None`` means "no limit".

A YAML example (every key optional)::

    strategy: cart              # batch | cart | singles
    routing: null               # null: "optimal" where it applies to the layout, else "tsp"
    release:
      mode: on_demand           # on_demand | schedule
      keys: [cutoff, carrier]   # any of cutoff, carrier, priority, channel
      cutoff_bucket_minutes: 60
    split:
      max_weight_kg: 25
      max_volume_l: 80
      max_lines: 40
      by_zone: true
      separate_handling: [bulky, fragile]
      split_orders: false
    devices:
      cart: {name: cart-20, totes: 20, capacity_weight_kg: 150,
             tote_capacity_units: 15, tote_capacity_weight_kg: 10, tote_capacity_volume_l: 30}
    handling_devices:
      bulky: {name: pallet-truck, capacity_weight_kg: 600, capacity_volume_l: 2000, end: bulky-dock}
    cart:
      oversize: several_totes   # several_totes | batch | unassigned
    batching: {method: ils, max_iterations: 25, time_limit_s: 10, seed: 0}
    time_standards: {walk_speed_m_s: 0.8, pick_s_per_unit: 10}
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from wms.model import Device, TimeStandards

Strategy = Literal["batch", "cart", "singles"]
ReleaseKey = Literal["cutoff", "carrier", "priority", "channel"]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _limit(value: float | None) -> float:
    return math.inf if value is None else float(value)


class DeviceConfig(_Config):
    """A picking device: one container (``totes: 1``) or a pick-and-sort cart (10-30 totes).

    Capacities are of the whole device, ``tote_capacity_*`` of one tote (default: the device's
    capacity divided by the number of totes). ``None`` means unlimited. ``end`` is the point
    where lists of this device end (default: the plan's end for the strategy), e.g. a bulky dock.
    """

    name: str = Field(default="container", min_length=1)
    capacity_units: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    capacity_weight_kg: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    capacity_volume_l: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    totes: int = Field(default=1, ge=1)
    tote_capacity_units: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    tote_capacity_weight_kg: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    tote_capacity_volume_l: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    end: str | None = None

    def to_device(self) -> Device:
        """The domain :class:`~wms.model.Device` (``ValueError`` if a tote exceeds the device)."""
        return Device(
            name=self.name,
            capacity_units=_limit(self.capacity_units),
            capacity_weight_kg=_limit(self.capacity_weight_kg),
            capacity_volume_l=_limit(self.capacity_volume_l),
            totes=self.totes,
            tote_units=self.tote_capacity_units,
            tote_weight_kg=self.tote_capacity_weight_kg,
            tote_volume_l=self.tote_capacity_volume_l,
        )


def _batch_device() -> DeviceConfig:
    return DeviceConfig(
        name="container", capacity_units=60, capacity_weight_kg=25, capacity_volume_l=100
    )


def _cart_device() -> DeviceConfig:
    return DeviceConfig(
        name="cart-20",
        capacity_weight_kg=150,
        totes=20,
        tote_capacity_units=15,
        tote_capacity_weight_kg=10,
        tote_capacity_volume_l=30,
    )


def _singles_device() -> DeviceConfig:
    return DeviceConfig(name="tote", capacity_units=40, capacity_weight_kg=20, capacity_volume_l=60)


class DevicesConfig(_Config):
    """The device each strategy uses. A device given in a file replaces the default entirely."""

    batch: DeviceConfig = Field(default_factory=_batch_device)
    cart: DeviceConfig = Field(default_factory=_cart_device)
    singles: DeviceConfig = Field(default_factory=_singles_device)


class SplitRules(_Config):
    """How the orders of a wave are split into pick lists; every rule holds for every list.

    Attributes
    ----------
    max_weight_kg, max_volume_l, max_lines, max_units, max_orders
        Limits per list on top of the device's capacity (``None``: only the device limits).
        ``max_orders`` counts orders (or order parts) per list, e.g. for sort-at-pack.
    by_zone
        Never mix zones (sectors) of the layout on one list: an order spanning zones is split into
        one part per zone, consolidated after picking.
    separate_handling
        Handling classes picked on lists of their own (one class per list), e.g. bulky and fragile.
        Lines of other classes share lists. An order with such lines is split into parts.
    split_orders
        An order (part) too large for one list is split by line (and a line by quantity) over
        several lists. When false such an order is reported in ``Plan.unassigned``.
    """

    max_weight_kg: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    max_volume_l: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    max_lines: int | None = Field(default=None, ge=1)
    max_units: int | None = Field(default=None, ge=1)
    max_orders: int | None = Field(default=None, ge=1)
    by_zone: bool = True
    separate_handling: tuple[str, ...] = ("bulky", "fragile")
    split_orders: bool = False


class ReleaseRules(_Config):
    """Which orders are released together as a wave.

    Attributes
    ----------
    mode
        ``on_demand``: every order is released now, one wave per release key. ``schedule``: waves
        are released every ``interval_minutes`` from ``start``; an order goes out with the last
        release at least ``lead_time_minutes`` before its cutoff (late orders with the first one,
        orders without a cutoff with the last one).
    keys
        Order attributes that separate waves, in sort order: ``cutoff`` (bucketed to
        ``cutoff_bucket_minutes``), ``carrier``, ``priority``, ``channel``.
    cutoff_bucket_minutes
        Width of the cutoff time buckets (from midnight); 0 keeps exact cutoffs.
    interval_minutes, lead_time_minutes, start
        The release schedule (``start`` defaults to the first needed release, on the interval grid).
    max_orders_per_wave
        Larger groups are cut into several waves (most urgent orders first).
    """

    mode: Literal["on_demand", "schedule"] = "on_demand"
    keys: tuple[ReleaseKey, ...] = ("cutoff",)
    cutoff_bucket_minutes: int = Field(default=60, ge=0)
    interval_minutes: int = Field(default=60, ge=1)
    lead_time_minutes: int = Field(default=120, ge=0)
    start: datetime | None = None
    max_orders_per_wave: int | None = Field(default=None, ge=1)


class CartRules(_Config):
    """Pick-and-sort cart rules. ``oversize``: what to do with an order too large for one tote.

    ``several_totes`` gives it as many totes as it needs (on one cart when they fit), ``batch``
    picks it on a batch list instead, ``unassigned`` reports it in ``Plan.unassigned``.
    """

    oversize: Literal["several_totes", "batch", "unassigned"] = "several_totes"


class SinglesRules(_Config):
    """Singles strategy rules: ``fallback`` plans multi-unit orders (or reports them)."""

    fallback: Literal["batch", "cart", "unassigned"] = "batch"


class BatchingConfig(_Config):
    """The batching method (see :mod:`wms.batching`) that chooses which orders share a list.

    Attributes
    ----------
    method
        Batching method for batch and cart lists (default ``"ils"``).
    singles_method
        Method for single-unit orders under the singles strategy (when registered, else
        ``method``).
    routing
        Routing method batching measures candidate lists with (default ``"combined"`` where it
        applies, else the plan's routing method); the chosen lists are then routed with the plan's
        method.
    max_iterations
        Search rounds per batching problem (``None``: until the clock stops it). While it binds,
        the same input and seed give the same plan, bit for bit.
    time_limit_s
        Wall-clock cap of the whole plan's batching, shared by the batching problems in
        proportion to their size; a safety net, not the intended limit.
    seed
        Seed of the search (each batching problem gets its own stream derived from it).
    """

    method: str = Field(default="ils", min_length=1)
    singles_method: str = Field(default="singles", min_length=1)
    routing: str | None = None
    max_iterations: int | None = Field(default=25, ge=0)
    time_limit_s: float = Field(default=10.0, ge=0, allow_inf_nan=False)
    seed: int = 0


class TimeStandardsConfig(_Config):
    """Time standards for the duration estimate (see :class:`~wms.model.TimeStandards`)."""

    walk_speed_m_s: float = Field(default=0.8, gt=0, allow_inf_nan=False)
    pick_s_per_unit: float = Field(default=10.0, ge=0, allow_inf_nan=False)
    setup_s_per_list: float = Field(default=180.0, ge=0, allow_inf_nan=False)
    put_to_tote_s_per_unit: float = Field(default=2.5, ge=0, allow_inf_nan=False)
    scan_s: float = Field(default=2.0, ge=0, allow_inf_nan=False)
    sort_s_per_unit: float = Field(default=4.0, ge=0, allow_inf_nan=False)
    pack_s_per_order: float = Field(default=45.0, ge=0, allow_inf_nan=False)
    pack_s_per_unit: float = Field(default=5.0, ge=0, allow_inf_nan=False)

    def to_standards(self) -> TimeStandards:
        """The domain :class:`~wms.model.TimeStandards`."""
        return TimeStandards(**self.model_dump())


class PlanConfig(_Config):
    """Everything :func:`wms.planning.plan_picklists` needs besides orders, SKUs and the layout.

    Attributes
    ----------
    strategy
        ``batch`` (one container per list, sorted later), ``cart`` (pick-and-sort cart, one order
        per tote) or ``singles`` (single-unit orders batched into one tote; other orders go to
        ``singles.fallback``).
    routing
        Routing method for the walking order (default ``"optimal"`` where it applies, else
        ``"tsp"``).
    start, end
        Start and end point names. Default start: the layout's depot. Default end: the sort zone
        for batch lists (when the layout has one), else the layout's end (e.g. the pack area),
        else its first pack station, else the start.
    devices
        The device of each strategy.
    handling_devices
        Devices of their own for separated handling classes (keys must be in
        ``split.separate_handling``), e.g. a pallet truck for ``bulky``: lines of such a class
        are batch-picked on lists of that device whatever the strategy, and consolidated with
        the rest of their order after picking.
    invalid_orders
        ``raise`` an :class:`~wms.errors.OrderError` for an order naming an unknown SKU or an SKU
        without a valid location, or ``unassign`` it (reported in ``Plan.unassigned``).
    """

    strategy: Strategy = "batch"
    routing: str | None = None
    start: str | None = None
    end: str | None = None
    devices: DevicesConfig = Field(default_factory=DevicesConfig)
    handling_devices: dict[str, DeviceConfig] = Field(default_factory=dict)
    split: SplitRules = Field(default_factory=SplitRules)
    release: ReleaseRules = Field(default_factory=ReleaseRules)
    cart: CartRules = Field(default_factory=CartRules)
    singles: SinglesRules = Field(default_factory=SinglesRules)
    batching: BatchingConfig = Field(default_factory=BatchingConfig)
    time_standards: TimeStandardsConfig = Field(default_factory=TimeStandardsConfig)
    invalid_orders: Literal["raise", "unassign"] = "raise"
