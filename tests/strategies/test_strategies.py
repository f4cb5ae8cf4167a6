"""The five strategies on the demo warehouse: conservation, capacities, sanity orderings, CRN."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from wms.scenario.compare import _context, _stream
from wms.scenario.schema import Scenario, load_scenario
from wms.sim.work import Work
from wms.strategies import LANES, STRATEGIES, OrderStream, StrategyContext, get_strategy

DEMO = "scenarios/demo.yaml"


@pytest.fixture(scope="module")
def demo() -> Scenario:
    """The shipped demo scenario: 300 orders, 8 x 20 single block, 3 pickers."""
    return load_scenario(DEMO)


@pytest.fixture(scope="module")
def stream(demo: Scenario) -> OrderStream:
    """Replication 0 of the demo."""
    return _stream(demo, 0)


@pytest.fixture(scope="module")
def context(demo: Scenario) -> StrategyContext:
    """The demo's warehouse."""
    return _context(demo)


@pytest.fixture(scope="module")
def works(demo: Scenario, stream: OrderStream, context: StrategyContext) -> dict[str, Work]:
    """Every strategy of the demo planned on replication 0."""
    return {
        s.label: get_strategy(s.name, s.params).plan(stream, context, s.label)
        for s in demo.strategies
    }


def test_every_ordered_unit_is_picked_exactly_once(works, stream) -> None:
    for name, w in works.items():
        assert not w.unplanned, name
        assert w.order_ids == tuple(o.order_id for o in stream.orders)
        per_order = np.bincount(w.part_order, weights=w.part_units, minlength=w.n_orders)
        np.testing.assert_array_equal(per_order, stream.units, err_msg=name)
        assert w.trip_units.sum() == stream.units.sum()
        w.check()


def test_only_the_put_wall_lane_sorts(works) -> None:
    sort_lane = LANES.index("sort_zone")
    for name, w in works.items():
        sorted_orders = w.sort_units > 0
        np.testing.assert_array_equal(sorted_orders, w.order_lane == sort_lane, err_msg=name)
        np.testing.assert_array_equal(w.trip_to_sort, w.trip_lane == sort_lane, err_msg=name)
        assert np.all(w.sort_units[sorted_orders] == w.order_units[sorted_orders])
    assert works["sort_zone"].trip_to_sort.all()
    assert not works["pick_and_sort_cart"].trip_to_sort.any()
    assert not works["sort_at_pack"].trip_to_sort.any()


def test_capacities_are_never_exceeded(works, demo: Scenario) -> None:
    devices = demo.devices
    orders_per_trip = {name: np.diff(w.part_start) for name, w in works.items()}
    assert works["sort_zone"].trip_units.max() <= min(devices["batch"].capacity_units, 40)
    assert orders_per_trip["pick_and_sort_cart"].max() <= 12  # one order per tote, 12 totes
    assert orders_per_trip["sort_at_pack"].max() <= 6
    singles = works["single_unit"]
    lane = singles.trip_lane == LANES.index("single_unit")
    assert singles.trip_units[lane].max() <= devices["singles"].capacity_units
    for name, w in works.items():
        groups = w.wall_group[w.wall_group >= 0]
        if groups.size:
            assert np.bincount(groups).max() <= demo.resources.put_wall_positions, name


def test_singles_and_mixed_route_orders_by_size(works, stream) -> None:
    single = works["single_unit"]
    is_single = stream.units == 1
    assert np.all(single.order_lane[is_single] == LANES.index("single_unit"))
    assert np.all(single.order_lane[~is_single] == LANES.index("sort_zone"))
    mixed = works["mixed"]
    small = (stream.units > 1) & (stream.units <= 4)
    assert np.all(mixed.order_lane[is_single] == LANES.index("single_unit"))
    assert np.all(mixed.order_lane[small] == LANES.index("pick_and_sort_cart"))
    assert np.all(mixed.order_lane[stream.units > 4] == LANES.index("sort_zone"))


def test_scans_follow_the_lane_rules(works, stream) -> None:
    units = int(stream.units.sum())
    assert works["sort_zone"].scans == 3 * units
    assert works["pick_and_sort_cart"].scans == 2 * units + len(stream)
    assert works["sort_at_pack"].scans == 2 * units


