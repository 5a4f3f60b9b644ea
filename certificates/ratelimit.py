"""A per-address budget of failed verification look-ups (unknown or
malformed codes), kept in the Django cache so that every server process
shares it (Redis in production). Known codes do not spend it, so a hiring
manager checking real certificates is never slowed; someone walking the code
space runs out after a few dozen guesses, against 2**80 possible codes.
The address is config.client_ip's (TRUSTED_PROXY_COUNT), never one the
client wrote into X-Forwarded-For."""

from __future__ import annotations

from django.conf import settings

from config.client_ip import client_ip
from config.failures import failure_record, failures_exhausted

LIMIT = getattr(settings, "CERTIFICATE_VERIFY_FAILURES_LIMIT", 30)
WINDOW_SECONDS = getattr(settings, "CERTIFICATE_VERIFY_FAILURES_WINDOW", 600)


def _key(request) -> str:
    return f"certificates:verify-failures:{client_ip(request)}"


def verify_blocked(request) -> bool:
    return failures_exhausted(_key(request), limit=LIMIT)


def verify_failure_record(request) -> None:
    failure_record(_key(request), window_seconds=WINDOW_SECONDS)
