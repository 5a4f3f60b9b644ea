"""The live room in two browsers against the real server (daphne, the
websocket consumer, the database): a trainer and a participant waiting in
the lobby. What people type is shown as text and never runs; the page is
usable with the keyboard and passes axe."""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from live.models import AttendanceInterval, LiveSession, Participant, PollVote
from tests.live.conftest import live_cookie, make_live_session, make_participant
from tests.support.live_ws import eventually

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
PAYLOAD = "<img src=x onerror=alert(1)><script>window.__pwned=1</script>"


def _leave(contexts, session) -> None:
    """Close the browsers, then wait until the server has handled their
    disconnects (presence, attendance): its writes must not race the
    database flush that ends the test."""
    for context in contexts:
        context.close()
    settled = eventually(
        lambda: not Participant.objects.filter(session=session).exclude(channel_name="").exists()
        and not AttendanceInterval.objects.filter(session=session, ended_at__isnull=True).exists()
    )
    assert settled, "the server did not handle the disconnects"


def _enter(browser, live, participant):
    """A browser context that joined as `participant` (its session cookie),
    on the room page; dialogs and page errors are collected."""
    context = browser.new_context(base_url=live.url, locale="en-GB")
    context.set_default_timeout(15_000)
    name, _, value = live_cookie(participant).partition("=")
    context.add_cookies([{"name": name, "value": value, "url": live.url}])
    page = context.new_page()
    page.problems = []
    page.dialogs = []
    page.on("pageerror", lambda error: (page.problems.append(str(error)), print(f"{participant.display_name} error: {error}")))
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    # The socket's frames, printed when a test fails (pytest shows stdout then).
    page.on("websocket", lambda ws: (
        ws.on("framereceived", lambda frame: print(f"{participant.display_name} <- {frame}")),
        ws.on("framesent", lambda frame: print(f"{participant.display_name} -> {frame}")),
        ws.on("close", lambda _ws: print(f"{participant.display_name} socket closed")),
    ))
    page.goto(reverse("live:room", kwargs={"session_id": participant.session_id}))
    return context, page


def _axe_problems(page) -> list[str]:
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    return [f"[{v['impact']}] {v['id']}: {json.dumps([n['target'] for n in v['nodes'][:3]])}" for v in violations]


@pytest.fixture
def room(asgi_live_server):
    session = make_live_session(
        title="Talking about conspiracy myths",
        lobby_enabled=True,
        allow_guests=True,
        provider=LiveSession.Provider.NONE,
        stream_url="https://stream.example.org/live",
    )
    trainer = make_participant(session, role=Participant.Role.STAFF, name="Trainer Tom")
    guest = make_participant(session, role=Participant.Role.GUEST, name="Gita", status=Participant.Status.LOBBY)
    return session, trainer, guest


