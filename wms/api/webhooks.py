"""Webhooks: the outbox dispatcher and the Standard Webhooks signature scheme.

Every status change of the fulfillment layer appends an event to the ``event`` table in the same
transaction as the change (:mod:`wms.fulfillment.events`): that table is the **outbox**.
:func:`deliver_pending` moves it to the integrators in two steps:

1. **Fan-out.** Each undelivered event (:func:`~wms.fulfillment.events.pending_events`) becomes one
   ``webhook_delivery`` row per active subscription whose ``event_types`` match it, and the event is
   flagged ``delivered`` (handed over to the delivery queue) in the same transaction, so an event
   is fanned out exactly once. Events nobody subscribed to are flagged too.
2. **Attempts.** Every ``pending`` delivery whose ``next_attempt_at`` has come is POSTed to its URL.
   A 2xx answer marks it ``delivered``; anything else (another status, a timeout, a refused
   connection) counts one failed attempt and schedules the next with exponential backoff
   (``base_delay_s * 2 ** (attempt - 1)``, capped at ``max_delay_s``) until ``max_attempts`` have
   failed, then the delivery is ``failed``.

Delivery is **at least once**: a delivery is marked ``delivered`` only after a 2xx answer, so a
crash between the POST and the commit sends it again. Receivers deduplicate on ``webhook-id``,
which is the same for every attempt of one event (``evt_<event id>``).

Signatures follow the Standard Webhooks specification (https://www.standardwebhooks.com/): the
secret is ``whsec_`` followed by base64 of 32 random bytes; the headers are ``webhook-id``,
``webhook-timestamp`` (Unix seconds) and ``webhook-signature: v1,<base64 HMAC-SHA256>`` of
``"{webhook-id}.{webhook-timestamp}.{body}"`` keyed with the decoded secret. :func:`verify_signature`
checks all of that (and the timestamp's age) on the receiving side.

The body is JSON: ``{"type": "order.held", "timestamp": "<ISO 8601>", "data": {"event_id": ...,
"entity_type": ..., "entity_id": ..., "order_id": ..., "payload": {...}}}``.

:func:`deliver_pending` commits its session once, after claiming the due deliveries and before
any POST, so no database lock is held while receivers answer; the caller (``wms webhooks
deliver``) commits the outcomes after each batch.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session

from wms.errors import WmsError
from wms.fulfillment.events import EventRecord, mark_delivered, pending_events
from wms.store.api_models import WebhookDelivery, WebhookSubscription
from wms.store.models import Event

__all__ = [
    "DEFAULT_BASE_DELAY_S",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_DELAY_S",
    "SECRET_PREFIX",
    "WEBHOOK_EVENT_TYPES",
    "WILDCARD",
    "DeliveryReport",
    "WebhookVerificationError",
    "backoff_delay_s",
    "deliver_pending",
    "event_body",
    "generate_secret",
    "lease_s",
    "message_id",
    "sign",
    "signature_headers",
    "subscription_matches",
    "verify_signature",
]

#: Prefix of a signing secret (Standard Webhooks).
SECRET_PREFIX = "whsec_"
#: Bytes of randomness in a generated secret.
SECRET_BYTES = 32
#: A subscription to every event type.
WILDCARD = "*"
#: Failed attempts after which a delivery is given up (``failed``).
DEFAULT_MAX_ATTEMPTS = 8
#: Delay after the first failed attempt; doubled after each further one.
DEFAULT_BASE_DELAY_S = 30.0
#: Longest delay between two attempts.
DEFAULT_MAX_DELAY_S = 6 * 3600.0
#: Largest age (either way) of ``webhook-timestamp`` a receiver accepts: replay protection.
DEFAULT_TOLERANCE_S = 300
#: Longest ``last_error`` text kept.
MAX_ERROR_LENGTH = 500

#: Webhook event types an integrator can subscribe to, and the event-log type each one is.
#: They are the event log's own names: one vocabulary for ``GET /v1/events`` and webhooks.
WEBHOOK_EVENT_TYPES: tuple[str, ...] = (
    "order.received",
    "order.held",
    "order.hold_released",
    "order.released",
    "order.waved",
    "order.pick_reallocated",
    "order.picked",
    "order.packed",
    "order.shipped",
    "order.cancelled",
    "order.returned",
    "order.partially_returned",
    "wave.released",
    "picklist.completed",
    "receipt.announced",
    "receipt.received",
    "receipt.put_away",
    "stock.adjusted",
    "return.authorised",
    "return.received",
    "return.inspected",
    "return.disposed",
    "return.completed",
    "return.complaint_updated",
)


class WebhookVerificationError(WmsError):
    """A webhook request whose signature, id or timestamp does not check out."""


# -- secrets and signatures -----------------------------------------------------------------------


def generate_secret() -> str:
    """A new signing secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret (the base64-decoded part after the prefix)."""
    raw = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError(
            f"webhook secret must be '{SECRET_PREFIX}' followed by base64; got one that is not"
        ) from None


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The ``webhook-signature`` value ``v1,<base64 HMAC-SHA256>`` of one message.

    Parameters
    ----------
    secret
        The subscription's ``whsec_...`` secret.
    msg_id
        The ``webhook-id`` header.
    timestamp
        The ``webhook-timestamp`` header (Unix seconds).
    body
        The exact request body.

    Returns
    -------
    str
        ``"v1,"`` followed by the base64 signature of ``"{msg_id}.{timestamp}.{body}"``.
    """
    data = body.encode("utf-8") if isinstance(body, str) else body
    content = f"{msg_id}.{timestamp}.".encode() + data
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of one message (plus the JSON content type)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    now: datetime | None = None,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> None:
    """Check a received webhook: headers present, timestamp recent, one ``v1`` signature matches.

    Parameters
    ----------
    secret
        The ``whsec_...`` secret shown when the subscription was created.
    headers
        The request headers (any mapping; names are matched case-insensitively).
    body
        The raw request body, exactly as received (not re-serialised JSON).
    now
        The receiver's clock (aware), default now.
    tolerance_s
        Largest accepted difference between ``webhook-timestamp`` and ``now`` (replay protection).

    Raises
    ------
    WebhookVerificationError
        A header is missing, the timestamp is not an integer or too old/new, or no signature of
        the ``webhook-signature`` list (space separated ``v1,<sig>``) matches.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    missing = [
        h for h in ("webhook-id", "webhook-timestamp", "webhook-signature") if h not in lower
    ]
    if missing:
        raise WebhookVerificationError(f"webhook request lacks header(s) {', '.join(missing)}")
    try:
        timestamp = int(lower["webhook-timestamp"])
    except ValueError:
        raise WebhookVerificationError(
            f"webhook-timestamp {lower['webhook-timestamp']!r} is not Unix seconds"
        ) from None
    clock = int((now or datetime.now(UTC)).timestamp())
    if abs(clock - timestamp) > tolerance_s:
        raise WebhookVerificationError(
            f"webhook-timestamp {timestamp} is {clock - timestamp} s away from now: more than the "
            f"{tolerance_s} s tolerance (a replay, or a clock to fix)"
        )
    expected = sign(secret, lower["webhook-id"], timestamp, body).split(",", 1)[1]
    for candidate in lower["webhook-signature"].split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected.encode()):
            return
    raise WebhookVerificationError("no v1 signature in webhook-signature matches the body")


# -- messages -------------------------------------------------------------------------------------


def message_id(event_id: int) -> str:
    """The ``webhook-id`` of an event: the same for every attempt, for receivers to deduplicate."""
    return f"evt_{event_id}"


def event_body(event: EventRecord | Event) -> bytes:
    """The JSON body sent for an event (compact, keys in a fixed order)."""
    document = {
        "type": event.type,
        "timestamp": event.at.astimezone(UTC).isoformat(),
        "data": {
            "event_id": event.id,
            "entity_type": event.entity_type,
            "entity_id": event.entity_id,
            "order_id": event.order_id,
            "payload": dict(event.payload or {}),
        },
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def subscription_matches(event_types: Sequence[str], event_type: str) -> bool:
    """Whether a subscription to ``event_types`` receives events of ``event_type``."""
    return WILDCARD in event_types or event_type in event_types


def backoff_delay_s(
    failed_attempts: int,
    *,
    base_delay_s: float = DEFAULT_BASE_DELAY_S,
    max_delay_s: float = DEFAULT_MAX_DELAY_S,
) -> float:
    """Wait after ``failed_attempts`` (>= 1) failures: ``base * 2 ** (n - 1)``, at most ``max``."""
    if failed_attempts < 1:
        raise ValueError(f"failed_attempts must be >= 1, got {failed_attempts}")
    return float(min(max_delay_s, base_delay_s * 2 ** (failed_attempts - 1)))


# -- the dispatcher -------------------------------------------------------------------------------


@dataclass(slots=True)
class DeliveryReport:
    """What one :func:`deliver_pending` call did.

    Attributes
    ----------
    fanned_out
        Events taken from the outbox.
    queued
        Delivery rows created for them (one per matching subscription).
    delivered
        Deliveries answered with a 2xx.
    retrying
        Failed attempts with another attempt scheduled.
    failed
        Deliveries given up after their last attempt.
    """

    fanned_out: int = 0
    queued: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        """POSTs made."""
        return self.delivered + self.retrying + self.failed

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "fanned_out": self.fanned_out,
            "queued": self.queued,
            "delivered": self.delivered,
            "retrying": self.retrying,
            "failed": self.failed,
            "errors": list(self.errors),
        }


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} given: pass an aware one (UTC)")
    return value


def fan_out(session: Session, now: datetime, *, limit: int = 500) -> tuple[int, int]:
    """Turn up to ``limit`` outbox events into delivery rows; ``(events, deliveries)``."""
    events = pending_events(session, limit=limit)
    if not events:
        return 0, 0
    subs = list(
        session.scalars(
            sa.select(WebhookSubscription)
            .where(WebhookSubscription.active.is_(True))
            .order_by(WebhookSubscription.id)
        )
    )
    queued = 0
    for event in events:
        for sub in subs:
            if subscription_matches(sub.event_types or [], event.type):
                session.add(
                    WebhookDelivery(
                        subscription_id=sub.id,
                        event_id=event.id,
                        attempt=0,
                        status="pending",
                        next_attempt_at=now,
                    )
                )
                queued += 1
    session.flush()
    mark_delivered(session, [e.id for e in events])
    return len(events), queued


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One claimed delivery as plain data, so the POST needs no open transaction."""

    delivery_id: int
    url: str
    headers: dict[str, str]
    body: bytes


