"""Reading a user's text file: one clear error naming the file for a missing or non-UTF-8 file;
and refusing NUL characters, which a PostgreSQL text column cannot store."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, field_validator

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


#: Why a NUL character is refused (the message of :func:`reject_nul`).
NUL_MESSAGE = "contains a NUL character (\\u0000), which cannot be stored: remove it"
_NUL = re.compile(r"\x00|\\u0000", re.IGNORECASE)


def reject_nul(value: Any) -> Any:
    """``value`` unchanged; ``ValueError`` if it (or a string in a list or dict) holds NUL.

    For pydantic field validators: the database cannot store NUL in text (PostgreSQL refuses it).
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(NUL_MESSAGE)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            reject_nul(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            reject_nul(key)
            reject_nul(item)
    return value


def first_nul_line(text: str) -> int | None:
    """Line number (1-based) of the first NUL character, raw or as the JSON escape ``\\u0000``."""
    found = _NUL.search(text)
    return None if found is None else text.count("\n", 0, found.start()) + 1


class TextRecord(BaseModel):
    """Base of the pydantic models of user input: every field refuses NUL (:func:`reject_nul`)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return reject_nul(value)
