"""The database commands of ``wms``: schema, receiving, stock, returns, events, KPIs.

Every command works on the database given by ``--url``, else ``WMS_DATABASE_URL``, else the SQLite
file ``wms.db`` in the current directory (run ``wms db upgrade`` once to create it). Each command is
one transaction: a user mistake prints one line ``error: ...`` on stderr, exits with code 1 and
leaves the database unchanged.

::

    wms db upgrade [--url URL]
    wms db locations --layout layouts/small-single-block.yaml [--capacity 50]
    wms db skus catalogue.csv
    wms receive asn import deliveries.csv [--create-skus]
    wms receive count ASN-1 --line S1=12 --line S2=5:1      # SKU=received[:damaged[:status]]
    wms receive putaway suggest [ASN-1]
    wms receive putaway confirm ASN-1 [--move S1:L-01-01:10 ...]   # default: the suggestion
    wms stock [--sku S1] [--location L1] [--by-sku] [--as-of 2026-11-20T18:00:00Z]
    wms stock count S1 L1 7 --reason "cycle count"
    wms stock move S1 L1 L2 3
    wms stock reslot [--days 7]
    wms returns create RMA-1 --order A-1 --line S1:2:unwanted [--complaint]
    wms returns receive RMA-1 [--line 1=2]
    wms returns inspect RMA-1 --line 1=new
    wms returns dispose RMA-1 1 restock --location L1
    wms returns complaint RMA-1 in_repair --note "sent to the workshop"
    wms returns status RMA-1
    wms events [--order A-1] [--type order.held] [--pending]
    wms kpis [--since 2026-11-01T00:00:00Z] [--until ...]
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wms.cli_errors import fail, user_errors
from wms.errors import StoreError, WmsError, located
from wms.io.text import NUL_MESSAGE, first_nul_line

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from wms.fulfillment.receiving import LineCount, PutawayMove


class Format(StrEnum):
    """How a database command prints its result."""

    table = "table"
    json = "json"


UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Database URL (sqlite:///path.db or postgresql+psycopg://...).",
        show_default="$WMS_DATABASE_URL, else sqlite:///wms.db",
    ),
]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="table: for people; json: one object per line.")
]
ActorOption = Annotated[str | None, typer.Option("--actor", help="Who does it (for the log).")]

db_app = typer.Typer(help="Create and migrate the fulfillment database.", no_args_is_help=True)
receive_app = typer.Typer(help="Receiving: ASN import, counting, putaway.", no_args_is_help=True)
asn_app = typer.Typer(help="Announced deliveries (ASN).", no_args_is_help=True)
putaway_app = typer.Typer(help="Putaway suggestions and confirmations.", no_args_is_help=True)
stock_app = typer.Typer(
    help="Stock per SKU and location; counts, moves, re-slotting.", invoke_without_command=True
)
returns_app = typer.Typer(help="Returns (RMA) and complaints.", no_args_is_help=True)
receive_app.add_typer(asn_app, name="asn")
receive_app.add_typer(putaway_app, name="putaway")


# -- plumbing -------------------------------------------------------------------------------------


@contextmanager
def _session(url: str | None, *, readonly: bool = False) -> Iterator[Session]:
    """One transaction on a migrated database; database trouble becomes a one-line error."""
    import sqlalchemy as sa

    from wms.store.db import make_engine, session_scope
    from wms.store.migrations import current_revision, head_revision

    with user_errors():
        engine = make_engine(url)
        shown = engine.url.render_as_string(hide_password=True)
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and not Path(database).exists():
            engine.dispose()
            raise StoreError(f"no database at {database}: run `wms db upgrade` to create it")
        try:
            try:
                revision = current_revision(engine)
            except sa.exc.OperationalError as exc:
                raise StoreError(
                    f"cannot open database {shown}: {str(exc.orig).strip().splitlines()[0]}"
                ) from None
            if revision is None:
                raise StoreError(f"database {shown} has no wms tables: run `wms db upgrade` first")
            if revision != head_revision():
                raise StoreError(
                    f"database {shown} is at schema {revision}, this wms needs {head_revision()}: "
                    "run `wms db upgrade`"
                )
            with session_scope(engine, readonly=readonly) as session:
                yield session
        finally:
            engine.dispose()


def _emit(rows: Sequence[dict[str, Any]], output: Format, columns: Sequence[str]) -> None:
    """Print rows as an aligned table or as JSON lines."""
    if output is Format.json:
        for row in rows:
            typer.echo(json.dumps(row, default=str))
        return
    if not rows:
        typer.echo("(none)")
        return
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for r in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise fail(
            f"{option} {value!r} is not an ISO 8601 time, e.g. 2026-11-23T08:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise fail(f"{option} {value!r} has no time zone: add Z or +01:00")
    return parsed


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise WmsError(f"{what}: {text!r} is not a whole number") from None


# -- wms db ---------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(url: UrlOption = None) -> None:
    """Create the tables or migrate them to this version of wms (safe to run again)."""
    import sqlalchemy as sa

    from wms.store.migrations import head_revision, upgrade

    with user_errors():
        try:
            shown = upgrade(url)
        except sa.exc.OperationalError as exc:
            raise StoreError(
                f"cannot open database: {str(exc.orig).strip().splitlines()[0]}"
            ) from None
    typer.echo(f"database {shown} is at schema {head_revision()}")


@db_app.command("locations")
def db_locations(
    layout: Annotated[Path, typer.Option("--layout", help="Layout file (YAML).")],
    capacity: Annotated[
        int | None, typer.Option("--capacity", help="Units per location.", min=0)
    ] = None,
    url: UrlOption = None,
) -> None:
    """Create the storage locations of a layout, with their walking distance to the depot."""
    from wms.fulfillment.stock import sync_locations
    from wms.layout.schema import load_layout

    with user_errors():
        loaded = load_layout(layout)
    with _session(url) as s:
        n = sync_locations(s, loaded, capacity_units=capacity)
    typer.echo(f"{n} storage locations from {layout}")


def _read_table(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """Rows of a CSV or JSON file (a list of objects) with where each came from."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate the BOM spreadsheets write
    except UnicodeDecodeError as exc:
        raise WmsError(
            f"{source}: not UTF-8 text (byte {exc.start}): save the file as UTF-8"
        ) from None
    nul = first_nul_line(text)
    if nul is not None:
        raise WmsError(located(source, nul, NUL_MESSAGE.replace("contains", "the line has")))
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise WmsError(located(source, exc.lineno, f"not valid JSON: {exc.msg}")) from None
        if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
            raise WmsError(f"{source}: expected a list of objects")
        return [(f"{source}: entry {i}", dict(x)) for i, x in enumerate(data)]
    if path.suffix.lower() != ".csv":
        raise WmsError(f"{source}: unknown file type {path.suffix!r}: use .csv or .json")
    reader = csv.DictReader(text.splitlines())
    return [
        (located(source, reader.line_num, "").rstrip(": "), {k: v for k, v in row.items() if v})
        for row in reader
    ]


