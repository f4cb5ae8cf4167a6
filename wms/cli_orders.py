"""The order commands: intake with hold rules, holds, waves, picks, packing and shipping.

::

    wms orders import shop.csv allegro.json --rules config/hold-rules.yaml [--db URL]
    wms orders list [--status on_hold] [--channel allegro]
    wms orders show SHOP-1001
    wms orders cancel SHOP-1001 --by anna --reason "customer asked"
    wms orders pack SHOP-1001 / wms orders ship SHOP-1001 [--tracking T]
    wms holds list [--rule duplicate_customer] [--order SHOP-1001] [--all]
    wms holds release 17 --by anna --reason "called the customer, blue is fine"
    wms waves create --layout layouts/small-single-block.yaml [--config plan.yaml]
    wms picks list [--pick-list 3]
    wms picks confirm 42 3 [--by piotr] [--not-missing]

The database is ``--db URL`` (or ``--url``), else ``WMS_DATABASE_URL``, else ``./wms.db`` (SQLite); create it with
``wms db upgrade``. Every command prints a table, or with ``--format json`` JSON (one object per
line). A user mistake prints one line on stderr and exits with code 1; so does an import with
conflicting orders (after printing its report).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from wms.cli_errors import fail, user_errors


class Fmt(StrEnum):
    """How a command prints its result."""

    table = "table"
    json = "json"


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        "--url",
        help="Database URL (default: WMS_DATABASE_URL, else the SQLite file ./wms.db).",
        show_default=False,
    ),
]
FmtOption = Annotated[
    Fmt, typer.Option("--format", "-f", help="table: for people; json: one JSON object per line.")
]
RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules", help="Hold rules YAML (see config/hold-rules.yaml).", show_default=False
    ),
]

orders_app = typer.Typer(help="Import, list, cancel, pack and ship orders.", no_args_is_help=True)
holds_app = typer.Typer(help="Verification holds: list and release.", no_args_is_help=True)
waves_app = typer.Typer(help="Plan released orders into waves of pick lists.", no_args_is_help=True)
picks_app = typer.Typer(help="Pick tasks: list and confirm.", no_args_is_help=True)


def _json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, default=str, allow_nan=False) + "\n")


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    Console(highlight=False, soft_wrap=False).print(table)


@contextmanager
def _progress(total: int, what: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; yields ``advance(done_so_far)``."""
    if not sys.stderr.isatty() or total < 50:
        yield lambda _done: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda done: bar.update(task, completed=done)


def _rules(path: Path | None) -> Any:
    from wms.fulfillment.holds import HoldRulesConfig, load_hold_rules

    return HoldRulesConfig() if path is None else load_hold_rules(path)


# -- orders ---------------------------------------------------------------------------------------


@orders_app.command("import")
def orders_import(
    files: Annotated[
        list[Path], typer.Argument(help="Order files (.csv or .json).", show_default=False)
    ],
    rules: RulesOption = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Channel of orders whose file names none.")
    ] = None,
    chunk_size: Annotated[
        int,
        typer.Option(
            "--chunk-size",
            min=1,
            help="Orders per transaction (a crash loses at most the chunk in flight; importing "
            "the file again skips what was stored).",
        ),
    ] = 500,
    db: DbOption = None,
    output: FmtOption = Fmt.table,
) -> None:
    """Import orders, apply the hold rules, release and reserve the orders without holds.

    Re-importing a file skips the orders already stored. Example:
    `wms orders import shop.csv allegro.json --rules config/hold-rules.yaml`.
    """
    from wms.fulfillment.orders import import_orders
    from wms.io.shop_orders import read_shop_orders

    with user_errors():
        config = _rules(rules)
        incoming = [o for f in files for o in read_shop_orders(f, channel=channel)]
        with _progress(len(incoming), "importing orders") as advance:
            report = import_orders(db, incoming, config, chunk_size=chunk_size, on_commit=advance)
    if output is Fmt.json:
        for o in report.orders:
            _json(o.to_dict())
        _json({"summary": report.summary()})
    else:
        _table(
            f"imported {len(incoming)} order(s) from {len(files)} file(s)",
            ["order", "outcome", "status", "holds", "message"],
            [
                [o.order_id, o.outcome, o.status, ", ".join(o.holds), o.message]
                for o in report.orders
            ],
        )
        s = report.summary()
        typer.echo(
            f"{s['imported']} imported ({s['released']} released, {s['held']} on hold), "
            f"{s['skipped']} skipped, {s['conflicts']} conflicts, {s['rejected']} rejected"
        )
    bad = report.of("conflict") + report.of("rejected")
    if bad:
        raise fail(
            f"{len(bad)} order(s) not imported: "
            + "; ".join(f"{o.order_id}: {o.outcome}" for o in bad[:5])
        )


