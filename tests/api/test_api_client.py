"""The typed Python client (:mod:`wms.client`): a whole day through it, pages, errors, retries.

The client talks to the app through FastAPI's TestClient (``http_client=``), or to an
:class:`httpx.MockTransport` for the network-failure cases. Warehouse:
``tests/fulfillment/order_fixtures.stock_warehouse`` on ``small-single-block``.
"""

from __future__ import annotations

import json
import random
import socket
import string
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.fulfillment.order_fixtures import stock_warehouse
from wms.api.schemas.orders import OrderIn
from wms.client import WmsApiError, WmsClient


@pytest.fixture
def wms(app: FastAPI, api_key: str, api_db_url: str) -> Iterator[WmsClient]:
    """A client of the API on the stocked test warehouse."""
    stock_warehouse(api_db_url)
    with TestClient(app) as http, WmsClient("http://testserver", api_key, http_client=http) as c:
        yield c


def order(ref: str, *lines: tuple[str, int], **changes: Any) -> dict[str, Any]:
    """A paid domestic order; buyer and street are random words seeded by ``ref``."""
    rng = random.Random(ref)

    def word() -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(8)).capitalize()

    body: dict[str, Any] = {
        "reference_id": ref,
        "channel": "shop",
        "customer": {"name": f"{word()} {word()}", "email": f"{word().lower()}@example.com"},
        "address": {
            "street": f"{word()} 7",
            "city": word(),
            "postal_code": "60-001",
            "country": "PL",
        },
        "payment_method": "card",
        "payment_status": "paid",
        "carrier": "DPD",
        "value": "80.00",
        "currency": "PLN",
        "lines": [{"sku_id": s, "qty": q} for s, q in lines],
    }
    body.update(changes)
    return body


def test_a_whole_flow_through_the_client(wms: WmsClient) -> None:
    # import: one order passes, one waits for payment
    first = wms.import_order(OrderIn.model_validate(order("F-1", ("S1", 2), ("S5", 1))))
    assert first.status == "released"
    second = wms.import_order(order("F-2", ("S2", 1), payment_status="pending"))
    assert second.status == "on_hold"
    (hold,) = wms.list_holds(order_id="F-2")
    assert hold.rule == "payment_not_confirmed"
    # a consultant releases the hold
    released = wms.release_hold(hold.id, by="anna", reason="payment arrived")
    assert released.order_status == "released" and released.open_holds == 0
    # plan a wave and pick everything
    wave = wms.create_wave("small-single-block", by="planner")
    assert sorted(wave.order_ids) == ["F-1", "F-2"]
    assert wms.release_wave(wave.wave_ids[0]).status == "released"
    for pick_list_id in wave.pick_list_ids:
        pick_list = wms.get_pick_list(pick_list_id)
        assert [t.seq for t in pick_list.tasks] == sorted(t.seq for t in pick_list.tasks)
        for task in pick_list.tasks:
            wms.confirm_pick(pick_list_id, task.id, task.qty, by="piotr")
    assert {o.status for o in wms.list_orders()} == {"picked"}
    # pack and ship
    wms.pack_order("F-1", by="ewa")
    shipped = wms.ship_order("F-1", tracking="DPD-42", by="ewa")
    assert shipped.status == "shipped"
    # the customer sends one unit back
    rma = wms.create_return(
        {"rma_id": "RMA-F1", "order_id": "F-1", "lines": [{"sku_id": "S1", "qty": 1}]}
    )
    assert rma.status == "authorised"
    wms.receive_return("RMA-F1")
    wms.inspect_return("RMA-F1", {1: "opened"})
    done = wms.dispose_return("RMA-F1", 1, "restock", location_id="A02-B0-P05-L")
    assert done.status == "completed"
    assert wms.get_return("RMA-F1").status == "completed"
    # one of its three units came back: the order stays shipped, its timeline says so
    assert wms.get_order("F-1").status == "shipped"
    timeline = wms.order_timeline("F-1")
    assert [e.status for e in timeline][:2] == ["received", "released"]
    assert (timeline[-1].type, timeline[-1].status) == ("order.partially_returned", "shipped")
    # the timeline of F-1, as events
    types = [e.type for e in wms.list_events(order_id="F-1", page_size=3)]
    assert types[:2] == ["order.received", "order.released"]
    assert "order.shipped" in types and types[-1] == "order.partially_returned"
    # stock after the day: S1 8 - 2 picked + 1 restocked
    assert wms.sku_stock("S1").on_hand == 7
    assert wms.location_stock("A02-B0-P05-L").on_hand >= 1


