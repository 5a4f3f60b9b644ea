"""Session-wide test setup.

* The whole suite runs on a real PostgreSQL, started before Django loads its
  settings by the `tests.support.pytest_postgres` plugin; SQLite, the zero-setup default of `make run`, is covered by
  `tests/integration/test_sqlite_setup.py`.
* A real Redis is started by pytest-redis for the tests that need one
  (`redis_url` fixture).
* The active language is reset around every test (as pretix does).
* `asgi_live_server` serves the real `config.asgi` application with daphne in
  a forked process on the same test database (tests/support/live_server.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import translation
from pytest_redis import factories

from tests.support.live_server import AsgiServer, MailOutbox, shared_cache_settings
from tests.support.postgres import free_port

redis_server = factories.redis_proc(port=free_port())
ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session):
    """Compile stale message catalogues as `make test` does (`make messages`),
    so that a plain `pytest` run sees the current French and Dutch texts.
    Before any test runs: Django caches a catalogue once it has loaded it,
    and the forked server inherits that cache."""
    stale = [
        po for po in (ROOT / "locale").glob("*/LC_MESSAGES/*.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "compile_messages.py")], check=True, capture_output=True)


@pytest.fixture
def redis_url(redis_server) -> str:
    return f"redis://{redis_server.host}:{redis_server.port}/0"


@pytest.fixture(autouse=True)
def _forget_cached_rows():
    """Entries the cache derives from rows (course outlines, whether any page
    is private) must not outlive a test whose rows are rolled back: the
    signals that renew them do not fire on a rollback."""
    yield
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):  # this process's own cache only
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _reset_language():
    translation.activate("en")
    yield
    translation.activate("en")


# --- The real ASGI server ------------------------------------------------------

_serialized_contents: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's database setup, plus a copy of what it serialized for
    `serialized_rollback` (see `_live_db_clean_slate`)."""
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            _serialized_contents[alias] = contents
    yield


@pytest.fixture(scope="session")
def _asgi_server(django_db_setup, django_db_blocker):
    """One daphne process for the session (forking Django per test would cost
    about a second each); per-test state lives in the database, which is reset
    per test, and in the shared cache and outbox, which `asgi_live_server`
    empties per test."""
    with django_db_blocker.unblock():
        server = AsgiServer().start()
    yield server
    server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture
def _live_db_clean_slate(request, django_db_setup, django_db_blocker):
    """Start from an empty database so that the serialized rollback below can
    restore the migrated state (Wagtail's root page, locales and default site,
    content types, permissions) without clashing.

    pytest-django's `transactional_db` empties every table after each test,
    including the rows that migrations created. `serialized_rollback` reloads
    them before the next test, but only onto empty tables: a transactional
    test elsewhere that flushed *without* serialized rollback lets Django
    recreate content types with new ids, which the reload would then collide
    with. Emptying the tables first (as Django's own serialized teardown does)
    makes the reload safe whatever ran before.
    """
    if request.node.get_closest_marker("django_db"):
        raise pytest.UsageError(
            "Do not mark asgi_live_server tests with django_db: the fixture brings its own "
            "transactional database access with serialized rollback."
        )
    from django.core.management import call_command
    from django.db import connections

    # Django keeps connections in an asgiref Local that switches from
    # thread-local to context-local storage while an event loop runs in the
    # thread, and sync Playwright keeps one running: the browser tests then
    # get fresh connection objects without the serialized data that
    # django_db_setup attached to the first ones. Attach it again.
    for alias, contents in _serialized_contents.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True)


@dataclass
class LiveServer:
    url: str
    ws_url: str
    outbox: MailOutbox
    server: AsgiServer

    def log_since_test_start(self) -> str:
        return self.server.log_text(self._log_start)

    _log_start: int = 0


@pytest.fixture
def asgi_live_server(_live_db_clean_slate, transactional_db, django_db_serialized_rollback, _asgi_server, settings):
    """The real ASGI application over HTTP and websockets, on the test database.

    Data the test creates is committed (transactional database), so the server
    sees it; tables are emptied after the test and the migrated rows restored
    before the next one (serialized rollback). Mail the server sends lands in
    `.outbox`. While the test runs, this process uses the server's cache too,
    so Wagtail's cached site root paths are cleared in both when the test
    saves a Site, and each test starts with an empty cache (no rate-limit
    counters left by an earlier test).
    """
    from django.core.cache import cache

    settings.CACHES = shared_cache_settings(_asgi_server.cache_directory)
    settings.MEDIA_ROOT = _asgi_server.media_root
    cache.clear()
    _asgi_server.outbox.clear()
    live = LiveServer(url=_asgi_server.url, ws_url=_asgi_server.ws_url, outbox=_asgi_server.outbox, server=_asgi_server)
    live._log_start = len(_asgi_server.log_text())
    yield live
    log = live.log_since_test_start()
    if log.strip():
        # Shown by pytest only when the test fails.
        print(f"--- daphne log during this test ---\n{log}")
