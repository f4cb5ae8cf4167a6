"""Layouts of API requests: a shipped layout by id (``layouts/<id>.yaml``) or an inline document.

Shipped layouts are parsed once per process (their distance tables are cached on the layout
object, so repeated plans on one layout do not rebuild them). Inline documents use the layout file
format (:func:`wms.layout.schema.parse_layout`); their errors are :class:`~wms.errors.LayoutError`
(a 422 problem naming the field).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from wms.api.problems import ApiProblem, ProblemError
from wms.layout import GraphLayout, RectangularLayout
from wms.layout.schema import load_layout, parse_layout

#: Environment variable naming another folder of shipped layouts.
LAYOUTS_ENV = "WMS_LAYOUTS_DIR"

Layout = RectangularLayout | GraphLayout

_lock = threading.Lock()


def layouts_dir() -> Path:
    """Folder of the shipped layouts: ``$WMS_LAYOUTS_DIR``, else ``layouts/`` of the repository."""
    env = os.environ.get(LAYOUTS_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[2] / "layouts"


def shipped_layout_ids() -> list[str]:
    """Ids (file names without ``.yaml``) of the shipped layouts, sorted."""
    return list(_listing(str(layouts_dir())))


@lru_cache(maxsize=4)
def _listing(folder: str) -> tuple[str, ...]:
    # Shipped layouts do not change while the server runs: list the folder once.
    return tuple(sorted(p.stem for p in Path(folder).glob("*.yaml")))


@lru_cache(maxsize=16)
def _load(path: str) -> Layout:
    return load_layout(path)


def layout_by_id(layout_id: str, *, pointer: str = "/layout_id") -> Layout:
    """The shipped layout ``layout_id``; a 422 problem listing the valid ids if there is none."""
    valid = shipped_layout_ids()
    if layout_id not in valid:
        raise ApiProblem(
            422,
            f"layout {layout_id!r} does not exist: use one of {', '.join(valid)} "
            "or send an inline layout document",
            slug="validation-error",
            title="Validation failed",
            errors=[ProblemError(pointer=pointer, detail=f"unknown layout id {layout_id!r}")],
        )
    with _lock:  # parse once even when many requests ask at the same time
        return _load(str(layouts_dir() / f"{layout_id}.yaml"))


def resolve_layout(layout_id: str | None, document: dict[str, Any] | None) -> Layout:
    """The layout of a request that has exactly one of ``layout_id`` and ``layout``."""
    if (layout_id is None) == (document is None):
        raise ApiProblem(
            422,
            "give exactly one of layout_id (a shipped layout) and layout (an inline document)",
            slug="validation-error",
            title="Validation failed",
            errors=[
                ProblemError(pointer="/layout_id", detail="exactly one of layout_id and layout"),
                ProblemError(pointer="/layout", detail="exactly one of layout_id and layout"),
            ],
        )
    if layout_id is not None:
        return layout_by_id(layout_id)
    return parse_layout(document, source="layout", default_name="inline")


__all__ = ["LAYOUTS_ENV", "layout_by_id", "layouts_dir", "resolve_layout", "shipped_layout_ids"]
