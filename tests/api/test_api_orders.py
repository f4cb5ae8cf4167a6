"""``/v1/orders``: import one and many, natural-key duplicates, get, list, cancel, idempotency.

The warehouse is ``tests/fulfillment/order_fixtures.stock_warehouse`` (S1: 8 units, S2: 5, S3:
none, S4: 2, S5: 10) in the API's fresh database; orders pass every shipped hold rule unless they
ask for S3 (a ``stock_shortage`` hold).
"""

from __future__ import annotations

import random
import re
import string
import threading
from collections import Counter
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.fulfillment.order_fixtures import stock_warehouse

OWN_PREFIXES = (
    "/v1/orders",
    "/v1/holds",
    "/v1/waves",
    "/v1/picklists",
    "/v1/receipts",
    "/v1/stock",
    "/v1/returns",
    "/v1/events",
    "/v1/webhooks",
)


@pytest.fixture
def stocked(api_db_url: str) -> str:
    """The API database with the small stocked test warehouse."""
    stock_warehouse(api_db_url)
    return api_db_url


def order_json(ref: str, *lines: tuple[str, int], **changes: Any) -> dict[str, Any]:
    """A paid domestic order (passes every shipped rule given stock) as the API takes it.

    Buyer and street are random words seeded by ``ref``: two orders never look like one customer.
    """
    rng = random.Random(ref)
    word = lambda: "".join(rng.choice(string.ascii_lowercase) for _ in range(8)).capitalize()  # noqa: E731
    body: dict[str, Any] = {
        "reference_id": ref,
        "channel": "shop",
        "customer": {"name": f"{word()} {word()}", "email": f"{word().lower()}@example.com"},
        "address": {
            "street": f"{word()} {rng.randint(1, 99)}",
            "city": word(),
            "postal_code": "60-001",
            "country": "PL",
        },
        "payment_method": "card",
        "payment_status": "paid",
        "carrier": "DPD",
        "value": "100.00",
        "currency": "PLN",
        "lines": [{"sku_id": s, "qty": q} for s, q in (lines or (("S1", 1),))],
    }
    body.update(changes)
    return body


def test_create_then_get_an_order(client: TestClient, stocked: str) -> None:
    r = client.post("/v1/orders", json=order_json("A-1", ("S1", 2), ("S2", 1)))
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/v1/orders/A-1"
    body = r.json()
    assert body["reference_id"] == "A-1" and body["status"] == "released"
    assert body["holds"] == [] and body["value"] == 100.0 and body["currency"] == "PLN"
    assert [(ln["sku_id"], ln["qty"], ln["qty_reserved"]) for ln in body["lines"]] == [
        ("S1", 2, 2),
        ("S2", 1, 1),
    ]
    assert client.get("/v1/orders/A-1").json() == body
    timeline = client.get("/v1/orders/A-1/timeline").json()
    assert [(e["type"], e["status"]) for e in timeline] == [
        ("order.received", "received"),
        ("order.released", "released"),
    ]
    assert client.get("/v1/orders/NOPE/timeline").status_code == 404


def test_order_without_stock_is_held(client: TestClient, stocked: str) -> None:
    body = client.post("/v1/orders", json=order_json("A-2", ("S3", 1))).json()
    assert body["status"] == "on_hold"
    assert [h["rule"] for h in body["holds"]] == ["stock_shortage"]
    assert body["holds"][0]["released_at"] is None


def test_duplicate_reference_id_is_a_409_problem(client: TestClient, stocked: str) -> None:
    assert client.post("/v1/orders", json=order_json("A-3")).status_code == 201
    for again in (order_json("A-3"), order_json("A-3", ("S2", 1))):  # same, and other content
        r = client.post("/v1/orders", json=again)
        assert r.status_code == 409
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json() == {
            "type": "urn:wms:problem:conflict",
            "title": "Conflict",
            "status": 409,
            "detail": "order 'A-3' already exists (status released): a reference_id is used "
            "once; GET /v1/orders/{reference_id} shows it",
            "instance": "/v1/orders",
        }


def test_unknown_order_is_a_404_problem(client: TestClient, stocked: str) -> None:
    r = client.get("/v1/orders/NOPE-1")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json() == {
        "type": "urn:wms:problem:not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "order 'NOPE-1' does not exist",
        "instance": "/v1/orders/NOPE-1",
    }
    cancel = {"cancelled_by": "anna", "reason": "customer asked"}
    assert client.post("/v1/orders/NOPE-1/cancel", json=cancel).status_code == 404


