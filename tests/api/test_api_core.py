"""The API core: health, OpenAPI document, problem details for every kind of error, pagination."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from wms.api import create_app
from wms.api.deps import (
    Page,
    PageDep,
    PageParams,
    ReadSessionDep,
    SessionDep,
    decode_cursor,
    encode_cursor,
    paginate,
)
from wms.api.keys import create_api_key
from wms.api.problems import ApiProblem, conflict, not_found, validation_errors
from wms.errors import ConfigError, LayoutError, OrderError, StockError, WmsError
from wms.fulfillment.orders import OrderFlowError
from wms.store.api_models import ApiKey
from wms.store.db import session_scope

PROBLEM = "application/problem+json"


def test_health_needs_no_key(anon_client: TestClient) -> None:
    r = anon_client.get("/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": "0.1.0"}


def test_openapi_document_is_served_without_a_key(anon_client: TestClient) -> None:
    r = anon_client.get("/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    assert "/v1/plans" in doc["paths"]
    assert "/v1/routes" in doc["paths"]
    assert "/v1/health" in doc["paths"]
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_openapi_documents_idempotency_key_on_posts(anon_client: TestClient) -> None:
    doc = anon_client.get("/v1/openapi.json").json()
    posts = [op for item in doc["paths"].values() for m, op in item.items() if m == "post"]
    assert posts
    for op in posts:
        names = [p["name"] for p in op.get("parameters", [])]
        assert names.count("Idempotency-Key") == 1


def test_openapi_snake_case_and_units(anon_client: TestClient) -> None:
    doc = anon_client.get("/v1/openapi.json").json()
    stop = doc["components"]["schemas"]["PlanStopOut"]["properties"]
    assert {
        "x_m",
        "y_m",
        "sequence",
        "location_id",
        "sku_id",
        "quantity",
        "order_id",
        "tote",
    } <= set(stop)
    pick_list = doc["components"]["schemas"]["PlanPickListOut"]["properties"]
    assert {"route_length_m", "weight_kg", "volume_l", "estimated_duration_s"} <= set(pick_list)


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    r = client.get("/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    assert r.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no route /v1/nothing-here",
        "instance": "/v1/nothing-here",
    }


def test_wrong_method_is_a_405_problem(client: TestClient) -> None:
    r = client.delete("/v1/health")
    assert r.status_code == 405
    assert r.headers["content-type"] == PROBLEM
    assert r.json() == {
        "type": "about:blank",
        "title": "Method Not Allowed",
        "status": 405,
        "detail": "method DELETE is not allowed on /v1/health",
        "instance": "/v1/health",
    }


def test_malformed_json_is_a_422_problem(client: TestClient) -> None:
    r = client.post(
        "/v1/plans", content=b'{"orders": [', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == "urn:wms:problem:validation-error"
    assert body["errors"][0]["pointer"].startswith("/")


def _app_with_failing_routes(api_db_url: str) -> FastAPI:
    app = create_app(api_db_url)
    extra = APIRouter()

    @extra.get("/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    @extra.get("/v1/domain/{kind}")
    def domain(kind: str) -> None:
        errors: dict[str, WmsError] = {
            "order": OrderError("order 'A-1' names unknown SKU 'X'"),
            "flow": OrderFlowError("order 'A-1' is shipped: it cannot be cancelled"),
            "stock": StockError("SKU 'S1' at 'L1' has 2 units, 3 asked"),
            "layout": LayoutError("layout 'x' has no point 'p'"),
            "config": ConfigError("unknown batching method 'zzz'"),
        }
        raise errors[kind]

    @extra.post("/v1/dup-key")
    def duplicate_key(session: SessionDep) -> dict[str, str]:
        # Passes in the endpoint; the commit (before the response) hits the unique constraint.
        session.add(ApiKey(name="a", prefix="p", key_hash="same"))
        session.add(ApiKey(name="b", prefix="p", key_hash="same"))
        return {"status": "stored"}

    @extra.get("/v1/missing")
    def missing() -> None:
        raise not_found("order", "A-9")

    @extra.get("/v1/conflict")
    def conflicting() -> None:
        raise conflict("wave 3 is already released")

    app.include_router(extra)
    return app


def test_unexpected_error_is_a_500_problem_without_trace(
    api_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app_with_failing_routes(api_db_url)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/v1/boom")
    app.state.engine.dispose()
    assert r.status_code == 500
    assert r.headers["content-type"] == PROBLEM
    assert r.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "the server failed to process the request; the error was logged",
        "instance": "/v1/boom",
    }
    assert "secret" not in r.text and "Traceback" not in r.text
    assert any("unhandled error" in rec.message for rec in caplog.records)


@pytest.mark.parametrize(
    ("kind", "status", "slug", "title"),
    [
        ("order", 422, "invalid-orders", "Invalid orders"),
        ("flow", 409, "order-flow-conflict", "Order operation not allowed"),
        ("stock", 409, "stock-conflict", "Stock rule violated"),
        ("layout", 422, "invalid-layout", "Invalid layout"),
        ("config", 422, "invalid-config", "Invalid planning configuration"),
    ],
)
def test_domain_errors_map_to_problems(
    api_db_url: str, kind: str, status: int, slug: str, title: str
) -> None:
    app = _app_with_failing_routes(api_db_url)
    with TestClient(app) as c:
        r = c.get(f"/v1/domain/{kind}")
    app.state.engine.dispose()
    assert r.status_code == status
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == f"urn:wms:problem:{slug}"
    assert body["title"] == title
    assert body["status"] == status
    assert body["instance"] == f"/v1/domain/{kind}"
    assert "'" in body["detail"]  # the message names the value


def test_not_found_and_conflict_helpers(api_db_url: str) -> None:
    app = _app_with_failing_routes(api_db_url)
    with TestClient(app) as c:
        missing = c.get("/v1/missing")
        clash = c.get("/v1/conflict")
    app.state.engine.dispose()
    assert missing.status_code == 404
    assert missing.json() == {
        "type": "urn:wms:problem:not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "order 'A-9' does not exist",
        "instance": "/v1/missing",
    }
    assert clash.status_code == 409
    assert clash.json() == {
        "type": "urn:wms:problem:conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "wave 3 is already released",
        "instance": "/v1/conflict",
    }


def test_failed_commit_is_a_409_not_a_success(api_db_url: str) -> None:
    app = _app_with_failing_routes(api_db_url)
    with TestClient(app) as c:
        r = c.post("/v1/dup-key")
    app.state.engine.dispose()
    assert r.status_code == 409
    assert r.json() == {
        "type": "urn:wms:problem:conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "the request conflicts with stored data (a unique or reference constraint): "
        "read the resource again and retry",
        "instance": "/v1/dup-key",
    }
    with session_scope(api_db_url, readonly=True) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0


def test_validation_errors_become_json_pointers() -> None:
    raw = [
        {"loc": ("body", "orders", 0, "lines", 1, "qty"), "msg": "must be > 0"},
        {"loc": ("body", "a/b~c"), "msg": "bad"},
        {"loc": ("query", "limit"), "msg": "too large"},
    ]
    out = [e.model_dump(exclude_none=True) for e in validation_errors(raw)]
    assert out == [
        {"pointer": "/orders/0/lines/1/qty", "detail": "must be > 0"},
        {"pointer": "/a~1b~0c", "detail": "bad"},
        {"parameter": "limit", "detail": "too large"},
    ]


def test_api_problem_carries_headers() -> None:
    exc = ApiProblem(401, "no", slug="unauthorized", headers={"WWW-Authenticate": "Bearer"})
    assert exc.status == 401 and exc.headers == {"WWW-Authenticate": "Bearer"}


# -- pagination -----------------------------------------------------------------------------------


def test_cursor_round_trip() -> None:
    for key in ("SO-1", 42, "é/€"):
        assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGpzb24", encode_cursor("x")[:-2] + "@@"])
def test_bad_cursor_is_a_422_problem(cursor: str) -> None:
    with pytest.raises(ApiProblem) as info:
        decode_cursor(cursor)
    assert info.value.status == 422
    assert info.value.errors is not None
    assert info.value.errors[0].parameter == "cursor"


def test_paginate_walks_every_row_once_in_key_order(api_db_url: str) -> None:
    with session_scope(api_db_url) as session:
        for i in range(7):
            create_api_key(session, f"key-{i}")
    seen: list[int] = []
    after = None
    pages = 0
    with session_scope(api_db_url, readonly=True) as session:
        while True:
            rows, cursor = paginate(
                session, sa.select(ApiKey), ApiKey.id, PageParams(limit=3, after=after)
            )
            pages += 1
            seen.extend(r.id for r in rows)
            if cursor is None:
                break
            after = decode_cursor(cursor)
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 7
    assert pages == 3


def test_page_query_parameters_are_validated(api_db_url: str, api_key: str) -> None:
    app = create_app(api_db_url)
    extra = APIRouter()

    @extra.get("/v1/keys-page", response_model=Page[int])
    def keys_page(page: PageDep, session: ReadSessionDep) -> Page[int]:
        rows, cursor = paginate(session, sa.select(ApiKey), ApiKey.id, page)
        return Page[int](items=[r.id for r in rows], next_cursor=cursor)

    app.include_router(extra)
    with TestClient(app) as c:
        ok = c.get("/v1/keys-page", params={"limit": 1})
        too_big = c.get("/v1/keys-page", params={"limit": 501})
        bad_cursor = c.get("/v1/keys-page", params={"cursor": "zz"})
    app.state.engine.dispose()
    assert ok.status_code == 200
    assert ok.json() == {"items": [1], "next_cursor": None}
    assert too_big.status_code == 422
    assert too_big.json()["errors"] == [
        {"parameter": "limit", "detail": "Input should be less than or equal to 500"}
    ]
    assert bad_cursor.status_code == 422
    assert bad_cursor.json() == {
        "type": "urn:wms:problem:validation-error",
        "title": "Validation failed",
        "status": 422,
        "detail": "cursor 'zz' is not valid: pass the next_cursor of a previous page",
        "instance": "/v1/keys-page",
        "errors": [{"parameter": "cursor", "detail": "not a cursor issued by this API"}],
    }


def test_openapi_documents_problem_responses(anon_client: TestClient) -> None:
    doc = anon_client.get("/v1/openapi.json").json()
    problem = {"$ref": "#/components/schemas/Problem"}
    assert set(doc["components"]["schemas"]["Problem"]["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "instance",
        "errors",
    }
    for path, item in doc["paths"].items():
        if path == "/v1/health":
            continue
        for method, operation in item.items():
            statuses = {"401", "422"} | ({"409", "413"} if method == "post" else set())
            for status in statuses:
                content = operation["responses"][status]["content"]
                assert content["application/problem+json"]["schema"] == problem, (path, status)
