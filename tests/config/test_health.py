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
