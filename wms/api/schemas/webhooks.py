"""Request and response bodies of ``/v1/webhooks``: subscriptions and their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, Field, UrlConstraints, field_validator

from wms.api.schemas._types import ApiIn
from wms.api.webhooks import WEBHOOK_EVENT_TYPES, WILDCARD
from wms.store.api_models import WebhookDelivery, WebhookSubscription

__all__ = [
    "WebhookCreatedOut",
    "WebhookDeliveryOut",
    "WebhookIn",
    "WebhookOut",
]


class WebhookIn(ApiIn):
    """Subscribe ``url`` to events of the listed types (``"*"``: every type)."""

    url: Annotated[AnyHttpUrl, UrlConstraints(max_length=2048)] = Field(
        description="http(s) endpoint that receives signed POSTs"
    )
    event_types: list[str] = Field(
        min_length=1,
        max_length=len(WEBHOOK_EVENT_TYPES) + 1,
        description=f"Any of {', '.join(WEBHOOK_EVENT_TYPES)}, or '{WILDCARD}'",
        examples=[["order.held", "order.released"]],
    )

    @field_validator("event_types")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t != WILDCARD and t not in WEBHOOK_EVENT_TYPES]
        if unknown:
            raise ValueError(
                f"unknown event type(s) {', '.join(map(repr, unknown))}: use "
                f"{', '.join(WEBHOOK_EVENT_TYPES)} or '{WILDCARD}'"
            )
        return sorted(set(value))


class WebhookOut(BaseModel):
    """A subscription (the secret is shown only once, when it is created)."""

    id: int
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, sub: WebhookSubscription) -> WebhookOut:
        """From the store row."""
        return cls(
            id=sub.id,
            url=sub.url,
            event_types=list(sub.event_types or []),
            active=bool(sub.active),
            created_at=sub.created_at,
        )


class WebhookCreatedOut(WebhookOut):
    """The new subscription with its signing secret: store it now, it is never shown again."""

    secret: str = Field(description="whsec_<base64>: verify webhook-signature with it")


class WebhookDeliveryOut(BaseModel):
    """One event's delivery to a subscription and its retry state."""

    id: int
    subscription_id: int
    event_id: int
    attempt: int
    status: str
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, d: WebhookDelivery) -> WebhookDeliveryOut:
        """From the store row."""
        return cls(
            id=d.id,
            subscription_id=d.subscription_id,
            event_id=d.event_id,
            attempt=d.attempt,
            status=d.status,
            next_attempt_at=d.next_attempt_at,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            delivered_at=d.delivered_at,
        )
