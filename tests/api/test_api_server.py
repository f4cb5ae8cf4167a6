"""The API behind a real uvicorn server on the loopback interface, called with httpx.

One server runs in a thread of the test process (on a socket bound to 127.0.0.1, port chosen by
the OS); one more test starts ``wms serve`` as a subprocess, the way an operator would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from wms.api.keys import create_api_key
from wms.store.db import session_scope

ROOT = Path(__file__).resolve().parents[2]


def _loopback_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
def server_url(app: FastAPI) -> Iterator[str]:
    """Base URL of a uvicorn server running :func:`app` in a thread; stopped after the test."""
    sock = _loopback_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 10 s")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert not thread.is_alive()


def test_health_and_auth_over_http(server_url: str, api_key: str) -> None:
    with httpx.Client(base_url=server_url, timeout=10) as http:
        health = http.get("/v1/health")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "version": "0.1.0"}
        assert http.get("/v1/openapi.json").json()["info"]["title"] == "wms pick-list API"
        anon = http.post("/v1/routes", json={})
        assert anon.status_code == 401
        assert anon.headers["content-type"] == "application/problem+json"
        assert anon.headers["www-authenticate"] == "Bearer"


def test_plan_and_idempotent_replay_over_http(server_url: str, api_key: str) -> None:
    body = {
        "orders": [{"order_id": "A-1", "lines": [{"sku_id": "S1", "qty": 2}]}],
        "skus": [{"sku_id": "S1", "weight_kg": 1, "volume_l": 1, "locations": ["A00-B0-P03-R"]}],
        "layout_id": "small-single-block",
    }
    headers = {"Authorization": f"Bearer {api_key}", "Idempotency-Key": "plan-1"}
    with httpx.Client(base_url=server_url, timeout=30) as http:
        first = http.post("/v1/plans", json=body, headers=headers)
        again = http.post("/v1/plans", json=body, headers=headers)
        other = http.post(
            "/v1/plans", json={**body, "now": None, "layout_id": "henn-10x45"}, headers=headers
        )
    assert first.status_code == 200, first.text
    stops = first.json()["waves"][0]["pick_lists"][0]["stops"]
    assert stops[0]["location_id"] == "A00-B0-P03-R" and stops[0]["quantity"] == 2
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422
    assert other.json()["type"] == "urn:wms:problem:idempotency-key-reused"


def test_oversized_body_over_http(server_url: str, api_key: str) -> None:
    with httpx.Client(base_url=server_url, timeout=10) as http:
        r = http.post(
            "/v1/plans",
            content=b"{" + b" " * 5_000_001 + b"}",
            headers={"X-API-Key": api_key, "Content-Type": "application/json"},
        )
    assert r.status_code == 413
    assert r.json()["type"] == "urn:wms:problem:payload-too-large"


def test_wms_serve_listens_on_loopback(tmp_path: Path) -> None:
    """``wms serve`` migrates the database, serves on 127.0.0.1 and answers with a key."""
    url = f"sqlite:///{tmp_path / 'served.db'}"
    sock = _loopback_socket()
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("WMS_DATABASE_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wms.cli",
            "serve",
            "--port",
            str(port),
            "--db",
            url,
            "--log-level",
            "warning",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            while True:
                try:
                    if http.get("/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    _, err = proc.communicate(timeout=5)
                    raise AssertionError(f"wms serve did not come up: {err.decode()[-2000:]}")
                time.sleep(0.1)
            with session_scope(url) as session:
                _, key = create_api_key(session, "ops")
            r = http.post(
                "/v1/routes",
                json={"layout_id": "small-single-block", "pick_lists": [["A00-B0-P03-R"]]},
                headers={"X-API-Key": key},
            )
            assert r.status_code == 200
            assert r.json()["routes"][0]["length_m"] > 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
