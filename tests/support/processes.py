"""Helpers for tests that run the project's own commands and servers as
separate processes, with an environment built explicitly rather than
inherited by accident."""

from __future__ import annotations

import os
import secrets
import socket
import string
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable

# Set by the test session for this process only; a child gets them only when
# a test passes them on purpose.
_SESSION_ONLY = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS")


def clean_env(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _SESSION_ONLY and not key.startswith("PYTEST_")}
    env.update(values)
    return env


def random_secret_key(length: int = 64) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def fresh_signing_key() -> str:
    """An Ed25519 certificate signing key (PEM) as an operator would set
    CERTIFICATE_SIGNING_KEY in production."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def postgres_test_database_url() -> str:
    """The URL of the PostgreSQL test database pytest-django created (its name
    is only known once `django_db_setup` has run)."""
    from django.db import connection

    config = connection.settings_dict
    return f"postgres://{config['USER']}@{config['HOST']}:{config['PORT']}/{config['NAME']}"


def manage(*args: str, env: dict[str, str], cwd: Path | None = None, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=cwd or ROOT,
        capture_output=True, text=True, timeout=timeout,
    )


def wait_for_port(host: str, port: int, *, process: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {host}:{port}")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on {host}:{port}")


def stop(process: subprocess.Popen) -> str:
    """Stop a process we started and return what it wrote."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    output = ""
    if process.stdout is not None and not process.stdout.closed:
        output = process.stdout.read() or ""
        process.stdout.close()
    return output