@orders_app.command("list")
def orders_list(
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="Only this channel.")] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Only this customer's orders (history).")
    ] = None,
    db: DbOption = None,
    output: FmtOption = Fmt.table,
) -> None:
    """List stored orders. Example: `wms orders list --status on_hold`."""
    from wms.fulfillment.orders import list_orders
    from wms.store.db import session_scope

    with user_errors(), session_scope(db, readonly=True) as session:
        rows = [
            {
                "order_id": o.id,
                "channel": o.channel,
                "status": o.status,
                "customer_id": o.customer_id,
                "lines": len(o.lines),
                "units": sum(line.qty for line in o.lines),
                "value": o.value,
                "currency": o.currency,
                "created_at": o.created_at.isoformat(),
            }
            for o in list_orders(session, status=status, channel=channel, customer_id=customer)
        ]
    if output is Fmt.json:
        for row in rows:
            _json(row)
        return
    _table(
        f"{len(rows)} order(s)",
        ["order", "channel", "status", "lines", "units", "value", "created"],
        [
            [
                r["order_id"],
                r["channel"],
                r["status"],
                r["lines"],
                r["units"],
                f"{r['value']:.2f} {r['currency']}",
                str(r["created_at"])[:16],
            ]
            for r in rows
        ],
    )


@orders_app.command("show")
def orders_show(
    order_id: Annotated[str, typer.Argument(help="Order reference.", show_default=False)],
    db: DbOption = None,
    output: FmtOption = Fmt.table,
) -> None:
    """Show one order: lines, holds and its status timeline. Example: `wms orders show SHOP-1001`."""
    from wms.fulfillment.events import order_timeline
    from wms.fulfillment.orders import get_order, list_holds, list_orders
    from wms.store.db import session_scope

    with user_errors(), session_scope(db, readonly=True) as session:
        o = get_order(session, order_id)
        data: dict[str, Any] = {
            "order_id": o.id,
            "channel": o.channel,
            "status": o.status,
            "customer_id": o.customer_id,
            "payment": f"{o.payment_method} / {o.payment_status}",
            "carrier": o.carrier,
            "value": f"{o.value:.2f} {o.currency}",
            "ship_to": ", ".join(
                x
                for x in (o.ship_name, o.ship_street, o.ship_postal_code, o.ship_city, o.country)
                if x
            ),
            "comment": o.comment,
            "lines": [
                {
                    "line_no": line.line_no,
                    "sku_id": line.sku_id,
                    "qty": line.qty,
                    "reserved": line.qty_reserved,
                    "picked": line.qty_picked,
                    "short": line.qty_short,
                }
                for line in o.lines
            ],
            "holds": [
                h.to_dict() for h in list_holds(session, order_id=order_id, include_released=True)
            ],
            "timeline": [e.to_dict() for e in order_timeline(session, order_id)],
            "customer_history": []
            if o.customer_id is None
            else [
                {"order_id": h.id, "status": h.status, "created_at": h.created_at.isoformat()}
                for h in list_orders(session, customer_id=o.customer_id)
                if h.id != o.id
            ],
        }
    if output is Fmt.json:
        _json(data)
        return
    for key in (
        "order_id",
        "channel",
        "status",
        "customer_id",
        "payment",
        "carrier",
        "value",
        "ship_to",
        "comment",
    ):
        typer.echo(f"{key:>12}: {data[key] if data[key] is not None else ''}")
    _table(
        "lines",
        ["line", "sku", "qty", "reserved", "picked", "short"],
        [
            [ln["line_no"], ln["sku_id"], ln["qty"], ln["reserved"], ln["picked"], ln["short"]]
            for ln in data["lines"]
        ],
    )
    _table(
        "holds",
        ["hold", "rule", "detail", "released by", "reason"],
        [
            [h["id"], h["rule"], h["detail"], h["released_by"], h["release_reason"]]
            for h in data["holds"]
        ],
    )
    history = data["customer_history"]
    typer.echo(
        f"{'history':>12}: "
        + (", ".join(f"{h['order_id']} ({h['status']})" for h in history) or "no other orders")
    )
    _table(
        "timeline",
        ["at", "event", "status"],
        [[e["at"][:19], e["type"], e["status"]] for e in data["timeline"]],
    )


def _by_reason(by: str, reason: str) -> tuple[str, str]:
    if not by.strip():
        raise fail("--by must name who does it")
    if not reason.strip():
        raise fail("--reason must say why")
    return by, reason


ByOption = Annotated[str, typer.Option("--by", "--actor", help="Who does it.", show_default=False)]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why.", show_default=False)]


