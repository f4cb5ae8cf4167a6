"""Idempotent POSTs: the ``Idempotency-Key`` header, stored in the database (works across processes).

For a POST (or PATCH) that carries ``Idempotency-Key`` and a valid API key:

- first time: a row ``in_flight`` is inserted (the primary key (key, API key) makes two
  concurrent first requests race on the insert: exactly one wins), the request runs, and its
  response (status and JSON body) is stored as ``done``;
- same key, same method, path, query and body (JSON compared canonically) → the stored response is
  replayed with the header ``Idempotent-Replayed: true``;
- same key, different request → 422 problem;
- same key while the first request still runs → 409 problem (retry later).

Responses that say nothing about the request's effect are not stored, so the client may retry with
the same key: 5xx, 401/403, and validation problems (the request never started, as with Stripe).
An ``in_flight`` row older than :data:`IN_FLIGHT_TIMEOUT_S` (a crashed worker) is taken over.

Keys are remembered for :data:`KEY_TTL_S` (24 hours, as Stripe does): an older key is a new key,
and expired rows are deleted as requests come in (at most once per :data:`PURGE_EVERY_S` per app),
so the table holds about one day of keys.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import timedelta
from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wms.api.deps import lookup_key, presented_key
from wms.api.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX, ProblemError, problem_response
from wms.store.api_models import IdempotencyKey
from wms.store.db import session_scope
from wms.store.models import utcnow

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255
IN_FLIGHT_TIMEOUT_S = 300.0
#: How long a key is remembered (seconds).
KEY_TTL_S = 24 * 3600.0
#: Least time between two purges of expired keys by one app (seconds).
PURGE_EVERY_S = 60.0
METHODS = frozenset({"POST", "PATCH"})


def body_hash(body: bytes) -> str:
    """SHA-256 of the body as canonical JSON (key order and whitespace do not matter)."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


#: Response headers stored with the body and replayed (the others are recomputed).
REPLAYED_HEADERS = ("location",)


def _claim(
    engine: Engine, key: str, api_key_id: int, method: str, path: str, digest: str
) -> tuple[str, int | None, Any, dict[str, str] | None]:
    """Insert the in-flight row or report the stored state: (outcome, status, body, headers)."""
    for _ in range(2):
        try:
            with session_scope(engine) as session:
                row = session.get(IdempotencyKey, (key, api_key_id))
                if row is not None and utcnow() - row.created_at > timedelta(seconds=KEY_TTL_S):
                    session.delete(row)  # expired: the key is new again
                    session.flush()
                    row = None
                if row is None:
                    session.add(
                        IdempotencyKey(
                            key=key,
                            api_key_id=api_key_id,
                            method=method,
                            path=path,
                            body_hash=digest,
                            status="in_flight",
                        )
                    )
                    return "claimed", None, None, None
                if (row.method, row.path, row.body_hash) != (method, path, digest):
                    return "mismatch", None, None, None
                if row.status == "done":
                    return "replay", row.response_status, row.response_body, row.response_headers
                if utcnow() - row.created_at > timedelta(seconds=IN_FLIGHT_TIMEOUT_S):
                    row.created_at = utcnow()
                    return "claimed", None, None, None
                return "in_flight", None, None, None
        except IntegrityError:
            continue  # a concurrent first request inserted the row: read it
    return "in_flight", None, None, None


