"""A scenario small enough to compute by hand: two orders, three units, one of each staff.

``tests/data/scenarios/tiny.yaml``: SKUs A, B, C in aisle 0 at y = 1.5, 3.5 and 8.5 m; the depot
(start and end of every list) at the front of aisle 0; O1 = 1 x A, O2 = 1 x B + 1 x C, both due
at 09:00; orders from a file arrive when the shift starts (08:00 = 28,800 s) and are released at
once. Time standards are the defaults (walk 0.8 m/s, pick 10 s/unit, set-up 180 s, put to tote
2.5 s, scan 2 s, sort 4 s/unit, pack 45 s/order + 5 s/unit) and label printing takes 5 s. The
error model is off.

Every list walks up aisle 0 to C and back: 2 x 8.5 = 17 m, 21.25 s.
"""

from __future__ import annotations

import pytest

from wms.scenario.compare import compare

TINY = "tests/data/scenarios/tiny.yaml"
START = 8 * 3600.0


@pytest.fixture(scope="module")
def tiny():
    """The comparison of all five strategies on the tiny scenario."""
    return compare(TINY)


def _kpi(result, strategy: str, name: str) -> float:
    row = result.summary[(result.summary.strategy == strategy) & (result.summary.kpi == name)]
    return float(row["mean"].iloc[0])


def test_sort_zone_by_hand(tiny) -> None:
    # One container with the 3 units: 180 + 17 / 0.8 + 3 x 10 = 231.25 s of picking.
    trips = tiny.trips[tiny.trips.strategy == "sort_zone"]
    assert len(trips) == 1
    trip = trips.iloc[0]
    assert trip.travel_m == pytest.approx(17.0)
    assert trip.start_s == pytest.approx(START)
    assert trip.end_s == pytest.approx(START + 231.25)
    # Sorted at the put wall in 3 x 4 = 12 s.
    assert trip.sort_end_s == pytest.approx(START + 243.25)
    orders = tiny.orders[tiny.orders.strategy == "sort_zone"].set_index("order_id")
    # O1 packs first (same cutoff, same ready time, lower index): 45 + 5 + 2 (scan) + 5 (label).
    assert orders.loc["O1", "pack_start_s"] == pytest.approx(START + 243.25)
    assert orders.loc["O1", "packed_s"] == pytest.approx(START + 300.25)
    # O2: 45 + 2 x 5 + 2 x 2 + 5 = 64 s after O1.
    assert orders.loc["O2", "packed_s"] == pytest.approx(START + 364.25)
    assert _kpi(tiny, "sort_zone", "travel_m") == pytest.approx(17.0)
    assert _kpi(tiny, "sort_zone", "travel_m_per_unit") == pytest.approx(17.0 / 3)
    assert _kpi(tiny, "sort_zone", "makespan_h") == pytest.approx(364.25 / 3600)
    assert _kpi(tiny, "sort_zone", "cycle_time_max_min") == pytest.approx(364.25 / 60)
    assert _kpi(tiny, "sort_zone", "labour_h") == pytest.approx((231.25 + 12 + 57 + 64) / 3600)
    assert _kpi(tiny, "sort_zone", "sort_work_h") == pytest.approx(12 / 3600)
    assert _kpi(tiny, "sort_zone", "units_per_picker_hour") == pytest.approx(3 / (231.25 / 3600))
    assert _kpi(tiny, "sort_zone", "scans_per_unit") == pytest.approx(3.0)
    assert _kpi(tiny, "sort_zone", "put_wall_positions_needed") == 2
    assert _kpi(tiny, "sort_zone", "late_orders") == 0


def test_cart_by_hand(tiny) -> None:
    # One cart, one tote per order: 180 + 21.25 + 3 x (10 + 2.5) = 238.75 s.
    trip = tiny.trips[tiny.trips.strategy == "pick_and_sort_cart"].iloc[0]
    assert trip.end_s - trip.start_s == pytest.approx(238.75)
    assert not trip.to_sort
    orders = tiny.orders[tiny.orders.strategy == "pick_and_sort_cart"].set_index("order_id")
    # Tote scan 2 + 45 + 5 per unit + label 5: O1 57 s, O2 62 s; no sorting.
    assert orders.loc["O1", "packed_s"] == pytest.approx(START + 238.75 + 57)
    assert orders.loc["O2", "packed_s"] == pytest.approx(START + 238.75 + 57 + 62)
    assert _kpi(tiny, "pick_and_sort_cart", "sort_work_h") == 0
    assert _kpi(tiny, "pick_and_sort_cart", "scans_per_unit") == pytest.approx(8 / 3)


