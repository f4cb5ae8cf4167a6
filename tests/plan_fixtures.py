"""Small hand-checkable instances for the pick-list planning tests, and the invariants they check.

``zoned_layout()`` is a 6-aisle, 2-block rectangular warehouse with three zones:

* aisle 5 (both blocks) is the ``bulky`` zone,
* the rest of block 0 is ``front``, the rest of block 1 is ``back``;

with a depot at the front of aisle 0, a pack station ``pack`` and a sort zone ``sort`` at the
front. Location ids look like ``A03-B1-P05-L`` (one level).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from wms.layout import BlockSpec, RectangularLayout, Zone, ZoneRule, build_rectangular
from wms.model import Order, OrderLine, Plan, Point, Sku
from wms.waves.config import PlanConfig

HANDLING = ("normal", "bulky", "fragile")


def zoned_layout() -> RectangularLayout:
    """6 aisles 3 m apart, 2 blocks of 8 positions; zones bulky (aisle 5), front, back."""
    return build_rectangular(
        "plan-test",
        aisle_x_m=[3.0 * a for a in range(6)],
        blocks=[BlockSpec(positions=8, pitch_m=1.0, front_to_first_m=1.0, last_to_back_m=1.0)] * 2,
        points=[Point("depot", 0.0, 0), Point("pack", 9.0, 0, 1.0), Point("sort", 12.0, 0, 2.0)],
        zone_rules=[
            ZoneRule(Zone("bulky", "bulky"), aisles=(5,)),
            ZoneRule(Zone("front"), blocks=(0,)),
            ZoneRule(Zone("back"), blocks=(1,)),
        ],
        pack_stations=("pack",),
        sort_zone="sort",
    )


def random_catalog(
    rng: np.random.Generator, layout: RectangularLayout, n_skus: int
) -> dict[str, Sku]:
    """``n_skus`` SKUs on distinct random locations, weights 0.1-12 kg, some bulky or fragile."""
    locs = rng.choice(len(layout.locations), size=n_skus, replace=False)
    out = {}
    for k, i in enumerate(locs):
        sku = Sku(
            sku_id=f"S{k:03d}",
            weight_kg=round(float(rng.uniform(0.1, 12.0)), 2),
            volume_l=round(float(rng.uniform(0.2, 30.0)), 2),
            handling_class=str(rng.choice(HANDLING, p=[0.7, 0.15, 0.15])),
            locations=(layout.locations.ids[int(i)],),
        )
        out[sku.sku_id] = sku
    return out


def random_orders(
    rng: np.random.Generator, catalog: dict[str, Sku], n_orders: int, max_lines: int = 5
) -> list[Order]:
    """``n_orders`` orders of 1..``max_lines`` lines, quantities 1-4, about half single-line."""
    ids = list(catalog)
    orders = []
    for o in range(n_orders):
        n = 1 if rng.random() < 0.5 else int(rng.integers(1, max_lines + 1))
        lines = tuple(OrderLine(str(rng.choice(ids)), int(rng.integers(1, 5))) for _ in range(n))
        orders.append(Order(f"O{o:03d}", lines, carrier=str(rng.choice(["DHL", "DPD"]))))
    return orders


def check_plan(
    plan: Plan,
    orders: list[Order],
    catalog: dict[str, Sku],
    layout: RectangularLayout,
    cfg: PlanConfig,
) -> None:
    """Assert every invariant a plan must keep (see the module docstring of wms.planning).

    * every order line is picked exactly once (summed over stops), or its order is unassigned and
      none of its lines is picked;
    * no list exceeds its device capacity or a split-rule limit (units, kg, l, lines, orders,
      totes); totals equal the sums over the stops;
    * lists never mix zones (``by_zone``) or separated handling classes;
    * on a cart, one order per tote and at most ``totes`` totes, numbered 1..n.
    """
    by_id = {o.order_id: o for o in orders}
    unassigned = {u.order_id for u in plan.unassigned}
    picked: dict[tuple[str, int], int] = defaultdict(int)
    for p in plan.pick_lists:
        dev = getattr(cfg.devices, p.strategy)
        own = cfg.handling_devices.get(p.handling_class or "")
        if own is not None and p.device == own.name:
            dev = own
        rules = cfg.split
        units = weight = volume = 0.0
        lines: set[tuple[str, int]] = set()
        zones: set[str | None] = set()
        classes: set[str] = set()
        tote_orders: dict[int, str] = {}
        tote_load: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for s in p.stops:
            order = by_id[s.order_id]
            line = order.lines[s.line]
            assert line.sku_id == s.sku_id
            sku = catalog[s.sku_id]
            assert s.location_id == sku.locations[0]
            picked[(s.order_id, s.line)] += s.quantity
            units += s.quantity
            weight += s.quantity * sku.weight_kg
            volume += s.quantity * sku.volume_l
            lines.add((s.order_id, s.line))
            zones.add(layout.locations.zone_of(layout.locations.index(s.location_id)))
            classes.add(sku.handling_class)
            if p.strategy == "cart":
                assert s.tote is not None
                assert tote_orders.setdefault(s.tote, s.order_id) == s.order_id, (
                    "two orders, one tote"
                )
                load = tote_load[s.tote]
                load[0] += s.quantity
                load[1] += s.quantity * sku.weight_kg
                load[2] += s.quantity * sku.volume_l
            else:
                assert s.tote is None
        eps = 1e-6
        assert p.units == units and p.lines == len(lines)
        assert abs(p.weight_kg - weight) < eps and abs(p.volume_l - volume) < eps
        for cap, value in (
            (dev.capacity_units, units), (rules.max_units, units),
            (dev.capacity_weight_kg, weight), (rules.max_weight_kg, weight),
            (dev.capacity_volume_l, volume), (rules.max_volume_l, volume),
            (rules.max_lines, len(lines)), (rules.max_orders, len(p.orders)),
        ):  # fmt: skip
            assert cap is None or value <= cap + eps, f"{p.list_id}: {value} > {cap}"
        if rules.by_zone:
            assert len(zones) == 1, f"{p.list_id} mixes zones {zones}"
        separated = classes & set(rules.separate_handling)
        if separated:
            assert len(classes) == 1, f"{p.list_id} mixes handling classes {classes}"
        if p.strategy == "cart":
            totes = sorted(tote_orders)
            assert totes == list(range(1, len(totes) + 1))
            assert len(totes) <= dev.totes
            for load in tote_load.values():
                device = dev.to_device()
                caps = (device.tote_units, device.tote_weight_kg, device.tote_volume_l)
                for cap, value in zip(caps, load, strict=True):
                    assert cap is None or value <= cap + eps, f"{p.list_id}: tote over capacity"
    for o in orders:
        for k, line in enumerate(o.lines):
            got = picked.get((o.order_id, k), 0)
            if o.order_id in unassigned:
                assert got == 0, f"unassigned order {o.order_id} has picks"
            else:
                assert got == line.quantity, (
                    f"{o.order_id} line {k}: picked {got} of {line.quantity}"
                )
    planned = {o for p in plan.pick_lists for o in p.orders}
    assert planned | unassigned == set(by_id)
    released = [oid for w in plan.waves for oid in w.order_ids]
    assert sorted(released) == sorted(by_id), "every order is released in exactly one wave"
