"""Who may open what, where logins may send people, and allauth's rate limits."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import get_resolver, reverse

from .helpers import PASSWORD, activate_totp, login, totp_code

pytestmark = pytest.mark.django_db

# Every account page that shows or changes something of a logged-in user.
LOGIN_REQUIRED = [
    "accounts:profile",
    "account_email",
    "account_change_password",
    "account_set_password",
    "account_reauthenticate",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
]
# Pages meant for people who are not logged in (or who are logging in).
PUBLIC = [
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_email_verification_sent",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_confirm_login_code",
    "mfa_authenticate",
]


def _account_view_names() -> set[str]:
    """Every named view under /<lang>/accounts/, so a new one cannot be added
    without deciding here whether it needs a login."""
    names = set()

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, ns)
            elif route.startswith("en/accounts/") and pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_account_view_is_classified():
    assert _account_view_names() == set(LOGIN_REQUIRED) | set(PUBLIC)


@pytest.mark.parametrize("name", LOGIN_REQUIRED)
def test_login_required_pages_send_anonymous_users_to_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/en/accounts/login/"
    assert parse_qs(location.query)["next"] == [url]


def test_next_to_another_host_is_ignored_after_login(client, user):
    response = login(client, email=user.email, next="https://evil.example/steal")
    assert response.status_code == 302
    assert response["Location"] == "/en/learning/dashboard/"


@pytest.mark.parametrize("evil", ["//evil.example/", "https://evil.example/", "http:evil.example", "/\\evil.example"])
def test_next_in_query_string_to_another_host_is_ignored(client, user, evil):
    response = client.post(f"/en/accounts/login/?next={evil}", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/learning/dashboard/"


def test_next_to_another_host_is_ignored_after_two_factor(client, user):
    secret, _codes = activate_totp(user)
    login(client, email=user.email, next="https://evil.example/")
    response = client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response["Location"] == "/en/learning/dashboard/"


def test_next_on_site_is_followed_and_moved_to_the_users_language(client, user):
    user.preferred_language = "nl"
    user.save()
    response = login(client, email=user.email, next="/en/accounts/email/?tab=1")
    assert response["Location"] == "/nl/accounts/email/?tab=1"


def test_next_without_language_prefix_is_kept(client, user):
    response = login(client, email=user.email, next="/django-admin/")
    assert response["Location"] == "/django-admin/"


def test_login_sets_language_cookie(client, user, settings):
    user.preferred_language = "fr"
    user.save()
    response = login(client, email=user.email, lang="nl")
    assert response["Location"] == "/fr/learning/dashboard/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_repeated_failed_logins_lock_the_account_for_a_while(client, user):
    # ACCOUNT_RATE_LIMITS["login_failed"]: 5 failures per 5 minutes per email.
    for _ in range(5):
        response = login(client, email=user.email, password="wrong-guess")
        assert response.status_code == 200
    response = login(client, email=user.email)  # even the right password
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_too_many_login_requests_get_429(client, user, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    for _ in range(3):
        assert login(client, email=user.email, password="wrong-guess").status_code == 200
    response = login(client, email=user.email, password="wrong-guess")
    assert response.status_code == 429
    assert "<h1>" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("count", "real", "forged"),
    [
        (0, {"REMOTE_ADDR": "203.0.113.7"}, ["1.2.3.4", "10.0.0.1, 1.2.3.4"]),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"},
         ["1.2.3.4, 203.0.113.7", "1.2.3.4,5.6.7.8, 203.0.113.7"]),
    ],
)
def test_a_forged_forwarded_for_does_not_reset_the_login_limit(client, user, settings, count, real, forged):
    def login(client, *, email, password, **meta):
        return client.post("/en/accounts/login/", {"login": email, "password": password}, **meta)

    settings.TRUSTED_PROXY_COUNT = count
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    for _ in range(3):
        assert login(client, email=user.email, password="wrong-guess", **real).status_code == 200
    for header in forged:
        extra = {"REMOTE_ADDR": real["REMOTE_ADDR"], "HTTP_X_FORWARDED_FOR": header}
        assert login(client, email=user.email, password="wrong-guess", **extra).status_code == 429
    if count:
        other = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.9"}
        assert login(client, email=user.email, password="wrong-guess", **other).status_code == 200


def test_signed_in_message_is_in_the_users_language(client, user):
    user.preferred_language = "nl"
    user.save()
    response = login(client, email=user.email, lang="en")
    page = client.get(response["Location"]).content.decode()
    assert f"Je bent nu ingelogd als {user.email}." in page


@pytest.mark.django_db
def test_wagtail_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")
    assert "next=/admin/" in response["Location"]
    # The admin itself sends anonymous editors to the same place.
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
