"""The HTTP API under load (group ``api``): a real uvicorn server, load from a second process.

The server is ``wms serve`` (one uvicorn process, SQLite file database, 127.0.0.1) started as a
subprocess; this pytest process is the load generator (httpx clients in threads, keep-alive
connections). Everything runs on the same machine, so the load generator's CPU counts against the
2-core budget: the figures are conservative. Each benchmark is bounded in time and asserts the
issue's targets:

* planning a 1,000-order wave over HTTP (ecommerce-3-block layout, 18,560 locations, 500 SKUs,
  1-4 lines per order, :data:`WAVE_CONFIG`): p95 latency <= 1 s over :data:`WAVE_REQUESTS`
  requests;
* 20-order plan requests (the SKUs the orders use, :data:`SMALL_CONFIG`) from
  :data:`CONCURRENCY` concurrent clients for :data:`SUSTAIN_S` seconds: >= 50 requests/s with
  p99 <= 200 ms;
* order import through ``POST /v1/orders/batch`` (500 orders per request, SKUs in the catalogue
  and in stock, hold rules on): >= 500 orders/s.

Run: ``.venv/bin/python -m pytest benchmarks/test_bench_api.py --benchmark-only -s``
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
from typing import Any

import httpx
import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from wms.api.keys import create_api_key
from wms.api.layouts import layout_by_id
from wms.store.db import session_scope
from wms.store.migrations import upgrade

ROOT = Path(__file__).resolve().parents[1]
LAYOUT_ID = "ecommerce-3-block"
N_SKUS = 500
WAVE_ORDERS = 1_000
WAVE_REQUESTS = 12
PLAN_ORDERS = 20
CONCURRENCY = 4
SUSTAIN_S = 10.0
IMPORT_BATCH = 500
IMPORT_BATCHES = 8
SEED = 20261122
#: uvicorn worker processes: one per core.
WORKERS = 2
#: Planning configuration of the 1,000-order wave: seed batching (de Koster et al. 1999) and the
#: combined heuristic for the walking order. The defaults (iterated local search started from
#: savings, exact multi-block routing) take several seconds for 1,000 orders on this layout.
WAVE_CONFIG: dict[str, Any] = {"routing": "combined", "batching": {"method": "seed"}}
#: Configuration of the 20-order plans: the same (the default iterated local search alone takes
#: about 60 ms of CPU per 20-order plan, more than 2 cores can give 50 requests a second).
SMALL_CONFIG: dict[str, Any] = WAVE_CONFIG


class Server:
    """A ``wms serve`` subprocess and an API key for it."""

    def __init__(self, url: str, key: str, proc: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.key = key
        self.proc = proc

    def client(self, timeout_s: float = 60.0) -> httpx.Client:
        """A keep-alive client with the key."""
        return httpx.Client(base_url=self.url, timeout=timeout_s, headers={"X-API-Key": self.key})


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``wms serve`` on a fresh database with the catalogue and stock of the benchmark."""
    folder = tmp_path_factory.mktemp("api-bench")
    db_url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(db_url)
    _seed_catalogue(db_url)
    with session_scope(db_url) as session:
        _, key = create_api_key(session, "bench")
    port = _free_port()
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
            db_url,
            "--no-migrate",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=folder,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("wms serve did not start")
            time.sleep(0.1)
        _warm_up(url, key)
        yield Server(url, key, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _warm_up(url: str, key: str) -> None:
    """Plan on fresh connections until every worker has parsed the layout and loaded its kernels
    (connections are spread over the workers by the kernel)."""
    rng = np.random.default_rng(SEED - 1)
    catalogue = _sku_records()
    for _ in range(4 * WORKERS):
        body = {
            "orders": _plan_orders(PLAN_ORDERS, rng, "warm-"),
            "skus": catalogue,
            "layout_id": LAYOUT_ID,
            "config": WAVE_CONFIG,
        }
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=120) as http:
            assert http.post("/v1/plans", json=body).status_code == 200


def _location_ids() -> tuple[str, ...]:
    return layout_by_id(LAYOUT_ID).locations.ids


