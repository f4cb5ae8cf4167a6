"""Security: API keys on every route but health and the OpenAPI document, hashing, size limits."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wms.api import create_app
from wms.api.keys import create_api_key, list_api_keys, revoke_api_key, verify_api_key
from wms.cli import app as cli_app
from wms.store.api_models import ApiKey
from wms.store.db import make_engine, session_scope

OPEN_PATHS = {"/v1/health", "/v1/openapi.json", "/v1/docs", "/v1/docs/oauth2-redirect"}

UNAUTHORIZED = {
    "type": "urn:wms:problem:unauthorized",
    "title": "Unauthorized",
    "status": 401,
}


def _api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every operation of the OpenAPI document, path parameters filled in."""
    out = []
    for path, item in app.openapi()["paths"].items():
        if path in OPEN_PATHS:
            continue
        for method in item:
            out.append((method.upper(), re.sub(r"\{[^}]+\}", "x1", path)))
    return out


def test_every_route_but_health_and_openapi_needs_a_key(
    anon_client: TestClient, app: FastAPI
) -> None:
    routes = _api_routes(app)
    assert ("POST", "/v1/plans") in routes and ("POST", "/v1/routes") in routes
    assert ("GET", "/v1/health") not in routes
    for method, path in routes:
        r = anon_client.request(method, path, json={})
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json() == {
            **UNAUTHORIZED,
            "detail": "no API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            "instance": path,
        }


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer wms_00000000_notavalidkey"},
        {"X-API-Key": "wms_00000000_notavalidkey"},
        {"X-API-Key": "not-even-the-format"},
    ],
)
def test_wrong_key_is_refused(anon_client: TestClient, headers: dict[str, str]) -> None:
    r = anon_client.post("/v1/routes", json={}, headers=headers)
    assert r.status_code == 401
    assert r.json() == {
        **UNAUTHORIZED,
        "detail": "the API key is unknown or revoked",
        "instance": "/v1/routes",
    }


def test_both_header_forms_work(anon_client: TestClient, api_key: str) -> None:
    body = {"layout_id": "small-single-block", "pick_lists": [[]]}
    for headers in ({"Authorization": f"Bearer {api_key}"}, {"X-API-Key": api_key}):
        assert anon_client.post("/v1/routes", json=body, headers=headers).status_code == 200


def test_basic_auth_is_not_a_key(anon_client: TestClient, api_key: str) -> None:
    r = anon_client.post("/v1/routes", json={}, headers={"Authorization": f"Basic {api_key}"})
    assert r.status_code == 401


def test_revoked_key_is_refused_at_once(
    anon_client: TestClient, api_db_url: str, api_key: str
) -> None:
    body = {"layout_id": "small-single-block", "pick_lists": [[]]}
    headers = {"X-API-Key": api_key}
    assert anon_client.post("/v1/routes", json=body, headers=headers).status_code == 200
    with session_scope(api_db_url) as session:
        (info,) = list_api_keys(session)
        revoke_api_key(session, info.id)
    r = anon_client.post("/v1/routes", json=body, headers=headers)
    assert r.status_code == 401
    assert r.json()["detail"] == "the API key is unknown or revoked"


def test_keys_are_hashed_at_rest(api_db_url: str) -> None:
    with session_scope(api_db_url) as session:
        info, key = create_api_key(session, "shop")
    assert key.startswith(info.prefix + "_") and len(key) > 40
    engine = make_engine(api_db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(ApiKey.__table__)).mappings().all()
    finally:
        engine.dispose()
    (row,) = rows
    assert key not in {str(v) for v in row.values()}
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    with session_scope(api_db_url, readonly=True) as session:
        found = verify_api_key(session, key)
        assert found is not None and found.id == info.id
        assert verify_api_key(session, key + "x") is None


def test_key_name_is_checked(api_db_url: str) -> None:
    with session_scope(api_db_url) as session, pytest.raises(ValueError, match="1 to 128"):
        create_api_key(session, "   ")