def test_invalid_order_is_a_422_problem_with_pointers(client: TestClient, stocked: str) -> None:
    bad = order_json("A-4", ("S1", 0))
    bad["customer"]["nickname"] = "jk"
    r = client.post("/v1/orders", json=bad)
    assert r.status_code == 422
    assert r.json() == {
        "type": "urn:wms:problem:validation-error",
        "title": "Validation failed",
        "status": 422,
        "detail": "the request has 2 invalid values",
        "instance": "/v1/orders",
        "errors": [
            {"pointer": "/customer/nickname", "detail": "Extra inputs are not permitted"},
            {"pointer": "/lines/0/qty", "detail": "Input should be greater than 0"},
        ],
    }
    r = client.post("/v1/orders", json=order_json("A-5", lines=[]))
    assert r.json()["errors"] == [
        {"pointer": "/lines", "detail": "List should have at least 1 item after validation, not 0"}
    ]


def test_times_are_utc_and_out_of_range_times_are_422(client: TestClient, stocked: str) -> None:
    r = client.post("/v1/orders", json=order_json("T-1", cutoff="2026-11-23T18:00:00+01:00"))
    assert r.status_code == 201 and r.json()["cutoff"] == "2026-11-23T17:00:00Z"
    r = client.post("/v1/orders", json=order_json("T-2", created_at="9999-12-31T23:59:59-23:59"))
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "pointer": "/created_at",
            "detail": "Value error, 9999-12-31T23:59:59-23:59 is outside the range of UTC times",
        }
    ]


def test_batch_import_reports_every_order(client: TestClient, stocked: str) -> None:
    client.post("/v1/orders", json=order_json("B-0"))
    batch = [
        order_json("B-1", ("S5", 1)),
        order_json("B-2", ("S3", 1)),
        order_json("B-0"),  # stored already, same content
        order_json("B-3", ("S2", 9)),  # more than in stock
    ]
    r = client.post("/v1/orders/batch", json={"orders": batch})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {k: body[k] for k in ("imported", "released", "held", "skipped", "conflicts")} == {
        "imported": 3,
        "released": 1,
        "held": 2,
        "skipped": 1,
        "conflicts": 0,
    }
    assert [(x["reference_id"], x["outcome"], x["status"]) for x in body["results"]] == [
        ("B-1", "imported", "released"),
        ("B-2", "imported", "on_hold"),
        ("B-0", "skipped", "released"),
        ("B-3", "imported", "on_hold"),
    ]
    replay = client.post("/v1/orders/batch", json={"orders": batch}).json()
    assert replay["skipped"] == 4 and replay["imported"] == 0


def test_batch_with_a_reference_twice_is_a_422_problem(client: TestClient, stocked: str) -> None:
    r = client.post("/v1/orders/batch", json={"orders": [order_json("D-1"), order_json("D-1")]})
    assert r.status_code == 422
    problem = r.json()
    assert problem["type"] == "urn:wms:problem:invalid-orders"
    assert "duplicate reference_id 'D-1'" in problem["detail"]
    assert client.get("/v1/orders/D-1").status_code == 404  # nothing stored


def test_list_filters_and_cursor_pagination(client: TestClient, stocked: str) -> None:
    refs = [f"L-{k}" for k in (5, 3, 7, 1, 6, 2, 4)]
    for ref in refs:
        sku = "S3" if ref in ("L-3", "L-6") else "S5"
        client.post("/v1/orders", json=order_json(ref, (sku, 1), channel="allegro"))
    client.post("/v1/orders", json=order_json("M-1", ("S5", 1)))
    seen: list[str] = []
    pages = 0
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, "channel": "allegro"}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/v1/orders", params=params).json()
        pages += 1
        seen += [o["reference_id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and seen == sorted(refs)
    held = client.get("/v1/orders", params={"status": "on_hold"}).json()
    assert [o["reference_id"] for o in held["items"]] == ["L-3", "L-6"]
    assert held["next_cursor"] is None
    customer = client.get("/v1/orders/L-1").json()["customer_id"]
    mine = client.get("/v1/orders", params={"customer_id": customer}).json()["items"]
    assert [o["reference_id"] for o in mine] == ["L-1"]
    r = client.get("/v1/orders", params={"status": "lost"})
    assert r.status_code == 422 and r.json()["type"] == "urn:wms:problem:validation-error"
    r = client.get("/v1/orders", params={"cursor": "not-a-cursor"})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"parameter": "cursor", "detail": "not a cursor issued by this API"}
    ]


