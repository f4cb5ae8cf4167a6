"""Shared fixtures of the HTTP API tests: an app on a fresh migrated database, a key, a client.

``api_db_url`` is a fresh SQLite file (or PostgreSQL schema when ``WMS_TEST_DATABASE_URL`` is set)
migrated with :func:`wms.store.migrations.upgrade`; ``api_key`` is a valid key stored in it;
``client`` is a :class:`fastapi.testclient.TestClient` that sends that key on every request;
``anon_client`` sends none.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x warns once, at import, that its TestClient prefers the httpx2 package; wms
    # depends on httpx (the client and webhook delivery use it), which TestClient still supports.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from tests.db_fixtures import fresh_database_url
from wms.api import create_app
from wms.api.keys import create_api_key
from wms.store.db import session_scope
from wms.store.migrations import upgrade


@pytest.fixture
def api_db_url(tmp_path: Path) -> Iterator[str]:
    """URL of a fresh database migrated to the newest schema."""
    for url in fresh_database_url(tmp_path):
        upgrade(url)
        yield url


@pytest.fixture
def api_key(api_db_url: str) -> str:
    """A valid API key (named ``test``) stored in :func:`api_db_url`."""
    with session_scope(api_db_url) as session:
        _, key = create_api_key(session, "test")
    return key


@pytest.fixture
def app(api_db_url: str) -> Iterator[FastAPI]:
    """The API on :func:`api_db_url`; its engine is disposed after the test."""
    application = create_app(api_db_url)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI, api_key: str) -> Iterator[TestClient]:
    """A TestClient sending ``Authorization: Bearer <api_key>`` on every request."""
    with TestClient(app, headers={"Authorization": f"Bearer {api_key}"}) as test_client:
        yield test_client


@pytest.fixture
def anon_client(app: FastAPI) -> Iterator[TestClient]:
    """A TestClient without an API key; server errors come back as 500 responses."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
