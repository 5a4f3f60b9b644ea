"""What trainers and coordinators change: cohorts, who is in them, and
attendance at face-to-face sessions. Keyword-only, one transaction each,
idempotent like learning.services, which these call for every change to a
learner's record (enrolment, withdrawal, progress).

Scope: the views hand these functions a cohort fetched through
`trainer_selectors.cohorts_visible_to`; what is checked here are the rules
that hold whoever calls (a cohort's learners belong to its partner, a
session is a session block of its course).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from partners.models import Membership, Partner, Role

from .models import Cohort, Enrollment, SessionAttendance
from .services import EvidenceRejected, LearningError, course_canonical, enrollment_create, enrollment_withdraw, progress_recompute
from .trainer_selectors import TRAINER_ROLES, cohort_learners, course_may_be_run_by, session_block_in


class CohortError(LearningError):
    code = "cohort_invalid"


# --- Cohorts ---------------------------------------------------------------------------


@transaction.atomic
def cohort_create(
    *,
    created_by,
    course_key: UUID,
    partner: Partner,
    name: str,
    starts_on: date,
    ends_on: date | None = None,
    trainers: Iterable = (),
) -> Cohort:
    """A new cohort of the course for `partner`. The creator must train or
    coordinate for that partner (staff may create for any); the course must
    be the partner's own or public; every trainer must be a trainer or
    coordinator of the partner. A trainer who creates a cohort without
    naming trainers trains it."""
    errors: dict[str, list] = {}
    creator_role = (
        Membership.objects.filter(user=created_by, partner=partner, role__in=TRAINER_ROLES)
        .values_list("role", flat=True)
        .first()
    )
    if creator_role is None and not created_by.is_staff:
        errors.setdefault("partner", []).append(
            _("You can create cohorts only for a partner where you are a trainer or coordinator.")
        )
    course = course_canonical(course_key=course_key)
    if course is None:
        errors.setdefault("course_key", []).append(_("This course does not exist or is not published."))
    elif not course_may_be_run_by(user=created_by, course=course):
        errors.setdefault("course_key", []).append(_("You cannot run a cohort of this course."))
    trainers = list(trainers)
    if trainers:
        allowed = set(
            Membership.objects.filter(partner=partner, role__in=TRAINER_ROLES, user__in=trainers).values_list(
                "user_id", flat=True
            )
        )
        if any(trainer.pk not in allowed for trainer in trainers):
            errors.setdefault("trainers", []).append(
                _("Every trainer must be a trainer or coordinator of the cohort's partner.")
            )
    elif creator_role == Role.TRAINER:
        trainers = [created_by]
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("A cohort cannot end before it starts."))
    if errors:
        raise ValidationError(errors)

    cohort = Cohort(
        course_key=course_key, partner=partner, name=name, starts_on=starts_on, ends_on=ends_on, created_by=created_by
    )
    cohort.full_clean()
    cohort.save()
    cohort.trainers.set(trainers)
    return cohort


# --- Learners ------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailOutcome:
    """What happened to one address. `status` is stable (tests, templates):
    enrolled, already_enrolled, not_found, invalid, refused."""

    email: str
    status: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status in {"enrolled", "already_enrolled"}


@dataclass
class EnrolResult:
    outcomes: list[EmailOutcome] = field(default_factory=list)

    @property
    def enrolled(self) -> list[EmailOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "enrolled"]

    @property
    def refused(self) -> list[EmailOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]

    def status_of(self, email: str) -> str | None:
        email = email.strip().lower()
        return next((outcome.status for outcome in self.outcomes if outcome.email == email), None)


def _clean_emails(emails: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for email in emails:
        email = (email or "").strip().lower()
        if email:
            seen.setdefault(email, None)
    return list(seen)


@transaction.atomic
def cohort_enrol_learners(*, cohort: Cohort, emails: Iterable[str], enrolled_by) -> EnrolResult:
    """Enrol the people with these addresses in the cohort (idempotent).

    Only existing accounts that are members of the cohort's partner are
    enrolled; no account is created. An address that has no account and one
    whose account belongs only to another partner get the same answer
    ("not_found"): telling them apart would let a trainer find out who is
    registered at other partners.
    """
    result = EnrolResult()
    cleaned = _clean_emails(emails)
    valid = []
    for email in cleaned:
        try:
            validate_email(email)
        except ValidationError:
            result.outcomes.append(EmailOutcome(email, "invalid", str(_("This is not a valid email address."))))
        else:
            valid.append(email)
    members = {
        user.email.lower(): user
        for user in User.objects.filter(
            email__in=valid, memberships__partner=cohort.partner, is_active=True
        ).distinct()
    }
    current = set(
        Enrollment.objects.filter(
            cohort=cohort, course_key=cohort.course_key, status=Enrollment.Status.ACTIVE, learner__in=members.values()
        ).values_list("learner_id", flat=True)
    )
    for email in valid:
        learner = members.get(email)
        if learner is None:
            result.outcomes.append(
                EmailOutcome(email, "not_found", str(_("No member of this partner has an account with this address.")))
            )
            continue
        if learner.pk in current:
            result.outcomes.append(EmailOutcome(email, "already_enrolled", str(_("Already in this cohort."))))
            continue
        try:
            enrollment_create(learner=learner, course_key=cohort.course_key, cohort=cohort, enrolled_by=enrolled_by)
        except LearningError as error:
            result.outcomes.append(EmailOutcome(email, "refused", str(error.message)))
        else:
            result.outcomes.append(EmailOutcome(email, "enrolled", str(_("Enrolled."))))
    order = {email: n for n, email in enumerate(cleaned)}
    result.outcomes.sort(key=lambda outcome: order[outcome.email])
    return result


@transaction.atomic
def cohort_unenrol(*, cohort: Cohort, learner) -> Enrollment:
    """Take `learner` out of the cohort: their enrolment is withdrawn, their
    evidence and completions stay (history, certificates)."""
    enrollment = Enrollment.objects.filter(cohort=cohort, course_key=cohort.course_key, learner=learner).first()
    if enrollment is None:
        raise CohortError(_("This learner is not in this cohort."), code="not_enrolled")
    return enrollment_withdraw(enrollment=enrollment)


# --- Face-to-face attendance --------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceResult:
    created: int
    updated: int
    unchanged: int

    @property
    def changed(self) -> int:
        return self.created + self.updated


@transaction.atomic
def session_attendance_register(
    *, registered_by, cohort: Cohort, lesson_key: UUID, block_id: str, present_learner_ids: Iterable[int]
) -> AttendanceResult:
    """Register who was at a face-to-face session: every active learner of
    the cohort is marked present (id in `present_learner_ids`) or absent.
    Idempotent; a correction (present -> absent) is an update of the same
    evidence row, and the learner's progress is recomputed, so the session
    block is un-completed too. Only learners whose record changed are
    recomputed."""
    if session_block_in(course_key=cohort.course_key, lesson_key=lesson_key, block_id=block_id) is None:
        raise EvidenceRejected(_("This is not a face-to-face session of the cohort's course."), code="not_a_session")
    learners = list(cohort_learners(cohort=cohort))
    present_ids = {int(pk) for pk in present_learner_ids}
    strangers = present_ids - {learner.pk for learner in learners}
    if strangers:
        raise EvidenceRejected(_("Attendance can only be registered for learners of this cohort."), code="not_in_cohort")

    existing = {
        row.learner_id: row
        for row in SessionAttendance.objects.select_for_update().filter(
            block_id=block_id, learner_id__in=[learner.pk for learner in learners]
        )
    }
    created = updated = unchanged = 0
    changed_learners = []
    for learner in learners:
        present = learner.pk in present_ids
        row = existing.get(learner.pk)
        if row is None:
            SessionAttendance.objects.create(
                learner=learner, course_key=cohort.course_key, lesson_key=lesson_key, block_id=block_id,
                present=present, registered_by=registered_by,
            )
            created += 1
            if not present:
                continue  # an absence changes no progress
        elif row.present != present:
            row.present = present
            row.registered_by = registered_by
            row.save(update_fields=["present", "registered_by", "registered_at"])
            updated += 1
        else:
            unchanged += 1
            continue
        changed_learners.append(learner)
    for learner in changed_learners:
        progress_recompute(learner=learner, course_key=cohort.course_key)
    return AttendanceResult(created=created, updated=updated, unchanged=unchanged)
