"""Lobby, moderation and safeguarding through the real server: admission,
the two-staff rule, removal, the word list and reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from live import joining
from live.housekeeping import content_purge
from live.models import AttendanceInterval, ChatMessage, LiveSession, Participant, Report
from tests.live.conftest import live_cookie, make_live_session, make_participant
from tests.support.live_ws import LiveSocket, eventually

pytestmark = pytest.mark.integration


def _socket(live, participant) -> LiveSocket:
    return LiveSocket(live.ws_url, participant.session_id, cookie=live_cookie(participant))


def test_lobby_waits_until_a_trainer_admits(live_ws_server):
    session = make_live_session(lobby_enabled=True)
    trainer = make_participant(session, role=Participant.Role.STAFF)
    pro = make_participant(session, role=Participant.Role.PROFESSIONAL, status=Participant.Status.LOBBY, name="Pia")
    with _socket(live_ws_server, trainer) as staff_ws, _socket(live_ws_server, pro) as pro_ws:
        staff_ws.wait_for("welcome")
        waiting = pro_ws.wait_for("lobby.waiting")
        assert waiting["you"]["status"] == "lobby"
        entered = staff_ws.wait_for("lobby.entered")
        assert entered["participant"]["name"] == "Pia"
        pro_ws.send("chat.send", text="let me in", client_id="x1")
        assert pro_ws.wait_for("error")["code"] == "not_admitted"
        staff_ws.send("chat.send", text="not for the lobby", client_id="s1")
        staff_ws.wait_for("chat.message")
        staff_ws.send("lobby.admit", participant_id=pro.pk)
        welcome = pro_ws.wait_for("welcome")
        assert welcome["you"]["status"] == "admitted"
        assert [m["text"] for m in welcome["state"]["chat"]] == ["not for the lobby"]
        staff_ws.wait_for("presence.joined", where=lambda e: e["participant"]["id"] == pro.pk)
        staff_ws.wait_for("lobby.left", participant_id=pro.pk)
        # Nothing of the room reached the lobby before the welcome.
        assert "chat.message" not in pro_ws.types()[: pro_ws.types().index("welcome")]
        pro_ws.send("chat.send", text="thanks", client_id="x2")
        assert staff_ws.wait_for("chat.message", client_id="x2")["text"] == "thanks"
    assert eventually(lambda: AttendanceInterval.objects.filter(participant=pro, ended_at__isnull=False).count() == 1)


def test_two_staff_rule_for_young_people(live_ws_server):
    session = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE, lobby_enabled=True)
    first = make_participant(session, role=Participant.Role.STAFF, name="Ann")
    second = make_participant(session, role=Participant.Role.STAFF, name="Bob")
    young = make_participant(session, status=Participant.Status.LOBBY, name="Kim")
    with _socket(live_ws_server, first) as ann, _socket(live_ws_server, young) as kim:
        ann.wait_for("welcome")
        kim.wait_for("lobby.waiting")
        ann.send("lobby.admit", participant_id=young.pk)
        error = ann.wait_for("error")
        assert error["code"] == "forbidden" and "Two trainers" in error["detail"] and error["ref"] == "lobby.admit"
        young.refresh_from_db()
        assert young.status == Participant.Status.LOBBY
        with _socket(live_ws_server, second) as bob:
            assert bob.wait_for("welcome")["state"]["staff_present"] == 2
            ann.send("lobby.admit", participant_id=young.pk)
            assert kim.wait_for("welcome")["you"]["status"] == "admitted"
        warning = ann.wait_for("staff.warning")
        assert warning["code"] == "one_staff" and warning["staff_present"] == 1
        kim.send("ping")
        kim.wait_for("pong")
        # The young person does not see the staff warning.
        assert "staff.warning" not in kim.drain()


def test_removed_participant_is_closed_and_cannot_come_back(live_ws_server):
    session = make_live_session()
    trainer = make_participant(session, role=Participant.Role.STAFF)
    guest = make_participant(session)
    other = make_participant(session)
    with _socket(live_ws_server, trainer) as staff_ws, _socket(live_ws_server, other) as other_ws:
        staff_ws.wait_for("welcome")
        other_ws.wait_for("welcome")
        guest_ws = _socket(live_ws_server, guest)
        guest_ws.wait_for("welcome")
        staff_ws.send("participant.remove", participant_id=guest.pk)
        assert guest_ws.closed_with() == 4003
        assert other_ws.wait_for("participant.removed")["participant_id"] == guest.pk
        again = _socket(live_ws_server, guest)
        assert again.closed_with() == 4003
        interval = AttendanceInterval.objects.get(participant=guest)
        assert interval.closed_by == AttendanceInterval.ClosedBy.REMOVED and interval.ended_at
        # The others carry on.
        staff_ws.send("chat.send", text="carry on", client_id="s1")
        assert other_ws.wait_for("chat.message")["text"] == "carry on"


def test_after_a_removal_new_guests_wait_in_the_lobby(live_ws_server):
    """A session without a lobby: the removed guest clears their cookies and
    joins again with another name. They now wait in the lobby, staff are
    told and admit (or remove) them with the usual lobby controls."""
    session = make_live_session(allow_guests=True, lobby_enabled=False)
    trainer = make_participant(session, role=Participant.Role.STAFF)
    guest = make_participant(session, name="Lou")
    with _socket(live_ws_server, trainer) as staff_ws:
        assert staff_ws.wait_for("welcome")["session"]["guest_lobby"] is False
        guest_ws = _socket(live_ws_server, guest)
        guest_ws.wait_for("welcome")
        staff_ws.send("participant.remove", participant_id=guest.pk)
        assert guest_ws.closed_with() == 4003
        assert staff_ws.wait_for("room.guest_lobby")["guest_lobby"] is True

        store = SessionStore()  # a browser without the old cookies
        newcomer = joining.participant_join_guest(session=session, django_session=store, display_name="Lucie", consent=False)
        store.save()
        cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
        with LiveSocket(live_ws_server.ws_url, session.pk, cookie=cookie) as new_ws:
            assert new_ws.wait_for("lobby.waiting")["you"]["status"] == "lobby"
            assert staff_ws.wait_for("lobby.entered")["participant"]["name"] == "Lucie"
            new_ws.send("chat.send", text="back again", client_id="n1")
            assert new_ws.wait_for("error")["code"] == "not_admitted"
            staff_ws.send("lobby.admit", participant_id=newcomer.pk)
            assert new_ws.wait_for("welcome")["you"]["status"] == "admitted"
        # A trainer opening the room later is told in the welcome.
        second = make_participant(session, role=Participant.Role.STAFF)
        with _socket(live_ws_server, second) as later_ws:
            assert later_ws.wait_for("welcome")["session"]["guest_lobby"] is True


def test_word_list_holds_a_message_until_staff_release_it(live_ws_server):
    session = make_live_session()
    trainer = make_participant(session, role=Participant.Role.STAFF)
    sender = make_participant(session, name="Sam")
    peer = make_participant(session, name="Pat")
    with (
        _socket(live_ws_server, trainer) as staff_ws,
        _socket(live_ws_server, sender) as sender_ws,
        _socket(live_ws_server, peer) as peer_ws,
    ):
        for ws in (staff_ws, sender_ws, peer_ws):
            ws.wait_for("welcome")
        sender_ws.send("chat.send", text="What is your PHONE-number?", client_id="h1")
        held = staff_ws.wait_for("chat.held")
        assert held["message"]["text"] == "What is your PHONE-number?" and held["message"]["status"] == "held"
        assert sender_ws.wait_for("chat.pending") ["client_id"] == "h1"
        sender_ws.send("chat.send", text="an ordinary line", client_id="h2")
        peer_ws.wait_for("chat.message", client_id="h2")
        assert "chat.held" not in peer_ws.types() and "chat.pending" not in peer_ws.types()
        assert all(e.get("client_id") != "h1" for e in peer_ws.seen)
        # A participant's sync does not return it either; staff's does.
        peer_ws.send("sync", since=0)
        assert all(e["type"] != "chat.held" for e in peer_ws.wait_for("sync.result")["events"])
        staff_ws.send("chat.release", message_id=held["message"]["id"])
        for ws in (staff_ws, sender_ws, peer_ws):
            assert ws.wait_for("chat.message", client_id="h1")["text"] == "What is your PHONE-number?"
    assert ChatMessage.objects.get(client_id="h1").status == ChatMessage.Status.POSTED


def test_report_keeps_its_context_after_the_chat_is_purged(live_ws_server):
    session = make_live_session()
    trainer = make_participant(session, role=Participant.Role.STAFF)
    author = make_participant(session, name="Alex")
    reporter = make_participant(session, name="Rue")
    with (
        _socket(live_ws_server, trainer) as staff_ws,
        _socket(live_ws_server, author) as author_ws,
        _socket(live_ws_server, reporter) as reporter_ws,
    ):
        for ws in (staff_ws, author_ws, reporter_ws):
            ws.wait_for("welcome")
        for n in range(3):
            author_ws.send("chat.send", text=f"line {n}", client_id=f"a{n}")
        target = reporter_ws.wait_for("chat.message", client_id="a1")
        reporter_ws.wait_for("chat.message", client_id="a2")
        reporter_ws.send("report.create", message_id=target["id"], reason="This made me uneasy")
        assert reporter_ws.wait_for("report.received")
        report_id = staff_ws.wait_for("report.created")["report_id"]
        assert "report.created" not in reporter_ws.types() and "report.created" not in author_ws.drain()
    report = Report.objects.get(pk=report_id)
    assert report.partner_id == session.partner_id and report.session_title == session.title
    assert report.reporter_name == "Rue" and report.target_id == author.pk
    ChatMessage.objects.update(created_at=timezone.now() - dt.timedelta(days=400))
    assert content_purge()["chatmessage"] == 3
    report.refresh_from_db()
    assert report.message_id is None
    assert report.context["message"]["text"] == "line 1" and report.context["message"]["author"] == "Alex"
    assert [m["text"] for m in report.context["before"]] == ["line 0"]
    assert [m["text"] for m in report.context["after"]] == ["line 2"]
    assert report.context["target"]["name"] == "Alex"
