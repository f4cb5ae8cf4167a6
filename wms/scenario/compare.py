"""The strategy comparison: every strategy of a scenario planned and simulated on the same orders.

>>> from wms import compare
>>> result = compare("scenarios/demo.yaml")        # doctest: +SKIP
>>> result.kpi_table()                             # KPIs x strategies   # doctest: +SKIP
>>> result.recommendation.best                     # doctest: +SKIP

For each replication ``k`` the orders are generated once (``SeedSequence(seed, spawn_key=(1,
k))``) with the error model's dice (``spawn_key=(2, k)``), and every strategy plans and simulates
those same orders and dice (common random numbers). Replications give means and 95 % confidence
intervals (Student t over replications). Same scenario, same seed: the same numbers, bit for bit,
whether strategies run one after the other or in parallel processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from wms.errors import ScenarioError
from wms.model import Order
from wms.scenario.result import Comparison, DrawnRoute, Recommendation
from wms.scenario.schema import Scenario, StrategySpec, load_scenario
from wms.sim import KPI_INFO, KPI_NAMES, SimRecords, SimResources, kpis, simulate
from wms.sim.work import Work
from wms.strategies import OrderStream, StrategyContext, get_strategy
from wms.strategies.base import seconds_of_day

__all__ = [
    "compare",
    "order_stream",
    "run_strategy",
    "shift_windows",
    "sim_resources",
    "strategy_context",
]

DAY_S = 86_400.0

Progress = Callable[[str], None]


def shift_windows(scenario: Scenario) -> tuple[tuple[float, float], ...]:
    """The scenario's shifts as working windows in seconds from midnight of the day.

    Shifts repeat every day: the windows of the simulated day and of the next one (where the
    orders that arrive after the last shift are picked the next morning). A shift past
    midnight (``22:00``-``06:00``) also works ``00:00``-``06:00`` of the day, from the night
    before. Touching or overlapping windows are merged.
    """
    raw: list[tuple[float, float]] = []
    for shift in scenario.resources.shifts:
        start = float(shift.start.hour * 3600 + shift.start.minute * 60 + shift.start.second)
        end = float(shift.end.hour * 3600 + shift.end.minute * 60 + shift.end.second)
        if end <= start:
            end += DAY_S
            if end > DAY_S:
                raw.append((0.0, end - DAY_S))
        raw.extend([(start, end), (start + DAY_S, end + DAY_S)])
    raw.sort()
    merged: list[tuple[float, float]] = []
    for start, end in raw:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def sim_resources(scenario: Scenario) -> SimResources:
    """Staff of the scenario for the simulation (packers limited by the pack stations)."""
    r = scenario.resources
    return SimResources(
        pickers=r.pickers,
        sorters=r.sorters,
        packers=min(r.packers, r.pack_stations),
        put_wall_positions=r.put_wall_positions,
        shifts=shift_windows(scenario),
    )


def _context(scenario: Scenario) -> StrategyContext:
    if scenario.catalog is None or scenario.device_configs is None:
        raise ScenarioError(f"{scenario.source}: load the scenario with generate=True to compare")
    return StrategyContext(
        layout=scenario.layout,
        catalog=scenario.catalog,
        devices=scenario.device_configs,
        standards=scenario.time_standards,
        label_print_s=scenario.label_print_s,
        put_wall_positions=scenario.resources.put_wall_positions,
        settings=scenario.simulation,
    )


def _orders_of(scenario: Scenario, replication: int) -> tuple[list[Order], np.ndarray]:
    """Orders of a replication and their arrival times (s from midnight)."""
    if scenario.order_params is not None:
        pairs = scenario.generate_orders(replication)
        arrivals = np.array([seconds_of_day(a, scenario.day) for a, _ in pairs])
        return [o for _, o in pairs], arrivals
    assert scenario.orders is not None
    # Orders of a file arrive at their `arrival` time; without one, when the first shift starts.
    first = shift_windows(scenario)[0][0]
    arrivals = np.array(
        [
            first if o.arrival is None else seconds_of_day(o.arrival, scenario.day)
            for o in scenario.orders
        ],
        dtype=np.float64,
    )
    order = np.argsort(arrivals, kind="stable")
    return [scenario.orders[k] for k in order.tolist()], arrivals[order]


def _stream(scenario: Scenario, replication: int) -> OrderStream:
    orders, arrivals = _orders_of(scenario, replication)
    rng = np.random.default_rng(np.random.SeedSequence(scenario.seed, spawn_key=(2, replication)))
    return OrderStream.build(
        orders,
        arrivals,
        day=scenario.day,
        shifts=shift_windows(scenario),
        release_interval_s=scenario.simulation.release_interval_min * 60.0,
        rng=rng,
    )


@dataclass
class _Run:
    """One strategy on one replication."""

    spec: StrategySpec
    replication: int
    work: Work
    records: SimRecords
    kpis: dict[str, float]
    routes: dict[int, Any]


def _run_one(
    spec: StrategySpec,
    replication: int,
    stream: OrderStream,
    context: StrategyContext,
    resources: SimResources,
    keep: bool,
) -> _Run:
    strategy = get_strategy(spec.name, spec.params)
    planned = strategy.plan_with_routes(stream, context, spec.label)
    if resources.sorters == 0 and bool(planned.work.trip_to_sort.any()):
        raise ScenarioError(
            f"strategy {spec.label!r} sorts at the put wall but the scenario has no sorters: set "
            "resources.sort_zone.sorters to at least 1"
        )
    records = simulate(planned.work, resources)
    row = kpis(planned.work, records, resources)
    return _Run(spec, replication, planned.work, records, row, planned.routes if keep else {})


def strategy_context(scenario: Scenario) -> StrategyContext:
    """What every strategy plans with: layout, catalogue, devices, time standards, settings.

    Raises
    ------
    ScenarioError
        When the scenario was loaded with ``generate=False``.
    """
    return _context(scenario)


def order_stream(scenario: Scenario, replication: int) -> OrderStream:
    """The orders and error dice of ``replication``, shared by every strategy (common random
    numbers): orders from ``SeedSequence(seed, spawn_key=(1, replication))``, dice from
    ``spawn_key=(2, replication)``."""
    return _stream(scenario, replication)


def run_strategy(
    spec: StrategySpec,
    replication: int,
    stream: OrderStream,
    context: StrategyContext,
    resources: SimResources,
) -> dict[str, float]:
    """Plan and simulate one strategy on one replication's orders; its KPIs.

    Parameters
    ----------
    spec
        The strategy (one of ``scenario.strategies``).
    replication
        0-based replication index (for messages; the orders come from ``stream``).
    stream, context, resources
        From :func:`order_stream`, :func:`strategy_context` and :func:`sim_resources`.

    Returns
    -------
    dict[str, float]
        One value per name of :data:`wms.sim.KPI_NAMES`.

    Raises
    ------
    ScenarioError
        When the scenario cannot run the strategy (e.g. a put wall without sorters).
    """
    return _run_one(spec, replication, stream, context, resources, False).kpis


def compare(
    scenario: Scenario | str | Path,
    *,
    replications: int | None = None,
    strategies: Sequence[str] | None = None,
    objective: str | None = None,
    n_jobs: int = 1,
    progress: Progress | None = None,
) -> Comparison:
    """Plan and simulate every strategy of ``scenario`` on the same orders; advise.

    Parameters
    ----------
    scenario
        A loaded :class:`Scenario` or the path of a scenario file.
    replications
        Override the scenario's number of replications.
    strategies
        Labels of the scenario's strategies to run (default: all).
    objective
        KPI the recommendation optimises (default: the scenario's ``simulation.objective``).
    n_jobs
        Processes for the strategies of a replication (forked on Linux, joblib elsewhere); 1
        runs in this process. Results do not depend on it.
    progress
        Called with a short message after each run (for a progress bar).

    Returns
    -------
    Comparison

    Raises
    ------
    ScenarioError
        For an unknown strategy label or KPI, or a scenario the strategies cannot run.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    specs = _select(scenario, strategies)
    reps = scenario.replications if replications is None else int(replications)
    if reps < 1:
        raise ScenarioError(f"replications must be at least 1, got {reps}")
    objective = objective or scenario.simulation.objective
    if objective not in KPI_NAMES:
        raise ScenarioError(f"unknown KPI {objective!r} (KPIs: {', '.join(KPI_NAMES)})")
    context = _context(scenario)
    resources = sim_resources(scenario)

    runs: list[_Run] = []
    pick_units = pd.DataFrame()
    for k in range(reps):
        stream = _stream(scenario, k)
        if k == 0:  # the heatmap's orders: replication 0, the same for every strategy
            pick_units = _pick_units(scenario, stream)
        if n_jobs == 1 or len(specs) == 1:
            batch = []
            for spec in specs:
                batch.append(_run_one(spec, k, stream, context, resources, k == 0))
                if progress is not None:
                    progress(f"replication {k + 1}/{reps}: {spec.label}")
        else:
            batch = _run_parallel(specs, k, stream, context, resources, n_jobs, progress, reps)
        runs.extend(batch)
    return _comparison(scenario, specs, reps, objective, runs, pick_units)


#: What forked workers inherit: (stream, context, resources) of the replication being run.
_SHARED: dict[str, tuple[OrderStream, StrategyContext, SimResources]] = {}


def _run_inherited(spec: StrategySpec, replication: int, keep: bool) -> _Run:
    stream, context, resources = _SHARED["args"]
    return _run_one(spec, replication, stream, context, resources, keep)


def _run_parallel(
    specs: Sequence[StrategySpec],
    k: int,
    stream: OrderStream,
    context: StrategyContext,
    resources: SimResources,
    n_jobs: int,
    progress: Progress | None,
    reps: int,
) -> list[_Run]:
    """The strategies of one replication in ``n_jobs`` processes, results in ``specs`` order.

    On Linux the workers are forked and inherit the replication's orders (pickling 100,000
    orders for every task would cost more than it saves); elsewhere joblib's loky processes
    receive them pickled.
    """
    import multiprocessing
    import sys

    workers = min(n_jobs, len(specs))
    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        from concurrent.futures import ProcessPoolExecutor

        _SHARED["args"] = (stream, context, resources)
        try:
            with ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("fork")
            ) as pool:
                futures = [pool.submit(_run_inherited, s, k, k == 0) for s in specs]
                out = []
                for spec, future in zip(specs, futures, strict=True):
                    out.append(future.result())
                    if progress is not None:
                        progress(f"replication {k + 1}/{reps}: {spec.label}")
                return out
        finally:
            _SHARED.clear()
    from joblib import Parallel, delayed

    out = list(
        Parallel(n_jobs=workers)(
            delayed(_run_one)(s, k, stream, context, resources, k == 0) for s in specs
        )
    )
    if progress is not None:
        for spec in specs:
            progress(f"replication {k + 1}/{reps}: {spec.label}")
    return out


