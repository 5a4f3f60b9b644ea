"""Start a throwaway PostgreSQL server for the test session.

The suite talks to a real PostgreSQL, never a mock. Sessions and CI run as
root and `initdb` refuses root, so as root the server runs as the `postgres`
system user (runuser) from a folder that user owns; otherwise it runs as the
current user. Durability is switched off: the data dies with the session.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL server binaries not found: run `make test-deps` (installs Debian's postgresql).")


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    directory: Path
    _as_postgres: bool

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = list(args)
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    @classmethod
    def start(cls) -> "PostgresServer":
        bindir = _bindir()
        as_postgres = os.geteuid() == 0
        directory = Path(tempfile.mkdtemp(prefix="bl-pg-"))
        if as_postgres:
            shutil.chown(directory, user="postgres", group="postgres")
        server = cls(host="127.0.0.1", port=free_port(), user="postgres", directory=directory, _as_postgres=as_postgres)
        server._run(str(bindir / "initdb"), "-D", str(directory / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        options = (
            f"-p {server.port} -k {directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        server._run(str(bindir / "pg_ctl"), "-D", str(directory / "data"), "-o", options, "-l", str(directory / "log"), "-w", "start")
        server._wait_ready()
        return server

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL did not accept connections; see {self.directory / 'log'}")

    def stop(self) -> None:
        try:
            self._run(str(_bindir() / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def database_settings(self, name: str = "bridgeline") -> dict:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": self.user,
            "PASSWORD": "",
            "HOST": self.host,
            "PORT": str(self.port),
            "CONN_MAX_AGE": 0,
            "ATOMIC_REQUESTS": False,
            "OPTIONS": {},
        }
