"""``Idempotency-Key`` on POSTs: replay, reuse with another body, in-flight, concurrency.

A test route ``POST /v1/test-things`` stores a webhook subscription row (a real write) and can be
told to sleep, so that concurrent requests overlap while the first is in flight.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import APIRouter, Depends, FastAPI, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel

from wms.api import create_app
from wms.api.deps import SessionDep, require_api_key
from wms.api.idempotency import IN_FLIGHT_TIMEOUT_S, KEY_TTL_S, body_hash, purge_expired
from wms.api.keys import create_api_key
from wms.store.api_models import IdempotencyKey, WebhookSubscription
from wms.store.db import session_scope
from wms.store.models import Order, utcnow

PROBLEM = "application/problem+json"


class ThingIn(BaseModel):
    url: str
    sleep_s: float = 0.0
    fail: bool = False


def _with_test_routes(app: FastAPI) -> FastAPI:
    extra = APIRouter()
    calls = {"n": 0}
    lock = threading.Lock()

    @extra.post("/v1/test-things", status_code=201)
    def create_thing(body: ThingIn, session: SessionDep, response: Response) -> dict[str, Any]:
        with lock:
            calls["n"] += 1
        if body.fail:
            raise RuntimeError("boom")
        row = WebhookSubscription(url=body.url, secret="s", event_types=[])
        session.add(row)
        session.flush()
        time.sleep(body.sleep_s)
        response.headers["Location"] = f"/v1/test-things/{row.id}"
        return {"id": row.id, "url": row.url}

    app.include_router(extra, dependencies=[Depends(require_api_key)])
    app.state.test_calls = calls
    return app


@pytest.fixture
def idem_app(api_db_url: str) -> Iterator[FastAPI]:
    """The API plus the test route."""
    app = _with_test_routes(create_app(api_db_url))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def idem_client(idem_app: FastAPI, api_key: str) -> Iterator[TestClient]:
    """Client of :func:`idem_app` with the test key; server errors come back as 500s."""
    with TestClient(
        idem_app, headers={"X-API-Key": api_key}, raise_server_exceptions=False
    ) as client:
        yield client


def _things(url: str) -> int:
    with session_scope(url, readonly=True) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(WebhookSubscription)) or 0


def test_same_key_same_body_replays_the_response(
    idem_client: TestClient, idem_app: FastAPI, api_db_url: str
) -> None:
    headers = {"Idempotency-Key": "k-1"}
    first = idem_client.post("/v1/test-things", json={"url": "https://a"}, headers=headers)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    # Same JSON, other key order and spacing: the same request.
    again = idem_client.post(
        "/v1/test-things",
        content=b'{ "url" : "https://a" }',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert again.status_code == 201
    assert again.json() == first.json() == {"id": 1, "url": "https://a"}
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == "application/json"
    assert again.headers["location"] == first.headers["location"] == "/v1/test-things/1"
    assert idem_app.state.test_calls["n"] == 1
    assert _things(api_db_url) == 1


def test_without_a_key_every_post_runs(idem_client: TestClient, api_db_url: str) -> None:
    for _ in range(2):
        assert idem_client.post("/v1/test-things", json={"url": "https://a"}).status_code == 201
    assert _things(api_db_url) == 2


def test_same_key_other_body_is_a_422(idem_client: TestClient, api_db_url: str) -> None:
    headers = {"Idempotency-Key": "k-2"}
    assert (
        idem_client.post("/v1/test-things", json={"url": "https://a"}, headers=headers).status_code
        == 201
    )
    r = idem_client.post("/v1/test-things", json={"url": "https://b"}, headers=headers)
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert r.json() == {
        "type": "urn:wms:problem:idempotency-key-reused",
        "title": "Idempotency key reused",
        "status": 422,
        "detail": "Idempotency-Key 'k-2' was already used for a different request: "
        "use a new key for a new request",
        "instance": "/v1/test-things",
    }
    other_query = idem_client.post(
        "/v1/test-things?dry=1", json={"url": "https://a"}, headers=headers
    )
    assert other_query.status_code == 422
    other_path = idem_client.post(
        "/v1/routes", json={"layout_id": "small-single-block", "pick_lists": [[]]}, headers=headers
    )
    assert other_path.status_code == 422
    assert _things(api_db_url) == 1


def test_in_flight_is_a_409(idem_client: TestClient, api_db_url: str, api_key: str) -> None:
    body = b'{"url":"https://a"}'
    with session_scope(api_db_url) as session:
        session.add(
            IdempotencyKey(
                key="k-3",
                api_key_id=1,
                method="POST",
                path="/v1/test-things",
                body_hash=body_hash(body),
                status="in_flight",
            )
        )
    r = idem_client.post(
        "/v1/test-things",
        content=body,
        headers={"Idempotency-Key": "k-3", "Content-Type": "application/json"},
    )
    assert r.status_code == 409
    assert r.headers["retry-after"] == "1"
    assert r.json() == {
        "type": "urn:wms:problem:idempotency-in-flight",
        "title": "Request in progress",
        "status": 409,
        "detail": "a request with Idempotency-Key 'k-3' is still being processed: retry later",
        "instance": "/v1/test-things",
    }
    assert _things(api_db_url) == 0


def test_abandoned_in_flight_record_is_taken_over(idem_client: TestClient, api_db_url: str) -> None:
    """A worker that died mid-request leaves ``in_flight``; after the timeout a retry runs."""
    body = b'{"url":"https://a"}'
    with session_scope(api_db_url) as session:
        session.add(
            IdempotencyKey(
                key="k-old",
                api_key_id=1,
                method="POST",
                path="/v1/test-things",
                body_hash=body_hash(body),
                status="in_flight",
                created_at=utcnow() - timedelta(seconds=IN_FLIGHT_TIMEOUT_S + 1),
            )
        )
    r = idem_client.post(
        "/v1/test-things",
        content=body,
        headers={"Idempotency-Key": "k-old", "Content-Type": "application/json"},
    )
    assert r.status_code == 201
    assert _things(api_db_url) == 1


def test_concurrent_identical_requests_create_exactly_one(
    idem_client: TestClient, idem_app: FastAPI, api_db_url: str
) -> None:
    headers = {"Idempotency-Key": "k-4"}
    body = {"url": "https://a", "sleep_s": 0.5}
    barrier = threading.Barrier(6)

    def post(_: int) -> tuple[int, bool, Any]:
        barrier.wait()
        r = idem_client.post("/v1/test-things", json=body, headers=headers)
        return r.status_code, "idempotent-replayed" in r.headers, r.json()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(post, range(6)))
    ran = [b for status, replayed, b in results if status == 201 and not replayed]
    # The others were refused while the first ran (409) or, on a slow machine, came after it
    # and got its replay (201 with Idempotent-Replayed).
    assert len(ran) == 1, results
    assert {(s, r) for s, r, _ in results} <= {(201, False), (201, True), (409, False)}
    assert _things(api_db_url) == 1
    assert idem_app.state.test_calls["n"] == 1
    replay = idem_client.post("/v1/test-things", json=body, headers=headers)
    assert replay.status_code == 201
    assert replay.json() == ran[0]


def test_keys_are_scoped_per_api_key(idem_client: TestClient, api_db_url: str) -> None:
    with session_scope(api_db_url) as session:
        _, other = create_api_key(session, "other")
    headers = {"Idempotency-Key": "shared"}
    a = idem_client.post("/v1/test-things", json={"url": "https://a"}, headers=headers)
    b = idem_client.post(
        "/v1/test-things", json={"url": "https://a"}, headers={**headers, "X-API-Key": other}
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_server_errors_and_validation_errors_are_not_stored(
    idem_client: TestClient, idem_app: FastAPI, api_db_url: str
) -> None:
    headers = {"Idempotency-Key": "k-5"}
    failed = idem_client.post(
        "/v1/test-things", json={"url": "https://a", "fail": True}, headers=headers
    )
    assert failed.status_code == 500
    invalid = idem_client.post(
        "/v1/test-things", json={"nope": 1}, headers={"Idempotency-Key": "k-6"}
    )
    assert invalid.status_code == 422
    # Both keys are free again: a retry with another body runs.
    for key in ("k-5", "k-6"):
        r = idem_client.post(
            "/v1/test-things", json={"url": f"https://{key}"}, headers={"Idempotency-Key": key}
        )
        assert r.status_code == 201
    assert _things(api_db_url) == 2


def test_unauthenticated_requests_store_nothing(idem_app: FastAPI, api_db_url: str) -> None:
    with TestClient(idem_app) as anon:
        r = anon.post(
            "/v1/test-things", json={"url": "https://a"}, headers={"Idempotency-Key": "k-7"}
        )
    assert r.status_code == 401
    with session_scope(api_db_url, readonly=True) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 0


def test_replay_works_across_app_instances(
    idem_client: TestClient, api_db_url: str, api_key: str
) -> None:
    """The record is in the database: another process (here another app) replays it."""
    headers = {"Idempotency-Key": "k-8", "X-API-Key": api_key}
    first = idem_client.post("/v1/test-things", json={"url": "https://a"}, headers=headers)
    other = _with_test_routes(create_app(api_db_url))
    with TestClient(other) as c:
        again = c.post("/v1/test-things", json={"url": "https://a"}, headers=headers)
    other.state.engine.dispose()
    assert again.status_code == 201
    assert again.json() == first.json()
    assert other.state.test_calls["n"] == 0


def test_problem_responses_are_replayed_too(idem_client: TestClient) -> None:
    headers = {"Idempotency-Key": "k-9"}
    body = {"layout_id": "small-single-block", "pick_lists": [[]], "start": "moon"}
    first = idem_client.post("/v1/routes", json=body, headers=headers)
    again = idem_client.post("/v1/routes", json=body, headers=headers)
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()
    assert again.headers["content-type"] == PROBLEM
    assert again.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_bad_idempotency_key_header(idem_client: TestClient, key: str) -> None:
    r = idem_client.post(
        "/v1/test-things", json={"url": "https://a"}, headers={"Idempotency-Key": key}
    )
    assert r.status_code == 422
    assert r.json() == {
        "type": "urn:wms:problem:validation-error",
        "title": "Validation failed",
        "status": 422,
        "detail": "Idempotency-Key must have 1 to 255 printable characters",
        "instance": "/v1/test-things",
        "errors": [{"parameter": "Idempotency-Key", "detail": "invalid key"}],
    }


def test_concurrent_order_imports_create_one_order(client: TestClient, api_db_url: str) -> None:
    """The issue's proof: identical concurrent order imports with one key → exactly one order."""
    body = {"reference_id": "SHOP-1", "lines": [{"sku_id": "S1", "qty": 1}]}
    barrier = threading.Barrier(8)

    def post(_: int) -> int:
        barrier.wait()
        r = client.post("/v1/orders", json=body, headers={"Idempotency-Key": "order-SHOP-1"})
        return r.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, range(8)))
    if 404 in statuses or 405 in statuses:
        pytest.skip("POST /v1/orders is not mounted")
    # One request ran; the others were refused while it ran (409) or got its replay (201).
    assert 201 in statuses and set(statuses) <= {201, 409}, statuses
    with session_scope(api_db_url, readonly=True) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    final = client.post("/v1/orders", json=body, headers={"Idempotency-Key": "order-SHOP-1"})
    assert final.status_code == 201
    assert final.headers["idempotent-replayed"] == "true"


