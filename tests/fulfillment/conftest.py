"""Fixtures of the database tests: ``db_url``, ``db_engine``, ``empty_db_url`` (see tests/db_fixtures.py)."""

from tests.db_fixtures import db_engine as db_engine
from tests.db_fixtures import db_url as db_url
from tests.db_fixtures import empty_db_url as empty_db_url
