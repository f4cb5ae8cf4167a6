"""The FastAPI application: routers under ``/v1``, problem details, auth, size limit, idempotency.

>>> app = create_app("sqlite:///wms.db")  # doctest: +SKIP
>>> uvicorn.run(app, host="127.0.0.1", port=8000)  # doctest: +SKIP

Every router module listed in :data:`ROUTER_MODULES` (``wms.api.routers.<name>``) exposes
``router: APIRouter`` with paths relative to ``/v1``; all of them require an API key. Only
``GET /v1/health`` and the OpenAPI document (``/v1/openapi.json``, docs at ``/v1/docs``) are open.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import wms
from wms.api.deps import reject_nul_parameters, require_api_key
from wms.api.idempotency import IdempotencyMiddleware
from wms.api.problems import (
    PROBLEM_MEDIA_TYPE,
    Problem,
    install_problem_handlers,
    too_large_response,
)
from wms.fulfillment.holds import HoldRulesConfig, load_hold_rules
from wms.store.db import make_engine

logger = logging.getLogger("wms.api")

#: Environment variable naming the hold-rules file (how ``wms serve --workers N`` passes it on).
HOLD_RULES_ENV = "WMS_HOLD_RULES"

API_PREFIX = "/v1"
DEFAULT_MAX_BODY_BYTES = 5_000_000
#: Router modules of ``wms.api.routers`` included in this order.
ROUTER_MODULES: tuple[str, ...] = (
    "plans",
    "routes",
    "orders",
    "holds",
    "waves",
    "picklists",
    "receipts",
    "stock",
    "returns",
    "events",
    "webhooks",
)


class HealthOut(BaseModel):
    """Liveness of the service."""

    status: str = Field(description="Always 'ok' when the service answers")
    version: str = Field(description="Version of wms")


class BodySizeLimitMiddleware:
    """Refuse request bodies above ``max_body_bytes`` with a 413 problem.

    Checks ``Content-Length`` up front and counts streamed (chunked) bodies as they arrive.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def _too_large(self, path: str) -> Any:
        return too_large_response(self.max_body_bytes, path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_body_bytes:
                    await self._too_large(scope["path"])(scope, receive, send)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise StarletteHTTPException(413, "request body too large")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except StarletteHTTPException as exc:
            if exc.status_code != 413 or started:
                raise
            await self._too_large(scope["path"])(scope, receive, send)


def _load_router(name: str) -> Any:
    module = importlib.import_module(f"wms.api.routers.{name}")
    return module.router


def _problem_schemas() -> dict[str, Any]:
    """JSON schemas of :class:`Problem` and :class:`ProblemError` for the components section."""
    definition = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    nested = definition.pop("$defs", {})
    return {"Problem": definition, **nested}


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, plus the ``Idempotency-Key`` header on every POST/PATCH."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    header = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Unique key of this request (retries with the same key and body replay the "
        "first response; a different body is refused with 422; 409 while the first is running)",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    }
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in _problem_schemas().items():
        components.setdefault(name, definition)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if path == f"{API_PREFIX}/health" or not isinstance(operation, dict):
                continue
            statuses = ["401", "422"]
            if method in ("post", "patch"):
                statuses += ["409", "413"]
                params = operation.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in params):
                    params.append(header)
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(status, _problem_response(int(status)))
    app.openapi_schema = schema
    return schema


def create_app(
    database_url: str | None = None,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    hold_rules: HoldRulesConfig | str | Path | None = None,
) -> FastAPI:
    """Build the HTTP API on the database at ``database_url``.

    Parameters
    ----------
    database_url
        SQLAlchemy URL; ``None`` resolves ``WMS_DATABASE_URL`` or the default SQLite file (see
        :func:`wms.store.db.resolve_url`). The schema must be migrated (``wms db upgrade``).
    max_body_bytes
        Largest accepted request body; larger ones get a 413 problem.
    hold_rules
        The verification hold rules of order imports: a config or a YAML file (e.g.
        ``config/hold-rules.yaml``); ``None`` reads the file named by ``WMS_HOLD_RULES`` if set,
        else the defaults.

    Returns
    -------
    fastapi.FastAPI
        The app; ``app.state.engine`` is its engine, disposed when the app shuts down.
    """
    if max_body_bytes < 1:
        raise ValueError(f"max_body_bytes must be positive, got {max_body_bytes}")
    engine = make_engine(database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="wms pick-list API",
        version=wms.__version__,
        description=(
            "Warehouse picking over HTTP: stateless planning and routing, orders, holds, waves, "
            "pick lists, receipts, stock, returns, events and webhooks. Authenticate with "
            "'Authorization: Bearer <key>' or 'X-API-Key'. Errors are RFC 9457 problem details."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        swagger_ui_oauth2_redirect_url=f"{API_PREFIX}/docs/oauth2-redirect",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.engine = engine
    rules = hold_rules if hold_rules is not None else os.environ.get(HOLD_RULES_ENV) or None
    if rules is not None:
        app.state.hold_rules = (
            rules if isinstance(rules, HoldRulesConfig) else load_hold_rules(rules)
        )
    app.state.max_body_bytes = max_body_bytes
    install_problem_handlers(app)

    @app.get(
        f"{API_PREFIX}/health",
        response_model=HealthOut,
        tags=["meta"],
        summary="Liveness check (no API key needed)",
    )
    def health() -> HealthOut:
        return HealthOut(status="ok", version=app.version)

    for name in ROUTER_MODULES:
        router = _load_router(name)
        app.include_router(
            router,
            prefix=API_PREFIX,
            dependencies=[Depends(require_api_key), Depends(reject_nul_parameters)],
        )

    def openapi() -> dict[str, Any]:
        return _openapi(app)

    app.openapi = openapi  # type: ignore[method-assign]
    # Added last = outermost: the size limit runs before idempotency reads the body.
    app.add_middleware(IdempotencyMiddleware, engine=engine)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=max_body_bytes)
    return app


__all__ = [
    "API_PREFIX",
    "DEFAULT_MAX_BODY_BYTES",
    "PROBLEM_MEDIA_TYPE",
    "ROUTER_MODULES",
    "BodySizeLimitMiddleware",
    "HealthOut",
    "create_app",
]
