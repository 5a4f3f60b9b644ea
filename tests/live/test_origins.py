"""Which pages may open a websocket (live/origins.py): only the site's own
pages. Never the H5P content origin, where package scripts run: with
same-site host names (learn.example.org and h5p.example.org) the browser
would send the site's session cookie along with such a socket."""

from __future__ import annotations

import pytest

from live.models import Participant
from tests.live.conftest import live_cookie, make_live_session, make_participant
from tests.support.live_ws import LiveSocket, handshake_refused

SITE = "https://learn.example.org"
CONTENT = "https://h5p.example.org"


def websocket_origin_allowed(origin, *, host):
    from live.origins import websocket_origin_allowed as allowed

    return allowed(origin, host=host)


@pytest.fixture
def deployment(settings):
    """The reviewer's deployment: site and H5P content on two host names of
    one registrable domain, both answered by the same servers."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["learn.example.org", "h5p.example.org", ".shared.example.net"]
    settings.H5P_CONTENT_ORIGIN = CONTENT
    settings.H5P_SITE_ORIGINS = [SITE]
    settings.CSRF_TRUSTED_ORIGINS = []
    return settings


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        (SITE, "learn.example.org"),
        ("https://learn.example.org:443", "learn.example.org"),
        ("https://LEARN.example.org", "learn.example.org:443"),
        ("https://a.shared.example.net", "a.shared.example.net"),  # a wildcard of ALLOWED_HOSTS, on its own host
    ],
)
def test_the_sites_own_pages_may_open_a_socket(deployment, origin, host):
    assert websocket_origin_allowed(origin, host=host)


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        # The H5P content origin, whatever host the socket is opened on.
        (CONTENT, "learn.example.org"),
        (CONTENT, "h5p.example.org"),
        ("http://h5p.example.org", "learn.example.org"),
        ("https://h5p.example.org:443", "learn.example.org"),
        ("https://H5P.example.org", "h5p.example.org"),
        # Same site, or in ALLOWED_HOSTS, but not the page's own origin.
        ("https://a.shared.example.net", "learn.example.org"),
        ("https://other.example.org", "learn.example.org"),
        ("https://learn.example.org:8443", "learn.example.org"),
        # Foreign, or a host the site does not serve.
        ("https://evil.example", "learn.example.org"),
        ("https://evil.example", "evil.example"),
        # No usable Origin at all.
        (None, "learn.example.org"),
        ("", "learn.example.org"),
        ("null", "learn.example.org"),
        ("learn.example.org", "learn.example.org"),
        ("ftp://learn.example.org", "learn.example.org"),
        (SITE, None),
    ],
)
def test_other_origins_may_not(deployment, origin, host):
    assert not websocket_origin_allowed(origin, host=host)


def test_csrf_trusted_origins_may_but_never_the_content_origin(deployment):
    deployment.CSRF_TRUSTED_ORIGINS = ["https://www.example.org", CONTENT]
    assert websocket_origin_allowed("https://www.example.org", host="learn.example.org")
    assert not websocket_origin_allowed(CONTENT, host="learn.example.org")


def test_without_an_h5p_origin_the_site_still_works(deployment):
    deployment.H5P_CONTENT_ORIGIN = ""
    assert websocket_origin_allowed(SITE, host="learn.example.org")
    assert not websocket_origin_allowed("https://h5p.example.org", host="learn.example.org")


# --- Through the real server ------------------------------------------------------------


@pytest.mark.integration
def test_a_room_socket_from_the_h5p_content_origin_is_refused(live_ws_server):
    """The test server answers the site as 127.0.0.1 and H5P content as
    localhost (both in its ALLOWED_HOSTS, like a production deployment):
    a package script's socket, carrying a logged-in participant's cookie,
    is refused at the handshake."""
    session = make_live_session()
    guest = make_participant(session, role=Participant.Role.PROFESSIONAL)
    cookie = live_cookie(guest)
    content = live_ws_server.server.h5p_content_origin
    assert content.startswith("http://localhost:")
    # Opened on the site's host, and on the content host itself.
    assert handshake_refused(live_ws_server.ws_url, session.pk, origin=content, cookie=cookie) == 403
    content_ws_url = content.replace("http://", "ws://")
    assert handshake_refused(content_ws_url, session.pk, origin=content, cookie=cookie) == 403
    guest.refresh_from_db()
    assert guest.channel_name == "" and guest.last_seen_at is None
    # The site's own page still gets in.
    with LiveSocket(live_ws_server.ws_url, session.pk, cookie=cookie, origin=live_ws_server.url) as ws:
        assert ws.wait_for("welcome")["you"]["id"] == guest.pk
