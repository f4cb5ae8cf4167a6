"""Error plumbing shared by the ``wms`` commands: a user mistake becomes one line and exit code 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from wms.errors import WmsError


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on stderr (one line) and return the exit to raise."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(code=1)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn user mistakes (bad input files, unknown names) into one line on stderr and exit 1."""
    try:
        yield
    except WmsError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise fail(f"{where}{exc.strerror or exc}") from None
