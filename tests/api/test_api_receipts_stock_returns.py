"""``/v1/receipts``, ``/v1/stock``, ``/v1/returns``: a delivery from ASN to storage, stock levels,
and a return from authorisation to disposition.

Warehouse: ``tests/fulfillment/order_fixtures.stock_warehouse`` (layout ``small-single-block``,
dock ``DOCK``; S1: 5 units at A02-B0-P05-L and 3 at A05-B0-P15-R, S2: 5 at A04-B0-P10-R, S3:
none, S4: 2, S5: 10 at A01-B0-P02-L).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fulfillment.order_fixtures import stock_warehouse


@pytest.fixture
def stocked(api_db_url: str) -> str:
    """The API database with the small stocked test warehouse."""
    stock_warehouse(api_db_url)
    return api_db_url


ASN = {
    "receipt_id": "ASN-1",
    "supplier": "ACME",
    "lines": [{"sku_id": "S1", "qty_expected": 10}, {"sku_id": "S2", "qty_expected": 5}],
}


# -- receipts -------------------------------------------------------------------------------------


def test_receipt_from_asn_to_storage(client: TestClient, stocked: str) -> None:
    r = client.post("/v1/receipts", json=ASN)
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/v1/receipts/ASN-1"
    receipt = r.json()
    assert receipt["status"] == "expected" and receipt["supplier"] == "ACME"
    assert [(ln["line_no"], ln["sku_id"], ln["qty_expected"]) for ln in receipt["lines"]] == [
        (1, "S1", 10),
        (2, "S2", 5),
    ]
    assert client.get("/v1/receipts/ASN-1").json() == receipt
    counts = {
        "counts": [
            {"sku_id": "S1", "qty_received": 10, "qty_damaged": 2},
            {"sku_id": "S2", "qty_received": 3},
        ],
        "received_by": "marek",
    }
    r = client.post("/v1/receipts/ASN-1/receive", json=counts)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "receipt_id": "ASN-1",
        "units_to_dock": 11,
        "units_to_quarantine": 2,
        "discrepancies": [
            {
                "line_no": 1,
                "sku_id": "S1",
                "qty_expected": 10,
                "qty_received": 10,
                "qty_damaged": 2,
                "kinds": ["damaged"],
            },
            {
                "line_no": 2,
                "sku_id": "S2",
                "qty_expected": 5,
                "qty_received": 3,
                "qty_damaged": 0,
                "kinds": ["short"],
            },
        ],
    }
    r = client.post("/v1/receipts/ASN-1/receive", json=counts)
    assert r.status_code == 409
    assert r.json()["detail"] == "receipt 'ASN-1' is already received: a delivery is counted once"
    dock = client.get("/v1/stock/locations/DOCK").json()
    assert dock["kind"] == "receiving" and dock["on_hand"] == 11
    suggestions = client.get("/v1/receipts/ASN-1/putaway-suggestions").json()
    assert sum(s["qty"] for s in suggestions) == 11
    assert {s["from_location_id"] for s in suggestions} == {"DOCK"}
    r = client.post("/v1/receipts/ASN-1/putaway", json={"put_away_by": "marek"})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["moved_units"] == 11 and done["receipt"]["status"] == "closed"
    assert client.get("/v1/stock/locations/DOCK").json()["on_hand"] == 0
    assert client.get("/v1/stock/skus/S1").json()["on_hand"] == 5 + 3 + 8
    types = [
        e["type"] for e in client.get("/v1/events", params={"entity_id": "ASN-1"}).json()["items"]
    ]
    assert types == ["receipt.announced", "receipt.received", "receipt.put_away"]
    assert [x["receipt_id"] for x in client.get("/v1/receipts").json()["items"]] == ["ASN-1"]
    closed = client.get("/v1/receipts", params={"status": "expected"}).json()["items"]
    assert closed == []


def test_putaway_of_chosen_moves(client: TestClient, stocked: str) -> None:
    client.post("/v1/receipts", json={**ASN, "receipt_id": "ASN-2"})
    r = client.post("/v1/receipts/ASN-2/putaway", json={})
    assert r.status_code == 409  # not counted yet
    client.post(
        "/v1/receipts/ASN-2/receive",
        json={
            "counts": [{"sku_id": "S1", "qty_received": 10}, {"sku_id": "S2", "qty_received": 5}]
        },
    )
    moves = {"moves": [{"sku_id": "S1", "to_location_id": "A02-B0-P05-L", "qty": 4}]}
    done = client.post("/v1/receipts/ASN-2/putaway", json=moves).json()
    assert done["moved_units"] == 4 and done["receipt"]["status"] == "received"
    assert done["receipt"]["lines"][0]["qty_put_away"] == 4
    too_many = {"moves": [{"sku_id": "S1", "to_location_id": "A02-B0-P05-L", "qty": 40}]}
    r = client.post("/v1/receipts/ASN-2/putaway", json=too_many)
    assert r.status_code == 409 and r.json()["type"] == "urn:wms:problem:stock-conflict"


def test_receipt_errors_are_problems(client: TestClient, stocked: str) -> None:
    client.post("/v1/receipts", json=ASN)
    r = client.post("/v1/receipts", json=ASN)
    assert r.status_code == 409
    assert r.json() == {
        "type": "urn:wms:problem:conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "receipt 'ASN-1' already exists: use a new ASN id for a new delivery",
        "instance": "/v1/receipts",
    }
    unknown = {"receipt_id": "ASN-3", "lines": [{"sku_id": "NEW-1", "qty_expected": 1}]}
    r = client.post("/v1/receipts", json=unknown)
    assert r.status_code == 422 and r.json()["type"] == "urn:wms:problem:receiving-error"
    assert "unknown SKU 'NEW-1'" in r.json()["detail"]
    r = client.post("/v1/receipts", json={**unknown, "create_missing_skus": True})
    assert r.status_code == 201
    twice = {
        "receipt_id": "ASN-4",
        "lines": [
            {"sku_id": "S1", "qty_expected": 1, "line_no": 2},
            {"sku_id": "S2", "qty_expected": 1},
        ],
    }
    r = client.post("/v1/receipts", json=twice)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"pointer": "/lines/1/line_no", "detail": "duplicate line_no"}]
    r = client.post(
        "/v1/receipts/ASN-1/receive", json={"counts": [{"sku_id": "S1", "qty_received": -1}]}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["pointer"] == "/counts/0/qty_received"
    r = client.get("/v1/receipts/ASN-9")
    assert r.status_code == 404 and r.json()["detail"] == "receipt 'ASN-9' does not exist"
    assert client.get("/v1/receipts/ASN-9/putaway-suggestions").status_code == 404


# -- stock ----------------------------------------------------------------------------------------


def test_stock_by_sku_and_location(client: TestClient, stocked: str) -> None:
    s1 = client.get("/v1/stock/skus/S1").json()
    assert s1 == {
        "sku_id": "S1",
        "on_hand": 8,
        "reserved": 0,
        "available": 8,
        "locations": 2,
        "levels": [
            {
                "sku_id": "S1",
                "location_id": "A02-B0-P05-L",
                "on_hand": 5,
                "reserved": 0,
                "available": 5,
            },
            {
                "sku_id": "S1",
                "location_id": "A05-B0-P15-R",
                "on_hand": 3,
                "reserved": 0,
                "available": 3,
            },
        ],
    }
    s3 = client.get("/v1/stock/skus/S3").json()
    assert (s3["on_hand"], s3["locations"], s3["levels"]) == (0, 0, [])
    loc = client.get("/v1/stock/locations/A01-B0-P02-L").json()
    assert loc["kind"] == "storage" and loc["on_hand"] == 10
    assert [(lv["sku_id"], lv["on_hand"]) for lv in loc["levels"]] == [("S5", 10)]
    pages = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/stock/skus", params=params).json()
        pages.append([x["sku_id"] for x in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [["S1", "S2"], ["S3", "S4"], ["S5"]]
    r = client.get("/v1/stock/skus/NOPE")
    assert r.status_code == 404 and r.json()["detail"] == "SKU 'NOPE' does not exist"
    r = client.get("/v1/stock/locations/Z-9")
    assert r.status_code == 404 and r.json()["detail"] == "location 'Z-9' does not exist"


def test_stock_adjustment(client: TestClient, stocked: str) -> None:
    body = {"sku_id": "S5", "location_id": "A01-B0-P02-L", "delta_qty": -3, "reason": "cycle count"}
    r = client.post("/v1/stock/adjustments", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["level"] == {
        "sku_id": "S5",
        "location_id": "A01-B0-P02-L",
        "on_hand": 7,
        "reserved": 0,
        "available": 7,
    }
    r = client.post("/v1/stock/adjustments", json={**body, "delta_qty": -30})
    assert r.status_code == 409 and r.json()["type"] == "urn:wms:problem:stock-conflict"
    (event,) = client.get("/v1/events", params={"type": "stock.adjusted"}).json()["items"]
    assert event["payload"]["delta_qty"] == -3
    r = client.post("/v1/stock/adjustments", json={**body, "sku_id": "NOPE"})
    assert r.status_code == 404


# -- returns --------------------------------------------------------------------------------------


def shipped_order(client: TestClient, ref: str) -> None:
    """Import, wave, pick, pack and ship an order of 2 x S5 through the API."""
    order = {
        "reference_id": ref,
        "customer": {"name": "Jan Kowalski", "email": "jan@example.com"},
        "address": {
            "street": "Polna 1",
            "city": "Poznan",
            "postal_code": "60-001",
            "country": "PL",
        },
        "payment_method": "card",
        "payment_status": "paid",
        "carrier": "DPD",
        "value": "50.00",
        "currency": "PLN",
        "lines": [{"sku_id": "S5", "qty": 2}],
    }
    created = client.post("/v1/orders", json=order).json()
    assert created["status"] == "released", created["holds"]
    wave = client.post("/v1/waves", json={"layout_id": "small-single-block"}).json()
    for pl_id in wave["pick_list_ids"]:
        for task in client.get(f"/v1/picklists/{pl_id}").json()["tasks"]:
            url = f"/v1/picklists/{pl_id}/tasks/{task['id']}/confirm"
            client.post(url, json={"qty_picked": task["qty"]})
    client.post(f"/v1/orders/{ref}/pack", json={})
    assert client.post(f"/v1/orders/{ref}/ship", json={}).json()["status"] == "shipped"


def test_return_from_authorisation_to_restock(client: TestClient, stocked: str) -> None:
    shipped_order(client, "RT-1")
    rma = {
        "rma_id": "RMA-1",
        "order_id": "RT-1",
        "complaint": True,
        "lines": [{"sku_id": "S5", "qty": 2, "reason": "unwanted"}],
    }
    r = client.post("/v1/returns", json=rma)
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/v1/returns/RMA-1"
    body = r.json()
    assert (body["status"], body["complaint_status"], body["order_id"]) == (
        "authorised",
        "open",
        "RT-1",
    )
    r = client.post(
        "/v1/returns/RMA-1/inspect", json={"lines": [{"line_no": 1, "condition": "new"}]}
    )
    assert r.status_code == 409  # not received yet
    assert r.json()["detail"] == "return 'RMA-1' is authorised: receive it before inspecting"
    body = client.post("/v1/returns/RMA-1/receive", json={"received_by": "ola"}).json()
    assert body["status"] == "received" and body["lines"][0]["qty_received"] == 2
    assert client.post("/v1/returns/RMA-1/receive", json={}).status_code == 409
    body = client.post(
        "/v1/returns/RMA-1/inspect", json={"lines": [{"line_no": 1, "condition": "new"}]}
    ).json()
    assert body["status"] == "inspected"
    body = client.post(
        "/v1/returns/RMA-1/dispose",
        json={"line_no": 1, "disposition": "restock", "location_id": "A01-B0-P02-L"},
    ).json()
    assert body["status"] == "completed"
    assert body["lines"][0]["disposition"] == "restock"
    assert [h["type"] for h in body["history"]] == [
        "return.authorised",
        "return.received",
        "return.inspected",
        "return.disposed",
        "return.completed",
    ]
    assert client.get("/v1/returns/RMA-1").json() == body
    assert client.get("/v1/orders/RT-1").json()["status"] == "returned"
    assert client.get("/v1/stock/skus/S5").json()["on_hand"] == 10
    r = client.post("/v1/returns/RMA-1/dispose", json={"line_no": 1, "disposition": "scrap"})
    assert r.status_code == 409


def test_return_errors_are_problems(client: TestClient, stocked: str) -> None:
    shipped_order(client, "RT-2")
    rma = {"rma_id": "RMA-2", "order_id": "RT-2", "lines": [{"sku_id": "S5", "qty": 3}]}
    r = client.post("/v1/returns", json=rma)
    assert r.status_code == 422 and r.json()["type"] == "urn:wms:problem:returns-error"
    assert "exceed the 2 that order 'RT-2' shipped" in r.json()["detail"]
    rma["lines"] = [{"sku_id": "S5", "qty": 1}]
    assert client.post("/v1/returns", json=rma).status_code == 201
    r = client.post("/v1/returns", json=rma)
    assert r.status_code == 409
    assert r.json()["detail"] == "return 'RMA-2' already exists: use a new RMA number"
    r = client.post("/v1/returns/RMA-2/dispose", json={"line_no": 1, "disposition": "burn"})
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/disposition"
    r = client.get("/v1/returns/RMA-404")
    assert r.status_code == 404 and r.json()["detail"] == "return 'RMA-404' does not exist"
    assert client.post("/v1/returns/RMA-2/receive", json={}).status_code == 200
    client.post(
        "/v1/returns/RMA-2/inspect", json={"lines": [{"line_no": 1, "condition": "damaged"}]}
    ).json()
    r = client.post(
        "/v1/returns/RMA-2/dispose",
        json={"line_no": 1, "disposition": "restock", "location_id": "A01-B0-P02-L"},
    )
    assert r.status_code == 422
    assert "a damaged item cannot go back to stock" in r.json()["detail"]
    r = client.post("/v1/returns/RMA-2/dispose", json={"line_no": 1, "disposition": "quarantine"})
    assert r.status_code == 200 and r.json()["status"] == "completed"
