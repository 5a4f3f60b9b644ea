"""Site-wide promises, checked in-process for every language: private pages
send anonymous visitors to the login page and back, unknown language
prefixes are a 404 page (never a 500), and the public entry pages declare
the language they are written in."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

LANGUAGES = ("en", "fr", "nl")
LOGIN_REQUIRED = ("accounts:profile", "mfa_index", "account_email", "account_change_password")
HTML_LANG = re.compile(rb"<html[^>]*\blang=\"([^\"]+)\"")


def _url(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo site, built once for this module (seed_cms takes seconds)
    inside a transaction that is rolled back afterwards; each test's own
    transaction nests inside it as a savepoint."""
    from django.db import transaction
    from django.test import override_settings

    from demo.cms import seed_cms
    from demo.people import seed_people

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        with transaction.atomic():
            seed_cms(partners=seed_people())
            yield
            transaction.set_rollback(True)


@pytest.fixture
def demo_site(_seeded_once, db):
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", LOGIN_REQUIRED)
def test_private_pages_send_anonymous_visitors_to_log_in(client, name, language):
    url = _url(name, language)
    assert url.startswith(f"/{language}/")
    response = client.get(url)
    assert response.status_code == 302, (url, response.status_code)
    location = urlsplit(response["Location"])
    assert location.path == _url("account_login", language)
    assert parse_qs(location.query)["next"] == [url]


@pytest.mark.parametrize("path", ["/de/", "/xx/", "/de/accounts/login/", "/xx/about/", "/de/healthz", "/zz-ZZ/"])
def test_unknown_language_prefix_is_a_404_page(client, demo_site, path):
    # LocaleMiddleware may first redirect /de/ to /en/de/; what the visitor
    # ends on is the site's 404 page.
    response = client.get(path, follow=True)
    assert response.status_code == 404, (path, response.redirect_chain)
    assert HTML_LANG.search(response.content), "the site's own 404 page, not a bare response"
    assert b"Page not found" in response.content or b"Pagina niet gevonden" in response.content or b"Page introuvable" in response.content


@pytest.mark.parametrize("language", LANGUAGES)
def test_entry_pages_declare_their_language(client, demo_site, language):
    for path in (f"/{language}/", _url("account_login", language), _url("account_signup", language)):
        response = client.get(path)
        assert response.status_code == 200, path
        match = HTML_LANG.search(response.content)
        assert match and match.group(1).decode() == language, (path, match and match.group(1))
