"""The documented production layout, started for real: nginx with
deploy/nginx.conf (TLS, a self-signed certificate), gunicorn with
config/gunicorn.py serving pages, two daphne processes serving websockets and
/healthz, Redis as channel layer and cache, PostgreSQL; production settings.
Pages, static files, the health check and a live room are used through
nginx, and the servers' own logs show which one answered what."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from websockets.sync.client import connect

from live.models import Participant
from tests.live.conftest import live_cookie, make_live_session, make_participant
from tests.support import nginx
from tests.support.processes import (
    ROOT,
    clean_env,
    fresh_signing_key,
    manage,
    postgres_test_database_url,
    stop,
    wait_for_port,
)

pytestmark = pytest.mark.integration

SITE = "learn.test"
H5P = "h5p.learn.test"
VENV_BIN = Path(os.sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Layout:
    port: int
    directory: Path
    pages_log: Path
    asgi: list[subprocess.Popen]

    def request(self, path: str, *, host: str = SITE, headers: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=ssl._create_unverified_context(), timeout=30)
        try:
            connection.request("GET", path, headers={"Host": f"{host}:{self.port}", **(headers or {})})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def socket(self, session_id: int, cookie: str):
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return connect(
            f"wss://{SITE}:{self.port}/ws/live/{session_id}/", sock=raw, ssl=ssl._create_unverified_context(),
            server_hostname=SITE, additional_headers={"Origin": f"https://{SITE}:{self.port}", "Cookie": cookie},
            open_timeout=10,
        )


@pytest.fixture
def production_layout(_live_db_clean_slate, transactional_db, django_db_serialized_rollback, redis_url, tmp_path):
    """Committed data (the servers read it), restored to the migrated state
    afterwards as for `asgi_live_server` (tests/conftest.py)."""
    if not os.access(nginx.NGINX, os.X_OK):
        pytest.fail(f"{nginx.NGINX} is missing: run `make test-deps` (installs Debian's nginx)")
    port = _free_port()
    pages_port, asgi_ports = _free_port(), [_free_port(), _free_port()]
    origin = f"https://{SITE}:{port}"
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        # The test's own key: the sessions it saves for participants are
        # signed with it.
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS=SITE,
        CSRF_TRUSTED_ORIGINS=origin,
        WAGTAILADMIN_BASE_URL=origin,
        H5P_CONTENT_ORIGIN=f"https://{H5P}:{port}",
        DATABASE_URL=postgres_test_database_url(),
        REDIS_URL=redis_url,
        CERTIFICATE_SIGNING_KEY=fresh_signing_key(),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        TRUSTED_PROXY_COUNT="1",
        GUNICORN_ACCESS_LOG=str(tmp_path / "pages-access.log"),
    )
    collected = manage("collectstatic", "--noinput", "--verbosity", "0", env=env, timeout=300)
    assert collected.returncode == 0, collected.stderr
    cert, key = nginx.self_signed(tmp_path, SITE, H5P)
    conf = nginx.configuration(tmp_path, {
        "SERVER_NAME": SITE, "H5P_SERVER_NAME": H5P, "LISTEN": f"127.0.0.1:{port} ssl",
        "TLS_CERTIFICATE": str(cert), "TLS_CERTIFICATE_KEY": str(key),
        "PAGES": f"127.0.0.1:{pages_port}", "ASGI_1": f"127.0.0.1:{asgi_ports[0]}", "ASGI_2": f"127.0.0.1:{asgi_ports[1]}",
        "STATIC_ROOT": f"{tmp_path}/static/", "MEDIA_ROOT": f"{tmp_path}/media/",
    })
    processes = []

    def start(command: list[str], listen_port: int) -> subprocess.Popen:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        processes.append(process)
        wait_for_port("127.0.0.1", listen_port, process=process)
        return process

    try:
        start([str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{pages_port}", "--workers", "2"], pages_port)
        asgi = [start([str(VENV_BIN / "daphne"), "-b", "127.0.0.1", "-p", str(p), "config.asgi:application"], p) for p in asgi_ports]
        start(nginx.command(tmp_path, conf), port)
        yield Layout(port=port, directory=tmp_path, pages_log=tmp_path / "pages-access.log", asgi=asgi)
    finally:
        outputs = [stop(process) for process in reversed(processes)]
        shutil.rmtree(tmp_path / "static", ignore_errors=True)
        print("\n".join(outputs))


def _wait_for(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def test_pages_static_health_and_a_room_through_the_production_layout(production_layout):
    layout = production_layout

    # Pages: gunicorn answers them (its access log), under the site's policy.
    status, headers, body = layout.request("/en/accounts/login/")
    assert status == 200, body[:500]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["strict-transport-security"].startswith("max-age=")
    assert _wait_for(lambda: '"GET /en/accounts/login/ ' in layout.pages_log.read_text())

    # Static files: nginx itself, from the collected, hashed files.
    found = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body.decode())
    assert found, body.decode()[:1500]
    link = found.group(1)
    status, headers, _ = layout.request(link)
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert link not in layout.pages_log.read_text()

    # The health check: the ASGI processes, with Redis and PostgreSQL.
    status, _, body = layout.request("/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok", "database": "ok", "channel_layer": "ok"}
    assert "/healthz" not in layout.pages_log.read_text()

    # The H5P host answers H5P URLs only.
    assert layout.request("/en/", host=H5P)[0] == 404

    # A live room: the page from gunicorn, the sockets through nginx to the
    # daphne processes, chat from one participant to the other.
    session = make_live_session()
    trainer = make_participant(session, role=Participant.Role.STAFF, name="Tess")
    guest = make_participant(session, name="Gus")
    trainer_cookie, guest_cookie = live_cookie(trainer), live_cookie(guest)
    status, headers, body = layout.request(f"/en/live/{session.pk}/room/", headers={"Cookie": guest_cookie})
    assert status == 200, (headers.get("location"), body[:500])
    assert f"/ws/live/{session.pk}/" in body.decode()

    with layout.socket(session.pk, trainer_cookie) as staff, layout.socket(session.pk, guest_cookie) as visitor:
        def next_of(ws, kind: str) -> dict:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                frame = json.loads(ws.recv(timeout=10))
                for event in frame["events"] if frame.get("type") == "batch" else [frame]:
                    if event.get("type") == kind:
                        return event
            raise AssertionError(f"no {kind}")

        next_of(staff, "welcome")
        next_of(visitor, "welcome")
        visitor.send(json.dumps({"type": "chat.send", "text": "hello through nginx", "client_id": "g1"}))
        assert next_of(staff, "chat.message")["text"] == "hello through nginx"
    assert _wait_for(lambda: not Participant.objects.exclude(channel_name="").exists(), timeout=15)