@db_app.command("skus")
def db_skus(
    path: Annotated[Path, typer.Argument(help="CSV/JSON with id, description, weight_kg, ...")],
    url: UrlOption = None,
) -> None:
    """Create or update catalogue SKUs (id, description, weight_kg, volume_l, handling_class,
    velocity_class)."""
    from wms.fulfillment.stock import upsert_skus

    with user_errors():
        rows = _read_table(path)
        specs: list[dict[str, Any]] = []
        for where, row in rows:
            unknown = set(row) - {
                "id",
                "description",
                "weight_kg",
                "volume_l",
                "handling_class",
                "velocity_class",
            }
            if unknown:
                raise WmsError(f"{where}: unknown field {sorted(unknown)[0]!r}")
            spec = dict(row)
            for name in ("weight_kg", "volume_l"):
                if name in spec:
                    try:
                        spec[name] = float(spec[name])
                    except (TypeError, ValueError):
                        raise WmsError(f"{where}: {name} {spec[name]!r} is not a number") from None
            if not spec.get("id"):
                raise WmsError(f"{where}: field id is missing")
            specs.append(spec)
    with _session(url) as s:
        n = upsert_skus(s, specs)
    typer.echo(f"{n} SKUs from {path}")


# -- wms receive ----------------------------------------------------------------------------------