def test_cancel_releases_the_stock_and_cannot_repeat(client: TestClient, stocked: str) -> None:
    client.post("/v1/orders", json=order_json("C-1", ("S4", 2)))
    assert client.get("/v1/stock/skus/S4").json()["reserved"] == 2
    cancel = {"cancelled_by": "anna", "reason": "customer asked"}
    r = client.post("/v1/orders/C-1/cancel", json=cancel)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert client.get("/v1/stock/skus/S4").json()["reserved"] == 0
    r = client.post("/v1/orders/C-1/cancel", json=cancel)
    assert r.status_code == 409
    assert r.json() == {
        "type": "urn:wms:problem:order-flow-conflict",
        "title": "Order operation not allowed",
        "status": 409,
        "detail": "order 'C-1' cannot be cancelled (status cancelled): only orders not yet picked "
        "can; put picked units back or handle it as a return",
        "instance": "/v1/orders/C-1/cancel",
    }


def test_idempotency_key_replays_and_refuses_another_body(client: TestClient, stocked: str) -> None:
    headers = {"Idempotency-Key": "create-I-1"}
    first = client.post("/v1/orders", json=order_json("I-1"), headers=headers)
    again = client.post("/v1/orders", json=order_json("I-1"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    other = client.post("/v1/orders", json=order_json("I-2"), headers=headers)
    assert other.status_code == 422
    assert client.get("/v1/orders/I-2").status_code == 404
    batch_headers = {"Idempotency-Key": "batch-1"}
    body = {"orders": [order_json("I-3")]}
    b1 = client.post("/v1/orders/batch", json=body, headers=batch_headers).json()
    b2 = client.post("/v1/orders/batch", json=body, headers=batch_headers).json()
    assert b1 == b2 and b1["imported"] == 1  # replayed, not "skipped"


@pytest.mark.parametrize("with_key", [True, False], ids=["same-idempotency-key", "no-key"])
def test_concurrent_identical_creates_store_one_order(
    app: FastAPI, api_key: str, stocked: str, with_key: bool
) -> None:
    headers = {"Authorization": f"Bearer {api_key}"}
    if with_key:
        headers["Idempotency-Key"] = "same-order-K-1"
    statuses: list[int] = []
    barrier = threading.Barrier(6)
    with TestClient(app, headers=headers) as tc:

        def create() -> None:
            barrier.wait()
            statuses.append(tc.post("/v1/orders", json=order_json("K-1", ("S5", 1))).status_code)

        threads = [threading.Thread(target=create) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        counts = Counter(statuses)
        assert sum(counts.values()) == 6 and set(counts) <= {201, 409}
        if not with_key:
            assert counts[201] == 1  # the natural key lets exactly one create through
        orders = tc.get("/v1/orders").json()["items"]
        assert [o["reference_id"] for o in orders] == ["K-1"]
        assert tc.get("/v1/stock/skus/S5").json()["reserved"] == 1
        events = tc.get("/v1/events", params={"type": "order.received"}).json()["items"]
        assert len(events) == 1


def test_pack_and_ship_need_the_right_status(client: TestClient, stocked: str) -> None:
    client.post("/v1/orders", json=order_json("P-1"))
    r = client.post("/v1/orders/P-1/pack", json={"packed_by": "ewa"})
    assert r.status_code == 409
    assert r.json()["detail"] == "order 'P-1' is released: only picked orders can be packed"
    r = client.post("/v1/orders/P-1/ship", json={"tracking": "T-1"})
    assert r.status_code == 409


def test_every_resource_route_requires_an_api_key(app: FastAPI, anon_client: TestClient) -> None:
    checked = 0
    for path, item in app.openapi()["paths"].items():
        if not path.startswith(OWN_PREFIXES):
            continue
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        for method in item:
            r = anon_client.request(method.upper(), url, json={})
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.json()["type"] == "urn:wms:problem:unauthorized"
            checked += 1
    assert checked >= 30
