"""The ``wms batch`` command: order batching on Henn benchmark files.

``wms batch ORDERS --setting SETT [--capacity N] [--method NAME] [--routing NAME]
[--time-limit S] [--seed K] [--format table|json]``

The capacity defaults to the third number of the order file name (``1s-20-45-0.txt``: 45), the
routing method to the setting's ``routing___`` (``s``: S-shape, ``l``: largest gap). With
``--format json`` the command prints one JSON object::

    {"instance": "1s-20-45-0", "method": "ils", "routing": "s_shape", "capacity": 45,
     "batches": [[0, 3], ...], "lengths": [...], "total_length": ...}

Order indices are 0-based, in the order of the file. A user mistake prints one line on stderr
and exits with code 1.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wms.cli_errors import fail
from wms.errors import WmsError

if TYPE_CHECKING:
    from wms.batching.base import Batching

#: Routing methods of the Henn setting's ``routing___`` codes.
SETTING_ROUTING = {"s": "s_shape", "l": "largest_gap"}


class BatchFormat(StrEnum):
    """How ``wms batch`` prints its result."""

    table = "table"
    json = "json"


def _table(name: str, capacity: int, result: Batching, units: list[int]) -> str:
    lines = [
        f"instance {name}  method {result.method}  routing {result.routing}  capacity {capacity}",
        f"{'batch':>5}  {'units':>5}  {'length_m':>10}  orders",
    ]
    for k, (b, length) in enumerate(zip(result.batches, result.lengths.tolist(), strict=True)):
        lines.append(
            f"{k:>5}  {sum(units[o] for o in b):>5}  {length:>10.1f}  {', '.join(map(str, b))}"
        )
    lines.append(f"total: {len(result.batches)} batches, {result.total_length:.1f} m")
    return "\n".join(lines)


def batch_command(
    orders: Annotated[Path, typer.Argument(help="Henn order file, e.g. 1s-20-45-0.txt.")],
    setting: Annotated[Path, typer.Option("--setting", help="Henn setting file (sett<k>.txt).")],
    capacity: Annotated[
        int | None,
        typer.Option(
            "--capacity", help="Articles per batch.", show_default="the file name's third number"
        ),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="Batching method (wms.batching.METHODS).")
    ] = "ils",
    routing: Annotated[
        str | None,
        typer.Option(
            "--routing", help="Routing method.", show_default="the setting's routing___ (s, l)"
        ),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Search time limit in seconds.")
    ] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    output: Annotated[
        BatchFormat, typer.Option("--format", "-f", help="table: for people; json: one object.")
    ] = BatchFormat.table,
) -> None:
    """Group the orders of a Henn instance into batches and print them with their route lengths."""
    from wms.batching import BatchingParams, BatchingProblem, batch, get_method
    from wms.io.henn import read_henn_orders, read_henn_setting
    from wms.routing import get_method as get_routing

    try:
        get_method(method)
        sett = read_henn_setting(setting)
        if routing is None:
            code = str(sett.get("routing___", "s")).strip().lower()
            routing = SETTING_ROUTING.get(code, "s_shape")
        get_routing(routing)
        inst = read_henn_orders(orders, sett, capacity=capacity)
        problem = BatchingProblem.from_orders(
            inst.layout, inst.orders, float(inst.capacity), routing=routing
        )
        result = batch(problem, method, BatchingParams(time_limit_s=time_limit), seed=seed)
    except (WmsError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise fail(f"{where}{exc.strerror or exc}") from None
    if output is BatchFormat.json:
        obj = {"instance": orders.stem, **result.to_dict(), "capacity": inst.capacity}
        keys = ("instance", "method", "routing", "capacity", "batches", "lengths", "total_length")
        sys.stdout.write(json.dumps({k: obj[k] for k in keys}, allow_nan=False) + "\n")
    else:
        units = [int(o.size) for o in inst.orders]
        typer.echo(_table(orders.stem, inst.capacity, result, units))


def register(app: typer.Typer) -> None:
    """Add the ``batch`` command to ``app``."""
    app.command("batch")(batch_command)