def _old_key(api_db_url: str, key: str, body: bytes, age_s: float, status: str = "done") -> None:
    with session_scope(api_db_url) as session:
        session.add(
            IdempotencyKey(
                key=key,
                api_key_id=1,
                method="POST",
                path="/v1/test-things",
                body_hash=body_hash(body),
                status=status,
                response_status=201,
                response_body={"id": 999, "url": "https://stale"},
                created_at=utcnow() - timedelta(seconds=age_s),
            )
        )


def _keys(api_db_url: str) -> set[str]:
    with session_scope(api_db_url, readonly=True) as session:
        return set(session.scalars(sa.select(IdempotencyKey.key)))


def test_a_key_older_than_a_day_is_a_new_key(idem_client: TestClient, api_db_url: str) -> None:
    _old_key(api_db_url, "k-day", b'{"url":"https://a"}', KEY_TTL_S + 60)
    # Another body under the expired key: runs (no 422), and its response is stored.
    r = idem_client.post(
        "/v1/test-things", json={"url": "https://b"}, headers={"Idempotency-Key": "k-day"}
    )
    assert r.status_code == 201 and r.json()["url"] == "https://b"
    again = idem_client.post(
        "/v1/test-things", json={"url": "https://b"}, headers={"Idempotency-Key": "k-day"}
    )
    assert again.json() == r.json() and again.headers["Idempotent-Replayed"] == "true"
    assert _things(api_db_url) == 1


def test_expired_keys_are_purged(idem_client: TestClient, api_db_url: str) -> None:
    _old_key(api_db_url, "k-expired", b"{}", KEY_TTL_S + 60)
    _old_key(api_db_url, "k-fresh", b"{}", KEY_TTL_S - 60)
    r = idem_client.post(
        "/v1/test-things", json={"url": "https://c"}, headers={"Idempotency-Key": "k-new"}
    )
    assert r.status_code == 201
    assert _keys(api_db_url) == {"k-fresh", "k-new"}
    assert purge_expired(idem_client.app.state.engine, ttl_s=0) == 2  # type: ignore[attr-defined]
    assert _keys(api_db_url) == set()
