"""The exceptions `wms` raises for user mistakes.

Every message names the offending thing (file, line, field, value) and, where there is one, the fix.
The CLI turns a :class:`WmsError` into one line on stderr and exit code 1; anything else is a bug.
"""

from __future__ import annotations


class WmsError(Exception):
    """Base class of all errors caused by user input or configuration."""


class LayoutError(WmsError):
    """A layout file or layout object is malformed or inconsistent."""


class InstanceError(WmsError):
    """A benchmark instance file (SPRP, Henn) is malformed."""


class RoutingError(WmsError):
    """A routing request cannot be served (e.g. a method that does not apply to the layout)."""


class ScenarioError(WmsError):
    """A scenario file is malformed."""


class InfeasibleError(WmsError):
    """The request is well formed but has no solution (e.g. an item larger than any container)."""


class OrderError(WmsError):
    """Orders or a SKU catalogue are malformed or inconsistent (unknown SKU, bad quantity, ...)."""


class ConfigError(WmsError):
    """A planning configuration is malformed or names something that does not exist."""


def located(source: str, line: int | None, message: str) -> str:
    """Format ``message`` with the file and line it refers to: ``"file.txt, line 12: ..."``."""
    if line is None:
        return f"{source}: {message}"
    return f"{source}, line {line}: {message}"


class StoreError(WmsError):
    """The database cannot be used as asked (bad URL, schema missing or out of date, ...)."""


class StockError(WmsError):
    """A stock operation would break the ledger rules (negative stock, over-reservation, ...)."""


class ReceivingError(WmsError):
    """An ASN or a receipt count is malformed or does not match the announced delivery."""


class ReturnsError(WmsError):
    """A return (RMA) request, receipt or disposition is malformed or not allowed in its state."""
