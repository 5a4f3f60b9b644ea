"""Session-wide test setup.

* The whole suite runs on a real PostgreSQL, started before Django loads its
  settings by the `tests.support.pytest_postgres` plugin; SQLite, the zero-setup default of `make run`, is covered by
  `tests/integration/test_sqlite_setup.py`.
* A real Redis is started by pytest-redis for the tests that need one
  (`redis_url` fixture).
* The active language is reset around every test (as pretix does).
"""

from __future__ import annotations

import pytest
from django.utils import translation
from pytest_redis import factories

from tests.support.postgres import free_port

redis_server = factories.redis_proc(port=free_port())


@pytest.fixture
def redis_url(redis_server) -> str:
    return f"redis://{redis_server.host}:{redis_server.port}/0"


@pytest.fixture(autouse=True)
def _reset_language():
    translation.activate("en")
    yield
    translation.activate("en")
