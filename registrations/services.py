"""What changes registrations: register, cancel, promote from the waiting
list, close registration, mark on-site attendance, message registrants.
Keyword-only, one transaction each.

Capacity (never more confirmed registrations than places, however many
people register at the same moment) is enforced by the database:

1. the registration row is inserted as *waiting* (the partial unique index
   refuses a second active registration of the same person);
2. then one conditional UPDATE takes a place:
   ``UPDATE training SET confirmed_count = confirmed_count + 1
   WHERE id = %s AND confirmed_count < capacity``. One row updated → the
   registration is confirmed; none → it stays on the waiting list. The
   UPDATE's row lock on the training is held until commit, so concurrent
   registrations for the same training queue on it and each re-reads the
   count after the previous one committed (PostgreSQL READ COMMITTED
   re-checks the WHERE clause on the new row version), and the table's
   CheckConstraint `confirmed_count <= capacity` refuses any path that
   would still over-book.
3. Cancelling a confirmed registration gives the place back
   (``confirmed_count - 1``) and promotes the oldest waiting registration
   in the same transaction (waiting rows are taken with
   ``SELECT ... FOR UPDATE SKIP LOCKED``, so one being cancelled by its
   owner at that moment is passed over). A new registrant cannot slip into
   the freed place in between: the training row stays locked by the
   decrement until the promotion commits.

Mail and reminders are queued after commit (`transaction.on_commit`), so
a rolled-back registration never mails anyone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import OrganiserMessage, Registration, Training
from .questions import answers_clean

logger = logging.getLogger(__name__)

# Reminders before the start: online trainings 24 h and 1 h, on-site days 2 days.
REMINDER_OFFSETS = {
    Training.Format.ONLINE: (dt.timedelta(hours=24), dt.timedelta(hours=1)),
    Training.Format.ON_SITE: (dt.timedelta(days=2),),
}


class RegistrationRefused(Exception):
    """A registration or cancellation that cannot happen; `message` is for
    the person, `code` is stable (tests, templates)."""

    def __init__(self, message, *, code: str):
        super().__init__(str(message))
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CancelResult:
    registration: Registration
    promoted: Registration | None
    already_cancelled: bool = False


# --- Places ------------------------------------------------------------------------------


def _take_place(training_id: int) -> bool:
    """The conditional UPDATE: one more confirmed registration if a place is left."""
    return bool(
        Training.objects.filter(pk=training_id, confirmed_count__lt=F("capacity")).update(
            confirmed_count=F("confirmed_count") + 1
        )
    )


def _give_place_back(training_id: int) -> None:
    Training.objects.filter(pk=training_id, confirmed_count__gt=0).update(confirmed_count=F("confirmed_count") - 1)


def _on_confirmed(registration: Registration, *, now: dt.datetime) -> None:
    """What a confirmed place gives: the cohort's course (enrolment), and
    reminders planned after commit. Access to a linked live session needs
    nothing stored: it is the confirmed registration itself."""
    training = registration.training
    if training.cohort_id:
        from learning.services import LearningError, enrollment_create

        try:
            with transaction.atomic():
                enrollment_create(
                    learner=registration.user, course_key=training.cohort.course_key, cohort=training.cohort,
                    enrolled_by=registration.user,
                )
        except LearningError as error:
            # The place stays confirmed; the organisers see it and can enrol by hand.
            logger.warning("registration %s: enrolment in cohort %s refused: %s", registration.pk, training.cohort_id, error)
    registration_id = registration.pk
    transaction.on_commit(lambda: reminders_plan(registration_id=registration_id, now=now))


def _mail_after_commit(registration: Registration, kind: str) -> None:
    from .tasks import registration_mail_send

    registration_id, status = registration.pk, registration.status
    transaction.on_commit(lambda: registration_mail_send.enqueue(registration_id, kind, status))


# --- Registering -----------------------------------------------------------------------------


def registration_check_open(*, training: Training, now: dt.datetime | None = None) -> None:
    """Raise RegistrationRefused when `training` takes no registration now."""
    now = now or timezone.now()
    if training.is_past(now):
        raise RegistrationRefused(_("This training has already started: registration is over."), code="past")
    if not training.is_published or not training.registration_open or (
        training.registration_closes_at is not None and now >= training.registration_closes_at
    ):
        raise RegistrationRefused(_("Registration for this training is closed."), code="closed")


@transaction.atomic
def registration_create(
    *, training: Training, user, answers: Mapping, privacy_consent: bool, now: dt.datetime | None = None
) -> Registration:
    """Register `user`: confirmed while places are left, otherwise on the
    waiting list. Refused (RegistrationRefused) for a past, closed or
    unpublished training, without the privacy consent, or when the person
    already holds an active registration; answers that do not fit the
    training's questions raise ValidationError."""
    now = now or timezone.now()
    training = Training.objects.select_related("cohort", "partner").get(pk=training.pk)
    registration_check_open(training=training, now=now)
    if not privacy_consent:
        raise RegistrationRefused(_("Registration needs your consent to the privacy statement."), code="no_consent")
    cleaned = answers_clean(training.questions, dict(answers))
    if Registration.objects.filter(training=training, user=user, status__in=Registration.ACTIVE).exists():
        raise RegistrationRefused(_("You are already registered for this training."), code="already_registered")
    registration = Registration(
        training=training, user=user, status=Registration.Status.WAITING, answers=cleaned, privacy_consent_at=now,
        language=getattr(user, "preferred_language", "") or "en", created_at=now,
    )
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # Another request of the same person won the race for the unique index.
        raise RegistrationRefused(_("You are already registered for this training."), code="already_registered") from None
    if _take_place(training.pk):
        registration.status = Registration.Status.CONFIRMED
        registration.save(update_fields=["status"])
        _on_confirmed(registration, now=now)
        _mail_after_commit(registration, "confirmed")
    else:
        _mail_after_commit(registration, "waiting")
    return registration


