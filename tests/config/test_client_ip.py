"""The one client address every per-address limit uses (config/client_ip.py),
and the documented proxy set-up it relies on (docs/deployment.md, issue #13
finding 4): what a client puts in X-Forwarded-For is never its address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

from config.client_ip import client_ip

ROOT = Path(__file__).resolve().parents[2]

# (trusted proxies, REMOTE_ADDR, X-Forwarded-For or None, expected address)
TABLE = [
    # No trusted proxy (the default): the header is ignored, whatever it says.
    (0, "203.0.113.7", None, "203.0.113.7"),
    (0, "203.0.113.7", "1.2.3.4", "203.0.113.7"),
    (0, "203.0.113.7", "1.2.3.4, 5.6.7.8", "203.0.113.7"),
    # One proxy (nginx) appending the peer it saw: the rightmost entry.
    (1, "127.0.0.1", "203.0.113.7", "203.0.113.7"),
    (1, "127.0.0.1", "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # forged entry prepended
    (1, "127.0.0.1", "1.2.3.4,203.0.113.7", "203.0.113.7"),
    (1, "127.0.0.1", "  1.2.3.4 ,  203.0.113.7  ", "203.0.113.7"),
    (1, "127.0.0.1", "2001:db8::1", "2001:db8::1"),
    # Two proxies (e.g. a load balancer, then nginx): the second from the right.
    (2, "127.0.0.1", "1.2.3.4, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
    (2, "127.0.0.1", "9.9.9.9, 1.2.3.4, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
    # Fewer entries than proxies: every entry was written by a trusted proxy;
    # the leftmost is the farthest peer seen.
    (2, "127.0.0.1", "203.0.113.7", "203.0.113.7"),
    # No header (a request that did not come through the proxy): the peer.
    (1, "127.0.0.1", None, "127.0.0.1"),
    (1, "127.0.0.1", "", "127.0.0.1"),
    (1, "127.0.0.1", " , ", "127.0.0.1"),
    # The entry the proxy wrote is not an address (misconfigured proxy): the
    # peer, so every such client shares one budget rather than choosing one.
    (1, "127.0.0.1", "1.2.3.4, unknown", "127.0.0.1"),
    (1, "127.0.0.1", "1.2.3.4, 203.0.113.7:4711", "127.0.0.1"),
]


@pytest.mark.parametrize(("count", "remote", "forwarded", "expected"), TABLE)
def test_client_ip_of_a_request(count, remote, forwarded, expected):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **extra)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(request) == expected


@pytest.mark.parametrize(("count", "remote", "forwarded", "expected"), TABLE)
def test_client_ip_of_an_asgi_scope(count, remote, forwarded, expected):
    headers = [(b"host", b"learn.example.org")]
    if forwarded is not None:
        headers.append((b"x-forwarded-for", forwarded.encode("latin-1")))
    scope = {"type": "websocket", "client": [remote, 50123], "headers": headers}
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(scope) == expected


def test_repeated_headers_count_as_one_list():
    # Two X-Forwarded-For header lines are one list, in order (RFC 9110 5.3).
    scope = {"type": "http", "client": ["127.0.0.1", 1], "headers": [
        (b"x-forwarded-for", b"1.2.3.4"), (b"X-Forwarded-For", b"203.0.113.7"),
    ]}
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(scope) == "203.0.113.7"
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4,203.0.113.7")
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(request) == "203.0.113.7"


def test_a_scope_without_a_client_is_an_empty_address():
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert client_ip({"type": "websocket", "headers": []}) == ""
        assert client_ip({"type": "websocket", "client": None, "headers": []}) == ""


def test_allauth_uses_the_same_address():
    from allauth.account.adapter import get_adapter
    from django.conf import settings

    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert get_adapter(request).get_client_ip(request) == "203.0.113.7"
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert get_adapter(request).get_client_ip(request) == "127.0.0.1"


# --- The documented set-up ------------------------------------------------------------


def test_the_documented_deployment_cannot_be_spoofed():
    text = (ROOT / "docs" / "deployment.md").read_text()
    # daphne --proxy-headers takes the *leftmost* X-Forwarded-For entry as
    # the client, which is whatever the client sent: never documented.
    for line in text.splitlines():
        if "daphne" in line and line.lstrip().startswith("ExecStart"):
            assert "--proxy-headers" not in line, line
    for line in text.splitlines():
        if "gunicorn" in line and line.lstrip().startswith("ExecStart"):
            assert "forwarded-allow-ips" not in line.lower(), line
    # nginx (deploy/nginx.conf, the file docs/deployment.md tells operators
    # to include) overwrites the header with the peer it saw, on every
    # location that reaches the application, and the settings trust exactly
    # that proxy.
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "deploy/nginx.conf" in text
    assert "$proxy_add_x_forwarded_for" not in conf
    locations = conf.split("location ")[1:]
    proxied = [chunk for chunk in locations if "proxy_pass" in chunk]
    assert len(proxied) >= 4  # /ws/, /healthz, / and the H5P host
    for chunk in proxied:
        assert "proxy_set_header X-Forwarded-For $remote_addr;" in chunk, chunk
    assert re.search(r"^TRUSTED_PROXY_COUNT=1\b", text, re.M)
