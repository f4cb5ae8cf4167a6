"""``/v1/holds``, ``/v1/waves``, ``/v1/picklists``: consultants release holds, planners make waves,
pickers confirm picks (short picks included), then pack and ship.

Warehouse: ``tests/fulfillment/order_fixtures.stock_warehouse`` on the layout
``small-single-block`` (S1: 5 units at A02-B0-P05-L and 3 at A05-B0-P15-R, S2: 5, S3: none,
S4: 2, S5: 10).
"""

from __future__ import annotations

import random
import string
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fulfillment.order_fixtures import stock_warehouse

LAYOUT_ID = "small-single-block"


@pytest.fixture
def stocked(api_db_url: str) -> str:
    """The API database with the small stocked test warehouse."""
    stock_warehouse(api_db_url)
    return api_db_url


def order_json(ref: str, *lines: tuple[str, int], **changes: Any) -> dict[str, Any]:
    """A paid domestic order with a buyer of random words seeded by ``ref``."""
    rng = random.Random(ref)

    def word() -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(8)).capitalize()

    body: dict[str, Any] = {
        "reference_id": ref,
        "channel": "shop",
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
        "value": "100.00",
        "currency": "PLN",
        "lines": [{"sku_id": s, "qty": q} for s, q in lines],
    }
    body.update(changes)
    return body


def create(client: TestClient, ref: str, *lines: tuple[str, int], **changes: Any) -> dict[str, Any]:
    r = client.post("/v1/orders", json=order_json(ref, *lines, **changes))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


RELEASE = {"released_by": "anna", "reason": "checked with the customer"}


# -- holds ----------------------------------------------------------------------------------------


def test_list_holds_with_filters_and_pages(client: TestClient, stocked: str) -> None:
    create(client, "H-1", ("S3", 1))
    create(client, "H-2", ("S5", 1), payment_status="pending")
    create(client, "H-3", ("S3", 2), payment_status="pending")
    everything = client.get("/v1/holds").json()
    assert [(h["order_id"], h["rule"]) for h in everything["items"]] == [
        ("H-1", "stock_shortage"),
        ("H-2", "payment_not_confirmed"),
        ("H-3", "payment_not_confirmed"),
        ("H-3", "stock_shortage"),
    ]
    ids = [h["id"] for h in everything["items"]]
    assert ids == sorted(ids)
    first = client.get("/v1/holds", params={"limit": 3}).json()
    assert [h["id"] for h in first["items"]] == ids[:3] and first["next_cursor"]
    second = client.get("/v1/holds", params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [h["id"] for h in second["items"]] == ids[3:] and second["next_cursor"] is None
    by_rule = client.get("/v1/holds", params={"rule": "stock_shortage"}).json()["items"]
    assert [h["order_id"] for h in by_rule] == ["H-1", "H-3"]
    by_order = client.get("/v1/holds", params={"order_id": "H-3"}).json()["items"]
    assert len(by_order) == 2
    assert client.get(f"/v1/holds/{ids[0]}").json() == everything["items"][0]


def test_release_holds_one_by_one_releases_the_order(client: TestClient, stocked: str) -> None:
    order = create(client, "R-1", ("S5", 2), payment_status="pending", comment="blue not red")
    assert order["status"] == "on_hold"
    holds = {h["rule"]: h["id"] for h in order["holds"]}
    assert set(holds) == {"payment_not_confirmed", "customer_comment"}
    r = client.post(f"/v1/holds/{holds['payment_not_confirmed']}/release", json=RELEASE)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["order_status"], body["open_holds"], body["new_holds"]) == ("on_hold", 1, [])
    assert body["hold"]["released_by"] == "anna"
    assert body["hold"]["release_reason"] == "checked with the customer"
    body = client.post(f"/v1/holds/{holds['customer_comment']}/release", json=RELEASE).json()
    assert (body["order_status"], body["open_holds"]) == ("released", 0)
    assert client.get("/v1/orders/R-1").json()["lines"][0]["qty_reserved"] == 2
    open_holds = client.get("/v1/holds", params={"order_id": "R-1"}).json()["items"]
    assert open_holds == []
    released = client.get(
        "/v1/holds", params={"order_id": "R-1", "include_released": "true"}
    ).json()["items"]
    assert len(released) == 2