def purge_expired(engine: Engine, *, ttl_s: float = KEY_TTL_S) -> int:
    """Delete the keys older than ``ttl_s`` seconds (done ones and abandoned in-flight ones);
    returns how many."""
    cutoff = utcnow() - timedelta(seconds=ttl_s)
    with session_scope(engine) as session:
        result = session.execute(
            sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _finish(
    engine: Engine, key: str, api_key_id: int, status: int, body: Any, headers: dict[str, str]
) -> None:
    with session_scope(engine) as session:
        row = session.get(IdempotencyKey, (key, api_key_id))
        if row is not None:
            row.status = "done"
            row.response_status = status
            row.response_body = body
            row.response_headers = headers or None


def _release(engine: Engine, key: str, api_key_id: int) -> None:
    with session_scope(engine) as session:
        row = session.get(IdempotencyKey, (key, api_key_id))
        if row is not None:
            session.delete(row)


def _storable(status: int, body: Any) -> bool:
    if status >= 500 or status in (401, 403):
        return False
    return not (isinstance(body, dict) and body.get("type") == f"{TYPE_PREFIX}validation-error")


class IdempotencyMiddleware:
    """ASGI middleware implementing ``Idempotency-Key`` for every POST/PATCH of the app.

    Parameters
    ----------
    app
        The wrapped ASGI app.
    engine
        Engine of the database holding ``idempotency_key``.
    """

    def __init__(self, app: ASGIApp, engine: Engine) -> None:
        self.app = app
        self.engine = engine
        self._next_purge = 0.0

    async def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if now < self._next_purge:
            return
        self._next_purge = now + PURGE_EVERY_S
        await anyio.to_thread.run_sync(purge_expired, self.engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http" or scope["method"] not in METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            response = problem_response(
                422,
                f"Idempotency-Key must have 1 to {MAX_KEY_LENGTH} printable characters",
                slug="validation-error",
                title="Validation failed",
                instance=path,
                errors=[ProblemError(parameter="Idempotency-Key", detail="invalid key")],
            )
            await response(scope, receive, send)
            return

        body = await _read_body(receive)
        replay_receive = _replaying(body, receive)
        api_key = await anyio.to_thread.run_sync(
            lookup_key,
            self.engine,
            presented_key(headers.get("authorization"), headers.get("x-api-key")),
        )
        if api_key is None:  # the route answers 401; nothing to remember
            await self.app(scope, replay_receive, send)
            return

        await self._purge_now_and_then()
        method = scope["method"]
        digest = body_hash(body)
        query = scope.get("query_string", b"")
        if query:  # the query string is part of the request, like the body
            digest = hashlib.sha256(f"{digest}?".encode() + query).hexdigest()
        outcome, status, stored, stored_headers = await anyio.to_thread.run_sync(
            _claim, self.engine, key, api_key.id, method, path[:512], digest
        )
        if outcome == "mismatch":
            response = problem_response(
                422,
                f"Idempotency-Key {key!r} was already used for a different request: "
                "use a new key for a new request",
                slug="idempotency-key-reused",
                title="Idempotency key reused",
                instance=path,
            )
            await response(scope, receive, send)
            return
        if outcome == "in_flight":
            response = problem_response(
                409,
                f"a request with Idempotency-Key {key!r} is still being processed: retry later",
                slug="idempotency-in-flight",
                title="Request in progress",
                instance=path,
                headers={"Retry-After": "1"},
            )
            await response(scope, receive, send)
            return
        if outcome == "replay":
            assert status is not None
            await _send_json(send, status, stored, stored_headers or {})
            return

        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(_release, self.engine, key, api_key.id)
            raise
        assert start is not None
        payload = b"".join(chunks)
        status_code = int(start["status"])
        try:
            parsed: Any = json.loads(payload) if payload else None
            parseable = True
        except ValueError:
            parsed, parseable = None, False
        if parseable and _storable(status_code, parsed):
            kept = {
                name.decode("latin-1").lower(): value.decode("latin-1")
                for name, value in start.get("headers", ())
                if name.decode("latin-1").lower() in REPLAYED_HEADERS
            }
            await anyio.to_thread.run_sync(
                _finish, self.engine, key, api_key.id, status_code, parsed, kept
            )
        else:
            await anyio.to_thread.run_sync(_release, self.engine, key, api_key.id)
        await send(start)
        await send({"type": "http.response.body", "body": payload, "more_body": False})


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send_json(send: Send, status: int, body: Any, extra: dict[str, str]) -> None:
    payload = (
        b""
        if body is None
        else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    )
    media = PROBLEM_MEDIA_TYPE if status >= 400 else "application/json"
    headers = [
        (b"content-type", media.encode()),
        (b"content-length", str(len(payload)).encode()),
    ]
    headers.extend((k.encode("latin-1"), v.encode("latin-1")) for k, v in extra.items())
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload, "more_body": False})


__all__ = [
    "HEADER",
    "IN_FLIGHT_TIMEOUT_S",
    "KEY_TTL_S",
    "IdempotencyMiddleware",
    "body_hash",
    "purge_expired",
]
