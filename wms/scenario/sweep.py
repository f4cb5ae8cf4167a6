"""Scenario sweeps: a grid of parameter values x strategies x replications, run in parallel.

A planner rarely asks one question. A sweep asks many at once: "for 8 to 40 pickers and carts of
10, 20 or 30 totes, which strategy wins, and where does the winner change?"::

    # scenarios/sweeps/demo-pickers-totes.yaml
    scenario: ../demo.yaml            # relative to this file
    grid:                             # parameter paths into the scenario document
      resources.pickers: [2, 3, 4]
      devices.cart.totes: [10, 20]
      strategies[2].totes: [10, 20]   # list items by index
    strategies: [sort_zone, pick_and_sort_cart]   # optional subset (labels); default: all
    replications: 2                   # default: the scenario's
    seed: 42                          # default: the scenario's
    streams: common                   # or independent (see "Random streams" below)
    objective: labour_s_per_unit      # default: the scenario's simulation.objective

The same mapping (without ``scenario:``) may also sit in a scenario file under ``sweep:``.

Expansion: the cartesian product of the grid values gives the *variants* (the first parameter
varies slowest); each variant is the scenario document with those values set, validated by the
scenario schema like a file (a bad value gives the usual one-line message naming the parameter
path). *Tasks* are variants x strategies x replications; each has a stable **run id**, a hash of
the sweep digest (scenario document, seed, streams), the variant id (a hash of its parameter
values, whatever the order of the grid keys), the strategy label and the replication, so a
results file can be resumed after an interruption (:func:`run_sweep` with ``resume=True``) and a
grid can grow (more values, more replications) without invalidating finished runs.

Random streams: a variant's scenario gets the seed ``s_v``; replication ``k`` then draws its
orders from ``SeedSequence(s_v, spawn_key=(1, k))`` and the error dice from ``(2, k)``, the
catalogue from ``(0,)`` (see :mod:`wms.scenario.schema`). Every strategy of a (variant,
replication) therefore sees the same orders (common random numbers). With ``streams: common``
(the default) ``s_v`` is the sweep seed for every variant: variants whose order and catalogue
parameters agree see the same orders too, so a KPI curve along a parameter shows the effect of
the parameter rather than sampling noise, and break-even points are sharper. With ``streams:
independent`` ``s_v = SeedSequence(seed, spawn_key=(v,)).generate_state(1, uint64)[0]`` where
``v`` is the variant id read as a 48-bit integer (its values, not its position, so adding grid
values keeps the finished runs valid). Either way a run's numbers depend only on its plain-data task, never on
the backend, the worker or the order in which runs finish.

Execution goes through an :class:`Executor` (``map_unordered(fn, tasks)``): :class:`SerialExecutor`,
:class:`ProcessExecutor` (joblib/loky, all cores; the default) and :class:`DaskExecutor`
(``dask.distributed``: a scheduler address or a ``LocalCluster``). Workers receive plain data
(:class:`SweepTask`: the scenario document, the overrides, a strategy label, a replication) and
rebuild the scenario, the strategy and the solver objects themselves (OR-Tools models do not
pickle); they keep the last scenarios and order streams they built (consecutive tasks travel
in batches and share them), and numba's on-disk cache means each worker loads the compiled
kernels once instead of compiling them.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import itertools
import json
import math
import os
import re
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy import stats

from wms.errors import LayoutError, ScenarioError, WmsError, located
from wms.layout.schema import _compose, _from_validation_error, _Source
from wms.scenario.schema import load_scenario, load_scenario_data
from wms.sim.kpis import KPI_INFO, KPI_NAMES

__all__ = [
    "BACKENDS",
    "BreakEven",
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "RunOutcome",
    "SerialExecutor",
    "Sweep",
    "SweepIn",
    "SweepResult",
    "SweepTask",
    "Variant",
    "apply_overrides",
    "break_even_points",
    "load_sweep",
    "make_executor",
    "parse_path",
    "read_results",
    "run_sweep",
    "run_task",
    "summarize",
]

T = TypeVar("T")
R = TypeVar("R")

#: Executor backends by name (``wms sweep --backend``).
BACKENDS: tuple[str, ...] = ("serial", "processes", "dask")

#: Columns of a results file before the grid parameters and the KPIs.
_ID_COLUMNS = ("run_id", "sweep_digest", "variant_id", "variant")
_RUN_COLUMNS = ("strategy", "replication", "seed", "status", "error", "elapsed_s")

#: Top-level scenario fields a grid may not set (the sweep owns them, or they are no parameter).
_RESERVED = {
    "schema_version": "the scenario format version is not a parameter",
    "seed": "set the sweep's own 'seed' (and 'streams') instead",
    "replications": "set the sweep's own 'replications' instead",
    "sweep": "a sweep cannot sweep itself",
}


# -- the sweep file --------------------------------------------------------------------------------


class SweepIn(BaseModel):
    """A sweep specification (a SWEEP.yaml file, or the ``sweep:`` section of a scenario)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str | None = Field(
        default=None,
        min_length=1,
        description="Scenario file, relative to the sweep file (not in a scenario's sweep section).",
    )
    name: str | None = Field(default=None, min_length=1, max_length=100)
    grid: dict[str, list[Any]] = Field(
        min_length=1,
        description="Parameter path (e.g. resources.pickers, strategies[2].totes) -> values.",
    )
    strategies: list[str] | None = Field(
        default=None, min_length=1, description="Strategy labels to run (default: all)."
    )
    replications: int | None = Field(default=None, ge=1, le=10_000)
    seed: int | None = Field(default=None, ge=0)
    streams: Literal["common", "independent"] = Field(
        default="common",
        description="common: every variant draws the same order streams; independent: its own.",
    )
    objective: str | None = Field(default=None, description="KPI of the summary and break-evens.")


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH_RE = re.compile(rf"^{_NAME}(\[\d+\])*(\.{_NAME}(\[\d+\])*)*$")
_PART_RE = re.compile(rf"({_NAME})|\[(\d+)\]")