@orders_app.command("cancel")
def orders_cancel(
    order_id: Annotated[str, typer.Argument(help="Order reference.", show_default=False)],
    by: ByOption,
    reason: ReasonOption,
    db: DbOption = None,
) -> None:
    """Cancel an order not yet picked (releases its stock and holds).

    Example: `wms orders cancel SHOP-1001 --by anna --reason "customer asked"`.
    """
    from wms.fulfillment.orders import cancel_order
    from wms.store.db import session_scope

    _by_reason(by, reason)
    with user_errors(), session_scope(db) as session:
        cancel_order(session, order_id, by, reason)
    typer.echo(f"order {order_id} cancelled")


@orders_app.command("pack")
def orders_pack(
    order_id: Annotated[str, typer.Argument(help="Order reference.", show_default=False)],
    by: Annotated[str | None, typer.Option("--by", "--actor", help="Packer.")] = None,
    db: DbOption = None,
) -> None:
    """Mark a picked order packed. Example: `wms orders pack SHOP-1001`."""
    from wms.fulfillment.picking import pack_order
    from wms.store.db import session_scope

    with user_errors(), session_scope(db) as session:
        pack_order(session, order_id, actor=by)
    typer.echo(f"order {order_id} packed")


@orders_app.command("ship")
def orders_ship(
    order_id: Annotated[str, typer.Argument(help="Order reference.", show_default=False)],
    tracking: Annotated[
        str | None, typer.Option("--tracking", help="Carrier tracking number.")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", "--actor", help="Who hands it over.")] = None,
    db: DbOption = None,
) -> None:
    """Mark a packed order shipped. Example: `wms orders ship SHOP-1001 --tracking 0012345`."""
    from wms.fulfillment.picking import ship_order
    from wms.store.db import session_scope

    with user_errors(), session_scope(db) as session:
        ship_order(session, order_id, tracking=tracking, actor=by)
    typer.echo(f"order {order_id} shipped")


# -- holds ----------------------------------------------------------------------------------------


@holds_app.command("list")
def holds_list(
    rule: Annotated[str | None, typer.Option("--rule", help="Only holds of this rule.")] = None,
    order_id: Annotated[
        str | None, typer.Option("--order", help="Only this order's holds.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include released holds.")] = False,
    db: DbOption = None,
    output: FmtOption = Fmt.table,
) -> None:
    """List open holds (oldest first). Example: `wms holds list --rule duplicate_customer`."""
    from wms.fulfillment.holds import RULES
    from wms.fulfillment.orders import list_holds
    from wms.store.db import session_scope

    if rule is not None and rule not in RULES:
        raise fail(f"unknown hold rule {rule!r}; choose one of: {', '.join(RULES)}")
    with user_errors(), session_scope(db, readonly=True) as session:
        holds = list_holds(session, rule=rule, order_id=order_id, include_released=all_)
    if output is Fmt.json:
        for h in holds:
            _json(h.to_dict())
        return
    _table(
        f"{len(holds)} hold(s)",
        ["hold", "order", "rule", "detail", "since", "released by"],
        [
            [h.id, h.order_id, h.rule, h.detail, h.created_at.isoformat()[:16], h.released_by]
            for h in holds
        ],
    )


@holds_app.command("release")
def holds_release(
    hold_id: Annotated[
        int, typer.Argument(help="Hold id (see `wms holds list`).", show_default=False)
    ],
    by: ByOption,
    reason: ReasonOption,
    rules: RulesOption = None,
    db: DbOption = None,
    output: FmtOption = Fmt.table,
) -> None:
    """Release one hold; the order goes to the warehouse when its last hold is released.

    Example: `wms holds release 17 --by anna --reason "customer confirmed the colour"`.
    """
    from wms.fulfillment.orders import release_hold
    from wms.store.db import session_scope

    _by_reason(by, reason)
    with user_errors():
        config = _rules(rules)
        with session_scope(db) as session:
            result = release_hold(session, hold_id, by, reason, config=config)
    if output is Fmt.json:
        _json(result.to_dict())
        return
    typer.echo(
        f"hold {hold_id} ({result.hold.rule}) of order {result.hold.order_id} released; order is "
        f"{result.order_status}, {result.open_holds} open hold(s) left"
    )
    for h in result.new_holds:
        typer.echo(f"new hold {h.id} ({h.rule}): {h.detail}")


# -- waves and picks ------------------------------------------------------------------------------


@waves_app.command("create")
def waves_create(
    layout: Annotated[
        Path, typer.Option("--layout", "-l", help="Layout YAML file.", show_default=False)
    ],
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="Plan configuration (YAML/JSON).")
    ] = None,
    order: Annotated[
        list[str] | None, typer.Option("--order", help="Only these released orders (repeatable).")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", "--actor", help="Who releases the wave.")
    ] = None,
    db: DbOption = None,
    output: FmtOption = Fmt.table,
) -> None:
    """Plan released orders into pick lists with the core planner and store them.

    Example: `wms waves create --layout layouts/small-single-block.yaml`.
    """
    from wms.fulfillment.picking import create_wave
    from wms.io.orders import read_plan_config
    from wms.layout.schema import load_layout
    from wms.store.db import session_scope

    with user_errors():
        lay = load_layout(layout)
        plan_cfg = None if config is None else read_plan_config(config)
        with session_scope(db) as session:
            result = create_wave(session, lay, plan_cfg, order_ids=order, actor=by)
    if output is Fmt.json:
        _json(result.to_dict())
        return
    typer.echo(
        f"{len(result.wave_ids)} wave(s), {len(result.pick_list_ids)} pick list(s) "
        f"{list(result.pick_list_ids)}, {len(result.order_ids)} order(s), "
        f"{result.route_length_m:.1f} m to walk"
    )
    for order_id, why in result.unassigned:
        typer.echo(f"not planned: {order_id}: {why}")


