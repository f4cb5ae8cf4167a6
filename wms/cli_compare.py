"""``wms compare``: the picking strategies of a scenario side by side, with advice.

::

    wms compare scenarios/demo.yaml [--replications N] [--strategy LABEL ...] [--objective KPI]
                [--format table|json] [--report out.html] [--records DIR] [--jobs N]

``table`` prints strategies as columns and KPIs as rows (mean ± 95 % CI half-width) and the
recommendation; ``json`` prints one JSON object ``{"scenario": ..., "strategies": [{"name": ...,
"kpis": {...}}, ...], "recommendation": {...}}``. ``--report`` writes one self-contained HTML
file with the plots, ``--records`` the per-order and per-trip CSV records. A progress bar on
stderr follows long runs. A user mistake prints one line ``error: ...`` and exits with code 1.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from wms.cli_errors import user_errors


class CompareFormat(StrEnum):
    """Output formats of ``wms compare``."""

    table = "table"
    json = "json"


def compare_command(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario file (YAML), e.g. scenarios/demo.yaml.")
    ],
    replications: Annotated[
        int | None,
        typer.Option("--replications", "-r", min=1, help="Override the scenario's replications."),
    ] = None,
    strategy: Annotated[
        list[str] | None,
        typer.Option("--strategy", "-s", help="Run only this strategy label (repeatable)."),
    ] = None,
    objective: Annotated[
        str | None,
        typer.Option("--objective", help="KPI the recommendation optimises, e.g. late_orders."),
    ] = None,
    output_format: Annotated[
        CompareFormat,
        typer.Option("--format", "-f", help="table: for people; json: for machines."),
    ] = CompareFormat.table,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the HTML report to this file.")
    ] = None,
    records: Annotated[
        Path | None,
        typer.Option("--records", help="Write orders.csv, trips.csv and kpis.csv to this folder."),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", min=0, help="Processes for the strategies (0: all cores); same results."
        ),
    ] = 0,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr.")
    ] = True,
) -> None:
    """Compare the picking strategies of SCENARIO on the same orders, with a recommendation."""
    with user_errors():
        import os

        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from wms.report import render_terminal, write_html, write_records
        from wms.scenario.compare import compare
        from wms.scenario.schema import load_scenario

        err = Console(stderr=True)
        loaded = load_scenario(scenario)
        reps = replications or loaded.replications
        labels = strategy or [s.label for s in loaded.strategies]
        total = reps * len(labels)
        show = progress and err.is_terminal
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} runs"),
            TimeElapsedColumn(),
            console=err,
            disable=not show,
            transient=True,
        ) as bar:
            task = bar.add_task(f"{loaded.name}", total=total)
            result = compare(
                loaded,
                replications=replications,
                strategies=strategy,
                objective=objective,
                n_jobs=jobs or os.cpu_count() or 1,
                progress=lambda message: bar.update(task, advance=1, description=message),
            )
        if output_format == CompareFormat.json:
            sys.stdout.write(json.dumps(result.to_dict(), indent=2, allow_nan=False) + "\n")
        else:
            width = None if sys.stdout.isatty() else 160
            render_terminal(result, Console(width=width, highlight=False))
        if report is not None:
            write_html(result, report)
            err.print(f"report written to {report}")
        if records is not None:
            written = write_records(result, records)
            err.print(f"records written: {', '.join(str(p) for p in written)}")


scenario_app = typer.Typer(
    help="Scenario files: check one, print the JSON Schema.", no_args_is_help=True
)


@scenario_app.command("check")
def scenario_check(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML).")],
) -> None:
    """Validate SCENARIO (layout, catalogue, orders) and print what it holds."""
    with user_errors():
        from wms.scenario.schema import load_scenario

        s = load_scenario(scenario)
        orders = len(s.orders or ())
        typer.echo(
            f"{s.name}: layout {s.layout.name!r} ({len(s.layout.locations)} locations), "
            f"{len(s.catalog or {})} SKUs, {orders} orders in replication 1, "
            f"{s.resources.pickers} pickers, strategies "
            f"{', '.join(x.label for x in s.strategies)}, {s.replications} replications: OK"
        )


@scenario_app.command("schema")
def scenario_schema() -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from wms.scenario.schema import scenario_json_schema

    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")


def register(app: typer.Typer) -> None:
    """Add ``wms compare`` and ``wms scenario`` to the application."""
    app.command("compare")(compare_command)
    app.add_typer(scenario_app, name="scenario")