def test_single_unit_sends_multi_unit_orders_to_the_fallback(tiny) -> None:
    orders = tiny.orders[tiny.orders.strategy == "single_unit"].set_index("order_id")
    assert orders.loc["O1", "lane"] == "single_unit"
    assert orders.loc["O2", "lane"] == "sort_zone"
    # Two lists: O1's tote ends at the pack station (180 + 2 x 1.5 / 0.8 + 10 s), O2's
    # container goes to the put wall (180 + 17 / 0.8 + 20 s).
    trips = tiny.trips[tiny.trips.strategy == "single_unit"].sort_values("travel_m")
    assert list(trips.travel_m) == pytest.approx([3.0, 17.0])
    assert list(trips.to_sort) == [False, True]


def test_sort_at_pack_by_hand(tiny) -> None:
    # Both orders share a container (at most 2 per container); at the pack station each unit is
    # scanned and matched among 2 orders: 1 s search per unit per further order.
    trip = tiny.trips[tiny.trips.strategy == "sort_at_pack"].iloc[0]
    assert trip.end_s - trip.start_s == pytest.approx(231.25)
    orders = tiny.orders[tiny.orders.strategy == "sort_at_pack"].set_index("order_id")
    o1 = 45 + 5 + 5 + (2 + 1) * 1
    o2 = 45 + 5 + 2 * 5 + (2 + 1) * 2
    assert orders.loc["O1", "packed_s"] == pytest.approx(START + 231.25 + o1)
    assert orders.loc["O2", "packed_s"] == pytest.approx(START + 231.25 + o1 + o2)


def test_recommendation_names_the_best_on_the_objective(tiny) -> None:
    labour = {s: _kpi(tiny, s, "labour_s_per_unit") for s in tiny.strategies}
    assert tiny.recommendation.objective == "labour_s_per_unit"
    assert tiny.recommendation.best == min(labour, key=lambda s: labour[s])
    assert tiny.recommendation.ranking == tuple(sorted(labour, key=lambda s: labour[s]))
    assert "one replication" in tiny.recommendation.reasons[1]


def test_json_document_shape(tiny) -> None:
    doc = tiny.to_dict()
    assert doc["scenario"] == "tiny"
    assert [s["name"] for s in doc["strategies"]] == list(tiny.strategies)
    kpis = doc["strategies"][0]["kpis"]
    assert kpis["travel_m"]["mean"] == pytest.approx(17.0)
    assert kpis["travel_m"]["ci_low"] == kpis["travel_m"]["ci_high"]


def test_order_file_arrival_times_are_used(tmp_path) -> None:
    """Orders with an ``arrival`` column wait for the next wave after it (30-min grid from the
    08:00 shift start); orders without one arrive when the shift starts."""
    from pathlib import Path

    import yaml

    data = Path("tests/data/scenarios")
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,sku_id,quantity,cutoff,arrival\n"
        "O1,A,1,2024-06-03T12:00,2024-06-03T09:10\n"
        "O2,B,1,2024-06-03T12:00,\n"
    )
    doc = yaml.safe_load((data / "tiny.yaml").read_text())
    doc["layout"] = str((data / "tiny-layout.yaml").resolve())
    doc["catalogue"] = {"file": str((data / "tiny-skus.csv").resolve())}
    doc["orders"] = {"file": str(orders)}
    doc["strategies"] = [{"name": "pick_and_sort_cart"}]
    path = tmp_path / "arrivals.yaml"
    path.write_text(yaml.safe_dump(doc))
    result = compare(path)
    got = result.orders.set_index("order_id")
    assert got.loc["O1", "arrival_s"] == pytest.approx(9 * 3600 + 600)
    assert got.loc["O2", "arrival_s"] == pytest.approx(START)
    trips = result.trips.sort_values("start_s")
    assert list(trips.release_s) == pytest.approx([START, 9.5 * 3600])
