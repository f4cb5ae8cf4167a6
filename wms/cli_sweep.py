"""``wms sweep``: a grid of scenario variants x strategies x replications, in parallel.

::

    wms sweep SWEEP.yaml [--backend serial|processes|dask] [--scheduler ADDR|local] [--jobs N]
              [--results FILE] [--resume] [--objective KPI] [--report out.html]
              [--format table|json]

Runs go to local processes (joblib/loky, all cores) by default, or to a Dask cluster
(``--backend dask --scheduler tcp://host:8786``; ``--scheduler local`` starts a LocalCluster).
``--results`` appends one CSV row per finished run; ``--resume`` continues an interrupted sweep
from that file. A failed run prints one line on stderr and is counted, not fatal. ``table``
prints one row per variant with the objective per strategy and the best one, then the
break-even points; ``json`` prints one JSON object. A progress bar with ETA goes to stderr. A
user mistake prints one line ``error: ...`` and exits with code 1.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wms.cli_errors import fail, user_errors

if TYPE_CHECKING:
    from wms.scenario.sweep import RunOutcome


class SweepFormat(StrEnum):
    """Output formats of ``wms sweep``."""

    table = "table"
    json = "json"


class Backend(StrEnum):
    """Where the runs execute."""

    serial = "serial"
    processes = "processes"
    dask = "dask"


def sweep_command(
    sweep_file: Annotated[
        Path,
        typer.Argument(
            metavar="SWEEP.yaml",
            help="Sweep file (or a scenario with a sweep: section), e.g. "
            "scenarios/sweeps/demo-pickers-totes.yaml.",
        ),
    ],
    backend: Annotated[
        Backend | None,
        typer.Option("--backend", "-b", help="serial, processes (default; all cores) or dask."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address (tcp://host:8786) or 'local' for a LocalCluster.",
        ),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=0, help="Worker processes (0: all cores); same results."),
    ] = 0,
    results: Annotated[
        Path | None,
        typer.Option("--results", help="Append one CSV row per finished run to this file."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip the runs already in --results.")
    ] = False,
    objective: Annotated[
        str | None,
        typer.Option("--objective", help="KPI of the summary, e.g. late_orders."),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the HTML report to this file.")
    ] = None,
    output_format: Annotated[
        SweepFormat,
        typer.Option("--format", "-f", help="table: for people; json: for machines."),
    ] = SweepFormat.table,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr.")
    ] = True,
) -> None:
    """Run a grid of scenario variants x strategies x replications; where does the winner change?"""
    with user_errors():
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        from wms.report.sweep import sweep_table, write_sweep_html
        from wms.scenario.sweep import load_sweep, make_executor, run_sweep

        chosen = backend or (Backend.dask if scheduler else Backend.processes)
        if scheduler is not None and chosen != Backend.dask:
            raise fail(f"--scheduler needs --backend dask (got --backend {chosen.value})")
        if resume and results is None:
            raise fail("--resume needs --results FILE (the file of the interrupted sweep)")
        err = Console(stderr=True, highlight=False)
        sweep = load_sweep(sweep_file)
        show = progress and err.is_terminal
        failed: list[str] = []
        with (
            make_executor(chosen.value, jobs=jobs or None, scheduler=scheduler) as executor,
            Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("runs"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=err,
                disable=not show,
                transient=True,
            ) as bar,
        ):
            task = bar.add_task(f"{sweep.name} ({executor.name})", total=sweep.n_runs)

            def on_result(outcome: RunOutcome) -> None:
                if outcome.status != "ok":
                    line = (
                        f"run {outcome.task.run_id} failed ({outcome.variant.label}; "
                        f"{outcome.task.strategy}, replication {outcome.task.replication}): "
                        f"{outcome.error}"
                    )
                    failed.append(line)
                    err.print(escape(line), soft_wrap=True)
                if outcome.done == 1:
                    bar.update(task, completed=sweep.n_runs - outcome.total)
                bar.advance(task)

            try:
                result = run_sweep(
                    sweep,
                    executor=executor,
                    results=results,
                    resume=resume,
                    objective=objective,
                    on_result=on_result,
                )
            except KeyboardInterrupt:
                where = (
                    f"finished runs are in {results}; continue with --resume"
                    if results is not None
                    else "use --results FILE to be able to resume"
                )
                raise fail(f"interrupted: {where}") from None
        if result.resumed:
            err.print(f"{result.resumed} runs taken from {results} (--resume)")
        n_failed = len(result.failures)
        if n_failed:
            err.print(
                f"{n_failed} of {len(result.runs)} runs failed"
                + (f" (recorded in {results})" if results is not None else "")
            )
        if output_format == SweepFormat.json:
            sys.stdout.write(json.dumps(result.to_dict(), indent=2, allow_nan=False) + "\n")
        else:
            width = None if sys.stdout.isatty() else 160
            out = Console(width=width, highlight=False)
            out.print(sweep_table(result))
            if result.break_even:
                out.print("Break-even points (the best strategy changes):")
                for b in result.break_even:
                    out.print(f"  {escape(b.describe())}", soft_wrap=True)
            else:
                out.print("No break-even point: the best strategy does not change along the grid.")
        if report is not None:
            write_sweep_html(result, report)
            err.print(f"report written to {report}")
        if n_failed and n_failed == len(result.runs):
            raise fail(f"all {n_failed} runs failed; the first: {failed[0] if failed else ''}")


def register(app: typer.Typer) -> None:
    """Add ``wms sweep`` to the application."""
    app.command("sweep")(sweep_command)
