"""Catalogue and order generators: determinism, distributions, slotting rules, parameter checks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import multi_block_layout
from wms.layout import RectangularLayout
from wms.layout.schema import load_layout
from wms.model import Sku
from wms.scenario.generate import (
    CarrierParams,
    CatalogParams,
    OrderParams,
    depot_distances,
    generate_catalog,
    generate_order_arrivals,
    generate_orders,
    sku_demand_weights,
)

ROOT = Path(__file__).parents[2]
DAY = date(2024, 6, 3)


@pytest.fixture(scope="module")
def ecommerce() -> RectangularLayout:
    """The shipped 40-aisle, 3-block layout with bulky and fragile zones (18,560 locations)."""
    layout = load_layout(ROOT / "layouts" / "ecommerce-3-block.yaml")
    assert isinstance(layout, RectangularLayout)
    return layout


@pytest.fixture(scope="module")
def small_catalog() -> dict[str, Sku]:
    """200 Zipf SKUs slotted class-based in an 8 x 3-block layout of 480 locations."""
    return generate_catalog(
        multi_block_layout(), CatalogParams(n_skus=200), np.random.default_rng(7)
    )


# -- catalogue -------------------------------------------------------------------------------------


def test_catalog_is_deterministic(ecommerce: RectangularLayout) -> None:
    params = CatalogParams(n_skus=500, bulky_share=0.05, fragile_share=0.05, storage="random")
    a = generate_catalog(ecommerce, params, np.random.default_rng(1))
    b = generate_catalog(ecommerce, params, np.random.default_rng(1))
    c = generate_catalog(ecommerce, params, np.random.default_rng(2))
    assert a == b
    assert list(a) == list(b)
    assert a != c


def test_catalog_shape_and_one_sku_per_location(ecommerce: RectangularLayout) -> None:
    params = CatalogParams(n_skus=3000, bulky_share=0.05, fragile_share=0.06)
    cat = generate_catalog(ecommerce, params, np.random.default_rng(3))
    assert len(cat) == 3000
    locations = [s.locations for s in cat.values()]
    assert all(len(locs) == 1 for locs in locations)
    flat = [locs[0] for locs in locations]
    assert len(set(flat)) == len(flat)
    assert set(flat) <= set(ecommerce.locations.ids)
    kinds = [s.handling_class for s in cat.values()]
    assert kinds.count("bulky") == 150 and kinds.count("fragile") == 180
    assert {s.velocity_class for s in cat.values()} == {"A", "B", "C"}


def test_bulky_and_fragile_skus_sit_in_their_zones(ecommerce: RectangularLayout) -> None:
    params = CatalogParams(n_skus=2000, bulky_share=0.1, fragile_share=0.1, storage="random")
    cat = generate_catalog(ecommerce, params, np.random.default_rng(4))
    loc = ecommerce.locations
    handling = {z.name: z.handling for z in ecommerce.zones}
    for sku in cat.values():
        zone = loc.zone_of(loc.index(sku.locations[0]))
        zone_handling = handling.get(zone) if zone is not None else None
        if sku.handling_class in ("bulky", "fragile"):
            assert zone_handling == sku.handling_class, sku
        else:
            assert zone_handling is None, sku


def test_handling_classes_fall_back_to_general_locations() -> None:
    layout = multi_block_layout()  # no zones at all
    cat = generate_catalog(
        layout, CatalogParams(n_skus=100, bulky_share=0.2), np.random.default_rng(0)
    )
    assert sum(s.handling_class == "bulky" for s in cat.values()) == 20


def test_class_based_puts_a_skus_nearer_the_depot(ecommerce: RectangularLayout) -> None:
    cat = generate_catalog(ecommerce, CatalogParams(n_skus=2000), np.random.default_rng(5))
    dist = depot_distances(ecommerce)
    by_class: dict[str, list[float]] = {}
    for sku in cat.values():
        assert sku.velocity_class is not None
        i = ecommerce.locations.index(sku.locations[0])
        by_class.setdefault(sku.velocity_class, []).append(float(dist[i]))
    means = {k: float(np.mean(v)) for k, v in by_class.items()}
    assert means["A"] < means["B"] < means["C"]
    # Popularity rank order is distance order: the first SKU has the nearest location.
    first = ecommerce.locations.index(next(iter(cat.values())).locations[0])
    assert dist[first] == dist.min()


def test_random_storage_does_not_sort_by_popularity(ecommerce: RectangularLayout) -> None:
    params = CatalogParams(n_skus=2000, storage="random")
    cat = generate_catalog(ecommerce, params, np.random.default_rng(5))
    dist = depot_distances(ecommerce)
    d = [float(dist[ecommerce.locations.index(s.locations[0])]) for s in cat.values()]
    assert abs(np.mean(d[:200]) - np.mean(d[-200:])) < 0.25 * np.mean(d)


def test_abc_popularity_shares() -> None:
    cat = generate_catalog(
        multi_block_layout(),
        CatalogParams(n_skus=100, popularity="abc", abc_sku_shares=(0.2, 0.3, 0.5)),
        np.random.default_rng(0),
    )
    classes = [s.velocity_class for s in cat.values()]
    assert classes == ["A"] * 20 + ["B"] * 30 + ["C"] * 50


def test_lognormal_medians(ecommerce: RectangularLayout) -> None:
    params = CatalogParams(n_skus=4000, weight_median_kg=0.8, volume_median_l=3.0)
    cat = generate_catalog(ecommerce, params, np.random.default_rng(6))
    assert np.median([s.weight_kg for s in cat.values()]) == pytest.approx(0.8, rel=0.1)
    assert np.median([s.volume_l for s in cat.values()]) == pytest.approx(3.0, rel=0.1)


def test_more_skus_than_locations_is_a_clear_error() -> None:
    layout = multi_block_layout()
    with pytest.raises(ValueError, match=r"n_skus=500 exceeds the 480 storage locations"):
        generate_catalog(layout, CatalogParams(n_skus=500), np.random.default_rng(0))


def test_too_many_bulky_skus_for_the_bulky_zone(ecommerce: RectangularLayout) -> None:
    # The bulky zone (aisles 34-39, all blocks and levels) has 2,784 locations, not 9,000.
    params = CatalogParams(n_skus=10_000, bulky_share=0.9)
    with pytest.raises(ValueError, match=r"bulky SKUs do not fit.*'bulky' zones"):
        generate_catalog(ecommerce, params, np.random.default_rng(0))


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n_skus": 0}, r"CatalogParams\.n_skus must be an integer >= 1, got 0"),
        ({"bulky_share": 1.5}, r"CatalogParams\.bulky_share must be a number in \[0, 1\]"),
        ({"bulky_share": 0.6, "fragile_share": 0.6}, r"bulky_share \+ fragile_share"),
        ({"zipf_exponent": 0}, r"CatalogParams\.zipf_exponent must be a finite number > 0"),
        ({"storage": "abc"}, r"CatalogParams\.storage must be 'random' or 'class_based'"),
        ({"weight_sigma": 9.0}, r"CatalogParams\.weight_sigma must be in \[0, 5\]"),
        ({"abc_sku_shares": (1.0, 1.0)}, r"CatalogParams\.abc_sku_shares needs 3 values"),
    ],
)
def test_catalog_params_are_checked(kwargs: dict[str, object], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        CatalogParams(**kwargs)  # type: ignore[arg-type]


# -- orders ----------------------------------------------------------------------------------------


def test_orders_are_deterministic(small_catalog: dict[str, Sku]) -> None:
    params = OrderParams(n_orders=300, carriers=(CarrierParams("DHL", time(15)),))
    a = generate_order_arrivals(small_catalog, params, np.random.default_rng(1), day=DAY)
    b = generate_order_arrivals(small_catalog, params, np.random.default_rng(1), day=DAY)
    assert a == b
    plain = generate_orders(small_catalog, params, np.random.default_rng(1), day=DAY)
    assert plain == [o for _, o in a]
    other = generate_orders(small_catalog, params, np.random.default_rng(2), day=DAY)
    assert plain != other


def test_orders_are_valid(small_catalog: dict[str, Sku]) -> None:
    params = OrderParams(n_orders=2000, max_lines=6, max_quantity=4)
    orders = generate_orders(small_catalog, params, np.random.default_rng(3), day=DAY)
    assert len(orders) == 2000
    assert len({o.order_id for o in orders}) == 2000
    for o in orders:
        skus = [ln.sku_id for ln in o.lines]
        assert len(set(skus)) == len(skus)  # distinct SKUs per order
        assert set(skus) <= set(small_catalog)
        assert 1 <= len(o.lines) <= 6
        assert all(1 <= ln.quantity <= 4 for ln in o.lines)


@pytest.mark.parametrize("share", [0.0, 0.3, 0.5, 0.8, 1.0])
def test_single_unit_share(small_catalog: dict[str, Sku], share: float) -> None:
    params = OrderParams(n_orders=4000, single_unit_share=share)
    orders = generate_orders(small_catalog, params, np.random.default_rng(11), day=DAY)
    observed = sum(o.units == 1 for o in orders) / len(orders)
    assert observed == pytest.approx(share, abs=0.03)


def test_mean_lines_of_multi_unit_orders(small_catalog: dict[str, Sku]) -> None:
    params = OrderParams(n_orders=5000, single_unit_share=0.0, mean_lines=3.0, max_lines=50)
    orders = generate_orders(small_catalog, params, np.random.default_rng(12), day=DAY)
    assert np.mean([len(o.lines) for o in orders]) == pytest.approx(3.0, rel=0.06)
    assert all(o.units >= 2 for o in orders)


def test_popular_skus_are_ordered_more(small_catalog: dict[str, Sku]) -> None:
    params = OrderParams(n_orders=3000)
    orders = generate_orders(small_catalog, params, np.random.default_rng(13), day=DAY)
    counts: dict[str, int] = {}
    for o in orders:
        for ln in o.lines:
            counts[ln.sku_id] = counts.get(ln.sku_id, 0) + 1
    ids = list(small_catalog)
    assert sum(counts.get(s, 0) for s in ids[:20]) > sum(counts.get(s, 0) for s in ids[-100:])


def test_demand_weights_abc_and_uniform(small_catalog: dict[str, Sku]) -> None:
    w = sku_demand_weights(small_catalog, OrderParams(popularity="abc"))
    classes = np.array([s.velocity_class for s in small_catalog.values()])
    assert w.sum() == pytest.approx(1.0)
    assert w[classes == "A"].sum() == pytest.approx(0.6)
    u = sku_demand_weights(small_catalog, OrderParams(popularity="uniform"))
    assert np.allclose(u, 1 / len(small_catalog))


RATES = st.lists(st.integers(0, 5), min_size=24, max_size=24).filter(lambda r: sum(r) > 0)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rates=RATES, seed=st.integers(0, 2**32 - 1))
def test_arrivals_within_the_day_and_only_in_open_hours(
    small_catalog: dict[str, Sku], rates: list[int], seed: int
) -> None:
    params = OrderParams(n_orders=200, hourly_rates=tuple(float(r) for r in rates))
    pairs = generate_order_arrivals(small_catalog, params, np.random.default_rng(seed), day=DAY)
    arrivals = [a for a, _ in pairs]
    assert arrivals == sorted(arrivals)
    midnight = datetime.combine(DAY, time())
    for a in arrivals:
        assert midnight <= a < midnight + timedelta(days=1)
        assert rates[a.hour] > 0


def test_peak_profile_is_respected(small_catalog: dict[str, Sku]) -> None:
    rates = [0.0] * 24
    rates[8:16] = [1, 1, 4, 4, 1, 1, 2, 2]
    params = OrderParams(n_orders=20_000, hourly_rates=tuple(rates), single_unit_share=1.0)
    pairs = generate_order_arrivals(small_catalog, params, np.random.default_rng(21), day=DAY)
    per_hour = np.bincount([a.hour for a, _ in pairs], minlength=24)
    expected = 20_000 * np.array(rates) / sum(rates)
    assert np.all(per_hour[np.array(rates) == 0] == 0)
    assert np.allclose(per_hour, expected, rtol=0.1)


def test_poisson_count_varies_around_the_mean(small_catalog: dict[str, Sku]) -> None:
    params = OrderParams(n_orders=400, count="poisson", single_unit_share=1.0)
    counts = [
        len(generate_orders(small_catalog, params, np.random.default_rng(s), day=DAY))
        for s in range(20)
    ]
    assert len(set(counts)) > 1
    assert np.mean(counts) == pytest.approx(400, rel=0.05)


def test_waves(small_catalog: dict[str, Sku]) -> None:
    params = OrderParams(
        n_orders=300,
        arrival="waves",
        wave_times=(time(8), time(12, 30), time(16)),
        wave_shares=(1, 1, 2),
    )
    pairs = generate_order_arrivals(small_catalog, params, np.random.default_rng(3), day=DAY)
    times = [a.time() for a, _ in pairs]
    assert set(times) <= {time(8), time(12, 30), time(16)}
    assert times.count(time(16)) == pytest.approx(150, abs=30)


def test_cutoff_is_the_next_carrier_cutoff(small_catalog: dict[str, Sku]) -> None:
    carriers = (CarrierParams("DPD", time(12), 1.0), CarrierParams("DHL", time(15), 2.0))
    params = OrderParams(n_orders=2000, carriers=carriers, channels=(("shop", 1), ("amz", 1)))
    pairs = generate_order_arrivals(small_catalog, params, np.random.default_rng(4), day=DAY)
    cut = {"DPD": time(12), "DHL": time(15)}
    for at, order in pairs:
        assert order.carrier in cut and order.cutoff is not None
        assert order.cutoff > at
        assert order.cutoff.time() == cut[order.carrier]
        assert order.cutoff - at <= timedelta(days=1)
    share_dhl = sum(o.carrier == "DHL" for _, o in pairs) / len(pairs)
    assert share_dhl == pytest.approx(2 / 3, abs=0.04)
    assert {o.channel for _, o in pairs} == {"shop", "amz"}


def test_priority_share(small_catalog: dict[str, Sku]) -> None:
    params = OrderParams(n_orders=4000, priority_share=0.1)
    orders = generate_orders(small_catalog, params, np.random.default_rng(5), day=DAY)
    assert sum(o.priority == 1 for o in orders) / 4000 == pytest.approx(0.1, abs=0.02)
    assert all(o.carrier is None and o.cutoff is None for o in orders)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n_orders": 0}, r"OrderParams\.n_orders must be an integer >= 1"),
        (
            {"single_unit_share": -0.1},
            r"OrderParams\.single_unit_share must be a number in \[0, 1\]",
        ),
        ({"hourly_rates": (1.0,) * 23}, r"OrderParams\.hourly_rates needs 24 values"),
        ({"hourly_rates": (0.0,) * 24}, r"OrderParams\.hourly_rates must hold shares"),
        ({"arrival": "waves"}, r"OrderParams\.wave_times must list at least one time"),
        ({"mean_lines": 40.0}, r"OrderParams\.mean_lines must be in \[1, max_lines=30\]"),
        ({"max_quantity": 1}, r"OrderParams\.max_quantity must be an integer in \[2, 100000\]"),
        ({"popularity": "zipf"}, r"OrderParams\.popularity must be 'rank', 'abc' or 'uniform'"),
        ({"priority_share": 2}, r"OrderParams\.priority_share must be a number in \[0, 1\]"),
    ],
)
def test_order_params_are_checked(kwargs: dict[str, object], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        OrderParams(**kwargs)  # type: ignore[arg-type]


def test_duplicate_carrier_is_rejected() -> None:
    c = CarrierParams("DHL", time(15))
    with pytest.raises(ValueError, match="lists a carrier twice"):
        OrderParams(carriers=(c, c))
    with pytest.raises(ValueError, match=r"CarrierParams\.share"):
        CarrierParams("DHL", time(15), share=0)


def test_graph_layout_slotting_by_walking_distance() -> None:
    layout = load_layout(ROOT / "layouts" / "graph-mezzanine.yaml")
    n = len(layout.locations)
    cat = generate_catalog(
        layout, CatalogParams(n_skus=n, bulky_share=0.1), np.random.default_rng(0)
    )
    dist = depot_distances(layout)
    d = [float(dist[layout.locations.index(s.locations[0])]) for s in cat.values()]
    # No bulky zone: bulky SKUs are slotted by rank together with the rest, so the walking
    # distance never decreases along the popularity ranking.
    assert d == sorted(d)
    assert len({s.locations[0] for s in cat.values()}) == n


ORDER_PARAMS = st.builds(
    OrderParams,
    n_orders=st.integers(1, 150),
    single_unit_share=st.floats(0, 1),
    lines=st.sampled_from(["geometric", "poisson"]),
    mean_lines=st.floats(1, 6),
    max_lines=st.integers(6, 12),
    mean_quantity=st.floats(1, 3),
    max_quantity=st.integers(3, 6),
    popularity=st.sampled_from(["rank", "abc", "uniform"]),
    carriers=st.just((CarrierParams("DPD", time(12)), CarrierParams("DHL", time(15, 30), 2.0))),
    priority_share=st.floats(0, 1),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=ORDER_PARAMS, seed=st.integers(0, 2**32 - 1))
def test_generated_orders_are_always_well_formed(
    small_catalog: dict[str, Sku], params: OrderParams, seed: int
) -> None:
    pairs = generate_order_arrivals(small_catalog, params, np.random.default_rng(seed), day=DAY)
    assert len(pairs) == params.n_orders
    for at, order in pairs:
        assert at.date() == DAY
        assert order.cutoff is not None and at < order.cutoff <= at + timedelta(days=1)
        assert 1 <= len(order.lines) <= params.max_lines
        assert len({ln.sku_id for ln in order.lines}) == len(order.lines)
        assert all(1 <= ln.quantity <= params.max_quantity for ln in order.lines)
        assert order.priority in (0, 1)
    if params.single_unit_share == 1.0:
        assert all(o.units == 1 for _, o in pairs)
    if params.single_unit_share == 0.0:
        assert all(o.units >= 2 for _, o in pairs)
