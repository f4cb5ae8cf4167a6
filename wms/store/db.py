"""Engines and transactions: an embedded SQLite file by default, PostgreSQL by URL.

Where the database is, in order of precedence:

1. an explicit URL (``--url`` on the command line, ``url=`` in Python);
2. the ``WMS_DATABASE_URL`` environment variable, e.g.
   ``postgresql+psycopg://wms:secret@127.0.0.1:5432/wms``;
3. the SQLite file ``wms.db`` in the current directory (``WMS_DB_PATH`` or
   :func:`set_default_sqlite_path` move it).

SQLite connections run with WAL journaling, ``foreign_keys=ON`` and a busy timeout; every
transaction starts with ``BEGIN IMMEDIATE`` so two writers never both read a stale row and then
both write (the second waits for the first instead of failing half-way). Read-only work can use
``session_scope(..., readonly=True)`` which begins a deferred transaction instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from wms.errors import StoreError

URL_ENV = "WMS_DATABASE_URL"
PATH_ENV = "WMS_DB_PATH"
DEFAULT_SQLITE_FILE = "wms.db"
SQLITE_BUSY_TIMEOUT_S = 30.0

_default_sqlite_path: Path | None = None


def set_default_sqlite_path(path: str | Path | None) -> None:
    """Change where the embedded database lives when no URL is given (``None``: back to default).

    Parameters
    ----------
    path
        Path of the SQLite file; relative paths are taken from the current directory.
    """
    global _default_sqlite_path
    _default_sqlite_path = None if path is None else Path(path)


def default_sqlite_path() -> Path:
    """The SQLite file used when neither a URL nor ``WMS_DATABASE_URL`` is given."""
    if _default_sqlite_path is not None:
        return _default_sqlite_path
    env = os.environ.get(PATH_ENV)
    return Path(env) if env else Path(DEFAULT_SQLITE_FILE)


def sqlite_url(path: str | Path) -> str:
    """SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{Path(path)}"


def resolve_url(url: str | None = None) -> str:
    """The database URL to use: ``url``, else ``WMS_DATABASE_URL``, else the SQLite default.

    Parameters
    ----------
    url
        Explicit URL; wins over everything else.

    Returns
    -------
    str
        A SQLAlchemy URL (``sqlite:///...`` or ``postgresql+psycopg://...``).
    """
    if url:
        return url
    env = os.environ.get(URL_ENV)
    if env:
        return env
    return sqlite_url(default_sqlite_path())


def _check_url(url: str) -> sa.URL:
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(
            f"database URL {url!r} is not a valid URL: use sqlite:///path/to/wms.db or "
            "postgresql+psycopg://user:password@host:5432/dbname"
        ) from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"database URL {url!r} names backend {backend!r}: wms supports sqlite and postgresql"
        )
    if backend == "postgresql" and parsed.get_driver_name() not in ("psycopg", ""):
        raise StoreError(
            f"database URL {url!r} uses driver {parsed.get_driver_name()!r}: "
            "use postgresql+psycopg://..."
        )
    if backend == "postgresql" and parsed.get_driver_name() == "":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # Take transaction control away from the sqlite3 module so "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = "DEFERRED" if conn.get_execution_options().get("wms_readonly") else "IMMEDIATE"
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (see :func:`resolve_url`) with the wms connection settings.

    Parameters
    ----------
    url
        Database URL; ``None`` resolves ``WMS_DATABASE_URL`` or the default SQLite file.
    **kwargs
        Passed to :func:`sqlalchemy.create_engine` (e.g. ``echo=True``).

    Returns
    -------
    sqlalchemy.engine.Engine
        Call ``engine.dispose()`` when done with it.

    Raises
    ------
    StoreError
        The URL is malformed or names an unsupported database.
    """
    parsed = _check_url(resolve_url(url))
    if parsed.get_backend_name() == "sqlite":
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
        database = parsed.database
        if database and database != ":memory:":
            parent = Path(database).expanduser().parent
            if not parent.exists():
                raise StoreError(
                    f"database file {database!r}: directory {str(parent)!r} does not exist: "
                    "create it or choose another path"
                )
        engine = sa.create_engine(parsed, connect_args=connect_args, **kwargs)
        _install_sqlite_pragmas(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(parsed, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(
    target: Engine | str | None = None, *, readonly: bool = False
) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back everything on any error.

    Parameters
    ----------
    target
        An engine, a URL, or ``None`` for :func:`resolve_url`. An engine created here from a URL
        is disposed at the end.
    readonly
        On SQLite, begin a deferred transaction that does not take the write lock; the block must
        not write (nothing is committed; closing the session ends the transaction). Objects
        read stay usable after the block.

    Yields
    ------
    sqlalchemy.orm.Session
        The session of the transaction.

    Examples
    --------
    >>> with session_scope("sqlite:///wms.db") as session:  # doctest: +SKIP
    ...     receive(session, "ASN-1", ...)
    """
    owned = not isinstance(target, Engine)
    engine = make_engine(target) if not isinstance(target, Engine) else target
    bind = engine.execution_options(wms_readonly=True) if readonly else engine
    session = Session(bind=bind, expire_on_commit=False)
    try:
        yield session
        if not readonly:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        if owned:
            engine.dispose()


def is_sqlite(session_or_engine: Session | Engine | sa.Connection) -> bool:
    """Whether the bound database is SQLite."""
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, Session)
        else session_or_engine
    )
    return bind.dialect.name == "sqlite"


def create_schema(engine: Engine) -> None:
    """Create all tables straight from the models (tests, throwaway databases).

    Real databases should use :func:`wms.store.migrations.upgrade` so that later migrations apply.
    """
    from wms.store.models import Base

    Base.metadata.create_all(engine)


__all__ = [
    "DEFAULT_SQLITE_FILE",
    "PATH_ENV",
    "URL_ENV",
    "create_schema",
    "default_sqlite_path",
    "is_sqlite",
    "make_engine",
    "resolve_url",
    "session_factory",
    "session_scope",
    "set_default_sqlite_path",
    "sqlite_url",
]
