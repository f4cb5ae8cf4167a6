"""Waves planned by the core, pick confirmation with short picks, packing and shipping.

Stock (``order_fixtures``): S1 5 units at A02-B0-P05-L and 3 at A05-B0-P15-R, S2 5, S3 none,
S4 2, S5 10. Reservations take the location nearest to the depot first.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
import sqlalchemy as sa

from tests.fulfillment.order_fixtures import DOCK, layout, order, rules, stock_warehouse
from wms.fulfillment import stock as stock_service
from wms.fulfillment.events import list_events, order_timeline
from wms.fulfillment.holds import HoldFinding
from wms.fulfillment.orders import (
    OrderFlowError,
    add_hold,
    cancel_order,
    import_orders,
    list_holds,
    release_hold,
)
from wms.fulfillment.picking import (
    confirm_pick,
    create_wave,
    list_pick_tasks,
    pack_order,
    ship_order,
)
from wms.store.db import session_scope
from wms.store.models import Order, OrderLine, PickList, PickTask

LAYOUT = layout()


@pytest.fixture
def url(db_url: str) -> str:
    """A migrated database with the stocked test warehouse."""
    stock_warehouse(db_url)
    return db_url


def reserved_by_key(s: sa.orm.Session, order_id: str) -> dict[tuple[int, str, str], int]:
    out: dict[tuple[int, str, str], int] = defaultdict(int)
    for r in stock_service.open_reservations(s, order_id=order_id):
        out[(r.line_no, r.sku_id, r.location_id)] += r.qty
    return dict(out)


def tasks_by_key(s: sa.orm.Session, order_id: str) -> dict[tuple[int, str, str], int]:
    out: dict[tuple[int, str, str], int] = defaultdict(int)
    for t in list_pick_tasks(s, order_id=order_id):
        out[(t.line_no, t.sku_id, t.location_id)] += t.qty
    return dict(out)


def test_wave_turns_reservations_into_tasks_in_walking_order(url: str) -> None:
    import_orders(
        url,
        [order("P-1", ("S1", 2), ("S2", 1)), order("P-2", ("S5", 1)), order("P-3", ("S1", 6))],
        rules(),
    )
    with session_scope(url) as s:
        result = create_wave(s, LAYOUT, actor="planner")
        assert sorted(result.order_ids) == ["P-1", "P-2", "P-3"] and result.unassigned == ()
        for oid in ("P-1", "P-2", "P-3"):
            assert tasks_by_key(s, oid) == reserved_by_key(s, oid)
            assert s.get_one(Order, oid).status == "waved"
        # P-3's six units are reserved at both S1 locations: it is picked at both
        assert {loc for (_, _, loc) in tasks_by_key(s, "P-3")} == {"A02-B0-P05-L", "A05-B0-P15-R"}
        lists = [s.get_one(PickList, i) for i in result.pick_list_ids]
        assert sum(pl.route_length_m or 0 for pl in lists) == pytest.approx(result.route_length_m)
        assert all((pl.route_length_m or 0) > 0 for pl in lists)
        for pl in lists:
            assert [t.seq for t in pl.tasks] == list(range(1, len(pl.tasks) + 1))
        assert len(list_events(s, type="wave.released")) == len(result.wave_ids)
        assert len(list_events(s, type="order.waved")) == 3
    with session_scope(url) as s:
        assert create_wave(s, LAYOUT).order_ids == ()  # nothing released is left


def test_pick_pack_ship_and_the_ledger(url: str) -> None:
    import_orders(url, [order("P-4", ("S1", 2), ("S2", 1))], rules())
    with session_scope(url) as s:
        create_wave(s, LAYOUT)
    with session_scope(url) as s:
        tasks = list_pick_tasks(s, order_id="P-4")
        results = [confirm_pick(s, t.id, t.qty, actor="piotr") for t in tasks]
        assert [r.order_status for r in results][-1] == "picked"
        assert results[-1].pick_list_completed
        with pytest.raises(OrderFlowError, match="only packed orders can be shipped"):
            ship_order(s, "P-4")
        pack_order(s, "P-4", actor="ewa")
        ship_order(s, "P-4", tracking="DPD-123")
        o = s.get_one(Order, "P-4")
        assert o.status == "shipped" and o.shipped_at is not None
        assert [(ln.qty_picked, ln.qty_reserved, ln.qty_short) for ln in o.lines] == [
            (2, 0, 0),
            (1, 0, 0),
        ]
        statuses = [e.type for e in list_events(s, order_id="P-4")]
        assert statuses[-3:] == ["order.picked", "order.packed", "order.shipped"]
        assert stock_service.reconcile(s) == []
        assert sum(lv.reserved for lv in stock_service.stock_levels(s)) == 0
        picks = stock_service.ledger(s, reference="P-4", kinds=["pick"])
        assert sum(m.qty for m in picks) == 3


def test_short_pick_is_reallocated_to_another_location(url: str) -> None:
    import_orders(url, [order("P-5", ("S1", 2))], rules())
    with session_scope(url) as s:
        create_wave(s, LAYOUT)
        (task,) = list_pick_tasks(s, order_id="P-5")
        first_location = task.location_id
        result = confirm_pick(s, task.id, 1, actor="piotr")
        assert (result.short_qty, result.adjusted_qty, result.hold_id) == (1, 1, None)
        (new_id,) = result.reallocated_task_ids
        new = s.get_one(PickTask, new_id)
        assert new.location_id != first_location and new.qty == 1
        assert new.pick_list_id == task.pick_list_id and new.seq == 2
        assert s.get_one(PickTask, task.id).status == "short"
        assert result.order_status == "waved"
        done = confirm_pick(s, new_id, 1)
        assert done.order_status == "picked" and done.pick_list_completed
        adjustments = stock_service.ledger(s, reference="P-5", kinds=["adjustment"])
        assert [(m.from_location_id, m.qty) for m in adjustments] == [(first_location, 1)]
        assert stock_service.reconcile(s) == []
        assert [e.type for e in list_events(s, order_id="P-5")].count("order.pick_reallocated") == 1


def test_short_pick_without_stock_holds_the_order_until_stock_arrives(url: str) -> None:
    import_orders(url, [order("P-6", ("S4", 2), ("S5", 1))], rules())
    with session_scope(url) as s:
        create_wave(s, LAYOUT)
        tasks = {t.sku_id: t for t in list_pick_tasks(s, order_id="P-6")}
        result = confirm_pick(s, tasks["S4"].id, 0, actor="piotr")
        assert result.order_status == "on_hold" and result.hold_id is not None
        assert result.reallocated_task_ids == ()
        confirm_pick(s, tasks["S5"].id, 1)  # the rest of the list goes on
        assert s.get_one(OrderLine, ("P-6", 1)).qty_short == 2
        assert s.get_one(Order, "P-6").status == "on_hold"
        hold_id = result.hold_id
    with session_scope(url) as s, pytest.raises(OrderFlowError, match="still short"):
        release_hold(s, hold_id, "anna", "try")
    with session_scope(url) as s:
        stock_service.receive(s, "S4", DOCK, 4)
        stock_service.put_away(s, "S4", DOCK, "A03-B0-P00-L", 4)
        assert release_hold(s, hold_id, "anna", "delivery arrived").order_status == "released"
        assert s.get_one(OrderLine, ("P-6", 1)).qty_short == 0
    with session_scope(url) as s:
        again = create_wave(s, LAYOUT)
        assert again.order_ids == ("P-6",)
        (task,) = list_pick_tasks(s, order_id="P-6")
        assert (task.sku_id, task.qty, task.location_id) == ("S4", 2, "A03-B0-P00-L")
        assert confirm_pick(s, task.id, 2).order_status == "picked"
        assert stock_service.reconcile(s) == []


def test_short_pick_not_missing_keeps_stock_and_moves_the_reservation(url: str) -> None:
    import_orders(url, [order("P-7", ("S1", 2))], rules())
    with session_scope(url) as s:
        create_wave(s, LAYOUT)
        (task,) = list_pick_tasks(s, order_id="P-7")
        result = confirm_pick(s, task.id, 0, missing_at_location=False)
        assert result.adjusted_qty == 0
        (new_id,) = result.reallocated_task_ids
        assert s.get_one(PickTask, new_id).location_id != task.location_id
        assert stock_service.ledger(s, kinds=["adjustment"]) == []


def test_pick_mistakes_are_clear_errors(url: str) -> None:
    import_orders(url, [order("P-8", ("S5", 2))], rules())
    with session_scope(url) as s:
        create_wave(s, LAYOUT)
        (task,) = list_pick_tasks(s, order_id="P-8")
        with pytest.raises(OrderFlowError, match="must be a whole number from 0 to 2"):
            confirm_pick(s, task.id, 3)
        with pytest.raises(OrderFlowError, match="pick task 999 does not exist"):
            confirm_pick(s, 999, 1)
        with pytest.raises(OrderFlowError, match="only picked orders can be packed"):
            pack_order(s, "P-8")
        confirm_pick(s, task.id, 2)
        with pytest.raises(OrderFlowError, match="already picked"):
            confirm_pick(s, task.id, 2)
        with pytest.raises(
            OrderFlowError, match="cannot be cancelled \\(2 units already picked\\)"
        ):
            cancel_order(s, "P-8", "anna", "too late")


def test_cancel_a_waved_order_cancels_its_tasks(url: str) -> None:
    import_orders(url, [order("P-9", ("S2", 2))], rules())
    with session_scope(url) as s:
        create_wave(s, LAYOUT)
        cancel_order(s, "P-9", "anna", "customer asked")
        assert list_pick_tasks(s, order_id="P-9") == []
        assert [t.status for t in list_pick_tasks(s, order_id="P-9", status=None)] == ["cancelled"]
        assert sum(lv.reserved for lv in stock_service.stock_levels(s)) == 0


def test_stock_outside_the_layout_is_reported_not_planned(url: str) -> None:
    with session_scope(url) as s:
        stock_service.ensure_location(s, "FLOOR-1")
        stock_service.receive(s, "S3", DOCK, 1)
        stock_service.put_away(s, "S3", DOCK, "FLOOR-1", 1)
    import_orders(url, [order("P-10", ("S3", 1)), order("P-11", ("S5", 1))], rules())
    with session_scope(url) as s:
        result = create_wave(s, LAYOUT)
        assert result.order_ids == ("P-11",)
        ((oid, why),) = result.unassigned
        assert oid == "P-10" and "FLOOR-1" in why
        assert s.get_one(Order, "P-10").status == "released"
        assert list_holds(s) == []


def test_hold_released_mid_picking_puts_the_order_where_it_really_is(url: str) -> None:
    """Releasing a hold of an order that is already on the floor must not strand it as
    'released' with nothing left to plan: it becomes released (units to plan), waved (all on
    open tasks) or picked (everything picked while it was held)."""
    import_orders(url, [order("P-12", ("S4", 2), ("S5", 1))], rules())
    with session_scope(url) as s:
        create_wave(s, LAYOUT)
        tasks = {t.sku_id: t for t in list_pick_tasks(s, order_id="P-12")}
        hold_id = confirm_pick(s, tasks["S4"].id, 1).hold_id  # 1 of 2, no other S4 anywhere
        assert hold_id is not None
        stock_service.receive(s, "S4", DOCK, 1)
        stock_service.put_away(s, "S4", DOCK, "A03-B0-P00-L", 1)
        # the new S4 unit needs a wave: released (the S5 task is still open)
        assert release_hold(s, hold_id, "anna", "found one").order_status == "released"
        assert create_wave(s, LAYOUT).order_ids == ("P-12",)
        for t in list_pick_tasks(s, order_id="P-12"):
            assert confirm_pick(s, t.id, t.qty).short_qty == 0
        assert s.get_one(Order, "P-12").status == "picked"

    import_orders(url, [order("P-13", ("S5", 2))], rules())
    with session_scope(url) as s:
        create_wave(s, LAYOUT)
        p13 = s.get_one(Order, "P-13")
        manual = add_hold(s, p13, HoldFinding("customer_comment", "customer called: wait"))
        assert release_hold(s, manual.id, "anna", "go on").order_status == "waved"
        manual = add_hold(s, p13, HoldFinding("customer_comment", "customer called again"))
        (task,) = list_pick_tasks(s, order_id="P-13")
        assert confirm_pick(s, task.id, 2).order_status == "on_hold"
        assert release_hold(s, manual.id, "anna", "go on").order_status == "picked"
        types = [e.status for e in order_timeline(s, "P-13")]
        assert types[-1] == "picked"


@pytest.mark.parametrize("strategy", ["batch", "cart", "singles"])
def test_every_core_strategy_plans_the_reservations(url: str, strategy: str) -> None:
    from wms.waves.config import PlanConfig

    import_orders(
        url,
        [order("W-1", ("S5", 1)), order("W-2", ("S1", 2), ("S2", 1)), order("W-3", ("S2", 1))],
        rules(),
    )
    with session_scope(url) as s:
        result = create_wave(s, LAYOUT, PlanConfig(strategy=strategy))  # type: ignore[arg-type]
        assert sorted(result.order_ids) == ["W-1", "W-2", "W-3"]
        for oid in ("W-1", "W-2", "W-3"):
            assert tasks_by_key(s, oid) == reserved_by_key(s, oid)
        totes = {t.tote for t in list_pick_tasks(s)}
        assert (totes != {None}) == (strategy == "cart")
        for t in list_pick_tasks(s):
            confirm_pick(s, t.id, t.qty)
        assert {s.get_one(Order, o).status for o in ("W-1", "W-2", "W-3")} == {"picked"}


def test_two_pickers_finishing_one_order_at_once_mark_it_picked(url: str) -> None:
    import threading

    import_orders(url, [order("W-9", ("S1", 1), ("S2", 1))], rules())
    with session_scope(url) as s:
        create_wave(s, LAYOUT)
        ids = [t.id for t in list_pick_tasks(s, order_id="W-9")]
    assert len(ids) == 2
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def pick(task_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            with session_scope(url) as s:
                confirm_pick(s, task_id, 1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=pick, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with session_scope(url, readonly=True) as s:
        assert s.get_one(Order, "W-9").status == "picked"
        assert stock_service.reconcile(s) == []
