"""Field types shared by the request models of the stateful resources.

- :data:`UtcDatetime`: an ISO 8601 time, normalised to UTC; a time without a zone is taken as UTC
  (as the order files are), and one that cannot be expressed in UTC (year 9999 at -23:59) is a
  422, not a 500.
- :data:`RowId`: a database id in a path or query, bounded to 64-bit integers so that an absurd id
  is a 404 (or 422), never a database overflow.
- :class:`ApiIn`: the base of every request body: unknown fields are refused, strings stripped,
  and a string holding a NUL character (which PostgreSQL cannot store) is a 422 naming the field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, ConfigDict

from wms.io.text import NUL_MESSAGE, TextRecord

__all__ = ["MAX_ROW_ID", "NUL_MESSAGE", "ApiIn", "RowId", "UtcDatetime", "to_utc"]

#: Largest id a 64-bit integer column holds.
MAX_ROW_ID = 2**63 - 1


def to_utc(value: datetime) -> datetime:
    """``value`` in UTC (naive: taken as UTC); ``ValueError`` when out of range."""
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} is outside the range of UTC times") from None


UtcDatetime = Annotated[datetime, AfterValidator(to_utc)]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


class ApiIn(TextRecord):
    """Base of the request bodies (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
