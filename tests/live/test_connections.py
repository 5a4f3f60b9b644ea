"""A participant's sockets (docs/live-protocol.md, "Connecting"): at most
LIVE_MAX_SOCKETS_PER_PARTICIPANT at once, tracked in the database
(`live.models.Connection`) so every process and the housekeeper agree; the
room hears `presence.joined` / `presence.left` and attendance opens and
closes only when the participant goes from none to one socket and back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from live import housekeeping, room
from live.identity import remember_participant
from live.models import AttendanceInterval, Connection, LiveSession, Participant
from tests.live.conftest import make_live_session, make_participant

pytestmark = pytest.mark.django_db


def _guest(session: LiveSession) -> tuple[Participant, SessionStore]:
    status = Participant.Status.LOBBY if session.lobby_enabled else Participant.Status.ADMITTED
    guest = make_participant(session, status=status)
    store = SessionStore()
    remember_participant(store, guest)
    return guest, store


def _admit(session, store, channel):
    return room.socket_admission(session_id=session.pk, django_session=store, user=AnonymousUser(), channel_name=channel)


def _types(outcome) -> list[str]:
    return [e.type for e in outcome.events]


def test_a_fourth_socket_is_refused_with_4029(settings):
    session = make_live_session()
    guest, store = _guest(session)
    first, second, third = (_admit(session, store, f"c{n}") for n in range(3))
    assert [a.close_code for a in (first, second, third)] == [None, None, None]
    assert [a.first for a in (first, second, third)] == [True, False, False]
    assert Connection.objects.filter(participant=guest).count() == 3

    fourth = _admit(session, store, "c3")
    assert fourth.close_code == room.CLOSE_TOO_MANY_SOCKETS == 4029
    assert Connection.objects.filter(participant=guest).count() == 3

    # A socket that closes frees its place.
    room.participant_left(actor_id=guest.pk, channel_name="c1")
    assert _admit(session, store, "c4").close_code is None

    settings.LIVE_MAX_SOCKETS_PER_PARTICIPANT = 1
    other, other_store = _guest(session)
    assert _admit(session, other_store, "o1").close_code is None
    assert _admit(session, other_store, "o2").close_code == 4029


def test_presence_and_attendance_follow_the_first_and_the_last_socket():
    session = make_live_session()
    make_participant(session, role=Participant.Role.STAFF, channel_name="c-staff")
    guest, store = _guest(session)
    admissions = [_admit(session, store, f"c{n}") for n in range(3)]
    joined = [room.participant_joined(actor_id=guest.pk, announce=a.first) for a in admissions]
    assert [_types(o) for o in joined] == [["presence.joined"], [], []]
    assert AttendanceInterval.objects.filter(participant=guest).count() == 1

    assert room.participant_left(actor_id=guest.pk, channel_name="c0").events == []
    assert room.participant_left(actor_id=guest.pk, channel_name="c2").events == []
    guest.refresh_from_db()
    assert guest.channel_name == "c1" and guest.is_connected
    assert AttendanceInterval.objects.get(participant=guest).ended_at is None
    assert guest.pk in [p["id"] for p in room.welcome(guest)["state"]["participants"]]

    # The same socket leaving twice counts once.
    assert room.participant_left(actor_id=guest.pk, channel_name="c2").events == []
    last = room.participant_left(actor_id=guest.pk, channel_name="c1")
    assert _types(last) == ["presence.left"]
    guest.refresh_from_db()
    assert guest.channel_name == "" and not Connection.objects.filter(participant=guest).exists()
    assert AttendanceInterval.objects.get(participant=guest).ended_at is not None


def test_a_lobby_participant_is_announced_to_staff_once():
    session = make_live_session(lobby_enabled=True)
    guest, store = _guest(session)
    admissions = [_admit(session, store, f"c{n}") for n in range(2)]
    assert all(a.lobby for a in admissions)
    outcomes = [room.lobby_entered(actor_id=guest.pk, announce=a.first) for a in admissions]
    assert [_types(o) for o in outcomes] == [["lobby.entered"], []]
    assert all(o.reply["type"] == "lobby.waiting" for o in outcomes)
    assert room.participant_left(actor_id=guest.pk, channel_name="c0").events == []
    assert _types(room.participant_left(actor_id=guest.pk, channel_name="c1")) == ["lobby.left"]


def test_housekeeping_closes_only_the_dead_process_sockets():
    session = make_live_session()
    guest, store = _guest(session)
    for channel in ("dead!1", "alive!2"):
        _admit(session, store, channel)
    room.participant_joined(actor_id=guest.pk, announce=True)
    now = timezone.now()
    old = now - dt.timedelta(hours=1)
    Connection.objects.filter(channel_name="dead!1").update(last_seen_at=old)

    sessions, left = housekeeping.connections_close_stale(now=now)
    # The other tab is alive: nobody hears of it, attendance goes on.
    assert left == [] and Connection.objects.filter(participant=guest).count() == 1
    guest.refresh_from_db()
    assert guest.channel_name == "alive!2"
    assert AttendanceInterval.objects.get(participant=guest).ended_at is None

    Connection.objects.filter(channel_name="alive!2").update(last_seen_at=old)
    _, left = housekeeping.connections_close_stale(now=now)
    assert left == [guest.pk]
    guest.refresh_from_db()
    assert guest.channel_name == "" and not Connection.objects.exists()


def test_a_heartbeat_keeps_each_local_socket_alive():
    from live import attendance

    session = make_live_session()
    guest, store = _guest(session)
    _admit(session, store, "here!1")
    _admit(session, store, "there!2")
    old = timezone.now() - dt.timedelta(hours=1)
    Connection.objects.update(last_seen_at=old)
    attendance.intervals_heartbeat([guest.pk], channel_names=["here!1"])
    assert Connection.objects.get(channel_name="here!1").last_seen_at > old
    assert Connection.objects.get(channel_name="there!2").last_seen_at == old