@asn_app.command("import")
def asn_import(
    path: Annotated[Path, typer.Argument(help="ASN file (.csv or .json).")],
    create_skus: Annotated[
        bool, typer.Option("--create-skus", help="Add SKUs the catalogue does not know.")
    ] = False,
    url: UrlOption = None,
) -> None:
    """Import announced deliveries; importing the same ASN again changes nothing."""
    from wms.fulfillment.receiving import import_asn, read_asn

    with user_errors():
        asns = read_asn(path)
    with _session(url) as s:
        for asn in asns:
            import_asn(s, asn, create_missing_skus=create_skus)
    typer.echo(f"{len(asns)} ASN(s), {sum(len(a.lines) for a in asns)} lines from {path}")


def _parse_count(text: str) -> LineCount:
    from wms.fulfillment.receiving import LineCount

    sku, sep, rest = text.partition("=")
    if not sep or not sku:
        raise WmsError(f"--line {text!r}: write SKU=received[:damaged[:status]], e.g. S1=12:1")
    parts = rest.split(":")
    received = _int(parts[0], f"--line {text!r} received")
    damaged = _int(parts[1], f"--line {text!r} damaged") if len(parts) > 1 and parts[1] else 0
    status = parts[2] if len(parts) > 2 else "ok"
    return LineCount(sku.strip(), received, damaged, status)


@receive_app.command("count")
def receive_count(
    asn_id: Annotated[str, typer.Argument(help="The ASN id of the delivery.")],
    line: Annotated[
        list[str] | None,
        typer.Option(
            "--line", help="SKU=received[:damaged[:ok|damaged|rejected]], once per SKU counted."
        ),
    ] = None,
    counts: Annotated[
        Path | None,
        typer.Option(
            "--counts", help="CSV/JSON: sku_id, qty_received, qty_damaged, quality_status."
        ),
    ] = None,
    dock: Annotated[str, typer.Option("--dock", help="Receiving dock location.")] = "DOCK",
    actor: ActorOption = None,
    output: FormatOption = Format.table,
    url: UrlOption = None,
) -> None:
    """Record what was counted of a delivery; print the discrepancies (over, short, damaged)."""
    from wms.fulfillment.receiving import LineCount, receive_receipt

    with user_errors():
        parsed = [_parse_count(t) for t in line or []]
        if counts is not None:
            for where, row in _read_table(counts):
                if not row.get("sku_id"):
                    raise WmsError(f"{where}: field sku_id is missing")
                parsed.append(
                    LineCount(
                        str(row["sku_id"]),
                        _int(str(row.get("qty_received", "")), f"{where}: qty_received"),
                        _int(str(row.get("qty_damaged", 0)), f"{where}: qty_damaged"),
                        str(row.get("quality_status", "ok")),
                    )
                )
        if not parsed:
            raise WmsError("give the counts: --line SKU=QTY (repeat) or --counts FILE")
    with _session(url) as s:
        result = receive_receipt(s, asn_id, parsed, dock_location_id=dock, actor=actor)
    if output is Format.table:
        typer.echo(
            f"receipt {asn_id}: {result.units_to_dock} units to {dock}, "
            f"{result.units_to_quarantine} to quarantine"
        )
    _emit(
        [d.to_dict() for d in result.discrepancies],
        output,
        ["line_no", "sku_id", "qty_expected", "qty_received", "qty_damaged", "discrepancy"],
    )


