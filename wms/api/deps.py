"""Dependencies of the routers: database sessions, API-key authentication, cursor pagination.

- :data:`SessionDep` (:func:`get_session`): one read-write transaction per request, committed
  when the endpoint returns normally and before the response is sent, rolled back on any error;
  :data:`ReadSessionDep` for GETs (on SQLite it does not take the write lock). The engine is
  created once per app (``app.state.engine``).
- :func:`require_api_key`: ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; 401 problem
  otherwise. :func:`wms.api.app.create_app` puts it on every router, so a router only declares
  it again to know *which* key called (FastAPI runs it once per request).
- :class:`Page`, :class:`PageParams`, :func:`paginate`: ``limit`` (1..500, default 50) and an opaque
  ``cursor``; items in primary-key order; ``next_cursor`` is ``null`` on the last page.
- Idempotency of POSTs (``Idempotency-Key``) is a middleware (:mod:`wms.api.idempotency`): routers
  need do nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from wms.api.keys import ApiKeyInfo, verify_api_key
from wms.api.problems import ApiProblem, ProblemError
from wms.api.schemas._types import NUL_MESSAGE
from wms.store.db import session_scope

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

_bearer = HTTPBearer(auto_error=False, description="API key as a bearer token")
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


def get_engine(request: Request) -> Engine:
    """The app's engine (created once by :func:`wms.api.app.create_app`)."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """One read-write transaction for the request: commit on success, roll back on error."""
    with session_scope(engine) as session:
        yield session


def get_read_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """One read-only transaction for the request (must not write)."""
    with session_scope(engine, readonly=True) as session:
        yield session


# scope="function": the transaction commits when the endpoint returns, *before* the response is
# sent, so a client never sees a success whose commit then fails.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]


def presented_key(authorization: str | None, x_api_key: str | None) -> str | None:
    """The key a request presents: the bearer token, else ``X-API-Key``."""
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    if x_api_key:
        return x_api_key.strip()
    return None


def lookup_key(engine: Engine, key: str | None) -> ApiKeyInfo | None:
    """The active API key ``key`` names, or ``None`` (short read-only transaction)."""
    if not key:
        return None
    with session_scope(engine, readonly=True) as session:
        return verify_api_key(session, key)


def require_api_key(
    request: Request,
    engine: Annotated[Engine, Depends(get_engine)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    x_api_key: Annotated[str | None, Depends(_api_key_header)],
) -> ApiKeyInfo:
    """Authenticate the request; 401 problem when no valid, unrevoked key is presented."""
    key = bearer.credentials if bearer is not None else None
    if key is None:
        key = presented_key(request.headers.get("authorization"), x_api_key)
    if key is None:
        raise ApiProblem(
            401,
            "no API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            slug="unauthorized",
            title="Unauthorized",
            headers={"WWW-Authenticate": "Bearer"},
        )
    info = lookup_key(engine, key)
    if info is None:
        raise ApiProblem(
            401,
            "the API key is unknown or revoked",
            slug="unauthorized",
            title="Unauthorized",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    request.state.api_key = info
    return info


ApiKeyDep = Annotated[ApiKeyInfo, Depends(require_api_key)]


def reject_nul_parameters(request: Request) -> None:
    """422 problem for a path or query parameter holding a NUL character (``%00``): the database
    cannot store or compare it (request bodies are checked by their models)."""
    params = [*request.path_params.items(), *request.query_params.multi_items()]
    bad = [name for name, value in params if "\x00" in str(value) or "\x00" in name]
    if bad:
        raise ApiProblem(
            422,
            f"the request has {len(bad)} invalid value{'s' if len(bad) != 1 else ''}",
            slug="validation-error",
            title="Validation failed",
            errors=[
                ProblemError(parameter=name.replace("\x00", "\\u0000"), detail=NUL_MESSAGE)
                for name in bad
            ],
        )


# -- pagination -----------------------------------------------------------------------------------


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` in stable order and the cursor of the next page."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page"
    )


class PageParams(BaseModel):
    """``limit`` and the decoded ``cursor`` (the last key of the previous page, or ``None``)."""

    limit: int
    after: Any = None


def encode_cursor(last_key: Any) -> str:
    """Opaque cursor for the page after ``last_key`` (a str or int primary key)."""
    raw = json.dumps({"k": last_key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    """The key a cursor encodes; 422 problem when the cursor was not made by this API."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key = data["k"]
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise ValueError(key)
        return key
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        raise ApiProblem(
            422,
            f"cursor {cursor!r} is not valid: pass the next_cursor of a previous page",
            slug="validation-error",
            title="Validation failed",
            errors=[ProblemError(parameter="cursor", detail="not a cursor issued by this API")],
        ) from None


def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1..500)")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=512, description="next_cursor of the previous page")
    ] = None,
) -> PageParams:
    """The pagination query parameters ``limit`` and ``cursor``."""
    return PageParams(limit=limit, after=None if cursor is None else decode_cursor(cursor))


PageDep = Annotated[PageParams, Depends(page_params)]


def paginate(
    session: Session,
    stmt: sa.Select[Any],
    key: Any,
    params: PageParams,
) -> tuple[Sequence[Any], str | None]:
    """Run ``stmt`` for one page, ordered by the primary-key column ``key``.

    Parameters
    ----------
    session
        Open session.
    stmt
        A ``select(Model)`` with the caller's filters (no ORDER BY or LIMIT).
    key
        The primary-key column (``Order.id``); must be unique so the order is stable.
    params
        From :func:`page_params`.

    Returns
    -------
    tuple
        The rows (scalars) of the page and the ``next_cursor`` (``None`` on the last page).
    """
    if params.after is not None:
        stmt = stmt.where(key > params.after)
    rows = session.scalars(stmt.order_by(key).limit(params.limit + 1)).all()
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    last = rows[-1]
    return rows, encode_cursor(getattr(last, key.key))


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "ApiKeyDep",
    "Page",
    "PageDep",
    "PageParams",
    "ReadSessionDep",
    "SessionDep",
    "decode_cursor",
    "encode_cursor",
    "get_engine",
    "get_read_session",
    "get_session",
    "lookup_key",
    "page_params",
    "paginate",
    "presented_key",
    "require_api_key",
]