PathPart = str | int


def parse_path(path: str) -> tuple[PathPart, ...]:
    """``"strategies[2].totes"`` as ``("strategies", 2, "totes")``.

    Raises
    ------
    ValueError
        When ``path`` is not dotted field names with optional ``[index]`` suffixes.
    """
    if not _PATH_RE.match(path):
        raise ValueError(
            f"{path!r} is not a parameter path; write dotted field names with list indices, "
            "e.g. resources.pickers or strategies[2].totes"
        )
    return tuple(int(i) if i else name for name, i in _PART_RE.findall(path))


def apply_overrides(document: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``document`` with each ``path: value`` of ``overrides`` set.

    Missing mappings along a path are created (``simulation.batching`` works without a
    ``simulation`` section); list items must exist.

    Raises
    ------
    ValueError
        For a bad path, an index past the end of a list, or a path through a plain value.
    """
    out = copy.deepcopy(dict(document))
    for path, value in overrides.items():
        parts = parse_path(path)
        node: Any = out
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            where = _dotted(parts[:depth]) or "the scenario"
            if isinstance(part, int):
                if not isinstance(node, list):
                    raise ValueError(f"{path}: {where} is not a list, so [{part}] does not apply")
                if part >= len(node):
                    raise ValueError(
                        f"{path}: {where} has {len(node)} items ({where}[0] to "
                        f"{where}[{len(node) - 1}]), so [{part}] does not exist"
                    )
            elif not isinstance(node, dict):
                raise ValueError(f"{path}: {where} is a value, not a mapping of fields")
            if last:
                node[part] = copy.deepcopy(value)
            else:
                if isinstance(node, dict) and node.get(part) is None:
                    node[part] = {}
                node = node[part]
    return out


def _dotted(parts: Sequence[PathPart]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _json_default(obj: Any) -> Any:
    # numpy scalars (from DataFrame cells) must hash like the plain values of the grid.
    return obj.item() if isinstance(obj, np.generic) else str(obj)


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_json_default)


def _digest(obj: Any, n: int) -> str:
    return hashlib.sha256(_canonical(obj).encode("utf-8")).hexdigest()[:n]


def _value_text(value: Any) -> str:
    return value if isinstance(value, str) else _canonical(value)


@dataclass(frozen=True, slots=True)
class Variant:
    """One point of the grid.

    Attributes
    ----------
    index
        Position in the expansion (the first grid parameter varies slowest).
    id
        Stable id: a hash of the parameter values (independent of the grid's other values).
    values
        Parameter path -> value, in grid order.
    seed
        The seed its scenario runs with (see the module notes on random streams).
    """

    index: int
    id: str
    values: Mapping[str, Any]
    seed: int

    @property
    def label(self) -> str:
        """``"resources.pickers=8, devices.cart.totes=10"``."""
        return ", ".join(f"{k}={_value_text(v)}" for k, v in self.values.items())


@dataclass(frozen=True, slots=True)
class SweepTask:
    """One run as plain data: what a worker needs to rebuild and run it (nothing pickled deep)."""

    run_id: str
    digest: str
    variant_id: str
    scenario_path: str
    document: Mapping[str, Any]
    overrides: tuple[tuple[str, Any], ...]
    seed: int
    strategy: str
    replication: int


@dataclass(frozen=True)
class Sweep:
    """A loaded, validated sweep: the base scenario document, the grid and the run settings.

    Attributes
    ----------
    name, source
        Sweep name and the file it came from.
    scenario_path
        The base scenario file (relative paths in it resolve against its folder).
    document
        The base scenario document (parsed YAML, without any ``sweep`` section).
    grid
        Parameter path -> values, in file order.
    strategies
        Strategy labels to run.
    replications, seed, streams
        Replications per (variant, strategy); the root seed; ``"common"`` or ``"independent"``.
    objective
        The KPI of the summary and break-even points.
    digest
        Hash of the document, seed and streams: run ids of different sweeps never mix.
    """

    name: str
    source: Path
    scenario_path: Path
    document: Mapping[str, Any]
    grid: Mapping[str, tuple[Any, ...]]
    strategies: tuple[str, ...]
    replications: int
    seed: int
    streams: Literal["common", "independent"]
    objective: str
    digest: str

    @property
    def parameters(self) -> tuple[str, ...]:
        """The grid's parameter paths, in file order."""
        return tuple(self.grid)

    def variants(self) -> list[Variant]:
        """The cartesian product of the grid values, first parameter slowest."""
        out = []
        for index, combo in enumerate(itertools.product(*self.grid.values())):
            values = dict(zip(self.grid, combo, strict=True))
            # Sorted: reordering the grid's keys keeps the ids (and the finished runs).
            vid = _digest(sorted([k, v] for k, v in values.items()), 12)
            out.append(Variant(index, vid, values, self._variant_seed(vid)))
        return out

    def _variant_seed(self, variant_id: str) -> int:
        if self.streams == "common":
            return self.seed
        seq = np.random.SeedSequence(self.seed, spawn_key=(int(variant_id, 16),))
        return int(seq.generate_state(1, dtype=np.uint64)[0])

    def run_id(self, variant: Variant, strategy: str, replication: int) -> str:
        """The stable id of one run (16 hex digits)."""
        key = [self.digest, variant.id, strategy, replication]
        return _digest(key, 16)

    def tasks(self) -> list[SweepTask]:
        """Variants x replications x strategies, in that nesting (consecutive tasks share the
        variant's scenario and the replication's orders, which workers keep)."""
        doc = dict(self.document)
        out = []
        for v in self.variants():
            overrides = tuple(v.values.items())
            for k in range(self.replications):
                for label in self.strategies:
                    out.append(
                        SweepTask(
                            run_id=self.run_id(v, label, k),
                            digest=self.digest,
                            variant_id=v.id,
                            scenario_path=str(self.scenario_path),
                            document=doc,
                            overrides=overrides,
                            seed=v.seed,
                            strategy=label,
                            replication=k,
                        )
                    )
        return out

    @property
    def n_runs(self) -> int:
        """Number of runs: variants x strategies x replications."""
        return (
            math.prod(len(v) for v in self.grid.values())
            * len(self.strategies)
            * (self.replications)
        )

    def columns(self) -> list[str]:
        """Columns of the results file."""
        return [*_ID_COLUMNS, *self.parameters, *_RUN_COLUMNS, *KPI_NAMES]


def load_sweep(path: str | Path, *, validate_variants: bool = True) -> Sweep:
    """Read a sweep file (or a scenario file with a ``sweep:`` section) and validate it.

    Parameters
    ----------
    path
        A SWEEP.yaml naming ``scenario:``, or a scenario file with a ``sweep:`` section.
    validate_variants
        Check every variant against the scenario schema now (one clear error before any run
        starts, naming the variant and the parameter path).

    Returns
    -------
    Sweep

    Raises
    ------
    ScenarioError
        One line naming the file, the line and what to change.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: sweep file not found")
    try:
        data, node = _compose(path)
    except LayoutError as exc:
        raise ScenarioError(str(exc)) from None
    src = _Source(str(path), node)
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{path}: a sweep file is a mapping with 'scenario:' and 'grid:' (see "
            "scenarios/sweeps/demo-pickers-totes.yaml)"
        )
    prefix: tuple[PathPart, ...] = ()
    if "schema_version" in data:  # a scenario file with a sweep section
        if not isinstance(data.get("sweep"), dict):
            raise ScenarioError(
                f"{path}: this scenario file has no 'sweep:' section; add one with a 'grid:' or "
                "pass a sweep file"
            )
        spec_data = data["sweep"]
        prefix = ("sweep",)
        if "scenario" in spec_data:
            raise ScenarioError(
                str(
                    src.error(
                        ("sweep", "scenario"),
                        "a sweep section sweeps the scenario it sits in; remove 'scenario:'",
                    )
                )
            )
    else:
        spec_data = data
    try:
        spec = SweepIn.model_validate(spec_data)
    except ValidationError as exc:
        err = _from_validation_error(_Source(str(path)), SweepIn, exc)
        # Point at the line (the validation ran on the section, not the whole file).
        first = exc.errors(include_url=False)[0]
        line = src.line_of((*prefix, *first["loc"]))
        text = str(err).removeprefix(f"{path}: ")
        if prefix:
            text = "sweep." + text
        raise ScenarioError(located(str(path), line, text)) from None

    if prefix:
        # Absolute: workers (possibly on other machines with a shared filesystem) resolve the
        # layout and data files against it.
        scenario_path = path.resolve()
        document = {k: v for k, v in data.items() if k != "sweep"}
    else:
        if spec.scenario is None:
            raise ScenarioError(
                str(
                    src.error(
                        ("scenario",),
                        "required field is missing; add e.g. 'scenario: ../demo.yaml'",
                    )
                )
            )
        scenario_path = (path.parent / spec.scenario).resolve()
        if not scenario_path.is_file():
            raise ScenarioError(
                str(
                    src.error(
                        ("scenario",),
                        f"scenario file {spec.scenario!r} not found (looked for {scenario_path}); "
                        "the path is relative to the sweep file",
                    )
                )
            )
        try:
            document, _ = _compose(scenario_path)
        except LayoutError as exc:
            raise ScenarioError(str(exc)) from None
        if not isinstance(document, dict):
            raise ScenarioError(f"{scenario_path}: expected a scenario mapping")
        document = {k: v for k, v in document.items() if k != "sweep"}
    base = load_scenario(scenario_path, generate=False)

    grid: dict[str, tuple[Any, ...]] = {}
    for param, values in spec.grid.items():
        loc = (*prefix, "grid", param)
        try:
            parts = parse_path(param)
        except ValueError as exc:
            raise ScenarioError(str(src.error(loc, str(exc)))) from None
        if isinstance(parts[0], str) and parts[0] in _RESERVED:
            raise ScenarioError(
                str(src.error(loc, f"{param!r} cannot be swept: {_RESERVED[parts[0]]}"))
            )
        if param in (*_ID_COLUMNS, *_RUN_COLUMNS, *KPI_NAMES):
            raise ScenarioError(
                str(
                    src.error(
                        loc,
                        f"{param!r} would clash with a results column; sweep a field inside it",
                    )
                )
            )
        if not values:
            raise ScenarioError(str(src.error(loc, "give at least one value")))
        texts = [_canonical(v) for v in values]
        dupes = sorted({t for t in texts if texts.count(t) > 1})
        if dupes:
            raise ScenarioError(str(src.error(loc, f"value {dupes[0]} is listed twice")))
        grid[param] = tuple(values)

    labels = tuple(s.label for s in base.strategies)
    strategies = tuple(spec.strategies or labels)
    for k, label in enumerate(strategies):
        if label not in labels:
            raise ScenarioError(
                str(
                    src.error(
                        (*prefix, "strategies", k),
                        f"no strategy labelled {label!r} in {scenario_path.name} (its strategies: "
                        f"{', '.join(labels)})",
                    )
                )
            )
    if len(set(strategies)) != len(strategies):
        raise ScenarioError(str(src.error((*prefix, "strategies"), "a label is listed twice")))
    objective = spec.objective or base.simulation.objective
    _check_objective(objective, lambda m: src.error((*prefix, "objective"), m))
    seed = base.seed if spec.seed is None else spec.seed
    sweep = Sweep(
        name=spec.name or path.stem,
        source=path,
        scenario_path=scenario_path,
        document=document,
        grid=grid,
        strategies=strategies,
        replications=spec.replications or base.replications,
        seed=seed,
        streams=spec.streams,
        objective=objective,
        digest=_digest([document, seed, spec.streams], 12),
    )
    if validate_variants:
        for v in sweep.variants():
            _validate_variant(sweep, v, src, prefix)
    return sweep


def _check_objective(objective: str, error: Callable[[str], Exception]) -> None:
    if objective not in KPI_NAMES:
        import difflib

        hint = difflib.get_close_matches(objective, KPI_NAMES, n=1)
        raise ScenarioError(
            str(
                error(
                    f"unknown KPI {objective!r}"
                    + (f"; did you mean {hint[0]!r}?" if hint else "")
                    + f" (KPIs: {', '.join(KPI_NAMES)})"
                )
            )
        )
    if KPI_INFO[objective][2] not in ("lower", "higher"):
        raise ScenarioError(
            str(error(f"KPI {objective!r} has no better direction; choose another objective"))
        )


def _validate_variant(
    sweep: Sweep, variant: Variant, src: _Source, prefix: tuple[PathPart, ...]
) -> None:
    """Build the variant's scenario without generating orders: the usual schema errors."""
    try:
        doc = apply_overrides(sweep.document, {**variant.values, "seed": variant.seed})
    except ValueError as exc:
        bad, _, why = str(exc).partition(": ")
        raise ScenarioError(str(src.error((*prefix, "grid", bad), why))) from None
    # Name the grid line of the parameter the message is about, else the grid.
    try:
        load_scenario_data(doc, sweep.scenario_path, name="\0", generate=False)
    except ScenarioError as exc:
        message = str(exc).removeprefix("\0: ")
        param = next((p for p in variant.values if message.startswith(p)), None)
        loc = (*prefix, "grid", param) if param else (*prefix, "grid")
        raise ScenarioError(
            located(
                str(sweep.source),
                src.line_of(loc),
                f"variant {variant.label}: {message}",
            )
        ) from None


# -- running one task (in a worker) ----------------------------------------------------------------

#: Per-process caches of the last scenarios and order streams built (a worker usually runs
#: several strategies of the same variant and replication one after the other).
_SCENARIOS: OrderedDict[tuple[str, str], Any] = OrderedDict()
_STREAMS: OrderedDict[tuple[str, str, int], Any] = OrderedDict()
_KEEP_SCENARIOS = 2
_KEEP_STREAMS = 2


def _remember(cache: OrderedDict[Any, Any], key: Any, build: Callable[[], Any], keep: int) -> Any:
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    value = build()
    cache[key] = value
    while len(cache) > keep:
        cache.popitem(last=False)
    return value


def run_task(task: SweepTask) -> dict[str, Any]:
    """Run one task from its plain data; never raises.

    Returns
    -------
    dict
        ``run_id``, ``status`` (``"ok"`` or ``"failed"``), ``error`` (one line, empty when
        ok), ``elapsed_s`` and, when ok, one value per KPI of :data:`wms.sim.KPI_NAMES`.
    """
    from wms.scenario.compare import order_stream, run_strategy, sim_resources, strategy_context

    start = time.perf_counter()
    try:

        def build() -> Any:
            doc = apply_overrides(task.document, {**dict(task.overrides), "seed": task.seed})
            scenario = load_scenario_data(doc, task.scenario_path)
            return scenario, strategy_context(scenario), sim_resources(scenario)

        scenario, context, resources = _remember(
            _SCENARIOS, (task.digest, task.variant_id), build, _KEEP_SCENARIOS
        )
        specs = {s.label: s for s in scenario.strategies}
        if task.strategy not in specs:
            raise ScenarioError(f"no strategy labelled {task.strategy!r} in this variant")
        stream = _remember(
            _STREAMS,
            (task.digest, task.variant_id, task.replication),
            lambda: order_stream(scenario, task.replication),
            _KEEP_STREAMS,
        )
        values = run_strategy(specs[task.strategy], task.replication, stream, context, resources)
        return {
            "run_id": task.run_id,
            "status": "ok",
            "error": "",
            "elapsed_s": time.perf_counter() - start,
            **{k: float(values[k]) for k in KPI_NAMES},
        }
    except Exception as exc:  # a failed run is recorded and reported, never fatal
        text = str(exc) if isinstance(exc, WmsError) else f"{type(exc).__name__}: {exc}"
        return {
            "run_id": task.run_id,
            "status": "failed",
            "error": " ".join(text.split()),
            "elapsed_s": time.perf_counter() - start,
        }


# -- executors -------------------------------------------------------------------------------------


class Executor(Protocol):
    """Where runs execute: ``map_unordered`` yields ``fn(task)`` as each finishes.

    ``fn`` and the tasks must pickle (module-level function, plain data). Results come in
    completion order; callers match them by id.
    """

    name: str

    def map_unordered(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """``fn(task)`` for every task, in completion order."""
        ...

    def close(self) -> None:
        """Release workers and connections."""
        ...

    def __enter__(self) -> Executor:
        """Use as a context manager (closes on exit)."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close."""
        ...


class _Closing:
    name = "base"

    def close(self) -> None:  # pragma: no cover - overridden where there is something to free
        return None

    def __enter__(self: Any) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class SerialExecutor(_Closing):
    """Every task in this process, one after the other (debugging, tiny sweeps)."""

    name = "serial"

    def map_unordered(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """``fn(task)`` for every task, in task order."""
        for task in tasks:
            yield fn(task)


class ProcessExecutor(_Closing):
    """Local worker processes through joblib's loky backend (reused between calls).

    Parameters
    ----------
    n_jobs
        Worker processes; ``None`` or 0: all cores.
    """

    name = "processes"
    #: Tasks per joblib task at most (see :meth:`map_unordered`).
    max_batch = 8

    def __init__(self, n_jobs: int | None = None) -> None:
        self.n_jobs = n_jobs or os.cpu_count() or 1

    def map_unordered(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """``fn(task)`` for every task, in completion order.

        Consecutive tasks travel in batches (about 8 per worker, at most :attr:`max_batch`):
        dispatching one small simulation run costs about as much as running it, and
        consecutive sweep tasks share their scenario and orders, which a worker builds once.
        """
        from joblib import Parallel, delayed

        if not tasks:
            return
        parallel = Parallel(
            n_jobs=self.n_jobs, backend="loky", return_as="generator_unordered", batch_size=1
        )
        batches = _batches(tasks, self.n_jobs, self.max_batch)
        for results in parallel(delayed(_run_batch)(fn, b) for b in batches):
            yield from results


class DaskExecutor(_Closing):
    """A ``dask.distributed`` cluster: a scheduler's address, or a ``LocalCluster``.

    Parameters
    ----------
    address
        ``"tcp://host:8786"`` of a running scheduler (``dask scheduler``; workers started with
        ``dask worker tcp://host:8786``), or ``None``/``"local"`` for a ``LocalCluster`` here.
    n_workers
        Workers of the local cluster (default: all cores); ignored with an address.
    processes
        Local cluster workers as processes (the default) or as threads of this process.
    timeout_s
        How long to try to reach the scheduler at ``address``.
    """

    name = "dask"
    #: Tasks per Dask task at most (see :meth:`map_unordered`).
    max_batch = 16

    def __init__(
        self,
        address: str | None = None,
        n_workers: int | None = None,
        *,
        processes: bool = True,
        timeout_s: float = 10.0,
    ) -> None:
        from dask.distributed import Client, LocalCluster

        self._cluster: Any = None
        if address in (None, "", "local"):
            self._cluster = LocalCluster(
                n_workers=n_workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
            )
            self.client = Client(self._cluster)
            self.address = "local"
        else:
            assert address is not None
            try:
                self.client = Client(address, timeout=timeout_s)
            except (OSError, TimeoutError) as exc:
                raise WmsError(
                    f"cannot reach the Dask scheduler at {address}: {exc}; start one with "
                    "'dask scheduler' and workers with 'dask worker ADDRESS'"
                ) from None
            self.address = address

    def map_unordered(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """``fn(task)`` for every task, in completion order.

        Consecutive tasks go to the scheduler in batches (about 8 per worker, at most
        :attr:`max_batch` tasks each): a Dask task costs milliseconds of scheduling and
        transfer, as much as a small simulation run, and consecutive sweep tasks share their
        scenario and orders, which a worker then builds once.
        """
        from dask.distributed import as_completed

        if not tasks:
            return
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        batches = _batches(tasks, workers, self.max_batch)
        futures = self.client.map(_run_batch, [fn] * len(batches), batches, pure=False)
        try:
            for future in as_completed(futures):
                results: list[R] = future.result()
                future.release()
                yield from results
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        """Close the client (and the local cluster)."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _run_batch(fn: Callable[[T], R], batch: Sequence[T]) -> list[R]:
    return [fn(t) for t in batch]


def _batches(tasks: Sequence[T], workers: int, max_batch: int) -> list[list[T]]:
    """Consecutive tasks in batches: about 8 per worker, at most ``max_batch`` tasks each."""
    size = max(1, min(max_batch, math.ceil(len(tasks) / (8 * max(1, workers)))))
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


def make_executor(
    backend: str = "processes", *, jobs: int | None = None, scheduler: str | None = None
) -> Executor:
    """An executor by name (:data:`BACKENDS`).

    Parameters
    ----------
    backend
        ``"serial"``, ``"processes"`` (joblib/loky) or ``"dask"``.
    jobs
        Worker processes (processes, local Dask cluster); ``None`` or 0: all cores.
    scheduler
        Dask only: ``"tcp://host:8786"`` or ``"local"`` (default).

    Raises
    ------
    ValueError
        For an unknown backend, or a scheduler with another backend.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (backends: {', '.join(BACKENDS)})")
    if scheduler is not None and backend != "dask":
        raise ValueError("a scheduler address needs the dask backend: add --backend dask")
    if backend == "serial":
        return SerialExecutor()
    if backend == "processes":
        return ProcessExecutor(jobs)
    return DaskExecutor(scheduler, jobs)


# -- the results file ------------------------------------------------------------------------------


def _check_header(path: Path, expected: Sequence[str]) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh), None)
    if header is not None and header != list(expected):
        raise ScenarioError(
            f"{path}: its columns are not those of this sweep (another grid or an older "
            "format); choose another --results file"
        )


def _repair_tail(path: Path) -> None:
    """Drop a last line cut short by a kill (no newline at the end of the file)."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        with path.open("r+b") as fh:
            fh.truncate(cut)


def read_results(path: str | Path) -> pd.DataFrame:
    """A results file as a table (ids and errors as text, floats exactly as written).

    Parameters
    ----------
    path
        A CSV results file written by :func:`run_sweep`.

    Returns
    -------
    pandas.DataFrame
        One row per recorded run.
    """
    # Everything as text first: Python's float() reads back repr() exactly, and grid values
    # stay as written.
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in (*KPI_NAMES, "elapsed_s"):
        if column in table:
            table[column] = [float(x) if x else math.nan for x in table[column]]
    for column in ("variant", "replication"):
        if column in table:
            table[column] = table[column].astype(np.int64)
    return table


class _ResultsWriter:
    """Appends one CSV row per finished run and flushes it (a kill loses at most that row)."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists() or path.stat().st_size == 0
        self._fh = path.open("a", encoding="utf-8", newline="")
        self._writer = csv.DictWriter(self._fh, fieldnames=list(columns), extrasaction="ignore")
        if new:
            self._writer.writeheader()
            self._fh.flush()

    def write(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


# -- analysis --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreakEven:
    """Where, along one parameter, the best strategy changes.

    Attributes
    ----------
    parameter
        The swept parameter path.
    fixed
        Values of the other grid parameters on this slice of the grid.
    low, high
        The neighbouring grid values between which the change happens.
    before, after
        The best strategy at ``low`` and at ``high``.
    at
        Where the two strategies' mean KPIs cross, interpolated linearly between ``low`` and
        ``high`` (``None`` for non-numeric parameters or when a mean is missing).
    clear
        Whether the 95 % confidence intervals of the two strategies are apart at both ends (if
        not, more replications are needed to trust the point).
    """

    parameter: str
    fixed: Mapping[str, Any]
    low: Any
    high: Any
    before: str
    after: str
    at: float | None
    clear: bool

    def describe(self) -> str:
        """One sentence, e.g. ``"resources.pickers from 8 to 16 (~11.2): sort_zone -> cart"``."""
        where = f" (≈{self.at:.4g})" if self.at is not None else ""
        fixed = f" at {', '.join(f'{k}={_value_text(v)}' for k, v in self.fixed.items())}"
        return (
            f"{self.parameter} between {_value_text(self.low)} and {_value_text(self.high)}"
            f"{where}{fixed if self.fixed else ''}: {self.before} → {self.after}"
            + ("" if self.clear else " (confidence intervals overlap)")
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "parameter": self.parameter,
            "fixed": dict(self.fixed),
            "low": self.low,
            "high": self.high,
            "before": self.before,
            "after": self.after,
            "at": self.at,
            "clear": self.clear,
        }


def _num(x: Any) -> float:
    """A table cell as a float (pandas cells are typed loosely)."""
    return float(x)


def _int(x: Any) -> int:
    return int(x)


def _numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def summarize(
    runs: pd.DataFrame,
    parameters: Sequence[str],
    strategies: Sequence[str],
    objective: str,
) -> pd.DataFrame:
    """Mean and 95 % confidence interval of ``objective`` per variant and strategy.

    Parameters
    ----------
    runs
        One row per run: ``variant``, the parameter columns, ``strategy``, ``status`` and the
        KPI columns (see :attr:`SweepResult.runs`).
    parameters
        Grid parameter columns.
    strategies
        Strategy labels, in display order.
    objective
        The KPI.

    Returns
    -------
    pandas.DataFrame
        One row per (variant, strategy): ``variant``, the parameters, ``strategy``, ``n`` (runs
        that finished), ``failed``, ``mean``, ``half_width`` (Student t; 0 with one run),
        ``ci_low``, ``ci_high`` and ``best`` (the best strategy of the variant, by the KPI's
        direction; ties go to the earlier strategy).
    """
    better = KPI_INFO[objective][2]
    rows = []
    for variant, group in runs.groupby("variant", sort=True):
        first = group.iloc[0]
        candidates: list[tuple[float, int, str]] = []
        block = []
        for order, label in enumerate(strategies):
            mine = group[group["strategy"] == label]
            ok = mine[mine["status"] == "ok"]
            x = ok[objective].to_numpy(dtype=np.float64)
            n = int(x.size)
            mean = float(x.mean()) if n else math.nan
            half = 0.0
            if n > 1 and np.all(np.isfinite(x)):
                half = float(stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n))
            if n and math.isfinite(mean):
                candidates.append(((mean if better == "lower" else -mean), order, label))
            block.append(
                {
                    "variant": _int(variant),
                    **{p: first[p] for p in parameters},
                    "strategy": label,
                    "n": n,
                    "failed": int((mine["status"] != "ok").sum()),
                    "mean": mean,
                    "half_width": half,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                }
            )
        best = min(candidates)[2] if candidates else ""
        for row in block:
            row["best"] = best
        rows.extend(block)
    columns = [
        "variant",
        *parameters,
        "strategy",
        "n",
        "failed",
        "mean",
        "half_width",
        "ci_low",
        "ci_high",
        "best",
    ]
    return pd.DataFrame(rows, columns=columns)


def break_even_points(
    summary: pd.DataFrame,
    parameters: Sequence[str],
    *,
    orders: Mapping[str, Sequence[Any]] | None = None,
) -> list[BreakEven]:
    """Where the best strategy changes along each parameter, the others held fixed.

    Parameters
    ----------
    summary
        As :func:`summarize` returns: the parameter columns, ``strategy``, ``mean``, ``ci_low``,
        ``ci_high`` and ``best``.
    parameters
        The grid parameters.
    orders
        Grid order of each parameter's values; numeric values are sorted in any case, other
        values keep this order (default: order of first appearance).

    Returns
    -------
    list[BreakEven]
        For every parameter, every slice of the others, every pair of neighbouring values whose
        best strategies differ.
    """
    out: list[BreakEven] = []
    if summary.empty:
        return out
    keyed = summary.assign(_key=[_canonical(list(r)) for r in summary[list(parameters)].values])
    for param in parameters:
        others = [p for p in parameters if p != param]
        values = list((orders or {}).get(param) or dict.fromkeys(summary[param].tolist()))
        if _numeric(values):
            values = sorted(values)
        slices: dict[str, dict[str, Any]] = {}
        for row in summary[others].itertuples(index=False):
            slices.setdefault(_canonical(list(row)), dict(zip(others, row, strict=True)))
        for fixed in slices.values():
            mask = np.ones(len(summary), dtype=bool)
            for p, v in fixed.items():
                mask &= np.array([_canonical(x) == _canonical(v) for x in summary[p]])
            sub = keyed[mask]
            by_value = {
                _canonical(v): sub[[_canonical(x) == _canonical(v) for x in sub[param]]]
                for v in values
            }
            points = [(v, by_value[_canonical(v)]) for v in values if len(by_value[_canonical(v)])]
            for (a, rows_a), (b, rows_b) in itertools.pairwise(points):
                best_a = str(rows_a["best"].iloc[0])
                best_b = str(rows_b["best"].iloc[0])
                if not best_a or not best_b or best_a == best_b:
                    continue
                sa = rows_a.set_index("strategy")
                sb = rows_b.set_index("strategy")
                at = None
                if _numeric([a, b]):
                    d_a = _num(sa.loc[best_a, "mean"]) - _num(sa.loc[best_b, "mean"])
                    d_b = _num(sb.loc[best_a, "mean"]) - _num(sb.loc[best_b, "mean"])
                    if math.isfinite(d_a) and math.isfinite(d_b) and d_a != d_b:
                        at = float(a) + (float(b) - float(a)) * d_a / (d_a - d_b)
                        at = min(max(at, float(min(a, b))), float(max(a, b)))
                clear = _apart(sa, best_a, best_b) and _apart(sb, best_a, best_b)
                out.append(BreakEven(param, fixed, a, b, best_a, best_b, at, clear))
    return out


def _apart(table: pd.DataFrame, s1: str, s2: str) -> bool:
    if s1 not in table.index or s2 not in table.index:
        return False
    a_lo, a_hi = _num(table.loc[s1, "ci_low"]), _num(table.loc[s1, "ci_high"])
    b_lo, b_hi = _num(table.loc[s2, "ci_low"]), _num(table.loc[s2, "ci_high"])
    if not (a_hi > a_lo or b_hi > b_lo):
        return False  # one run each: no interval to judge by
    return a_hi < b_lo or b_hi < a_lo


# -- the sweep -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    """What a sweep produced: every run, the summary on the objective and the break-even points.

    Attributes
    ----------
    sweep
        The sweep that ran.
    runs
        One row per run of the sweep, in task order: ``run_id``, ``variant``, ``variant_id``,
        one column per grid parameter (the values as given), ``strategy``, ``replication``,
        ``seed``, ``status``, ``error``, ``elapsed_s`` and the KPIs (NaN for failed runs).
    objective
        The KPI of :attr:`summary` and :attr:`break_even`.
    summary
        :func:`summarize` of :attr:`runs`.
    break_even
        :func:`break_even_points` of :attr:`summary`.
    resumed
        Runs taken from the results file instead of being run again.
    """

    sweep: Sweep
    runs: pd.DataFrame
    objective: str
    summary: pd.DataFrame
    break_even: tuple[BreakEven, ...]
    resumed: int = 0
    results_path: Path | None = None

    @property
    def failures(self) -> pd.DataFrame:
        """The failed runs (``run_id``, parameters, ``strategy``, ``replication``, ``error``)."""
        return self.runs[self.runs["status"] != "ok"]

    def with_objective(self, objective: str) -> SweepResult:
        """The same runs summarised on another KPI."""
        _check_objective(objective, ScenarioError)
        summary = summarize(self.runs, self.sweep.parameters, self.sweep.strategies, objective)
        return SweepResult(
            self.sweep,
            self.runs,
            objective,
            summary,
            tuple(break_even_points(summary, self.sweep.parameters, orders=self.sweep.grid)),
            self.resumed,
            self.results_path,
        )

    def table(self) -> pd.DataFrame:
        """The summary in wide form: one row per variant, ``mean`` and ``half_width`` per
        strategy, and ``best``."""
        s = self.summary
        params = list(self.sweep.parameters)
        rows = []
        for variant, group in s.groupby("variant", sort=True):
            row: dict[str, Any] = {"variant": variant}
            row.update({p: group[p].iloc[0] for p in params})
            for r in group.itertuples(index=False):
                label = str(r.strategy)
                row[f"{label} mean"] = r.mean
                row[f"{label} ±"] = r.half_width
            row["best"] = group["best"].iloc[0]
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN as ``None``)."""

        def num(x: Any) -> float | None:
            v = float(x)
            return v if math.isfinite(v) else None

        variants = []
        for variant, group in self.summary.groupby("variant", sort=True):
            variants.append(
                {
                    "variant": _int(variant),
                    "values": {p: _plain(group[p].iloc[0]) for p in self.sweep.parameters},
                    "best": group["best"].iloc[0] or None,
                    "strategies": {
                        str(r.strategy): {
                            "mean": num(r.mean),
                            "half_width": num(r.half_width),
                            "n": _int(r.n),
                            "failed": _int(r.failed),
                        }
                        for r in group.itertuples(index=False)
                    },
                }
            )
        fails = self.failures
        return {
            "sweep": self.sweep.name,
            "scenario": str(self.sweep.scenario_path),
            "objective": self.objective,
            "better": KPI_INFO[self.objective][2],
            "parameters": {p: [_plain(v) for v in vs] for p, vs in self.sweep.grid.items()},
            "strategies": list(self.sweep.strategies),
            "replications": self.sweep.replications,
            "runs": len(self.runs),
            "failed": len(fails),
            "variants": variants,
            "break_even": [b.to_dict() for b in self.break_even],
            "failures": [
                {
                    "run_id": r["run_id"],
                    "values": {p: _plain(r[p]) for p in self.sweep.parameters},
                    "strategy": r["strategy"],
                    "replication": _int(r["replication"]),
                    "error": r["error"],
                }
                for r in fails.to_dict("records")
            ],
        }


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """One finished run, as reported to a progress callback."""

    task: SweepTask
    variant: Variant
    status: str
    error: str
    done: int
    total: int


def run_sweep(
    sweep: Sweep | str | Path,
    *,
    executor: Executor | None = None,
    results: str | Path | None = None,
    resume: bool = False,
    objective: str | None = None,
    on_result: Callable[[RunOutcome], None] | None = None,
) -> SweepResult:
    """Run every task of ``sweep`` on ``executor``, appending each result to a CSV file.

    Parameters
    ----------
    sweep
        A loaded :class:`Sweep` or the path of a sweep file.
    executor
        Where runs execute (default: :class:`SerialExecutor`). The caller closes it.
    results
        The results CSV file (one row per finished run, flushed at once). Default: a temporary
        file, removed at the end.
    resume
        Keep the runs already in ``results`` and run only the others. Without it an existing,
        non-empty ``results`` file is an error (nothing is overwritten by accident).
    objective
        KPI of the summary (default: the sweep's).
    on_result
        Called after each finished run (progress bars, failure lines).

    Returns
    -------
    SweepResult

    Raises
    ------
    ScenarioError
        For a results file of another sweep, or one that exists without ``resume``.
    """
    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    objective = objective or sweep.objective
    _check_objective(objective, ScenarioError)
    executor = executor or SerialExecutor()
    columns = sweep.columns()
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if results is None:
        if resume:
            raise ScenarioError("resume needs a results file (--results FILE)")
        tmp = tempfile.TemporaryDirectory(prefix="wms-sweep-")
        path = Path(tmp.name) / "results.csv"
    else:
        path = Path(results)
    try:
        done_ids: set[str] = set()
        if path.exists() and path.stat().st_size > 0:
            if not resume:
                raise ScenarioError(
                    f"{path}: results file exists; add --resume to continue it, or remove it or "
                    "choose another --results file"
                )
            _repair_tail(path)
            _check_header(path, columns)
            old = read_results(path)
            digests = set(old["sweep_digest"])
            if digests - {sweep.digest}:
                raise ScenarioError(
                    f"{path}: holds runs of another sweep (the scenario, seed or streams "
                    "changed); resume only with the same settings, or choose another --results"
                )
            done_ids = set(old["run_id"])
        tasks = sweep.tasks()
        todo = [t for t in tasks if t.run_id not in done_ids]
        resumed = len(tasks) - len(todo)
        variants = {v.id: v for v in sweep.variants()}
        by_id = {t.run_id: t for t in todo}
        writer = _ResultsWriter(path, columns)
        try:
            for n, row in enumerate(executor.map_unordered(run_task, todo), start=1):
                task = by_id[row["run_id"]]
                variant = variants[task.variant_id]
                writer.write(_full_row(sweep, task, variant, row))
                if on_result is not None:
                    on_result(RunOutcome(task, variant, row["status"], row["error"], n, len(todo)))
        finally:
            writer.close()
        runs = _runs_table(sweep, read_results(path), tasks, variants)
    finally:
        if tmp is not None:
            tmp.cleanup()
    summary = summarize(runs, sweep.parameters, sweep.strategies, objective)
    return SweepResult(
        sweep,
        runs,
        objective,
        summary,
        tuple(break_even_points(summary, sweep.parameters, orders=sweep.grid)),
        resumed,
        None if results is None else path,
    )


def _full_row(
    sweep: Sweep, task: SweepTask, variant: Variant, row: Mapping[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "run_id": task.run_id,
        "sweep_digest": sweep.digest,
        "variant_id": variant.id,
        "variant": variant.index,
        **{p: _value_text(v) for p, v in variant.values.items()},
        "strategy": task.strategy,
        "replication": task.replication,
        "seed": task.seed,
        "status": row["status"],
        "error": row["error"],
        # repr keeps every bit of a float; the file reads back exactly (read_results).
        "elapsed_s": f"{row['elapsed_s']:.4f}",
    }
    for k in KPI_NAMES:
        if k in row:
            out[k] = repr(float(row[k]))
    return out


def _runs_table(
    sweep: Sweep,
    recorded: pd.DataFrame,
    tasks: Sequence[SweepTask],
    variants: Mapping[str, Variant],
) -> pd.DataFrame:
    """The sweep's runs in task order, with the grid values as given (not as CSV text)."""
    recorded = recorded.drop_duplicates("run_id", keep="last").set_index("run_id")
    rows = []
    for t in tasks:
        if t.run_id not in recorded.index:
            continue  # only when the executor stopped early
        rec = recorded.loc[t.run_id]
        v = variants[t.variant_id]
        rows.append(
            {
                "run_id": t.run_id,
                "variant": v.index,
                "variant_id": v.id,
                **dict(v.values),
                "strategy": t.strategy,
                "replication": t.replication,
                "seed": t.seed,
                "status": rec["status"],
                "error": rec["error"],
                "elapsed_s": _num(rec["elapsed_s"]),
                **{k: _num(rec[k]) for k in KPI_NAMES},
            }
        )
    cols = [
        "run_id",
        "variant",
        "variant_id",
        *sweep.parameters,
        "strategy",
        "replication",
        "seed",
        "status",
        "error",
        "elapsed_s",
        *KPI_NAMES,
    ]
    return pd.DataFrame(rows, columns=cols)
