"""Two-factor authentication through allauth: activating TOTP on our setup
page, then logging in with a TOTP code or a recovery code."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

from .helpers import activate_totp, login, open_totp_setup, reauthenticate, totp_code

pytestmark = pytest.mark.django_db


def test_activate_totp_page_shows_qr_code_and_secret(client, user):
    login(client, email=user.email)
    response = open_totp_setup(client)
    assert response.status_code == 200
    html = response.content.decode()
    secret = client.session[SECRET_SESSION_KEY]
    assert 'src="data:image/svg+xml;base64,' in html
    # The QR code is described in words, not by the secret.
    assert f'alt="{secret}"' not in html
    assert 'alt="QR code to add Bridgeline to your authenticator app.' in html
    # The secret for manual entry, labelled, with its help text linked.
    assert f'value="{secret}"' in html
    assert '<label for="authenticator_secret">' in html
    assert 'aria-describedby="authenticator_secret_helptext"' in html
    assert "otpauth://totp/" in html
    assert html.count("<h1") == 1


def test_activate_totp_then_log_in_with_a_code(client, user):
    login(client, email=user.email)
    open_totp_setup(client)
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/en/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    # allauth creates recovery codes with TOTP and shows them once.
    assert response["Location"] == "/en/accounts/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    recovery_page = client.get(response["Location"])
    assert recovery_page.status_code == 200
    assert '<label for="recovery_codes">' in recovery_page.content.decode()

    client.post("/en/accounts/logout/")
    response = login(client, email=user.email)
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session, "the password alone does not log in"
    page = client.get("/en/accounts/2fa/authenticate/")
    assert page.status_code == 200
    assert 'for="id_code"' in page.content.decode()

    response = client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/en/learning/dashboard/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_activation_asks_for_the_password_again(client, user):
    login(client, email=user.email)
    response = client.get("/en/accounts/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/reauthenticate/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.content.decode().count("<h1") == 1
    assert reauthenticate(client, password="wrong").status_code == 200
    response = reauthenticate(client, next_path="/en/accounts/2fa/totp/activate/")
    assert response["Location"] == "/en/accounts/2fa/totp/activate/"
    assert client.get(response["Location"]).status_code == 200


def test_activation_with_wrong_code_is_refused(client, user):
    login(client, email=user.email)
    open_totp_setup(client)
    response = client.post("/en/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()


def test_wrong_totp_code_is_refused_clearly(client, user):
    secret, _codes = activate_totp(user)
    login(client, email=user.email)
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    response = client.post("/en/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Incorrect code." in html
    assert 'aria-invalid="true"' in html
    assert "_auth_user_id" not in client.session


def test_log_in_with_a_recovery_code_once(client, user):
    _secret, codes = activate_totp(user)
    login(client, email=user.email)
    response = client.post("/en/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    # A recovery code works once.
    client.post("/en/accounts/logout/")
    login(client, email=user.email)
    response = client.post("/en/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_totp_login_goes_to_preferred_language(client, user):
    user.preferred_language = "fr"
    user.save()
    secret, _codes = activate_totp(user)
    login(client, email=user.email, lang="en")
    response = client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response["Location"] == "/fr/learning/dashboard/"
    assert response.cookies["bl_language"].value == "fr"


def test_two_factor_index_page(client, user):
    login(client, email=user.email)
    response = client.get("/en/accounts/2fa/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'href="/en/accounts/2fa/totp/activate/"' in html
