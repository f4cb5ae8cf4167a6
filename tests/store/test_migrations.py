"""Migrations: ``upgrade`` builds the schema on an empty database and agrees with the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from wms.store.db import make_engine
from wms.store.migrations import current_revision, downgrade, head_revision, upgrade
from wms.store.models import Base

TABLES = {
    "sku",
    "location",
    "stock",
    "stock_move",
    "customer",
    "order",
    "order_line",
    "hold",
    "reservation",
    "wave",
    "pick_list",
    "pick_task",
    "receipt",
    "receipt_line",
    "rma",
    "rma_line",
    "event",
}


def test_upgrade_on_empty_database_creates_every_table(empty_db_url: str) -> None:
    assert current_revision(empty_db_url) is None
    upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        names = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert names >= TABLES
    assert "alembic_version" in names
    assert current_revision(empty_db_url) == head_revision()


def test_upgrade_is_idempotent(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    upgrade(empty_db_url)
    assert current_revision(empty_db_url) == head_revision()


def test_models_and_migration_agree(db_url: str) -> None:
    """The ``alembic check`` question: would autogenerate write a new migration? It must not."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diffs == []


def test_downgrade_removes_the_tables(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    downgrade(empty_db_url, "base")
    engine = make_engine(empty_db_url)
    try:
        names = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert not (names & TABLES)
