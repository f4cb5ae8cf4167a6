"""``wms compare`` and ``wms scenario``: formats, files written, one-line errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from wms.cli import app

ROOT = Path(__file__).parents[1]
TINY = ROOT / "tests" / "data" / "scenarios" / "tiny.yaml"
BROKEN = ROOT / "tests" / "data" / "broken"

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_table_shows_strategies_kpis_and_advice() -> None:
    code, out, err = run("compare", TINY)
    assert code == 0, err
    for name in ("sort_zone", "pick_and_sort_cart", "single_unit", "sort_at_pack", "mixed"):
        assert name in out
    assert "Travel" in out and "Labour per unit" in out
    assert "Recommendation:" in out


def test_json_is_one_object_with_every_strategy() -> None:
    code, out, _ = run("compare", TINY, "--format", "json", "--strategy", "sort_zone",
                       "--strategy", "mixed")  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert doc["scenario"] == "tiny"
    assert [s["name"] for s in doc["strategies"]] == ["sort_zone", "mixed"]
    assert doc["strategies"][0]["kpis"]["travel_m"]["mean"] == pytest.approx(17.0)
    assert doc["recommendation"]["best"] in {"sort_zone", "mixed"}


def test_report_and_records_are_written(tmp_path: Path) -> None:
    report = tmp_path / "out.html"
    code, _, err = run("compare", TINY, "--report", report, "--records", tmp_path / "rec",
                       "--objective", "late_orders")  # fmt: skip
    assert code == 0, err
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>") or html.lstrip().lower().startswith("<!doctype")
    assert "late_orders" in html or "Late orders" in html
    orders = pd.read_csv(tmp_path / "rec" / "orders.csv")
    assert len(orders) == 2 * 5  # two orders, five strategies
    trips = pd.read_csv(tmp_path / "rec" / "trips.csv")
    assert set(trips.strategy) == {"sort_zone", "pick_and_sort_cart", "single_unit",
                                   "sort_at_pack", "mixed"}  # fmt: skip


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["compare", "no/such/scenario.yaml"], "scenario file not found"),
        (["compare", BROKEN / "scenario_unknown_objective.yaml"], "did you mean"),
        (["compare", TINY, "--strategy", "sortzone"], "no strategy labelled 'sortzone'"),
        (["compare", TINY, "--objective", "speed"], "unknown KPI 'speed'"),
        (["compare", TINY, "--objective", "orders"], "no better direction"),
        (["scenario", "check", BROKEN / "scenario_negative_pickers.yaml"], "resources.pickers"),
    ],
)
def test_user_errors_are_one_line(args: list[str | Path], fragment: str) -> None:
    code, out, err = run(*args)
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert fragment in lines[0]
    assert "Traceback" not in err


def test_scenario_check_and_schema() -> None:
    code, out, _ = run("scenario", "check", TINY)
    assert code == 0 and out.strip().endswith("OK")
    code, out, _ = run("scenario", "schema")
    schema = json.loads(out)
    assert "simulation" in schema["properties"]
