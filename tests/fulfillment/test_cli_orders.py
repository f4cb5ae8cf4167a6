"""The order commands end to end on a test database: import, holds, waves, picks, pack, ship."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.fulfillment.order_fixtures import DATA, LAYOUT_FILE, ROOT, stock_warehouse
from wms.cli import app

runner = CliRunner()
RULES = ROOT / "config" / "hold-rules.yaml"


def wms(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in output.splitlines() if x.strip()]


@pytest.fixture
def db(db_url: str) -> str:
    """The stocked test warehouse."""
    stock_warehouse(db_url)
    return db_url


def test_import_holds_waves_picks_pack_ship(db: str) -> None:
    files = [DATA / "shop-orders.csv", DATA / "marketplace-orders.json"]
    res = wms("orders", "import", *files, "--rules", RULES, "--db", db, "-f", "json")
    assert res.exit_code == 0, res.output
    *orders, summary = lines(res.stdout)
    assert summary["summary"]["imported"] == 5 and len(orders) == 5
    res = wms("orders", "import", *files, "--db", db)
    assert res.exit_code == 0 and "0 imported" in res.stdout and "5 skipped" in res.stdout

    holds = lines(wms("holds", "list", "--db", db, "-f", "json").stdout)
    by_rule = {(h["order_id"], h["rule"]): h["id"] for h in holds}
    assert ("ALG-78", "customer_comment") in by_rule
    only = lines(
        wms("holds", "list", "--rule", "customer_comment", "--db", db, "-f", "json").stdout
    )
    assert [h["order_id"] for h in only] == ["ALG-78"]
    for rule in ("duplicate_customer", "customer_comment"):
        res = wms(
            "holds",
            "release",
            by_rule[("ALG-78", rule)],
            "--by",
            "anna",
            "--reason",
            "ok",
            "--db",
            db,
        )
        assert res.exit_code == 0, res.output
    assert "order is released" in res.stdout

    res = wms("waves", "create", "--layout", LAYOUT_FILE, "--db", db, "-f", "json")
    assert res.exit_code == 0, res.output
    assert sorted(json.loads(res.stdout)["order_ids"]) == [
        "ALG-77",
        "ALG-78",
        "SHOP-1001",
        "SHOP-1003",
    ]
    tasks = lines(wms("picks", "list", "--db", db, "-f", "json").stdout)
    assert tasks and all(t["status"] == "open" for t in tasks)
    for t in tasks:
        res = wms("picks", "confirm", t["task_id"], t["qty"], "--by", "piotr", "--db", db)
        assert res.exit_code == 0, res.output
    assert wms("orders", "pack", "ALG-77", "--db", db).exit_code == 0
    res = wms("orders", "ship", "ALG-77", "--tracking", "T1", "--db", db)
    assert res.exit_code == 0 and "shipped" in res.stdout
    shown = json.loads(wms("orders", "show", "ALG-77", "--db", db, "-f", "json").stdout)
    assert shown["status"] == "shipped"
    assert [e["type"] for e in shown["timeline"]][-2:] == ["order.packed", "order.shipped"]
    listed = lines(wms("orders", "list", "--status", "picked", "--db", db, "-f", "json").stdout)
    assert sorted(o["order_id"] for o in listed) == ["ALG-78", "SHOP-1001", "SHOP-1003"]
    assert wms("orders", "show", "ALG-77", "--db", db).exit_code == 0  # the table form
    assert shown["customer_history"] == []
    mine = lines(
        wms("orders", "list", "--customer", shown["customer_id"], "--url", db, "-f", "json").stdout
    )
    assert [o["order_id"] for o in mine] == ["ALG-77"]


def test_user_mistakes_are_one_line_and_exit_1(db: str) -> None:
    broken = DATA.parent / "broken" / "shop-orders" / "negative_qty.csv"
    res = wms("orders", "import", DATA / "shop-orders.csv", broken, "--db", db)
    assert res.exit_code == 1 and "line 3: qty must be > 0" in res.output
    # every file is read before anything is written: no partial import
    assert lines(wms("orders", "list", "--db", db, "-f", "json").stdout) == []
    res = wms("holds", "release", "999", "--by", "anna", "--reason", "x", "--db", db)
    assert res.exit_code == 1 and "hold 999 does not exist" in res.output
    res = wms("holds", "list", "--rule", "nope", "--db", db)
    assert res.exit_code == 1 and "unknown hold rule 'nope'" in res.output
    res = wms("orders", "show", "NOPE", "--db", db)
    assert res.exit_code == 1 and "order 'NOPE' does not exist" in res.output
    res = wms("picks", "confirm", "5", "1", "--db", db)
    assert res.exit_code == 1 and "pick task 5 does not exist" in res.output
    res = wms(
        "orders", "import", DATA / "shop-orders.csv", "--rules", DATA / "nope.yaml", "--db", db
    )
    assert res.exit_code == 1 and "nope.yaml: file not found" in res.output


def test_conflicting_reimport_exits_1_after_the_report(db: str, tmp_path: Any) -> None:
    assert wms("orders", "import", DATA / "shop-orders.csv", "--db", db).exit_code == 0
    changed = tmp_path / "changed.csv"
    text = (DATA / "shop-orders.csv").read_text(encoding="utf-8").replace(",S4,1", ",S4,2")
    changed.write_text(text, encoding="utf-8")
    res = wms("orders", "import", changed, "--db", db)
    assert res.exit_code == 1
    assert "SHOP-1003: conflict" in res.output and "2 skipped" in res.output