@putaway_app.command("suggest")
def putaway_suggest(
    asn_id: Annotated[str | None, typer.Argument(help="Only this receipt's units.")] = None,
    dock: Annotated[str, typer.Option("--dock", help="Receiving dock location.")] = "DOCK",
    output: FormatOption = Format.table,
    url: UrlOption = None,
) -> None:
    """Suggest storage locations for units at the dock (fast movers nearest the depot)."""
    from wms.fulfillment.receiving import suggest_putaway

    with _session(url, readonly=True) as s:
        suggestions = suggest_putaway(s, asn_id, dock_location_id=dock)
    _emit(
        [p.to_dict() for p in suggestions],
        output,
        ["sku_id", "qty", "to_location_id", "distance_m", "velocity_class", "location_class"],
    )


def _parse_move(text: str, asn_id: str | None, dock: str) -> PutawayMove:
    from wms.fulfillment.receiving import PutawayMove

    parts = text.split(":")
    if len(parts) != 3:
        raise WmsError(f"--move {text!r}: write SKU:LOCATION:QTY, e.g. S1:L-01-01:10")
    return PutawayMove(parts[0], parts[1], _int(parts[2], f"--move {text!r} QTY"), dock, asn_id)


@putaway_app.command("confirm")
def putaway_confirm(
    asn_id: Annotated[str | None, typer.Argument(help="The receipt being put away.")] = None,
    move: Annotated[
        list[str] | None,
        typer.Option("--move", help="SKU:LOCATION:QTY as done; default: the current suggestion."),
    ] = None,
    dock: Annotated[str, typer.Option("--dock", help="Receiving dock location.")] = "DOCK",
    actor: ActorOption = None,
    url: UrlOption = None,
) -> None:
    """Confirm putaway moves (all or nothing); the receipt closes once all its units are stored."""
    from wms.fulfillment.receiving import confirm_putaway, suggest_putaway

    with user_errors():
        moves = [_parse_move(t, asn_id, dock) for t in move or []]
    with _session(url) as s:
        todo = moves or suggest_putaway(s, asn_id, dock_location_id=dock)
        if not todo:
            raise fail("nothing to put away: the dock holds no units of this receipt")
        rows = confirm_putaway(s, todo, actor=actor)
    typer.echo(f"{len(rows)} putaway moves, {sum(r.qty for r in rows)} units")


# -- wms stock ------------------------------------------------------------------------------------


