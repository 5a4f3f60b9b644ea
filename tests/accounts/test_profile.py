"""The profile page: who I am, where I belong, my language."""

from __future__ import annotations

import pytest

from accounts import services
from partners.services import membership_set

from .helpers import login

pytestmark = pytest.mark.django_db


def test_profile_shows_account_memberships_and_links(client, user, partner):
    membership_set(user=user, partner=partner, role="trainer")
    login(client, email=user.email)
    response = client.get("/en/accounts/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert user.email in html
    assert "Trainer at Kennisplatform (Netherlands)" in html
    for href in ["/en/accounts/email/", "/en/accounts/password/change/", "/en/accounts/2fa/"]:
        assert f'href="{href}"' in html
    # Languages are offered in their own names.
    for name in ["English", "français", "Nederlands"]:
        assert name in html
    assert '<label for="id_full_name">' in html
    assert '<label for="id_preferred_language">' in html
    assert html.count("<h1") == 1


def test_profile_without_membership_says_so(client, user):
    login(client, email=user.email)
    assert "not yet a member of a partner organisation" in client.get("/en/accounts/profile/").content.decode()


def test_saving_language_switches_the_site_to_it(client, user, settings):
    login(client, email=user.email)
    response = client.post("/en/accounts/profile/", {"full_name": "  Ana Peeters ", "preferred_language": "nl"})
    assert response.status_code == 302
    assert response["Location"] == "/nl/accounts/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language) == ("Ana Peeters", "nl")

    page = client.get(response["Location"])
    html = page.content.decode()
    assert '<html lang="nl">' in html
    # allauth's Dutch wording for the profile links and the save button.
    assert "Wachtwoord wijzigen" in html
    assert "Twee-factor-authenticatie" in html
    assert "Opslaan" in html


def test_invalid_language_is_refused(client, user):
    login(client, email=user.email)
    response = client.post("/en/accounts/profile/", {"full_name": "Ana", "preferred_language": "de"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_profile_update_service_validates(user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.profile_update(user=user, full_name="x" * 200, preferred_language="en")


@pytest.mark.parametrize(
    ("url", "language", "expected"),
    [
        ("/en/accounts/profile/", "nl", "/nl/accounts/profile/"),
        ("/fr/accounts/email/?a=1#x", "en", "/en/accounts/email/?a=1#x"),
        ("/nl/accounts/profile/", "nl", "/nl/accounts/profile/"),
        ("/django-admin/", "fr", "/django-admin/"),
        ("https://evil.example/en/accounts/profile/", "nl", "https://evil.example/en/accounts/profile/"),
        ("//evil.example/en/", "nl", "//evil.example/en/"),
    ],
)
def test_url_in_language(url, language, expected):
    assert services.url_in_language(url=url, language=language) == expected