def _select(scenario: Scenario, labels: Sequence[str] | None) -> list[StrategySpec]:
    if not labels:
        return list(scenario.strategies)
    by_label = {s.label: s for s in scenario.strategies}
    unknown = [x for x in labels if x not in by_label]
    if unknown:
        raise ScenarioError(
            f"{scenario.source}: no strategy labelled {unknown[0]!r} in the scenario (its "
            f"strategies: {', '.join(by_label)})"
        )
    return [by_label[x] for x in labels]


def _summary(runs_df: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    rows = []
    for label in labels:
        sub = runs_df[runs_df["strategy"] == label]
        n = len(sub)
        for kpi in KPI_NAMES:
            values = sub[kpi].to_numpy(dtype=np.float64)
            mean = float(values.mean())
            if n > 1 and np.all(np.isfinite(values)):
                half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))
            else:
                half = 0.0
            rows.append(
                {
                    "strategy": label,
                    "kpi": kpi,
                    "mean": mean,
                    "half_width": half,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                    "n": n,
                }
            )
    return pd.DataFrame(rows)


def _comparison(
    scenario: Scenario,
    specs: Sequence[StrategySpec],
    reps: int,
    objective: str,
    runs: Sequence[_Run],
    pick_units: pd.DataFrame,
) -> Comparison:
    labels = tuple(s.label for s in specs)
    runs_df = pd.DataFrame(
        [{"strategy": r.spec.label, "replication": r.replication, **r.kpis} for r in runs]
    )
    summary = _summary(runs_df, labels)
    first = [r for r in runs if r.replication == 0]
    orders = pd.concat([_order_records(r) for r in first], ignore_index=True)
    trips = pd.concat([_trip_records(r) for r in first], ignore_index=True)
    routes = tuple(
        DrawnRoute(
            strategy=r.spec.label,
            trip_id=r.work.trip_ids[t],
            length_m=float(route.length_m),
            points=tuple((float(s.x_m), float(s.y_m)) for s in route.stops),
        )
        for r in first
        for t, route in sorted(r.routes.items())
    )
    return Comparison(
        scenario=scenario.name,
        description=scenario.description,
        strategies=labels,
        replications=reps,
        runs=runs_df,
        summary=summary,
        orders=orders,
        trips=trips,
        pick_units=pick_units,
        routes=routes,
        layout=scenario.layout,
        recommendation=recommend(summary, labels, objective),
    )