@picks_app.command("list")
def picks_list(
    pick_list: Annotated[
        int | None, typer.Option("--pick-list", help="Only this pick list.")
    ] = None,
    order_id: Annotated[str | None, typer.Option("--order", help="Only this order.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include done tasks.")] = False,
    db: DbOption = None,
    output: FmtOption = Fmt.table,
) -> None:
    """List pick tasks in walking order. Example: `wms picks list --pick-list 3`."""
    from wms.fulfillment.picking import list_pick_tasks
    from wms.store.db import session_scope

    with user_errors(), session_scope(db, readonly=True) as session:
        rows = [
            {
                "task_id": t.id,
                "pick_list_id": t.pick_list_id,
                "seq": t.seq,
                "location_id": t.location_id,
                "sku_id": t.sku_id,
                "qty": t.qty,
                "qty_picked": t.qty_picked,
                "order_id": t.order_id,
                "line_no": t.line_no,
                "tote": t.tote,
                "status": t.status,
            }
            for t in list_pick_tasks(
                session, pick_list_id=pick_list, order_id=order_id, status=None if all_ else "open"
            )
        ]
    if output is Fmt.json:
        for row in rows:
            _json(row)
        return
    _table(
        f"{len(rows)} pick task(s)",
        ["task", "list", "seq", "location", "sku", "qty", "picked", "order", "tote", "status"],
        [
            [
                r["task_id"],
                r["pick_list_id"],
                r["seq"],
                r["location_id"],
                r["sku_id"],
                r["qty"],
                r["qty_picked"],
                r["order_id"],
                r["tote"],
                r["status"],
            ]
            for r in rows
        ],
    )


@picks_app.command("confirm")
def picks_confirm(
    task_id: Annotated[int, typer.Argument(help="Pick task id.", show_default=False)],
    qty: Annotated[
        int,
        typer.Argument(help="Units picked (less than asked: a short pick).", show_default=False),
    ],
    by: Annotated[str | None, typer.Option("--by", "--actor", help="The picker.")] = None,
    not_missing: Annotated[
        bool,
        typer.Option(
            "--not-missing",
            help="On a short pick, the units are at the location but cannot be taken: do not "
            "book them out of stock.",
        ),
    ] = False,
    db: DbOption = None,
    output: FmtOption = Fmt.table,
) -> None:
    """Confirm a pick task; a short pick is reallocated or puts the order on hold.

    Example: `wms picks confirm 42 3 --by piotr`.
    """
    from wms.fulfillment.picking import confirm_pick
    from wms.store.db import session_scope

    with user_errors(), session_scope(db) as session:
        result = confirm_pick(session, task_id, qty, actor=by, missing_at_location=not not_missing)
    if output is Fmt.json:
        _json(result.to_dict())
        return
    text = f"task {task_id}: {result.qty_picked} picked"
    if result.short_qty:
        text += f", {result.short_qty} short"
        if result.reallocated_task_ids:
            text += f" -> new task(s) {list(result.reallocated_task_ids)}"
        if result.hold_id is not None:
            text += f" -> order on hold (hold {result.hold_id})"
    typer.echo(f"{text}; order is {result.order_status}")


def register(app: typer.Typer) -> None:
    """Add ``orders``, ``holds``, ``waves`` and ``picks`` to ``app`` (the ``wms`` application)."""
    app.add_typer(orders_app, name="orders")
    app.add_typer(holds_app, name="holds")
    app.add_typer(waves_app, name="waves")
    app.add_typer(picks_app, name="picks")
