"""The real ASGI application served by daphne: HTTP basics that every later
feature relies on (health, static files, data visibility) and the websocket
gatekeeping that every consumer will sit behind."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

pytestmark = pytest.mark.integration


def _get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_healthz_through_daphne_reports_ok(asgi_live_server):
    status, headers, body = _get(f"{asgi_live_server.url}/healthz")
    assert status == 200, body
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"status": "ok", "database": "ok", "channel_layer": "ok"}


def test_static_files_are_served_by_whitenoise(asgi_live_server):
    status, headers, body = _get(f"{asgi_live_server.url}/static/css/site.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert body.strip()


def test_data_committed_by_the_test_is_visible_to_the_server(asgi_live_server):
    from accounts.models import User

    User.objects.create_user(email="visible@example.org", password="a-long-password-1")
    # The login page answers for any email (no enumeration), so check through
    # the database the server uses: the session table it writes on login.
    from django.contrib.sessions.models import Session

    assert User.objects.filter(email="visible@example.org").exists()
    status, _, body = _get(f"{asgi_live_server.url}/en/accounts/login/")
    assert status == 200, body[:500]
    assert Session.objects.count() == 0


def _handshake_status(url: str, origin: str) -> int:
    """The HTTP status with which the server answered the websocket handshake
    (101 when it accepted)."""
    try:
        with connect(url, additional_headers={"Origin": origin}, open_timeout=10):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


def test_websocket_from_a_foreign_origin_is_refused(asgi_live_server):
    # The origin check (live/origins.py) answers before any route is looked up.
    status = _handshake_status(f"{asgi_live_server.ws_url}/ws/anything/", "https://evil.example")
    assert status == 403


def test_websocket_to_an_unknown_path_is_refused(asgi_live_server):
    status = _handshake_status(f"{asgi_live_server.ws_url}/ws/no-such-consumer/", asgi_live_server.url)
    # config.routing's catch-all closes before accepting: a clean 403, not a
    # routing error with a logged traceback.
    assert status == 403
    # The server keeps serving after the refusal.
    assert _get(f"{asgi_live_server.url}/healthz")[0] == 200
