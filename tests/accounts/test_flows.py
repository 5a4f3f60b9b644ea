"""The account life cycle through allauth with the test client: sign up,
confirm, log in, log out, reset and change the password, manage email."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User

from .helpers import PASSWORD, link_in, login, make_user

pytestmark = pytest.mark.django_db


def _signup(client, *, lang: str = "en", email: str = "new@example.org", password1: str = PASSWORD, password2=None):
    return client.post(
        f"/{lang}/accounts/signup/",
        {
            "first_name": "Marie", "last_name": "Dubois",
            "email": email, "password1": password1, "password2": password2 or password1,
        },
    )


@pytest.mark.parametrize(
    ("lang", "subject"),
    [("en", "Please Confirm Your Email Address"), ("fr", "Confirmez votre adresse e-mail"), ("nl", "Bevestig je e-mailadres")],
)
def test_signup_confirm_login_profile(client, lang, subject):
    response = _signup(client, lang=lang)
    assert response.status_code == 302
    assert response["Location"] == f"/{lang}/accounts/confirm-email/"
    user = User.objects.get(email="new@example.org")
    # The account keeps the language it was created in, and the names.
    assert user.preferred_language == lang
    assert (user.first_name, user.last_name, user.full_name) == ("Marie", "Dubois", "Marie Dubois")
    assert not client.session.get("_auth_user_id"), "mandatory verification: not logged in yet"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.org"]
    assert message.subject == f"[Bridgeline] {subject}"
    confirm_path = link_in(message.body)
    assert confirm_path.startswith(f"/{lang}/accounts/confirm-email/")

    # The link shows a confirmation page; only the POST confirms (a mail
    # scanner following links must not confirm an address).
    assert client.get(confirm_path).status_code == 200
    assert not EmailAddress.objects.get(email="new@example.org").verified
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.org").verified

    response = login(client, email="new@example.org", lang=lang)
    assert response.status_code == 302
    # A learner (no membership yet) lands on the learner dashboard.
    assert response["Location"] == f"/{lang}/learning/dashboard/"
    assert client.get(response["Location"]).status_code == 200
    page = client.get(f"/{lang}/accounts/profile/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "new@example.org" in html
    assert 'value="Marie"' in html and 'value="Dubois"' in html


def test_login_before_confirming_sends_user_to_verification(client):
    _signup(client)
    mail.outbox.clear()
    response = login(client, email="new@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_logout(client, user):
    login(client, email=user.email)
    assert client.session.get("_auth_user_id") == str(user.pk)
    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_by_mail(client, user):
    response = client.post("/en/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert user.email in mail.outbox[0].to
    reset_path = link_in(mail.outbox[0].body)

    # allauth moves the key into the session and redirects to a key-less URL.
    response = client.get(reset_path, follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else reset_path
    response = client.post(form_path, {"password1": "a-new-Secret-2024", "password2": "a-new-Secret-2024"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-Secret-2024")
    assert login(client, email=user.email, password="a-new-Secret-2024").status_code == 302


def test_password_reset_for_unknown_email_does_not_reveal_it(client):
    response = client.post("/en/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302  # same outcome as for a known address
    assert response["Location"] == "/en/accounts/password/reset/done/"


def test_change_password(client, user):
    login(client, email=user.email)
    response = client.post(
        "/en/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "another-Secret-77", "password2": "another-Secret-77"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-Secret-77")


def test_change_password_with_wrong_old_password_shows_error(client, user):
    login(client, email=user.email)
    response = client.post(
        "/en/accounts/password/change/",
        {"oldpassword": "wrong", "password1": "another-Secret-77", "password2": "another-Secret-77"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'class="errorlist"' in html


def test_add_email_address(client, user):
    login(client, email=user.email)
    response = client.post("/en/accounts/email/", {"email": "second@example.org", "action_add": ""})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=user, email="second@example.org", verified=False).exists()
    assert mail.outbox[-1].to == ["second@example.org"]
    page = client.get("/en/accounts/email/").content.decode()
    assert "second@example.org" in page
    # The address radios are a labelled group.
    assert "<legend>The following email addresses are associated with your account:</legend>" in page
    assert page.count('type="radio"') == 2


# --- Wrong input gets a clear answer, never a 500 ---------------------------


def test_signup_with_existing_email_does_not_reveal_the_account(client, user):
    response = _signup(client, email=user.email)
    # Same outcome as a new address (ACCOUNT_PREVENT_ENUMERATION) ...
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/confirm-email/"
    assert User.objects.filter(email=user.email).count() == 1
    # ... and the owner is told by mail that someone tried to sign up.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[Bridgeline] Account Already Exists"


def test_signup_with_existing_email_in_other_case(client, user):
    response = _signup(client, email=user.email.upper())
    assert response.status_code == 302
    assert User.objects.filter(email__iexact=user.email).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"password1": "password123", "password2": "password123"}, "This password is too common."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"password1": "12345678901234", "password2": "12345678901234"}, "This password is entirely numeric."),
        ({"password2": "something-else-entirely"}, "You must type the same password each time."),
    ],
    ids=["malformed-email", "common-password", "short-password", "numeric-password", "mismatch"],
)
def test_signup_rejects_bad_input_with_a_clear_message(client, data, message):
    values = {
        "first_name": "Marie", "last_name": "Dubois",
        "email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD, **data,
    }
    response = client.post("/en/accounts/signup/", values)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="errorlist' in html
    assert not User.objects.filter(email="new@example.org").exists()
    assert mail.outbox == []


def test_signup_errors_are_linked_to_their_field(client):
    response = client.post("/en/accounts/signup/", {"email": "not-an-email", "password1": PASSWORD, "password2": PASSWORD})
    html = response.content.decode()
    assert 'id="id_email_error"' in html
    assert 'aria-describedby="id_email_error"' in html
    assert 'aria-invalid="true"' in html


def test_wrong_password_is_refused_clearly(client, user):
    response = login(client, email=user.email, password="not-my-password")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_created_user_without_confirmed_email_must_confirm_first(client, db):
    # A user created in the Django admin has no allauth EmailAddress yet.
    User.objects.create_user(email="staffmade@example.org", password=PASSWORD)
    response = login(client, email="staffmade@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/confirm-email/"
    assert mail.outbox and mail.outbox[0].to == ["staffmade@example.org"]


def test_second_login_user_keeps_language(client):
    make_user(email="els@example.org", language="nl")
    response = login(client, email="els@example.org", lang="en")
    assert response["Location"] == "/nl/learning/dashboard/"


# --- Names at sign-up --------------------------------------------------------


def test_signup_asks_given_and_family_name_first(client):
    html = client.get("/en/accounts/signup/").content.decode()
    positions = [html.index(f'name="{name}"') for name in ("first_name", "last_name", "email", "password1")]
    assert positions == sorted(positions)
    assert '<label for="id_first_name">Given name' in html and '<label for="id_last_name">Family name' in html
    assert 'autocomplete="given-name"' in html and 'autocomplete="family-name"' in html


def test_signup_stores_tidied_names(client):
    response = client.post(
        "/en/accounts/signup/",
        {"first_name": "  Zoë ", "last_name": "Vandenbroucke  Çelik ", "email": "zoe@example.org",
         "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="zoe@example.org")
    assert (user.first_name, user.last_name, user.get_name()) == ("Zoë", "Vandenbroucke Çelik", "Zoë Vandenbroucke Çelik")


@pytest.mark.parametrize(
    ("names", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Enter your given name."),
        ({"last_name": ""}, "last_name", "Enter your family name."),
        ({"first_name": " \t "}, "first_name", "Enter your given name."),
        ({"last_name": "\u00a0 "}, "last_name", "Enter your family name."),
        ({"first_name": "Ma\x00rie"}, "first_name", "Null characters are not allowed."),
        ({"first_name": "Ma\u202erie"}, "first_name", "invisible control characters"),
        ({"last_name": "Du\tbois"}, "last_name", "invisible control characters"),
        ({"first_name": "marie@example.org"}, "first_name", "Enter a name, not an email address."),
        ({"first_name": "M" * 81}, "first_name", "Ensure this value has at most 80 characters (it has 81)."),
        ({"last_name": "D" * 101}, "last_name", "Ensure this value has at most 100 characters (it has 101)."),
    ],
    ids=["blank-given", "blank-family", "whitespace-given", "nbsp-family", "nul", "bidi-override", "tab",
         "email", "given-too-long", "family-too-long"],
)
def test_signup_refuses_bad_names_with_a_clear_message(client, names, field, message):
    values = {"first_name": "Marie", "last_name": "Dubois", "email": "new@example.org",
              "password1": PASSWORD, "password2": PASSWORD, **names}
    response = client.post("/en/accounts/signup/", values)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert not User.objects.filter(email="new@example.org").exists()
    assert mail.outbox == []


def test_signup_errors_in_french_and_dutch(client):
    values = {"first_name": "", "last_name": "Dubois", "email": "new@example.org",
              "password1": PASSWORD, "password2": PASSWORD}
    assert "Saisissez votre prénom." in client.post("/fr/accounts/signup/", values).content.decode()
    assert "Vul uw voornaam in." in client.post("/nl/accounts/signup/", values).content.decode()
