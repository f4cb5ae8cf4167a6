"""The ``wms`` command: a thin layer that parses arguments, calls the core and formats results.

Results go to stdout (``--format table`` for people, ``json`` for machines: one object per line);
logs and errors go to stderr. A user mistake (bad file, unknown method, unknown location) prints one
line ``error: ...`` and exits with code 1; anything else is a bug and shows a traceback.

Heavy modules (numpy, numba, the routing code) are imported inside the commands so that
``wms --help`` stays fast.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wms.cli_errors import fail, user_errors

if TYPE_CHECKING:
    from rich.console import Console

    from wms.layout import Layout
    from wms.model import Route

log = logging.getLogger("wms")

app = typer.Typer(
    name="wms",
    help="Warehouse picking optimizer: layouts, picker routing, benchmark instances.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
layout_app = typer.Typer(help="Inspect layout files and their format.", no_args_is_help=True)
app.add_typer(layout_app, name="layout")


class OutputFormat(StrEnum):
    """How a command prints its result."""

    table = "table"
    json = "json"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="table: for people; json: one JSON object per line."),
]


# -- plumbing --------------------------------------------------------------------------------------


def _stdout() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _emit_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")


class _StderrHandler(logging.Handler):
    """Log records to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # pragma: no cover - logging must never break the command
            self.handleError(record)


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
    log.setLevel(level)


@app.callback()
def _main(
    verbose: Annotated[
        int,
        typer.Option("--verbose", "-v", count=True, help="More log output on stderr (-vv: debug)."),
    ] = 0,
) -> None:
    """Warehouse picking optimizer: layouts, picker routing, benchmark instances."""
    _setup_logging(verbose)


# -- wms route -------------------------------------------------------------------------------------


def _check_method(name: str) -> None:
    from wms.routing import get_method

    try:
        get_method(name)
    except ValueError as exc:  # unknown name: the message lists the valid ones
        raise fail(str(exc)) from None


def _routes_for_sprp(
    files: Sequence[Path], method: str, start: str | None, end: str | None
) -> list[tuple[str, int, Route]]:
    """Read SPRP files and route them, one batch per distinct warehouse geometry."""
    from wms.io.sprp import read_sprp
    from wms.routing import PickLists, route_all

    instances = [read_sprp(f) for f in files]
    log.info("read %d SPRP instance(s)", len(instances))
    # Files with the same geometry share location indices: route them on one layout in one call.
    groups: dict[tuple[object, ...], list[int]] = {}
    for k, inst in enumerate(instances):
        lay = inst.layout
        depot = lay.point(lay.depot)
        key = (
            lay.aisle_x_m.tobytes(),
            lay.cross_y_m.tobytes(),
            len(lay.locations),
            depot.x_m,
            depot.cross_aisle,
            depot.offset_m,
        )
        groups.setdefault(key, []).append(k)
    out: list[tuple[str, int, Route] | None] = [None] * len(instances)
    for members in groups.values():
        layout = instances[members[0]].layout
        lists = PickLists.from_lists([instances[k].picks for k in members])
        routes = route_all(layout, lists, method, start, end)
        for k, r in zip(members, routes, strict=True):
            out[k] = (instances[k].name, int(instances[k].picks.size), r)
    return [x for x in out if x is not None]


def _routes_for_layout(
    layout_file: Path, picks_file: Path, method: str, start: str | None, end: str | None
) -> list[tuple[str, int, Route]]:
    from wms.io.picks import read_pick_lists
    from wms.layout.schema import load_layout
    from wms.routing import PickLists, route_all

    layout = load_layout(layout_file)
    lists = read_pick_lists(picks_file, layout)
    log.info("routing %d pick list(s) on layout %r", len(lists), layout.name)
    routes = route_all(layout, PickLists.from_lists(list(lists.values())), method, start, end)
    return [(name, int(p.size), r) for (name, p), r in zip(lists.items(), routes, strict=True)]


def _walk_summary(route: Route, limit: int = 6) -> str:
    picks = [s.location_id for s in route.stops if s.kind == "pick"]
    start = route.stops[0].location_id if route.stops else "?"
    end = route.stops[-1].location_id if route.stops else "?"
    shown = picks[:limit] + ([f"… +{len(picks) - limit}"] if len(picks) > limit else [])
    return " → ".join([start, *shown, end])