def test_lobby_admit_chat_as_text_polls_hands_and_reports(browser, asgi_live_server, room):
    session, trainer, guest = room
    staff_context, staff = _enter(browser, asgi_live_server, trainer)
    guest_context, visitor = _enter(browser, asgi_live_server, guest)
    try:
        # The guest waits; the trainer sees them in the lobby and lets them in.
        expect(visitor.get_by_role("heading", name="Waiting room")).to_be_visible()
        expect(visitor.locator("#live-status")).to_have_text(re.compile("waiting room"))
        expect(visitor.locator("#live-main")).to_be_hidden()
        staff.get_by_role("button", name="Let Gita in").click()
        expect(visitor.locator("#live-main")).to_be_visible()
        expect(visitor.locator("#live-status")).to_have_text("A trainer let you in. Welcome to the room.")
        expect(staff.locator("#live-people-list")).to_contain_text("Gita")
        expect(staff.locator("#live-people-count")).to_have_text("(2)")

        # Chat with the keyboard (Enter sends); markup arrives as text.
        visitor.locator("#live-chat-text").fill(PAYLOAD)
        visitor.locator("#live-chat-text").press("Enter")
        staff_message = staff.locator("#live-chat-log .live-msg-text", has_text="window.__pwned")
        expect(staff_message).to_have_text(PAYLOAD)
        expect(visitor.locator("#live-chat-log .live-msg-text")).to_have_text([PAYLOAD])
        expect(visitor.locator("#live-chat-log .live-msg-pending")).to_have_count(0)  # echoed: no longer pending
        expect(visitor.locator("#live-chat-text")).to_be_focused()
        for page in (staff, visitor):
            assert page.locator("#live-chat-log img, #live-chat-log script").count() == 0
            assert page.evaluate("window.__pwned") is None
            assert page.dialogs == []

        # Hands: raised by the guest, in the trainer's ordered queue.
        visitor.get_by_role("button", name="Raise hand").click()
        expect(visitor.locator("#live-hand")).to_have_attribute("aria-pressed", "true")
        expect(visitor.locator("#live-hand")).to_have_text("Lower hand")
        expect(staff.locator("#live-hand-queue li")).to_have_text([re.compile("^Gita")])
        staff.get_by_role("button", name="Lower the hand of Gita").click()
        expect(visitor.locator("#live-hand")).to_have_attribute("aria-pressed", "false")
        expect(staff.locator("#live-hand-queue li")).to_have_count(0)

        # Polls: created as a draft, opened, voted on; results as numbers and text.
        staff.locator("summary", has_text="Create a poll").click()
        staff.get_by_label("Question", exact=True).fill("Have you met this at work?")
        staff.get_by_label("Answers, one per line (2 to 10)").fill("Yes\nNo\nNot sure")
        staff.get_by_role("button", name="Create the poll").click()
        staff.get_by_role("button", name="Open the poll").click()
        poll = visitor.locator("#live-poll-list li", has_text="Have you met this at work?")
        poll.get_by_label("Not sure").check()
        poll.get_by_role("button", name="Vote").click()
        expect(poll.locator(".live-poll-thanks")).to_have_text("Thank you for voting.")
        for page in (staff, visitor):
            results = page.locator("#live-poll-list .live-poll-result")
            expect(results).to_have_count(3)
            expect(results.nth(2)).to_contain_text("Not sure")
            expect(results.nth(2).locator(".live-poll-count")).to_have_text("1 vote (100%)")
            expect(results.nth(0).locator(".live-poll-count")).to_have_text("0 votes (0%)")
        assert PollVote.objects.filter(participant=guest, option=2).count() == 1
        expect(staff.get_by_label("Question", exact=True)).to_have_value("")  # the form is ready for the next poll

        # Questions: asked, upvoted, put in the spotlight, answered.
        visitor.get_by_label("Ask a question").fill("Where can I read more?")
        visitor.get_by_label("Ask a question").press("Enter")
        question = staff.locator("#live-question-list li", has_text="Where can I read more?")
        question.get_by_role("button", name="Me too").click()
        expect(question).to_contain_text("1 vote")
        question.get_by_role("button", name="Put in the spotlight").click()
        asked = visitor.locator("#live-question-list li", has_text="Where can I read more?")
        expect(asked.locator(".live-badge-spotlight")).to_have_text("In the spotlight")
        expect(asked).to_contain_text("1 vote")
        question.get_by_role("button", name="Mark as answered").click()
        expect(asked).to_contain_text("Answered")

        # A report from the guest about the trainer's message, through the dialog.
        staff.locator("#live-chat-text").fill("Welcome, everyone")
        staff.get_by_role("button", name="Send", exact=True).click()
        message = visitor.locator("#live-chat-log li", has_text="Welcome, everyone")
        message.get_by_role("button", name="Report").click()
        dialog = visitor.locator("#live-report-dialog")
        expect(dialog).to_be_visible()
        expect(visitor.locator("#live-report-reason")).to_be_focused()
        visitor.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(message.get_by_role("button", name="Report")).to_be_focused()  # focus comes back
        message.get_by_role("button", name="Report").click()
        visitor.locator("#live-report-reason").fill("This made me uneasy")
        visitor.get_by_role("button", name="Send the report").click()
        expect(visitor.locator("#live-alerts")).to_have_text("Thank you. The trainers have received your report.")
        from live.models import Report

        report = Report.objects.get()
        assert report.reason == "This made me uneasy" and report.message.text == "Welcome, everyone"

        problems = _axe_problems(staff) + _axe_problems(visitor)
        assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)
        assert not [p for p in staff.problems + visitor.problems if "Content Security Policy" in p], staff.problems + visitor.problems
    finally:
        _leave([staff_context, guest_context], session)


def test_a_removed_participant_sees_why_and_cannot_come_back(browser, asgi_live_server, room):
    session, trainer, guest = room
    Participant.objects.filter(pk=guest.pk).update(status=Participant.Status.ADMITTED)
    staff_context, staff = _enter(browser, asgi_live_server, trainer)
    guest_context, visitor = _enter(browser, asgi_live_server, guest)
    try:
        expect(staff.locator("#live-people-list")).to_contain_text("Gita")
        staff.get_by_role("button", name="Remove Gita from the session").click()
        expect(staff.locator("#live-confirm-dialog")).to_be_visible()
        staff.locator("#live-confirm-dialog").get_by_role("button", name="Remove").click()
        expect(visitor.get_by_role("heading", name="You were removed from the session")).to_be_visible()
        expect(staff.locator("#live-people-list")).not_to_contain_text("Gita")
        # Staff are told that new guests now wait in the lobby.
        expect(staff.locator("#live-guest-lobby")).to_be_visible()
        expect(staff.locator("#live-status")).to_contain_text("new guests wait in the waiting room")
        response = visitor.goto(reverse("live:room", kwargs={"session_id": session.pk}))
        assert response.status == 403
    finally:
        _leave([staff_context, guest_context], session)


