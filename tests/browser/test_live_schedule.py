"""A trainer schedules a live session through the form in the browser, on
the real server; the session page passes axe-core (no serious or critical
violations); the join-by-code page passes axe and works with the keyboard
alone, up to the guest's name and the room."""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_h5p_player import log_in
from tests.support.live_ws import eventually

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
MAX_TABS = 60


def _axe_problems(page) -> list[str]:
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    return [f"{page.url} [{v['impact']}] {v['id']}: {json.dumps([n['target'] for n in v['nodes'][:3]])}" for v in violations]


@pytest.fixture
def trainer(asgi_live_server):
    from accounts.models import User
    from partners.models import Membership, Partner, Role

    partner = Partner.objects.create(name="Preventiecentrum Gent", slug="gent", country="BE", default_language="nl")
    user = User.objects.create_user(email="anna@example.org", password="correct-horse-battery-9", full_name="Anna Peeters")
    Membership.objects.create(user=user, partner=partner, role=Role.TRAINER)
    return user


def _focus_by_tabbing(page, selector: str) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_a_trainer_schedules_a_session_and_a_guest_joins_by_keyboard(page, context, browser, asgi_live_server, trainer):
    from live.models import LiveSession, Participant

    log_in(context, asgi_live_server, trainer)
    problems: list[str] = []

    page.goto("/en/live/sessions/")
    page.get_by_role("link", name="Schedule a session").click()
    problems += _axe_problems(page)
    page.get_by_label("Title").fill("Webinar: talking about grievances")
    page.get_by_label("Starts at").fill("2030-07-01T18:30")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Partner organisation").select_option(label="Preventiecentrum Gent (BE)")
    page.get_by_label("Anna Peeters").check()
    page.get_by_label("Guests may join with the code (display name only)").check()
    page.get_by_label("Lobby: participants wait until a trainer admits them").uncheck()
    page.get_by_role("button", name="Schedule the session").click()

    expect(page.locator("h1")).to_have_text("Webinar: talking about grievances")
    session = LiveSession.objects.get()
    assert session.starts_at.isoformat() == "2030-07-01T17:30:00+00:00"
    expect(page.locator("#join-code")).to_have_text(session.join_code_display)
    expect(page.get_by_role("link", name="Open the room")).to_be_visible()
    expect(page.get_by_role("button", name="Copy the code")).to_be_visible()  # shown by the script
    problems += _axe_problems(page)

    # The session opens in the join window: move it to now for the guest.
    from django.utils import timezone

    LiveSession.objects.filter(pk=session.pk).update(starts_at=timezone.now())

    guest_context = browser.new_context(base_url=asgi_live_server.url, locale="en-GB")
    try:
        guest = guest_context.new_page()
        guest.goto("/en/live/join/")
        problems += _axe_problems(guest)
        _focus_by_tabbing(guest, "#id_code")
        guest.keyboard.type(session.join_code_display.lower())
        guest.keyboard.press("Enter")
        expect(guest.locator("h1")).to_contain_text("Join “Webinar: talking about grievances”")
        problems += _axe_problems(guest)
        _focus_by_tabbing(guest, "#id_display_name")
        guest.keyboard.type("Lou Martin")
        guest.keyboard.press("Enter")
        guest.wait_for_url(re.compile(rf"/en/live/{session.pk}/room/"))
        # Welcomed: the join has been recorded. Closing the page before that
        # would leave the socket's arrival to race the departure check below.
        expect(guest.locator("#live-room")).to_have_attribute("data-state", "open", timeout=15_000)
    finally:
        guest_context.close()
    # The server records the guest's departure after the page has closed:
    # wait for it, or emptying the tables after the test races its writes
    # (PostgreSQL then reports a deadlock), as `live_ws_server` does.
    from live.models import Connection

    assert eventually(lambda: not Connection.objects.filter(participant__session=session).exists(), timeout=15)
    assert eventually(lambda: not Participant.objects.filter(session=session).exclude(channel_name="").exists(), timeout=15)
    participant = Participant.objects.get(session=session)
    assert (participant.display_name, participant.role, participant.user_id) == ("Lou Martin", "guest", None)
    assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)


def test_a_wrong_code_is_announced(page, asgi_live_server):
    page.goto("/en/live/join/")
    _focus_by_tabbing(page, "#id_code")
    page.keyboard.type("ZZZZ-ZZZZ")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("This code is not valid or the session is not open now.")
    assert not _axe_problems(page)


def test_a_link_opened_early_waits_and_goes_in_when_the_room_opens(browser, asgi_live_server):
    """Opened a few seconds before the room opens, in a browser in another
    time zone: the page names the session, gives the start in the visitor's
    time, and then takes them to the guest's name form by itself."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from tests.live.conftest import make_live_session

    session = make_live_session(
        title="Evening webinar", allow_guests=True, time_zone="Europe/Brussels",
        starts_at=timezone.now() + dt.timedelta(minutes=settings.LIVE_JOIN_OPENS_MINUTES, seconds=6),
    )
    context = browser.new_context(base_url=asgi_live_server.url, locale="en-GB", timezone_id="America/New_York")
    context.set_default_timeout(20_000)
    refused: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
        page.goto(f"/en/live/j/{session.join_code}/")
        expect(page.locator("#join-not-open h2")).to_have_text("Evening webinar")
        local = page.locator("#join-local-time")
        expect(local).to_be_visible()
        expect(local).to_contain_text("America/New_York")
        expect(page.locator("#join-wait-note")).to_be_visible()
        assert not _axe_problems(page)
        # No click: the page goes to the link when the room opens (6 s after
        # the session was made; `expect` waits 5 s unless told otherwise).
        expect(page.locator('input[name="display_name"]')).to_be_visible(timeout=30_000)
        assert "/live/j/" in page.url
    finally:
        context.close()
    assert not refused, refused
