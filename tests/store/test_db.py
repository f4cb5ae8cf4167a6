"""Engines and transactions: URL resolution, SQLite pragmas, commit/rollback, aware timestamps."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from wms.errors import StoreError
from wms.store import db
from wms.store.db import create_schema, make_engine, resolve_url, session_scope
from wms.store.models import Sku, Stock, StockMove

ROOT = Path(__file__).resolve().parents[2]


def test_url_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(db.URL_ENV, raising=False)
    monkeypatch.delenv(db.PATH_ENV, raising=False)
    assert resolve_url() == "sqlite:///wms.db"
    monkeypatch.setenv(db.PATH_ENV, str(tmp_path / "x.db"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'x.db'}"
    db.set_default_sqlite_path(tmp_path / "y.db")
    try:
        assert resolve_url() == f"sqlite:///{tmp_path / 'y.db'}"
    finally:
        db.set_default_sqlite_path(None)
    monkeypatch.setenv(db.URL_ENV, "postgresql+psycopg://u@h/d")
    assert resolve_url() == "postgresql+psycopg://u@h/d"
    assert resolve_url("sqlite:///z.db") == "sqlite:///z.db"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/d", "wms supports sqlite and postgresql"),
        ("postgresql+psycopg2://u@h/d", "use postgresql\\+psycopg"),
        ("not a url", "not a valid URL"),
        ("sqlite:////no/such/dir/wms.db", "does not exist"),
    ],
)
def test_bad_urls_are_user_errors(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        make_engine(url)


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_session_scope_commits_or_rolls_back_whole(db_engine: Engine) -> None:
    with session_scope(db_engine) as s:
        s.add(Sku(id="A"))
    with pytest.raises(sa.exc.IntegrityError), session_scope(db_engine) as s:
        s.add(Sku(id="B"))
        s.flush()
        s.add(Stock(location_id="nowhere", sku_id="B", on_hand=1, reserved=0))  # FK violation
        s.flush()
    with session_scope(db_engine, readonly=True) as s:
        assert s.scalars(sa.select(Sku.id)).all() == ["A"]


def test_check_constraints_guard_stock(db_engine: Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), session_scope(db_engine) as s:
        s.add(Sku(id="A"))
        s.execute(sa.text("INSERT INTO location (id, kind) VALUES ('L', 'storage')"))
        s.add(Stock(location_id="L", sku_id="A", on_hand=1, reserved=2))
        s.flush()


def test_naive_datetimes_are_refused(db_engine: Engine) -> None:
    with (
        pytest.raises(sa.exc.StatementError, match="timezone-aware"),
        session_scope(db_engine) as s,
    ):
        s.add(Sku(id="A"))
        s.execute(sa.text("INSERT INTO location (id, kind) VALUES ('L', 'storage')"))
        s.add(
            StockMove(
                at=datetime(2026, 1, 1), kind="receipt", sku_id="A", to_location_id="L", qty=1
            )
        )
        s.flush()


def test_url_engine_is_disposed_by_session_scope(db_url: str) -> None:
    with session_scope(db_url) as s:
        s.add(Sku(id="A"))
    with session_scope(db_url, readonly=True) as s:
        assert s.get(Sku, "A") is not None


def test_the_core_never_imports_the_database_layer() -> None:
    """Data flows one way: the core (layout, routing, batching, ...) knows nothing of SQL."""
    code = (
        "import sys\n"
        "import wms, wms.model, wms.layout, wms.routing, wms.batching, wms.waves, wms.planning\n"
        "bad = [m for m in sys.modules if m.startswith(('wms.store', 'sqlalchemy', 'alembic'))]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == ""


def _one_move(engine: Engine) -> None:
    with session_scope(engine) as s:
        s.add(Sku(id="A"))
        s.execute(sa.text("INSERT INTO location (id, kind) VALUES ('L', 'storage')"))
        s.flush()
        s.add(StockMove(kind="receipt", sku_id="A", to_location_id="L", qty=3))


@pytest.mark.parametrize("statement", ["UPDATE stock_move SET qty = 5", "DELETE FROM stock_move"])
def test_the_ledger_is_append_only_in_the_database(db_engine: Engine, statement: str) -> None:
    _one_move(db_engine)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), session_scope(db_engine) as s:
        s.execute(sa.text(statement))
    with session_scope(db_engine, readonly=True) as s:
        assert s.scalars(sa.select(StockMove.qty)).all() == [3]


def test_create_schema_also_makes_the_ledger_append_only(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        create_schema(engine)
        _one_move(engine)
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), session_scope(engine) as s:
            s.execute(sa.text("DELETE FROM stock_move"))
    finally:
        engine.dispose()