@stock_app.callback()
def stock_list(
    ctx: typer.Context,
    sku: Annotated[str | None, typer.Option("--sku", help="Only this SKU.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Only this location.")] = None,
    by_sku: Annotated[
        bool, typer.Option("--by-sku", help="Totals per SKU over storage locations.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="On hand at this past time (ISO), replayed from the ledger."),
    ] = None,
    output: FormatOption = Format.table,
    url: UrlOption = None,
) -> None:
    """Stock per SKU and location: on hand, reserved, available."""
    if ctx.invoked_subcommand is not None:
        return
    from wms.fulfillment.stock import ledger_balance, stock_by_sku, stock_levels

    moment = _time(as_of, "--as-of")
    with _session(url, readonly=True) as s:
        if moment is not None:
            balance = ledger_balance(s, as_of=moment)
            rows = [
                {"sku_id": k[0], "location_id": k[1], "on_hand": v}
                for k, v in sorted(balance.items())
                if (sku is None or k[0] == sku) and (location is None or k[1] == location)
            ]
            _emit(rows, output, ["sku_id", "location_id", "on_hand"])
            return
        if by_sku:
            totals = stock_by_sku(s, sku_id=sku)
            _emit(
                [t.to_dict() for t in totals],
                output,
                ["sku_id", "on_hand", "reserved", "available", "locations"],
            )
            return
        levels = stock_levels(s, sku_id=sku, location_id=location)
    _emit(
        [lv.to_dict() for lv in levels],
        output,
        ["sku_id", "location_id", "on_hand", "reserved", "available"],
    )


@stock_app.command("count")
def stock_count(
    sku: Annotated[str, typer.Argument(help="SKU counted.")],
    location: Annotated[str, typer.Argument(help="Location counted.")],
    counted: Annotated[int, typer.Argument(help="Units found.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the count.")] = "cycle count",
    actor: ActorOption = None,
    url: UrlOption = None,
) -> None:
    """Record a cycle count; the difference is booked as an adjustment with the reason."""
    from wms.fulfillment.stock import count

    with _session(url) as s:
        row = count(s, sku, location, counted, reason=reason, actor=actor)
    if row is None:
        typer.echo(f"{sku} at {location}: count matches ({counted})")
    else:
        sign = "+" if row.to_location_id else "-"
        typer.echo(f"{sku} at {location}: adjusted {sign}{row.qty} to {counted} ({reason})")


@stock_app.command("move")
def stock_move(
    sku: Annotated[str, typer.Argument(help="SKU to move.")],
    source: Annotated[str, typer.Argument(help="From location.")],
    target: Annotated[str, typer.Argument(help="To location.")],
    qty: Annotated[int, typer.Argument(help="Units.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why.")] = None,
    actor: ActorOption = None,
    url: UrlOption = None,
) -> None:
    """Move unreserved units between locations."""
    from wms.fulfillment.stock import move

    with _session(url) as s:
        move(s, sku, source, target, qty, reason=reason, actor=actor)
    typer.echo(f"moved {qty} x {sku}: {source} -> {target}")


@stock_app.command("reslot")
def stock_reslot(
    since: Annotated[str | None, typer.Option("--since", help="Picks from (ISO time).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Picks until (ISO time).")] = None,
    max_moves: Annotated[
        int | None, typer.Option("--max-moves", help="Show at most this many moves.", min=1)
    ] = None,
    output: FormatOption = Format.table,
    url: UrlOption = None,
) -> None:
    """Re-slotting suggestion from pick frequencies: what moving fast movers closer saves."""
    from wms.fulfillment.storage import suggest_reslotting

    t0, t1 = _time(since, "--since"), _time(until, "--until")
    with _session(url, readonly=True) as s:
        plan = suggest_reslotting(s, since=t0, until=t1, max_moves=max_moves)
    if output is Format.json:
        typer.echo(json.dumps(plan.to_dict()))
        return
    _emit(
        [m.to_dict() for m in plan.moves],
        output,
        ["sku_id", "from_location_id", "to_location_id", "picks_per_day", "saving_m_per_day"],
    )
    typer.echo(
        f"travel {plan.current_travel_m_per_day:.1f} -> {plan.proposed_travel_m_per_day:.1f} m/day "
        f"(saves {plan.saving_m_per_day:.1f} m/day over {plan.days:.1f} days of picks)"
    )


# -- wms returns ----------------------------------------------------------------------------------


@returns_app.command("create")
def returns_create(
    rma_id: Annotated[str, typer.Argument(help="The RMA number.")],
    line: Annotated[
        list[str], typer.Option("--line", help="SKU:QTY[:REASON], once per returned SKU.")
    ],
    order: Annotated[str | None, typer.Option("--order", help="The order shipped.")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="Customer id.")] = None,
    complaint: Annotated[
        bool, typer.Option("--complaint", help="Open a complaint the customer can follow.")
    ] = False,
    url: UrlOption = None,
) -> None:
    """Authorise a return."""
    from wms.fulfillment.returns import ReturnLine, create_rma

    with user_errors():
        lines = []
        for text in line:
            parts = text.split(":", 2)
            if len(parts) < 2:
                raise WmsError(f"--line {text!r}: write SKU:QTY[:REASON], e.g. S1:2:unwanted")
            reason = parts[2] if len(parts) > 2 else "unwanted"
            lines.append(ReturnLine(parts[0], _int(parts[1], f"--line {text!r} QTY"), reason))
    with _session(url) as s:
        create_rma(s, rma_id, lines, order_id=order, customer_id=customer, complaint=complaint)
    typer.echo(f"return {rma_id} authorised ({len(lines)} lines)")


