"""Local development: `make run`. Debug on, everything in-process."""

from urllib.parse import urlsplit

from .base import *  # noqa: F401,F403
from .base import ALLOWED_HOSTS, env, with_h5p_content_host

DEBUG = env.bool("DEBUG", default=True)


def browsed_host(bound: str) -> str:
    """The host name a browser uses for a server bound to `bound` (`make
    run`'s HOST): a wildcard address is browsed at the loopback address, an
    IPv6 address is written in brackets."""
    host = bound.strip().strip("[]")
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (read, not bound here)
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


# Every absolute address follows the port and host `make run` serves on
# (PORT and HOST, passed to the server, the task worker and the
# housekeepers alike): links in mail, calendar files, certificate QR codes
# and signed credentials (WAGTAILADMIN_BASE_URL), and the H5P origins.
_PORT = env.int("PORT", default=8000)
_HOST = browsed_host(env.str("HOST", default="127.0.0.1"))
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default=f"http://{_HOST}:{_PORT}")
_site = urlsplit(WAGTAILADMIN_BASE_URL)

# The H5P player's separate origin: the same daphne, reached by the other
# loopback name ("localhost" while the site is browsed as 127.0.0.1; two
# host names, two origins). Browse the site at WAGTAILADMIN_BASE_URL, never
# at the content origin (that host only serves H5P content). For a HOST
# other than a loopback or wildcard address, set H5P_CONTENT_ORIGIN to a
# second name of that machine.
_content_host = "127.0.0.1" if _site.hostname == "localhost" else "localhost"
H5P_CONTENT_ORIGIN = env.str("H5P_CONTENT_ORIGIN", default=f"http://{_content_host}:{_PORT}")
H5P_SITE_ORIGINS = env.list("H5P_SITE_ORIGINS", default=[f"{_site.scheme}://{_site.netloc}"])
_site_host = f"[{_site.hostname}]" if _site.hostname and ":" in _site.hostname else _site.hostname
ALLOWED_HOSTS = with_h5p_content_host(
    [*ALLOWED_HOSTS, *([_site_host] if _site_host and _site_host not in ALLOWED_HOSTS else [])], H5P_CONTENT_ORIGIN
)
