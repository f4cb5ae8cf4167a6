"""Scenario files (YAML): what a planner compares picking strategies on.

:func:`load_scenario` reads a scenario file, validates it (pydantic, ``extra="forbid"``), loads the
layout it names, reads or generates the SKU catalogue and the orders, and returns a
:class:`Scenario` of domain objects. Any mistake raises one :class:`~wms.errors.ScenarioError`
naming the file, the line, the field path and what to change, e.g.
``"demo.yaml, line 31: resources.pickers: must be greater than or equal to 1, got -2"``.
:func:`scenario_json_schema` gives the JSON Schema of the format, for editors.

The format at a glance (``scenarios/demo.yaml`` is a commented example)::

    schema_version: 1                 # required; this version of wms reads version 1
    name: demo                        # default: the file name without extension
    description: free text
    day: 2024-06-03                   # the simulated day (orders arrive on it)
    layout: ../layouts/small-single-block.yaml   # relative to this file
    catalogue:                        # exactly one of file / generate
      file: data/skus.csv             #   SKU master (see wms.io.orders), or
      generate: {n_skus: 300, popularity: zipf, storage: class_based, bulky_share: 0.05}
    orders:                           # exactly one of file / generate
      generate:
        n_orders: 300
        single_unit_share: 0.5
        hourly_rates: [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0]
        carriers: [{name: DHL, cutoff: "15:00", share: 0.6}, {name: DPD, cutoff: "12:00"}]
    resources:
      pickers: 4
      sort_zone: {sorters: 1, put_wall_positions: 40}
      packing: {stations: 2, packers: 2}
      shifts: [{name: day, start: "06:00", end: "22:00"}]
    devices:                          # as in the planning configuration (wms.waves.config)
      batch: {name: container, capacity_units: 60, capacity_weight_kg: 25}
      cart: {name: cart-20, totes: 20, tote_capacity_units: 15}
    time_standards: {walk_speed_m_s: 0.8, label_print_s: 5}
    strategies:
      - name: single_unit
      - {name: sort_zone, max_units_per_list: 60}
      - {name: pick_and_sort_cart, totes: 20}
    replications: 5
    seed: 42

Times of day are strings ``"HH:MM"``: quote them, since YAML reads an unquoted ``12:00`` as the
number 720 (base-60).

Random streams: the catalogue is drawn from ``SeedSequence(seed, spawn_key=(0,))`` (the same
warehouse in every replication), the orders of replication ``k`` from
``SeedSequence(seed, spawn_key=(1, k))`` (:meth:`Scenario.generate_orders`); every strategy sees
the same orders in a replication (common random numbers).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from wms.errors import LayoutError, OrderError, ScenarioError
from wms.layout.schema import Loc, _compose, _from_validation_error, _Source
from wms.model import Device, Order, Sku, TimeStandards
from wms.scenario.generate import (
    CarrierParams,
    CatalogParams,
    OrderParams,
    generate_catalog,
    generate_order_arrivals,
)
from wms.strategies.rules import STRATEGIES
from wms.strategies.settings import SimSettings
from wms.waves.config import DeviceConfig, DevicesConfig, TimeStandardsConfig

if TYPE_CHECKING:
    from wms.layout import Layout

__all__ = [
    "SCHEMA_VERSION",
    "STRATEGY_NAMES",
    "Resources",
    "Scenario",
    "ScenarioIn",
    "Shift",
    "StrategySpec",
    "load_scenario",
    "load_scenario_data",
    "scenario_json_schema",
]

#: The scenario format version this module reads.
SCHEMA_VERSION = 1

#: Strategy names a scenario may compare.
STRATEGY_NAMES: tuple[str, ...] = (
    "single_unit",
    "sort_zone",
    "pick_and_sort_cart",
    "sort_at_pack",
    "mixed",
)
StrategyName = Literal["single_unit", "sort_zone", "pick_and_sort_cart", "sort_at_pack", "mixed"]

# -- field types -----------------------------------------------------------------------------------

_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


def _time_of_day(value: Any) -> Any:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 12:00 as the base-60 integer 720.
        hint = f' (did you mean "{value // 60:02d}:{value % 60:02d}"?)' if value < 24 * 60 else ""
        raise ValueError(f'a time of day must be a quoted string such as "15:00"{hint}')
    if not isinstance(value, str) or not _TIME_RE.match(value.strip()):
        raise ValueError(f'a time of day is a string "HH:MM" such as "15:00", got {value!r}')
    h, m, *sec = (int(p) for p in value.strip().split(":"))
    return time(h, m, sec[0] if sec else 0)


TimeOfDay = Annotated[
    time,
    BeforeValidator(_time_of_day),
    WithJsonSchema({"type": "string", "pattern": _TIME_RE.pattern, "examples": ["15:00"]}),
]
Name = Annotated[str, Field(min_length=1, max_length=100)]


def _default(cls: type, name: str) -> Any:
    """The default of field ``name`` of the dataclass ``cls`` (single source of defaults)."""
    f = cls.__dataclass_fields__[name]  # type: ignore[attr-defined]
    return f.default if f.default_factory is MISSING else f.default_factory()


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- catalogue and orders --------------------------------------------------------------------------


def _cd(name: str) -> Any:
    return _default(CatalogParams, name)


def _od(name: str) -> Any:
    return _default(OrderParams, name)


class CatalogueGenerateIn(_In):
    """Generator of the SKU catalogue (see :class:`~wms.scenario.generate.CatalogParams`)."""

    n_skus: int = Field(
        default=_cd("n_skus"), ge=1, description="Number of SKUs, one location each."
    )
    popularity: Literal["abc", "zipf"] = Field(default=_cd("popularity"))
    abc_sku_shares: tuple[float, float, float] = Field(
        default=_cd("abc_sku_shares"),
        description="Shares of SKUs in classes A, B, C (popularity abc).",
    )
    zipf_exponent: float = Field(default=_cd("zipf_exponent"), gt=0, allow_inf_nan=False)
    weight_median_kg: float = Field(default=_cd("weight_median_kg"), gt=0, allow_inf_nan=False)
    weight_sigma: float = Field(default=_cd("weight_sigma"), ge=0, le=5)
    volume_median_l: float = Field(default=_cd("volume_median_l"), gt=0, allow_inf_nan=False)
    volume_sigma: float = Field(default=_cd("volume_sigma"), ge=0, le=5)
    bulky_weight_median_kg: float = Field(
        default=_cd("bulky_weight_median_kg"), gt=0, allow_inf_nan=False
    )
    bulky_volume_median_l: float = Field(
        default=_cd("bulky_volume_median_l"), gt=0, allow_inf_nan=False
    )
    bulky_share: float = Field(default=_cd("bulky_share"), ge=0, le=1)
    fragile_share: float = Field(default=_cd("fragile_share"), ge=0, le=1)
    storage: Literal["random", "class_based"] = Field(default=_cd("storage"))
    sku_prefix: Name = _cd("sku_prefix")

    def to_params(self) -> CatalogParams:
        """The domain parameters (``ValueError`` for inconsistent values)."""
        return CatalogParams(**self.model_dump())


class CatalogueIn(_In):
    """The SKU catalogue with its slotting: a file (SKU master) or a generator."""

    file: Name | None = Field(
        default=None, description="SKU master (.csv/.json), relative to the file."
    )
    generate: CatalogueGenerateIn | None = None

    @model_validator(mode="after")
    def _one_source(self) -> CatalogueIn:
        if (self.file is None) == (self.generate is None):
            raise ValueError("give exactly one of 'file: <skus.csv>' or 'generate: {n_skus: ...}'")
        return self


class CarrierIn(_In):
    """A carrier: its daily cutoff (pick-up) time and its share of the orders."""

    name: Name
    cutoff: TimeOfDay
    share: float = Field(default=1.0, gt=0, allow_inf_nan=False)


class OrdersGenerateIn(_In):
    """Generator of the orders of the day (see :class:`~wms.scenario.generate.OrderParams`)."""

    n_orders: int = Field(default=_od("n_orders"), ge=1)
    count: Literal["exact", "poisson"] = Field(default=_od("count"))
    arrival: Literal["poisson", "waves"] = Field(default=_od("arrival"))
    hourly_rates: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        default=list(_od("hourly_rates")),
        min_length=24,
        max_length=24,
        description="24 relative arrival rates, hour 0 = 00:00-01:00; 0 outside the shift.",
    )
    wave_times: list[TimeOfDay] = Field(default_factory=list)
    wave_shares: list[Annotated[float, Field(ge=0)]] = Field(default_factory=list)
    single_unit_share: float = Field(default=_od("single_unit_share"), ge=0, le=1)
    lines: Literal["geometric", "poisson"] = Field(default=_od("lines"))
    mean_lines: float = Field(default=_od("mean_lines"), ge=1, allow_inf_nan=False)
    max_lines: int = Field(default=_od("max_lines"), ge=1, le=1000)
    mean_quantity: float = Field(default=_od("mean_quantity"), ge=1, allow_inf_nan=False)
    max_quantity: int = Field(default=_od("max_quantity"), ge=2, le=100_000)
    popularity: Literal["rank", "abc", "uniform"] = Field(default=_od("popularity"))
    zipf_exponent: float = Field(default=_od("zipf_exponent"), ge=0, allow_inf_nan=False)
    abc_demand_shares: tuple[float, float, float] = Field(default=_od("abc_demand_shares"))
    channels: dict[Name, Annotated[float, Field(ge=0)]] = Field(
        default_factory=lambda: dict(_od("channels")), description="Channel name -> share."
    )
    carriers: list[CarrierIn] = Field(default_factory=list)
    priority_share: float = Field(default=_od("priority_share"), ge=0, le=1)
    order_prefix: Name = _od("order_prefix")

    def to_params(self) -> OrderParams:
        """The domain parameters (``ValueError`` for inconsistent values)."""
        data = self.model_dump()
        data["channels"] = tuple(self.channels.items())
        data["carriers"] = tuple(CarrierParams(c.name, c.cutoff, c.share) for c in self.carriers)
        return OrderParams(**data)


class OrdersIn(_In):
    """The orders: a file (orders CSV/JSON) or a generator for the day."""

    file: Name | None = Field(
        default=None, description="Orders (.csv/.json), relative to the file."
    )
    generate: OrdersGenerateIn | None = None

    @model_validator(mode="after")
    def _one_source(self) -> OrdersIn:
        if (self.file is None) == (self.generate is None):
            raise ValueError(
                "give exactly one of 'file: <orders.csv>' or 'generate: {n_orders: ...}'"
            )
        return self


# -- resources, devices, time standards, strategies ------------------------------------------------


class ShiftIn(_In):
    """A shift: from ``start`` to ``end`` (an end before the start runs past midnight)."""

    name: Name
    start: TimeOfDay
    end: TimeOfDay

    @model_validator(mode="after")
    def _not_empty(self) -> ShiftIn:
        if self.start == self.end:
            raise ValueError(f"shift {self.name!r} starts and ends at {self.start:%H:%M}")
        return self


class SortZoneIn(_In):
    """The sort zone (put wall): sort staff and put-wall positions (one order per position)."""

    sorters: int = Field(default=1, ge=0, description="Sort operators per shift.")
    put_wall_positions: int = Field(
        default=60, ge=0, description="Order positions of the put wall."
    )


class PackingIn(_In):
    """Pack stations and the packers staffing them."""

    stations: int = Field(default=2, ge=1)
    packers: int = Field(default=2, ge=1)


def _day_shift() -> list[ShiftIn]:
    return [ShiftIn(name="day", start=time(6), end=time(22))]


class ResourcesIn(_In):
    """People and stations; counts hold for every shift."""

    pickers: int = Field(ge=1, description="Pickers per shift.")
    sort_zone: SortZoneIn = Field(default_factory=lambda: SortZoneIn())
    packing: PackingIn = Field(default_factory=lambda: PackingIn())
    shifts: list[ShiftIn] = Field(default_factory=_day_shift, min_length=1)


class TimeStandardsIn(TimeStandardsConfig):
    """Time standards (defaults from the domain notes) plus the courier-label print time."""

    label_print_s: float = Field(default=5.0, ge=0, allow_inf_nan=False)


#: Parameters of each strategy with their defaults (``None``: take it from the devices or the
#: simulation settings).
STRATEGY_PARAMS = STRATEGIES


class StrategyIn(_In):
    """One strategy to compare; parameters that do not apply to ``name`` are an error."""

    name: StrategyName
    label: Name | None = Field(default=None, description="Column name in results (default: name).")
    fallback: Literal["sort_zone", "pick_and_sort_cart", "sort_at_pack"] | None = Field(
        default=None, description="single_unit: strategy for multi-unit orders."
    )
    max_units_per_list: int | None = Field(
        default=None, ge=1, description="sort_zone: units per list."
    )
    max_lines_per_list: int | None = Field(
        default=None, ge=1, description="sort_zone: lines per list."
    )
    batching: Name | None = Field(default=None, description="Batching method (see wms.batching).")
    totes: int | None = Field(default=None, ge=10, le=30, description="pick_and_sort_cart: totes.")
    max_orders_per_container: int | None = Field(
        default=None, ge=1, le=100, description="sort_at_pack: orders per shared container."
    )
    singles: Literal["single_unit"] | None = Field(default=None, description="mixed: for singles.")
    small_max_units: int | None = Field(
        default=None, ge=1, description="mixed: largest small order."
    )
    small: Literal["pick_and_sort_cart", "sort_at_pack", "sort_zone"] | None = None
    large: Literal["sort_zone", "pick_and_sort_cart", "sort_at_pack"] | None = None

    @model_validator(mode="after")
    def _applicable(self) -> StrategyIn:
        allowed = STRATEGY_PARAMS[self.name]
        for f in sorted(self.model_fields_set - {"name", "label"}):
            if f not in allowed:
                raise ValueError(
                    f"strategy {self.name!r} has no parameter {f!r} (its parameters: "
                    f"{', '.join(allowed)})"
                )
        return self

    def params(self) -> dict[str, Any]:
        """The strategy's parameters, defaults filled in."""
        out = dict(STRATEGY_PARAMS[self.name])
        out.update({f: getattr(self, f) for f in self.model_fields_set if f in out})
        return out