def test_release_errors_are_problems(client: TestClient, stocked: str) -> None:
    order = create(client, "R-2", ("S3", 1))
    (hold,) = order["holds"]
    r = client.post(f"/v1/holds/{hold['id']}/release", json=RELEASE)
    assert r.status_code == 409  # S3 is still out of stock
    assert r.json()["type"] == "urn:wms:problem:order-flow-conflict"
    assert "stock is still short" in r.json()["detail"]
    # stock arrives (a count correction), then the hold can go
    adj = {"sku_id": "S3", "location_id": "A03-B0-P03-L", "delta_qty": 4, "reason": "found"}
    assert client.post("/v1/stock/adjustments", json=adj).status_code == 200
    r = client.post(f"/v1/holds/{hold['id']}/release", json=RELEASE)
    assert r.status_code == 200 and r.json()["order_status"] == "released"
    r = client.post(f"/v1/holds/{hold['id']}/release", json=RELEASE)
    assert r.status_code == 409
    assert r.json()["detail"].startswith(f"hold {hold['id']} of order 'R-2' was already released")
    r = client.post("/v1/holds/999/release", json=RELEASE)
    assert r.status_code == 404
    assert r.json() == {
        "type": "urn:wms:problem:not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "hold 999 does not exist",
        "instance": "/v1/holds/999/release",
    }
    r = client.post(f"/v1/holds/{hold['id']}/release", json={"released_by": "anna"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"pointer": "/reason", "detail": "Field required"}]
    r = client.get(f"/v1/holds/{2**64}")  # beyond any 64-bit id: a 422, not a database error
    assert r.status_code == 422 and r.json()["errors"][0]["parameter"] == "hold_id"
    r = client.get("/v1/holds/abc")
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "parameter": "hold_id",
            "detail": "Input should be a valid integer, unable to parse string as an integer",
        }
    ]


# -- waves ----------------------------------------------------------------------------------------


def test_wave_from_released_orders(client: TestClient, stocked: str) -> None:
    create(client, "W-1", ("S1", 2), ("S2", 1))
    create(client, "W-2", ("S5", 1))
    create(client, "W-3", ("S3", 1))  # on hold: not waved
    r = client.post("/v1/waves", json={"layout_id": LAYOUT_ID, "created_by": "planner"})
    assert r.status_code == 201, r.text
    wave = r.json()
    assert sorted(wave["order_ids"]) == ["W-1", "W-2"] and wave["unassigned"] == []
    assert wave["route_length_m"] > 0
    assert client.get("/v1/orders/W-1").json()["status"] == "waved"
    assert client.get("/v1/orders/W-3").json()["status"] == "on_hold"
    (wave_id,) = wave["wave_ids"]
    got = client.get(f"/v1/waves/{wave_id}").json()
    assert got["status"] == "released" and got["pick_list_ids"] == wave["pick_list_ids"]
    assert got["route_length_m"] == pytest.approx(wave["route_length_m"])
    assert client.post(f"/v1/waves/{wave_id}/release").json() == got  # safe to repeat
    assert client.get("/v1/waves").json()["items"] == [got]
    again = client.post("/v1/waves", json={"layout_id": LAYOUT_ID}).json()
    assert again["wave_ids"] == [] and again["order_ids"] == []
    events = client.get("/v1/events", params={"type": "wave.released"}).json()["items"]
    assert [e["entity_id"] for e in events] == [str(wave_id)]


def test_wave_of_listed_orders_and_errors(client: TestClient, stocked: str) -> None:
    create(client, "W-4", ("S5", 1))
    create(client, "W-5", ("S5", 1))
    r = client.post("/v1/waves", json={"layout_id": LAYOUT_ID, "order_ids": ["W-5"]})
    assert r.json()["order_ids"] == ["W-5"]
    assert client.get("/v1/orders/W-4").json()["status"] == "released"
    r = client.post("/v1/waves", json={"layout_id": "moon-base"})
    assert r.status_code == 422
    problem = r.json()
    assert problem["errors"] == [
        {"pointer": "/layout_id", "detail": "unknown layout id 'moon-base'"}
    ]
    assert "small-single-block" in problem["detail"]
    r = client.get("/v1/waves/42")
    assert r.status_code == 404 and r.json()["detail"] == "wave 42 does not exist"
    assert client.post("/v1/waves/42/release").status_code == 404


# -- pick lists -----------------------------------------------------------------------------------


def waved(client: TestClient, *refs_lines: tuple[str, tuple[str, int]]) -> dict[str, Any]:
    for ref, line in refs_lines:
        create(client, ref, line)
    wave: dict[str, Any] = client.post("/v1/waves", json={"layout_id": LAYOUT_ID}).json()
    return wave


