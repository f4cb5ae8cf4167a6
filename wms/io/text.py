"""Reading a user's text file: one clear error naming the file for a missing or non-UTF-8 file."""

from __future__ import annotations

from pathlib import Path

from wms.errors import WmsError


def read_text(path: Path, what: str, error: type[WmsError], *, encoding: str = "utf-8") -> str:
    """The text of ``path``; raises ``error`` (``"<path>: cannot read <what>: ..."``) if unreadable.

    Parameters
    ----------
    path
        The file to read.
    what
        What the file is, for the message (``"SPRP file"``, ``"layout file"``, ...).
    error
        The :class:`~wms.errors.WmsError` subclass the caller raises for its kind of file.
    encoding
        ``"utf-8"``, or ``"utf-8-sig"`` to accept a byte-order mark (files saved by spreadsheets).
    """
    try:
        return path.read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not a UTF-8 text file ({exc.reason})") from None
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc.strerror}") from None
