"""Returns: RMA against a shipped order, receive, inspect, dispose, complaint status."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.db_fixtures import add_order, seed
from wms.errors import ReturnsError
from wms.fulfillment import returns, stock
from wms.fulfillment.events import list_events, order_timeline
from wms.store.db import session_scope
from wms.store.models import Order, Rma, StockMove


@pytest.fixture
def shipped(db_engine: Engine) -> Engine:
    """Order O1 picked 3 x S1 and 1 x S2 from L1 (now shipped)."""
    with session_scope(db_engine) as s:
        seed(s)
        stock.receive(s, "S1", "L1", 5)
        stock.receive(s, "S2", "L1", 5)
        add_order(s, "O1", [("S1", 3), ("S2", 1)])
        for line_no, sku, qty in ((1, "S1", 3), (2, "S2", 1)):
            (r,) = stock.reserve(s, "O1", line_no, sku, qty)
            stock.pick(s, r.id)
        s.get_one(Order, "O1").status = "shipped"
    return db_engine


def test_full_return_flow_restock_quarantine_scrap(shipped: Engine) -> None:
    with session_scope(shipped) as s:
        returns.create_rma(
            s,
            "RMA-1",
            [
                returns.ReturnLine("S1", 2, "unwanted"),
                returns.ReturnLine("S1", 1, "defective"),
                returns.ReturnLine("S2", 1, "damaged"),
            ],
            order_id="O1",
            complaint=True,
        )
        returns.receive_return(s, "RMA-1", actor="desk")
        returns.inspect_return(s, "RMA-1", {1: "new", 2: "defective", 3: "damaged"})
        returns.dispose_return(s, "RMA-1", 1, "restock", location_id="L2")
        returns.dispose_return(s, "RMA-1", 2, "quarantine")
        rma = returns.dispose_return(s, "RMA-1", 3, "scrap")
        assert rma.status == "completed"
        assert s.get_one(Order, "O1").status == "returned"
        returns.set_complaint_status(s, "RMA-1", "replaced", note="new unit sent")
        assert stock.reconcile(s) == []
        levels = {(lv.sku_id, lv.location_id): lv.on_hand for lv in stock.stock_levels(s)}
        kinds = [m.kind for m in stock.ledger(s, reference="RMA-1")]
    assert levels == {("S1", "L1"): 2, ("S2", "L1"): 4, ("S1", "L2"): 2, ("S1", "QUARANTINE"): 1}
    assert kinds == ["return", "return", "return", "putaway", "quarantine", "scrap"]
    with session_scope(shipped, readonly=True) as s:
        status = returns.rma_status(s, "RMA-1")
        timeline = [e.type for e in order_timeline(s, "O1")]
    assert (status.status, status.complaint_status) == ("completed", "replaced")
    assert [h["type"] for h in status.history][-2:] == [
        "return.completed",
        "return.complaint_updated",
    ]
    assert status.history[-1]["note"] == "new unit sent"
    assert timeline[0] == "return.authorised" and "order.returned" in timeline


def test_cannot_return_more_than_shipped(shipped: Engine) -> None:
    with session_scope(shipped) as s:
        returns.create_rma(s, "RMA-1", [returns.ReturnLine("S1", 2)], order_id="O1")
    with (
        pytest.raises(ReturnsError, match="exceed the 1 that order 'O1' shipped"),
        session_scope(shipped) as s,
    ):
        returns.create_rma(s, "RMA-2", [returns.ReturnLine("S1", 2)], order_id="O1")


def test_bad_third_line_writes_nothing(shipped: Engine) -> None:
    lines = [returns.ReturnLine("S1", 1), returns.ReturnLine("S2", 1), returns.ReturnLine("S9", 1)]
    with pytest.raises(ReturnsError, match="line 3: unknown SKU 'S9'"), session_scope(shipped) as s:
        returns.create_rma(s, "RMA-1", lines, order_id="O1")
    with session_scope(shipped, readonly=True) as s:
        assert s.scalars(sa.select(Rma)).all() == []
        assert list_events(s, entity_type="rma") == []


def test_damaged_items_cannot_be_restocked_and_order_of_steps_is_enforced(shipped: Engine) -> None:
    with session_scope(shipped) as s:
        returns.create_rma(s, "RMA-1", [returns.ReturnLine("S1", 1, "damaged")], order_id="O1")
    with (
        pytest.raises(ReturnsError, match="receive it before inspecting"),
        session_scope(shipped) as s,
    ):
        returns.inspect_return(s, "RMA-1", {1: "damaged"})
    with session_scope(shipped) as s:
        returns.receive_return(s, "RMA-1")
    with pytest.raises(ReturnsError, match="inspect the line"), session_scope(shipped) as s:
        returns.dispose_return(s, "RMA-1", 1, "scrap")
    with session_scope(shipped) as s:
        returns.inspect_return(s, "RMA-1", {1: "damaged"})
    with pytest.raises(ReturnsError, match="cannot go back to stock"), session_scope(shipped) as s:
        returns.dispose_return(s, "RMA-1", 1, "restock", location_id="L1")
    with pytest.raises(ReturnsError, match="condition 'broken'"), session_scope(shipped) as s:
        returns.inspect_return(s, "RMA-1", {1: "broken"})
    with pytest.raises(ReturnsError, match="complaint status 'lost'"), session_scope(shipped) as s:
        returns.set_complaint_status(s, "RMA-1", "lost")


def test_partial_receipt_only_books_what_came_back(shipped: Engine) -> None:
    with session_scope(shipped) as s:
        returns.create_rma(s, "RMA-1", [returns.ReturnLine("S1", 3)], order_id="O1")
        returns.receive_return(s, "RMA-1", {1: 2})
        (move,) = s.scalars(sa.select(StockMove).where(StockMove.reference == "RMA-1")).all()
    assert (move.kind, move.qty, move.to_location_id) == ("return", 2, "RETURNS")
    with pytest.raises(ReturnsError, match="only authorised"), session_scope(shipped) as s:
        returns.receive_return(s, "RMA-1")


def _return(s: Session, rma_id: str, lines: list[returns.ReturnLine]) -> Rma:
    returns.create_rma(s, rma_id, lines, order_id="O1")
    returns.receive_return(s, rma_id)
    returns.inspect_return(s, rma_id, {k: "new" for k in range(1, len(lines) + 1)})
    rma = None
    for k in range(1, len(lines) + 1):
        rma = returns.dispose_return(s, rma_id, k, "restock", location_id="L2")
    assert rma is not None
    return rma


def test_a_partial_return_keeps_the_order_shipped_until_everything_came_back(
    shipped: Engine,
) -> None:
    with session_scope(shipped) as s:
        assert _return(s, "RMA-P1", [returns.ReturnLine("S1", 1, "unwanted")]).status == "completed"
        assert s.get_one(Order, "O1").status == "shipped"
        _return(s, "RMA-P2", [returns.ReturnLine("S1", 2, "unwanted")])
        assert s.get_one(Order, "O1").status == "shipped"  # S2 is still with the customer
        _return(s, "RMA-P3", [returns.ReturnLine("S2", 1, "unwanted")])
        assert s.get_one(Order, "O1").status == "returned"
    with session_scope(shipped, readonly=True) as s:
        events = [(e.type, e.payload) for e in list_events(s, order_id="O1")]
        timeline = [
            (e.type, e.status) for e in order_timeline(s, "O1") if e.type.startswith("order.")
        ]
    partial = [p for t, p in events if t == "order.partially_returned"]
    assert [(p["rma_id"], p["units_returned"], p["units_shipped"]) for p in partial] == [
        ("RMA-P1", 1, 4),
        ("RMA-P2", 3, 4),
    ]
    assert [p for t, p in events if t == "order.returned"] == [
        {"rma_id": "RMA-P3", "units_returned": 4, "units_shipped": 4}
    ]
    assert timeline[-1] == ("order.returned", "returned")
