"""live_housekeeping: stale connections of dead processes, and the purge of
old room content (reports keep their copy)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from live import room
from live.attendance import interval_open
from live.housekeeping import connections_close_stale, content_purge
from live.models import AttendanceInterval, ChatMessage, LiveEvent, Participant, Poll, PollVote, Question, Report
from tests.live.conftest import make_live_session, make_participant

pytestmark = pytest.mark.django_db


def test_stale_connections_are_closed_and_announced(settings):
    session = make_live_session()
    now = timezone.now()
    old = now - dt.timedelta(hours=1)
    gone = make_participant(session, channel_name="dead!1", last_seen_at=old)
    waiting = make_participant(session, status=Participant.Status.LOBBY, channel_name="dead!2", last_seen_at=old)
    alive = make_participant(session, channel_name="alive!3", last_seen_at=now)
    interval_open(gone, now=old)
    interval_open(alive, now=now)
    sessions, left = connections_close_stale(now=now)
    assert sessions == [session.pk] and sorted(left) == sorted([gone.pk, waiting.pk])
    assert set(Participant.objects.exclude(channel_name="").values_list("pk", flat=True)) == {alive.pk}
    closed = AttendanceInterval.objects.get(participant=gone)
    assert closed.closed_by == AttendanceInterval.ClosedBy.HEARTBEAT and closed.ended_at == old
    assert AttendanceInterval.objects.get(participant=alive).ended_at is None
    events = {(e.type, e.audience, e.payload["participant_id"]) for e in LiveEvent.objects.all()}
    assert events == {("presence.left", "all", gone.pk), ("lobby.left", "staff", waiting.pk)}
    # Nothing left to do the second time.
    assert connections_close_stale(now=now) == ([], [])


def test_purge_removes_old_content_but_not_reports(settings):
    settings.LIVE_CHAT_RETENTION_DAYS = 30
    session = make_live_session()
    staff = make_participant(session, role=Participant.Role.STAFF)
    guest = make_participant(session)
    for n in range(3):
        room.chat_send(actor_id=guest.pk, text=f"old {n}", client_id=f"o{n}")
    room.question_ask(actor_id=guest.pk, text="old?", client_id="q")
    poll = room.poll_create(actor_id=staff.pk, question="?", options=["a", "b"], client_id="p").events[0].payload["poll"]
    room.poll_open(actor_id=staff.pk, poll_id=poll["id"])
    room.poll_vote(actor_id=guest.pk, poll_id=poll["id"], option=0)
    message = ChatMessage.objects.get(client_id="o1")
    room.report_create(actor_id=staff.pk, message_id=message.pk, reason="check")
    long_ago = timezone.now() - dt.timedelta(days=31)
    for model in (ChatMessage, Question, Poll, LiveEvent):
        model.objects.update(created_at=long_ago)
    room.chat_send(actor_id=guest.pk, text="recent", client_id="r")
    counts = content_purge()
    assert (counts["chatmessage"], counts["question"], counts["poll"], counts["pollvote"]) == (3, 1, 1, 1)
    assert list(ChatMessage.objects.values_list("text", flat=True)) == ["recent"]
    assert not PollVote.objects.exists() and not Question.objects.exists()
    assert set(LiveEvent.objects.values_list("type", flat=True)) == {"chat.message"}
    report = Report.objects.get()
    assert report.message is None and report.context["message"]["text"] == "old 1"
    assert [m["text"] for m in report.context["before"]] == ["old 0"]


def test_command_runs_once_or_every_n_seconds(monkeypatch):
    from io import StringIO

    out = StringIO()
    call_command("live_housekeeping", stdout=out)
    assert "live housekeeping" in out.getvalue()

    import live.management.commands.live_housekeeping as command

    naps = []

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(command.time, "sleep", sleep)
    with pytest.raises(KeyboardInterrupt):
        call_command("live_housekeeping", "--every", "5", stdout=StringIO())
    assert naps == [5, 5, 5]


def test_sessions_nobody_ended_are_ended_and_settled_once_the_join_window_closed(settings, django_capture_on_commit_callbacks):
    from certificates.models import Certificate
    from live.housekeeping import sessions_end_overdue
    from live.models import LiveSession

    settings.LIVE_JOIN_CLOSES_MINUTES = 60
    now = timezone.now()
    overdue = make_live_session(starts_at=now - dt.timedelta(minutes=130), duration_minutes=60, certificate_min_percent=50)
    within_window = make_live_session(starts_at=now - dt.timedelta(minutes=100), duration_minutes=60)
    professional = make_participant(overdue, role=Participant.Role.PROFESSIONAL)
    AttendanceInterval.objects.create(
        session=overdue, participant=professional, started_at=overdue.starts_at,
        last_seen_at=now - dt.timedelta(seconds=5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sessions_end_overdue(now=now) == [overdue.pk]
    overdue.refresh_from_db()
    assert overdue.status == LiveSession.Status.ENDED and overdue.ended_at == overdue.ends_at
    assert not AttendanceInterval.objects.filter(session=overdue, ended_at__isnull=True).exists()
    assert LiveEvent.objects.filter(session=overdue, type="session.ended").count() == 1
    # Settled as if a trainer had ended it: the attendance certificate follows.
    assert Certificate.objects.filter(holder=professional.user, session_id=overdue.pk).count() == 1
    within_window.refresh_from_db()
    assert within_window.status == LiveSession.Status.SCHEDULED
    assert sessions_end_overdue(now=now) == []  # once


# --- Surviving errors (issue #13) ----------------------------------------------------


def _every(monkeypatch, runs, *, naps_before_stop=3):
    """Run `live_housekeeping --every 5` with `housekeeping_run` replaced by
    `runs` (called in turn) until the third nap; return the naps."""
    from io import StringIO

    import live.management.commands.live_housekeeping as command

    calls = iter(runs)
    naps = []

    def sleep(seconds):
        naps.append(seconds)
        if sum(nap != "reconnect" for nap in naps) == naps_before_stop:
            raise KeyboardInterrupt

    monkeypatch.setattr(command, "housekeeping_run", lambda: next(calls)())
    monkeypatch.setattr(command.time, "sleep", sleep)
    # (Closing the test's connection would end its transaction.)
    monkeypatch.setattr(command, "close_old_connections", lambda: naps.append("reconnect"))
    with pytest.raises(KeyboardInterrupt):
        call_command("live_housekeeping", "--every", "5", stdout=StringIO())
    return naps


def _fails():
    raise RuntimeError("database went away")


def _works():
    from live.housekeeping import HousekeepingResult

    return HousekeepingResult()


def test_every_loop_logs_an_error_backs_off_and_goes_on(monkeypatch, caplog):
    naps = _every(monkeypatch, [_fails, _works, _works])
    # One failure: a fresh database connection and twice the pause; then
    # back to every 5 seconds.
    assert naps == ["reconnect", 10, 5, 5]
    failed = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(failed) == 1 and failed[0].exc_info and "database went away" in str(failed[0].exc_info[1])


def test_every_loop_backs_off_doubling_up_to_a_cap(monkeypatch):
    import live.management.commands.live_housekeeping as command

    monkeypatch.setattr(command, "BACKOFF_CAP_SECONDS", 30)
    naps = _every(monkeypatch, [_fails] * 5 + [_works, _fails], naps_before_stop=7)
    assert naps == ["reconnect", 10, "reconnect", 20, "reconnect", 30, "reconnect", 30, "reconnect", 30, 5, "reconnect", 10]


def test_every_loop_still_stops_on_keyboard_interrupt_and_system_exit(monkeypatch):
    from io import StringIO

    import live.management.commands.live_housekeeping as command

    for stop in (KeyboardInterrupt, SystemExit):
        def run(stop=stop):
            raise stop()

        monkeypatch.setattr(command, "housekeeping_run", run)
        monkeypatch.setattr(command.time, "sleep", lambda seconds: pytest.fail("slept after %s" % stop))
        with pytest.raises(stop):
            call_command("live_housekeeping", "--every", "5", stdout=StringIO())


def test_a_single_run_still_fails_loudly(monkeypatch):
    import live.management.commands.live_housekeeping as command

    monkeypatch.setattr(command, "housekeeping_run", _fails)
    with pytest.raises(RuntimeError):
        call_command("live_housekeeping")


# --- One way out: a dead process's socket closes like a disconnect (issue #13) ----------


def _youth_room_with_a_trainer_on_camera(*, last_seen_at):
    """A youth session with two trainers connected; the first has its
    camera on and was last seen at `last_seen_at`."""
    from live.models import LiveSession

    session = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE)
    leaving = make_participant(
        session, role=Participant.Role.STAFF, channel_name=f"dead!{session.pk}", last_seen_at=last_seen_at, video_on=True
    )
    staying = make_participant(session, role=Participant.Role.STAFF, channel_name=f"alive!{session.pk}", last_seen_at=timezone.now())
    interval_open(leaving, now=last_seen_at)
    interval_open(staying)
    return session, leaving, staying


def _wire(recorded, leaving, staying):
    """Events as (type, audience, payload) with the participants' ids named,
    so that two rooms can be compared."""
    names = {leaving.pk: "leaving", staying.pk: "staying"}
    out = []
    for e in recorded:
        payload = {k: names.get(v, v) if k == "participant_id" else v for k, v in e.payload.items()}
        out.append((e.type, e.audience, payload))
    return out


def test_housekeeping_closes_a_dead_socket_with_the_same_events_as_a_disconnect(monkeypatch):
    import live.housekeeping as housekeeping

    now = timezone.now()
    old = now - dt.timedelta(hours=1)

    # A normal disconnect (what the consumer calls).
    session, leaving, staying = _youth_room_with_a_trainer_on_camera(last_seen_at=now)
    disconnect = _wire(room.participant_left(actor_id=leaving.pk, channel_name=leaving.channel_name).events, leaving, staying)
    assert disconnect == [
        ("rtc.left", "all", {"participant_id": "leaving"}),
        ("presence.left", "all", {"participant_id": "leaving"}),
        ("staff.warning", "staff", {"code": "one_staff", "staff_present": 1}),
    ]

    # The same room whose trainer's server process died.
    session, leaving, staying = _youth_room_with_a_trainer_on_camera(last_seen_at=old)
    published, lifecycle = [], []
    monkeypatch.setattr(housekeeping.events, "publish", lambda session_id, recorded: published.append((session_id, list(recorded))))
    real_left = room.participant_left

    def participant_left(**kwargs):
        lifecycle.append(kwargs["actor_id"])
        return real_left(**kwargs)

    monkeypatch.setattr(room, "participant_left", participant_left)
    sessions, left = connections_close_stale(now=now)
    assert sessions == [session.pk] and left == [leaving.pk]
    assert lifecycle == [leaving.pk]  # one way out
    assert [s for s, _ in published] == [session.pk]
    assert _wire(published[0][1], leaving, staying) == disconnect
    leaving.refresh_from_db()
    assert leaving.channel_name == "" and leaving.video_on is False  # its camera's place is free
    # Its attendance still ends at its last heartbeat, not now.
    closed = AttendanceInterval.objects.get(participant=leaving)
    assert closed.closed_by == AttendanceInterval.ClosedBy.HEARTBEAT and closed.ended_at == old
    assert AttendanceInterval.objects.get(participant=staying).ended_at is None


def test_housekeeping_leaves_a_socket_alone_that_came_back_meanwhile():
    now = timezone.now()
    old = now - dt.timedelta(hours=1)
    session, leaving, staying = _youth_room_with_a_trainer_on_camera(last_seen_at=old)
    # A heartbeat arrives between housekeeping's look and its close.
    assert room.participant_left(actor_id=leaving.pk, channel_name=leaving.channel_name, stale_before=old).events == []
    leaving.refresh_from_db()
    assert leaving.channel_name != "" and leaving.video_on is True
