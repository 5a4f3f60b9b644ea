"""The client's address, for every per-address limit (join codes,
certificate look-ups, allauth's login and sign-up limits): one function, so
that they cannot disagree about who the client is.

`TRUSTED_PROXY_COUNT` says how many reverse proxies under our control stand
in front of the server (docs/deployment.md). With none (the default), the
address is the peer of the connection (`REMOTE_ADDR`, an ASGI scope's
`client`) and `X-Forwarded-For` is ignored: anyone can send that header.
With N, it is the N-th entry from the right of `X-Forwarded-For`, the one
the outermost trusted proxy wrote; whatever the client sent itself stands to
the left of it and is never used. Servers must not rewrite the peer address
from the header themselves (no `daphne --proxy-headers`: it takes the
leftmost entry, which the client chooses)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest


def _peer_and_forwarded(request_or_scope) -> tuple[str, str]:
    if isinstance(request_or_scope, HttpRequest):
        meta = request_or_scope.META
        return meta.get("REMOTE_ADDR") or "", meta.get("HTTP_X_FORWARDED_FOR") or ""
    if isinstance(request_or_scope, Mapping):  # an ASGI scope (http or websocket)
        client = request_or_scope.get("client")
        peer = str(client[0]) if client else ""
        # Repeated header lines are one comma-separated list, in order.
        forwarded = ",".join(
            value.decode("latin-1") for name, value in request_or_scope.get("headers") or ()
            if name.lower() == b"x-forwarded-for"
        )
        return peer, forwarded
    raise TypeError(f"client_ip() needs an HttpRequest or an ASGI scope, not {type(request_or_scope).__name__}")


def client_ip(request_or_scope) -> str:
    """The client's address of a Django request or an ASGI scope ("" when
    the server does not know the peer)."""
    peer, forwarded = _peer_and_forwarded(request_or_scope)
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted <= 0:
        return peer
    entries = [entry.strip() for entry in forwarded.split(",")]
    entries = [entry for entry in entries if entry]
    if not entries:  # not through the proxy (e.g. a local health check)
        return peer
    # Fewer entries than proxies: all of them were written by our proxies;
    # the leftmost is the farthest peer they saw.
    chosen = entries[-min(trusted, len(entries))]
    try:
        return str(ipaddress.ip_address(chosen))
    except ValueError:
        # Our proxy wrote something that is not an address (misconfigured):
        # such clients share the proxy's budget rather than choosing their own.
        return peer
