"""API keys: create (shown once), list, revoke, verify. Only a SHA-256 hash is stored.

A key looks like ``wms_<8 chars>_<43 chars>``: 256 random bits after a prefix that names it in
lists and logs. Because the key is random and long, a fast hash is enough (there is no password
to guess); a lookup by hash leaks nothing about the key.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wms.store.api_models import ApiKey
from wms.store.models import utcnow

KEY_PREFIX = "wms_"


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """An API key as shown to people: never the key itself."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Whether the key may still be used."""
        return self.revoked_at is None


def hash_key(key: str) -> str:
    """Hex SHA-256 of a key (what the database stores)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _info(row: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(row.id, row.name, row.prefix, row.created_at, row.revoked_at)


def create_api_key(session: Session, name: str) -> tuple[ApiKeyInfo, str]:
    """Create a key named ``name``; return its record and the key (the only time it is known).

    Parameters
    ----------
    session
        Open session; the caller commits.
    name
        Who or what the key is for (1..128 characters).

    Returns
    -------
    tuple of ApiKeyInfo and str
        The stored record and the secret key.
    """
    name = name.strip()
    if not name or len(name) > 128:
        raise ValueError(f"API key name {name!r} must have 1 to 128 characters")
    ident = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{ident}_{secrets.token_urlsafe(32)}"
    row = ApiKey(name=name, prefix=f"{KEY_PREFIX}{ident}", key_hash=hash_key(key))
    session.add(row)
    session.flush()
    return _info(row), key


def list_api_keys(session: Session) -> list[ApiKeyInfo]:
    """All keys, oldest first, revoked ones included."""
    rows = session.scalars(sa.select(ApiKey).order_by(ApiKey.id)).all()
    return [_info(row) for row in rows]


def revoke_api_key(session: Session, key_id: int) -> ApiKeyInfo:
    """Revoke key ``key_id`` (idempotent: a revoked key stays revoked at its first time).

    Raises
    ------
    LookupError
        No key has this id.
    """
    row = session.get(ApiKey, key_id)
    if row is None:
        raise LookupError(f"API key {key_id} does not exist: see `wms apikey list`")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.flush()
    return _info(row)


def verify_api_key(session: Session, key: str) -> ApiKeyInfo | None:
    """The active key matching ``key``, or ``None``."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    row = session.scalars(
        sa.select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    ).first()
    return None if row is None else _info(row)


__all__ = [
    "KEY_PREFIX",
    "ApiKeyInfo",
    "create_api_key",
    "hash_key",
    "list_api_keys",
    "revoke_api_key",
    "verify_api_key",
]
