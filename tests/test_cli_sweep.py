"""``wms sweep``: table and JSON output, the report, results and resume, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from wms.cli import app

ROOT = Path(__file__).parents[1]
SWEEPS = ROOT / "tests" / "data" / "sweeps"
EMBEDDED = SWEEPS / "embedded.yaml"

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_table_with_best_strategy() -> None:
    code, out, err = run("sweep", EMBEDDED, "--backend", "serial")
    assert code == 0, err
    assert "resources.pickers" in out and "sort_zone" in out and "best" in out
    assert "break-even" in out.lower()


def test_json_report_results_and_resume(tmp_path: Path) -> None:
    results = tmp_path / "runs.csv"
    report = tmp_path / "sweep.html"
    args = ("sweep", EMBEDDED, "-b", "serial", "--results", results, "--format", "json")
    code, out, err = run(*args, "--report", report, "--objective", "travel_m_per_unit")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["objective"] == "travel_m_per_unit" and doc["runs"] == 4 and doc["failed"] == 0
    assert [v["values"] for v in doc["variants"]] == [
        {"resources.pickers": 1},
        {"resources.pickers": 2},
    ]
    assert set(doc["variants"][0]["strategies"]) == {"sort_zone", "pick_and_sort_cart"}
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert len(results.read_text().splitlines()) == 1 + 4

    code, _, err = run(*args)
    assert code == 1 and err.startswith("error: ") and "--resume" in err
    code, out2, err = run(*args, "--resume")
    assert code == 0, err
    assert "4 runs taken from" in err
    assert json.loads(out2)["runs"] == 4
    assert len(results.read_text().splitlines()) == 1 + 4


def test_failures_are_reported_not_fatal() -> None:
    code, out, err = run("sweep", SWEEPS / "no-sorters.yaml", "-b", "serial", "-f", "json")
    assert code == 0, err
    assert "failed (resources.sort_zone.sorters=0, orders.generate.n_orders=40; sort_zone" in err
    assert "1 of 4 runs failed" in err
    assert json.loads(out)["failed"] == 1


def test_user_mistakes_are_one_line() -> None:
    cases = [
        (("sweep", SWEEPS / "negative-pickers.yaml"), "resources.pickers: must be greater"),
        (("sweep", SWEEPS / "nope.yaml"), "sweep file not found"),
        (("sweep", EMBEDDED, "--resume"), "--resume needs --results"),
        (("sweep", EMBEDDED, "-b", "serial", "--scheduler", "local"), "--scheduler needs"),
        (("sweep", EMBEDDED, "-b", "serial", "--objective", "travel"), "unknown KPI 'travel'"),
        (("sweep", EMBEDDED, "-b", "serial", "--objective", "orders"), "no better direction"),
    ]
    for args, message in cases:
        code, out, err = run(*args)
        assert code == 1, args
        assert err.startswith("error: ") and message in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert out == ""


def test_help_lists_the_options() -> None:
    code, out, _ = run("sweep", "--help")
    assert code == 0
    for option in ("--backend", "--scheduler", "--jobs", "--results", "--resume", "--report"):
        assert option in out