@app.command()
def route(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="SPRP instance files (or use --layout with --picks).", show_default=False
        ),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", "-m", help="Routing method; see `wms methods`.")
    ] = "optimal",
    layout: Annotated[
        Path | None, typer.Option("--layout", "-l", help="Layout YAML file (with --picks).")
    ] = None,
    picks: Annotated[
        Path | None,
        typer.Option(
            "--picks",
            "-p",
            help="Pick lists: CSV with location_id (and list_id) columns, or JSON.",
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="Start point name (default: the layout's depot).")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="End point name (default: the layout's end, else the start).")
    ] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Route pick lists: SPRP benchmark files, or a layout file with a pick-list file.

    Examples: `wms route tests/data/sprp/*.txt -m optimal`,
    `wms route --layout layouts/small-single-block.yaml --picks picks.csv -f json`.
    """
    if layout is not None and files:
        raise fail("give either SPRP files or --layout with --picks, not both")
    if layout is None and picks is not None:
        raise fail("--picks needs --layout (the layout whose location ids the picks use)")
    if layout is not None and picks is None:
        raise fail("--layout needs --picks (a CSV or JSON file of location ids)")
    if layout is None and not files:
        raise fail("nothing to route: give SPRP files, or --layout with --picks")
    with user_errors():
        _check_method(method)
        if layout is not None:
            assert picks is not None
            results = _routes_for_layout(layout, picks, method, start, end)
        else:
            assert files is not None
            results = _routes_for_sprp(files, method, start, end)

    if output is OutputFormat.json:
        for name, _n, r in results:
            _emit_json(
                {
                    "instance": name,
                    "method": r.method,
                    "length": round(r.length_m, 6),
                    "stops": [s.to_dict() for s in r.stops],
                }
            )
        return
    from rich.table import Table

    table = Table(title=f"routes ({method})", title_justify="left")
    name_width = min(40, max(len(name) for name, _, _ in results))
    table.add_column("instance", no_wrap=True, min_width=max(8, name_width))
    table.add_column("length (m)", justify="right", no_wrap=True, min_width=10)
    table.add_column("picks", justify="right", min_width=5)
    table.add_column("stops", justify="right", min_width=5)
    console = _stdout()
    walk_width = max(16, console.width - (max(8, name_width) + 10 + 5 + 5) - 16)
    table.add_column("walk", no_wrap=True, overflow="ellipsis", max_width=walk_width)
    for name, n, r in results:
        table.add_row(name, f"{r.length_m:.2f}", str(n), str(len(r.stops)), _walk_summary(r))
    if len(results) > 1:
        total = sum(r.length_m for _, _, r in results)
        table.add_section()
        table.add_row("total", f"{total:.2f}", str(sum(n for _, n, _ in results)), "", "")
    console.print(table)


# -- wms methods -----------------------------------------------------------------------------------


@app.command()
def methods(output: FormatOption = OutputFormat.table) -> None:
    """List the routing methods (name, exact or heuristic, layouts served, summary)."""
    from wms.routing import METHODS

    rows: list[dict[str, Any]] = [
        {"name": m.name, "exact": m.exact, "layouts": sorted(m.layouts), "summary": m.summary}
        for m in sorted(METHODS.values(), key=lambda m: m.name)
    ]
    if output is OutputFormat.json:
        for row in rows:
            _emit_json(row)
        return
    from rich.table import Table

    table = Table(title="routing methods", title_justify="left")
    for col in ("name", "exact", "layouts", "summary"):
        table.add_column(col)
    for row in rows:
        table.add_row(
            row["name"], "yes" if row["exact"] else "no", ", ".join(row["layouts"]), row["summary"]
        )
    _stdout().print(table)


# -- wms layout ------------------------------------------------------------------------------------


def _layout_summary(layout: Layout) -> dict[str, Any]:
    """Plain dictionary describing a layout (shared by the table and JSON outputs)."""
    import numpy as np

    loc = layout.locations
    counts = np.bincount(loc.zone[loc.zone >= 0], minlength=len(loc.zone_names))
    zones = [
        {"name": z.name, "handling": z.handling, "locations": int(counts[k])}
        for k, z in enumerate(layout.zones)
    ]
    unzoned = int(np.count_nonzero(loc.zone < 0))

    def roles(name: str) -> list[str]:
        out = []
        if name == layout.depot:
            out.append("depot")
        if name == layout.end:
            out.append("end")
        if name in layout.pack_stations:
            out.append("pack station")
        if name == layout.sort_zone:
            out.append("sort zone")
        return out

    summary: dict[str, Any] = {
        "name": layout.name,
        "kind": layout.kind,
        "locations": len(loc),
        "unzoned_locations": unzoned,
        "zones": zones,
        "depot": layout.depot,
        "end": layout.end,
    }
    if layout.kind == "rectangular":
        ax, cy = layout.aisle_x_m, layout.cross_y_m
        gaps = np.diff(ax)
        summary["aisles"] = {
            "count": int(ax.size),
            "first_x_m": float(ax[0]),
            "last_x_m": float(ax[-1]),
            "pitch_m": float(gaps[0]) if gaps.size and np.allclose(gaps, gaps[0]) else None,
        }
        blocks = []
        for b in range(layout.n_blocks):
            in_block = loc.block == b
            blocks.append(
                {
                    "block": b,
                    "positions": int(loc.position[in_block].max()) + 1 if in_block.any() else 0,
                    "length_m": round(float(cy[b + 1] - cy[b]), 6),
                }
            )
        summary["blocks"] = blocks
        summary["cross_aisles_y_m"] = [round(float(y), 6) for y in cy]
        summary["sides"] = int(loc.side.max()) + 1 if len(loc) else 0
        summary["levels"] = int(loc.level.max()) + 1 if len(loc) else 0
        summary["points"] = [
            {
                "name": p.name,
                "x_m": p.x_m,
                "cross_aisle": p.cross_aisle,
                "offset_m": p.offset_m,
                "roles": roles(p.name),
            }
            for p in layout.points.values()
        ]
    else:
        graph = layout.graph
        blocked = sum(1 for *_, d in graph.edges(data=True) if d.get("blocked"))
        summary["nodes"] = graph.number_of_nodes()
        summary["edges"] = graph.number_of_edges()
        summary["blocked_edges"] = blocked
        summary["directed"] = bool(layout.directed)
        summary["points"] = [
            {"name": name, "node": str(node), "roles": roles(name)}
            for name, node in layout.points.items()
        ]
    return summary


@layout_app.command("show")
def layout_show(
    file: Annotated[Path, typer.Argument(help="Layout YAML file.", show_default=False)],
    output: FormatOption = OutputFormat.table,
) -> None:
    """Validate a layout file and summarise it: aisles, blocks, locations, zones, points."""
    from wms.layout.schema import load_layout

    with user_errors():
        layout = load_layout(file)
    summary = _layout_summary(layout)
    if output is OutputFormat.json:
        _emit_json(summary)
        return

    from rich.table import Table

    console = _stdout()
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("layout", f"{summary['name']} ({summary['kind']})")
    if summary["kind"] == "rectangular":
        a = summary["aisles"]
        pitch = f", pitch {a['pitch_m']:g} m" if a["pitch_m"] is not None else ""
        facts.add_row("aisles", f"{a['count']} (x {a['first_x_m']:g}..{a['last_x_m']:g} m{pitch})")
        blocks = ", ".join(f"{b['positions']} pos / {b['length_m']:g} m" for b in summary["blocks"])
        facts.add_row("blocks", f"{len(summary['blocks'])}: {blocks}")
        facts.add_row(
            "cross aisles", "y = " + ", ".join(f"{y:g}" for y in summary["cross_aisles_y_m"]) + " m"
        )
        facts.add_row("sides x levels", f"{summary['sides']} x {summary['levels']}")
    else:
        facts.add_row(
            "network",
            f"{summary['nodes']} nodes, {summary['edges']} edges "
            f"({summary['blocked_edges']} blocked)"
            f"{', one-way edges possible' if summary['directed'] else ''}",
        )
    facts.add_row(
        "locations", f"{summary['locations']:,} ({summary['unzoned_locations']:,} in no zone)"
    )
    facts.add_row("route", f"{summary['depot']} → {summary['end'] or summary['depot']}")
    console.print(facts)

    if summary["zones"]:
        zt = Table(title="zones", title_justify="left")
        for col, just in (("zone", "left"), ("handling", "left"), ("locations", "right")):
            zt.add_column(col, justify=just)  # type: ignore[arg-type]
        for z in summary["zones"]:
            zt.add_row(z["name"], z["handling"] or "", f"{z['locations']:,}")
        console.print(zt)
    pt = Table(title="points", title_justify="left")
    pt.add_column("point")
    if summary["kind"] == "rectangular":
        pt.add_column("x (m)", justify="right")
        pt.add_column("cross aisle", justify="right")
        pt.add_column("offset (m)", justify="right")
    else:
        pt.add_column("node")
    pt.add_column("role")
    for p in summary["points"]:
        if summary["kind"] == "rectangular":
            cells = [f"{p['x_m']:g}", str(p["cross_aisle"]), f"{p['offset_m']:g}"]
        else:
            cells = [p["node"]]
        pt.add_row(p["name"], *cells, ", ".join(p["roles"]))
    console.print(pt)


@layout_app.command("schema")
def layout_schema() -> None:
    """Print the JSON Schema of layout files (for editor completion and validation)."""
    from wms.layout.schema import layout_json_schema

    sys.stdout.write(json.dumps(layout_json_schema(), indent=2) + "\n")


def _register_subcommands() -> None:
    """Commands that live in their own modules (each module adds itself to ``app``)."""
    from wms import (
        cli_api,
        cli_batch,
        cli_compare,
        cli_orders,
        cli_plan,
        cli_store,
        cli_sweep,
        cli_webhooks,
    )

    cli_batch.register(app)
    cli_api.register(app)
    cli_plan.register(app)
    cli_compare.register(app)
    cli_orders.register(app)
    cli_store.register(app)
    cli_sweep.register(app)
    cli_webhooks.register(app)


_register_subcommands()


def main() -> None:
    """Console entry point (``wms``)."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