def _order_records(run: _Run) -> pd.DataFrame:
    w, rec = run.work, run.records
    cycle = (rec.order_packed_s - w.arrival_s) / 60.0
    return pd.DataFrame(
        {
            "strategy": run.spec.label,
            "order_id": list(w.order_ids),
            "lane": np.asarray(w.lane_names, dtype=object)[w.order_lane],
            "arrival_s": w.arrival_s,
            "due_s": w.due_s,
            "units": w.order_units,
            "lines": w.order_lines,
            "picked_s": rec.order_picked_s,
            "ready_s": rec.order_ready_s,
            "pack_start_s": rec.order_pack_start_s,
            "packed_s": rec.order_packed_s,
            "cycle_min": cycle,
            "late": rec.order_packed_s > w.due_s,
        }
    )


def _trip_records(run: _Run) -> pd.DataFrame:
    w, rec = run.work, run.records
    return pd.DataFrame(
        {
            "strategy": run.spec.label,
            "trip_id": list(w.trip_ids),
            "lane": np.asarray(w.lane_names, dtype=object)[w.trip_lane],
            "picker": rec.trip_picker,
            "release_s": w.trip_release_s,
            "start_s": rec.trip_start_s,
            "end_s": rec.trip_end_s,
            "travel_m": w.trip_travel_m,
            "units": w.trip_units,
            "lines": w.trip_lines,
            "orders": np.diff(w.part_start),
            "to_sort": w.trip_to_sort,
            "sorter": rec.trip_sorter,
            "sort_start_s": rec.trip_sort_start_s,
            "sort_end_s": rec.trip_sort_end_s,
        }
    )


