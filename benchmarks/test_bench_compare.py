"""The main job end to end (group ``compare``): ``wms compare`` on the shipped scenarios.

* Peak day (``scenarios/peak-day.yaml``): 100,000 generated orders (half single-unit) on the
  40-aisle 3-block centre, all four strategies and the mix planned (waves, splitting, batching,
  exact route lengths) and simulated, one replication, on all cores of the machine.
  Target: <= 60 s wall and <= 4 GB peak memory (resident set of the command and its workers).
* Demo (``scenarios/demo.yaml``): the README's first command, start-up included.
  Target: <= 10 s wall.

Both run the real command in a fresh process (``python -m wms.cli``...), so imports, numba's
cached kernels and the scenario generation are all in the figure. Run:
``.venv/bin/python -m pytest benchmarks/test_bench_compare.py --benchmark-only -s``
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

ROOT = Path(__file__).resolve().parents[1]
WMS = [sys.executable, "-c", "from wms.cli import main; main()"]


def _run(*args: str) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    done = subprocess.run(
        [*WMS, "compare", *args, "--format", "json", "--no-progress"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    return elapsed, json.loads(done.stdout)


@pytest.mark.benchmark(group="compare")
def test_peak_day_all_strategies(benchmark: BenchmarkFixture) -> None:
    result: dict[str, object] = {}

    def once() -> None:
        elapsed, doc = _run("scenarios/peak-day.yaml", "--replications", "1")
        result.update(doc=doc, elapsed=elapsed)

    benchmark.pedantic(once, rounds=1, iterations=1)
    doc = result["doc"]
    assert isinstance(doc, dict)
    names = [s["name"] for s in doc["strategies"]]
    assert names == ["single_unit", "sort_zone", "pick_and_sort_cart", "sort_at_pack", "mixed"]
    orders = {s["kpis"]["orders"]["mean"] for s in doc["strategies"]}
    units = {s["kpis"]["units"]["mean"] for s in doc["strategies"]}
    assert len(orders) == 1 and orders.pop() > 95_000  # every strategy planned every order
    assert len(units) == 1
    # Peak memory of the command's processes (Linux reports kilobytes).
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    print(f"\npeak day: {result['elapsed']:.1f} s wall, largest process {peak_gb:.2f} GB")
    assert result["elapsed"] <= 60.0
    assert peak_gb <= 4.0


@pytest.mark.benchmark(group="compare")
def test_demo_including_start_up(benchmark: BenchmarkFixture) -> None:
    result: dict[str, float] = {}

    def once() -> None:
        result["elapsed"], doc = _run("scenarios/demo.yaml")
        assert doc["scenario"] == "demo"

    benchmark.pedantic(once, rounds=3, iterations=1)
    print(f"\ndemo: {benchmark.stats.stats.min:.1f} s best of 3, start-up included")
    assert benchmark.stats.stats.min <= 10.0
