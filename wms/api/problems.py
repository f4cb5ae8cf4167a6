"""RFC 9457 problem details: every error of the HTTP API is ``application/problem+json``.

A problem names its ``type`` (a URN of this API, or ``about:blank`` for a plain HTTP status),
a short ``title``, the HTTP ``status``, a human ``detail`` that names the bad value, and the
``instance`` (the request path). Validation problems list every error with a JSON pointer into the
request body (``/orders/0/lines/1/qty``) or the name of the bad query, header or path ``parameter``.

Routers raise :class:`ApiProblem` (or :func:`not_found` / :func:`conflict`); domain errors
(:class:`wms.errors.WmsError` subclasses) are mapped here, so the core never learns about HTTP.
Unexpected exceptions become a 500 problem without a stack trace (the trace goes to the log).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from wms.errors import (
    ConfigError,
    InfeasibleError,
    LayoutError,
    OrderError,
    ReceivingError,
    ReturnsError,
    RoutingError,
    StockError,
    StoreError,
    WmsError,
)

logger = logging.getLogger("wms.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
#: Prefix of the problem ``type`` URIs of this API.
TYPE_PREFIX = "urn:wms:problem:"


class ProblemError(BaseModel):
    """One validation error: where (``pointer`` into the body, or a ``parameter``) and what."""

    model_config = ConfigDict(extra="forbid")

    pointer: str | None = Field(
        default=None,
        description="JSON pointer (RFC 6901) into the request body, e.g. /orders/0/lines/1/qty",
    )
    parameter: str | None = Field(
        default=None, description="Name of the bad query, path or header parameter"
    )
    detail: str = Field(description="What is wrong with the value")


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="URI identifying the problem type")
    title: str = Field(description="Short summary of the problem type")
    status: int = Field(description="HTTP status code")
    detail: str | None = Field(default=None, description="Explanation specific to this occurrence")
    instance: str | None = Field(default=None, description="The request path")
    errors: list[ProblemError] | None = Field(
        default=None, description="Validation errors, each with a pointer or parameter"
    )


class ApiProblem(Exception):  # noqa: N818 -- reads as "raise ApiProblem(404, ...)"; routers use it
    """Raise from a router to answer with a problem (status, title, detail, optional slug).

    Parameters
    ----------
    status
        HTTP status code.
    detail
        Explanation naming the thing at fault.
    slug
        Problem type suffix (``"not-found"`` → ``urn:wms:problem:not-found``); ``None`` uses
        ``about:blank`` and the HTTP reason phrase as title.
    title
        Title; defaults to the HTTP reason phrase.
    errors
        Validation errors to list.
    headers
        Extra response headers (e.g. ``WWW-Authenticate``).
    """

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        slug: str | None = None,
        title: str | None = None,
        errors: Sequence[ProblemError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or "")
        self.status = status
        self.detail = detail
        self.slug = slug
        self.title = title
        self.errors = list(errors) if errors is not None else None
        self.headers = headers


def not_found(kind: str, ident: object) -> ApiProblem:
    """A 404 problem for a missing resource: ``not_found("order", "SO-1")``."""
    return ApiProblem(404, f"{kind} {ident!r} does not exist", slug="not-found", title="Not Found")


def conflict(detail: str) -> ApiProblem:
    """A 409 problem: the request does not fit the current state of the resource."""
    return ApiProblem(409, detail, slug="conflict", title="Conflict")


NotFound = not_found
Conflict = conflict


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    errors: Sequence[ProblemError] | None = None,
) -> dict[str, Any]:
    """The JSON object of a problem (``None`` members left out)."""
    problem = Problem(
        type=f"{TYPE_PREFIX}{slug}" if slug else "about:blank",
        title=title or _reason(status),
        status=status,
        detail=detail,
        instance=instance,
        errors=list(errors) if errors is not None else None,
    )
    return problem.model_dump(exclude_none=True)


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    errors: Sequence[ProblemError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A ``application/problem+json`` response."""
    return JSONResponse(
        problem_body(status, detail, slug=slug, title=title, instance=instance, errors=errors),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def too_large_response(max_body_bytes: int, path: str) -> JSONResponse:
    """The 413 problem of a body above the size limit."""
    return problem_response(
        413,
        f"the request body is larger than {max_body_bytes} bytes: split it into smaller requests",
        slug="payload-too-large",
        title="Content Too Large",
        instance=path,
    )


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def validation_errors(raw: Sequence[Any]) -> list[ProblemError]:
    """Convert FastAPI/pydantic errors (``loc`` tuples) to pointers and parameter names."""
    out: list[ProblemError] = []
    for err in raw:
        loc = list(err.get("loc", ()))
        msg = str(err.get("msg", "invalid value"))
        where = loc[0] if loc else "body"
        rest = loc[1:]
        if where == "body":
            out.append(ProblemError(pointer="/" + "/".join(_escape(p) for p in rest), detail=msg))
        else:
            name = ".".join(str(p) for p in rest) or str(where)
            out.append(ProblemError(parameter=name, detail=msg))
    return out


#: Domain error → (status, slug, title). More specific classes first.
_DOMAIN: tuple[tuple[type[WmsError], int, str, str], ...] = (
    (StockError, 409, "stock-conflict", "Stock rule violated"),
    (StoreError, 503, "store-unavailable", "Database unavailable"),
    (InfeasibleError, 422, "infeasible", "No feasible plan"),
    (LayoutError, 422, "invalid-layout", "Invalid layout"),
    (ConfigError, 422, "invalid-config", "Invalid planning configuration"),
    (OrderError, 422, "invalid-orders", "Invalid orders"),
    (RoutingError, 422, "routing-error", "Routing not possible"),
    (ReceivingError, 422, "receiving-error", "Receiving not possible"),
    (ReturnsError, 422, "returns-error", "Return not possible"),
)


def domain_status(exc: WmsError) -> tuple[int, str, str]:
    """(status, slug, title) of a domain error; order-flow errors (wrong state) are 409."""
    from wms.fulfillment.orders import OrderFlowError

    if isinstance(exc, OrderFlowError):
        return 409, "order-flow-conflict", "Order operation not allowed"
    for cls, status, slug, title in _DOMAIN:
        if isinstance(exc, cls):
            return status, slug, title
    return 422, "domain-error", "Request not processable"


def install_problem_handlers(app: FastAPI) -> None:
    """Register the exception handlers that turn every error into a problem response."""

    async def _api_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiProblem)
        return problem_response(
            exc.status,
            exc.detail,
            slug=exc.slug,
            title=exc.title,
            instance=request.url.path,
            errors=exc.errors,
            headers=exc.headers,
        )

    async def _validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = validation_errors(exc.errors())
        n = len(errors)
        return problem_response(
            422,
            f"the request has {n} invalid value{'s' if n != 1 else ''}",
            slug="validation-error",
            title="Validation failed",
            instance=request.url.path,
            errors=errors,
        )

    async def _http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        detail = exc.detail if isinstance(exc.detail, str) else None
        if status == 413:  # a streamed body passed the size limit while being read
            limit = getattr(request.app.state, "max_body_bytes", 0)
            return too_large_response(limit, request.url.path)
        if status == 404 and detail == "Not Found":
            detail = f"no route {request.url.path}"
        elif status == 405:
            detail = f"method {request.method} is not allowed on {request.url.path}"
        return problem_response(
            status, detail, instance=request.url.path, headers=getattr(exc, "headers", None)
        )

    async def _domain(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, WmsError)
        status, slug, title = domain_status(exc)
        return problem_response(status, str(exc), slug=slug, title=title, instance=request.url.path)

    async def _integrity(request: Request, exc: Exception) -> JSONResponse:
        # A unique or foreign-key constraint refused the write (e.g. two requests creating the
        # same natural key at once). The SQL and its parameters stay in the log.
        logger.info("integrity error on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(
            409,
            "the request conflicts with stored data (a unique or reference constraint): "
            "read the resource again and retry",
            slug="conflict",
            title="Conflict",
            instance=request.url.path,
        )

    async def _overflow(request: Request, exc: Exception) -> JSONResponse:
        # An integer id or count larger than the database's 64-bit integers: the client's
        # mistake, not the server's (e.g. GET /v1/waves/99999999999999999999).
        return problem_response(
            422,
            "a number in the request is out of range (integers must fit in 64 bits)",
            slug="validation-error",
            title="Validation failed",
            instance=request.url.path,
        )

    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500,
            "the server failed to process the request; the error was logged",
            instance=request.url.path,
        )

    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(WmsError, _domain)
    app.add_exception_handler(OverflowError, _overflow)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(Exception, _unexpected)


#: ``responses=`` entries for routers: document the problem schema of the usual statuses.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        "description": _reason(status),
    }
    for status in (401, 404, 409, 413, 422)
}


__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_RESPONSES",
    "TYPE_PREFIX",
    "ApiProblem",
    "Conflict",
    "NotFound",
    "Problem",
    "ProblemError",
    "conflict",
    "domain_status",
    "install_problem_handlers",
    "not_found",
    "problem_body",
    "problem_response",
    "too_large_response",
    "validation_errors",
]