def _pick_units(scenario: Scenario, stream: OrderStream) -> pd.DataFrame:
    """Units picked per location for the orders of ``stream`` (reused, not generated again)."""
    loc = scenario.layout.locations
    units = np.zeros(len(loc), dtype=np.int64)
    catalog = scenario.catalog or {}
    for order in stream.orders:
        for line in order.lines:
            sku = catalog.get(line.sku_id)
            where = None if sku is None else sku.pick_location
            if where is not None:
                units[loc.index(where)] += line.quantity
    used = np.flatnonzero(units)
    return pd.DataFrame(
        {
            "location": [loc.ids[i] for i in used.tolist()],
            "x_m": loc.x_m[used],
            "y_m": loc.y_m[used],
            "units": units[used],
        }
    )


def recommend(summary: pd.DataFrame, labels: Sequence[str], objective: str) -> Recommendation:
    """The best strategy on ``objective`` and the reasons, from the KPI summary.

    The ranking follows the KPI's direction (:data:`wms.sim.KPI_INFO`); the reasons give the
    margin over the runner-up and whether the 95 % intervals overlap (an overlap means more
    replications are needed to be sure), then what the winner costs on the other headline KPIs.
    """
    label, unit, better = KPI_INFO[objective]
    if better not in ("lower", "higher"):
        raise ScenarioError(f"KPI {objective!r} has no better direction; choose another objective")
    sub = summary[summary["kpi"] == objective].set_index("strategy").loc[list(labels)]
    ascending = better == "lower"
    ranking = tuple(sub.sort_values("mean", ascending=ascending, kind="stable").index)
    best = ranking[0]
    reasons = [
        f"{best} is best on {label} ({_fmt(sub.loc[best, 'mean'])} {unit}, {better} is better)."
    ]
    if len(ranking) > 1:
        second = ranking[1]
        a, b = sub.loc[best], sub.loc[second]
        gap = abs(float(b["mean"]) - float(a["mean"]))
        rel = gap / abs(float(b["mean"])) * 100 if float(b["mean"]) else float("nan")
        overlap = float(a["ci_low"]) <= float(b["ci_high"]) and float(b["ci_low"]) <= float(
            a["ci_high"]
        )
        sure = (
            "the 95 % confidence intervals overlap, so run more replications before relying on "
            "the order of the two"
            if overlap and (a["half_width"] > 0 or b["half_width"] > 0)
            else "the 95 % confidence intervals do not overlap"
            if a["half_width"] > 0 or b["half_width"] > 0
            else "with one replication there is no confidence interval"
        )
        reasons.append(
            f"The runner-up {second} is {_fmt(gap)} {unit} ({rel:.1f} %) behind; {sure}."
        )
    for other in (
        "late_orders",
        "cycle_time_p95_min",
        "labour_s_per_unit",
        "errors_shipped",
        "put_wall_positions_needed",
    ):
        if other == objective:
            continue
        rows = summary[summary["kpi"] == other].set_index("strategy").loc[list(labels)]
        o_label, o_unit, o_better = KPI_INFO[other]
        values = {str(k): float(v) for k, v in rows["mean"].items()}
        pick = min if o_better == "lower" else max
        best_other = pick(values, key=lambda k: values[k])
        if best_other != best and not np.isclose(values[best], values[best_other]):
            reasons.append(
                f"Trade-off: on {o_label} {best} gives {_fmt(values[best])} {o_unit}, "
                f"{best_other} {_fmt(values[best_other])} {o_unit}."
            )
    return Recommendation(objective=objective, best=best, ranking=ranking, reasons=tuple(reasons))


def _fmt(x: Any) -> str:
    v = float(x)
    if abs(v) >= 100 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:,.2f}"