def _claim(
    session: Session, when: datetime, limit: int, lease_s: float, timestamp: int
) -> list[_Attempt]:
    """Due deliveries, with ``next_attempt_at`` pushed to the end of a lease (see
    :func:`deliver_pending`)."""
    due = session.execute(
        sa.select(WebhookDelivery, WebhookSubscription, Event)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(
            WebhookDelivery.status == "pending",
            sa.or_(
                WebhookDelivery.next_attempt_at.is_(None),
                WebhookDelivery.next_attempt_at <= when,
            ),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    ).all()
    attempts: list[_Attempt] = []
    for delivery, sub, event in due:
        body = event_body(event)
        headers = signature_headers(sub.secret, message_id(event.id), timestamp, body)
        attempts.append(_Attempt(delivery.id, sub.url, headers, body))
        delivery.next_attempt_at = when + timedelta(seconds=lease_s)
    session.flush()
    return attempts


def deliver_pending(
    session: Session,
    client: httpx.Client,
    now: datetime | None = None,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    base_delay_s: float = DEFAULT_BASE_DELAY_S,
    max_delay_s: float = DEFAULT_MAX_DELAY_S,
    limit: int = 100,
    timeout_s: float = 10.0,
) -> DeliveryReport:
    """Fan the outbox out into deliveries and attempt every delivery that is due.

    Three steps, so that no database lock is held while waiting for receivers:

    1. fan out new events and **claim** the due deliveries by moving their ``next_attempt_at``
       to the end of a lease (``limit * timeout_s`` plus a minute), then **commit** the session;
    2. POST them (no transaction open);
    3. record each outcome (not committed here: the caller commits).

    A crash after step 1 leaves the claimed deliveries ``pending``: they are sent again when the
    lease ends (at least once). A second dispatcher running meanwhile skips them.

    Parameters
    ----------
    session
        An open session. **It is committed** after step 1 (it must not hold uncommitted work of
        the caller); the outcomes of step 3 are flushed, to be committed by the caller.
    client
        The HTTP client that POSTs (a real ``httpx.Client``, or one on an ``httpx.MockTransport``
        in tests).
    now
        The dispatcher's clock (aware): deliveries with ``next_attempt_at <= now`` are attempted,
        and the ``webhook-timestamp`` is this time. Default now.
    max_attempts
        Failed attempts after which a delivery is ``failed``.
    base_delay_s, max_delay_s
        Exponential backoff: ``base * 2 ** (failed - 1)`` seconds, at most ``max``.
    limit
        At most this many events fanned out and this many deliveries attempted per call.
    timeout_s
        Time allowed for each POST.

    Returns
    -------
    DeliveryReport
        Counts of what was queued, delivered, rescheduled and given up.
    """
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
    when = _aware(now) if now is not None else datetime.now(UTC)
    report = DeliveryReport()
    report.fanned_out, report.queued = fan_out(session, when, limit=limit)
    attempts = _claim(session, when, limit, lease_s(limit, timeout_s), int(when.timestamp()))
    session.commit()
    outcomes: list[tuple[_Attempt, int | None, str | None]] = []
    for attempt in attempts:
        status_code: int | None = None
        error: str | None = None
        try:
            response = client.post(
                attempt.url, content=attempt.body, headers=attempt.headers, timeout=timeout_s
            )
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
        outcomes.append((attempt, status_code, error))
    for attempt, status_code, error in outcomes:
        delivery = session.get(WebhookDelivery, attempt.delivery_id, populate_existing=True)
        if delivery is None or delivery.status != "pending":
            continue  # the subscription was deleted meanwhile
        delivery.attempt += 1
        delivery.last_status_code = status_code
        delivery.last_error = error
        if error is None:
            delivery.status = "delivered"
            delivery.delivered_at = when
            delivery.next_attempt_at = None
            report.delivered += 1
        elif delivery.attempt >= max_attempts:
            delivery.status = "failed"
            delivery.next_attempt_at = None
            report.failed += 1
            report.errors.append(f"delivery {delivery.id} to {attempt.url}: {error}; gave up")
        else:
            delay = backoff_delay_s(
                delivery.attempt, base_delay_s=base_delay_s, max_delay_s=max_delay_s
            )
            delivery.next_attempt_at = when + timedelta(seconds=delay)
            report.retrying += 1
            report.errors.append(f"delivery {delivery.id} to {attempt.url}: {error}")
    session.flush()
    return report


def lease_s(limit: int, timeout_s: float) -> float:
    """How long claimed deliveries are reserved for the dispatcher that claimed them: time for
    every POST of a batch to time out, plus a minute."""
    return limit * timeout_s + 60.0