def test_reconnect_catches_up_and_resends_what_was_typed_offline(browser, asgi_live_server):
    """The guest's socket drops (closed on both sides by a Playwright route
    standing between page and server) and the page cannot reconnect for a
    while: it says so, keeps what the guest typed as pending, and once back
    it syncs the messages it missed and sends the pending one, once."""
    from live.models import ChatMessage

    session = make_live_session(provider=LiveSession.Provider.NONE)
    trainer = make_participant(session, role=Participant.Role.STAFF, name="Trainer Tom")
    guest = make_participant(session, role=Participant.Role.GUEST, name="Gita")
    network = {"up": True, "routes": []}

    def route(ws):
        if not network["up"]:
            ws.close()
            return
        server = ws.connect_to_server()
        network["routes"].append((ws, server))

    staff_context, staff = _enter(browser, asgi_live_server, trainer)
    guest_context = browser.new_context(base_url=asgi_live_server.url, locale="en-GB")
    guest_context.set_default_timeout(20_000)
    name, _, value = live_cookie(guest).partition("=")
    guest_context.add_cookies([{"name": name, "value": value, "url": asgi_live_server.url}])
    visitor = guest_context.new_page()
    visitor.route_web_socket("**/ws/live/**", route)
    try:
        visitor.goto(reverse("live:room", kwargs={"session_id": session.pk}))
        expect(visitor.locator("#live-status")).to_have_text("Connected to the room.")
        expect(staff.locator("#live-people-count")).to_have_text("(2)")

        network["up"] = False
        page_side, server_side = network["routes"][-1]
        server_side.close()
        page_side.close()
        expect(visitor.locator("#live-status")).to_have_text(re.compile("The connection was lost"))
        expect(staff.locator("#live-people-count")).to_have_text("(1)")

        visitor.locator("#live-chat-text").fill("typed while offline")
        visitor.locator("#live-chat-text").press("Enter")
        expect(visitor.locator("#live-chat-log .live-msg-pending")).to_contain_text("Sending…")
        staff.locator("#live-chat-text").fill("said while Gita was away")
        staff.locator("#live-chat-text").press("Enter")
        expect(staff.locator("#live-chat-log .live-msg-text")).to_have_text(["said while Gita was away"])

        network["up"] = True
        expect(visitor.locator("#live-status")).to_have_text("Connected to the room.", timeout=40_000)
        expect(visitor.locator("#live-chat-log .live-msg-text")).to_have_text(
            ["said while Gita was away", "typed while offline"]
        )
        expect(visitor.locator("#live-chat-log .live-msg-pending")).to_have_count(0)
        expect(staff.locator("#live-chat-log .live-msg-text")).to_have_text(
            ["said while Gita was away", "typed while offline"]
        )
        assert ChatMessage.objects.filter(author=guest, text="typed while offline").count() == 1
    finally:
        _leave([staff_context, guest_context], session)


def test_youth_session_two_staff_rule_warning_and_refusal_shown(browser, asgi_live_server):
    """With one trainer connected, a session with young people shows staff
    the warning banner, and the server's refusal to let a young person in
    appears in the alert region, in words."""
    session = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE, lobby_enabled=True, provider=LiveSession.Provider.NONE)
    trainer = make_participant(session, role=Participant.Role.STAFF, name="Trainer Tom")
    second = make_participant(session, role=Participant.Role.STAFF, name="Trainer Zoë")
    young = make_participant(session, role=Participant.Role.GUEST, name="Sami", status=Participant.Status.LOBBY)
    contexts = []
    try:
        context, staff = _enter(browser, asgi_live_server, trainer)
        contexts.append(context)
        expect(staff.locator("#live-staff-warning")).to_have_text(
            "Only one trainer is connected. Sessions with young people need at least two trainers in the room."
        )
        context, guest = _enter(browser, asgi_live_server, young)
        contexts.append(context)
        expect(guest.locator("#live-lobby")).to_be_visible()
        expect(guest.locator("#live-private-form")).to_have_count(0)  # no private chat with young people
        staff.get_by_role("button", name="Let Sami in").click()
        expect(staff.locator("#live-alerts")).to_have_text("Two trainers must be in the room before young people are let in.")
        expect(guest.locator("#live-lobby")).to_be_visible()

        context, other_staff = _enter(browser, asgi_live_server, second)
        contexts.append(context)
        expect(staff.locator("#live-staff-warning")).to_be_hidden()
        # Staff may write to each other privately.
        staff.get_by_label("To", exact=True).select_option(label="Trainer Zoë")
        staff.get_by_label("Private message").fill("I will watch the chat")
        staff.get_by_role("button", name="Send privately").click()
        expect(other_staff.locator("#live-private-log .live-msg-text")).to_have_text(["I will watch the chat"])
        staff.get_by_role("button", name="Let Sami in").click()
        expect(guest.locator("#live-main")).to_be_visible()
        expect(guest.locator("#live-people-list .live-person-name")).to_have_text(["Trainer Tom", "Trainer Zoë", "Sami"])
    finally:
        _leave(contexts, session)