def test_two_step_check_ships_fewer_errors(demo: Scenario, stream, context) -> None:
    """Same dice for every strategy: sort_zone's second check can only catch more."""
    noisy = replace(
        context, settings=replace(context.settings, pick_error_rate=0.2, put_error_rate=0.0)
    )
    sz = get_strategy("sort_zone").plan(stream, noisy, "sz")
    sap = get_strategy("sort_at_pack", {"max_orders_per_container": 1}).plan(stream, noisy, "sap")
    np.testing.assert_array_equal(sz.errors_made, sap.errors_made)  # common random numbers
    assert np.all(sz.errors_shipped <= sap.errors_shipped)
    assert sz.errors_shipped.sum() < sap.errors_shipped.sum()
    np.testing.assert_array_equal(sz.errors_made, sz.errors_caught + sz.errors_shipped)


def test_cart_walks_at_least_as_far_as_one_sort_zone_list(demo: Scenario, stream, context) -> None:
    """With an unlimited container and one wall group per wave, sort_zone walks one exact tour
    per wave over all locations; the cart's tours cover the same locations, so by the triangle
    inequality they cannot be shorter in total."""
    big = {**context.devices}
    big["batch"] = big["batch"].model_copy(
        update={"capacity_units": None, "capacity_weight_kg": None, "capacity_volume_l": None}
    )
    roomy = replace(context, devices=big, put_wall_positions=10_000, chunk_orders=10_000)
    multi = [k for k, o in enumerate(stream.orders) if o.units > 1]
    sub = OrderStream.build(
        [stream.orders[k] for k in multi],
        stream.arrival_s[multi],
        day=demo.day,
        shifts=((7 * 3600.0, 17 * 3600.0),),
        release_interval_s=1800.0,
        rng=np.random.default_rng(0),
    )
    sz = get_strategy("sort_zone").plan(sub, roomy, "sz")
    cart = get_strategy("pick_and_sort_cart").plan(sub, roomy, "cart")
    assert sz.trip_travel_m.sum() <= cart.trip_travel_m.sum() + 1e-6
    assert sz.n_trips <= cart.n_trips


def test_unknown_strategy_and_parameter_are_named() -> None:
    with pytest.raises(ValueError, match="did you mean 'sort_zone'"):
        get_strategy("sortzone")
    with pytest.raises(ValueError, match="has no parameter 'totes'"):
        get_strategy("sort_zone", {"totes": 20})
    assert set(STRATEGIES) == {
        "single_unit", "sort_zone", "pick_and_sort_cart", "sort_at_pack", "mixed"
    }  # fmt: skip


def test_planning_is_deterministic(demo: Scenario, context) -> None:
    a = get_strategy("mixed").plan(_stream(demo, 1), context, "m")
    b = get_strategy("mixed").plan(_stream(demo, 1), context, "m")
    np.testing.assert_array_equal(a.trip_travel_m, b.trip_travel_m)
    np.testing.assert_array_equal(a.part_order, b.part_order)
    np.testing.assert_array_equal(a.errors_made, b.errors_made)


def test_bulky_lines_go_on_a_pallet_truck_to_packing(demo: Scenario, stream, context) -> None:
    """A 150-litre item fits no container: it is picked on the pallet truck, not sorted, and its
    order is consolidated at packing with the rest of it."""
    k = next(i for i, o in enumerate(stream.orders) if len(o.lines) >= 2)
    big_id = stream.orders[k].lines[0].sku_id
    catalog = dict(context.catalog)
    catalog[big_id] = replace(catalog[big_id], volume_l=150.0, weight_kg=30.0,
                              handling_class="bulky")  # fmt: skip
    bulky = replace(context, catalog=catalog)
    w = get_strategy("sort_zone").plan(stream, bulky, "sz")
    assert not w.unplanned
    big_units = sum(ln.quantity for o in stream.orders for ln in o.lines if ln.sku_id == big_id)
    direct = ~w.trip_to_sort
    assert w.trip_units[direct].sum() == big_units  # only the bulky units skip the put wall
    assert 0 < w.sort_units[k] < w.order_units[k]
    w.check()
