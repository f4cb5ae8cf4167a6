"""Scenario sweeps (group ``sweep``): parallel speed-up and the Dask backend's overhead per run.

A 200-run sweep of the demo scenario cut to 200 orders per run (5 picker counts x 2 cart sizes x
5 strategies x 4 replications), run

* serially in this process (the reference),
* on 2 local worker processes (joblib/loky): target speed-up >= 1.7x over serial (best of 5
  alternating rounds each, so that load from other jobs on the machine hits both alike),
* on a Dask LocalCluster with 1 worker process: (its time - serial time) / 200 is the overhead
  per run of the Dask backend (scheduling, task transfer, result return), printed;
* on a Dask LocalCluster with 2 worker processes (speed-up printed).

Workers are started and warmed up (imports, numba's cached kernels, one scenario built) before
the clock starts: start-up is paid once per sweep, not per run, and is printed separately. Every
backend must give the serial numbers bit for bit. Run:
``.venv/bin/python -m pytest benchmarks/test_bench_sweep.py --benchmark-only -s``
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from wms.scenario.sweep import (
    DaskExecutor,
    Executor,
    ProcessExecutor,
    SerialExecutor,
    Sweep,
    SweepResult,
    load_sweep,
    run_sweep,
)

ROOT = Path(__file__).resolve().parents[1]
#: Alternating serial/parallel rounds; the best of each is compared (the machine is shared).
ROUNDS = 5

SWEEP = """
scenario: {scenario}
name: bench-200
grid:
  resources.pickers: [1, 2, 3, 4, 5]
  strategies[2].totes: [10, 20]
  orders.generate.n_orders: [200]
replications: 4
seed: 3
"""


def _sweep(tmp_path: Path, seed: int = 3) -> Sweep:
    path = tmp_path / f"bench-{seed}.yaml"
    text = SWEEP.format(scenario=ROOT / "scenarios" / "demo.yaml").replace(
        "seed: 3", f"seed: {seed}"
    )
    path.write_text(text, encoding="utf-8")
    return load_sweep(path)


def _warm(executor: Executor, warm_up: Sweep) -> float:
    """Start the workers and build one scenario in each (other seed: no cache carried over)."""
    start = time.perf_counter()
    tasks = warm_up.tasks()[:10]
    for _ in executor.map_unordered(_noop_run, tasks):
        pass
    return time.perf_counter() - start


def _noop_run(task: object) -> None:
    from wms.scenario.sweep import run_task

    run_task(task)  # type: ignore[arg-type]
    time.sleep(0.05)  # let the other worker take the next warm-up task


def _timed(sweep: Sweep, executor: Executor) -> tuple[float, SweepResult]:
    start = time.perf_counter()
    result = run_sweep(sweep, executor=executor)
    return time.perf_counter() - start, result


def _same(a: SweepResult, b: SweepResult) -> None:
    pd.testing.assert_frame_equal(
        a.runs.drop(columns=["elapsed_s"]), b.runs.drop(columns=["elapsed_s"])
    )


def _best_of(rounds: int, sweep: Sweep, executor: Executor, reference: SweepResult) -> float:
    times = []
    for _ in range(rounds):
        t, result = _timed(sweep, executor)
        _same(result, reference)
        times.append(t)
    return min(times)


@pytest.mark.benchmark(group="sweep")
def test_sweep_200_runs_two_processes_vs_serial(
    benchmark: BenchmarkFixture, tmp_path: Path
) -> None:
    sweep = _sweep(tmp_path)
    warm_up = _sweep(tmp_path, seed=99)
    assert sweep.n_runs == 200

    serial = SerialExecutor()
    _warm(serial, warm_up)
    serial_s: list[float] = []
    processes_s: list[float] = []
    figures: dict[str, float] = {}
    out: dict[str, SweepResult] = {}
    with ProcessExecutor(2) as processes:
        figures["processes_startup_s"] = _warm(processes, warm_up)

        def setup() -> None:
            # Serial and parallel rounds alternate, so a burst of load on the machine (other
            # jobs) hits both; the best round of each is compared.
            t, result = _timed(sweep, serial)
            serial_s.append(t)
            out["reference"] = result

        def once() -> None:
            t, result = _timed(sweep, processes)
            processes_s.append(t)
            out["processes"] = result

        benchmark.pedantic(once, setup=setup, rounds=ROUNDS, iterations=1)
    reference = out["reference"]
    assert (reference.runs["status"] == "ok").all()
    _same(out["processes"], reference)
    t_serial, t_proc = min(serial_s), min(processes_s)
    figures.update(serial_s=t_serial, processes_2_s=t_proc, speedup_2_processes=t_serial / t_proc)

    with DaskExecutor("local", 1) as dask1:
        figures["dask_startup_s"] = _warm(dask1, warm_up)
        t_dask1 = _best_of(2, sweep, dask1, reference)
    figures["dask_1_worker_s"] = t_dask1
    figures["dask_overhead_ms_per_run"] = (t_dask1 - t_serial) / sweep.n_runs * 1000
    with DaskExecutor("local", 2) as dask2:
        _warm(dask2, warm_up)
        t_dask2 = _best_of(2, sweep, dask2, reference)
    figures["dask_2_workers_s"] = t_dask2
    figures["speedup_dask_2_workers"] = t_serial / t_dask2

    # Other jobs on the machine take cores from the workers: the load shows how much.
    figures["load_average_1min"] = os.getloadavg()[0]
    benchmark.extra_info.update(figures)
    print()
    print(f"load average (1 min) at the end: {figures['load_average_1min']:.2f}")
    print(f"200-run sweep: serial {t_serial:.2f} s ({t_serial / 200 * 1000:.1f} ms/run)")
    print(
        f"  2 loky processes {t_proc:.2f} s, speed-up {t_serial / t_proc:.2f}x "
        f"(start-up and warm-up {figures['processes_startup_s']:.1f} s, not counted)"
    )
    print(
        f"  Dask LocalCluster 1 worker {t_dask1:.2f} s: overhead "
        f"{figures['dask_overhead_ms_per_run']:.1f} ms per run vs serial"
    )
    print(f"  Dask LocalCluster 2 workers {t_dask2:.2f} s, speed-up {t_serial / t_dask2:.2f}x")
    assert t_serial / t_proc >= 1.7, figures
