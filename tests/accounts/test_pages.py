"""Every account page renders in en, fr and nl inside the site layout, with
one h1 and labelled inputs."""

from __future__ import annotations

import re

import pytest

from .helpers import login

pytestmark = pytest.mark.django_db

# allauth's own catalogue wording (allauth/locale/<lang>/LC_MESSAGES/django.po).
SIGN_IN = {"en": "Sign In", "fr": "Connexion", "nl": "Aanmelden"}
SIGN_UP = {"en": "Sign Up", "fr": "Création de compte", "nl": "Registreren"}
CHANGE_PASSWORD = {"en": "Change Password", "fr": "Modifier le mot de passe", "nl": "Wachtwoord wijzigen"}


def _assert_site_page(html: str, lang: str) -> None:
    assert f'<html lang="{lang}">' in html
    assert 'class="site-header"' in html, "extends templates/base.html"
    assert 'class="site-footer"' in html
    assert html.count("<h1") == 1
    # Every visible input has a label pointing at it.
    for input_id in re.findall(r'<input(?![^>]*type="(?:hidden|submit|search)")[^>]*\bid="([^"]+)"', html):
        assert f'for="{input_id}"' in html, input_id


@pytest.mark.parametrize("lang", ["en", "fr", "nl"])
def test_login_page(client, lang):
    html = client.get(f"/{lang}/accounts/login/").content.decode()
    _assert_site_page(html, lang)
    assert SIGN_IN[lang] in html
    assert 'class="auth-box"' in html


@pytest.mark.parametrize("lang", ["en", "fr", "nl"])
def test_signup_page(client, lang):
    html = client.get(f"/{lang}/accounts/signup/").content.decode()
    _assert_site_page(html, lang)
    assert SIGN_UP[lang] in html


@pytest.mark.parametrize("lang", ["en", "fr", "nl"])
def test_profile_page(client, user, lang):
    login(client, email=user.email, lang=lang)
    html = client.get(f"/{lang}/accounts/profile/").content.decode()
    _assert_site_page(html, lang)
    assert CHANGE_PASSWORD[lang] in html


@pytest.mark.parametrize(
    "path",
    [
        "/en/accounts/password/reset/",
        "/en/accounts/password/reset/done/",
        "/en/accounts/confirm-email/",
    ],
)
def test_public_pages(client, path):
    response = client.get(path)
    assert response.status_code == 200
    _assert_site_page(response.content.decode(), "en")


@pytest.mark.parametrize(
    "path",
    ["/en/accounts/email/", "/en/accounts/password/change/", "/en/accounts/2fa/", "/en/accounts/reauthenticate/"],
)
def test_manage_pages(client, user, path):
    login(client, email=user.email)
    response = client.get(path)
    assert response.status_code == 200
    _assert_site_page(response.content.decode(), "en")
