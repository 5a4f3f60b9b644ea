"""What changes a learner's record: enrolments, evidence and the progress
derived from it. Keyword-only, one transaction each, idempotent: a retried
request or a second run records nothing twice.

Who may do what is checked by the caller's selector (views scope their
queries); these functions check the rules of the course itself.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID, uuid5

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.request_memo import memo_discard, memoised
from courses.h5p.models import H5PPackage
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
    in a translation is not required; one not yet translated still is.
    Read once per request (the outline memo of courses/selectors.py)."""
    return memoised(
        ("canonical", str(course_key)),
        lambda: CoursePage.objects.live().filter(translation_key=course_key).order_by("pk").first(),
    )


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
    _progress_changed(learner.pk)
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment) -> Enrollment:
    """Leave the course. Evidence and completions are kept (history)."""
    if enrollment.status != Enrollment.Status.WITHDRAWN:
        enrollment.status = Enrollment.Status.WITHDRAWN
        enrollment.withdrawn_at = timezone.now()
        enrollment.save(update_fields=["status", "withdrawn_at"])
    _progress_changed(enrollment.learner_id)
    return enrollment


def _progress_changed(learner_pk) -> None:
    """What this request memoised of the learner's progress is out of date
    (courses/selectors.py, the per-request memo)."""
    memo_discard(("progress", learner_pk))


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


def _packages_completed_on_view(outline) -> set[int]:
    """The H5P packages of the outline with nothing scored in them (Dialog
    Cards, Accordion): their blocks complete when the lesson is opened,
    like reading. One query, none without H5P blocks."""
    package_ids = {
        block.package_id
        for module in outline
        for lesson in module.lessons
        for block in lesson.required_blocks
        if block.kind == "h5p" and block.package_id is not None
    }
    if not package_ids:
        return set()
    return set(
        H5PPackage.objects.filter(pk__in=package_ids, reports_score=False, scored_parts=[]).values_list("pk", flat=True)
    )


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
    outline = course_outline(course=course)
    viewed_packages = _packages_completed_on_view(outline)
    required = []
    done = []
    for module in outline:
        for lesson in module.lessons:
            for block in lesson.required_blocks:
                required.append(block)
                on_view = block.kind in READING_KINDS or (block.kind == "h5p" and block.package_id in viewed_packages)
                # A block that completes on view may also have its own
                # evidence (an H5P result sent before its package was
                # re-classified): either is enough.
                finished = block.id in evidenced or (on_view and lesson.translation_key in visited)
                if finished:
                    done.append(
                        BlockCompletion(
                            learner=learner, course_key=course_key, lesson_key=lesson.translation_key,
                            block_id=block.id, kind=block.kind,
                        )
                    )
    done_ids = {completion.block_id for completion in done}
    # Write only the difference: a learner deep into a 200-lesson course
    # would otherwise re-insert hundreds of rows on every lesson visit.
    existing = set(BlockCompletion.objects.filter(learner=learner, course_key=course_key).values_list("block_id", flat=True))
    missing = [completion for completion in done if completion.block_id not in existing]
    if missing:
        BlockCompletion.objects.bulk_create(missing, ignore_conflicts=True)
    if existing - done_ids:
        # A corrected attendance (present -> absent) un-completes its block.
        BlockCompletion.objects.filter(
            learner=learner, course_key=course_key, block_id__in=existing - done_ids
        ).delete()

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
    _progress_changed(learner.pk)
    return ProgressResult(required=len(required), done=len(done_ids), completed=completed, newly_completed=newly)


# --- Evidence from the learner ---------------------------------------------------------
#
# Every function below takes the learner from the caller (request.user), never
# from the submitted data, and checks the same three things first: the lesson
# belongs to a live course the learner is actively enrolled in, it is not
# locked by the sequential rule, and the block exists in that lesson with the
# expected kind. The learner's Enrollment row is locked (SELECT ... FOR
# UPDATE) for the transaction, so two requests of one learner in one course
# run one after the other: attempt numbers and "already stored?" checks
# cannot race.

