"""A small stocked warehouse and order builders for the order-flow tests (intake to shipping).

``stock_warehouse(url)`` loads ``layouts/small-single-block.yaml`` (8 aisles x 20 positions, ids
like ``A02-B0-P05-L``) into a migrated database, adds a receiving dock ``DOCK`` and the SKUs
``S1``..``S5``, and puts stock away:

==== ============== =====
SKU  location       units
==== ============== =====
S1   A02-B0-P05-L   5
S1   A05-B0-P15-R   3
S2   A04-B0-P10-R   5
S3   (none)         0
S4   A06-B0-P01-L   2
S5   A01-B0-P02-L   10
==== ============== =====
"""

from __future__ import annotations

import dataclasses
import random
import string
from decimal import Decimal
from pathlib import Path

from wms.fulfillment import stock as stock_service
from wms.fulfillment.holds import HoldRulesConfig, load_hold_rules
from wms.fulfillment.intake import Address, Customer, IncomingLine, IncomingOrder
from wms.layout import GraphLayout, RectangularLayout
from wms.layout.schema import load_layout
from wms.store.db import session_scope

ROOT = Path(__file__).resolve().parents[2]
LAYOUT_FILE = ROOT / "layouts" / "small-single-block.yaml"
DATA = ROOT / "tests" / "data" / "fulfillment"
DOCK = "DOCK"
STOCK: tuple[tuple[str, str, int], ...] = (
    ("S1", "A02-B0-P05-L", 5),
    ("S1", "A05-B0-P15-R", 3),
    ("S2", "A04-B0-P10-R", 5),
    ("S4", "A06-B0-P01-L", 2),
    ("S5", "A01-B0-P02-L", 10),
)
SKUS = ("S1", "S2", "S3", "S4", "S5")


def layout() -> RectangularLayout | GraphLayout:
    """The small single-block layout of the tests."""
    return load_layout(LAYOUT_FILE)


def rules() -> HoldRulesConfig:
    """The shipped hold rules (``config/hold-rules.yaml``)."""
    return load_hold_rules(ROOT / "config" / "hold-rules.yaml")


def stock_warehouse(url: str, stock: tuple[tuple[str, str, int], ...] = STOCK) -> None:
    """Locations of the layout, the dock, SKUs S1..S5 and the stock of the module table."""
    with session_scope(url) as session:
        stock_service.sync_locations(session, layout())
        stock_service.ensure_location(session, DOCK, kind="receiving")
        stock_service.upsert_skus(
            session,
            [{"id": s, "weight_kg": 0.5 + k, "volume_l": 1.0 + k} for k, s in enumerate(SKUS)],
        )
        for sku, loc, qty in stock:
            stock_service.receive(session, sku, DOCK, qty, reference="ASN-0")
            stock_service.put_away(session, sku, DOCK, loc, qty)


def _word(rng: random.Random, n: int = 8) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(n)).capitalize()


def order(ref: str, *lines: tuple[str, int], **changes: object) -> IncomingOrder:
    """A paid domestic order that passes every shipped rule (given stock), with ``lines``.

    The buyer's name, e-mail and street are random words seeded by ``ref``, so two orders never
    look like the same customer.
    """
    rng = random.Random(ref)
    name = f"{_word(rng)} {_word(rng)}"
    base = IncomingOrder(
        reference_id=ref,
        channel="shop",
        lines=tuple(IncomingLine(s, q) for s, q in lines),
        customer=Customer(name, f"{_word(rng).lower()}@example.com", None),
        address=Address(f"{_word(rng)} {rng.randint(1, 99)}", _word(rng), "60-001", "PL"),
        payment_method="card",
        payment_status="paid",
        carrier="DPD",
        value=Decimal("100.00"),
        currency="PLN",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]
