"""`/healthz` of a daphne process started the way production starts it
(`python -m daphne config.asgi:application`, configured by environment
variables) with a Redis channel layer: ok while Redis runs, 503 naming the
channel layer once Redis has gone away."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.support.postgres import free_port
from tests.support.processes import PYTHON, ROOT, clean_env, postgres_test_database_url, stop, wait_for_port

pytestmark = pytest.mark.integration


def _healthz(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def own_redis(tmp_path):
    """A Redis this test may stop (the session's pytest-redis server is shared)."""
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    wait_for_port("127.0.0.1", port, process=process)
    yield process, f"redis://127.0.0.1:{port}/0"
    stop(process)


@pytest.fixture
def daphne_with_redis(django_db_setup, own_redis, tmp_path):
    _, redis_url = own_redis
    port = free_port()
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=postgres_test_database_url(),
        REDIS_URL=redis_url,
    )
    process = subprocess.Popen(
        [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_for_port("127.0.0.1", port, process=process)
    except RuntimeError:
        pytest.fail(f"daphne did not start:\n{stop(process)}")
    yield port
    output = stop(process)
    print(f"--- daphne output ---\n{output}")  # shown when the test fails


def test_healthz_follows_redis(daphne_with_redis, own_redis):
    redis_process, _ = own_redis
    status, body = _healthz(daphne_with_redis)
    assert (status, body) == (200, {"status": "ok", "database": "ok", "channel_layer": "ok"})

    stop(redis_process)
    status, body = _healthz(daphne_with_redis)
    assert status == 503
    assert body == {"status": "error", "database": "ok", "channel_layer": "error"}
