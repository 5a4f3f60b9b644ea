"""The profile page: who I am, where I belong, my language."""

from __future__ import annotations

import pytest

from accounts import services
from partners.services import membership_set

from accounts.models import User
from accounts.signals import names_changed

from .helpers import login, make_user

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
    assert '<label for="id_first_name">' in html and '<label for="id_last_name">' in html
    assert 'autocomplete="given-name"' in html and 'autocomplete="family-name"' in html
    assert '<label for="id_preferred_language">' in html
    assert html.count("<h1") == 1


def test_profile_without_membership_says_so(client, user):
    login(client, email=user.email)
    assert "not yet a member of a partner organisation" in client.get("/en/accounts/profile/").content.decode()


def test_saving_language_switches_the_site_to_it(client, user, settings):
    login(client, email=user.email)
    response = client.post(
        "/en/accounts/profile/", {"first_name": "  Ana ", "last_name": " Peeters", "preferred_language": "nl"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/nl/accounts/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.preferred_language) == ("Ana", "Peeters", "nl")
    assert user.full_name == "Ana Peeters"

    page = client.get(response["Location"])
    html = page.content.decode()
    assert '<html lang="nl">' in html
    # allauth's Dutch wording for the profile links and the save button.
    assert "Wachtwoord wijzigen" in html
    assert "Twee-factor-authenticatie" in html
    assert "Opslaan" in html


def test_invalid_language_is_refused(client, user):
    login(client, email=user.email)
    response = client.post("/en/accounts/profile/", {"first_name": "Ana", "last_name": "Peeters", "preferred_language": "de"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_profile_update_service_validates(user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.profile_update(user=user, first_name="x" * 81, last_name="Peeters", preferred_language="en")
    with pytest.raises(ValidationError):
        services.profile_update(user=user, first_name="Ana", last_name="Pee\tters", preferred_language="en")
    with pytest.raises(ValidationError):
        services.profile_update(user=user, first_name=" ", last_name="Peeters", preferred_language="en")
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("", "")


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


# --- Names ---------------------------------------------------------------------


def _save(client, **values):
    data = {"first_name": "Ana", "last_name": "Peeters", "preferred_language": "en", **values}
    return client.post("/en/accounts/profile/", data)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Enter your given name."),
        ({"last_name": "   "}, "last_name", "Enter your family name."),
        ({"first_name": "Ana\u200b"}, "first_name", "invisible control characters"),
        ({"last_name": "Pee\nters"}, "last_name", "invisible control characters"),
        ({"first_name": "ana@example.org"}, "first_name", "not an email address"),
        ({"first_name": "A" * 81}, "first_name", "at most 80 characters"),
        ({"last_name": "P" * 101}, "last_name", "at most 100 characters"),
    ],
    ids=["blank-given", "whitespace-family", "zero-width-space", "line-break", "email", "given-too-long", "family-too-long"],
)
def test_profile_refuses_bad_names_with_a_clear_message(client, user, values, field, message):
    login(client, email=user.email)
    response = _save(client, **values)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("", "")


def test_profile_tidies_spaces_and_keeps_joiners(client, user):
    login(client, email=user.email)
    # A non-breaking space inside a name becomes a plain one; the zero-width
    # non-joiner some scripts need inside a word stays.
    assert _save(client, first_name=" Mehr\u200cnaz ", last_name="van\u00a0 den  Berg").status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Mehr\u200cnaz", "van den Berg")


def test_saving_names_tells_the_apps_above_once(client, user):
    received = []

    def receiver(sender, *, user, **kwargs):
        received.append(user.get_name())

    names_changed.connect(receiver)
    try:
        login(client, email=user.email)
        _save(client)
        _save(client, preferred_language="fr")  # the names did not change
    finally:
        names_changed.disconnect(receiver)
    assert received == ["Ana Peeters"]


def test_an_account_from_before_the_names_sees_its_one_field_name_split(client, db):
    old = make_user(email="old@example.org")
    User.objects.filter(pk=old.pk).update(full_name="Noor van den Berg")
    login(client, email=old.email)
    html = client.get("/en/accounts/profile/").content.decode()
    assert 'value="Noor"' in html and 'value="van den Berg"' in html


def test_next_brings_the_person_back_in_their_language(client, user):
    login(client, email=user.email)
    page = client.get("/en/accounts/profile/?next=/en/certificates/mine/")
    html = page.content.decode()
    assert '<input type="hidden" name="next" value="/en/certificates/mine/">' in html
    assert "autofocus" in html  # no name yet: the cursor starts in the given name
    response = _save(client, preferred_language="nl", next="/en/certificates/mine/")
    assert response["Location"] == "/nl/certificates/mine/"


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_next_to_another_host_is_ignored(client, user, evil):
    login(client, email=user.email)
    assert 'name="next"' not in client.get(f"/en/accounts/profile/?next={evil}").content.decode()
    assert _save(client, next=evil)["Location"] == "/en/accounts/profile/"


def test_user_names(db):
    user = User.objects.create_user(email="marie.dubois@example.org", first_name="Marie", last_name="Dubois")
    assert (user.full_name, user.get_name(), user.get_full_name(), user.get_short_name(), str(user)) == (
        "Marie Dubois", "Marie Dubois", "Marie Dubois", "Marie", "Marie Dubois"
    )
    nameless = User.objects.create_user(email="ux.learner@example.org")
    assert not nameless.has_name and nameless.get_name() == ""
    # The admin and the trainer's own pages may show the address; get_name never does.
    assert nameless.get_full_name() == "ux.learner@example.org"
    user.last_name = "Dubois-Martin"
    user.save(update_fields=["last_name"])
    user.refresh_from_db()
    assert user.full_name == "Marie Dubois-Martin"
