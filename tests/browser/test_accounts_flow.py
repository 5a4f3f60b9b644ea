"""A visitor becomes a user: sign up, confirm the address from the mail,
log in, switch to Dutch; and a user protects the account with an
authenticator app. Everything through the real server and a real browser."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.support.totp import find_secret, fresh_totp_code, wrong_totp_code

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-9"


def _submit(page, *, containing: str):
    """Click the submit button of the form in <main> that holds `containing`
    (the header has its own search and logout forms)."""
    page.locator("main form").filter(has=page.locator(containing)).locator("[type=submit]").first.click()


def _log_in(page, email: str, password: str, language: str = "en") -> None:
    page.goto(f"/{language}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    _submit(page, containing="input[name=password]")


def _dutch(text: str) -> str:
    with translation.override("nl"):
        translated = translation.gettext(text)
    assert translated != text, f"no Dutch translation of {text!r} in the catalogue"
    return translated


def test_sign_up_confirm_log_in_and_switch_to_dutch(page, asgi_live_server, demo_site):
    email = "new.learner@example.org"
    page.goto("/en/accounts/signup/")
    page.fill("input[name=first_name]", "Marie")
    page.fill("input[name=last_name]", "Dubois")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    _submit(page, containing="input[name=password2]")
    expect(page).to_have_url(re.compile(r"/en/accounts/confirm-email/$"))

    mail = asgi_live_server.outbox.latest(to=email)
    links = [link for link in asgi_live_server.outbox.links(mail) if "/confirm-email/" in link]
    assert links, f"no confirmation link in:\n{asgi_live_server.outbox.text(mail)}"
    assert links[0].startswith(asgi_live_server.url), links[0]

    page.goto(links[0])
    _submit(page, containing="[type=submit]")
    # Confirmed in the browser that signed up: logged in straight away, on
    # the learner dashboard.
    expect(page).to_have_url(re.compile(r"/en/learning/dashboard/$"))
    from accounts.models import User

    assert User.objects.get(email=email).get_name() == "Marie Dubois"
    page.locator("nav.account-nav button", has_text="Log out").click()
    page.goto("/en/accounts/login/")

    _log_in(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/en/learning/dashboard/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto("/en/accounts/profile/")
    expect(page.locator("input[name=first_name]")).to_have_value("Marie")
    expect(page.locator("input[name=last_name]")).to_have_value("Dubois")
    page.locator(".language-switcher button[value=nl]").click()
    expect(page).to_have_url(re.compile(r"/nl/accounts/profile/$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    # The main menu from the Dutch page tree...
    from wagtail.models import Locale, Page

    dutch_home = Page.objects.get(depth=2, locale=Locale.objects.get(language_code="nl"))
    dutch_titles = [p.title for p in dutch_home.get_children().live().in_menu()]
    english_home = dutch_home.get_translation(Locale.objects.get(language_code="en"))
    english_titles = [p.title for p in english_home.get_children().live().in_menu()]
    assert dutch_titles and dutch_titles != english_titles  # ("Partners" is Dutch too)
    # The page tree's items, then the fixed links to trainings and live sessions.
    expect(page.locator("nav.main-nav a")).to_have_text(
        dutch_titles + [_dutch("Trainings and webinars"), _dutch("Join a live session")]
    )
    # ...and the site chrome from the Dutch catalogue.
    account_nav = page.locator("nav.account-nav")
    expect(account_nav).to_contain_text(_dutch("My profile"))
    expect(account_nav).to_contain_text(_dutch("Log out"))
    expect(page.locator("nav.main-nav")).to_have_attribute("aria-label", _dutch("Main menu"))


def test_enable_totp_then_log_in_with_a_code(page, asgi_live_server, demo_people):
    from demo.people import DEMO_PASSWORD, demo_email

    email = demo_email("learner1", "GB")
    _log_in(page, email, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/en/learning/dashboard/$"))

    page.goto("/en/accounts/profile/")
    page.locator("main a[href*='/2fa/']").first.click()
    page.locator("main a[href*='totp/activate']").first.click()
    # allauth asks for the password again before a new authenticator is added.
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", DEMO_PASSWORD)
        _submit(page, containing="input[name=password]")
    expect(page).to_have_url(re.compile(r"/2fa/totp/activate/$"))
    secret = find_secret(page.content())

    # A wrong code is refused on the activation page...
    page.fill("input[name=code]", wrong_totp_code(secret))
    _submit(page, containing="input[name=code]")
    expect(page.locator("main")).to_contain_text("Incorrect code.")
    expect(page).to_have_url(re.compile(r"/2fa/totp/activate/$"))
    # ...the right one activates the authenticator.
    page.fill("input[name=code]", fresh_totp_code(secret))
    _submit(page, containing="input[name=code]")
    expect(page).not_to_have_url(re.compile(r"/2fa/totp/activate/$"))
    from allauth.mfa.models import Authenticator

    assert Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).exists()

    page.locator("nav.account-nav form [type=submit]").click()
    page.wait_for_load_state()
    page.goto("/en/accounts/profile/")
    expect(page).to_have_url(re.compile(r"/en/accounts/login/\?next="))  # logged out

    _log_in(page, email, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/$"))
    page.fill("input[name=code]", wrong_totp_code(secret))
    _submit(page, containing="input[name=code]")
    expect(page.locator("main")).to_contain_text("Incorrect code.")
    page.fill("input[name=code]", fresh_totp_code(secret))
    _submit(page, containing="input[name=code]")
    expect(page).to_have_url(re.compile(r"/en/learning/dashboard/$"))
    expect(page.locator("nav.account-nav")).to_contain_text("My profile")