# The verbs of a result (docs/h5p.md, "Completion rules"): H5P.Question
# types report `answered`, sets and containers `completed`, Essay `passed`
# without a score; `failed` can still carry a score that reaches a block's
# own threshold. Other verbs (attempted, interacted, progressed...) are
# stored when sent but never count.
XAPI_VERBS = "http://adlnet.gov/expapi/verbs/"
XAPI_RESULT_VERBS = frozenset(XAPI_VERBS + verb for verb in ("answered", "completed", "passed", "failed"))
XAPI_PASSED = XAPI_VERBS + "passed"
SUB_CONTENT_QUERY = "?subContentId="
# Namespace of the ids given to statements that carry no valid UUID of
# their own: uuid5(namespace, lesson:block:canonical JSON), so an identical
# retry gets the same id and is stored once.
XAPI_STATEMENT_NAMESPACE = UUID("6b0e3a52-3d0c-5d55-9c55-b1d8e1f2a7c4")
REFLECTION_MAX_LENGTH = 10_000
# Scores are stored as DECIMAL(12, 4).
_SCORE_LIMIT = Decimal("100000000")


@dataclass(frozen=True)
class _Open:
    course_key: UUID
    enrollment: Enrollment


def _open_lesson(*, learner, lesson) -> _Open:
    """The checks every evidence write starts with (see above)."""
    from .selectors import lesson_access

    if not getattr(learner, "is_authenticated", False):
        raise EvidenceRejected(_("Log in to record your progress."), code="not_authenticated")
    access = lesson_access(learner=learner, lesson=lesson)
    if not access.visible:
        raise EvidenceRejected(_("This lesson is not part of a published course."), code="unknown_activity")
    if not access.is_enrolled:
        raise EvidenceRejected(_("Enrol in the course to record your progress."), code="not_enrolled")
    if access.locked:
        raise EvidenceRejected(
            _("This module opens when you have completed the previous modules."), code="locked"
        )
    enrollment = Enrollment.objects.select_for_update().get(pk=access.enrollment.pk)
    return _Open(course_key=access.course_key, enrollment=enrollment)


def _block_of(*, lesson, block_id: str, kind: str):
    from courses.selectors import lesson_block

    block = lesson_block(lesson=lesson, block_id=str(block_id)) if block_id else None
    if block is None:
        raise EvidenceRejected(_("This activity is not part of the lesson."), code="unknown_activity")
    if block.block_type != kind:
        raise EvidenceRejected(_("This activity is of another kind."), code="wrong_block_kind")
    return block


# A lesson the learner is reading again within this time, and which is
# already the one to continue from, records nothing: the visit's time and
# the learner's last activity are kept to this precision (reloads and
# back-and-forth between a lesson and its H5P activity write nothing).
VISIT_REFRESH = dt.timedelta(minutes=5)


def lesson_visit_record(*, learner, lesson) -> ProgressResult | None:
    """The learner opened `lesson`: completes its reading blocks (text,
    image, video, resource) and becomes the lesson to continue from.

    A lesson opened again whose blocks that may complete on viewing are all
    complete already changes no completion: the visit's time and the lesson
    to continue from are written, progress is not rebuilt (None); within
    `VISIT_REFRESH` of the last write for the same lesson nothing is
    written at all. Any such block still open (one added since, an H5P
    package re-classified) and the first visit rebuild it."""
    if _visit_is_recent(learner=learner, lesson=lesson):
        return None
    return _lesson_visit_write(learner=learner, lesson=lesson)


def _visit_is_recent(*, learner, lesson) -> bool:
    """Read from the progress the page has loaded already: no query, but the
    H5P check of `_completes_on_view_pending` when an H5P block is open."""
    from .selectors import lesson_access

    if not getattr(learner, "is_authenticated", False):
        return False
    access = lesson_access(learner=learner, lesson=lesson)
    if not (access.visible and access.is_enrolled) or access.locked or access.progress is None:
        return False
    entry = access.progress.lesson(lesson.translation_key)
    enrollment = access.enrollment
    return (
        entry is not None
        and entry.visited
        and enrollment.last_lesson_key == lesson.translation_key
        and enrollment.last_activity_at is not None
        and enrollment.last_activity_at > timezone.now() - VISIT_REFRESH
        and not _completes_on_view_pending(lesson, entry)
    )


