"""Background work of live sessions (django-tasks): invitations and
reminders. Tasks take ids and re-read the database: what they act on may
have changed since they were queued."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .models import LiveSession


@task()
def session_invitations_send(session_id: int) -> int:
    """Mail the invitation (with the .ics) to every active learner of the
    session's course or cohort; returns how many were sent."""
    from .emails import session_mail
    from .selectors import session_recipients

    session = LiveSession.objects.select_related("partner").filter(pk=session_id, status=LiveSession.Status.SCHEDULED).first()
    if session is None:
        return 0
    sent = 0
    for user in session_recipients(session):
        session_mail(session=session, user=user, kind="invitation").send()
        sent += 1
    return sent


@task()
def session_reminder_send(session_id: int, planned_start: str, minutes_before: int) -> int:
    """A reminder planned for the session starting at `planned_start`. Sends
    nothing when the session has been moved (its new start has reminders of
    its own), ended or deleted. Returns how many were sent."""
    from .emails import session_mail
    from .selectors import session_recipients

    session = LiveSession.objects.select_related("partner").filter(pk=session_id).first()
    if session is None or session.status != LiveSession.Status.SCHEDULED or session.ended_at is not None:
        return 0
    if session.starts_at != dt.datetime.fromisoformat(planned_start):
        return 0
    sent = 0
    for user in session_recipients(session):
        session_mail(session=session, user=user, kind="reminder", minutes_before=minutes_before).send()
        sent += 1
    return sent



@task()
def session_attendance_settle(session_id: int) -> int:
    """After a session ends: recompute the learning progress of its
    learners and send live.signals.attendance_changed (attendance_effects).
    A task, so that ending a 500-person webinar does not wait for 500
    recomputes. Returns how many accounts were affected."""
    from .attendance_effects import attendance_changed
    from .models import Participant

    session = LiveSession.objects.select_related("cohort").filter(pk=session_id).first()
    if session is None:
        return 0
    participant_ids = list(Participant.objects.filter(session=session, user__isnull=False).values_list("pk", flat=True))
    return len(attendance_changed(session, participant_ids))
