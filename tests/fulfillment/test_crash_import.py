"""A crash mid-import (SIGKILL) loses nothing committed and duplicates nothing on retry.

A child Python process imports 30 orders into the test database and kills itself with SIGKILL:
either right after a chunk was committed (``on_commit``), or in the middle of a chunk's
transaction (every row of the chunk written, not yet committed). The test then imports the same orders again and
checks that every order is stored exactly once, with one ``order.received`` event each, holds and
reservations not doubled, and the stock ledger consistent.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.fulfillment.order_fixtures import ROOT, order, rules, stock_warehouse
from wms.fulfillment import stock as stock_service
from wms.fulfillment.events import list_events
from wms.fulfillment.intake import IncomingOrder
from wms.fulfillment.orders import import_orders
from wms.store.db import session_scope
from wms.store.models import Hold, Order, Reservation

N_ORDERS = 30

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from tests.fulfillment.test_crash_import import orders
    from tests.fulfillment.order_fixtures import rules
    import wms.fulfillment.orders as flow

    url, mode, n, chunk = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

    def die(*_):
        os.kill(os.getpid(), signal.SIGKILL)

    if mode == "after_commit":
        on_commit = lambda done: die() if done >= n else None
    else:  # inside the transaction of the chunk holding the n-th order, its rows written
        import wms.fulfillment.bulk_intake as bulk
        on_commit = None
        seen = [0]
        original = bulk._write_plan
        def write_plan(session, plan):
            original(session, plan)
            seen[0] += len(plan.orders)
            if seen[0] >= n:
                die()
        bulk._write_plan = write_plan
    flow.import_orders(url, orders(), rules(), chunk_size=chunk, on_commit=on_commit)
    print("finished without crash")
    """
)


def orders() -> list[IncomingOrder]:
    """30 orders: every third one has an unpaid status (a hold), the rest are released."""
    out = []
    for k in range(N_ORDERS):
        status = "pending" if k % 3 == 0 else "paid"
        out.append(order(f"K-{k:03d}", ("S5", 1) if k % 2 else ("S2", 1), payment_status=status))
    return out


def run_child(
    url: str, mode: str, n: int, chunk: int, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT)), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script), url, mode, str(n), str(chunk)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def stored(url: str) -> dict[str, int]:
    with session_scope(url, readonly=True) as s:

        def n(table: type) -> int:
            return s.scalar(sa.select(sa.func.count()).select_from(table)) or 0

        return {
            "orders": n(Order),
            "holds": n(Hold),
            "reservations": n(Reservation),
            "received_events": len(list_events(s, type="order.received")),
        }


@pytest.fixture
def url(db_url: str) -> str:
    """The stocked test warehouse with S2 and S5 plentiful enough for all 30 orders."""
    stock_warehouse(db_url, stock=(("S2", "A04-B0-P10-R", 40), ("S5", "A01-B0-P02-L", 40)))
    return db_url


@pytest.mark.parametrize(
    ("mode", "n", "chunk", "committed"),
    [
        ("after_commit", 12, 1, 12),  # killed right after the 12th order was committed
        ("after_commit", 12, 4, 12),  # chunks of 4: three chunks committed
        ("in_transaction", 13, 5, 10),  # killed inside the third chunk: it is lost entirely
    ],
)
def test_crash_loses_nothing_committed_and_retry_duplicates_nothing(
    url: str, tmp_path: Path, mode: str, n: int, chunk: int, committed: int
) -> None:
    proc = run_child(url, mode, n, chunk, tmp_path)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    after_crash = stored(url)
    assert after_crash["orders"] == committed
    assert after_crash["received_events"] == committed
    expected_holds = sum(1 for k in range(committed) if k % 3 == 0)
    assert after_crash["holds"] == expected_holds

    report = import_orders(url, orders(), rules())
    assert report.skipped == committed and report.imported == N_ORDERS - committed
    assert report.conflicts == 0
    final = stored(url)
    assert final["orders"] == N_ORDERS
    assert final["received_events"] == N_ORDERS
    assert final["holds"] == sum(1 for k in range(N_ORDERS) if k % 3 == 0)
    released = N_ORDERS - final["holds"]
    assert final["reservations"] == released  # one reservation per released one-line order

    again = import_orders(url, orders(), rules())
    assert again.skipped == N_ORDERS and stored(url) == final
    with session_scope(url, readonly=True) as s:
        assert stock_service.reconcile(s) == []
        assert sum(lv.reserved for lv in stock_service.stock_levels(s)) == released


def test_child_runs_to_the_end_without_a_kill(url: str, tmp_path: Path) -> None:
    proc = run_child(url, "after_commit", N_ORDERS + 1, 7, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "finished without crash" in proc.stdout
    assert stored(url)["orders"] == N_ORDERS


def test_two_concurrent_imports_store_each_order_once(url: str) -> None:
    """Two importers of the same feed at once (threads; real row races on PostgreSQL)."""
    import threading

    from wms.fulfillment.orders import ImportReport

    reports: list[ImportReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(import_orders(url, orders(), rules()))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sum(r.imported for r in reports) == N_ORDERS
    assert sum(r.skipped for r in reports) == N_ORDERS
    assert sum(r.rejected + r.conflicts for r in reports) == 0
    final = stored(url)
    assert final["orders"] == N_ORDERS and final["received_events"] == N_ORDERS
    assert final["holds"] == sum(1 for k in range(N_ORDERS) if k % 3 == 0)
    with session_scope(url, readonly=True) as s:
        assert stock_service.reconcile(s) == []