@transaction.atomic
def _lesson_visit_write(*, learner, lesson) -> ProgressResult | None:
    from .selectors import lesson_access

    opened = _open_lesson(learner=learner, lesson=lesson)
    visit, created = LessonVisit.objects.get_or_create(
        learner=learner, lesson_key=lesson.translation_key, defaults={"course_key": opened.course_key}
    )
    if not created:
        visit.save(update_fields=["last_visited_at"])
    enrollment = opened.enrollment
    enrollment.last_lesson_key = lesson.translation_key
    enrollment.last_activity_at = timezone.now()
    enrollment.save(update_fields=["last_lesson_key", "last_activity_at"])
    progress = lesson_access(learner=learner, lesson=lesson).progress
    entry = progress.lesson(lesson.translation_key) if progress is not None else None
    if not created and entry is not None and not _completes_on_view_pending(lesson, entry):
        if progress.enrollment is not None:
            progress.enrollment.last_lesson_key = enrollment.last_lesson_key
            progress.enrollment.last_activity_at = enrollment.last_activity_at
        return None
    return progress_recompute(learner=learner, course_key=opened.course_key)


def _completes_on_view_pending(lesson, entry) -> bool:
    """Whether a required block of the lesson that completes on viewing
    (reading, or an H5P package with nothing scored) is not complete yet.
    One query at most, only for open H5P blocks."""
    from courses.selectors import required_blocks_for

    open_blocks = [block for block in entry.blocks if not block.done]
    if any(block.kind in READING_KINDS for block in open_blocks):
        return True
    open_h5p = {block.id for block in open_blocks if block.kind == "h5p"}
    packages = {ref.package_id for ref in required_blocks_for(lesson) if ref.id in open_h5p and ref.package_id}
    return bool(packages) and H5PPackage.objects.filter(pk__in=packages, reports_score=False, scored_parts=[]).exists()


@dataclass(frozen=True)
class QuizQuestionResult:
    id: str
    correct: bool
    selected: tuple[str, ...]


def quiz_mark(*, quiz_value, answers: dict[str, list[str]]) -> list[QuizQuestionResult]:
    """Mark answers against a quiz block's value (no queries, no writes):
    a question is correct when the selected set equals the correct set."""
    results = []
    for question in quiz_value["questions"].bound_blocks:
        correct_ids = {answer.id for answer in question.value["answers"].bound_blocks if answer.value.get("correct")}
        selected = tuple(sorted(set(answers.get(question.id, []))))
        results.append(QuizQuestionResult(id=question.id, correct=set(selected) == correct_ids, selected=selected))
    return results


def _clean_quiz_answers(*, quiz_value, answers) -> dict[str, list[str]]:
    if not isinstance(answers, dict):
        raise EvidenceRejected(_("The answers could not be read."), code="invalid")
    questions = {question.id: question for question in quiz_value["questions"].bound_blocks}
    cleaned: dict[str, list[str]] = {question_id: [] for question_id in questions}
    for question_id, chosen in answers.items():
        question = questions.get(str(question_id))
        if question is None:
            raise EvidenceRejected(_("One of the answers is for a question that is not in this quiz."), code="unknown_question")
        if isinstance(chosen, str) or not isinstance(chosen, list | tuple):
            raise EvidenceRejected(_("The answers could not be read."), code="invalid")
        answer_ids = {answer.id for answer in question.value["answers"].bound_blocks}
        chosen = sorted({str(answer_id) for answer_id in chosen})
        if any(answer_id not in answer_ids for answer_id in chosen):
            raise EvidenceRejected(_("One of the answers is not an answer to its question."), code="unknown_answer")
        if question.value.get("kind") != "multiple" and len(chosen) > 1:
            raise EvidenceRejected(_("Choose only one answer for a one-answer question."), code="invalid")
        cleaned[question.id] = chosen
    if not any(cleaned.values()):
        raise EvidenceRejected(_("Choose at least one answer before submitting."), code="unanswered")
    return cleaned


