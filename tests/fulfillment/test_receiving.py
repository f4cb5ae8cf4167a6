"""Receiving: ASN files, counting with discrepancies, class-based putaway, no partial writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.db_fixtures import seed
from wms.errors import ReceivingError, StockError
from wms.fulfillment import receiving, stock
from wms.fulfillment.events import list_events
from wms.store.db import session_scope
from wms.store.models import Receipt, ReceiptLine, Sku, StockMove

DATA = Path(__file__).resolve().parents[1] / "data" / "receiving"


@pytest.fixture
def seeded(db_engine: Engine) -> Engine:
    """SKUs S1..S3 (S1 an A mover, S3 a C mover), 6 storage locations 2..12 m from the depot."""
    with session_scope(db_engine) as s:
        seed(s, storage=[(f"L{i}", 2.0 * i, 10) for i in range(1, 7)])
        s.get_one(Sku, "S1").velocity_class = "A"
        s.get_one(Sku, "S2").velocity_class = "B"
        s.get_one(Sku, "S3").velocity_class = "C"
    return db_engine


def test_read_asn_csv_and_json() -> None:
    (asn,) = receiving.read_asn(DATA / "asn-good.csv")
    assert (asn.id, asn.supplier) == ("ASN-1", "Acme")
    assert [(ln.line_no, ln.sku_id, ln.qty_expected) for ln in asn.lines] == [
        (1, "S1", 10),
        (2, "S2", 5),
        (3, "S3", 4),
    ]
    (bom,) = receiving.read_asn(DATA / "asn-with-bom.csv")
    assert bom.id == "ASN-B"
    (j,) = receiving.read_asn(DATA / "asn-good.json")
    assert j.expected_at is not None and j.expected_at.utcoffset() is not None
    assert [ln.qty_expected for ln in j.lines] == [3, 2]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("asn-line3-negative-qty.csv", r"asn-line3-negative-qty.csv, line 4: qty_expected -4"),
        ("asn-missing-column.csv", r"line 1: header must have columns"),
        ("asn-naive-time.json", r"has no time zone"),
        ("asn-not-utf8.csv", r"not UTF-8 text"),
    ],
)
def test_bad_asn_files_name_file_line_and_field(name: str, message: str) -> None:
    with pytest.raises(ReceivingError, match=message):
        receiving.read_asn(DATA / name)


def test_asn_with_unknown_sku_on_line_3_leaves_database_unchanged(seeded: Engine) -> None:
    (asn,) = receiving.read_asn(DATA / "asn-line3-unknown-sku.csv")
    with (
        pytest.raises(ReceivingError, match="line 3: unknown SKU 'NOPE'"),
        session_scope(seeded) as s,
    ):
        receiving.import_asn(s, asn)
    with session_scope(seeded, readonly=True) as s:
        assert s.scalars(sa.select(Receipt)).all() == []
        assert s.scalars(sa.select(ReceiptLine)).all() == []
        assert list_events(s) == []


def test_import_is_idempotent_and_can_create_skus(seeded: Engine) -> None:
    (asn,) = receiving.read_asn(DATA / "asn-line3-unknown-sku.csv")
    with session_scope(seeded) as s:
        receiving.import_asn(s, asn, create_missing_skus=True)
        receiving.import_asn(s, asn, create_missing_skus=True)
        assert s.get(Sku, "NOPE") is not None
        assert len(s.scalars(sa.select(ReceiptLine)).all()) == 3


def test_receive_records_over_short_damaged_and_routes_units(seeded: Engine) -> None:
    (asn,) = receiving.read_asn(DATA / "asn-good.csv")
    with session_scope(seeded) as s:
        receiving.import_asn(s, asn)
        result = receiving.receive_receipt(
            s,
            "ASN-1",
            [
                receiving.LineCount("S1", 12),  # over by 2
                receiving.LineCount("S2", 5, qty_damaged=1),  # one damaged
                # S3 not delivered at all: short
            ],
            actor="ann",
        )
    assert (result.units_to_dock, result.units_to_quarantine) == (16, 1)
    kinds = {d.sku_id: d.kinds for d in result.discrepancies}
    assert kinds == {"S1": ("over",), "S2": ("damaged",), "S3": ("short",)}
    with session_scope(seeded, readonly=True) as s:
        assert {lv.sku_id: lv.on_hand for lv in stock.stock_levels(s, location_id="DOCK")} == {
            "S1": 12,
            "S2": 4,
        }
        assert [
            (lv.sku_id, lv.on_hand) for lv in stock.stock_levels(s, location_id="QUARANTINE")
        ] == [("S2", 1)]
        stored = {d.sku_id: d.kinds for d in receiving.receipt_discrepancies(s, "ASN-1")}
        assert stored == kinds
        (event,) = list_events(s, type="receipt.received")
        assert len(event.payload["discrepancies"]) == 3


def test_receive_bad_third_count_writes_nothing(seeded: Engine) -> None:
    (asn,) = receiving.read_asn(DATA / "asn-good.csv")
    with session_scope(seeded) as s:
        receiving.import_asn(s, asn)
    counts = [
        receiving.LineCount("S1", 10),
        receiving.LineCount("S2", 5),
        receiving.LineCount("S3", 4, qty_damaged=5),
    ]
    with (
        pytest.raises(ReceivingError, match=r"count 3 .*qty_damaged 5"),
        session_scope(seeded) as s,
    ):
        receiving.receive_receipt(s, "ASN-1", counts)
    with session_scope(seeded, readonly=True) as s:
        assert s.get_one(Receipt, "ASN-1").status == "expected"
        assert s.scalars(sa.select(StockMove)).all() == []


def test_unannounced_sku_becomes_an_over_line_and_receipt_is_counted_once(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        receiving.import_asn(
            s, receiving.Asn("ASN-X", None, None, (receiving.AsnLine(1, "S1", 2),))
        )
        result = receiving.receive_receipt(
            s, "ASN-X", [receiving.LineCount("S1", 2), receiving.LineCount("S3", 1)]
        )
    assert [(d.sku_id, d.qty_expected, d.kinds) for d in result.discrepancies] == [
        ("S3", 0, ("over",))
    ]
    with pytest.raises(ReceivingError, match="already received"), session_scope(seeded) as s:
        receiving.receive_receipt(s, "ASN-X", [receiving.LineCount("S1", 2)])


def test_putaway_puts_fast_movers_near_the_depot_within_capacity(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        receiving.import_asn(
            s,
            receiving.Asn(
                "ASN-P",
                "Acme",
                None,
                (
                    receiving.AsnLine(1, "S3", 5),
                    receiving.AsnLine(2, "S1", 15),
                    receiving.AsnLine(3, "S2", 5),
                ),
            ),
        )
        receiving.receive_receipt(
            s,
            "ASN-P",
            [
                receiving.LineCount("S3", 5),
                receiving.LineCount("S1", 15),
                receiving.LineCount("S2", 5),
            ],
        )
        suggestions = receiving.suggest_putaway(s, "ASN-P")
    got = [(p.sku_id, p.to_location_id, p.qty) for p in suggestions]
    # L1 (2 m) is the A band of 6 locations with shares 0.2/0.3/0.5: S1 fills it (10) and
    # spills into B (L2); S2 takes the next B location; S3 goes to the C band (L4..L6).
    assert got == [("S1", "L1", 10), ("S1", "L2", 5), ("S2", "L3", 5), ("S3", "L4", 5)]
    with session_scope(seeded) as s:
        receiving.confirm_putaway(s, suggestions, actor="ann")
        assert s.get_one(Receipt, "ASN-P").status == "closed"
        assert stock.stock_levels(s, location_id="DOCK") == []
        assert stock.reconcile(s) == []
        assert [e.type for e in list_events(s, entity_id="ASN-P")] == [
            "receipt.announced",
            "receipt.received",
            "receipt.put_away",
        ]


def test_putaway_prefers_a_location_already_holding_the_sku(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        stock.receive(s, "S3", "L5", 3)
        stock.receive(s, "S3", "DOCK", 4)
        (p,) = receiving.suggest_putaway(s)
    assert (p.to_location_id, p.qty) == ("L5", 4)


def test_confirm_putaway_over_capacity_fails_whole(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        stock.receive(s, "S1", "DOCK", 14)
    moves = [
        receiving.PutawayMove("S1", "L1", 4),
        receiving.PutawayMove("S1", "L1", 10),  # L1 holds 10 at most
    ]
    with pytest.raises(StockError, match="do not fit"), session_scope(seeded) as s:
        receiving.confirm_putaway(s, moves)
    with session_scope(seeded, readonly=True) as s:
        assert [lv.on_hand for lv in stock.stock_levels(s, location_id="DOCK")] == [14]
        assert stock.stock_levels(s, location_id="L1") == []


def test_velocity_classes_from_pick_history(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        for sku in ("S1", "S2", "S3"):
            s.get_one(Sku, sku).velocity_class = None
        stock.receive(s, "S1", "L1", 100)
        stock.receive(s, "S2", "L2", 100)
        from tests.db_fixtures import add_order

        add_order(s, "O1", [("S1", 90), ("S2", 10)])
        for line_no, sku, qty in ((1, "S1", 90), (2, "S2", 10)):
            (r,) = stock.reserve(s, "O1", line_no, sku, qty)
            stock.pick(s, r.id)
        classes = receiving.velocity_classes(s)
    assert classes == {"S1": "A", "S2": "B", "S3": "C"}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.csv", b"asn_id,sku_id,qty_expected\nA,S1,2\nA,S\x001,1\n"),
        (
            "a.json",
            b'{"id": "A",\n "lines": [{"sku_id": "S1", "qty_expected": 2},\n'
            b' {"sku_id": "S\\u00001", "qty_expected": 1}]}',
        ),
    ],
)
def test_a_nul_character_in_an_asn_names_the_line(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReceivingError) as err:
        receiving.read_asn(path)
    assert str(err.value) == (
        f"{path}, line 3: the line has a NUL character (\\u0000), which cannot be stored: remove it"
    )
