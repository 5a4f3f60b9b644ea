"""Attendance recorded by the server from the websocket lifecycle.

- `interval_open` when an admitted participant's socket connects: a
  reconnect within LIVE_ATTENDANCE_GRACE_SECONDS of the last sign of life
  continues the previous interval (one interval, no double counting).
- `intervals_heartbeat` every LIVE_HEARTBEAT_SECONDS for the sockets a
  process holds (one UPDATE for all of them).
- `interval_close` on disconnect, removal or the end of the session.
- `interval_close_at_last_heartbeat` when housekeeping closes the socket of
  a process that died (`live.room.participant_left`), and
  `intervals_close_stale` (periodic, live_housekeeping) for any other
  interval nobody kept alive: closed at their last heartbeat.

Minutes present are the intervals clipped to the scheduled time; a trainer's
`AttendanceCorrection` (latest wins, all logged) replaces the computed value.
Nothing here trusts the client: times are the server's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import AttendanceCorrection, AttendanceInterval, Connection, LiveSession, Participant


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=settings.LIVE_ATTENDANCE_GRACE_SECONDS)


def _stale_after() -> dt.timedelta:
    # Two missed heartbeats: the process holding the socket is gone.
    return dt.timedelta(seconds=2 * settings.LIVE_HEARTBEAT_SECONDS)


@transaction.atomic
def interval_open(participant: Participant, *, now: dt.datetime | None = None) -> AttendanceInterval:
    """Idempotent: an open interval that is still alive is reused."""
    now = now or timezone.now()
    last = (
        AttendanceInterval.objects.select_for_update()
        .filter(participant=participant)
        .order_by("-started_at", "-pk")
        .first()
    )
    if last is not None:
        if last.ended_at is None:
            if now - last.last_seen_at <= _grace() + _stale_after():
                last.last_seen_at = now
                last.save(update_fields=["last_seen_at"])
                return last
            last.ended_at = last.last_seen_at
            last.closed_by = AttendanceInterval.ClosedBy.HEARTBEAT
            last.save(update_fields=["ended_at", "closed_by"])
        elif now - last.ended_at <= _grace():
            last.ended_at = None
            last.closed_by = ""
            last.last_seen_at = now
            last.save(update_fields=["ended_at", "closed_by", "last_seen_at"])
            return last
    return AttendanceInterval.objects.create(
        session_id=participant.session_id, participant=participant, started_at=now, last_seen_at=now
    )


def interval_close(participant_id: int, *, closed_by: str, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return AttendanceInterval.objects.filter(participant_id=participant_id, ended_at__isnull=True).update(
        ended_at=now, last_seen_at=now, closed_by=closed_by
    )


def interval_close_at_last_heartbeat(participant_id: int) -> int:
    """Close a participant's open interval at its last heartbeat: its server
    process died, so nothing after that moment is known."""
    return AttendanceInterval.objects.filter(participant_id=participant_id, ended_at__isnull=True).update(
        ended_at=F("last_seen_at"), closed_by=AttendanceInterval.ClosedBy.HEARTBEAT
    )


def intervals_close_session(session_id: int, *, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return AttendanceInterval.objects.filter(session_id=session_id, ended_at__isnull=True).update(
        ended_at=now, last_seen_at=now, closed_by=AttendanceInterval.ClosedBy.SESSION_END
    )


def intervals_heartbeat(
    participant_ids: Iterable[int], *, channel_names: Iterable[str] = (), now: dt.datetime | None = None
) -> int:
    """A live process's heartbeat: its participants and their open
    intervals, and its sockets (`channel_names`, so that the housekeeper
    tells a dead process's sockets from a live one's of the same person)."""
    ids = list(participant_ids)
    if not ids:
        return 0
    now = now or timezone.now()
    channels = list(channel_names)
    if channels:
        Connection.objects.filter(channel_name__in=channels).update(last_seen_at=now)
    Participant.objects.filter(pk__in=ids).update(last_seen_at=now)
    return AttendanceInterval.objects.filter(participant_id__in=ids, ended_at__isnull=True).update(last_seen_at=now)


def intervals_close_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Close intervals nobody has kept alive (their server process died) at
    their last heartbeat. Returns the affected session ids. Connections are
    not touched here: a dead process's sockets leave through
    `live.room.participant_left` (live_housekeeping does that first), so
    the room hears of them."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = list(
            AttendanceInterval.objects.select_for_update(skip_locked=True).filter(
                ended_at__isnull=True, last_seen_at__lt=now - _stale_after() - _grace()
            )
        )
        for interval in stale:
            interval.ended_at = interval.last_seen_at
            interval.closed_by = AttendanceInterval.ClosedBy.HEARTBEAT
        AttendanceInterval.objects.bulk_update(stale, ["ended_at", "closed_by"])
    return sorted({i.session_id for i in stale})


def _clipped_seconds(intervals, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> float:
    total = 0.0
    for interval in intervals:
        begin = max(interval.started_at, start)
        finish = min(interval.ended_at or interval.last_seen_at or now, end)
        if finish > begin:
            total += (finish - begin).total_seconds()
    return total


def minutes_by_participant(session: LiveSession, *, now: dt.datetime | None = None) -> dict[int, dict]:
    """{participant id: {"measured": minutes, "minutes": minutes that count,
    "percent": 0..100, "correction": AttendanceCorrection | None}} in two
    queries for the whole session."""
    now = now or timezone.now()
    start, end = session.starts_at, session.ends_at
    by_participant: dict[int, list] = defaultdict(list)
    for interval in AttendanceInterval.objects.filter(session=session).only(
        "participant_id", "started_at", "ended_at", "last_seen_at"
    ):
        by_participant[interval.participant_id].append(interval)
    latest: dict[int, AttendanceCorrection] = {}
    for correction in AttendanceCorrection.objects.filter(participant__session=session).order_by("created_at", "pk"):
        latest[correction.participant_id] = correction
    result = {}
    for pid in set(by_participant) | set(latest):
        measured = _clipped_seconds(by_participant.get(pid, []), start, end, now) / 60
        correction = latest.get(pid)
        minutes = float(correction.minutes) if correction else measured
        result[pid] = {
            "measured": round(measured, 1),
            "minutes": round(min(minutes, session.duration_minutes), 1),
            "percent": round(min(100.0, 100.0 * minutes / session.duration_minutes), 1),
            "correction": correction,
        }
    return result


def minutes_from_rows(*, sessions: dict, intervals: list, corrections: list) -> dict[int, float]:
    """Minutes attended per session, summed over its participants, from
    plain rows (for reports over many sessions in a constant number of
    queries): sessions {id: (starts_at, duration_minutes)}, intervals
    [(participant_id, session_id, started_at, ended_at, last_seen_at)],
    corrections [(participant_id, session_id, minutes)] oldest first (the
    latest per participant replaces the measured minutes)."""
    now = timezone.now()
    measured: dict[tuple[int, int], float] = defaultdict(float)
    for participant_id, session_id, started_at, ended_at, last_seen_at in intervals:
        starts_at, duration = sessions[session_id]
        begin = max(started_at, starts_at)
        finish = min(ended_at or last_seen_at or now, starts_at + dt.timedelta(minutes=duration))
        if finish > begin:
            measured[(participant_id, session_id)] += (finish - begin).total_seconds() / 60
    for participant_id, session_id, minutes in corrections:
        measured[(participant_id, session_id)] = float(minutes)
    totals: dict[int, float] = defaultdict(float)
    for (_participant_id, session_id), minutes in measured.items():
        totals[session_id] += min(minutes, sessions[session_id][1])
    return dict(totals)


def sessions_for_course(course_key: UUID):
    return LiveSession.objects.filter(Q(course_key=course_key) | Q(cohort__course_key=course_key))


def sessions_expected_of(learner, course_key: UUID, *, now: dt.datetime):
    """The started sessions of a course a learner was expected at: those of
    their cohort, and the course-wide ones (no cohort) of their partner
    organisations or that they joined. Another partner's or another
    cohort's session of the same course is not theirs to attend."""
    from learning.models import Enrollment
    from partners.models import Membership

    cohort_ids = Enrollment.objects.filter(learner=learner, course_key=course_key, cohort__isnull=False).values("cohort_id")
    partner_ids = Membership.objects.filter(user=learner).values("partner_id")
    joined = Participant.objects.filter(user=learner).values("session_id")
    return sessions_for_course(course_key).filter(starts_at__lte=now).filter(
        Q(cohort_id__in=cohort_ids)
        | (Q(cohort__isnull=True) & (Q(partner_id__in=partner_ids) | Q(pk__in=joined)))
    )


def course_attendance_percent(*, learner, course_key: UUID) -> float:
    """The provider registered with learning (learning.services
    .live_attendance_providers): % of the scheduled time of the sessions the
    learner was expected at (`sessions_expected_of`) that they attended.
    None held yet = 0: a rule that asks for live attendance is not met
    before any live session took place."""
    now = timezone.now()
    sessions = list(sessions_expected_of(learner, course_key, now=now))
    if not sessions:
        return 0.0
    scheduled = sum(s.duration_minutes for s in sessions)
    attended = 0.0
    participants = Participant.objects.filter(session__in=sessions, user=learner).select_related("session")
    for participant in participants:
        attended += minutes_by_participant_one(participant, now=now)
    return round(min(100.0, 100.0 * attended / scheduled), 1)


def minutes_by_participant_one(participant: Participant, *, now: dt.datetime | None = None) -> float:
    now = now or timezone.now()
    session = participant.session
    correction = participant.corrections.order_by("-created_at", "-pk").first()
    if correction is not None:
        return float(min(correction.minutes, session.duration_minutes))
    return _clipped_seconds(participant.intervals.all(), session.starts_at, session.ends_at, now) / 60
