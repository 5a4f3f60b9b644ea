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