def _sku_records() -> list[dict[str, Any]]:
    ids = _location_ids()
    rng = np.random.default_rng(SEED)
    slots = rng.choice(len(ids), size=N_SKUS, replace=False)
    return [
        {
            "sku_id": f"S{i:04d}",
            "weight_kg": round(float(rng.uniform(0.1, 3.0)), 3),
            "volume_l": round(float(rng.uniform(0.2, 5.0)), 3),
            "locations": [ids[int(slots[i])]],
        }
        for i in range(N_SKUS)
    ]


def _seed_catalogue(db_url: str) -> None:
    """SKUs, their storage locations and plenty of stock, so imported orders are released."""
    from wms.fulfillment.stock import ensure_location, receive, upsert_skus

    skus = _sku_records()
    with session_scope(db_url) as session:
        upsert_skus(session, [{"id": s["sku_id"], "description": "bench"} for s in skus])
        for s in skus:
            ensure_location(session, s["locations"][0], distance_m=10.0)
            receive(session, s["sku_id"], s["locations"][0], 100_000, reference="bench")


def _plan_orders(n: int, rng: np.random.Generator, prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "order_id": f"{prefix}{j}",
            "lines": [
                {"sku_id": f"S{int(rng.integers(N_SKUS)):04d}", "qty": int(rng.integers(1, 4))}
                for _ in range(int(rng.integers(1, 5)))
            ],
        }
        for j in range(n)
    ]


def _token(rng: np.random.Generator, n: int) -> str:
    return "".join(chr(ord("a") + int(c)) for c in rng.integers(0, 26, size=n))


def _customer(rng: np.random.Generator) -> dict[str, str]:
    """A distinct customer (random names, so the duplicate-customer hold does not fire)."""
    first, last = _token(rng, 7).title(), _token(rng, 9).title()
    return {"name": f"{first} {last}", "email": f"{first}.{last}@{_token(rng, 6)}.com".lower()}


def _address(rng: np.random.Generator) -> dict[str, str]:
    return {
        "street": f"{_token(rng, 10).title()} {int(rng.integers(1, 300))}",
        "city": _token(rng, 8).title(),
        "postal_code": f"{int(rng.integers(10, 99))}-{int(rng.integers(100, 999))}",
        "country": "PL",
    }


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


@pytest.mark.benchmark(group="api")
def test_plan_1000_order_wave_p95(benchmark: BenchmarkFixture, server: Server) -> None:
    rng = np.random.default_rng(SEED)
    body = {
        "orders": _plan_orders(WAVE_ORDERS, rng, "W"),
        "skus": _sku_records(),
        "layout_id": LAYOUT_ID,
        "config": WAVE_CONFIG,
    }
    latencies: list[float] = []

    def run() -> dict[str, Any]:
        with server.client() as http:
            warm = http.post("/v1/plans", json=body)  # layout parse, numba, caches
            assert warm.status_code == 200, warm.text
            for _ in range(WAVE_REQUESTS):
                started = time.perf_counter()
                r = http.post("/v1/plans", json=body)
                latencies.append(time.perf_counter() - started)
                assert r.status_code == 200
        totals: dict[str, Any] = r.json()["totals"]
        return totals

    totals = benchmark.pedantic(run, rounds=1, iterations=1)
    assert totals["orders"] == WAVE_ORDERS and totals["unassigned_orders"] == 0
    p50, p95 = _percentile(latencies, 50), _percentile(latencies, 95)
    benchmark.extra_info.update(
        {"p50_s": round(p50, 3), "p95_s": round(p95, 3), "pick_lists": totals["pick_lists"]}
    )
    print(
        f"\n1,000-order wave over HTTP: {len(latencies)} requests, p50 {p50:.3f} s, "
        f"p95 {p95:.3f} s, max {max(latencies):.3f} s, {totals['pick_lists']} pick lists, "
        f"{totals['route_length_m']:.0f} m"
    )
    assert p95 <= 1.0


