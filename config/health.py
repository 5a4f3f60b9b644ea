"""`GET /healthz`: is this process able to serve? Checked parts: the database
and the channel layer (in-memory or Redis). Used by load balancers and by
`make run`'s smoke check; it touches no user data."""

import asyncio
import logging
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0


def _check_database() -> None:
    """Runs in a thread of its own (see `healthz`), so it opens its own
    connection and closes it again: nothing is left behind in that thread."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


async def _check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel(prefix="healthz")
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz", "token": token})
    message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned another message")


async def _run(name: str, check) -> str:
    try:
        await asyncio.wait_for(check(), timeout=CHECK_TIMEOUT_SECONDS)
    except Exception:  # any failure of a part is reported, never raised
        logger.exception("healthz: %s check failed", name)
        return "error"
    return "ok"


@never_cache
@require_GET
async def healthz(request):
    parts = {
        # Not thread-sensitive: under daphne every sync view shares one
        # thread, and the check would wait behind a burst of page requests
        # (2 s, then 503) although the database answers at once.
        "database": await _run("database", sync_to_async(_check_database, thread_sensitive=False)),
        "channel_layer": await _run("channel_layer", _check_channel_layer),
    }
    healthy = all(value == "ok" for value in parts.values())
    return JsonResponse({"status": "ok" if healthy else "error", **parts}, status=200 if healthy else 503)
