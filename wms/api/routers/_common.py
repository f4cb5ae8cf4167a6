"""Helpers shared by the stateful-resource routers: the hold rules in force, 404 checks.

Kept out of :mod:`wms.api.deps` (the API core) because only the fulfillment routers need them.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from wms.api.problems import not_found
from wms.fulfillment.holds import HoldRulesConfig

__all__ = ["hold_rules", "require_row"]


def hold_rules(request: Request) -> HoldRulesConfig:
    """The app's hold rules (``app.state.hold_rules`` when set), else the defaults."""
    config = getattr(request.app.state, "hold_rules", None)
    return config if isinstance(config, HoldRulesConfig) else HoldRulesConfig()


def require_row(session: Session, model: type[Any], ident: Any, kind: str) -> Any:
    """The row of ``model`` with primary key ``ident``, or a 404 problem naming it."""
    row = session.get(model, ident)
    if row is None:
        raise not_found(kind, ident)
    return row
