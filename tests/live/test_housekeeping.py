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