def _sd(name: str) -> Any:
    return _default(SimSettings, name)


class SimulationIn(_In):
    """How strategies are planned and simulated (see :class:`wms.strategies.SimSettings`)."""

    release_interval_minutes: float = Field(
        default=_sd("release_interval_min"), gt=0, le=24 * 60, allow_inf_nan=False
    )
    batching: Name = Field(default=_sd("batching"), description="Default batching method.")
    routing: Name | None = Field(default=None, description="Routing method (default: optimal).")
    pick_error_rate: float = Field(default=_sd("pick_error_rate"), ge=0, le=1)
    put_error_rate: float = Field(default=_sd("put_error_rate"), ge=0, le=1)
    match_error_rate_per_order: float = Field(default=_sd("match_error_rate_per_order"), ge=0, le=1)
    scan_catch_rate: float = Field(default=_sd("scan_catch_rate"), ge=0, le=1)
    search_s_per_unit_per_order: float = Field(
        default=_sd("search_s_per_unit_per_order"), ge=0, allow_inf_nan=False
    )
    rework_s: float = Field(default=_sd("rework_s"), ge=0, allow_inf_nan=False)
    objective: Name = Field(default=_sd("objective"), description="KPI the advice optimises.")
    routes_to_draw: int = Field(default=_sd("routes_to_draw"), ge=0, le=50)

    def to_settings(self) -> SimSettings:
        """The domain :class:`~wms.strategies.settings.SimSettings`."""
        data = self.model_dump()
        data["release_interval_min"] = data.pop("release_interval_minutes")
        return SimSettings(**data)


