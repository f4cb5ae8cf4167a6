"""``wms plan``: pick lists in walking order for a real order file.

::

    wms plan ORDERS --layout L.yaml --skus SKUS.csv [--config C.yaml]
             [--strategy batch|cart|singles] [--format table|json|csv] [--output FILE]

``table`` lists the pick lists with their totals (and the orders that could not be planned),
``json`` prints :meth:`wms.model.Plan.to_json`, ``csv`` one row per stop in walking order. A user
mistake prints one line ``error: ...`` on stderr and exits with code 1.

The command is added to the ``wms`` application by :func:`register`.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from wms.cli_errors import user_errors

if TYPE_CHECKING:
    from wms.model import Plan


class PlanFormat(StrEnum):
    """Output formats of ``wms plan``."""

    table = "table"
    json = "json"
    csv = "csv"


class PlanStrategy(StrEnum):
    """Picking strategies ``wms plan`` can plan for."""

    batch = "batch"
    cart = "cart"
    singles = "singles"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def print_table(plan: Plan, out: TextIO, *, width: int | None = None) -> None:
    """One table per wave (its pick lists with their totals), the plan totals, unassigned orders.

    ``width`` defaults to the terminal's width, or 160 columns when ``out`` is not a terminal.
    """
    from rich.console import Console
    from rich.table import Table

    if width is None and not (hasattr(out, "isatty") and out.isatty()):
        width = 160
    console = Console(file=out, highlight=False, width=width, soft_wrap=False)
    columns = (
        ("list", "left"), ("strategy", "left"), ("zone", "left"), ("handling", "left"),
        ("orders", "right"), ("lines", "right"), ("units", "right"), ("kg", "right"),
        ("l", "right"), ("route m", "right"), ("min", "right"), ("end", "left"),
    )  # fmt: skip
    for w in plan.waves:
        table = Table(
            title=f"wave {w.wave_id}: {w.label}, {len(w.order_ids)} orders, "
            f"{len(w.pick_lists)} pick lists",
            title_justify="left",
        )
        for name, justify in columns:
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for p in w.pick_lists:
            table.add_row(
                p.list_id,
                p.strategy,
                p.zone or "-",
                p.handling_class or "mixed",
                str(len(p.orders)),
                str(p.lines),
                str(p.units),
                f"{p.weight_kg:.1f}",
                f"{p.volume_l:.1f}",
                f"{p.route_length_m:.1f}",
                _minutes(p.estimated_duration_s),
                p.end or "-",
            )
        console.print(table)
    t = plan.totals()
    console.print(
        f"{t['waves']} waves, {t['pick_lists']} pick lists, {t['orders']} orders, "
        f"{t['lines']} lines, {t['units']} units, {t['route_length_m']:.0f} m walked, "
        f"{t['estimated_duration_s'] / 3600:.1f} picker-hours; "
        f"{t['unassigned_orders']} orders unassigned. Stops in walking order: --format csv or json."
    )
    if plan.unassigned:
        un = Table(title="unassigned orders", title_justify="left")
        for name in ("order", "wave", "reason", "message"):
            un.add_column(name, overflow="fold")
        for u in plan.unassigned:
            un.add_row(u.order_id, u.wave_id or "-", u.reason, u.message)
        console.print(un)


def plan_command(
    orders: Annotated[Path, typer.Argument(help="Orders, CSV or JSON (one row per order line).")],
    layout: Annotated[Path, typer.Option("--layout", "-l", help="Layout file (YAML).")],
    skus: Annotated[
        Path, typer.Option("--skus", "-s", help="SKU master with locations, CSV or JSON.")
    ],
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Planning configuration, YAML or JSON."),
    ] = None,
    strategy: Annotated[
        PlanStrategy | None,
        typer.Option("--strategy", help="Picking strategy (overrides the configuration)."),
    ] = None,
    output_format: Annotated[
        PlanFormat,
        typer.Option(
            "--format", "-f", help="table: for people; json: the whole plan; csv: one row per stop."
        ),
    ] = PlanFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Plan waves and pick lists (stops in walking order) for the orders of ORDERS."""
    with user_errors():
        from wms.io.orders import read_orders, read_plan_config, read_skus
        from wms.layout.schema import load_layout
        from wms.planning import plan_picklists
        from wms.waves.config import PlanConfig

        cfg = read_plan_config(config) if config is not None else PlanConfig()
        if strategy is not None:
            cfg = cfg.model_copy(update={"strategy": strategy.value})
        lay = load_layout(layout)
        catalog = read_skus(skus, layout=lay)
        order_list = read_orders(orders, catalog=catalog)
        plan = plan_picklists(order_list, catalog, lay, cfg)
        if output is None:
            _write(plan, output_format, sys.stdout, width=None)
        else:
            with output.open("w", encoding="utf-8", newline="") as f:
                _write(plan, output_format, f, width=160)


def _write(plan: Plan, fmt: PlanFormat, out: TextIO, *, width: int | None) -> None:
    if fmt is PlanFormat.json:
        out.write(plan.to_json() + "\n")
    elif fmt is PlanFormat.csv:
        out.write(plan.to_csv() or "")
    else:
        print_table(plan, out, width=width)


def register(app: typer.Typer) -> None:
    """Add the ``plan`` command to ``app`` (the ``wms`` application)."""
    app.command("plan")(plan_command)
