"""The HTTP API commands of ``wms``: API keys and the server.

::

    wms apikey create "shop integration" [--url URL]   # prints the key once
    wms apikey list [--url URL] [--format table|json]
    wms apikey revoke 3 [--url URL]
    wms serve [--host 127.0.0.1] [--port 8000] [--db URL] [--no-migrate]

The database is ``--url``/``--db``, else ``WMS_DATABASE_URL``, else the SQLite file ``wms.db``.
``wms serve`` migrates the database to the newest schema first (``--no-migrate`` to skip) and
listens on the loopback interface unless told otherwise.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from wms.cli_errors import fail, user_errors


class Format(StrEnum):
    """How ``wms apikey list`` prints."""

    table = "table"
    json = "json"


UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        "--db",
        help="Database URL (sqlite:///path.db or postgresql+psycopg://...).",
        show_default="$WMS_DATABASE_URL, else sqlite:///wms.db",
    ),
]

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        "--url",
        help="Database URL (sqlite:///path.db or postgresql+psycopg://...).",
        show_default="$WMS_DATABASE_URL, else sqlite:///wms.db",
    ),
]

apikey_app = typer.Typer(help="API keys of the HTTP API (stored hashed).", no_args_is_help=True)


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Argument(help="Who the key is for, e.g. 'shop integration'.")],
    url: UrlOption = None,
) -> None:
    """Create an API key and print it once (only its hash is stored)."""
    from wms.api.keys import create_api_key
    from wms.store.db import session_scope

    with user_errors():
        try:
            with session_scope(url) as session:
                info, key = create_api_key(session, name)
        except ValueError as exc:
            raise fail(str(exc)) from None
    typer.echo(key)
    typer.echo(
        f"created API key {info.id} ({info.prefix}, {info.name!r}); store it now: "
        "it cannot be shown again",
        err=True,
    )


@apikey_app.command("list")
def apikey_list(
    url: UrlOption = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """List API keys (id, name, prefix, created, revoked); never the keys themselves."""
    from wms.api.keys import list_api_keys
    from wms.store.db import session_scope

    with user_errors(), session_scope(url, readonly=True) as session:
        keys = list_api_keys(session)
    if fmt is Format.json:
        for k in keys:
            typer.echo(
                json.dumps(
                    {
                        "id": k.id,
                        "name": k.name,
                        "prefix": k.prefix,
                        "created_at": k.created_at.isoformat(),
                        "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                    }
                )
            )
        return
    typer.echo(f"{'id':>4}  {'prefix':<13}  {'created_at':<20}  {'status':<8}  name")
    for k in keys:
        status = "revoked" if k.revoked_at else "active"
        created = k.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        typer.echo(f"{k.id:>4}  {k.prefix:<13}  {created:<20}  {status:<8}  {k.name}")


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[int, typer.Argument(help="Id of the key (see `wms apikey list`).")],
    url: UrlOption = None,
) -> None:
    """Revoke an API key: requests with it get 401 from now on."""
    from wms.api.keys import revoke_api_key
    from wms.store.db import session_scope

    with user_errors():
        try:
            with session_scope(url) as session:
                info = revoke_api_key(session, key_id)
        except LookupError as exc:
            raise fail(str(exc.args[0])) from None
    typer.echo(f"revoked API key {info.id} ({info.prefix}, {info.name!r})")


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    url: DbOption = None,
    migrate: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Upgrade the schema first.")
    ] = True,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="Hold rules for order imports, e.g. config/hold-rules.yaml."),
    ] = None,
) -> None:
    """Serve the HTTP API with uvicorn (on 127.0.0.1 unless --host says otherwise)."""
    import os

    import uvicorn

    from wms.api.app import HOLD_RULES_ENV
    from wms.fulfillment.holds import load_hold_rules
    from wms.store.db import URL_ENV, resolve_url
    from wms.store.migrations import upgrade

    with user_errors():
        resolved = resolve_url(url)
        config = load_hold_rules(rules) if rules is not None else None  # a bad file fails here
        if migrate:
            upgrade(resolved)
    if workers > 1:
        # Worker processes build the app from the factory; they find the database and the hold
        # rules in the environment.
        os.environ[URL_ENV] = resolved
        if rules is not None:
            os.environ[HOLD_RULES_ENV] = str(rules.resolve())
        uvicorn.run(
            "wms.api:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
        )
        return
    from wms.api import create_app

    with user_errors():
        application = create_app(resolved, hold_rules=config)
    uvicorn.run(application, host=host, port=port, log_level=log_level)


def register(app: typer.Typer) -> None:
    """Add ``apikey`` and ``serve`` to ``app``."""
    app.add_typer(apikey_app, name="apikey")
    app.command("serve")(serve_command)


__all__ = ["register"]
