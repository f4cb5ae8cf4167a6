"""The `wms` command: output formats, exit codes, one-line errors on stderr (no tracebacks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from wms.cli import app

ROOT = Path(__file__).parents[1]
DATA = ROOT / "tests" / "data"
SPRP = DATA / "sprp"
PICKS = DATA / "picks"
LAYOUTS = ROOT / "layouts"
GOLDEN = {
    "literature_m5_C30_a7.txt": 94.0,
    "example_m10_C45_a4.txt": 242.0,
    "example_m10_C45_a9.txt": 268.0,
}

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str, str]:
    """Invoke the app in-process; returns (exit code, stdout, stderr)."""
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def assert_user_error(code: int, out: str, err: str, *fragments: str) -> None:
    """Exit 1, nothing on stdout, one ``error: ...`` line on stderr containing ``fragments``."""
    assert code == 1, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# -- help and methods ------------------------------------------------------------------------------


def test_help_lists_the_commands() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for command in ("route", "methods", "layout"):
        assert command in out


def test_methods_table_and_json() -> None:
    from wms.routing import METHODS

    code, out, _ = run("methods")
    assert code == 0
    for name in METHODS:
        assert name in out
    code, out, _ = run("methods", "--format", "json")
    rows = json_lines(out)
    assert {r["name"] for r in rows} == set(METHODS)
    assert all(set(r) == {"name", "exact", "layouts", "summary"} for r in rows)
    assert "optimal" in METHODS


# -- route: SPRP files -----------------------------------------------------------------------------


def test_route_sprp_files_json_one_object_per_instance() -> None:
    files = [SPRP / name for name in GOLDEN]
    code, out, err = run("route", *files, "--method", "optimal", "--format", "json")
    assert code == 0, err
    rows = json_lines(out)
    assert [r["instance"] for r in rows] == list(GOLDEN)
    for row in rows:
        assert set(row) == {"instance", "method", "length", "stops"}
        assert row["method"] == "optimal"
        assert row["length"] == pytest.approx(GOLDEN[str(row["instance"])])
        stops = row["stops"]
        assert isinstance(stops, list)
        assert stops[0]["kind"] == "start" and stops[-1]["kind"] == "end"
        assert stops[0]["id"] == "depot"


def test_route_sprp_table() -> None:
    code, out, err = run(
        "route", SPRP / "example_m10_C45_a4.txt", SPRP / "literature_m5_C30_a7.txt", "-m", "optimal"
    )
    assert code == 0, err
    assert "example_m10_C45_a4.txt" in out and "242.00" in out
    assert "literature_m5_C30_a7.txt" in out and "94.00" in out
    assert "total" in out and "336.00" in out


def test_route_many_sprp_files_with_a_heuristic() -> None:
    files = sorted(SPRP.glob("*.txt"))
    code, out, err = run("route", *files, "-m", "s_shape", "-f", "json")
    assert code == 0, err
    rows = json_lines(out)
    assert len(rows) == len(files)
    for row in rows:
        assert row["length"] >= GOLDEN.get(str(row["instance"]), 0.0)


# -- route: layout + picks -------------------------------------------------------------------------


def test_route_layout_with_csv_lists() -> None:
    code, out, err = run(
        "route",
        "--layout",
        LAYOUTS / "small-single-block.yaml",
        "--picks",
        PICKS / "small_two_lists.csv",
        "-f",
        "json",
    )
    assert code == 0, err
    rows = json_lines(out)
    assert [r["instance"] for r in rows] == ["L1", "L2"]
    picks = [[s["id"] for s in r["stops"] if s["kind"] == "pick"] for r in rows]
    assert sorted(picks[0]) == ["A00-B0-P03-L", "A02-B0-P10-L", "A05-B0-P17-R"]
    assert sorted(picks[1]) == ["A01-B0-P19-R", "A07-B0-P00-L"]
    # the layout's end is pack-1
    assert all(r["stops"][-1]["id"] == "pack-1" for r in rows)


def test_route_layout_with_json_lists_and_start_end() -> None:
    code, out, err = run(
        "route",
        "-l",
        LAYOUTS / "small-single-block.yaml",
        "-p",
        PICKS / "small_lists.json",
        "--start",
        "pack-1",
        "--end",
        "depot",
        "-f",
        "json",
    )
    assert code == 0, err
    rows = json_lines(out)
    assert [r["instance"] for r in rows] == ["north", "south"]
    for r in rows:
        stops = r["stops"]
        assert stops[0]["id"] == "pack-1" and stops[-1]["id"] == "depot"


def test_route_layout_single_json_list_table() -> None:
    code, out, err = run(
        "route", "-l", LAYOUTS / "small-single-block.yaml", "-p", PICKS / "small_one_list.json"
    )
    assert code == 0, err
    assert "small_one_list" in out


def test_route_graph_layout_with_tsp() -> None:
    code, out, err = run(
        "route",
        "-l",
        LAYOUTS / "graph-mezzanine.yaml",
        "-p",
        PICKS / "mezzanine.csv",
        "-m",
        "tsp",
        "-f",
        "json",
    )
    assert code == 0, err
    (row,) = json_lines(out)
    assert row["instance"] == "mezzanine"
    assert row["stops"][-1]["id"] == "pack-1"
    assert row["length"] > 0


# -- route: user errors ----------------------------------------------------------------------------


def test_unknown_method() -> None:
    code, out, err = run("route", SPRP / "example_m10_C45_a4.txt", "--method", "fastest")
    assert_user_error(
        code, out, err, "unknown routing method 'fastest'", "choose one of:", "optimal"
    )


def test_missing_sprp_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    code, out, err = run("route", missing, "-m", "optimal")
    assert_user_error(code, out, err, str(missing), "No such file")


def test_broken_sprp_file_names_file_and_line() -> None:
    path = DATA / "broken" / "sprp_order_sku_unknown.txt"
    code, out, err = run("route", path, "-m", "optimal")
    assert_user_error(code, out, err, f"{path}, line 31: ordered SKU 7 is not in SKU_SECTION")


def test_broken_layout_file_names_file_line_and_field() -> None:
    path = DATA / "broken" / "layout_zero_positions.yaml"
    code, out, err = run("route", "-l", path, "-p", PICKS / "small_one_list.json")
    assert_user_error(code, out, err, f"{path}, line 5: blocks[1].positions")


def test_unknown_location_in_picks_names_the_line() -> None:
    path = DATA / "broken" / "picks_unknown_location.csv"
    code, out, err = run("route", "-l", LAYOUTS / "small-single-block.yaml", "-p", path)
    assert_user_error(code, out, err, f"{path}, line 3: unknown location id 'A99-B0-P03-L'")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "picks_missing_column.csv",
            ", line 1: no 'location_id' column; the header has: list, loc",
        ),
        ("picks_json_syntax.json", ", line 1: JSON syntax error"),
    ],
)
def test_broken_picks_files(name: str, text: str) -> None:
    path = DATA / "broken" / name
    code, out, err = run("route", "-l", LAYOUTS / "small-single-block.yaml", "-p", path)
    assert_user_error(code, out, err, f"{path}{text}")


def test_method_that_does_not_serve_the_layout_kind() -> None:
    code, out, err = run(
        "route",
        "-l",
        LAYOUTS / "graph-mezzanine.yaml",
        "-p",
        PICKS / "mezzanine.csv",
        "-m",
        "optimal",
    )
    assert_user_error(code, out, err, "does not apply to graph layouts")


def test_unknown_start_point() -> None:
    code, out, err = run(
        "route",
        "-l",
        LAYOUTS / "small-single-block.yaml",
        "-p",
        PICKS / "small_one_list.json",
        "--start",
        "dock",
    )
    assert_user_error(code, out, err, "no point 'dock'", "depot, pack-1")


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((), "nothing to route"),
        (("--layout", "layouts/henn-10x45.yaml"), "--layout needs --picks"),
        (("--picks", "p.csv"), "--picks needs --layout"),
        (("x.txt", "--layout", "l.yaml", "--picks", "p.csv"), "not both"),
    ],
)
def test_route_argument_combinations(args: tuple[str, ...], text: str) -> None:
    code, out, err = run("route", *args)
    assert_user_error(code, out, err, text)


# -- layout ----------------------------------------------------------------------------------------


def test_layout_show_table() -> None:
    code, out, err = run("layout", "show", LAYOUTS / "ecommerce-3-block.yaml")
    assert code == 0, err
    for text in (
        "ecommerce-3-block",
        "40 (x 0..124.8 m, pitch 3.2 m)",
        "18,560",
        "bulky",
        "fragile",
        "put-wall",
        "sort zone",
        "pack station",
    ):
        assert text in out, text


def test_layout_show_graph_and_json() -> None:
    code, out, err = run("layout", "show", LAYOUTS / "graph-mezzanine.yaml")
    assert code == 0, err
    assert "graph-mezzanine (graph)" in out and "blocked" in out
    code, out, err = run("layout", "show", LAYOUTS / "henn-10x45.yaml", "-f", "json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["aisles"] == {"count": 10, "first_x_m": 0.0, "last_x_m": 45.0, "pitch_m": 5.0}
    assert summary["blocks"] == [{"block": 0, "positions": 45, "length_m": 47.0}]
    assert summary["locations"] == 900


def test_layout_show_broken_file() -> None:
    path = DATA / "broken" / "layout_unknown_field.yaml"
    code, out, err = run("layout", "show", path)
    assert_user_error(code, out, err, f"{path}, line 7: blocks[0].pich_m: unknown field 'pich_m'")


def test_layout_schema_is_json() -> None:
    code, out, err = run("layout", "schema")
    assert code == 0, err
    schema = json.loads(out)
    assert "RectangularLayoutIn" in schema["$defs"] and "GraphLayoutIn" in schema["$defs"]


# -- the installed command -------------------------------------------------------------------------


def _wms() -> list[str]:
    exe = Path(sys.executable).with_name("wms")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "wms.cli"]


def test_installed_command_routes_and_fails_cleanly() -> None:
    ok = subprocess.run(
        [
            *_wms(),
            "route",
            str(SPRP / "literature_m5_C30_a7.txt"),
            "--method",
            "optimal",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert ok.returncode == 0, ok.stderr
    (row,) = json_lines(ok.stdout)
    assert row["instance"] == "literature_m5_C30_a7.txt" and row["length"] == pytest.approx(94.0)

    bad = subprocess.run(
        [*_wms(), "route", str(DATA / "broken" / "sprp_missing_num_cells.txt")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert "sprp_missing_num_cells.txt, line 13: the header lacks NUM_CELLS" in bad.stderr