def _pairs(texts: Sequence[str] | None, what: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for text in texts or []:
        key, sep, value = text.partition("=")
        if not sep:
            raise WmsError(f"--line {text!r}: write LINE_NO={what}")
        out[_int(key, f"--line {text!r} LINE_NO")] = value
    return out


@returns_app.command("receive")
def returns_receive(
    rma_id: Annotated[str, typer.Argument(help="The RMA number.")],
    line: Annotated[
        list[str] | None,
        typer.Option("--line", help="LINE_NO=QTY received; default: every line in full."),
    ] = None,
    location: Annotated[str, typer.Option("--location", help="Returns desk.")] = "RETURNS",
    actor: ActorOption = None,
    url: UrlOption = None,
) -> None:
    """Book the returned units into the returns desk."""
    from wms.fulfillment.returns import receive_return

    with user_errors():
        pairs = _pairs(line, "QTY")
        received = {k: _int(v, f"--line {k} QTY") for k, v in pairs.items()} if pairs else None
    with _session(url) as s:
        rma = receive_return(s, rma_id, received, location_id=location, actor=actor)
        units = sum(ln.qty_received for ln in rma.lines)
    typer.echo(f"return {rma_id}: {units} units received at {location}")


@returns_app.command("inspect")
def returns_inspect(
    rma_id: Annotated[str, typer.Argument(help="The RMA number.")],
    line: Annotated[
        list[str], typer.Option("--line", help="LINE_NO=new|opened|damaged|defective.")
    ],
    actor: ActorOption = None,
    url: UrlOption = None,
) -> None:
    """Record the inspected condition of returned lines."""
    from wms.fulfillment.returns import inspect_return

    with user_errors():
        conditions = _pairs(line, "CONDITION")
    with _session(url) as s:
        rma = inspect_return(s, rma_id, conditions, actor=actor)
        status = rma.status
    typer.echo(f"return {rma_id}: {status}")


@returns_app.command("dispose")
def returns_dispose(
    rma_id: Annotated[str, typer.Argument(help="The RMA number.")],
    line_no: Annotated[int, typer.Argument(help="Line number.")],
    disposition: Annotated[str, typer.Argument(help="restock | quarantine | scrap.")],
    location: Annotated[
        str | None, typer.Option("--location", help="Storage location (restock) or quarantine.")
    ] = None,
    actor: ActorOption = None,
    url: UrlOption = None,
) -> None:
    """Restock, quarantine or scrap the units of a returned line."""
    from wms.fulfillment.returns import dispose_return

    with _session(url) as s:
        rma = dispose_return(s, rma_id, line_no, disposition, location_id=location, actor=actor)
        status = rma.status
    typer.echo(f"return {rma_id} line {line_no}: {disposition}; return {status}")


@returns_app.command("complaint")
def returns_complaint(
    rma_id: Annotated[str, typer.Argument(help="The RMA number.")],
    status: Annotated[str, typer.Argument(help="open, in_review, in_repair, repaired, ...")],
    note: Annotated[str | None, typer.Option("--note", help="Shown to the customer.")] = None,
    actor: ActorOption = None,
    url: UrlOption = None,
) -> None:
    """Move a complaint along (the customer sees it in `wms returns status`)."""
    from wms.fulfillment.returns import set_complaint_status

    with _session(url) as s:
        set_complaint_status(s, rma_id, status, note=note, actor=actor)
    typer.echo(f"return {rma_id}: complaint {status}")


@returns_app.command("status")
def returns_status(
    rma_id: Annotated[str, typer.Argument(help="The RMA number.")],
    output: FormatOption = Format.table,
    url: UrlOption = None,
) -> None:
    """What the customer sees: status, complaint status, lines, history."""
    from wms.fulfillment.returns import rma_status

    with _session(url, readonly=True) as s:
        st = rma_status(s, rma_id)
    if output is Format.json:
        typer.echo(json.dumps(st.to_dict()))
        return
    typer.echo(
        f"return {st.rma_id}  order {st.order_id or '-'}  status {st.status}  "
        f"complaint {st.complaint_status or '-'}"
    )
    _emit(
        list(st.lines),
        output,
        ["line_no", "sku_id", "qty", "reason", "qty_received", "condition", "disposition"],
    )
    _emit(list(st.history), output, ["at", "type", "status", "complaint_status"])


# -- wms events, wms kpis -------------------------------------------------------------------------


def events_command(
    order: Annotated[
        str | None, typer.Option("--order", help="One order's timeline (with status).")
    ] = None,
    type_: Annotated[
        str | None, typer.Option("--type", help="Event type, or a prefix ending in '.'.")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="From (ISO time).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Until (ISO time).")] = None,
    pending: Annotated[
        bool, typer.Option("--pending", help="Only events not yet delivered (the outbox).")
    ] = False,
    limit: Annotated[int | None, typer.Option("--limit", help="At most N events.", min=1)] = None,
    output: FormatOption = Format.table,
    url: UrlOption = None,
) -> None:
    """The event log: status changes of orders, receipts, returns, stock."""
    from wms.fulfillment.events import list_events, order_timeline

    t0, t1 = _time(since, "--since"), _time(until, "--until")
    with _session(url, readonly=True) as s:
        if order is not None and type_ is None and not pending and t0 is None and t1 is None:
            timeline = order_timeline(s, order)
            if not timeline:
                raise fail(f"order {order!r} has no events: check the order id")
            _emit(
                [e.to_dict() for e in timeline[:limit]],
                output,
                ["at", "type", "status"],
            )
            return
        exact = type_ if type_ and not type_.endswith(".") else None
        prefix = type_ if type_ and type_.endswith(".") else None
        events = list_events(
            s,
            type=exact,
            type_prefix=prefix,
            order_id=order,
            since=t0,
            until=t1,
            delivered=False if pending else None,
            limit=limit,
        )
    _emit(
        [e.to_dict() for e in events],
        output,
        ["id", "at", "type", "entity_type", "entity_id", "delivered"],
    )