@transaction.atomic
def quiz_attempt_submit(*, learner, lesson, block_id: str, answers: dict[str, list[str]], submission_id: UUID) -> QuizAttempt:
    """Mark and store one attempt at a quiz block.

    Idempotent on `submission_id` (a hidden field of the form): submitting
    the same form twice returns the first attempt and uses no second one.
    Question and answer ids are the StreamField ids, the same in every
    language copy. Unanswered questions count as wrong; a form with no
    answer at all is refused so an accidental click costs no attempt.
    """
    opened = _open_lesson(learner=learner, lesson=lesson)
    try:
        submission_id = UUID(str(submission_id))
    except ValueError:
        raise EvidenceRejected(_("The form was incomplete; reload the page and try again."), code="invalid") from None
    existing = QuizAttempt.objects.filter(learner=learner, submission_id=submission_id).first()
    if existing is not None:
        if existing.block_id != str(block_id):
            raise EvidenceRejected(_("The form was incomplete; reload the page and try again."), code="invalid")
        return existing
    block = _block_of(lesson=lesson, block_id=block_id, kind="quiz")
    quiz = block.value
    cleaned = _clean_quiz_answers(quiz_value=quiz, answers=answers)
    used = QuizAttempt.objects.filter(learner=learner, block_id=block.id).count()
    allowed = quiz.get("attempts_allowed") or 0
    if allowed and used >= allowed:
        raise EvidenceRejected(_("You have used all your attempts at this quiz."), code="no_attempts_left")
    results = quiz_mark(quiz_value=quiz, answers=cleaned)
    total = len(results)
    if not total:
        raise EvidenceRejected(_("This quiz has no questions."), code="invalid")
    correct = sum(1 for result in results if result.correct)
    percent = (Decimal(correct) * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    attempt = QuizAttempt(
        learner=learner,
        course_key=opened.course_key,
        lesson_key=lesson.translation_key,
        block_id=block.id,
        submission_id=submission_id,
        attempt_number=used + 1,
        answers=cleaned,
        correct=correct,
        total=total,
        percent=percent,
        passed=percent >= Decimal(quiz.get("pass_mark_percent") or 0),
    )
    attempt.full_clean()
    attempt.save()
    _touch(opened.enrollment, lesson)
    progress_recompute(learner=learner, course_key=opened.course_key)
    return attempt


def _touch(enrollment: Enrollment, lesson) -> None:
    enrollment.last_lesson_key = lesson.translation_key
    enrollment.last_activity_at = timezone.now()
    enrollment.save(update_fields=["last_lesson_key", "last_activity_at"])


def _number(value) -> Decimal | None:
    """A JSON number as a Decimal; None for anything else (bools included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return Decimal(str(value))


def _invalid_score():
    return EvidenceRejected(_("The activity reported an impossible score."), code="invalid_score")


@dataclass(frozen=True)
class XAPIScore:
    """A statement's result.score as the server accepts it. `share` is what
    completion rules compare with a block's threshold: raw/max (or scaled
    when there is no raw/max), clamped to 0..1; None when the score says
    nothing about success (a maximum of 0)."""

    raw: Decimal | None
    maximum: Decimal | None
    share: Decimal | None


def _clamp_share(value: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _xapi_score(result) -> XAPIScore | None:
    """result.score checked against the xAPI rules (min <= raw <= max,
    scaled in -1..1; negative scores are allowed); None when there is no
    score. Anything impossible raises EvidenceRejected."""
    if result is None:
        return None
    if not isinstance(result, dict):
        raise EvidenceRejected(_("The activity sent a statement that could not be read."), code="invalid_statement")
    score = result.get("score")
    if score is None:
        return None
    if not isinstance(score, dict):
        raise _invalid_score()
    values = {}
    for key in ("raw", "min", "max", "scaled"):
        if key in score:
            values[key] = _number(score[key])
            if values[key] is None or abs(values[key]) >= _SCORE_LIMIT:
                raise _invalid_score()
    raw, minimum, maximum, scaled = (values.get(key) for key in ("raw", "min", "max", "scaled"))
    if scaled is not None and not (-1 <= scaled <= 1):
        raise _invalid_score()
    if minimum is not None and maximum is not None and minimum > maximum:
        raise _invalid_score()
    if raw is not None and ((minimum is not None and raw < minimum) or (maximum is not None and raw > maximum)):
        raise _invalid_score()
    if raw is None and scaled is None:
        raise _invalid_score()
    if raw is not None and maximum is not None and maximum > 0:
        share = _clamp_share(raw / maximum)
    elif scaled is not None:
        share = _clamp_share(scaled)
    else:
        share = None
    return XAPIScore(raw=raw, maximum=maximum, share=share)


def _statement_id(*, statement: dict, lesson_key: UUID, block_id: str) -> UUID:
    given = statement.get("id")
    if isinstance(given, str):
        try:
            return UUID(given)
        except ValueError:
            pass
    # Without an id of its own, the statement's content is its identity; the
    # actor is left out (H5P invents a new one on every page load), so the
    # same result sent again after a reload is still one statement.
    content = {key: value for key, value in statement.items() if key not in ("actor", "id")}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return uuid5(XAPI_STATEMENT_NAMESPACE, f"{lesson_key}:{block_id}:{canonical}")


def xapi_actor(learner) -> dict:
    """The actor the server writes into every stored statement: the
    learner's account on this platform (never a name or an email). H5P's
    own actor is random and is discarded."""
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/", "name": str(learner.pk)},
    }


def _sub_content_of(object_id: str, activity: str) -> str | None:
    """"" for the activity itself, the subContentId for one of its parts,
    None for anything else (another activity, a forged id)."""
    if object_id == activity:
        return ""
    if object_id.startswith(activity + SUB_CONTENT_QUERY):
        sub_content_id = object_id[len(activity + SUB_CONTENT_QUERY) :]
        if 0 < len(sub_content_id) <= 64 and all(ch.isalnum() or ch == "-" for ch in sub_content_id):
            return sub_content_id
    return None


def _parts_share(*, learner, block_id: str, parts: list[str], adding: tuple[str, Decimal] | None) -> Decimal:
    """The mean of the best share of each scored part of a container (a part
    never answered counts 0), with `adding` (part, share) not yet stored."""
    best = dict(
        XAPIStatement.objects.filter(
            learner=learner, block_id=block_id, sub_content_id__in=parts, score_share__isnull=False
        )
        .values("sub_content_id")
        .annotate(best=Max("score_share"))
        .values_list("sub_content_id", "best")
    )
    if adding is not None:
        part, share = adding
        best[part] = max(best.get(part, Decimal(0)), share)
    return sum((best.get(part, Decimal(0)) for part in parts), Decimal(0)) / len(parts)


@transaction.atomic
def evidence_xapi_record(*, learner, lesson, block_id: str, statement: dict) -> tuple[XAPIStatement, bool]:
    """Store an xAPI statement an H5P activity of `lesson` emitted for
    `learner`; returns (statement, created). A repeated statement (same id,
    or the same content without an id) returns the stored one.

    The server decides what counts (docs/h5p.md, "Completion rules"): the
    learner is the session's, and the stored statement's actor is written
    here; the activity must be an H5P block of a lesson the learner may work
    in, and the statement's object the block's activity or one of its parts
    (`?subContentId=`); the score must be possible. It counts towards the
    block when:

    * it is about the activity itself, its verb is a result (answered,
      completed, passed, failed) and its share reaches the block's
      `pass_threshold`, or its verb is `passed` without a score (Essay);
    * or the package sends no result of its own, the statement is about one
      of its scored parts, and the mean of the best share of every part
      (unanswered parts count 0) reaches the threshold: containers such as
      Course Presentation.

    Counting never goes back: a later, lower score leaves the block done.
    Anything refused raises EvidenceRejected and stores nothing.
    """
    from courses.h5p.serving import activity_iri

    if not isinstance(statement, dict):
        raise EvidenceRejected(_("The activity sent a statement that could not be read."), code="invalid_statement")
    verb, obj = statement.get("verb"), statement.get("object")
    if not (isinstance(verb, dict) and isinstance(verb.get("id"), str) and verb["id"]) or not (
        isinstance(obj, dict) and isinstance(obj.get("id"), str) and obj["id"]
    ):
        raise EvidenceRejected(_("The activity sent a statement that could not be read."), code="invalid_statement")
    if len(verb["id"]) > 200:
        raise EvidenceRejected(_("The activity sent a statement that could not be read."), code="invalid_statement")
    opened = _open_lesson(learner=learner, lesson=lesson)
    block = _block_of(lesson=lesson, block_id=block_id, kind="h5p")
    sub_content_id = _sub_content_of(obj["id"], activity_iri(lesson_key=str(lesson.translation_key), block_id=block.id))
    if sub_content_id is None:
        raise EvidenceRejected(_("The statement is about another activity than this one."), code="wrong_activity")
    result = statement.get("result")
    score = _xapi_score(result)
    statement_id = _statement_id(statement=statement, lesson_key=lesson.translation_key, block_id=block.id)
    existing = XAPIStatement.objects.filter(learner=learner, statement_id=statement_id).first()
    if existing is not None:
        return existing, False

    result = result or {}
    share = score.share if score else None
    threshold = Decimal(block.value.get("pass_threshold") or 0)
    package = block.value.get("package")
    package = package if getattr(package, "pk", None) else None
    # Parts decide only for a package without a result of its own (a Course
    # Presentation without a summary slide): a Question Set is done when
    # its own `completed` reaches the threshold, not one question earlier.
    parts = list(package.scored_parts) if package is not None and not package.reports_score else []
    counts = False
    if verb["id"] in XAPI_RESULT_VERBS:
        if not sub_content_id:
            counts = (share is not None and share >= threshold) or (verb["id"] == XAPI_PASSED and score is None)
        elif share is not None and sub_content_id in parts:
            counts = (
                _parts_share(learner=learner, block_id=block.id, parts=parts, adding=(sub_content_id, share))
                >= threshold
            )
    duration = result.get("duration")
    record = XAPIStatement(
        learner=learner,
        course_key=opened.course_key,
        lesson_key=lesson.translation_key,
        block_id=block.id,
        package=package,
        statement_id=statement_id,
        sub_content_id=sub_content_id,
        verb=verb["id"],
        score_raw=score.raw if score else None,
        score_max=score.maximum if score else None,
        score_share=share,
        success=result.get("success") if isinstance(result.get("success"), bool) else None,
        completion=result.get("completion") if isinstance(result.get("completion"), bool) else None,
        duration=duration[:64] if isinstance(duration, str) else "",
        counts=counts,
        raw={**statement, "actor": xapi_actor(learner)},
    )
    record.full_clean()
    record.save()
    _touch(opened.enrollment, lesson)
    if counts:
        progress_recompute(learner=learner, course_key=opened.course_key)
    return record, True


@transaction.atomic
def reflection_save(*, learner, lesson, block_id: str, text: str) -> Reflection:
    """Save (or replace) the learner's private answer to a reflection
    block. Saving the same text again changes nothing."""
    opened = _open_lesson(learner=learner, lesson=lesson)
    block = _block_of(lesson=lesson, block_id=block_id, kind="reflection")
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise EvidenceRejected(_("Write your reflection before saving it."), code="empty")
    if len(text) > REFLECTION_MAX_LENGTH:
        raise EvidenceRejected(
            _("Your reflection is too long: at most %(max)d characters.") % {"max": REFLECTION_MAX_LENGTH},
            code="too_long",
        )
    reflection, created = Reflection.objects.get_or_create(
        learner=learner,
        block_id=block.id,
        defaults={"course_key": opened.course_key, "lesson_key": lesson.translation_key, "text": text},
    )
    if not created and reflection.text != text:
        reflection.text = text
        reflection.save(update_fields=["text", "updated_at"])
    _touch(opened.enrollment, lesson)
    progress_recompute(learner=learner, course_key=opened.course_key)
    return reflection
