"""Database fixtures shared by the fulfillment and store tests (re-exported by their conftest.py).

``db_url`` is a fresh, migrated database per test: a SQLite file in ``tmp_path`` by default; when
``WMS_TEST_DATABASE_URL`` is set (a PostgreSQL URL), a fresh schema in that database that is dropped
after the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from wms.store.db import make_engine
from wms.store.migrations import upgrade

PG_ENV = "WMS_TEST_DATABASE_URL"


def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty database (SQLite file or PostgreSQL schema); clean up after."""
    base = os.environ.get(PG_ENV)
    if not base:
        yield f"sqlite:///{tmp_path / 'wms.db'}"
        return
    schema = f"wms_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = sa.make_url(base).update_query_dict(
            {"options": f"-csearch_path={schema}", "application_name": schema}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            # A connection the test forgot to close would block DROP SCHEMA forever: end it.
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": schema},
            )
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def empty_db_url(tmp_path: Path) -> Iterator[str]:
    """URL of an empty database without tables (for migration tests)."""
    yield from fresh_database_url(tmp_path)


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """URL of a fresh database migrated to the newest schema (SQLite, or PostgreSQL when
    ``WMS_TEST_DATABASE_URL`` is set)."""
    for url in fresh_database_url(tmp_path):
        upgrade(url)
        yield url


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    """An engine on :func:`db_url`, disposed after the test."""
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


def seed(
    session: Session,
    *,
    skus: Sequence[str] = ("S1", "S2", "S3"),
    storage: Sequence[tuple[str, float, int | None]] = (
        ("L1", 5.0, None),
        ("L2", 10.0, None),
        ("L3", 20.0, None),
    ),
    dock: str | None = "DOCK",
) -> None:
    """A tiny catalogue: SKUs, storage locations ``(id, distance_m, capacity_units)``, a dock."""
    from wms.fulfillment.stock import ensure_location, upsert_skus

    upsert_skus(session, [{"id": s, "description": f"item {s}"} for s in skus])
    for loc_id, distance_m, capacity in storage:
        ensure_location(session, loc_id, distance_m=distance_m, capacity_units=capacity)
    if dock:
        ensure_location(session, dock, kind="receiving", distance_m=0.0)


def add_order(session: Session, order_id: str, lines: Sequence[tuple[str, int]]) -> None:
    """An order row with lines ``(sku_id, qty)`` numbered from 1 (status ``released``)."""
    from wms.store.models import Order, OrderLine

    order = Order(id=order_id, channel="shop", status="released", value=10.0, currency="PLN")
    order.lines = [
        OrderLine(line_no=i, sku_id=sku, qty=qty) for i, (sku, qty) in enumerate(lines, start=1)
    ]
    session.add(order)
    session.flush()
