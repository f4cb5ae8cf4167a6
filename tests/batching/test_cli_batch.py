"""The ``wms batch`` command on the Henn example files, tested on an app of its own."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from wms.cli_batch import register
from wms.io.henn import read_henn_orders
from wms.routing import route_many
from wms.routing.base import PickLists

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "henn"
DATA = Path(__file__).resolve().parents[1] / "data" / "batching"
ORDERS = EXAMPLES / "1s-20-45-0.txt"
SETTING = EXAMPLES / "sett1.txt"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    """A Typer app with only the batch command (the lead wires it into ``wms.cli``)."""
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    return app


def run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, ["batch", *args])
    return res.exit_code, res.stdout, res.stderr


def test_json_output_is_one_object_with_a_valid_batching(app: typer.Typer) -> None:
    code, out, err = run(app, str(ORDERS), "--setting", str(SETTING), "--format", "json")
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1
    obj = json.loads(out)
    assert list(obj) == [
        "instance", "method", "routing", "capacity", "batches", "lengths", "total_length",
    ]  # fmt: skip
    assert obj["instance"] == "1s-20-45-0"
    assert (obj["method"], obj["routing"], obj["capacity"]) == ("ils", "s_shape", 45)
    assert sorted(o for b in obj["batches"] for o in b) == list(range(20))
    inst = read_henn_orders(ORDERS, SETTING)
    assert all(sum(inst.orders[o].size for o in b) <= 45 for b in obj["batches"])
    picks = PickLists.from_lists(
        [np.concatenate([inst.orders[o] for o in b]) for b in obj["batches"]]
    )
    np.testing.assert_allclose(obj["lengths"], route_many(inst.layout, picks, "s_shape"))
    assert obj["total_length"] == pytest.approx(sum(obj["lengths"]))


def test_ils_beats_fcfs_and_is_reproducible(app: typer.Typer) -> None:
    def total(*extra: str) -> float:
        code, out, err = run(app, str(ORDERS), "--setting", str(SETTING), "-f", "json", *extra)
        assert code == 0, err
        return float(json.loads(out)["total_length"])

    fcfs = total("--method", "fcfs")
    savings = total("--method", "savings")
    ils = total("--time-limit", "0.3", "--seed", "3")
    assert ils <= savings < fcfs


def test_options_override_capacity_and_routing(app: typer.Typer) -> None:
    code, out, err = run(
        app, str(ORDERS), "--setting", str(SETTING), "--capacity", "60", "--routing", "optimal",
        "--method", "savings", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    obj = json.loads(out)
    assert (obj["capacity"], obj["routing"], obj["method"]) == (60, "optimal", "savings")
    inst = read_henn_orders(ORDERS, SETTING)
    assert all(sum(inst.orders[o].size for o in b) <= 60 for b in obj["batches"])


def test_table_output_lists_batches_and_total(app: typer.Typer) -> None:
    code, out, err = run(app, str(ORDERS), "--setting", str(SETTING), "--method", "fcfs")
    assert code == 0, err
    assert out.startswith("instance 1s-20-45-0  method fcfs  routing s_shape  capacity 45")
    assert "    0     42       560.0  0, 1" in out
    assert out.strip().splitlines()[-1].startswith("total: 9 batches")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--method", "bogus"), "unknown batching method 'bogus'; choose one of: fcfs"),
        (("--routing", "bogus"), "unknown routing method 'bogus'"),
        (("--capacity", "10"), "order 0 needs 19 units but a batch holds at most 10"),
        (("--time-limit", "-1"), "time_limit_s must be >= 0"),
    ],
)
def test_user_errors_are_one_line_and_exit_1(
    app: typer.Typer, args: tuple[str, ...], message: str
) -> None:
    code, out, err = run(app, str(ORDERS), "--setting", str(SETTING), *args)
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: ") and message in err


def test_missing_files_and_unreadable_names_are_user_errors(
    app: typer.Typer, tmp_path: Path
) -> None:
    code, _, err = run(app, str(tmp_path / "nope-20-45-0.txt"), "--setting", str(SETTING))
    assert code == 1 and "nope-20-45-0.txt" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(app, str(ORDERS), "--setting", str(tmp_path / "sett9.txt"))
    assert code == 1 and "sett9.txt" in err
    no_cap = DATA / "orders-without-capacity.txt"
    code, _, err = run(app, str(no_cap), "--setting", str(SETTING))
    assert code == 1 and "cannot read the capacity from the file name" in err
    code, out, err = run(
        app, str(no_cap), "--setting", str(SETTING), "--capacity", "40", "-f", "json"
    )
    assert code == 0, err
    assert json.loads(out)["instance"] == "orders-without-capacity"
