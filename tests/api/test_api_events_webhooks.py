"""``/v1/events`` and webhooks: subscriptions, the outbox dispatcher, Standard Webhooks signatures,
retries with exponential backoff, at-least-once delivery, and ``wms webhooks deliver``.

Receivers are :class:`httpx.MockTransport` handlers that record what they get. Signatures are
recomputed here from the Standard Webhooks specification (HMAC-SHA256 keyed with the base64-decoded
part of ``whsec_...`` over ``"{webhook-id}.{webhook-timestamp}.{body}"``), not with the code under
test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import string
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.fulfillment.order_fixtures import stock_warehouse
from wms.api.webhooks import (
    WebhookVerificationError,
    backoff_delay_s,
    deliver_pending,
    generate_secret,
    lease_s,
    verify_signature,
)
from wms.store.api_models import WebhookDelivery
from wms.store.db import session_scope
from wms.store.models import Event

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
RECEIVER = "https://shop.example.com/hooks/wms"


@pytest.fixture
def stocked(api_db_url: str) -> str:
    """The API database with the small stocked test warehouse."""
    stock_warehouse(api_db_url)
    return api_db_url


def order_json(ref: str, sku: str = "S5", **changes: Any) -> dict[str, Any]:
    """A paid domestic order of one unit; buyer and street are random words seeded by ``ref``."""
    rng = random.Random(ref)

    def word() -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(8)).capitalize()

    body: dict[str, Any] = {
        "reference_id": ref,
        "customer": {"name": f"{word()} {word()}", "email": f"{word().lower()}@example.com"},
        "address": {
            "street": f"{word()} 1",
            "city": word(),
            "postal_code": "60-001",
            "country": "PL",
        },
        "payment_method": "card",
        "payment_status": "paid",
        "carrier": "DPD",
        "value": "10.00",
        "currency": "PLN",
        "lines": [{"sku_id": sku, "qty": 1}],
    }
    body.update(changes)
    return body


def spec_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """The Standard Webhooks v1 signature, written from the specification."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, msg_id.encode() + b"." + timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


class Receiver:
    """A webhook endpoint: records requests, answers with the next scripted status."""

    def __init__(self, statuses: list[int | Exception] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.statuses = list(statuses or [])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        outcome = self.statuses.pop(0) if self.statuses else 200
        if isinstance(outcome, Exception):
            raise outcome
        return httpx.Response(outcome)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def subscribe(client: TestClient, event_types: list[str], url: str = RECEIVER) -> dict[str, Any]:
    r = client.post("/v1/webhooks", json={"url": url, "event_types": event_types})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def run(url: str, receiver: Receiver, now: datetime, **kwargs: Any) -> dict[str, Any]:
    with session_scope(url) as session, receiver.client() as http:
        return deliver_pending(session, http, now, **kwargs).to_dict()


def deliveries(url: str) -> list[tuple[int, str, int, datetime | None, int | None]]:
    import sqlalchemy as sa

    with session_scope(url, readonly=True) as s:
        rows = s.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id))
        return [
            (d.event_id, d.status, d.attempt, d.next_attempt_at, d.last_status_code) for d in rows
        ]


# -- events ---------------------------------------------------------------------------------------


