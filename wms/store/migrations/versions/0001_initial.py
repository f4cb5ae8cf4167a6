"""Initial schema: catalogue, stock ledger, orders, holds, picking, receiving, returns, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _append_only_ddl(dialect: str) -> list[str]:
    """Triggers that refuse UPDATE and DELETE on the stock ledger (copied, not imported, from
    ``wms.store.models`` so that this revision never changes when the models do)."""
    message = "stock_move is append-only: book a correcting move instead"
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER stock_move_no_{op_} BEFORE {op_.upper()} ON stock_move "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for op_ in ("update", "delete")
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION wms_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$",
            "CREATE TRIGGER stock_move_append_only BEFORE UPDATE OR DELETE ON stock_move "
            "FOR EACH ROW EXECUTE FUNCTION wms_append_only()",
        ]
    return []


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "customer",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("street", sa.String(length=255), nullable=True),
        sa.Column("city", sa.String(length=128), nullable=True),
        sa.Column("postal_code", sa.String(length=32), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("delivered", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    op.create_index("ix_event_delivered", "event", ["delivered"], unique=False)
    op.create_index("ix_event_entity", "event", ["entity_type", "entity_id"], unique=False)
    op.create_index("ix_event_order_id", "event", ["order_id"], unique=False)
    op.create_index("ix_event_type", "event", ["type"], unique=False)

    op.create_table(
        "location",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("capacity_units", sa.Integer(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('storage', 'receiving', 'quarantine', 'returns', 'shipping')",
            name=op.f("ck_location_kind"),
        ),
        sa.CheckConstraint(
            "capacity_units IS NULL OR capacity_units >= 0", name=op.f("ck_location_capacity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
    )
    op.create_table(
        "sku",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("volume_l", sa.Float(), nullable=False),
        sa.Column("handling_class", sa.String(length=32), nullable=True),
        sa.Column("velocity_class", sa.String(length=1), nullable=True),
        sa.CheckConstraint(
            "velocity_class IS NULL OR velocity_class IN ('A', 'B', 'C')",
            name=op.f("ck_sku_velocity"),
        ),
        sa.CheckConstraint("volume_l >= 0", name=op.f("ck_sku_volume_nonneg")),
        sa.CheckConstraint("weight_kg >= 0", name=op.f("ck_sku_weight_nonneg")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sku")),
    )
    op.create_table(
        "wave",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wave")),
    )
    op.create_table(
        "order",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payment_method", sa.String(length=32), nullable=True),
        sa.Column("payment_status", sa.String(length=32), nullable=True),
        sa.Column("carrier", sa.String(length=64), nullable=True),
        sa.Column("value", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("ship_name", sa.String(length=255), nullable=True),
        sa.Column("ship_street", sa.String(length=255), nullable=True),
        sa.Column("ship_city", sa.String(length=128), nullable=True),
        sa.Column("ship_postal_code", sa.String(length=32), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'on_hold', 'released', 'waved', 'picked', 'packed', 'shipped', 'cancelled', 'returned')",
            name=op.f("ck_order_status"),
        ),
        sa.CheckConstraint("value >= 0", name=op.f("ck_order_value_nonneg")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_order_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order")),
    )
    op.create_index("ix_order_customer_id", "order", ["customer_id"], unique=False)
    op.create_index("ix_order_status", "order", ["status"], unique=False)

    op.create_table(
        "pick_list",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("route_length_m", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("strategy", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], name=op.f("fk_pick_list_wave_id_wave")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_list")),
    )
    op.create_table(
        "receipt",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("supplier", sa.String(length=255), nullable=True),
        sa.Column("expected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dock_location_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["dock_location_id"], ["location.id"], name=op.f("fk_receipt_dock_location_id_location")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt")),
    )
    op.create_table(
        "stock",
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("sku_id", sa.String(length=64), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_on_hand_nonneg")),
        sa.CheckConstraint("reserved <= on_hand", name=op.f("ck_stock_reserved_le_on_hand")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_reserved_nonneg")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_stock_location_id_location")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_stock_sku_id_sku")),
        sa.PrimaryKeyConstraint("location_id", "sku_id", name=op.f("pk_stock")),
    )
    op.create_index("ix_stock_sku_id", "stock", ["sku_id"], unique=False)

    op.create_table(
        "stock_move",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sku_id", sa.String(length=64), nullable=False),
        sa.Column("from_location_id", sa.String(length=64), nullable=True),
        sa.Column("to_location_id", sa.String(length=64), nullable=True),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "kind IN ('receipt', 'putaway', 'pick', 'adjustment', 'return', 'move', 'scrap', 'quarantine')",
            name=op.f("ck_stock_move_kind"),
        ),
        sa.CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL",
            name=op.f("ck_stock_move_has_location"),
        ),
        sa.CheckConstraint("qty > 0", name=op.f("ck_stock_move_qty_positive")),
        sa.ForeignKeyConstraint(
            ["from_location_id"],
            ["location.id"],
            name=op.f("fk_stock_move_from_location_id_location"),
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_stock_move_sku_id_sku")),
        sa.ForeignKeyConstraint(
            ["to_location_id"], ["location.id"], name=op.f("fk_stock_move_to_location_id_location")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_move")),
    )
    op.create_index("ix_stock_move_reference", "stock_move", ["reference"], unique=False)
    op.create_index("ix_stock_move_sku_id_at", "stock_move", ["sku_id", "at"], unique=False)
    for statement in _append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)

    op.create_table(
        "hold",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=64), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["order.id"], name=op.f("fk_hold_order_id_order"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold")),
    )
    op.create_index("ix_hold_order_id", "hold", ["order_id"], unique=False)
    op.create_index("ix_hold_rule", "hold", ["rule"], unique=False)

    op.create_table(
        "order_line",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.String(length=64), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("qty_reserved", sa.Integer(), nullable=False),
        sa.Column("qty_picked", sa.Integer(), nullable=False),
        sa.Column("qty_short", sa.Integer(), nullable=False),
        sa.CheckConstraint("qty_picked >= 0", name=op.f("ck_order_line_qty_picked_nonneg")),
        sa.CheckConstraint("qty_reserved >= 0", name=op.f("ck_order_line_qty_reserved_nonneg")),
        sa.CheckConstraint("qty_short >= 0", name=op.f("ck_order_line_qty_short_nonneg")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["order.id"],
            name=op.f("fk_order_line_order_id_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "line_no", name=op.f("pk_order_line")),
    )
    op.create_table(
        "receipt_line",
        sa.Column("receipt_id", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.String(length=64), nullable=False),
        sa.Column("qty_expected", sa.Integer(), nullable=False),
        sa.Column("qty_received", sa.Integer(), nullable=True),
        sa.Column("qty_damaged", sa.Integer(), nullable=False),
        sa.Column("qty_put_away", sa.Integer(), nullable=False),
        sa.Column("quality_status", sa.String(length=16), nullable=True),
        sa.Column("discrepancy", sa.String(length=64), nullable=True),
        sa.CheckConstraint("qty_damaged >= 0", name=op.f("ck_receipt_line_qty_damaged_nonneg")),
        sa.CheckConstraint("qty_expected >= 0", name=op.f("ck_receipt_line_qty_expected_nonneg")),
        sa.CheckConstraint("qty_put_away >= 0", name=op.f("ck_receipt_line_qty_put_away_nonneg")),
        sa.CheckConstraint(
            "qty_received IS NULL OR qty_received >= 0", name=op.f("ck_receipt_line_qty_received")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"],
            ["receipt.id"],
            name=op.f("fk_receipt_line_receipt_id_receipt"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_receipt_line_sku_id_sku")),
        sa.PrimaryKeyConstraint("receipt_id", "line_no", name=op.f("pk_receipt_line")),
    )
    op.create_table(
        "rma",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("complaint_status", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_rma_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], name=op.f("fk_rma_order_id_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rma")),
    )
    op.create_table(
        "pick_task",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pick_list_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("qty_picked", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tote", sa.String(length=32), nullable=True),
        sa.CheckConstraint("qty > 0", name=op.f("ck_pick_task_qty_positive")),
        sa.CheckConstraint("qty_picked >= 0", name=op.f("ck_pick_task_qty_picked_nonneg")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_pick_task_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["order_id", "line_no"],
            ["order_line.order_id", "order_line.line_no"],
            name="fk_pick_task_order_line",
        ),
        sa.ForeignKeyConstraint(
            ["pick_list_id"], ["pick_list.id"], name=op.f("fk_pick_task_pick_list_id_pick_list")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_pick_task_sku_id_sku")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_task")),
    )
    op.create_index("ix_pick_task_order_id", "pick_task", ["order_id"], unique=False)
    op.create_index("ix_pick_task_pick_list_id", "pick_task", ["pick_list_id"], unique=False)

    op.create_table(
        "reservation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'picked', 'released')", name=op.f("ck_reservation_state")
        ),
        sa.CheckConstraint("qty > 0", name=op.f("ck_reservation_qty_positive")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_reservation_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["order_id", "line_no"],
            ["order_line.order_id", "order_line.line_no"],
            name="fk_reservation_order_line",
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_reservation_sku_id_sku")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation")),
    )
    op.create_index("ix_reservation_order_id", "reservation", ["order_id"], unique=False)

    op.create_table(
        "rma_line",
        sa.Column("rma_id", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.String(length=64), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("qty_received", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=16), nullable=True),
        sa.Column("disposition", sa.String(length=16), nullable=True),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint("qty > 0", name=op.f("ck_rma_line_qty_positive")),
        sa.CheckConstraint("qty_received >= 0", name=op.f("ck_rma_line_qty_received_nonneg")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_rma_line_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["rma_id"], ["rma.id"], name=op.f("fk_rma_line_rma_id_rma"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_rma_line_sku_id_sku")),
        sa.PrimaryKeyConstraint("rma_id", "line_no", name=op.f("pk_rma_line")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("rma_line")
    op.drop_index("ix_reservation_order_id", table_name="reservation")
    op.drop_table("reservation")
    op.drop_index("ix_pick_task_pick_list_id", table_name="pick_task")
    op.drop_index("ix_pick_task_order_id", table_name="pick_task")
    op.drop_table("pick_task")
    op.drop_table("rma")
    op.drop_table("receipt_line")
    op.drop_table("order_line")
    op.drop_index("ix_hold_rule", table_name="hold")
    op.drop_index("ix_hold_order_id", table_name="hold")
    op.drop_table("hold")
    op.drop_index("ix_stock_move_sku_id_at", table_name="stock_move")
    op.drop_index("ix_stock_move_reference", table_name="stock_move")
    op.drop_table("stock_move")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS wms_append_only()")
    op.drop_index("ix_stock_sku_id", table_name="stock")
    op.drop_table("stock")
    op.drop_table("receipt")
    op.drop_table("pick_list")
    op.drop_index("ix_order_status", table_name="order")
    op.drop_index("ix_order_customer_id", table_name="order")
    op.drop_table("order")
    op.drop_table("wave")
    op.drop_table("sku")
    op.drop_table("location")
    op.drop_index("ix_event_type", table_name="event")
    op.drop_index("ix_event_order_id", table_name="event")
    op.drop_index("ix_event_entity", table_name="event")
    op.drop_index("ix_event_delivered", table_name="event")
    op.drop_table("event")
    op.drop_table("customer")
