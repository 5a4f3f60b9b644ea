"""Periodic upkeep of live sessions (`manage.py live_housekeeping`).

- Connections of a server process that died (killed, crashed, its machine
  gone) get no more heartbeats: their attendance intervals are closed at the
  last heartbeat and they leave their rooms through
  `live.room.participant_left`, exactly as when a socket closes: the
  connection is cleared (so the two-staff count and the presence list are
  true again), a camera frees its place (`rtc.left`), the room hears
  `presence.left` (staff hear `lobby.left` for someone who was waiting) and
  staff of a session with young people hear `staff.warning` when fewer
  than two staff remain. Other intervals nobody kept alive are closed at
  their last heartbeat (`live.attendance.intervals_close_stale`).
- Sessions nobody ended are ended once their join window has closed
  (scheduled end + LIVE_JOIN_CLOSES_MINUTES): open intervals close, the
  room hears `session.ended`, and attendance is settled as when a trainer
  ends it (learning progress, attendance certificates).
- Chat messages, questions, polls with their votes and the event log older
  than LIVE_CHAT_RETENTION_DAYS are deleted. Reports keep their own copy of
  what was reported (`Report.context`), so they are untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import attendance, events, room
from .models import ChatMessage, Connection, LiveEvent, LiveSession, Participant, Poll, Question

logger = logging.getLogger(__name__)


@dataclass
class HousekeepingResult:
    sessions_with_stale: list[int] = field(default_factory=list)
    left: list[int] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)
    purged: dict[str, int] = field(default_factory=dict)


def _stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(
        seconds=2 * settings.LIVE_HEARTBEAT_SECONDS + settings.LIVE_ATTENDANCE_GRACE_SECONDS
    )


def connections_close_stale(*, now: dt.datetime | None = None) -> tuple[list[int], list[int]]:
    """Close what dead processes left open. Each socket leaves through
    `live.room.participant_left`, the same way out as a socket that closed
    (so a camera frees its place and staff of a youth session are warned),
    and the events are published after its transaction. Then any other
    interval nobody kept alive is closed at its last heartbeat. Returns
    (session ids, participant ids that left)."""
    now = now or timezone.now()
    before = _stale_before(now)
    # Sockets, not participants: one person's tab on a dead process closes
    # while their tab on a live one stays (and nobody hears of it).
    stale = list(
        Connection.objects.filter(last_seen_at__lt=before)
        .order_by("participant_id", "pk")
        .values_list("participant_id", "participant__session_id", "channel_name")
    )
    sessions, left = set(), []
    for pk, session_id, channel_name in stale:
        try:
            outcome = room.participant_left(actor_id=pk, channel_name=channel_name, stale_before=before)
            events.publish(session_id, outcome.events)
        except Exception:
            # One participant must not keep the others connected forever.
            logger.exception("live housekeeping: closing participant %s of session %s failed", pk, session_id)
            continue
        sessions.add(session_id)
        if pk not in left and not Connection.objects.filter(participant_id=pk).exists():
            left.append(pk)
    sessions.update(attendance.intervals_close_stale(now=now))
    return sorted(sessions), left


def sessions_end_overdue(*, now: dt.datetime | None = None) -> list[int]:
    """End the sessions whose join window closed without anyone ending
    them. Returns their ids."""
    from .tasks import session_attendance_settle

    now = now or timezone.now()
    closes = dt.timedelta(minutes=settings.LIVE_JOIN_CLOSES_MINUTES)
    # Every session is at most 600 minutes long: a cheap bound in SQL, the
    # exact end in Python.
    candidates = LiveSession.objects.filter(
        status=LiveSession.Status.SCHEDULED, starts_at__lt=now - closes
    ).only("pk", "starts_at", "duration_minutes")
    ended = []
    for session in candidates:
        if session.ends_at + closes > now:
            continue
        with transaction.atomic():
            updated = LiveSession.objects.filter(pk=session.pk, status=LiveSession.Status.SCHEDULED).update(
                status=LiveSession.Status.ENDED, ended_at=session.ends_at
            )
            if not updated:
                continue
            attendance.intervals_close_session(session.pk, now=now)
            Participant.objects.filter(session_id=session.pk).update(hand_raised_at=None, video_on=False)
            events.publish(session.pk, [events.event_record(session.pk, "session.ended", {})])
            session_id = session.pk
            transaction.on_commit(lambda session_id=session_id: session_attendance_settle.enqueue(session_id))
        ended.append(session.pk)
    return ended


def content_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete room content past the retention period; rows deleted per
    model (lower-case names: chatmessage, question, questionupvote, poll,
    pollvote, liveevent)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.LIVE_CHAT_RETENTION_DAYS)
    counts: dict[str, int] = {}
    with transaction.atomic():
        for model in (ChatMessage, Question, Poll, LiveEvent):
            _, deleted = model.objects.filter(created_at__lt=cutoff).delete()
            for label, number in deleted.items():
                key = label.split(".")[-1].lower()
                counts[key] = counts.get(key, 0) + number
    return counts


def housekeeping_run(*, now: dt.datetime | None = None) -> HousekeepingResult:
    sessions, left = connections_close_stale(now=now)
    ended = sessions_end_overdue(now=now)
    return HousekeepingResult(sessions_with_stale=sessions, left=left, ended=ended, purged=content_purge(now=now))