def test_pick_list_tasks_in_walking_order_and_full_picks(client: TestClient, stocked: str) -> None:
    wave = waved(client, ("P-1", ("S1", 2)), ("P-2", ("S5", 3)), ("P-3", ("S2", 1)))
    lists = [client.get(f"/v1/picklists/{i}").json() for i in wave["pick_list_ids"]]
    for pl in lists:
        assert [t["seq"] for t in pl["tasks"]] == list(range(1, len(pl["tasks"]) + 1))
        assert pl["status"] == "open" and pl["route_length_m"] > 0
    page = client.get("/v1/picklists", params={"wave_id": wave["wave_ids"][0]}).json()
    assert [p["id"] for p in page["items"]] == wave["pick_list_ids"]
    results = []
    for pl in lists:
        for task in pl["tasks"]:
            r = client.post(
                f"/v1/picklists/{pl['id']}/tasks/{task['id']}/confirm",
                json={"qty_picked": task["qty"], "picked_by": "piotr"},
            )
            assert r.status_code == 200, r.text
            results.append(r.json())
    assert results[-1]["pick_list_completed"] is True
    assert all(r["short_qty"] == 0 for r in results)
    for ref in ("P-1", "P-2", "P-3"):
        assert client.get(f"/v1/orders/{ref}").json()["status"] == "picked"
    done = client.get(f"/v1/picklists/{lists[-1]['id']}").json()
    assert done["status"] == "completed" and done["completed_at"] is not None
    assert {t["status"] for t in done["tasks"]} == {"picked"}
    # pack and ship
    r = client.post("/v1/orders/P-1/pack", json={"packed_by": "ewa"})
    assert r.status_code == 200 and r.json()["status"] == "packed"
    r = client.post("/v1/orders/P-1/ship", json={"tracking": "DPD-1", "shipped_by": "ewa"})
    assert r.status_code == 200
    assert r.json()["status"] == "shipped" and r.json()["shipped_at"] is not None


def test_short_picks_reallocate_or_hold(client: TestClient, stocked: str) -> None:
    wave = waved(client, ("S-1", ("S1", 2)), ("S-2", ("S4", 2)))
    tasks = {
        t["order_id"]: (pl_id, t)
        for pl_id in wave["pick_list_ids"]
        for t in client.get(f"/v1/picklists/{pl_id}").json()["tasks"]
    }
    pl_id, task = tasks["S-1"]
    r = client.post(f"/v1/picklists/{pl_id}/tasks/{task['id']}/confirm", json={"qty_picked": 1})
    assert r.status_code == 200, r.text
    short = r.json()
    assert (short["short_qty"], short["adjusted_qty"], short["hold_id"]) == (1, 1, None)
    (new_task_id,) = short["reallocated_task_ids"]
    new_task = next(
        t for t in client.get(f"/v1/picklists/{pl_id}").json()["tasks"] if t["id"] == new_task_id
    )
    assert new_task["location_id"] != task["location_id"] and new_task["qty"] == 1
    # S4 has no other location: the order goes on hold
    pl_id, task = tasks["S-2"]
    r = client.post(f"/v1/picklists/{pl_id}/tasks/{task['id']}/confirm", json={"qty_picked": 0})
    held = r.json()
    assert held["short_qty"] == 2 and held["hold_id"] is not None
    assert held["reallocated_task_ids"] == []
    hold = client.get(f"/v1/holds/{held['hold_id']}").json()
    assert hold["rule"] == "stock_shortage" and hold["order_id"] == "S-2"


def test_confirm_errors_are_problems(client: TestClient, stocked: str) -> None:
    wave = waved(client, ("E-1", ("S5", 2)))
    (pl_id,) = wave["pick_list_ids"]
    (task,) = client.get(f"/v1/picklists/{pl_id}").json()["tasks"]
    url = f"/v1/picklists/{pl_id}/tasks/{task['id']}/confirm"
    r = client.post(url, json={"qty_picked": 3})
    assert r.status_code == 409
    assert r.json()["detail"].startswith(f"pick task {task['id']}: picked quantity 3 must be")
    r = client.post(url, json={"qty_picked": -1})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"pointer": "/qty_picked", "detail": "Input should be greater than or equal to 0"}
    ]
    assert client.post(url, json={"qty_picked": 2}).status_code == 200
    r = client.post(url, json={"qty_picked": 2})
    assert r.status_code == 409
    assert r.json()["detail"] == f"pick task {task['id']} is already picked"
    r = client.post(f"/v1/picklists/{pl_id}/tasks/999/confirm", json={"qty_picked": 1})
    assert r.status_code == 404
    assert r.json()["detail"] == f"task of pick list {pl_id} 999 does not exist"
    r = client.get("/v1/picklists/999")
    assert r.status_code == 404 and r.json()["detail"] == "pick list 999 does not exist"