def test_events_list_with_filters_and_pages(client: TestClient, stocked: str) -> None:
    for ref, sku in (("E-1", "S5"), ("E-2", "S3"), ("E-3", "S5")):
        client.post("/v1/orders", json=order_json(ref, sku))
    ids: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/events", params=params).json()
        ids += [e["id"] for e in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 6
    assert pages == 3
    held = client.get("/v1/events", params={"type": "order.held"}).json()["items"]
    assert [(e["order_id"], e["payload"]["rule"]) for e in held] == [("E-2", "stock_shortage")]
    e1 = client.get("/v1/events", params={"order_id": "E-1"}).json()["items"]
    assert [e["type"] for e in e1] == ["order.received", "order.released"]
    prefix = client.get("/v1/events", params={"type_prefix": "order.rel"}).json()["items"]
    assert {e["type"] for e in prefix} == {"order.released"}
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert client.get("/v1/events", params={"since": later}).json()["items"] == []
    assert len(client.get("/v1/events", params={"until": later}).json()["items"]) == 6
    r = client.get("/v1/events", params={"since": "2026-11-22T10:00:00"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"parameter": "since", "detail": "time zone missing"}]


# -- subscriptions --------------------------------------------------------------------------------


def test_subscription_crud(client: TestClient, stocked: str) -> None:
    created = subscribe(client, ["order.released", "order.held", "order.held"])
    assert created["event_types"] == ["order.held", "order.released"]
    assert created["active"] is True and created["url"] == RECEIVER
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    shown = client.get(f"/v1/webhooks/{created['id']}").json()
    assert "secret" not in shown and shown == {k: v for k, v in created.items() if k != "secret"}
    other = subscribe(client, ["*"], url="http://127.0.0.1:9000/in")
    listed = client.get("/v1/webhooks", params={"limit": 1}).json()
    assert [w["id"] for w in listed["items"]] == [created["id"]] and listed["next_cursor"]
    rest = client.get("/v1/webhooks", params={"cursor": listed["next_cursor"]}).json()
    assert [w["id"] for w in rest["items"]] == [other["id"]] and rest["next_cursor"] is None
    r = client.delete(f"/v1/webhooks/{created['id']}")
    assert r.status_code == 204 and r.content == b""
    r = client.get(f"/v1/webhooks/{created['id']}")
    assert r.status_code == 404
    assert r.json()["detail"] == f"webhook subscription {created['id']} does not exist"
    assert client.delete(f"/v1/webhooks/{created['id']}").status_code == 404


def test_subscription_validation(client: TestClient, stocked: str) -> None:
    r = client.post("/v1/webhooks", json={"url": RECEIVER, "event_types": ["order.teleported"]})
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["pointer"] == "/event_types"
    assert "unknown event type(s) 'order.teleported'" in error["detail"]
    r = client.post("/v1/webhooks", json={"url": "ftp://x", "event_types": ["*"]})
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/url"
    r = client.post("/v1/webhooks", json={"url": RECEIVER, "event_types": []})
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/event_types"


# -- signatures -----------------------------------------------------------------------------------


def test_delivery_is_signed_per_standard_webhooks(client: TestClient, stocked: str) -> None:
    sub = subscribe(client, ["order.held"])
    client.post("/v1/orders", json=order_json("SIG-1", "S3"))  # received + held
    receiver = Receiver()
    report = run(stocked, receiver, T0)
    assert report == {
        "fanned_out": 2,
        "queued": 1,
        "delivered": 1,
        "retrying": 0,
        "failed": 0,
        "errors": [],
    }
    (request,) = receiver.requests
    assert str(request.url) == RECEIVER and request.method == "POST"
    headers = request.headers
    assert headers["content-type"] == "application/json"
    assert headers["webhook-timestamp"] == str(int(T0.timestamp()))
    body = request.content
    expected = spec_signature(
        sub["secret"], headers["webhook-id"], headers["webhook-timestamp"], body
    )
    assert headers["webhook-signature"] == expected
    document = json.loads(body)
    assert document["type"] == "order.held"
    assert document["data"]["entity_id"] == "SIG-1"
    assert document["data"]["payload"]["rule"] == "stock_shortage"
    assert headers["webhook-id"] == f"evt_{document['data']['event_id']}"
    # the receiver's check: good, tampered, stale, several signatures
    verify_signature(sub["secret"], headers, body, now=T0)
    with pytest.raises(WebhookVerificationError, match="no v1 signature"):
        verify_signature(sub["secret"], headers, body.replace(b"SIG-1", b"SIG-2"), now=T0)
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify_signature(sub["secret"], headers, body, now=T0 + timedelta(minutes=10))
    with pytest.raises(WebhookVerificationError, match="no v1 signature"):
        verify_signature(generate_secret(), headers, body, now=T0)
    rotated = dict(headers) | {"webhook-signature": f"v1,AAAA {expected}"}
    verify_signature(sub["secret"], rotated, body, now=T0)
    with pytest.raises(WebhookVerificationError, match="webhook-id"):
        verify_signature(sub["secret"], {"webhook-timestamp": "1"}, body, now=T0)


# -- retries, backoff, at least once --------------------------------------------------------------


def test_retries_with_exponential_backoff_until_delivered(client: TestClient, stocked: str) -> None:
    subscribe(client, ["order.released"])
    client.post("/v1/orders", json=order_json("RB-1"))
    receiver = Receiver([500, httpx.ConnectError("refused"), 200])
    base = 10.0
    assert run(stocked, receiver, T0, base_delay_s=base)["retrying"] == 1
    ((event_id, status, attempt, due, code),) = deliveries(stocked)
    assert (status, attempt, code, due) == ("pending", 1, 500, T0 + timedelta(seconds=base))
    # not due yet: nothing is sent
    assert (
        run(stocked, receiver, T0 + timedelta(seconds=base - 1), base_delay_s=base)["retrying"] == 0
    )
    assert len(receiver.requests) == 1
    t1 = T0 + timedelta(seconds=base)
    assert run(stocked, receiver, t1, base_delay_s=base)["retrying"] == 1
    ((_, status, attempt, due, code),) = deliveries(stocked)
    assert (status, attempt, code, due) == ("pending", 2, None, t1 + timedelta(seconds=2 * base))
    t2 = t1 + timedelta(seconds=2 * base)
    assert run(stocked, receiver, t2, base_delay_s=base)["delivered"] == 1
    assert deliveries(stocked) == [(event_id, "delivered", 3, None, 200)]
    # one message id for every attempt, so the receiver can deduplicate
    assert {r.headers["webhook-id"] for r in receiver.requests} == {f"evt_{event_id}"}
    assert len(receiver.requests) == 3
    assert run(stocked, receiver, t2 + timedelta(days=1))["delivered"] == 0  # nothing left


def test_gives_up_after_max_attempts(client: TestClient, stocked: str) -> None:
    sub = subscribe(client, ["order.released"])
    client.post("/v1/orders", json=order_json("GU-1"))
    receiver = Receiver([503, 503, 503, 200])
    now = T0
    reports = []
    for _ in range(4):
        reports.append(run(stocked, receiver, now, max_attempts=3, base_delay_s=1.0))
        now += timedelta(hours=1)
    assert [(r["retrying"], r["failed"]) for r in reports] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    assert "gave up" in reports[2]["errors"][0]
    ((_, status, attempt, due, code),) = deliveries(stocked)
    assert (status, attempt, due, code) == ("failed", 3, None, 503)
    assert len(receiver.requests) == 3
    log = client.get(f"/v1/webhooks/{sub['id']}/deliveries").json()["items"]
    assert [(d["status"], d["attempt"], d["last_error"]) for d in log] == [
        ("failed", 3, "HTTP 503")
    ]
    failed = client.get(f"/v1/webhooks/{sub['id']}/deliveries", params={"status": "pending"})
    assert failed.json()["items"] == []


def test_at_least_once_when_the_dispatcher_crashes(client: TestClient, stocked: str) -> None:
    subscribe(client, ["order.released"])
    client.post("/v1/orders", json=order_json("AL-1"))
    receiver = Receiver()
    # the POST succeeds but the dispatcher dies before recording it
    with pytest.raises(RuntimeError), session_scope(stocked) as session, receiver.client() as http:
        assert deliver_pending(session, http, T0).delivered == 1
        raise RuntimeError("killed before commit")
    ((_, status, attempt, due, _),) = deliveries(stocked)
    lease = timedelta(seconds=lease_s(100, 10.0))
    assert (status, attempt, due) == ("pending", 0, T0 + lease)  # claimed, outcome lost
    # while the claim lasts, another dispatcher leaves it alone
    assert run(stocked, receiver, T0 + lease - timedelta(seconds=1))["delivered"] == 0
    # then it is sent again (at least once), with the same message id, and done
    assert run(stocked, receiver, T0 + lease)["delivered"] == 1
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert deliveries(stocked)[0][1:3] == ("delivered", 1)
    assert run(stocked, receiver, T0 + 2 * lease)["delivered"] == 0


def test_a_subscription_deleted_during_delivery_is_left_alone(
    client: TestClient, stocked: str
) -> None:
    sub = subscribe(client, ["order.released"])
    client.post("/v1/orders", json=order_json("DD-1"))

    def delete_then_answer(request: httpx.Request) -> httpx.Response:
        assert client.delete(f"/v1/webhooks/{sub['id']}").status_code == 204  # no lock held
        return httpx.Response(200)

    with (
        session_scope(stocked) as session,
        httpx.Client(transport=httpx.MockTransport(delete_then_answer)) as http,
    ):
        report = deliver_pending(session, http, T0)
    assert report.delivered == 0 and deliveries(stocked) == []


def test_fan_out_matches_types_and_skips_deleted_subscriptions(
    client: TestClient, stocked: str
) -> None:
    held = subscribe(client, ["order.held"], url="https://a.example.com/h")
    every = subscribe(client, ["*"], url="https://b.example.com/h")
    gone = subscribe(client, ["*"], url="https://c.example.com/h")
    client.delete(f"/v1/webhooks/{gone['id']}")
    client.post("/v1/orders", json=order_json("FO-1", "S3"))  # received, held
    receiver = Receiver()
    report = run(stocked, receiver, T0)
    assert (report["fanned_out"], report["queued"], report["delivered"]) == (2, 3, 3)
    got = sorted((str(r.url), json.loads(r.content)["type"]) for r in receiver.requests)
    assert got == [
        ("https://a.example.com/h", "order.held"),
        ("https://b.example.com/h", "order.held"),
        ("https://b.example.com/h", "order.received"),
    ]
    assert held["id"] != every["id"]
    with session_scope(stocked, readonly=True) as s:
        import sqlalchemy as sa

        assert s.scalar(sa.select(sa.func.count()).where(Event.delivered.is_(False))) == 0
    # new events after the fan-out are picked up by the next run
    client.post("/v1/orders", json=order_json("FO-2"))
    assert run(stocked, receiver, T0)["queued"] == 2  # received + released to "*"


def test_backoff_is_capped() -> None:
    assert [backoff_delay_s(n, base_delay_s=30) for n in (1, 2, 3)] == [30.0, 60.0, 120.0]
    assert backoff_delay_s(30, base_delay_s=30, max_delay_s=3600) == 3600.0
    with pytest.raises(ValueError, match="failed_attempts"):
        backoff_delay_s(0)


# -- the command ----------------------------------------------------------------------------------


def test_cli_deliver_once(client: TestClient, stocked: str) -> None:
    from wms.cli import app

    subscribe(client, ["order.released"], url="http://127.0.0.1:9/refused")
    client.post("/v1/orders", json=order_json("CLI-1"))
    result = CliRunner().invoke(
        app, ["webhooks", "deliver", "--once", "--url", stocked, "--timeout", "2"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert (report["fanned_out"], report["queued"], report["retrying"]) == (2, 1, 1)
    ((_, status, attempt, _, code),) = deliveries(stocked)
    assert (status, attempt, code) == ("pending", 1, None)


def test_cli_deliver_on_an_empty_database_is_one_line(tmp_path: Any) -> None:
    from wms.cli import app

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(app, ["webhooks", "deliver", "--once", "--url", url])
    assert result.exit_code == 1
    assert "no such table" in result.output and "wms db upgrade" in result.output