# --- Cancelling and promoting -------------------------------------------------------------


def _promote_next(*, training: Training, now: dt.datetime) -> Registration | None:
    """Give a free place to the oldest waiting registration (if any, and if
    a place is indeed free). Runs inside the caller's transaction."""
    candidate = (
        Registration.objects.select_for_update(skip_locked=True)
        .filter(training_id=training.pk, status=Registration.Status.WAITING)
        .order_by("created_at", "pk")
        .first()
    )
    if candidate is None or not _take_place(training.pk):
        return None
    candidate.status = Registration.Status.CONFIRMED
    candidate.promoted_at = now
    candidate.save(update_fields=["status", "promoted_at"])
    candidate.training = training
    _on_confirmed(candidate, now=now)
    _mail_after_commit(candidate, "promoted")
    return candidate


@transaction.atomic
def registration_cancel(*, registration: Registration, now: dt.datetime | None = None) -> CancelResult:
    """Cancel (idempotent). A confirmed place goes to the first person
    waiting, who is told by mail. Refused once the training has started."""
    now = now or timezone.now()
    registration = (
        Registration.objects.select_for_update(of=("self",)).select_related("training", "training__cohort", "user")
        .get(pk=registration.pk)
    )
    if registration.status == Registration.Status.CANCELLED:
        return CancelResult(registration=registration, promoted=None, already_cancelled=True)
    if registration.training.is_past(now):
        raise RegistrationRefused(_("This training has already started: the registration can no longer be cancelled."), code="past")
    was_confirmed = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    promoted = None
    if was_confirmed:
        _give_place_back(registration.training_id)
        promoted = _promote_next(training=registration.training, now=now)
    _mail_after_commit(registration, "cancelled")
    return CancelResult(registration=registration, promoted=promoted)


@transaction.atomic
def waiting_list_promote(*, training: Training, now: dt.datetime | None = None) -> list[Registration]:
    """Fill every free place from the waiting list (after the capacity was
    raised). Returns the promoted registrations, oldest first."""
    now = now or timezone.now()
    training = Training.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=training.pk)
    promoted = []
    if training.is_past(now):
        return promoted
    while (registration := _promote_next(training=training, now=now)) is not None:
        promoted.append(registration)
    return promoted


# --- The organisers' side -----------------------------------------------------------------


@transaction.atomic
def training_registration_set(*, training: Training, is_open: bool) -> Training:
    """Close or reopen registration. Closing keeps every registration and
    the waiting list (cancellations still promote)."""
    Training.objects.filter(pk=training.pk).update(registration_open=is_open, updated_at=timezone.now())
    training.registration_open = is_open
    return training


@dataclass(frozen=True)
class AttendanceOutcome:
    marked: int
    evidence_recorded: bool


