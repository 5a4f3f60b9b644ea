"""Small builders shared by the accounts tests (the minimum data each needs)."""

from __future__ import annotations

import re
import time

from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from accounts.models import User

PASSWORD = "correct-horse-battery-9"


def make_user(*, email: str = "ana@example.org", password: str = PASSWORD, language: str = "en", **extra) -> User:
    """A user who has confirmed their email address (allauth requires it to log in)."""
    user = User.objects.create_user(email=email, password=password, preferred_language=language, **extra)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`, computed with
    allauth's own HOTP implementation."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def activate_totp(user: User) -> tuple[str, list[str]]:
    """Give `user` TOTP and recovery codes, as allauth's activation page does."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user)
    return secret, codes.get_unused_codes()


def link_in(body: str) -> str:
    """The path of the first link to the site in a mail body."""
    match = re.search(r"https?://testserver(/\S+)", body)
    assert match, body
    return match.group(1)


def login(client, *, email: str, password: str = PASSWORD, lang: str = "en", **extra):
    return client.post(f"/{lang}/accounts/login/", {"login": email, "password": password, **extra})


def reauthenticate(client, *, password: str = PASSWORD, next_path: str = "", lang: str = "en"):
    """Confirm the password again, as allauth asks before adding an authenticator."""
    query = f"?next={next_path}" if next_path else ""
    return client.post(f"/{lang}/accounts/reauthenticate/{query}", {"password": password})


def open_totp_setup(client, *, lang: str = "en"):
    """GET the TOTP activation page, reauthenticating first when allauth asks."""
    path = f"/{lang}/accounts/2fa/totp/activate/"
    response = client.get(path)
    if response.status_code == 302 and "/reauthenticate/" in response["Location"]:
        assert reauthenticate(client, next_path=path, lang=lang)["Location"] == path
        response = client.get(path)
    return response
