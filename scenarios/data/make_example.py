"""Generate the example SKU catalogue and order file for ``layouts/ecommerce-3-block.yaml``.

Run from the repository root (seeded: the same files every time)::

    python scenarios/data/make_example.py

Writes ``ecommerce-skus.csv`` (3,000 SKUs) and ``ecommerce-orders.csv`` (800 orders of one day,
about half single-unit) next to this script. The assortment follows the layout's zones:

* bulky SKUs (5 %) in the ``bulky`` zone, fragile SKUs (6 %) in the ``fragile`` zone;
* class-based slotting for the rest: A movers (20 % of SKUs, 60 % of demand) in ``fast-movers``
  (front block, golden levels), B movers (30 %, 30 %) in ``general``, C movers (50 %, 10 %) in
  ``mezzanine``, ``reserve`` and what is left of ``general``; a few SKUs have an overflow location.

Carriers have their own cutoff (DPD 12:00, DHL 15:00, InPost 18:00 on 2024-06-03); 5 % of the
orders are express (priority 1).

Try it::

    wms plan scenarios/data/ecommerce-orders.csv --layout layouts/ecommerce-3-block.yaml \\
        --skus scenarios/data/ecommerce-skus.csv --config scenarios/data/ecommerce-plan.yaml
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import numpy as np

from wms.layout.schema import load_layout

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = ROOT / "layouts" / "ecommerce-3-block.yaml"
OUT = Path(__file__).resolve().parent
SEED = 20240603
N_SKUS = 3000
N_ORDERS = 800
DAY = datetime(2024, 6, 3)
CARRIERS = {"DPD": 12, "DHL": 15, "InPost": 18}
CHANNELS = ("shop", "amazon", "allegro")


def main(out: Path = OUT) -> None:
    """Write the two files into ``out``."""
    rng = np.random.default_rng(SEED)
    layout = load_layout(LAYOUT)
    loc = layout.locations
    by_zone: dict[str | None, list[int]] = {}
    for i in range(len(loc)):
        by_zone.setdefault(loc.zone_of(i), []).append(i)
    pools = {z: rng.permutation(np.array(ix)).tolist() for z, ix in by_zone.items()}

    def take(*zones: str) -> int:
        for z in zones:
            if pools.get(z):
                return int(pools[z].pop())
        raise SystemExit(f"no free location left in zones {zones}")

    n_bulky, n_fragile = int(0.05 * N_SKUS), int(0.06 * N_SKUS)
    n_rest = N_SKUS - n_bulky - n_fragile
    n_a, n_b = int(0.2 * n_rest), int(0.3 * n_rest)
    kinds = ["bulky"] * n_bulky + ["fragile"] * n_fragile
    kinds += ["A"] * n_a + ["B"] * n_b + ["C"] * (n_rest - n_a - n_b)
    kinds = [kinds[k] for k in rng.permutation(N_SKUS)]

    rows: list[dict[str, object]] = []
    for k, kind in enumerate(kinds):
        if kind == "bulky":
            handling, velocity = "bulky", "C"
            weight = rng.uniform(8.0, 30.0)
            volume = rng.uniform(40.0, 200.0)
            first = take("bulky")
        elif kind == "fragile":
            handling, velocity = "fragile", str(rng.choice(["A", "B", "C"], p=[0.2, 0.3, 0.5]))
            weight = rng.uniform(0.2, 3.0)
            volume = rng.uniform(0.5, 8.0)
            first = take("fragile")
        else:
            handling, velocity = "normal", kind
            weight = float(np.clip(rng.lognormal(np.log(0.4), 0.8), 0.02, 6.0))
            volume = float(np.clip(weight * rng.uniform(1.0, 4.0), 0.05, 20.0))
            zones = {"A": ("fast-movers", "general"), "B": ("general",)}.get(
                kind, ("mezzanine", "reserve", "general")
            )
            first = take(*zones)
        locations = [loc.ids[first]]
        if handling == "normal" and rng.random() < 0.05:
            locations.append(loc.ids[take("reserve", "general")])
        rows.append({
            "sku_id": f"S{k + 1:05d}",
            "weight_kg": round(float(weight), 3),
            "volume_l": round(float(volume), 3),
            "handling_class": handling,
            "locations": ";".join(locations),
            "velocity_class": velocity,
        })  # fmt: skip
    with (out / "ecommerce-skus.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)

    # Demand: 60 % A, 30 % B, 10 % C (bulky and fragile count as their velocity class).
    velocity = np.array([r["velocity_class"] for r in rows])
    weights = np.zeros(N_SKUS)
    for cls, share in (("A", 0.6), ("B", 0.3), ("C", 0.1)):
        members = velocity == cls
        weights[members] = share / members.sum()
    weights /= weights.sum()

    with (out / "ecommerce-orders.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["order_id", "sku_id", "quantity", "channel", "priority", "cutoff", "carrier"])
        for o in range(N_ORDERS):
            carrier = str(rng.choice(list(CARRIERS), p=[0.3, 0.45, 0.25]))
            cutoff = DAY.replace(hour=CARRIERS[carrier]).isoformat(timespec="minutes")
            channel = str(rng.choice(CHANNELS, p=[0.5, 0.3, 0.2]))
            priority = int(rng.random() < 0.05)
            n_lines = 1 if rng.random() < 0.55 else int(min(2 + rng.geometric(0.45) - 1, 8))
            skus = rng.choice(N_SKUS, size=n_lines, replace=False, p=weights)
            for j, s in enumerate(skus):
                qty = 1 if n_lines == 1 and rng.random() < 0.9 else int(rng.choice([1, 1, 1, 2, 3]))
                head = [channel, priority, cutoff, carrier] if j == 0 else ["", "", "", ""]
                w.writerow([f"O{o + 1:05d}", rows[int(s)]["sku_id"], qty, *head])
    print(f"wrote {N_SKUS} SKUs and {N_ORDERS} orders to {out}")


if __name__ == "__main__":
    main()