def test_receiving_and_webhooks_through_the_client(wms: WmsClient) -> None:
    wms.create_receipt({"receipt_id": "ASN-C1", "lines": [{"sku_id": "S3", "qty_expected": 4}]})
    result = wms.receive_receipt("ASN-C1", [{"sku_id": "S3", "qty_received": 4}], by="marek")
    assert result.units_to_dock == 4 and result.discrepancies == []
    suggestions = wms.putaway_suggestions("ASN-C1")
    assert sum(s.qty for s in suggestions) == 4
    put = wms.confirm_putaway("ASN-C1")
    assert put.receipt.status == "closed"
    assert wms.get_receipt("ASN-C1").status == "closed"
    adjusted = wms.adjust_stock("S3", suggestions[0].to_location_id, -1, reason="cycle count")
    assert adjusted.level.on_hand == suggestions[0].qty - 1
    hook = wms.create_webhook("https://erp.example.com/hooks", ["receipt.received"])
    assert hook.secret.startswith("whsec_")
    assert [h.id for h in wms.list_webhooks()] == [hook.id]
    assert list(wms.webhook_deliveries(hook.id)) == []
    wms.delete_webhook(hook.id)
    assert list(wms.list_webhooks()) == []


def test_list_orders_follows_every_page(wms: WmsClient) -> None:
    refs = [f"PG-{k:02d}" for k in range(7)]
    report = wms.import_orders([order(r, ("S5", 1)) for r in refs], batch_size=3)
    assert report.imported == 7 and [x.reference_id for x in report.results] == refs
    assert [o.reference_id for o in wms.list_orders(page_size=2)] == refs
    assert [o.reference_id for o in wms.list_orders(status="on_hold")] == []
    again = wms.import_orders([order(r, ("S5", 1)) for r in refs[:2]])
    assert again.skipped == 2


def test_errors_carry_the_problem_document(wms: WmsClient) -> None:
    with pytest.raises(WmsApiError) as missing:
        wms.get_order("NOPE")
    err = missing.value
    assert err.status == 404 and err.type == "urn:wms:problem:not-found"
    assert err.detail == "order 'NOPE' does not exist"
    assert str(err) == "GET http://testserver/v1/orders/NOPE: 404 order 'NOPE' does not exist"
    wms.import_order(order("ER-1", ("S5", 1)))
    with pytest.raises(WmsApiError) as duplicate:
        wms.import_order(order("ER-1", ("S5", 1)))
    assert duplicate.value.status == 409
    with pytest.raises(WmsApiError) as invalid:
        wms.import_order(order("ER-2", ("S5", 0)))
    assert invalid.value.status == 422
    assert invalid.value.errors == [
        {"pointer": "/lines/0/qty", "detail": "Input should be greater than 0"}
    ]


def test_bad_api_key_is_an_error(app: FastAPI, api_db_url: str) -> None:
    with TestClient(app) as http:
        client = WmsClient("http://testserver", "wms_wrong", http_client=http)
        with pytest.raises(WmsApiError) as unauthorized:
            client.get_order("X")
    assert unauthorized.value.status == 401


def test_network_failures_are_retried_with_the_same_idempotency_key() -> None:
    seen: list[httpx.Request] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) < 3:
            raise httpx.ConnectError("connection reset", request=request)
        wave = {
            "wave_ids": [1],
            "pick_list_ids": [1],
            "order_ids": ["A"],
            "unassigned": [],
            "route_length_m": 12.5,
        }
        return httpx.Response(201, json=wave)

    with WmsClient("http://wms.test", "k", transport=httpx.MockTransport(flaky)) as client:
        wave = client.create_wave("small-single-block")
    assert wave.route_length_m == 12.5 and len(seen) == 3
    keys = {r.headers["idempotency-key"] for r in seen}
    assert len(keys) == 1
    assert {r.headers["authorization"] for r in seen} == {"Bearer k"}
    assert json.loads(seen[0].content) == {"layout_id": "small-single-block", "created_by": None}

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    with (
        WmsClient("http://wms.test", "k", transport=httpx.MockTransport(down), retries=1) as client,
        pytest.raises(httpx.ConnectError),
    ):
        client.get_order("A")


def test_plan_through_the_client(wms: WmsClient) -> None:
    plan = wms.plan(
        {
            "orders": [{"order_id": "P1", "lines": [{"sku_id": "S1", "qty": 1}]}],
            "skus": [
                {"sku_id": "S1", "weight_kg": 0.5, "volume_l": 1.0, "locations": ["A02-B0-P05-L"]}
            ],
            "layout_id": "small-single-block",
        }
    )
    assert plan.model_dump()["waves"]


@pytest.fixture
def server_url(app: FastAPI, api_db_url: str) -> Iterator[str]:
    """A uvicorn server on 127.0.0.1 (port from the OS) serving the stocked warehouse."""
    stock_warehouse(api_db_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_concurrent_creates_over_real_http_store_one_order(server_url: str, api_key: str) -> None:
    def create(idempotency_key: str | None) -> int:
        with WmsClient(server_url, api_key, timeout_s=30) as client:
            try:
                client.import_order(order("HTTP-1", ("S5", 1)), idempotency_key=idempotency_key)
            except WmsApiError as exc:
                return exc.status
            return 201

    with ThreadPoolExecutor(max_workers=4) as pool:
        same_key = list(pool.map(create, ["k-1"] * 4))
        no_key = list(pool.map(create, [None] * 4))
    assert set(same_key) <= {201, 409} and 201 in same_key
    assert no_key == [409] * 4  # the order exists: the natural key refuses every new create
    with WmsClient(server_url, api_key) as client:
        assert [o.reference_id for o in client.list_orders()] == ["HTTP-1"]
        assert client.sku_stock("S5").reserved == 1
