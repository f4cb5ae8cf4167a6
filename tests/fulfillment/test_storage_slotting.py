"""Re-slotting: fast movers far from the depot are moved closer; the saving is in metres per day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.db_fixtures import add_order, seed
from wms.fulfillment import stock
from wms.fulfillment.storage import pick_frequencies, suggest_reslotting
from wms.layout.schema import load_layout
from wms.scenario.generate import depot_distances
from wms.store.db import session_scope
from wms.store.models import Location

T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)


@pytest.fixture
def picked(db_engine: Engine) -> Engine:
    """FAST (20 picks in 2 days) lives at L4 (8 m); SLOW (2 picks) at L1 (2 m); L2, L3 empty."""
    with session_scope(db_engine) as s:
        seed(
            s,
            skus=["FAST", "SLOW"],
            storage=[("L1", 2.0, 50), ("L2", 4.0, 50), ("L3", 6.0, 50), ("L4", 8.0, 50)],
        )
        stock.receive(s, "FAST", "L4", 40)
        stock.receive(s, "SLOW", "L1", 10)
        plan = [("FAST", 20), ("SLOW", 2)]
        for n, (sku, picks) in enumerate(plan):
            for i in range(picks):
                order_id = f"O-{n}-{i}"
                add_order(s, order_id, [(sku, 1)])
                (r,) = stock.reserve(s, order_id, 1, sku, 1)
                stock.pick(s, r.id, at=T0 + timedelta(hours=i))
    return db_engine


def test_pick_frequencies_count_pick_visits(picked: Engine) -> None:
    with session_scope(picked, readonly=True) as s:
        assert pick_frequencies(s) == {"FAST": 20, "SLOW": 2}
        assert pick_frequencies(s, until=T0 + timedelta(hours=1)) == {"FAST": 1, "SLOW": 1}


def test_fast_mover_moves_next_to_the_depot_and_saving_is_hand_checked(picked: Engine) -> None:
    with session_scope(picked, readonly=True) as s:
        plan = suggest_reslotting(s, since=T0, until=T0 + timedelta(days=2))
    assert plan.days == 2.0
    # 10 picks/day of FAST: 2 legs x (8 - 2) m = 120 m/day saved; SLOW (1 pick/day) makes room
    # and moves from 2 m to the empty L2 at 4 m: -4 m/day.
    moves = [(m.sku_id, m.from_location_id, m.to_location_id) for m in plan.moves]
    assert moves == [("FAST", "L4", "L1"), ("SLOW", "L1", "L2")]
    assert [m.saving_m_per_day for m in plan.moves] == pytest.approx([120.0, -4.0])
    assert plan.current_travel_m_per_day == pytest.approx(2 * 10 * 8 + 2 * 1 * 2)
    assert plan.proposed_travel_m_per_day == pytest.approx(2 * 10 * 2 + 2 * 1 * 4)
    assert plan.saving_m_per_day == pytest.approx(116.0)


def test_capacity_limits_the_new_home(db_engine: Engine) -> None:
    with session_scope(db_engine) as s:
        seed(s, skus=["BIG"], storage=[("NEAR", 1.0, 5), ("FAR", 9.0, 100)])
        stock.receive(s, "BIG", "FAR", 30)
        add_order(s, "O1", [("BIG", 1)])
        (r,) = stock.reserve(s, "O1", 1, "BIG", 1)
        stock.pick(s, r.id)
        plan = suggest_reslotting(s)
    assert plan.moves == ()
    assert plan.saving_m_per_day == 0.0


def test_nothing_picked_means_nothing_to_move(db_engine: Engine) -> None:
    with session_scope(db_engine) as s:
        seed(s)
        stock.receive(s, "S1", "L3", 3)
        plan = suggest_reslotting(s)
    assert plan.moves == () and plan.current_travel_m_per_day == 0.0


def test_locations_from_a_layout_carry_depot_distances(db_engine: Engine) -> None:
    layout = load_layout(Path(__file__).resolve().parents[2] / "layouts" / "henn-10x45.yaml")
    expected = depot_distances(layout)
    with session_scope(db_engine) as s:
        n = stock.sync_locations(s, layout, capacity_units=30)
        assert n == len(layout.locations) == 900
        rows = {loc.id: loc for loc in s.scalars(sa.select(Location))}
    for i in (0, 1, 450, 899):
        row = rows[layout.locations.ids[i]]
        assert row.distance_m == pytest.approx(float(expected[i]))
        assert (row.kind, row.capacity_units) == ("storage", 30)
    nearest = min(rows.values(), key=lambda r: r.distance_m or 0.0)
    assert nearest.distance_m == pytest.approx(float(expected.min()))