@pytest.mark.benchmark(group="api")
def test_plan_20_orders_sustained(benchmark: BenchmarkFixture, server: Server) -> None:
    rng = np.random.default_rng(SEED + 1)
    catalogue = {s["sku_id"]: s for s in _sku_records()}
    bodies = []
    for k in range(16):
        orders = _plan_orders(PLAN_ORDERS, rng, f"P{k}-")
        needed = sorted({ln["sku_id"] for o in orders for ln in o["lines"]})
        bodies.append(
            {
                "orders": orders,
                "skus": [catalogue[s] for s in needed],  # an integrator sends what the orders use
                "layout_id": LAYOUT_ID,
                "config": SMALL_CONFIG,
            }
        )
    with server.client() as http:  # warm-up outside the clock
        for body in bodies[:4]:
            assert http.post("/v1/plans", json=body).status_code == 200

    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()

    def worker(k: int, stop_at: float) -> None:
        with server.client() as http:
            i = k
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                r = http.post("/v1/plans", json=bodies[i % len(bodies)])
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    if r.status_code != 200:
                        errors.append(r.status_code)
                i += CONCURRENCY

    def run() -> float:
        started = time.perf_counter()
        stop_at = started + SUSTAIN_S
        threads = [threading.Thread(target=worker, args=(k, stop_at)) for k in range(CONCURRENCY)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - started

    elapsed = benchmark.pedantic(run, rounds=1, iterations=1)
    rate = len(latencies) / elapsed
    p50, p99 = _percentile(latencies, 50), _percentile(latencies, 99)
    benchmark.extra_info.update(
        {
            "requests_per_s": round(rate, 1),
            "p50_ms": round(p50 * 1e3, 1),
            "p99_ms": round(p99 * 1e3, 1),
        }
    )
    print(
        f"\n20-order plans, {CONCURRENCY} clients for {elapsed:.1f} s: {len(latencies)} requests, "
        f"{rate:.1f} req/s, p50 {p50 * 1e3:.1f} ms, p99 {p99 * 1e3:.1f} ms"
    )
    assert not errors
    assert rate >= 50
    assert p99 <= 0.200


@pytest.mark.benchmark(group="api")
def test_order_import_batched(benchmark: BenchmarkFixture, server: Server) -> None:
    rng = np.random.default_rng(SEED + 2)
    batches = [
        {
            "orders": [
                {
                    "reference_id": f"IMP-{b}-{j}",
                    "channel": "shop",
                    "customer": _customer(rng),
                    "address": _address(rng),
                    "payment_method": "card",
                    "payment_status": "paid",
                    "value": 49.99,
                    "currency": "PLN",
                    "lines": [
                        {
                            "sku_id": f"S{int(rng.integers(N_SKUS)):04d}",
                            "qty": int(rng.integers(1, 3)),
                        }
                        for _ in range(int(rng.integers(1, 4)))
                    ],
                }
                for j in range(IMPORT_BATCH)
            ]
        }
        for b in range(IMPORT_BATCHES)
    ]
    with server.client(timeout_s=120) as http:
        probe = http.post("/v1/orders/batch", json={"orders": []})
        if probe.status_code in (404, 405):
            pytest.skip("POST /v1/orders/batch is not mounted")

    imported: list[int] = []
    released: list[int] = []

    def run() -> float:
        started = time.perf_counter()
        with server.client(timeout_s=120) as http:
            for body in batches:
                r = http.post("/v1/orders/batch", json=body)
                assert r.status_code == 200, r.text[:500]
                out = r.json()
                imported.append(out["imported"])
                released.append(out["released"])
        return time.perf_counter() - started

    elapsed = benchmark.pedantic(run, rounds=1, iterations=1)
    total = sum(imported)
    rate = total / elapsed
    benchmark.extra_info.update(
        {"orders_per_s": round(rate, 1), "orders": total, "released": sum(released)}
    )
    print(
        f"\norder import: {total} orders ({sum(released)} released, {total - sum(released)} held) in "
        f"{IMPORT_BATCHES} batches of {IMPORT_BATCH} in {elapsed:.2f} s: {rate:.0f} orders/s"
    )
    assert total == IMPORT_BATCH * IMPORT_BATCHES
    assert rate >= 500
