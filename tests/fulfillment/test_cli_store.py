"""The database commands: a receiving-to-returns session through the CLI; user errors are one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.db_fixtures import add_order
from wms.cli import app
from wms.fulfillment import stock
from wms.store.db import make_engine, session_scope
from wms.store.models import Order

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "receiving"
LAYOUT = ROOT / "layouts" / "small-single-block.yaml"
runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str, str]:
    """Invoke the app in-process; returns (exit code, stdout, stderr)."""
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str | Path) -> str:
    code, out, err = run(*args)
    assert code == 0, err
    return out


def user_error(*args: str | Path) -> str:
    code, out, err = run(*args)
    assert code == 1, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def url(db_url: str, tmp_path: Path) -> str:
    """A migrated database with SKUs S1..S3 (A, B, C) and the locations of a small layout."""
    skus = tmp_path / "skus.csv"
    skus.write_text("id,description,velocity_class\nS1,mug,A\nS2,cup,B\nS3,pot,C\n")
    ok("db", "upgrade", "--url", db_url)
    ok("db", "skus", skus, "--url", db_url)
    ok("db", "locations", "--layout", LAYOUT, "--capacity", "20", "--url", db_url)
    return db_url


def test_receive_putaway_stock_returns_events_kpis(url: str) -> None:
    ok("receive", "asn", "import", DATA / "asn-good.csv", "--url", url)
    out = ok("receive", "count", "ASN-1", "--line", "S1=12", "--line", "S2=5:1", "--url", url)
    assert "16 units to DOCK, 1 to quarantine" in out and "short" in out
    plan = [
        json.loads(x)
        for x in ok(
            "receive", "putaway", "suggest", "ASN-1", "-f", "json", "--url", url
        ).splitlines()
    ]
    assert [(p["sku_id"], p["qty"], p["location_class"]) for p in plan] == [
        ("S1", 12, "A"),
        ("S2", 4, "B"),
    ]
    assert "2 putaway moves, 16 units" in ok("receive", "putaway", "confirm", "ASN-1", "--url", url)
    rows = [
        json.loads(x) for x in ok("stock", "--by-sku", "-f", "json", "--url", url).split("\n") if x
    ]
    assert {r["sku_id"]: r["on_hand"] for r in rows} == {"S1": 12, "S2": 4, "S3": 0}
    loc = plan[0]["to_location_id"]
    before = ok("stock", "--as-of", "2000-01-01T00:00:00Z", "-f", "json", "--url", url)
    assert before == ""
    now = ok("stock", "--sku", "S1", "--as-of", "2100-01-01T00:00:00Z", "--url", url)
    assert loc in now and "12" in now
    assert "adjusted -2 to 10" in ok("stock", "count", "S1", loc, "10", "--url", url)
    with session_scope(url) as s:
        add_order(s, "A-1", [("S1", 2)])
        (r,) = stock.reserve(s, "A-1", 1, "S1", 2)
        stock.pick(s, r.id)
        s.get_one(Order, "A-1").status = "shipped"
    ok("returns", "create", "RMA-1", "--order", "A-1", "--line", "S1:2:unwanted", "--url", url)
    ok("returns", "receive", "RMA-1", "--url", url)
    ok("returns", "inspect", "RMA-1", "--line", "1=new", "--url", url)
    out = ok("returns", "dispose", "RMA-1", "1", "restock", "--location", loc, "--url", url)
    assert "return completed" in out
    status = json.loads(ok("returns", "status", "RMA-1", "-f", "json", "--url", url))
    assert status["status"] == "completed"
    timeline = ok("events", "--order", "A-1", "--url", url)
    assert "return.completed" in timeline and "returned" in timeline
    assert "receipt.put_away" in ok("events", "--type", "receipt.", "--url", url)
    kpis = json.loads(ok("kpis", "-f", "json", "--url", url))
    assert kpis["orders_received"] == 1
    with session_scope(url, readonly=True) as s:
        assert stock.reconcile(s) == []


def test_user_errors_are_one_line_and_write_nothing(url: str) -> None:
    line = user_error("receive", "asn", "import", DATA / "asn-line3-unknown-sku.csv", "--url", url)
    assert "line 3: unknown SKU 'NOPE'" in line and "--create-skus" in line
    assert ok("events", "-f", "json", "--url", url) == ""
    line = user_error("receive", "asn", "import", DATA / "asn-line3-negative-qty.csv", "--url", url)
    assert "asn-line3-negative-qty.csv, line 4: qty_expected -4" in line
    assert "does not exist" in user_error(
        "receive", "count", "NOPE", "--line", "S1=1", "--url", url
    )
    assert "SKU=received" in user_error("receive", "count", "X", "--line", "S1", "--url", url)
    assert "unknown location 'X'" in user_error("stock", "move", "S1", "X", "Y", "1", "--url", url)
    assert "return 'R' does not exist" in user_error(
        "returns", "dispose", "R", "1", "burn", "--url", url
    )
    assert "no events" in user_error("events", "--order", "nope", "--url", url)
    assert "ISO 8601" in user_error("kpis", "--since", "yesterday", "--url", url)
    assert ok("stock", "-f", "json", "--url", url) == ""


def test_database_not_created_or_not_migrated(tmp_path: Path, empty_db_url: str) -> None:
    missing = f"sqlite:///{tmp_path / 'missing.db'}"
    assert "run `wms db upgrade`" in user_error("stock", "--url", missing)
    assert not (tmp_path / "missing.db").exists()
    engine = make_engine(empty_db_url)  # creates the (empty) SQLite file
    with engine.connect():
        pass
    engine.dispose()
    assert "no wms tables" in user_error("stock", "--url", empty_db_url)
    assert "supports sqlite and postgresql" in user_error("stock", "--url", "mysql://u@h/d")


def test_default_database_is_wms_db_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WMS_DATABASE_URL", raising=False)
    monkeypatch.delenv("WMS_DB_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    assert "sqlite:///wms.db is at schema" in ok("db", "upgrade")
    assert (tmp_path / "wms.db").exists()
    assert ok("stock") == "(none)\n"
