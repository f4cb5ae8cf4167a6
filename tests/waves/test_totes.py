"""Pick-and-sort cart totes: packing one order into totes, numbering, and cart plans."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.plan_fixtures import check_plan, random_catalog, random_orders, zoned_layout
from wms.model import Order, OrderLine, Sku
from wms.planning import plan_picklists
from wms.waves.config import PlanConfig
from wms.waves.totes import ToteCapacity, ToteItem, number_totes, pack_totes

LAYOUT = zoned_layout()


def test_an_order_that_fits_takes_one_tote() -> None:
    totes = pack_totes([ToteItem(2, 1.0, 1.0), ToteItem(3, 0.5, 2.0)], ToteCapacity(10, 5, 10))
    assert totes is not None and len(totes) == 1
    assert sorted(totes[0]) == [(0, 2), (1, 3)]


def test_a_line_larger_than_a_tote_fills_whole_totes() -> None:
    totes = pack_totes([ToteItem(25, 1.0, 0.0)], ToteCapacity(units=10))
    assert totes == [[(0, 10)], [(0, 10)], [(0, 5)]]


def test_a_unit_larger_than_a_tote_cannot_be_packed() -> None:
    assert pack_totes([ToteItem(1, 12.0, 1.0)], ToteCapacity(weight_kg=10)) is None


def test_first_fit_decreasing_keeps_lines_whole() -> None:
    # 6 kg, 5 kg, 4 kg, 3 kg, 2 kg in 10 kg totes: FFD gives {6,4}, {5,3,2}.
    items = [ToteItem(1, w, 0.0) for w in (2.0, 5.0, 4.0, 6.0, 3.0)]
    totes = pack_totes(items, ToteCapacity(weight_kg=10))
    assert totes is not None
    assert sorted(sorted(i for i, _ in t) for t in totes) == [[0, 1, 4], [2, 3]]


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(
        st.tuples(st.integers(1, 30), st.floats(0, 8), st.floats(0, 12)), min_size=1, max_size=12
    ),
    cap=st.tuples(
        st.none() | st.integers(1, 20), st.none() | st.floats(1, 20), st.none() | st.floats(1, 40)
    ),
)
def test_packing_keeps_every_unit_and_every_tote_limit(
    items: list[tuple[int, float, float]], cap: tuple[int | None, float | None, float | None]
) -> None:
    capacity = ToteCapacity(*(math.inf if c is None else float(c) for c in cap))
    tote_items = [ToteItem(q, w, v) for q, w, v in items]
    totes = pack_totes(tote_items, capacity)
    fits = all(capacity.max_units_of(it.unit_weight_kg, it.unit_volume_l) >= 1 for it in tote_items)
    assert (totes is not None) == fits
    if totes is None:
        return
    placed = [0] * len(items)
    for tote in totes:
        assert tote, "no empty totes"
        units = sum(q for _, q in tote)
        weight = sum(q * tote_items[i].unit_weight_kg for i, q in tote)
        volume = sum(q * tote_items[i].unit_volume_l for i, q in tote)
        assert units <= capacity.units and weight <= capacity.weight_kg + 1e-9
        assert volume <= capacity.volume_l + 1e-9
        for i, q in tote:
            placed[i] += q
    assert placed == [q for q, _, _ in items]


def test_number_totes_keeps_an_orders_totes_together() -> None:
    first_seen = [(2, 0), (0, 1), (2, 1), (0, 0), (1, 0), (2, 0)]
    assert number_totes(first_seen) == {(2, 0): 1, (2, 1): 2, (0, 1): 3, (0, 0): 4, (1, 0): 5}


# -- cart plans ---------------------------------------------------------------------------------


def _catalog() -> dict[str, Sku]:
    ids = LAYOUT.locations.ids
    return {f"S{k}": Sku(f"S{k}", 1.0, 2.0, locations=(ids[k * 7],)) for k in range(12)}


def _cart(totes: int = 3, oversize: str = "several_totes", **extra: object) -> PlanConfig:
    return PlanConfig.model_validate({
        "strategy": "cart",
        "devices": {"cart": {"name": "cart-3", "totes": totes, "tote_capacity_units": 4}},
        "cart": {"oversize": oversize},
        **extra,
    })  # fmt: skip


def test_one_order_per_tote_and_at_most_n_totes_per_cart() -> None:
    catalog = _catalog()
    orders = [Order(f"O{k}", (OrderLine(f"S{k}", 2), OrderLine(f"S{k + 1}", 1))) for k in range(8)]
    cfg = _cart(totes=3, split={"by_zone": False})
    plan = plan_picklists(orders, catalog, LAYOUT, cfg)
    assert not plan.unassigned
    assert len(plan.pick_lists) == 3  # 8 orders, 3 totes per cart
    for p in plan.pick_lists:
        assert p.strategy == "cart" and p.device == "cart-3"
        assert len(p.totes) == len(p.orders) <= 3
        assert sorted(p.totes) == list(range(1, len(p.totes) + 1))
        for s in p.stops:
            assert p.totes[s.tote] == s.order_id  # type: ignore[index]
    check_plan(plan, orders, catalog, LAYOUT, cfg)


def test_an_order_larger_than_a_tote_gets_several_totes() -> None:
    catalog = _catalog()
    big = Order("BIG", (OrderLine("S1", 3), OrderLine("S2", 3), OrderLine("S3", 1)))  # 7 units
    cfg = _cart(split={"by_zone": False})
    plan = plan_picklists([big], catalog, LAYOUT, cfg)
    (p,) = plan.pick_lists
    assert p.totes == {1: "BIG", 2: "BIG"}
    per_tote = {t: sum(s.quantity for s in p.stops if s.tote == t) for t in p.totes}
    assert all(u <= 4 for u in per_tote.values()) and sum(per_tote.values()) == 7
    check_plan(plan, [big], catalog, LAYOUT, cfg)


def test_an_order_larger_than_a_tote_can_go_to_a_batch_list_instead() -> None:
    catalog = _catalog()
    big = Order("BIG", (OrderLine("S1", 3), OrderLine("S2", 3)))
    small = Order("SMALL", (OrderLine("S4", 1),))
    cfg = _cart(oversize="batch", split={"by_zone": False})
    plan = plan_picklists([big, small], catalog, LAYOUT, cfg)
    assert {p.strategy: p.orders for p in plan.pick_lists} == {
        "batch": ("BIG",),
        "cart": ("SMALL",),
    }
    batch = next(p for p in plan.pick_lists if p.strategy == "batch")
    assert all(s.tote is None for s in batch.stops) and batch.end == "sort"
    check_plan(plan, [big, small], catalog, LAYOUT, cfg)


def test_an_order_larger_than_a_tote_can_be_reported() -> None:
    catalog = _catalog()
    big = Order("BIG", (OrderLine("S1", 5),))
    plan = plan_picklists([big], catalog, LAYOUT, _cart(oversize="unassigned"))
    assert [(u.order_id, u.reason) for u in plan.unassigned] == [
        ("BIG", "order_too_large_for_tote")
    ]
    assert "needs 2 totes" in plan.unassigned[0].message
    assert not plan.pick_lists


def test_an_order_needing_more_totes_than_the_cart_has() -> None:
    catalog = _catalog()
    huge = Order("HUGE", (OrderLine("S1", 15),))  # 4 totes of 4 units, the cart has 3
    plan = plan_picklists([huge], catalog, LAYOUT, _cart())
    assert [u.reason for u in plan.unassigned] == ["order_too_large"]
    split = _cart(split={"split_orders": True})
    plan = plan_picklists([huge], catalog, LAYOUT, split)
    assert [len(p.totes) for p in plan.pick_lists] == [3, 1]
    check_plan(plan, [huge], catalog, LAYOUT, split)


def test_cart_stops_at_one_location_are_consecutive_and_name_their_tote() -> None:
    catalog = _catalog()
    orders = [Order(f"O{k}", (OrderLine("S5", 1), OrderLine(f"S{k}", 1))) for k in range(3)]
    plan = plan_picklists(orders, catalog, LAYOUT, _cart(split={"by_zone": False}))
    (p,) = plan.pick_lists
    at_s5 = [k for k, s in enumerate(p.stops) if s.sku_id == "S5"]
    assert at_s5 == list(range(at_s5[0], at_s5[0] + 3))
    assert sorted(p.stops[k].tote for k in at_s5) == [1, 2, 3]  # type: ignore[type-var]


def test_random_cart_plans_keep_tote_rules() -> None:
    rng = np.random.default_rng(11)
    catalog = random_catalog(rng, LAYOUT, 40)
    orders = random_orders(rng, catalog, 40)
    cfg = PlanConfig.model_validate({"strategy": "cart", "cart": {"oversize": "several_totes"},
                                     "split": {"split_orders": True}})  # fmt: skip
    plan = plan_picklists(orders, catalog, LAYOUT, cfg)
    check_plan(plan, orders, catalog, LAYOUT, cfg)
