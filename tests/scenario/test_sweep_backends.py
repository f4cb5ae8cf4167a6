"""The sweep backends give the same numbers: serial, joblib/loky processes, Dask LocalCluster.

One small sweep (``tests/data/sweeps/small.yaml``: 24 runs of 60 orders) is run on every backend;
the result tables must be identical bit for bit (the seeds come from the tasks, never from the
worker or the finishing order). The loky and Dask process workers are real processes; the Dask
thread cluster checks that workers sharing one process do not disturb each other.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wms.scenario.sweep import (
    DaskExecutor,
    Executor,
    ProcessExecutor,
    SerialExecutor,
    SweepResult,
    load_sweep,
    make_executor,
    read_results,
    run_sweep,
)

ROOT = Path(__file__).parents[2]
SMALL = ROOT / "tests" / "data" / "sweeps" / "small.yaml"


def _stable(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns=["elapsed_s"]).sort_values("run_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[SweepResult, Path]:
    """The small sweep run serially (the reference) and its results file."""
    path = tmp_path_factory.mktemp("serial") / "runs.csv"
    return run_sweep(SMALL, executor=SerialExecutor(), results=path), path


def _check_same(serial: tuple[SweepResult, Path], executor: Executor, tmp_path: Path) -> None:
    reference, ref_path = serial
    path = tmp_path / "runs.csv"
    result = run_sweep(SMALL, executor=executor, results=path)
    pd.testing.assert_frame_equal(
        result.runs.drop(columns=["elapsed_s"]), reference.runs.drop(columns=["elapsed_s"])
    )
    pd.testing.assert_frame_equal(result.summary, reference.summary)
    pd.testing.assert_frame_equal(_stable(read_results(path)), _stable(read_results(ref_path)))
    assert read_results(path)["run_id"].is_unique


def test_reference_is_complete(serial: tuple[SweepResult, Path]) -> None:
    result, _ = serial
    assert len(result.runs) == 24 and (result.runs["status"] == "ok").all()


def test_processes_match_serial(serial: tuple[SweepResult, Path], tmp_path: Path) -> None:
    with ProcessExecutor(2) as executor:
        _check_same(serial, executor, tmp_path)


def test_dask_local_cluster_threads_match_serial(
    serial: tuple[SweepResult, Path], tmp_path: Path
) -> None:
    with DaskExecutor("local", 2, processes=False) as executor:
        _check_same(serial, executor, tmp_path)


def test_dask_local_cluster_processes_match_serial(
    serial: tuple[SweepResult, Path], tmp_path: Path
) -> None:
    with make_executor("dask", jobs=2, scheduler="local") as executor:
        _check_same(serial, executor, tmp_path)


def test_make_executor_names() -> None:
    assert make_executor("serial").name == "serial"
    assert make_executor("processes", jobs=3).name == "processes"
    with pytest.raises(ValueError, match="unknown backend 'ray'"):
        make_executor("ray")
    with pytest.raises(ValueError, match="needs the dask backend"):
        make_executor("processes", scheduler="tcp://localhost:8786")


def test_unreachable_scheduler_is_a_user_error() -> None:
    from wms.errors import WmsError

    with pytest.raises(WmsError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", timeout_s=1)


def test_tasks_are_plain_data() -> None:
    """What travels to a worker pickles small: no solver objects, no loaded scenario."""
    import pickle

    task = load_sweep(SMALL).tasks()[0]
    assert len(pickle.dumps(task)) < 20_000


def test_batches_keep_task_order_and_spread_over_workers() -> None:
    from wms.scenario.sweep import _batches

    tasks = list(range(200))
    batches = _batches(tasks, workers=2, max_batch=8)
    assert [t for b in batches for t in b] == tasks
    assert {len(b) for b in batches} == {8} and len(batches) == 25
    assert _batches(list(range(5)), workers=2, max_batch=8) == [[0], [1], [2], [3], [4]]
    assert _batches([], workers=2, max_batch=8) == []
