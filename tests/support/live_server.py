"""The real ASGI application (`config.asgi`) served by daphne in a forked
child process, for browser and integration tests.

Why a fork (as channels' ChannelsLiveServerTestCase does): the child starts
with the parent's already configured Django, including the name of the test
database that pytest-django created, so both processes talk to the same
PostgreSQL test database. The parent closes its connections first so that no
socket is shared across the fork.

What the child changes for itself, and never for the parent's in-process
tests (which keep Django's locmem outbox and their own settings):

* mail goes to files in a temporary folder (`MailOutbox` reads them);
* WhiteNoise serves static files straight from the finders
  (`WHITENOISE_USE_FINDERS`), so no `collectstatic` is needed;
* the default cache is a file cache in a temporary folder that the parent's
  tests also use while the server runs (see `shared_cache_settings`): Wagtail
  keeps the site root paths in the default cache and clears them on a signal
  in the process that saved the Site; with one shared cache a page tree
  seeded by the test is seen by the server at once, and allauth's rate-limit
  counters can be reset between tests;
* uploads (MEDIA_ROOT) go to the temporary folder, never the checkout's var/;
* `DJANGO_ALLOW_ASYNC_UNSAFE` is dropped: the browser tests need it in the
  parent (sync Playwright keeps an event loop running in the main thread),
  but the server must keep Django's async-safety checks, as in production.
"""

from __future__ import annotations

import email
import email.policy
import importlib
import logging
import multiprocessing
import os
import re
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from daphne.testing import DaphneProcess

HOST = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 60
_MESSAGE_SEPARATOR = b"\n" + b"-" * 79 + b"\n"
_LINK = re.compile(r"https?://[^\s<>\"')\]]+")


def shared_cache_settings(directory: Path) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(directory)}}


class _ForkedDaphneProcess(DaphneProcess):
    """DaphneProcess, always forked (whatever the platform default): the child
    must inherit the configured Django and the test database name."""

    @staticmethod
    def _Popen(process_obj):
        return multiprocessing.get_context("fork").Process._Popen(process_obj)


def _child_application(overrides: dict, log_path: str):
    """Runs in the child before daphne starts: apply the server-only settings,
    then build the ASGI application afresh so that middleware (WhiteNoise)
    reads them, even if the parent had already imported config.asgi."""
    from django.test.utils import override_settings

    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # The fork copies the filters pytest set for the running test
    # (filterwarnings = error); a server turns warnings into log lines, not
    # into failed requests. Warnings stay visible in the server log.
    warnings.resetwarnings()
    warnings.simplefilter("default")
    logging.captureWarnings(True)
    log = open(log_path, "a", buffering=1)  # noqa: SIM115 (lives as long as the process)
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = log
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            try:
                handler.setStream(log)
            except (AttributeError, ValueError):  # pytest's capture handlers
                pass
    override_settings(**overrides).enable()  # never disabled: dies with the child
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    if "config.asgi" in sys.modules:
        module = importlib.reload(sys.modules["config.asgi"])
    else:
        module = importlib.import_module("config.asgi")
    return module.application


class _ApplicationFactory:
    def __init__(self, overrides: dict, log_path: str):
        self.overrides = overrides
        self.log_path = log_path

    def __call__(self):
        return _child_application(self.overrides, self.log_path)


@dataclass
class MailOutbox:
    """Mail written by the server's file-based email backend: one file per
    connection, messages separated by a line of 79 dashes."""

    directory: Path

    def clear(self) -> None:
        for path in self.directory.glob("*"):
            path.unlink()

    def messages(self) -> list[EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
            for chunk in path.read_bytes().split(_MESSAGE_SEPARATOR):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk.lstrip(b"\n"), policy=email.policy.default))
        return found

    def latest(self, *, to: str | None = None) -> EmailMessage:
        messages = [m for m in self.messages() if to is None or to.lower() in str(m["To"]).lower()]
        if not messages:
            raise AssertionError(f"no mail{f' to {to}' if to else ''} in {self.directory}; sent: {[str(m['To']) for m in self.messages()]}")
        return messages[-1]

    @staticmethod
    def text(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""

    @classmethod
    def links(cls, message: EmailMessage) -> list[str]:
        return _LINK.findall(cls.text(message))


class AsgiServer:
    """One daphne child process serving config.asgi; see the module docstring."""

    def __init__(self, *, extra_settings: dict | None = None):
        self.directory = Path(tempfile.mkdtemp(prefix="bl-asgi-"))
        self.outbox = MailOutbox(self.directory / "mail")
        self.outbox.directory.mkdir()
        self.cache_directory = self.directory / "cache"
        self.cache_directory.mkdir()
        self.media_root = self.directory / "media"
        self.media_root.mkdir()
        self.log_path = self.directory / "server.log"
        self.log_path.touch()
        from django.conf import settings

        from tests.support.postgres import free_port

        # Chosen before the fork so that the child's settings can name it: the
        # H5P content origin is this same server reached as "localhost".
        self.port: int = free_port()
        self.overrides = {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.outbox.directory),
            "WHITENOISE_USE_FINDERS": True,
            "MEDIA_ROOT": str(self.media_root),
            "CACHES": shared_cache_settings(self.cache_directory),
            "ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, HOST, "localhost"],
            "H5P_CONTENT_ROOT": str(self.media_root / "h5p"),
            "H5P_CONTENT_ORIGIN": self.h5p_content_origin,
            "H5P_SITE_ORIGINS": [self.url],
            **(extra_settings or {}),
        }
        self.process: _ForkedDaphneProcess | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def h5p_content_origin(self) -> str:
        """The H5P player's separate origin (courses/h5p/serving.py): another
        host name for the same server, so another origin."""
        return f"http://localhost:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}"

    def log_text(self, start: int = 0) -> str:
        return self.log_path.read_text(errors="replace")[start:]

    def log_size(self) -> int:
        return len(self.log_path.read_text(errors="replace"))

    def start(self) -> "AsgiServer":
        from django.db import connections

        # Nothing the parent holds open may be shared with the child.
        connections.close_all()
        self.process = _ForkedDaphneProcess(HOST, _ApplicationFactory(self.overrides, str(self.log_path)), port=self.port)
        self.process.daemon = True
        self.process.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not self.process.ready.wait(timeout=0.2):
            if not self.process.is_alive() or time.monotonic() > deadline:
                error = ""
                if not self.process.errors.empty():
                    error = self.process.errors.get(False)[1]
                self.stop()
                raise RuntimeError(f"daphne did not start:\n{error}\n{self.log_text()}")
        assert self.process.port.value == self.port, (self.process.port.value, self.port)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.join(10)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(5)
            self.process = None