def test_oversized_body_is_a_413_problem(api_db_url: str, api_key: str) -> None:
    app = create_app(api_db_url, max_body_bytes=1_000)
    body = {"layout_id": "small-single-block", "pick_lists": [["A00-B0-P00-L"] * 200]}
    with TestClient(app, headers={"X-API-Key": api_key}) as c:
        r = c.post("/v1/routes", json=body)
        streamed = c.post(
            "/v1/routes",
            content=iter([b'{"layout_id": "small-single-block", ', b" " * 2_000, b"}"]),
            headers={"Content-Type": "application/json"},
        )
        small = c.post("/v1/routes", json={"layout_id": "small-single-block", "pick_lists": [[]]})
    app.state.engine.dispose()
    expected = {
        "type": "urn:wms:problem:payload-too-large",
        "title": "Content Too Large",
        "status": 413,
        "detail": "the request body is larger than 1000 bytes: split it into smaller requests",
        "instance": "/v1/routes",
    }
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json() == expected
    assert streamed.status_code == 413
    assert streamed.json() == expected
    assert small.status_code == 200


def test_oversized_body_with_idempotency_key_is_a_413(api_db_url: str, api_key: str) -> None:
    app = create_app(api_db_url, max_body_bytes=100)
    with TestClient(app, headers={"X-API-Key": api_key}) as c:
        r = c.post(
            "/v1/routes",
            content=iter([b"{" + b" " * 300 + b"}"]),
            headers={"Content-Type": "application/json", "Idempotency-Key": "big-1"},
        )
    app.state.engine.dispose()
    assert r.status_code == 413


def test_max_body_bytes_must_be_positive(api_db_url: str) -> None:
    with pytest.raises(ValueError, match="max_body_bytes"):
        create_app(api_db_url, max_body_bytes=0)


# -- CLI ------------------------------------------------------------------------------------------


def test_cli_create_list_revoke(api_db_url: str) -> None:
    runner = CliRunner()
    created = runner.invoke(cli_app, ["apikey", "create", "shop one", "--url", api_db_url])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[0]
    assert key.startswith("wms_")
    with session_scope(api_db_url, readonly=True) as session:
        assert verify_api_key(session, key) is not None

    listed = runner.invoke(cli_app, ["apikey", "list", "--db", api_db_url, "-f", "json"])
    assert listed.exit_code == 0
    assert '"name": "shop one"' in listed.stdout
    assert key not in listed.stdout

    revoked = runner.invoke(cli_app, ["apikey", "revoke", "1", "--url", api_db_url])
    assert revoked.exit_code == 0
    assert revoked.stdout.startswith("revoked API key 1")
    with session_scope(api_db_url, readonly=True) as session:
        assert verify_api_key(session, key) is None

    table = runner.invoke(cli_app, ["apikey", "list", "--url", api_db_url])
    assert "revoked" in table.stdout

    missing = runner.invoke(cli_app, ["apikey", "revoke", "99", "--url", api_db_url])
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "error: API key 99 does not exist: see `wms apikey list`"


NUL_DETAIL = "Value error, contains a NUL character (\\u0000), which cannot be stored: remove it"


def test_a_nul_character_in_a_body_is_a_422_naming_the_field(client: TestClient) -> None:
    """PostgreSQL cannot store NUL: refused by the request model, never a 500 (found by fuzzing)."""
    order = {
        "reference_id": "NUL-1",
        "lines": [{"sku_id": "S1", "qty": 1}, {"sku_id": "S\x002", "qty": 1}],
    }
    r = client.post("/v1/orders/batch", json={"orders": [order]})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"] == [{"pointer": "/orders/0/lines/1/sku_id", "detail": NUL_DETAIL}]
    r = client.post("/v1/routes", json={"layout_id": "x", "pick_lists": [["A1", "B\x00"]]})
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/pick_lists"
    assert client.get("/v1/orders").json()["items"] == []  # nothing stored


def test_a_nul_character_in_a_path_or_query_is_a_422(client: TestClient) -> None:
    r = client.get("/v1/orders/A%00B")
    assert r.status_code == 422
    assert r.json() == {
        "type": "urn:wms:problem:validation-error",
        "title": "Validation failed",
        "status": 422,
        "detail": "the request has 1 invalid value",
        "instance": "/v1/orders/A\x00B",
        "errors": [
            {"parameter": "reference_id", "detail": NUL_DETAIL.removeprefix("Value error, ")}
        ],
    }
    r = client.get("/v1/orders", params={"status": "re\x00ceived"})
    assert r.status_code == 422 and r.json()["errors"][0]["parameter"] == "status"
