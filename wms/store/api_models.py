"""SQLAlchemy models of the HTTP API: API keys, idempotency records, webhook subscriptions and deliveries.

They share :class:`wms.store.models.Base` (and so its metadata and naming convention) with the
fulfillment tables; :mod:`wms.store` imports this module so that the metadata the migrations are
compared against (``tests/store/test_migrations.py``) always includes these tables. Revision
``0002`` (:mod:`wms.store.migrations.versions`) creates them.

Conventions
-----------
- An API key is never stored: only its ``prefix`` (the first characters, to find the row and to show
  people which key is which) and ``key_hash`` (hex SHA-256 of the whole key; the key carries 256
  random bits, so a fast hash is enough: there is nothing to brute-force).
- ``idempotency_key`` rows are scoped by API key: two integrators may use the same key string.
- Webhook deliveries are one row per (subscription, event): the outbox worker updates ``attempt``,
  ``status`` and ``next_attempt_at`` in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wms.store.models import Base, utcnow

#: States of an idempotency record: the first request is running, or its response is stored.
IDEMPOTENCY_STATES: tuple[str, ...] = ("in_flight", "done")
#: States of a webhook delivery.
DELIVERY_STATES: tuple[str, ...] = ("pending", "delivered", "failed")


class ApiKey(Base):
    """An API key of an integrator (hashed; the key itself is shown once, at creation)."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        sa.UniqueConstraint("key_hash"),
        sa.Index("ix_api_key_prefix", "prefix"),
    )


class IdempotencyKey(Base):
    """The stored outcome of a POST sent with an ``Idempotency-Key`` header."""

    __tablename__ = "idempotency_key"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    api_key_id: Mapped[int] = mapped_column(
        sa.ForeignKey("api_key.id", ondelete="CASCADE"), primary_key=True
    )
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(512))
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default="in_flight")
    response_status: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[Any | None] = mapped_column(sa.JSON)
    response_headers: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("status IN ('in_flight', 'done')", name="status"),
        sa.Index("ix_idempotency_key_created_at", "created_at"),
    )


class WebhookSubscription(Base):
    """An integrator's endpoint that receives the events of the listed types."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(sa.String(2048))
    secret: Mapped[str] = mapped_column(sa.String(255))
    event_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One event to deliver to one subscription, with its retry state."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_subscription.id", ondelete="CASCADE")
    )
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id"))
    attempt: Mapped[int] = mapped_column(sa.Integer, default=0)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    last_status_code: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    delivered_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "event_id"),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
        sa.CheckConstraint("attempt >= 0", name="attempt_nonneg"),
        sa.Index("ix_webhook_delivery_status_next_attempt_at", "status", "next_attempt_at"),
    )


__all__ = [
    "DELIVERY_STATES",
    "IDEMPOTENCY_STATES",
    "ApiKey",
    "IdempotencyKey",
    "WebhookDelivery",
    "WebhookSubscription",
]
