"""Stateless planning over HTTP: ``POST /v1/plans`` and ``POST /v1/routes``.

The instance is ``layouts/small-single-block.yaml`` (320 locations, depot at the front of aisle 0)
with a handful of SKUs and orders, small enough to check by hand; every success response must equal
what the Python API (:func:`wms.planning.plan_picklists`, :func:`wms.routing.route_many`) returns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from wms.api.layouts import layout_by_id
from wms.model import Order, OrderLine, Sku
from wms.planning import plan_picklists
from wms.routing import route_many

LAYOUT_ID = "small-single-block"
LAYOUT_FILE = Path(__file__).resolve().parents[2] / "layouts" / f"{LAYOUT_ID}.yaml"


def _ids() -> tuple[str, ...]:
    return layout_by_id(LAYOUT_ID).locations.ids


def _skus() -> list[dict[str, Any]]:
    ids = _ids()
    return [
        {"sku_id": "S1", "weight_kg": 0.5, "volume_l": 1.0, "locations": [ids[3]]},
        {"sku_id": "S2", "weight_kg": 1.0, "volume_l": 2.0, "locations": [ids[40]]},
        {"sku_id": "S3", "weight_kg": 2.0, "volume_l": 1.5, "locations": [ids[120]]},
        {"sku_id": "S4", "weight_kg": 0.2, "volume_l": 0.3, "locations": [ids[250], ids[251]]},
    ]


def _orders() -> list[dict[str, Any]]:
    return [
        {"order_id": "A-1", "lines": [{"sku_id": "S1", "qty": 2}, {"sku_id": "S3", "qty": 1}]},
        {"order_id": "A-2", "lines": [{"sku_id": "S2", "qty": 1}]},
        {"order_id": "A-3", "lines": [{"sku_id": "S4", "qty": 3}, {"sku_id": "S1", "qty": 1}]},
    ]


def _expected(body: dict[str, Any]) -> dict[str, Any]:
    """What the Python API plans for the same request, as JSON."""
    orders = [
        Order(o["order_id"], tuple(OrderLine(ln["sku_id"], ln["qty"]) for ln in o["lines"]))
        for o in body["orders"]
    ]
    skus = [
        Sku(s["sku_id"], s["weight_kg"], s["volume_l"], locations=tuple(s["locations"]))
        for s in body["skus"]
    ]
    plan = plan_picklists(orders, skus, layout_by_id(LAYOUT_ID), body.get("config"))
    result: dict[str, Any] = json.loads(plan.to_json())
    return result


@pytest.mark.parametrize("strategy", ["batch", "cart"])
def test_plan_equals_the_python_api(client: TestClient, strategy: str) -> None:
    body = {
        "orders": _orders(),
        "skus": _skus(),
        "layout_id": LAYOUT_ID,
        "config": {"strategy": strategy},
    }
    r = client.post("/v1/plans", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got == _expected(body)
    assert got["totals"]["orders"] == 3
    assert got["totals"]["units"] == 8
    stops = [s for w in got["waves"] for p in w["pick_lists"] for s in p["stops"]]
    assert sum(s["quantity"] for s in stops) == 8
    for p in (p for w in got["waves"] for p in w["pick_lists"]):
        assert [s["sequence"] for s in p["stops"]] == list(range(1, len(p["stops"]) + 1))
        if strategy == "cart":
            assert p["totes"] and all(s["tote"] is not None for s in p["stops"])
        else:
            assert all(s["tote"] is None for s in p["stops"])


def test_plan_stops_are_in_walking_order(client: TestClient) -> None:
    body = {"orders": _orders(), "skus": _skus(), "layout_id": LAYOUT_ID}
    got = client.post("/v1/plans", json=body).json()
    for p in (p for w in got["waves"] for p in w["pick_lists"]):
        locations = list(dict.fromkeys(s["location_id"] for s in p["stops"]))
        route = client.post(
            "/v1/routes",
            json={
                "layout_id": LAYOUT_ID,
                "pick_lists": [locations],
                "method": p["routing"],
                "start": p["start"],
                "end": p["end"],
            },
        ).json()
        assert route["routes"][0]["length_m"] == pytest.approx(p["route_length_m"])


def test_plan_with_an_inline_layout(client: TestClient) -> None:
    document = yaml.safe_load(LAYOUT_FILE.read_text(encoding="utf-8"))
    body = {"orders": _orders(), "skus": _skus(), "layout": document}
    r = client.post("/v1/plans", json=body)
    assert r.status_code == 200, r.text
    by_id = client.post("/v1/plans", json={**body, "layout": None, "layout_id": LAYOUT_ID})
    assert r.json()["totals"] == by_id.json()["totals"]


def test_unassigned_orders_are_reported(client: TestClient) -> None:
    orders = [*_orders(), {"order_id": "B-1", "lines": [{"sku_id": "NOPE", "qty": 1}]}]
    body = {
        "orders": orders,
        "skus": _skus(),
        "layout_id": LAYOUT_ID,
        "config": {"invalid_orders": "unassign"},
    }
    r = client.post("/v1/plans", json=body)
    assert r.status_code == 200
    assert r.json()["unassigned"] == [
        {
            "order_id": "B-1",
            "reason": "unknown_sku",
            "message": "order 'B-1', line index 0: unknown SKU 'NOPE' (not in the catalogue of 4 SKUs)",
            "wave_id": "W001",
            "sku_id": "NOPE",
            "quantity": 1,
        }
    ]


def test_unknown_sku_is_refused_by_default(client: TestClient) -> None:
    orders = [{"order_id": "B-1", "lines": [{"sku_id": "NOPE", "qty": 1}]}]
    r = client.post("/v1/plans", json={"orders": orders, "skus": _skus(), "layout_id": LAYOUT_ID})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json() == {
        "type": "urn:wms:problem:invalid-orders",
        "title": "Invalid orders",
        "status": 422,
        "detail": "order 'B-1', line index 0: unknown SKU 'NOPE' (not in the catalogue of 4 SKUs)",
        "instance": "/v1/plans",
    }


def test_validation_errors_point_at_the_field(client: TestClient) -> None:
    orders = _orders()
    orders[0]["lines"][1]["qty"] = 0
    orders[2]["lines"][0].pop("sku_id")
    r = client.post("/v1/plans", json={"orders": orders, "skus": _skus(), "layout_id": LAYOUT_ID})
    assert r.status_code == 422
    assert r.json() == {
        "type": "urn:wms:problem:validation-error",
        "title": "Validation failed",
        "status": 422,
        "detail": "the request has 2 invalid values",
        "instance": "/v1/plans",
        "errors": [
            {"pointer": "/orders/0/lines/1/qty", "detail": "Input should be greater than 0"},
            {"pointer": "/orders/2/lines/0/sku_id", "detail": "Field required"},
        ],
    }


def test_unknown_layout_id(client: TestClient) -> None:
    r = client.post("/v1/plans", json={"orders": _orders(), "skus": _skus(), "layout_id": "moon"})
    assert r.status_code == 422
    body = r.json()
    assert body["type"] == "urn:wms:problem:validation-error"
    assert body["errors"] == [{"pointer": "/layout_id", "detail": "unknown layout id 'moon'"}]
    assert LAYOUT_ID in body["detail"]


@pytest.mark.parametrize("layouts", [{}, {"layout_id": LAYOUT_ID, "layout": {"kind": "graph"}}])
def test_exactly_one_layout(client: TestClient, layouts: dict[str, Any]) -> None:
    r = client.post("/v1/plans", json={"orders": _orders(), "skus": _skus(), **layouts})
    assert r.status_code == 422
    assert r.json() == {
        "type": "urn:wms:problem:validation-error",
        "title": "Validation failed",
        "status": 422,
        "detail": "give exactly one of layout_id (a shipped layout) and layout (an inline document)",
        "instance": "/v1/plans",
        "errors": [
            {"pointer": "/layout_id", "detail": "exactly one of layout_id and layout"},
            {"pointer": "/layout", "detail": "exactly one of layout_id and layout"},
        ],
    }


def test_bad_inline_layout_names_the_field(client: TestClient) -> None:
    r = client.post(
        "/v1/plans",
        json={"orders": _orders(), "skus": _skus(), "layout": {"kind": "rectangular"}},
    )
    assert r.status_code == 422
    body = r.json()
    assert body["type"] == "urn:wms:problem:invalid-layout"
    assert body["detail"].startswith("layout")


def test_bad_config(client: TestClient) -> None:
    body = {"orders": _orders(), "skus": _skus(), "layout_id": LAYOUT_ID}
    r = client.post("/v1/plans", json={**body, "config": {"strategy": "teleport"}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["pointer"] == "/config/strategy"
    r = client.post("/v1/plans", json={**body, "config": {"batching": {"method": "zzz"}}})
    assert r.status_code == 422
    assert r.json()["type"] == "urn:wms:problem:invalid-config"
    assert "zzz" in r.json()["detail"]
    r = client.post("/v1/plans", json={**body, "config": {"batching": {"time_limit_s": 3600}}})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "pointer": "/config/batching/time_limit_s",
            "detail": "time_limit_s 3600.0 is above the API limit of 60.0 s",
        }
    ]


def test_duplicate_sku_and_extra_fields(client: TestClient) -> None:
    skus = [*_skus(), _skus()[0]]
    r = client.post("/v1/plans", json={"orders": _orders(), "skus": skus, "layout_id": LAYOUT_ID})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"pointer": "/skus/4/sku_id", "detail": "SKU 'S1' is listed twice"}
    ]
    r = client.post(
        "/v1/plans",
        json={"orders": _orders(), "skus": _skus(), "layout_id": LAYOUT_ID, "colour": "red"},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"pointer": "/colour", "detail": "Extra inputs are not permitted"}
    ]


def test_duplicate_order_ids(client: TestClient) -> None:
    orders = [_orders()[0], _orders()[0]]
    r = client.post("/v1/plans", json={"orders": orders, "skus": _skus(), "layout_id": LAYOUT_ID})
    assert r.status_code == 422
    assert r.json()["type"] == "urn:wms:problem:invalid-orders"
    assert "A-1" in r.json()["detail"]


# -- routes ---------------------------------------------------------------------------------------


def test_routes_equal_the_python_api(client: TestClient) -> None:
    ids = _ids()
    lists = [[ids[30], ids[3], ids[3]], [], [ids[7], ids[200]]]
    r = client.post("/v1/routes", json={"layout_id": LAYOUT_ID, "pick_lists": lists})
    assert r.status_code == 200, r.text
    got = r.json()
    layout = layout_by_id(LAYOUT_ID)
    index = layout.locations.index
    unique = [list(dict.fromkeys(index(i) for i in row)) for row in lists]
    lengths = route_many(layout, unique, "optimal", "depot", layout.end or "depot")
    assert got["method"] == "optimal"
    assert got["start"] == "depot"
    assert [x["length_m"] for x in got["routes"]] == pytest.approx(list(lengths))
    assert got["total_length_m"] == pytest.approx(float(lengths.sum()))
    first = got["routes"][0]["stops"]
    assert [s["location_id"] for s in first] == [ids[3], ids[30]]  # nearer the depot first
    assert [s["sequence"] for s in first] == [1, 2]
    assert got["routes"][1]["stops"] == []


def test_routes_without_stops_and_with_a_heuristic(client: TestClient) -> None:
    ids = _ids()
    r = client.post(
        "/v1/routes",
        json={
            "layout_id": LAYOUT_ID,
            "pick_lists": [[ids[5], ids[100]]],
            "method": "s_shape",
            "include_stops": False,
        },
    )
    assert r.status_code == 200
    assert r.json()["method"] == "s_shape"
    assert r.json()["routes"][0]["stops"] is None


def test_routes_unknown_location_points_at_it(client: TestClient) -> None:
    ids = _ids()
    r = client.post(
        "/v1/routes", json={"layout_id": LAYOUT_ID, "pick_lists": [[ids[1]], [ids[2], "X-99"]]}
    )
    assert r.status_code == 422
    assert r.json() == {
        "type": "urn:wms:problem:validation-error",
        "title": "Validation failed",
        "status": 422,
        "detail": "1 pick-list entry is invalid",
        "instance": "/v1/routes",
        "errors": [
            {
                "pointer": "/pick_lists/1/1",
                "detail": "location 'X-99' is not in layout 'small-single-block'",
            }
        ],
    }


def test_routes_unknown_method_and_point(client: TestClient) -> None:
    ids = _ids()
    r = client.post(
        "/v1/routes", json={"layout_id": LAYOUT_ID, "pick_lists": [[ids[1]]], "method": "fly"}
    )
    assert r.status_code == 422
    assert r.json()["type"] == "urn:wms:problem:invalid-config"
    assert "'fly'" in r.json()["detail"]
    r = client.post(
        "/v1/routes", json={"layout_id": LAYOUT_ID, "pick_lists": [[ids[1]]], "start": "moon"}
    )
    assert r.status_code == 422
    assert r.json()["type"] == "urn:wms:problem:invalid-layout"
    assert "'moon'" in r.json()["detail"]


def test_routes_need_at_least_one_list(client: TestClient) -> None:
    r = client.post("/v1/routes", json={"layout_id": LAYOUT_ID, "pick_lists": []})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "pointer": "/pick_lists",
            "detail": "List should have at least 1 item after validation, not 0",
        }
    ]


def test_layouts_lists_the_shipped_layouts(client: TestClient) -> None:
    r = client.get("/v1/layouts")
    assert r.status_code == 200
    items = {x["layout_id"]: x for x in r.json()["items"]}
    assert {"small-single-block", "ecommerce-3-block", "graph-mezzanine"} <= set(items)
    assert items["small-single-block"] == {
        "layout_id": "small-single-block",
        "name": "small-single-block",
        "kind": "rectangular",
        "locations": 320,
        "depot": "depot",
        "end": "pack-1",
        "pack_stations": ["pack-1"],
        "sort_zone": None,
    }
    assert items["graph-mezzanine"]["kind"] == "graph"
