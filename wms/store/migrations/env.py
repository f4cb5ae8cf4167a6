"""Alembic environment of the wms database (used by :func:`wms.store.migrations.upgrade`).

Runs online only: against the connection handed over in ``config.attributes["connection"]`` or,
when there is none, an engine built from ``sqlalchemy.url`` with the wms connection settings.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from wms.store.db import make_engine
from wms.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection or on a new engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():  # pragma: no cover
    raise SystemExit("wms migrations run online only: use `wms db upgrade --url ...`")
run_migrations_online()
