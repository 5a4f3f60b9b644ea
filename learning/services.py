"""What changes a learner's record: enrolments, evidence and the progress
derived from it. Keyword-only, one transaction each, idempotent: a retried
request or a second run records nothing twice.

Who may do what is checked by the caller's selector (views scope their
queries); these functions check the rules of the course itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.pages import CoursePage
from courses.selectors import course_outline

from .models import (
    BlockCompletion,
    CourseCompletion,
    Enrollment,
    LessonVisit,
    QuizAttempt,
    Reflection,
    SessionAttendance,
    XAPIStatement,
)
from .signals import course_completed

# Block kinds completed by opening the lesson they are in.
READING_KINDS = frozenset({"text", "image", "video", "resource"})


class LearningError(Exception):
    """A request the course's rules refuse. `code` is stable (API, tests);
    `message` is for people and translatable."""

    code = "invalid"

    def __init__(self, message=None, *, code: str | None = None):
        self.message = message or _("This request is not allowed.")
        if code:
            self.code = code
        super().__init__(str(self.message))


class EnrollmentNotAllowed(LearningError):
    code = "enrollment_not_allowed"


class EvidenceRejected(LearningError):
    code = "invalid"


# Live attendance lives in the `live` app, which depends on this one; it
# registers a provider here at startup: provider(learner=, course_key=) ->
# percent of the scheduled live time attended (0..100).
live_attendance_providers: list[Callable[..., float]] = []


def live_attendance_percent(*, learner, course_key: UUID) -> float:
    return max((provider(learner=learner, course_key=course_key) for provider in live_attendance_providers), default=0.0)


def course_canonical(*, course_key: UUID) -> CoursePage | None:
    """The copy of the course whose structure defines completion: the first
    one created (the source of its translations). A lesson that exists only
    in a translation is not required; one not yet translated still is."""
    return CoursePage.objects.live().filter(translation_key=course_key).order_by("pk").first()


@transaction.atomic
def enrollment_create(*, learner, course_key: UUID, cohort=None, enrolled_by=None) -> Enrollment:
    """Enrol `learner` in the course (idempotent; reactivates a withdrawn
    enrolment, keeping its evidence). Self-enrolment needs a public course;
    a trainer enrolling into a cohort does not."""
    course = course_canonical(course_key=course_key)
    if course is None:
        raise EnrollmentNotAllowed(_("This course does not exist or is not published."), code="not_found")
    if cohort is None and not course.is_public:
        raise EnrollmentNotAllowed(_("This course is open only to learners enrolled by their trainer."))
    if cohort is not None and cohort.course_key != course_key:
        raise EnrollmentNotAllowed(_("This cohort belongs to another course."), code="invalid")
    enrollment, created = Enrollment.objects.select_for_update().get_or_create(
        learner=learner,
        course_key=course_key,
        defaults={"cohort": cohort, "enrolled_by": enrolled_by or learner},
    )
    if not created:
        changed = []
        if enrollment.status != Enrollment.Status.ACTIVE:
            enrollment.status = Enrollment.Status.ACTIVE
            enrollment.withdrawn_at = None
            changed += ["status", "withdrawn_at"]
        if cohort is not None and enrollment.cohort_id != cohort.pk:
            enrollment.cohort = cohort
            changed.append("cohort")
        if changed:
            enrollment.save(update_fields=changed)
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment) -> Enrollment:
    """Leave the course. Evidence and completions are kept (history)."""
    if enrollment.status != Enrollment.Status.WITHDRAWN:
        enrollment.status = Enrollment.Status.WITHDRAWN
        enrollment.withdrawn_at = timezone.now()
        enrollment.save(update_fields=["status", "withdrawn_at"])
    return enrollment


@dataclass(frozen=True)
class ProgressResult:
    required: int
    done: int
    completed: bool
    newly_completed: bool

    @property
    def percent(self) -> int:
        return 100 if not self.required else int(self.done * 100 / self.required)


def _completed_block_ids(*, learner, course_key: UUID) -> tuple[set, set]:
    """(lesson keys visited, block ids completed by their own evidence)."""
    visited = set(LessonVisit.objects.filter(learner=learner, course_key=course_key).values_list("lesson_key", flat=True))
    blocks = set(QuizAttempt.objects.filter(learner=learner, course_key=course_key, passed=True).values_list("block_id", flat=True))
    blocks |= set(XAPIStatement.objects.filter(learner=learner, course_key=course_key, counts=True).values_list("block_id", flat=True))
    blocks |= set(Reflection.objects.filter(learner=learner, course_key=course_key).values_list("block_id", flat=True))
    blocks |= set(
        SessionAttendance.objects.filter(learner=learner, course_key=course_key, present=True).values_list("block_id", flat=True)
    )
    return visited, blocks


@transaction.atomic
def progress_recompute(*, learner, course_key: UUID) -> ProgressResult:
    """Rebuild the learner's block completions for the course from the
    evidence, and record course completion once when the rule is met.

    Safe to run at any time and concurrently: completions are upserted on
    unique keys, and the `course_completed` signal is sent only by the run
    that created the CourseCompletion, after commit.
    """
    course = course_canonical(course_key=course_key)
    if course is None:
        return ProgressResult(required=0, done=0, completed=False, newly_completed=False)
    visited, evidenced = _completed_block_ids(learner=learner, course_key=course_key)
    required = []
    done = []
    for module in course_outline(course=course):
        for lesson in module.lessons:
            for block in lesson.required_blocks:
                required.append(block)
                finished = lesson.translation_key in visited if block.kind in READING_KINDS else block.id in evidenced
                if finished:
                    done.append(
                        BlockCompletion(
                            learner=learner, course_key=course_key, lesson_key=lesson.translation_key,
                            block_id=block.id, kind=block.kind,
                        )
                    )
    done_ids = {completion.block_id for completion in done}
    BlockCompletion.objects.bulk_create(done, ignore_conflicts=True)
    # A corrected attendance (present -> absent) un-completes its block.
    BlockCompletion.objects.filter(learner=learner, course_key=course_key).exclude(block_id__in=done_ids).delete()

    all_done = len(done_ids) == len({block.id for block in required})
    live_ok = course.completion_min_live_attendance_percent <= 0 or (
        live_attendance_percent(learner=learner, course_key=course_key) >= course.completion_min_live_attendance_percent
    )
    newly = False
    completed = CourseCompletion.objects.filter(learner=learner, course_key=course_key).exists()
    if all_done and live_ok and not completed:
        completion, newly = CourseCompletion.objects.get_or_create(learner=learner, course_key=course_key)
        completed = True
        if newly:
            transaction.on_commit(
                lambda: course_completed.send(
                    sender=CourseCompletion, learner=learner, course_key=course_key, completion=completion
                )
            )
    return ProgressResult(required=len(required), done=len(done_ids), completed=completed, newly_completed=newly)
