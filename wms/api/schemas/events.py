"""Response bodies of ``/v1/events``: the status event log (what happened, when, to what)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from wms.store.models import Event

__all__ = ["EventOut"]


class EventOut(BaseModel):
    """One event: ``type`` like ``order.held``, about ``entity_type``/``entity_id``."""

    id: int
    at: datetime
    type: str
    entity_type: str
    entity_id: str
    order_id: str | None
    payload: dict[str, Any]

    @classmethod
    def of(cls, row: Event) -> EventOut:
        """From the store row."""
        return cls(
            id=row.id,
            at=row.at,
            type=row.type,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            order_id=row.order_id,
            payload=dict(row.payload or {}),
        )
