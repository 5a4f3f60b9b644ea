"""pytest plugin (loaded with `-p` from pyproject.toml): start the session's
PostgreSQL and export DATABASE_URL *before* pytest-django loads the settings,
so every connection of the suite, and every server process a test starts,
uses it."""

from __future__ import annotations

import os

import pytest

from tests.support.postgres import PostgresServer

_server: PostgresServer | None = None


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    global _server
    if _server is None and not os.environ.get("BL_TEST_DATABASE_URL"):
        _server = PostgresServer.start()
        os.environ["DATABASE_URL"] = f"postgres://postgres@{_server.host}:{_server.port}/bridgeline"
    elif os.environ.get("BL_TEST_DATABASE_URL"):
        # An already running PostgreSQL may be named explicitly.
        os.environ["DATABASE_URL"] = os.environ["BL_TEST_DATABASE_URL"]
    return (yield)


def pytest_unconfigure(config):
    global _server
    if _server is not None:
        _server.stop()
        _server = None


def postgres_server() -> PostgresServer | None:
    return _server