class ScenarioIn(_In):
    """A scenario file (``schema_version: 1``)."""

    schema_version: Literal[1] = Field(description="Version of the scenario format; must be 1.")
    name: Name | None = Field(default=None, description="Scenario name (default: the file name).")
    description: str | None = None
    day: date = Field(default=date(2024, 6, 3), description="The simulated day.")
    layout: Name = Field(description="Layout file, relative to the scenario file.")
    catalogue: CatalogueIn
    orders: OrdersIn
    resources: ResourcesIn
    devices: DevicesConfig = Field(
        default_factory=DevicesConfig,
        description="Devices: batch (shared container), cart (10-30 totes), singles (tote).",
    )
    time_standards: TimeStandardsIn = Field(default_factory=lambda: TimeStandardsIn())
    strategies: list[StrategyIn] = Field(min_length=1)
    simulation: SimulationIn = Field(default_factory=lambda: SimulationIn())
    replications: int = Field(default=5, ge=1, le=10_000)
    seed: int = Field(default=0, ge=0)
    sweep: dict[str, Any] | None = Field(
        default=None,
        description="A parameter sweep over this scenario (wms sweep; see wms.scenario.sweep). "
        "Ignored by wms compare.",
    )


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of scenario files, for editors.

    Returns
    -------
    dict
        The schema document.
    """
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **ScenarioIn.model_json_schema(),
        "title": "wms scenario file",
        "description": "A picking-strategy comparison: layout, catalogue, orders, resources.",
    }


# -- domain objects --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shift:
    """A shift from ``start`` to ``end`` (past midnight when ``end < start``)."""

    name: str
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Resources:
    """Staff and stations of a scenario; counts hold for every shift."""

    pickers: int
    sorters: int
    put_wall_positions: int
    pack_stations: int
    packers: int
    shifts: tuple[Shift, ...]


@dataclass(frozen=True, slots=True)
class StrategySpec:
    """A strategy to compare: registry ``name``, result ``label`` and parameters."""

    name: str
    label: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: domain objects ready for planning and simulation.

    Attributes
    ----------
    name, description, source
        Name, free text, and the scenario file.
    layout, layout_path
        The layout and its file.
    day
        The simulated day.
    catalog, catalog_params
        SKUs by id (``None`` when loaded with ``generate=False`` and generated) and the generator
        parameters (``None`` for a catalogue file).
    orders, arrivals, order_params
        Orders of replication 0 (``None`` when not generated), their arrival times (``None`` for
        an order file, which has none) and the generator parameters (``None`` for a file).
    resources, devices, time_standards, label_print_s
        Staff and stations; devices by kind (``batch``, ``cart``, ``singles``); time standards and
        the courier-label print time (s).
    strategies, replications, seed
        What to compare, how often, from which seed.
    simulation
        Wave release, default batching and routing, error model, the advice's KPI.
    device_configs
        The devices as configured (planning configuration form), by kind.
    """

    name: str
    description: str | None
    source: Path
    layout: Layout
    layout_path: Path
    day: date
    catalog: Mapping[str, Sku] | None
    catalog_params: CatalogParams | None
    orders: tuple[Order, ...] | None
    arrivals: tuple[datetime, ...] | None
    order_params: OrderParams | None
    resources: Resources
    devices: Mapping[str, Device]
    time_standards: TimeStandards
    label_print_s: float
    strategies: tuple[StrategySpec, ...]
    replications: int
    seed: int
    simulation: SimSettings = field(default_factory=SimSettings)
    device_configs: Mapping[str, DeviceConfig] | None = None

    def generate_orders(self, replication: int = 0) -> list[tuple[datetime, Order]]:
        """The generated orders of ``replication`` with their arrival times.

        Parameters
        ----------
        replication
            0-based replication index; each has its own random stream.

        Returns
        -------
        list[tuple[datetime, Order]]
            ``(arrival, order)`` pairs in arrival order.

        Raises
        ------
        ScenarioError
            When the orders come from a file or the catalogue is not built.
        """
        if self.order_params is None or self.catalog is None:
            raise ScenarioError(
                f"{self.source}: orders come from a file or the catalogue is not built; "
                "only generated orders have replications"
            )
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(1, replication)))
        return generate_order_arrivals(self.catalog, self.order_params, rng, day=self.day)


