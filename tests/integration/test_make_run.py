"""`make run` as a person runs it: one command, one address. Pages come from
gunicorn, websockets and /healthz from daphne, both behind config/router.py;
Ctrl-C (SIGINT to the terminal's process group) stops every process it
started. The demo database, uploads and keys go to a temporary folder."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.support.processes import ROOT, clean_env, random_secret_key

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def _wait_for_page(url: str, process: subprocess.Popen, timeout: float) -> tuple[int, dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "make run exited"
        try:
            status, headers = _get(url)
            if status == 200:
                return status, headers
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer 200 in {timeout}s")


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                command = file.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command:
            found.append(f"{pid}: {command}")
    return found


def test_make_run_serves_pages_and_websockets_on_one_address_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        SECRET_KEY=random_secret_key(),
        MEDIA_ROOT=str(tmp_path / "media"),
        H5P_CONTENT_ROOT=str(tmp_path / "h5p"),
        CERTIFICATES_ROOT=str(tmp_path / "certificates"),
    )
    # As typed in a fresh terminal: not the settings, flags or level of the
    # `make test` this suite may run under.
    for name in ("DJANGO_SETTINGS_MODULE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PORT", "HOST"):
        env.pop(name, None)
    log = (tmp_path / "make-run.log").open("w")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"], cwd=ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        status, headers = _wait_for_page(f"{base}/en/", process, timeout=600)
        assert headers["Server"] == "gunicorn"
        assert "script-src 'self'" in headers["Content-Security-Policy"]

        status, headers = _get(f"{base}/healthz")
        assert status == 200 and headers["Server"].startswith("daphne")

        # The websocket reaches daphne through the same address: an unknown
        # session is accepted and then closed with the protocol's 4004.
        with connect(f"ws://127.0.0.1:{port}/ws/live/999999/", additional_headers={"Origin": base}, open_timeout=10) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=10)
        assert closed.value.rcvd.code == 4004
        # ...and a page that opens it from another origin is refused.
        with pytest.raises(InvalidStatus) as refused:
            connect(f"ws://127.0.0.1:{port}/ws/live/1/", additional_headers={"Origin": "http://evil.example"}, open_timeout=10)
        assert refused.value.response.status_code == 403
    finally:
        # Ctrl-C in a terminal: SIGINT to the whole foreground process group.
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(60)
        finally:
            log.close()
    output = (tmp_path / "make-run.log").read_text()
    deadline = time.monotonic() + 20
    while (left := _processes_mentioning(f"-{port}.sock")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == [], output[-3000:]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
