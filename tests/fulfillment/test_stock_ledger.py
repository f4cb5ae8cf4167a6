"""The stock ledger: moves and quantities agree, never negative, never reserved twice.

Runs on SQLite, and on PostgreSQL when ``WMS_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from tests.db_fixtures import add_order, seed
from wms.errors import StockError
from wms.fulfillment import stock
from wms.fulfillment.events import list_events
from wms.store.db import make_engine, session_scope
from wms.store.models import OrderLine, Reservation, StockMove


def level(engine: Engine, sku: str, loc: str) -> tuple[int, int]:
    with session_scope(engine, readonly=True) as s:
        rows = stock.stock_levels(s, sku_id=sku, location_id=loc, include_empty=True)
    return (rows[0].on_hand, rows[0].reserved) if rows else (0, 0)


@pytest.fixture
def seeded(db_engine: Engine) -> Engine:
    """SKUs S1..S3, storage L1 (5 m), L2 (10 m), L3 (20 m), a receiving DOCK."""
    with session_scope(db_engine) as s:
        seed(s)
    return db_engine


def test_receive_putaway_pick_keeps_ledger_and_quantities_in_step(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        stock.receive(s, "S1", "DOCK", 10, reference="ASN-1", actor="ann")
        stock.put_away(s, "S1", "DOCK", "L2", 6, reference="ASN-1")
        stock.put_away(s, "S1", "DOCK", "L1", 4, reference="ASN-1")
        add_order(s, "O1", [("S1", 5)])
        made = stock.reserve(s, "O1", 1, "S1", 5)
    # Nearest location first: 4 at L1 (5 m), then 1 at L2.
    assert [(r.location_id, r.qty) for r in made] == [("L1", 4), ("L2", 1)]
    assert level(seeded, "S1", "L1") == (4, 4)
    assert level(seeded, "S1", "L2") == (6, 1)
    with session_scope(seeded) as s:
        for r in stock.open_reservations(s, order_id="O1"):
            stock.pick(s, r.id, actor="bob")
        line = s.get(OrderLine, ("O1", 1))
        assert line is not None
        assert (line.qty_reserved, line.qty_picked) == (0, 5)
        assert stock.reconcile(s) == []
        kinds = [m.kind for m in stock.ledger(s, sku_id="S1")]
    assert kinds == ["receipt", "putaway", "putaway", "pick", "pick"]
    assert level(seeded, "S1", "L1") == (0, 0)
    assert level(seeded, "S1", "L2") == (5, 0)
    with session_scope(seeded, readonly=True) as s:
        (total,) = stock.stock_by_sku(s, sku_id="S1")
    assert (total.on_hand, total.reserved, total.available) == (5, 0, 5)


def test_partial_pick_keeps_the_rest_reserved(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        stock.receive(s, "S1", "L1", 5)
        add_order(s, "O1", [("S1", 3)])
        (r,) = stock.reserve(s, "O1", 1, "S1", 3)
        stock.pick(s, r.id, 2)
        assert stock.reconcile(s) == []
        rest = stock.open_reservations(s, order_id="O1")
        assert [x.qty for x in rest] == [1]
        stock.release_reservation(s, rest[0].id)
        line = s.get(OrderLine, ("O1", 1))
        assert line is not None
        assert (line.qty_reserved, line.qty_picked) == (0, 2)
    assert level(seeded, "S1", "L1") == (3, 0)


def test_reserve_all_or_nothing_and_partial(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        stock.receive(s, "S2", "L1", 2)
        stock.receive(s, "S2", "L3", 1)
        add_order(s, "O1", [("S2", 5)])
    with pytest.raises(StockError, match="5 units wanted, 3 available"), session_scope(seeded) as s:
        stock.reserve(s, "O1", 1, "S2", 5)
    assert level(seeded, "S2", "L1") == (2, 0)
    with session_scope(seeded) as s:
        made = stock.reserve(s, "O1", 1, "S2", 5, allow_partial=True)
        assert sum(r.qty for r in made) == 3
        line = s.get(OrderLine, ("O1", 1))
        assert line is not None and line.qty_reserved == 3
        assert stock.reserve(s, "O1", 1, "S2", 1, allow_partial=True) == []


def test_reserved_units_cannot_be_moved_counted_away_or_scrapped(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        stock.receive(s, "S1", "L1", 3)
        add_order(s, "O1", [("S1", 2)])
        stock.reserve(s, "O1", 1, "S1", 2)
    with pytest.raises(StockError, match="available 1"), session_scope(seeded) as s:
        stock.move(s, "S1", "L1", "L2", 2)
    with pytest.raises(StockError, match="reserved"), session_scope(seeded) as s:
        stock.count(s, "S1", "L1", 1)
    with pytest.raises(StockError, match="not available"), session_scope(seeded) as s:
        stock.remove(s, "S1", "L1", 2)
    assert level(seeded, "S1", "L1") == (3, 2)


def test_cycle_count_adjusts_with_reason_and_emits_event(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        stock.receive(s, "S3", "L2", 10)
        row = stock.count(s, "S3", "L2", 7, reason="cycle count", actor="cc")
        assert row is not None
        assert (row.kind, row.qty, row.from_location_id, row.reason) == (
            "adjustment",
            3,
            "L2",
            "cycle count",
        )
        assert stock.count(s, "S3", "L2", 7) is None
        stock.adjust(s, "S3", "L2", 2, reason="found behind shelf")
        events = list_events(s, type="stock.adjusted")
    assert level(seeded, "S3", "L2") == (9, 0)
    assert [e.payload["delta_qty"] for e in events] == [-3, 2]


def test_adjust_needs_a_reason(seeded: Engine) -> None:
    with pytest.raises(StockError, match="reason"), session_scope(seeded) as s:
        stock.adjust(s, "S1", "L1", 1, reason=" ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("S9", "L1", 1), "unknown SKU 'S9'"),
        (("S1", "L9", 1), "unknown location 'L9'"),
        (("S1", "L1", 0), "quantity 0"),
        (("S1", "L1", -2), "quantity -2"),
    ],
)
def test_bad_receipt_is_rejected_without_a_trace(
    seeded: Engine, args: tuple[str, str, int], message: str
) -> None:
    with pytest.raises(StockError, match=message), session_scope(seeded) as s:
        stock.receive(s, "S1", "L1", 4)  # a good move first: must roll back too
        stock.receive(s, *args)
    with session_scope(seeded, readonly=True) as s:
        assert stock.ledger(s) == []
        assert stock.stock_levels(s) == []


def test_capacity_is_respected_on_putaway(db_engine: Engine) -> None:
    with session_scope(db_engine) as s:
        seed(s, storage=[("L1", 5.0, 4)])
        stock.receive(s, "S1", "DOCK", 6)
        stock.put_away(s, "S1", "DOCK", "L1", 4)
    with pytest.raises(StockError, match="holds 4 of 4 units"), session_scope(db_engine) as s:
        stock.put_away(s, "S1", "DOCK", "L1", 1)


def test_stock_at_any_time_from_the_ledger(seeded: Engine) -> None:
    t0 = datetime(2026, 1, 1, 8, tzinfo=UTC)
    with session_scope(seeded) as s:
        stock.receive(s, "S1", "DOCK", 10, at=t0)
        stock.put_away(s, "S1", "DOCK", "L1", 10, at=t0 + timedelta(hours=1))
        stock.adjust(s, "S1", "L1", -2, reason="damaged", at=t0 + timedelta(hours=2))
    with session_scope(seeded, readonly=True) as s:
        assert stock.ledger_balance(s, as_of=t0) == {("S1", "DOCK"): 10}
        assert stock.ledger_balance(s, as_of=t0 + timedelta(minutes=90)) == {("S1", "L1"): 10}
        assert stock.ledger_balance(s) == {("S1", "L1"): 8}


def test_ledger_rows_are_timezone_aware_utc(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        stock.receive(s, "S1", "L1", 1)
    with session_scope(seeded, readonly=True) as s:
        (row,) = s.scalars(sa.select(StockMove)).all()
    assert row.at.tzinfo is not None and row.at.utcoffset() == timedelta(0)


# -- property test --------------------------------------------------------------------------------

LOCS = ("DOCK", "L1", "L2", "L3")
OPS = st.lists(
    st.tuples(
        st.sampled_from(["receive", "move", "adjust", "reserve", "pick", "release", "count"]),
        st.sampled_from(["S1", "S2"]),
        st.sampled_from(LOCS),
        st.sampled_from(LOCS),
        st.integers(min_value=-4, max_value=6),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_random_operations_keep_the_invariants(seeded: Engine, ops: list[tuple]) -> None:
    """Sum of moves per (SKU, location) == on hand, never negative, reserved <= on hand."""
    tag = uuid.uuid4().hex[:8]
    skus = {"S1": f"S1-{tag}", "S2": f"S2-{tag}"}
    with session_scope(seeded) as s:
        stock.upsert_skus(s, [{"id": v} for v in skus.values()])
        add_order(s, f"O-{tag}", [(skus["S1"], 100), (skus["S2"], 100)])
    for i, (op, sku_key, a, b, n) in enumerate(ops):
        sku = skus[sku_key]
        line_no = 1 if sku_key == "S1" else 2
        try:
            with session_scope(seeded) as s:
                if op == "receive":
                    stock.receive(s, sku, a, n)
                elif op == "move":
                    stock.move(s, sku, a, b, n)
                elif op == "adjust":
                    stock.adjust(s, sku, a, n, reason=f"op {i}")
                elif op == "count":
                    stock.count(s, sku, a, n)
                elif op == "reserve":
                    stock.reserve(s, f"O-{tag}", line_no, sku, n, allow_partial=n % 2 == 0)
                else:
                    open_ = stock.open_reservations(s, order_id=f"O-{tag}", sku_id=sku)
                    if open_:
                        r = open_[n % len(open_)]
                        qty = min(r.qty, max(1, abs(n)))
                        if op == "pick":
                            stock.pick(s, r.id, qty)
                        else:
                            stock.release_reservation(s, r.id, qty)
        except StockError:
            pass
    with session_scope(seeded, readonly=True) as s:
        balance = stock.ledger_balance(s)
        levels = {
            (x.sku_id, x.location_id): x
            for x in stock.stock_levels(s, include_empty=True)
            if x.sku_id in skus.values()
        }
        for (sku, loc), x in levels.items():
            assert x.on_hand >= 0 and 0 <= x.reserved <= x.on_hand
            assert balance.get((sku, loc), 0) == x.on_hand
        for (sku, loc), qty in balance.items():
            if sku in skus.values():
                assert qty >= 0
                assert levels[(sku, loc)].on_hand == qty
        assert stock.reconcile(s) == []
        lines = {
            ln.line_no: ln for ln in s.scalars(sa.select(OrderLine).filter_by(order_id=f"O-{tag}"))
        }
        for line_no, sku in ((1, skus["S1"]), (2, skus["S2"])):
            open_qty = sum(
                r.qty for r in stock.open_reservations(s, order_id=f"O-{tag}", sku_id=sku)
            )
            picked = sum(m.qty for m in stock.ledger(s, sku_id=sku, kinds=["pick"]))
            assert lines[line_no].qty_reserved == open_qty
            assert lines[line_no].qty_picked == picked


# -- concurrent writers ---------------------------------------------------------------------------


def _setup_race(engine: Engine, units: int, orders: int, want: int) -> None:
    with session_scope(engine) as s:
        seed(s)
        stock.receive(s, "S1", "L1", units)
        for i in range(orders):
            add_order(s, f"R{i}", [("S1", want)])


def _reserve_worker(url: str, order_id: str, want: int) -> int:
    """Reserve ``want`` units for ``order_id`` in its own engine; return units reserved (0: lost)."""
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            made = stock.reserve(s, order_id, 1, "S1", want)
            return sum(r.qty for r in made)
    except StockError:
        return 0
    finally:
        engine.dispose()


def _check_race(engine: Engine, units: int, want: int, results: list[int]) -> None:
    winners = units // want
    assert sorted(results, reverse=True)[:winners] == [want] * winners
    assert sum(results) == winners * want
    with session_scope(engine, readonly=True) as s:
        assert stock.reconcile(s) == []
        reserved = s.execute(
            sa.select(sa.func.coalesce(sa.func.sum(Reservation.qty), 0)).where(
                Reservation.state == "open"
            )
        ).scalar_one()
    assert reserved == winners * want
    assert level(engine, "S1", "L1") == (units, winners * want)


@pytest.mark.parametrize(("units", "orders", "want"), [(5, 12, 1), (10, 8, 3)])
def test_threads_never_reserve_the_same_units_twice(
    db_url: str, db_engine: Engine, units: int, orders: int, want: int
) -> None:
    _setup_race(db_engine, units, orders, want)
    results: list[int] = [0] * orders
    barrier = threading.Barrier(orders)

    def run(i: int) -> None:
        barrier.wait(timeout=60)
        results[i] = _reserve_worker(db_url, f"R{i}", want)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(orders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    _check_race(db_engine, units, want, results)


def test_processes_never_reserve_the_same_units_twice(db_url: str, db_engine: Engine) -> None:
    units, orders, want = 4, 6, 1
    _setup_race(db_engine, units, orders, want)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes=3) as pool:
        results = pool.starmap(_reserve_worker, [(db_url, f"R{i}", want) for i in range(orders)])
    _check_race(db_engine, units, want, list(results))


def test_concurrent_putaways_never_overfill_a_location(db_url: str, db_engine: Engine) -> None:
    with session_scope(db_engine) as s:
        seed(s, storage=[("L1", 5.0, 10)])
        stock.receive(s, "S1", "DOCK", 30)
    results = [False] * 6
    barrier = threading.Barrier(6)

    def run(i: int) -> None:
        engine = make_engine(db_url)
        barrier.wait(timeout=60)
        try:
            with session_scope(engine) as s:
                stock.put_away(s, "S1", "DOCK", "L1", 4)
            results[i] = True
        except StockError:
            results[i] = False
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(results) == 2  # 2 x 4 units fit into 10, a third would make 12
    assert level(db_engine, "S1", "L1") == (8, 0)
    with session_scope(db_engine, readonly=True) as s:
        assert stock.reconcile(s) == []


def test_concurrent_moves_and_scraps_never_drive_stock_negative(
    db_url: str, db_engine: Engine
) -> None:
    with session_scope(db_engine) as s:
        seed(s)
        stock.receive(s, "S1", "L1", 5)
    results = [False] * 8
    barrier = threading.Barrier(8)

    def run(i: int) -> None:
        engine = make_engine(db_url)
        barrier.wait(timeout=60)
        try:
            with session_scope(engine) as s:
                if i % 2:
                    stock.move(s, "S1", "L1", "L2", 2)
                else:
                    stock.remove(s, "S1", "L1", 2, reason="broken")
            results[i] = True
        except StockError:
            results[i] = False
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(results) == 2  # 5 units: two takes of 2, the rest find 1 left
    assert level(db_engine, "S1", "L1") == (1, 0)
    with session_scope(db_engine, readonly=True) as s:
        assert stock.reconcile(s) == []


def test_moves_in_opposite_directions_at_once_do_not_deadlock(
    db_url: str, db_engine: Engine
) -> None:
    """L1 -> L2 and L2 -> L1 of the same SKU at the same instant, 25 times: both locations are
    locked in id order first, so the two queue (before, PostgreSQL aborted one as a deadlock)."""
    with session_scope(db_engine) as s:
        seed(s)
        stock.receive(s, "S1", "L1", 50)
        stock.receive(s, "S1", "L2", 50)
    rounds = 25
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(source: str, target: str) -> None:
        engine = make_engine(db_url)
        try:
            for _ in range(rounds):
                barrier.wait(timeout=60)
                with session_scope(engine) as s:
                    stock.move(s, "S1", source, target, 1)
        except BaseException as exc:  # reported below
            errors.append(exc)
            barrier.abort()
        finally:
            engine.dispose()

    threads = [
        threading.Thread(target=run, args=pair, daemon=True)
        for pair in (("L1", "L2"), ("L2", "L1"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert level(db_engine, "S1", "L1") == (50, 0) and level(db_engine, "S1", "L2") == (50, 0)
    with session_scope(db_engine, readonly=True) as s:
        assert stock.reconcile(s) == []
