"""The ``wms webhooks`` commands: run the webhook outbox dispatcher.

::

    wms webhooks deliver --once [--url URL]          # one pass over the outbox, then exit
    wms webhooks deliver --loop [--interval 5]       # keep delivering until Ctrl-C

Each pass fans new events out to the matching subscriptions and POSTs every delivery that is due
(see :mod:`wms.api.webhooks`), committing after each batch, so a crash repeats at most the batch in
flight (delivery is at least once). Prints one JSON line per pass with what it did.
"""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from wms.cli_errors import fail, user_errors

webhooks_app = typer.Typer(help="Webhook delivery from the event outbox.", no_args_is_help=True)


@webhooks_app.command("deliver")
def deliver_command(
    once: Annotated[
        bool, typer.Option("--once/--loop", help="One pass and exit, or loop until interrupted.")
    ] = True,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="Database URL (sqlite:///path.db or postgresql+psycopg://...).",
            show_default="$WMS_DATABASE_URL, else sqlite:///wms.db",
        ),
    ] = None,
    interval_s: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between passes with --loop.")
    ] = 5.0,
    max_attempts: Annotated[
        int, typer.Option("--max-attempts", min=1, help="Failed attempts before giving up.")
    ] = 8,
    base_delay_s: Annotated[
        float, typer.Option("--base-delay", min=0.0, help="Seconds before the first retry.")
    ] = 30.0,
    timeout_s: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds allowed for each POST.")
    ] = 10.0,
) -> None:
    """Deliver pending webhooks (signed per Standard Webhooks, retried with backoff).

    Example: `wms webhooks deliver --once`.
    """
    import httpx
    import sqlalchemy as sa

    from wms.api.webhooks import deliver_pending
    from wms.store.db import make_engine, session_scope

    with user_errors():
        engine = make_engine(url)
    try:
        with httpx.Client(follow_redirects=False) as client:
            while True:
                try:
                    with user_errors(), session_scope(engine) as session:
                        report = deliver_pending(
                            session,
                            client,
                            max_attempts=max_attempts,
                            base_delay_s=base_delay_s,
                            timeout_s=timeout_s,
                        )
                except sa.exc.OperationalError as exc:
                    shown = engine.url.render_as_string(hide_password=True)
                    first = str(exc.orig).strip().splitlines()[0]
                    raise fail(
                        f"cannot deliver from database {shown}: {first} (run `wms db upgrade`?)"
                    ) from None
                typer.echo(json.dumps(report.to_dict()))
                if once:
                    return
                # After work, look again at once (a full batch leaves more due); idle: sleep.
                if report.attempted == 0 and report.fanned_out == 0:
                    time.sleep(interval_s)
    except KeyboardInterrupt:
        return
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    """Add ``webhooks`` to ``app`` (the ``wms`` application)."""
    app.add_typer(webhooks_app, name="webhooks")