# -- loading ---------------------------------------------------------------------------------------


def _error(src: _Source, loc: Loc, message: str) -> ScenarioError:
    return ScenarioError(str(src.error(loc, message)))


def _prechecks(src: _Source, data: dict[str, Any]) -> None:
    """Checks that give better messages than the schema validation would."""
    if "schema_version" in data and data["schema_version"] != SCHEMA_VERSION:
        raise _error(
            src,
            ("schema_version",),
            f"{data['schema_version']!r} is not supported; this version of wms "
            f"reads schema_version {SCHEMA_VERSION}",
        )
    strategies = data.get("strategies")
    if isinstance(strategies, list):
        for k, s in enumerate(strategies):
            name = s.get("name") if isinstance(s, dict) else None
            if isinstance(name, str) and name not in STRATEGY_NAMES:
                hint = difflib.get_close_matches(name.replace("-", "_"), STRATEGY_NAMES, n=1)
                raise _error(
                    src,
                    ("strategies", k, "name"),
                    f"unknown strategy {name!r}"
                    + (f"; did you mean {hint[0]!r}?" if hint else "")
                    + f" (strategies: {', '.join(STRATEGY_NAMES)})",
                )


def load_scenario(path: str | Path, *, generate: bool = True) -> Scenario:
    """Read a scenario file, load its layout, and read or generate its catalogue and orders.

    Parameters
    ----------
    path
        A YAML scenario file (see the module documentation).
    generate
        Run the generators (catalogue and orders of replication 0). With ``False`` only the
        files are read and the generator parameters are checked (fast, for big scenarios).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        One message with the file, the line, the field path and what to change.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: scenario file not found")
    try:
        data, node = _compose(path)
    except LayoutError as exc:
        raise ScenarioError(str(exc)) from None
    src = _Source(str(path), node)
    if data is None:
        raise ScenarioError(
            f"{path}: the file is empty; a scenario needs at least schema_version, layout, "
            "catalogue, orders, resources and strategies (see scenarios/demo.yaml)"
        )
    return _load(data, path, src, generate=generate)


def _load(data: Any, path: Path, src: _Source, *, generate: bool) -> Scenario:
    if not isinstance(data, dict):
        raise _error(src, (), f"expected a mapping of fields, got {type(data).__name__}")
    _prechecks(src, data)
    try:
        model = ScenarioIn.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(str(_from_validation_error(src, ScenarioIn, exc))) from None
    return _build(model, path, src, generate=generate)


def load_scenario_data(
    data: Mapping[str, Any],
    source: str | Path,
    *,
    name: str | None = None,
    generate: bool = True,
) -> Scenario:
    """Validate and build a scenario from an already parsed document (e.g. a sweep variant).

    The same checks as :func:`load_scenario` apply, with the same messages, but without line
    numbers (there is no YAML text to point at).

    Parameters
    ----------
    data
        The scenario document, as :func:`yaml.safe_load` would return it.
    source
        The file the document stands for: relative paths (layout, catalogue and order files)
        are resolved against its folder, and its name is used when ``name`` is missing.
    name
        How error messages name the document (default: ``source``), e.g.
        ``"sweep.yaml (variant resources.pickers=8)"``.
    generate
        As in :func:`load_scenario`.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        One message naming the document, the field path and what to change.
    """
    path = Path(source)
    return _load(dict(data), path, _Source(name or str(path)), generate=generate)


def _resolve(src: _Source, base: Path, loc: Loc, relative: str, what: str) -> Path:
    target = (base / relative).resolve()
    if not target.is_file():
        raise _error(
            src,
            loc,
            f"{what} {relative!r} not found (looked for {target}); paths are relative to the "
            "scenario file",
        )
    return target


def _build(model: ScenarioIn, path: Path, src: _Source, *, generate: bool) -> Scenario:
    from wms.io.orders import read_orders, read_skus
    from wms.layout.schema import load_layout

    base = path.parent
    layout_path = _resolve(src, base, ("layout",), model.layout, "layout file")
    try:
        layout = load_layout(layout_path)
    except LayoutError as exc:
        raise _error(src, ("layout",), f"the layout file is invalid: {exc}") from None

    catalog: Mapping[str, Sku] | None = None
    catalog_params: CatalogParams | None = None
    if model.catalogue.file is not None:
        skus_path = _resolve(src, base, ("catalogue", "file"), model.catalogue.file, "SKU file")
        try:
            catalog = read_skus(skus_path, layout=layout)
        except OrderError as exc:
            raise _error(src, ("catalogue", "file"), f"the SKU file is invalid: {exc}") from None
    else:
        assert model.catalogue.generate is not None
        try:
            catalog_params = model.catalogue.generate.to_params()
        except ValueError as exc:
            raise _error(src, ("catalogue", "generate"), str(exc)) from None
        if catalog_params.n_skus > len(layout.locations):
            raise _error(
                src,
                ("catalogue", "generate", "n_skus"),
                f"{catalog_params.n_skus} SKUs do not fit in the {len(layout.locations)} "
                f"locations of layout {layout.name!r}; every SKU needs a location of its own",
            )
        if generate:
            rng = np.random.default_rng(np.random.SeedSequence(model.seed, spawn_key=(0,)))
            try:
                catalog = generate_catalog(layout, catalog_params, rng)
            except ValueError as exc:
                raise _error(src, ("catalogue", "generate"), str(exc)) from None

    orders: tuple[Order, ...] | None = None
    arrivals: tuple[datetime, ...] | None = None
    order_params: OrderParams | None = None
    if model.orders.file is not None:
        orders_path = _resolve(src, base, ("orders", "file"), model.orders.file, "order file")
        try:
            orders = tuple(read_orders(orders_path, catalog=catalog))
        except OrderError as exc:
            raise _error(src, ("orders", "file"), f"the order file is invalid: {exc}") from None
    else:
        assert model.orders.generate is not None
        try:
            order_params = model.orders.generate.to_params()
        except ValueError as exc:
            raise _error(src, ("orders", "generate"), str(exc)) from None
        if generate and catalog is not None:
            rng = np.random.default_rng(np.random.SeedSequence(model.seed, spawn_key=(1, 0)))
            pairs = generate_order_arrivals(catalog, order_params, rng, day=model.day)
            arrivals = tuple(a for a, _ in pairs)
            orders = tuple(o for _, o in pairs)

    if not 10 <= model.devices.cart.totes <= 30:
        raise _error(
            src,
            ("devices", "cart", "totes"),
            f"a pick-and-sort cart carries 10 to 30 totes, got {model.devices.cart.totes}",
        )
    devices: dict[str, Device] = {}
    for kind in ("batch", "cart", "singles"):
        try:
            devices[kind] = getattr(model.devices, kind).to_device()
        except ValueError as exc:
            raise _error(src, ("devices", kind), str(exc)) from None

    labels: dict[str, int] = {}
    strategies = []
    for k, s in enumerate(model.strategies):
        label = s.label or s.name
        if label in labels:
            raise _error(
                src,
                ("strategies", k),
                f"strategy label {label!r} is also used by strategies[{labels[label]}]; give "
                "one of them a distinct 'label'",
            )
        labels[label] = k
        if s.batching is not None:
            from wms.batching import METHODS

            if s.batching not in METHODS:
                hint = difflib.get_close_matches(s.batching, list(METHODS), n=1)
                raise _error(
                    src,
                    ("strategies", k, "batching"),
                    f"unknown batching method {s.batching!r}"
                    + (f"; did you mean {hint[0]!r}?" if hint else "")
                    + f" (methods: {', '.join(METHODS)})",
                )
        strategies.append(StrategySpec(s.name, label, s.params()))

    from wms.sim.kpis import KPI_NAMES

    if model.simulation.objective not in KPI_NAMES:
        hint = difflib.get_close_matches(model.simulation.objective, KPI_NAMES, n=1)
        raise _error(
            src,
            ("simulation", "objective"),
            f"unknown KPI {model.simulation.objective!r}"
            + (f"; did you mean {hint[0]!r}?" if hint else "")
            + f" (KPIs: {', '.join(KPI_NAMES)})",
        )
    from wms.batching import METHODS as BATCHING_METHODS
    from wms.routing import METHODS as ROUTING_METHODS

    for field_name, name, known in (
        ("batching", model.simulation.batching, BATCHING_METHODS),
        ("routing", model.simulation.routing, ROUTING_METHODS),
    ):
        if name is not None and name not in known:
            hint = difflib.get_close_matches(name, list(known), n=1)
            raise _error(
                src,
                ("simulation", field_name),
                f"unknown {field_name} method {name!r}"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
                + f" (methods: {', '.join(known)})",
            )
    simulation = model.simulation.to_settings()
    ts = model.time_standards.model_dump()
    label_print_s = float(ts.pop("label_print_s"))
    r = model.resources
    return Scenario(
        name=model.name or path.stem,
        description=model.description,
        source=path,
        layout=layout,
        layout_path=layout_path,
        day=model.day,
        catalog=catalog,
        catalog_params=catalog_params,
        orders=orders,
        arrivals=arrivals,
        order_params=order_params,
        resources=Resources(
            pickers=r.pickers,
            sorters=r.sort_zone.sorters,
            put_wall_positions=r.sort_zone.put_wall_positions,
            pack_stations=r.packing.stations,
            packers=r.packing.packers,
            shifts=tuple(Shift(s.name, s.start, s.end) for s in r.shifts),
        ),
        devices=devices,
        time_standards=TimeStandards(**ts),
        label_print_s=label_print_s,
        strategies=tuple(strategies),
        replications=model.replications,
        seed=model.seed,
        simulation=simulation,
        device_configs={k: getattr(model.devices, k) for k in ("batch", "cart", "singles")},
    )
