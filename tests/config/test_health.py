import json

import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_reports_every_part_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "channel_layer": "ok"}


@pytest.mark.django_db
def test_healthz_names_the_failing_channel_layer(client):
    # A Redis channel layer pointing at a port where nothing listens.
    broken = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}}
    from channels.layers import channel_layers

    with override_settings(CHANNEL_LAYERS=broken):
        channel_layers.backends.clear()
        try:
            response = client.get("/healthz")
        finally:
            channel_layers.backends.clear()
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error", "database": "ok", "channel_layer": "error"}


@pytest.mark.django_db
@pytest.mark.parametrize("backend", ["channels_redis.core.RedisChannelLayer", "channels_redis.pubsub.RedisPubSubChannelLayer"])
def test_healthz_with_real_redis_channel_layer(client, redis_url, backend):
    layer = {"default": {"BACKEND": backend, "CONFIG": {"hosts": [redis_url]}}}
    from channels.layers import channel_layers

    with override_settings(CHANNEL_LAYERS=layer):
        channel_layers.backends.clear()
        try:
            response = client.get("/healthz")
        finally:
            channel_layers.backends.clear()
    assert response.status_code == 200
    assert json.loads(response.content)["channel_layer"] == "ok"


@pytest.mark.django_db
def test_healthz_runs_on_postgresql():
    from django.db import connection

    assert connection.vendor == "postgresql"


def test_healthz_rejects_other_methods(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_does_not_wait_behind_the_thread_of_page_requests():
    """Under daphne every sync view runs in one shared thread; while page
    requests hold it, the health check must still find the database (it
    answered 503 after its 2-second wait during a registration burst)."""
    import asyncio
    import threading

    from asgiref.sync import async_to_sync, sync_to_async
    from django.test import AsyncRequestFactory

    from config.health import healthz

    release = threading.Event()

    async def scenario():
        # A page request's stand-in: holds the thread that every
        # thread-sensitive call of this request shares.
        busy = asyncio.ensure_future(sync_to_async(release.wait)())
        await asyncio.sleep(0.05)
        try:
            response = await healthz(AsyncRequestFactory().get("/healthz"))
            still_busy = not busy.done()
        finally:
            release.set()
            await busy
        return response, still_busy

    # Through async_to_sync, as Django's handlers run async views: the
    # thread-sensitive work then runs in this thread (asyncio.run would start
    # asgiref's global sync thread in the test process, which a server forked
    # later inherits without its thread).
    response, still_busy = async_to_sync(scenario)()
    assert still_busy
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["database"] == "ok"
