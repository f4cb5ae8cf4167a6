"""Speed of order batching (group ``batching``), on the Henn geometry with fixed seeds.

* singles: 100,000 single-unit orders (uniform demand), tote capacity 30 units: <= 2 s;
* a whole day: 10,000 multi-item orders (5-25 articles, uniform and ABC demand), capacity 45,
  default ``ils`` with a 25 s limit: <= 30 s, and shorter than the savings start;
* ``ils`` with its defaults (1 s limit) on 100 orders: <= 1 s, and never longer than savings.

Every benchmark checks its answer (partition, capacity) and its target; times are taken from the
fastest round where there are several (a shared machine slows rounds down, never up).

Run: ``.venv/bin/python -m pytest benchmarks/test_bench_batching.py --benchmark-only -s``
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from wms.batching import Batching, BatchingParams, BatchingProblem, batch
from wms.batching.generate import generate_problem, generate_singles, henn_layout
from wms.routing.base import PickLists

LAYOUT = henn_layout()


def _check(problem: BatchingProblem, result: Batching) -> None:
    orders = np.sort(np.concatenate([np.asarray(b) for b in result.batches]))
    np.testing.assert_array_equal(orders, np.arange(problem.n_orders))
    for b in result.batches:
        assert np.all(problem.loads[list(b)].sum(axis=0) <= problem.capacity + 1e-9)
    assert np.all(np.isfinite(result.lengths)) and np.all(result.lengths > 0)


@pytest.mark.benchmark(group="batching")
@pytest.mark.parametrize("routing", ["s_shape", "optimal"])
def test_singles_100k(benchmark: BenchmarkFixture, routing: str) -> None:
    locs = generate_singles(100_000, seed=2024)
    lists = PickLists(np.arange(locs.size + 1, dtype=np.int64), locs)
    problem = BatchingProblem(LAYOUT, lists, np.ones(locs.size), np.array([30.0]), routing=routing)
    batch(problem, "singles")  # compile outside the timing
    result = benchmark.pedantic(batch, args=(problem, "singles"), rounds=5, warmup_rounds=1)
    _check(problem, result)
    assert len(result.batches) == 3334
    stats = benchmark.stats
    assert stats is not None
    benchmark.extra_info.update(
        best_s=stats["min"], lists=len(result.batches), mean_list_m=float(result.lengths.mean())
    )
    print(f"\nsingles 100k ({routing}): best {stats['min']:.3f} s, {len(result.batches)} lists, "
          f"{result.total_length:,.0f} m")  # fmt: skip
    assert stats["min"] <= 2.0


@pytest.mark.benchmark(group="batching")
@pytest.mark.parametrize("demand", ["uniform", "abc"])
def test_ils_10k_orders(benchmark: BenchmarkFixture, demand: str) -> None:
    problem = generate_problem(10_000, 45, demand=demand, seed=7, layout=LAYOUT)  # type: ignore[arg-type]
    batch(generate_problem(600, 45, seed=1, layout=LAYOUT), "ils", BatchingParams(time_limit_s=1))
    start = time.perf_counter()
    savings_only = batch(problem, "ils", BatchingParams(time_limit_s=0.0))  # the starts alone
    build_s = time.perf_counter() - start
    result = benchmark.pedantic(
        batch, args=(problem, "ils", BatchingParams(time_limit_s=25.0)), rounds=1, iterations=1
    )
    _check(problem, result)
    stats = benchmark.stats
    assert stats is not None
    gain = 1.0 - result.total_length / savings_only.total_length
    lower = int(np.ceil(problem.loads.sum() / 45))
    benchmark.extra_info.update(
        seconds=stats["min"], savings_m=savings_only.total_length, ils_m=result.total_length,
        gain_vs_savings=gain, batches=len(result.batches), batches_lower_bound=lower,
        savings_build_s=build_s,
    )  # fmt: skip
    print(f"\n10k orders ({demand}): {stats['min']:.1f} s, savings {savings_only.total_length:,.0f} m "
          f"({len(savings_only.batches)} batches, built in {build_s:.1f} s) -> ils "
          f"{result.total_length:,.0f} m ({len(result.batches)} batches, bound {lower}), "
          f"{100 * gain:.2f} % shorter")  # fmt: skip
    assert stats["min"] <= 30.0
    assert result.total_length < savings_only.total_length


@pytest.mark.benchmark(group="batching")
@pytest.mark.parametrize("routing", ["s_shape", "optimal"])
def test_ils_100_orders(benchmark: BenchmarkFixture, routing: str) -> None:
    problems = [
        generate_problem(100, cap, demand=d, seed=100 + k, routing=routing, layout=LAYOUT)  # type: ignore[arg-type]
        for k, (cap, d) in enumerate([(45, "uniform"), (75, "abc")])
    ]
    batch(problems[0], "ils", BatchingParams(time_limit_s=0.2))  # compile outside the timing

    def run() -> list[Batching]:
        return [batch(p, "ils") for p in problems]

    results = benchmark.pedantic(run, rounds=3, iterations=1)
    stats = benchmark.stats
    assert stats is not None
    per_instance = stats["max"] / len(problems)
    gains = []
    for p, r in zip(problems, results, strict=True):
        _check(p, r)
        s = batch(p, "savings")
        assert r.total_length <= s.total_length + 1e-9
        gains.append(1.0 - r.total_length / s.total_length)
    benchmark.extra_info.update(seconds_per_instance=per_instance, gains=gains)
    print(f"\nils 100 orders ({routing}): {per_instance:.3f} s per instance (slowest round), "
          f"gain vs savings {', '.join(f'{100 * g:.2f} %' for g in gains)}")  # fmt: skip
    assert per_instance <= 1.0
