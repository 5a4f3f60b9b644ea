"""Which pages may open a websocket: the site's own, never the H5P content
origin (docs/live-protocol.md, "Connecting").

Browsers send cookies with a websocket handshake whatever page opens it
(SameSite=Lax lets a same-site page through: h5p.example.org is same-site
with learn.example.org), and the server sees only the `Origin` header. H5P
package scripts run on H5P_CONTENT_ORIGIN (courses/h5p/serving.py), whose
host is in ALLOWED_HOSTS because the same servers answer it; Channels'
`AllowedHostsOriginValidator` therefore let such a script open a room
socket with the learner's session. This validator replaces it for every
websocket route:

* the Origin must be the origin of the page the socket is opened from, on
  the same host: scheme://host[:port] equal to the handshake's Host (a
  host in ALLOWED_HOSTS), as Django's CSRF check does for forms; or one of
  CSRF_TRUSTED_ORIGINS, the site's other trusted origins;
* never the H5P content origin (compared on host and port, whatever the
  scheme, as courses.h5p.serving does), even if listed above, and whatever
  host the socket is opened on (the content host is served by the same
  servers);
* a missing, repeated, opaque ("null") or non-http(s) Origin is refused.

A refused handshake is answered 403, before any route or consumer runs.
"""

from __future__ import annotations

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from courses.h5p.serving import content_origin, origin_of


def _netloc(origin: str) -> str:
    return origin.split("://", 1)[-1]


def _allowed_hosts() -> list[str]:
    hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not hosts:  # Django's own default in DEBUG
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def websocket_origin_allowed(origin: str | None, *, host: str | None) -> bool:
    """Whether a websocket handshake with this Origin header, sent to this
    Host, comes from one of the site's own pages."""
    origin = origin_of(origin or "")
    if not origin:
        return False
    content = content_origin()
    if content and _netloc(origin) == _netloc(content):
        return False
    trusted = {origin_of(value) for value in settings.CSRF_TRUSTED_ORIGINS}
    if origin in trusted:
        return True
    if not host:
        return False
    domain, _port = split_domain_port(host.lower())
    if not domain or not validate_host(domain, _allowed_hosts()):
        return False
    scheme = origin.split("://", 1)[0]
    return origin == origin_of(f"{scheme}://{host}")


class SiteOriginValidator:
    """ASGI middleware for the websocket stack: lets a handshake through only
    when `websocket_origin_allowed`; otherwise denies it (403). Settings are
    read per handshake."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("SiteOriginValidator is for websocket connections only")
        found: dict[bytes, list[str]] = {b"origin": [], b"host": []}
        for name, value in scope.get("headers", []):
            if name in found:
                found[name].append(value.decode("latin1"))
        # Exactly one of each: two Origin headers are not a browser's.
        origin, host = (values[0] if len(values) == 1 else None for values in found.values())
        if websocket_origin_allowed(origin, host=host):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
