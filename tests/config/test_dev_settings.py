"""`make run PORT=… HOST=…`: every absolute address the development
settings derive (links in mail, .ics files, QR codes and signed
credentials; the H5P origins) follows the port and host the server is
started on. The settings are imported in a child process with a chosen
environment, as `make run` starts daphne, the task worker and the
housekeepers."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.processes import PYTHON, ROOT, clean_env, random_secret_key

# Every variable that would set one of these addresses explicitly.
_EXPLICIT = ("WAGTAILADMIN_BASE_URL", "H5P_CONTENT_ORIGIN", "H5P_SITE_ORIGINS", "CSRF_TRUSTED_ORIGINS", "HOST", "PORT")

_SCRIPT = """
import json
import django
django.setup()
from django.conf import settings
from live.links import base_url
print(json.dumps({
    "WAGTAILADMIN_BASE_URL": settings.WAGTAILADMIN_BASE_URL,
    "H5P_CONTENT_ORIGIN": settings.H5P_CONTENT_ORIGIN,
    "H5P_SITE_ORIGINS": list(settings.H5P_SITE_ORIGINS),
    "CSRF_TRUSTED_ORIGINS": list(settings.CSRF_TRUSTED_ORIGINS),
    "ALLOWED_HOSTS": list(settings.ALLOWED_HOSTS),
    "live_base_url": base_url(),
}))
"""


def dev_settings(**environment: str) -> dict:
    env = {key: value for key, value in clean_env().items() if key not in _EXPLICIT}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", SECRET_KEY=random_secret_key(), **environment)
    result = subprocess.run([PYTHON, "-c", _SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("environment", "site", "content"),
    [
        ({}, "http://127.0.0.1:8000", "http://localhost:8000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123", "http://localhost:8123"),
        # Bound to every interface: browsed at the loopback address.
        ({"PORT": "8123", "HOST": "0.0.0.0"}, "http://127.0.0.1:8123", "http://localhost:8123"),
        # Browsed as localhost: the H5P player takes the other loopback name.
        ({"PORT": "8124", "HOST": "localhost"}, "http://localhost:8124", "http://127.0.0.1:8124"),
    ],
)
def test_absolute_addresses_follow_port_and_host(environment, site, content):
    found = dev_settings(**environment)
    assert found["WAGTAILADMIN_BASE_URL"] == site
    assert found["live_base_url"] == site
    assert found["H5P_SITE_ORIGINS"] == [site]
    assert found["H5P_CONTENT_ORIGIN"] == content
    assert found["H5P_CONTENT_ORIGIN"] not in found["H5P_SITE_ORIGINS"]
    for origin in (site, content):
        assert origin.split("://")[1].rsplit(":", 1)[0].strip("[]") in found["ALLOWED_HOSTS"]
    if environment.get("PORT"):
        assert ":8000" not in json.dumps(found)


def test_an_explicit_base_url_wins_and_the_player_follows_it():
    found = dev_settings(PORT="8125", WAGTAILADMIN_BASE_URL="http://bridgeline.test:8125/")
    assert found["WAGTAILADMIN_BASE_URL"] == "http://bridgeline.test:8125/"
    assert found["live_base_url"] == "http://bridgeline.test:8125"
    assert found["H5P_SITE_ORIGINS"] == ["http://bridgeline.test:8125"]
    assert found["H5P_CONTENT_ORIGIN"] == "http://localhost:8125"
