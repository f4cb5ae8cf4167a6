"""Alembic migrations of the wms database, shipped inside the package.

``wms db upgrade`` (or :func:`upgrade`) brings any supported database to the newest schema; it is
safe to run again. New revisions: ``alembic -c <config pointing here> revision --autogenerate``, then
edit the generated file by hand so it reads well and runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from wms.store.db import make_engine, resolve_url

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the packaged migrations and ``url`` (see ``resolve_url``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", resolve_url(url).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision id shipped with this version of wms."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(target: Engine | str | None = None) -> str | None:
    """The revision the database is at (``None``: never migrated)."""
    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if not isinstance(target, Engine):
            engine.dispose()


def upgrade(target: Engine | str | None = None, revision: str = "head") -> str:
    """Run ``alembic upgrade <revision>`` on the database; idempotent.

    Parameters
    ----------
    target
        An engine or a URL; ``None`` uses ``WMS_DATABASE_URL`` or the default SQLite file.
    revision
        Target revision, ``"head"`` for the newest.

    Returns
    -------
    str
        The URL that was migrated (password hidden).
    """
    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        return engine.url.render_as_string(hide_password=True)
    finally:
        if not isinstance(target, Engine):
            engine.dispose()


def downgrade(target: Engine | str | None, revision: str) -> None:
    """Run ``alembic downgrade <revision>`` (``"base"``: drop every wms table).

    Parameters
    ----------
    target
        An engine or a URL; ``None`` uses ``WMS_DATABASE_URL`` or the default SQLite file.
    revision
        Revision to go back to.
    """
    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, revision)
    finally:
        if not isinstance(target, Engine):
            engine.dispose()


__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "upgrade",
]