@transaction.atomic
def attendance_mark(*, training: Training, marks: Mapping[int, bool | None], marked_by) -> AttendanceOutcome:
    """Record who came (True), who did not (False) or nothing yet (None),
    per confirmed registration id. When the training is a face-to-face
    session of a course block, the same marks become the course's
    attendance evidence through `learning.cohorts.session_attendance_register`
    (the cohort's other learners keep what was registered for them)."""
    registrations = {
        registration.pk: registration
        for registration in Registration.objects.select_for_update()
        .filter(training=training, status=Registration.Status.CONFIRMED)
        .select_related("user")
    }
    strangers = set(marks) - set(registrations)
    if strangers:
        raise ValidationError(_("Attendance can only be marked for confirmed registrations of this training."))
    marked = 0
    for registration_id, attended in marks.items():
        registration = registrations[registration_id]
        if registration.attended != attended:
            registration.attended = attended
            registration.attendance_marked_by = marked_by
            registration.save(update_fields=["attended", "attendance_marked_by"])
            marked += 1
    evidence = False
    if training.cohort_id and training.session_block_id:
        evidence = _record_session_evidence(training=training, registrations=registrations.values(), marked_by=marked_by)
    return AttendanceOutcome(marked=marked, evidence_recorded=evidence)


def _record_session_evidence(*, training: Training, registrations, marked_by) -> bool:
    from learning.cohorts import session_attendance_register
    from learning.models import SessionAttendance
    from learning.trainer_selectors import cohort_learners, session_block_in

    cohort = training.cohort
    found = session_block_in(course_key=cohort.course_key, block_id=training.session_block_id, lesson_key=training.session_lesson_key)
    if found is None:
        logger.warning("training %s: block %s is no longer a session of the course", training.pk, training.session_block_id)
        return False
    lesson, _block = found
    learner_ids = set(cohort_learners(cohort=cohort).values_list("pk", flat=True))
    # The register replaces the whole cohort's marks: start from what is
    # already recorded, then apply this training's registrants.
    present = set(
        SessionAttendance.objects.filter(block_id=training.session_block_id, learner_id__in=learner_ids, present=True)
        .values_list("learner_id", flat=True)
    )
    for registration in registrations:
        if registration.user_id not in learner_ids or registration.attended is None:
            continue
        if registration.attended:
            present.add(registration.user_id)
        else:
            present.discard(registration.user_id)
    session_attendance_register(
        registered_by=marked_by, cohort=cohort, lesson_key=lesson.translation_key, block_id=training.session_block_id,
        present_learner_ids=present,
    )
    return True


@transaction.atomic
def organiser_message_send(*, training: Training, sender, subject: str, body: str, include_waiting: bool = False) -> OrganiserMessage:
    """Log the message, then mail it to every registrant (a task, after
    commit, one mail per person in their language's frame)."""
    message = OrganiserMessage(training=training, sender=sender, subject=subject.strip(), body=body.strip(), include_waiting=include_waiting)
    message.full_clean()
    message.save()
    from .tasks import organiser_message_deliver

    transaction.on_commit(lambda: organiser_message_deliver.enqueue(message.pk))
    return message


# --- Reminders -----------------------------------------------------------------------------


def reminders_plan(*, registration_id: int, now: dt.datetime | None = None) -> list[dt.datetime]:
    """Queue the reminders of a confirmed registration for the training's
    current start (those still in the future). Each reminder re-checks the
    registration and the start before mailing, so a cancelled registration
    or a moved training gets no stale reminder. A task backend that cannot
    run tasks later (the tests' immediate backend) gets none: a reminder
    now would be wrong."""
    from .tasks import registration_reminder_send

    now = now or timezone.now()
    if not registration_reminder_send.get_backend().supports_defer:
        return []
    registration = Registration.objects.select_related("training").filter(
        pk=registration_id, status=Registration.Status.CONFIRMED
    ).first()
    if registration is None:
        return []
    training = registration.training
    planned = []
    for offset in REMINDER_OFFSETS[training.format]:
        run_after = training.starts_at - offset
        if run_after <= now:
            continue
        registration_reminder_send.using(run_after=run_after).enqueue(
            registration.pk, training.starts_at.isoformat(), int(offset.total_seconds() // 60)
        )
        planned.append(run_after)
    Registration.objects.filter(pk=registration.pk).update(reminders_planned_for=training.starts_at)
    return planned


def training_reminders_replan(*, training: Training) -> int:
    """After the start moved: plan reminders again for every confirmed
    registration (the old ones fall silent on the changed start)."""
    ids = list(
        Registration.objects.filter(training=training, status=Registration.Status.CONFIRMED)
        .exclude(reminders_planned_for=training.starts_at)
        .values_list("pk", flat=True)
    )
    for registration_id in ids:
        reminders_plan(registration_id=registration_id)
    return len(ids)