def kpis_command(
    since: Annotated[str | None, typer.Option("--since", help="Orders from (ISO time).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Orders until (ISO time).")] = None,
    output: FormatOption = Format.table,
    url: UrlOption = None,
) -> None:
    """Service KPIs: order-to-ship time, perfect-order rate, shortages, hold rate per rule."""
    from wms.fulfillment.kpis import service_kpis

    t0, t1 = _time(since, "--since"), _time(until, "--until")
    with _session(url, readonly=True) as s:
        k = service_kpis(s, since=t0, until=t1)
    if output is Format.json:
        typer.echo(json.dumps(k.to_dict()))
        return
    d = k.order_to_ship

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f} %"

    def hours(x: float | None) -> str:
        return "-" if x is None else f"{x:.2f} h"

    typer.echo(f"orders received        {k.orders_received}")
    typer.echo(f"orders shipped         {k.orders_shipped}")
    typer.echo(
        f"order-to-ship          p50 {hours(d.p50_h)}  p95 {hours(d.p95_h)}  max {hours(d.max_h)}"
    )
    typer.echo(f"perfect-order rate     {pct(k.perfect_order_rate)}")
    typer.echo(
        f"shortage rate          {pct(k.shortage_rate)} ({k.orders_short} orders, "
        f"{k.short_units} units short)"
    )
    typer.echo(f"late against cutoff    {k.late_orders}")
    for rule, rate in k.hold_rate.items():
        typer.echo(f"hold rate {rule:<24} {pct(rate)} ({k.holds_by_rule[rule]} orders)")


def register(app: typer.Typer) -> None:
    """Add ``db``, ``receive``, ``stock``, ``returns``, ``events`` and ``kpis`` to ``app``."""
    app.add_typer(db_app, name="db")
    app.add_typer(receive_app, name="receive")
    app.add_typer(stock_app, name="stock")
    app.add_typer(returns_app, name="returns")
    app.command("events")(events_command)
    app.command("kpis")(kpis_command)
