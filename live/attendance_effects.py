"""What follows a change of attendance: trainers' corrections, and the
learning progress and certificates that depend on attendance.

`attendance_changed` is the one entry point, called after a correction here
and, through the session_attendance_settle task, when a session ends
(live/room.py queues it): it recomputes the learning
progress of the session's course for the participants with an account who
are enrolled in it (live attendance is evidence for the course's completion
rule, learning.services.progress_recompute), then sends
live.signals.attendance_changed after commit for the certificates app.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from learning.models import Enrollment
from learning.services import progress_recompute

from .models import AttendanceCorrection, LiveSession, Participant
from .signals import attendance_changed as attendance_changed_signal


def session_course_key(session: LiveSession):
    if session.course_key:
        return session.course_key
    if session.cohort_id:
        return session.cohort.course_key
    return None


def attendance_changed(session: LiveSession, participant_ids: Iterable[int]) -> list[int]:
    """Recompute progress for the affected learners; returns their user ids."""
    user_ids = sorted(
        set(
            Participant.objects.filter(session=session, pk__in=list(participant_ids), user__isnull=False)
            .values_list("user_id", flat=True)
        )
    )
    if not user_ids:
        return []
    course_key = session_course_key(session)
    if course_key is not None:
        enrolled = Enrollment.objects.filter(
            course_key=course_key, learner_id__in=user_ids, status=Enrollment.Status.ACTIVE
        ).values("learner_id")
        for learner in User.objects.filter(pk__in=enrolled):
            progress_recompute(learner=learner, course_key=course_key)
    transaction.on_commit(
        lambda: attendance_changed_signal.send(sender=LiveSession, session=session, user_ids=user_ids)
    )
    return user_ids


@transaction.atomic
def attendance_correct(*, participant: Participant, minutes: int, reason: str, corrected_by) -> AttendanceCorrection:
    """A trainer's correction of a participant's minutes (the latest counts;
    all are kept as the log)."""
    session = participant.session
    reason = " ".join((reason or "").split())
    errors = {}
    if not reason:
        errors["reason"] = [_("Give the reason for the correction.")]
    if not isinstance(minutes, int) or not 0 <= minutes <= session.duration_minutes:
        errors["minutes"] = [
            _("Give a number of minutes between 0 and %(max)d (the scheduled duration).") % {"max": session.duration_minutes}
        ]
    if errors:
        raise ValidationError(errors)
    correction = AttendanceCorrection.objects.create(
        participant=participant, minutes=minutes, reason=reason[:300], corrected_by=corrected_by
    )
    attendance_changed(session, [participant.pk])
    return correction
