"""When evidence earns a certificate. Rules live with their subject; this
module reads them and issues, idempotently (certificate_issue returns the
valid certificate a holder already has for the subject):

- **Course completion** (`certificate_issue_for_completion`, services.py):
  a course with `certificate_enabled` issues on `course_completed`.
- **Programme**: a blended course (its completion rule asks for a minimum
  share of live attendance, `completion_min_live_attendance_percent` > 0)
  issues a *programme* certificate instead of a plain completion one, since
  its completion already includes the live part (learning.services).
- **Attendance**: a live session with `certificate_min_percent` issues an
  attendance certificate, with the hours present, to every participant
  with an account who attended at least that share of the scheduled time,
  once the session is over (staff who ran it get none). Sent on live's `attendance_changed` (the end of
  the session, a trainer's correction). Guests have no account and get none.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from accounts.models import User
from live.attendance import minutes_by_participant_one
from live.models import LiveSeries, LiveSession, Participant

from .models import Certificate
from .services import _partner_of_learner, certificate_issue, certificate_language


def attendance_rule_met(session: LiveSession, minutes: float) -> bool:
    """At or above the session's minimum share of its scheduled time."""
    if session.certificate_min_percent is None:
        return False
    return minutes * 100 >= session.certificate_min_percent * session.duration_minutes


def session_is_over(session: LiveSession, *, now=None) -> bool:
    now = now or timezone.now()
    return session.status == LiveSession.Status.ENDED or session.ends_at <= now


def certificate_issue_for_attendance(*, session: LiveSession, user) -> Certificate | None:
    """The attendance certificate `user` earned at `session`, or None when
    the session gives none, is not over, or the rule is not met."""
    if session.certificate_min_percent is None or not session_is_over(session):
        return None
    # Participants, not the staff who ran the session.
    participant = (
        Participant.objects.select_related("session")
        .filter(session=session, user=user, role=Participant.Role.PROFESSIONAL)
        .first()
    )
    if participant is None:
        return None
    minutes = minutes_by_participant_one(participant)
    if not attendance_rule_met(session, minutes):
        return None
    partner = _partner_of_learner(user, fallback=session.partner)
    hours = (Decimal(str(minutes)) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    certificate, _created = certificate_issue(
        kind=Certificate.Kind.ATTENDANCE,
        holder=user,
        partner=partner,
        session_id=session.pk,
        title=session.title,
        hours=hours,
        language=certificate_language(partner, user),
    )
    return certificate


def certificate_issue_for_series(*, series: LiveSeries, user) -> Certificate | None:
    """The attendance certificate `user` earned over `series`, or None when
    the series gives none, a session of it is not over, or the rule is not
    met."""
    if series.certificate_min_percent is None:
        return None
    sessions = list(series.sessions.all())
    if not sessions or not all(session_is_over(session) for session in sessions):
        return None
    scheduled = sum(session.duration_minutes for session in sessions)
    participants = Participant.objects.select_related("session").filter(
        session__in=sessions, user=user, role=Participant.Role.PROFESSIONAL
    )
    minutes = sum(minutes_by_participant_one(participant) for participant in participants)
    if minutes * 100 < series.certificate_min_percent * scheduled:
        return None
    partner = _partner_of_learner(user, fallback=series.partner)
    certificate, _created = certificate_issue(
        kind=Certificate.Kind.ATTENDANCE,
        holder=user,
        partner=partner,
        series_id=series.pk,
        title=series.title,
        hours=(Decimal(str(minutes)) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        language=certificate_language(partner, user),
    )
    return certificate


def issue_on_attendance_changed(sender, *, session: LiveSession, user_ids, **kwargs) -> list[Certificate]:
    """live.signals.attendance_changed, after commit."""
    session = LiveSession.objects.select_related("series").filter(pk=session.pk).first()
    if session is None:
        return []
    issued = []
    for user in User.objects.filter(pk__in=list(user_ids)):
        for certificate in (
            certificate_issue_for_attendance(session=session, user=user),
            certificate_issue_for_series(series=session.series, user=user) if session.series else None,
        ):
            if certificate is not None:
                issued.append(certificate)
    return issued
