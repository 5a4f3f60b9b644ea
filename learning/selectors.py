"""Questions about a learner's record: where they are in a course, what is
locked, what their dashboard shows.

Every function here runs a fixed number of queries whatever the number of
modules, lessons, blocks or enrolments (tests/learning/test_selectors.py
counts them): course structures are read for many courses at once (two
queries), and completions come from the derived BlockCompletion rows that
`learning.services.progress_recompute` keeps up to date.

Two copies of a course matter here. The *canonical* copy (the first one
created, see `services.course_canonical`) defines what is required, so the
percentage is the same in every language; the *displayed* copy (the page the
learner is reading, or the one in their language) gives titles and URLs.
Both are matched on translation keys and block ids, which every copy shares.

Reading only: nothing here writes, so templates and template tags may call
these freely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from uuid import UUID

from django.db.models import CharField, Subquery, Value
from django.db.models.functions import Cast
from django.utils import translation
from wagtail.models import Page

from config.request_memo import memo_get, memo_set, memoised
from courses.pages import CoursePage, LessonPage, ModulePage
from courses.selectors import ModuleOutline, course_outlines, courses_at_path

from .models import BlockCompletion, CourseCompletion, Enrollment, LessonVisit, QuizAttempt, Reflection


# --- Data returned --------------------------------------------------------------------


@dataclass(frozen=True)
class BlockProgress:
    id: str
    kind: str
    done: bool


@dataclass
class LessonProgress:
    page: LessonPage
    blocks: list[BlockProgress]
    visited: bool
    locked: bool

    @property
    def translation_key(self) -> UUID:
        return self.page.translation_key

    @property
    def title(self) -> str:
        return self.page.title

    @cached_property
    def done(self) -> bool:
        """All required blocks completed; a lesson with none is done once
        opened. Asked for every lesson several times a page (outline, next
        lesson, Continue): computed once, progress being rebuilt whenever
        evidence is recorded."""
        return _lesson_done(blocks_done=[block.done for block in self.blocks], visited=self.visited)

    @property
    def state(self) -> str:
        """"locked", "done", "in_progress" (opened or partly done) or
        "not_started": what the lesson page's course outline shows."""
        if self.locked:
            return "locked"
        if self.done:
            return "done"
        if self.visited or any(block.done for block in self.blocks):
            return "in_progress"
        return "not_started"


@dataclass
class ModuleProgress:
    page: ModulePage
    lessons: list[LessonProgress]
    required: int
    done: int
    locked: bool

    @property
    def translation_key(self) -> UUID:
        return self.page.translation_key

    @property
    def title(self) -> str:
        return self.page.title

    @property
    def percent(self) -> int:
        return _percent(self.done, self.required)

    @property
    def completed(self) -> bool:
        return all(lesson.done for lesson in self.lessons)

    @property
    def lessons_done(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.done)


@dataclass
class CourseProgress:
    """One learner in one course, as the pages show it. Built for anonymous
    visitors too (nothing done, not enrolled) so templates need no special
    case."""

    course: CoursePage
    course_key: UUID
    enrollment: Enrollment | None
    completion: CourseCompletion | None
    modules: list[ModuleProgress]
    required: int
    done: int
    done_block_ids: frozenset[str] = frozenset()
    # The first unfinished lesson that is open, in course order.
    next_lesson: LessonProgress | None = None
    # Where "Continue" leads: the last lesson opened while it is unfinished
    # and open, else `next_lesson`; None when every lesson is done.
    resume_lesson: LessonProgress | None = None
    _lessons: dict = field(default_factory=dict, repr=False)
    _module_of: dict = field(default_factory=dict, repr=False)

    @property
    def is_enrolled(self) -> bool:
        return self.enrollment is not None and self.enrollment.status == Enrollment.Status.ACTIVE

    @property
    def was_enrolled(self) -> bool:
        return self.enrollment is not None and self.enrollment.status == Enrollment.Status.WITHDRAWN

    @property
    def percent(self) -> int:
        return _percent(self.done, self.required)

    @property
    def completed(self) -> bool:
        return self.completion is not None

    @property
    def finished(self) -> bool:
        """Every lesson of the course is done (the course's completion may
        still wait for more, e.g. a blended course's live attendance)."""
        return bool(self._lessons) and all(lesson.done for lesson in self._lessons.values())

    def lesson(self, lesson_key: UUID) -> LessonProgress | None:
        return self._lessons.get(lesson_key)

    def module_of(self, lesson_key: UUID) -> ModuleProgress | None:
        return self._module_of.get(lesson_key)

    def module(self, module_key: UUID) -> ModuleProgress | None:
        return next((module for module in self.modules if module.translation_key == module_key), None)


@dataclass
class DashboardCourse:
    course: CoursePage
    course_key: UUID
    enrollment: Enrollment | None
    required: int
    done: int
    # The lesson "Continue" opens (`CourseProgress.resume_lesson`, in the
    # learner's language); None before the first lesson and once finished.
    continue_page: Page | None = None
    # Every lesson done: the dashboard says so instead of "Continue".
    finished: bool = False
    completed_at: datetime | None = None

    @property
    def percent(self) -> int:
        return _percent(self.done, self.required)


@dataclass
class Dashboard:
    active: list[DashboardCourse]
    completed: list[DashboardCourse]


@dataclass(frozen=True)
class LessonAccess:
    """Whether `learner` may record evidence in a lesson, and why not."""

    course: CoursePage | None
    course_key: UUID | None
    enrollment: Enrollment | None
    visible: bool
    locked: bool
    progress: CourseProgress | None

    @property
    def is_enrolled(self) -> bool:
        return self.enrollment is not None and self.enrollment.status == Enrollment.Status.ACTIVE


def _percent(done: int, required: int) -> int:
    return 100 if not required else int(done * 100 / required)


def _lesson_done(*, blocks_done: list[bool], visited: bool) -> bool:
    return all(blocks_done) if blocks_done else visited


def _lesson_to_resume(lessons: list[tuple[UUID, bool, bool]], last_key: UUID | None) -> UUID | None:
    """The lesson "Continue" opens, from (lesson key, done, locked) in course
    order: the last lesson opened while it is unfinished and open, else the
    first unfinished open one; None when there is none (all done)."""
    state = {key: (done, locked) for key, done, locked in lessons}
    if last_key in state and state[last_key] == (False, False):
        return last_key
    return next((key for key, done, locked in lessons if not done and not locked), None)


def _canonical_copies(course_keys) -> dict[UUID, CoursePage]:
    """The canonical copy of each course (the first created live copy, as
    `services.course_canonical`), one query for the keys not yet read in
    this request."""
    keys = list(course_keys)
    return memoised(("canonical-copies", *sorted(str(key) for key in keys)), lambda: _read_canonical_copies(keys))


def _read_canonical_copies(course_keys: list) -> dict[UUID, CoursePage]:
    canonical: dict[UUID, CoursePage] = {}
    for page in CoursePage.objects.live().filter(translation_key__in=course_keys).order_by("pk"):
        canonical.setdefault(page.translation_key, page)
    return canonical


def _required_by_module(outline: list[ModuleOutline]) -> list[tuple[UUID, set[str]]]:
    return [
        (module.translation_key, {block.id for lesson in module.lessons for block in lesson.required_blocks})
        for module in outline
    ]


def _locked_module_keys(*, sequential: bool, required_by_module, done_ids: set[str]) -> set[UUID]:
    """Sequential courses: a module opens when every required block of the
    modules before it (in the canonical copy) is complete."""
    if not sequential:
        return set()
    locked: set[UUID] = set()
    blocked = False
    for module_key, required in required_by_module:
        if blocked:
            locked.add(module_key)
        if required - done_ids:
            blocked = True
    return locked


# --- Questions ------------------------------------------------------------------------


def enrollment_for(*, learner, course_key: UUID) -> Enrollment | None:
    """The learner's enrolment in the course (active or withdrawn), or None."""
    if not getattr(learner, "is_authenticated", False):
        return None
    return Enrollment.objects.filter(learner=learner, course_key=course_key).first()


def course_of(*, page: Page) -> CoursePage | None:
    """The course a course, module or lesson page belongs to (one query at
    most, once per request)."""
    return memoised(("course_of", page.pk), lambda: _course_of(page))


def _course_of(page: Page) -> CoursePage | None:
    specific_class = page.specific_class
    if specific_class is CoursePage:
        return page.specific if not isinstance(page, CoursePage) else page
    if specific_class is ModulePage:
        levels = 1
    elif specific_class is LessonPage:
        levels = 2
    else:
        return None
    # The course and its live copies in every language, the first of which
    # is the canonical copy progress is measured on (kept by the process
    # until a course page changes).
    course_path = page.path[: -Page.steplen * levels]
    rows = courses_at_path(course_path)
    course = next((row for row in rows if row.path == course_path), None)
    if course is not None:
        copies = [row for row in rows if row.live and row.translation_key == course.translation_key]
        key = ("canonical-copies", str(course.translation_key))
        if memo_get(key) is None:
            memo_set(key, {course.translation_key: copies[0]} if copies else {})
    return course


def course_progress_for(*, learner, course: CoursePage) -> CourseProgress:
    """The learner's progress in `course`, laid out as the displayed copy's
    modules → lessons → required blocks, with done and locked flags, the
    percentage per module and for the course, the next lesson to take and
    the lesson to continue. At most eight queries for any course size, once
    per request until new evidence is recorded (learning/services.py
    forgets it then)."""
    learner_pk = learner.pk if getattr(learner, "is_authenticated", False) else None
    return memoised(("progress", learner_pk, course.pk), lambda: _course_progress_for(learner=learner, course=course))


def _course_progress_for(*, learner, course: CoursePage) -> CourseProgress:
    course_key = course.translation_key
    canonical = _canonical_copies([course_key]).get(course_key) or course
    outlines = course_outlines(courses=[course, canonical] if canonical.pk != course.pk else [course])
    displayed, canonical_outline = outlines[course.pk], outlines[canonical.pk]

    enrollment = completion = None
    done_ids: set[str] = set()
    visited: set[UUID] = set()
    if getattr(learner, "is_authenticated", False):
        enrollment, completion = _enrollment_and_completion(learner=learner, course_key=course_key)
        done_ids, visited = _evidence_of(learner=learner, course_key=course_key)

    required_by_module = _required_by_module(canonical_outline)
    canonical_required = dict(required_by_module)
    all_required = set().union(*canonical_required.values()) if canonical_required else set()
    locked_keys = _locked_module_keys(
        sequential=canonical.sequential, required_by_module=required_by_module, done_ids=done_ids
    )

    progress = CourseProgress(
        course=course,
        course_key=course_key,
        enrollment=enrollment,
        completion=completion,
        modules=[],
        required=len(all_required),
        done=len(all_required & done_ids),
        done_block_ids=frozenset(done_ids),
    )
    for module in displayed:
        locked = module.translation_key in locked_keys
        required = canonical_required.get(
            module.translation_key, {b.id for lesson in module.lessons for b in lesson.required_blocks}
        )
        lessons = [
            LessonProgress(
                page=lesson.page,
                blocks=[BlockProgress(id=b.id, kind=b.kind, done=b.id in done_ids) for b in lesson.required_blocks],
                visited=lesson.translation_key in visited,
                locked=locked,
            )
            for lesson in module.lessons
        ]
        module_progress = ModuleProgress(
            page=module.page, lessons=lessons, required=len(required), done=len(required & done_ids), locked=locked
        )
        progress.modules.append(module_progress)
        for lesson in lessons:
            progress._lessons[lesson.translation_key] = lesson
            progress._module_of[lesson.translation_key] = module_progress
            if progress.next_lesson is None and not lesson.locked and not lesson.done:
                progress.next_lesson = lesson

    resume_key = _lesson_to_resume(
        [(key, lesson.done, lesson.locked) for key, lesson in progress._lessons.items()],
        enrollment.last_lesson_key if enrollment else None,
    )
    progress.resume_lesson = progress.lesson(resume_key) if resume_key else None
    return progress


def _evidence_of(*, learner, course_key: UUID) -> tuple[set[str], set[UUID]]:
    """The blocks the learner completed and the lessons they opened in the
    course, in one query (a UNION ALL of the two tables)."""
    blocks = BlockCompletion.objects.filter(learner=learner, course_key=course_key).values_list(
        Value("b", output_field=CharField()), "block_id"
    )
    visits = LessonVisit.objects.filter(learner=learner, course_key=course_key).values_list(
        Value("v", output_field=CharField()), Cast("lesson_key", output_field=CharField())
    )
    done_ids: set[str] = set()
    visited: set[UUID] = set()
    for kind, value in blocks.union(visits, all=True):
        if kind == "b":
            done_ids.add(value)
        else:
            visited.add(UUID(value))
    return done_ids, visited


def _enrollment_and_completion(*, learner, course_key: UUID) -> tuple[Enrollment | None, CourseCompletion | None]:
    """The learner's enrolment and course completion, in one query when
    they are enrolled (the completion rides along as two columns)."""
    completions = CourseCompletion.objects.filter(learner=learner, course_key=course_key)
    enrollment = (
        Enrollment.objects.filter(learner=learner, course_key=course_key)
        .annotate(
            completion_pk=Subquery(completions.values("pk")[:1]),
            completion_at=Subquery(completions.values("completed_at")[:1]),
        )
        .first()
    )
    if enrollment is None:
        return None, completions.first()
    if enrollment.completion_pk is None:
        return enrollment, None
    completion = CourseCompletion(
        pk=enrollment.completion_pk, learner=learner, course_key=course_key, completed_at=enrollment.completion_at
    )
    completion._state.adding = False
    completion._state.db = enrollment._state.db
    return enrollment, completion


def block_completed(*, learner, block_id: str) -> bool:
    return BlockCompletion.objects.filter(learner=learner, block_id=block_id).exists()


def lesson_access(*, learner, lesson: LessonPage) -> LessonAccess:
    """May `learner` work in `lesson` now? Visible means the lesson is live
    and part of its live course's outline; locked is the sequential rule."""
    course = course_of(page=lesson)
    if course is None or not course.live or not lesson.live:
        return LessonAccess(course=course, course_key=None, enrollment=None, visible=False, locked=False, progress=None)
    progress = course_progress_for(learner=learner, course=course)
    entry = progress.lesson(lesson.translation_key)
    return LessonAccess(
        course=course,
        course_key=course.translation_key,
        enrollment=progress.enrollment,
        visible=entry is not None,
        locked=bool(entry and entry.locked),
        progress=progress,
    )


def lesson_is_locked(*, learner, lesson: LessonPage) -> bool:
    """True when the course is sequential and an earlier module still has
    required blocks the learner has not completed."""
    return lesson_access(learner=learner, lesson=lesson).locked


def lesson_for_key(*, lesson_key: UUID, language_code: str | None = None) -> LessonPage | None:
    """The live lesson with this translation key, in `language_code` when
    that copy exists, else the first copy created. One query."""
    language_code = language_code or translation.get_language()
    copies = list(LessonPage.objects.live().filter(translation_key=lesson_key).select_related("locale").order_by("pk"))
    for copy in copies:
        if copy.locale.language_code == language_code:
            return copy
    return copies[0] if copies else None


def course_for_key(*, course_key: UUID, language_code: str | None = None) -> CoursePage | None:
    """The live course with this translation key in `language_code` when
    that copy exists, else its canonical copy. One query."""
    language_code = language_code or translation.get_language()
    copies = list(CoursePage.objects.live().filter(translation_key=course_key).select_related("locale").order_by("pk"))
    for copy in copies:
        if copy.locale.language_code == language_code:
            return copy
    return copies[0] if copies else None


def quiz_attempts_for(*, learner, lesson: LessonPage) -> dict[str, list[QuizAttempt]]:
    """{block id: the learner's attempts, oldest first} for the quizzes of
    one lesson. One query; empty for anonymous visitors."""
    if not getattr(learner, "is_authenticated", False):
        return {}
    attempts: dict[str, list[QuizAttempt]] = {}
    for attempt in QuizAttempt.objects.filter(learner=learner, lesson_key=lesson.translation_key).order_by(
        "attempt_number"
    ):
        attempts.setdefault(attempt.block_id, []).append(attempt)
    return attempts


def reflections_for(*, learner, lesson: LessonPage) -> dict[str, Reflection]:
    """{block id: reflection} of `learner` in one lesson: only ever the
    requesting learner's own (callers pass request.user). One query."""
    if not getattr(learner, "is_authenticated", False):
        return {}
    return {
        reflection.block_id: reflection
        for reflection in Reflection.objects.filter(learner=learner, lesson_key=lesson.translation_key)
    }


def dashboard_for(*, learner, language_code: str | None = None) -> Dashboard:
    """The learner's active courses (percent, lesson to continue in their
    language when that copy exists: the first unfinished lesson, as on the
    course page) and completed courses (with dates). Eight queries at most,
    whatever the number of enrolments."""
    language_code = language_code or translation.get_language()
    if not getattr(learner, "is_authenticated", False):
        return Dashboard(active=[], completed=[])
    enrollments = {e.course_key: e for e in Enrollment.objects.filter(learner=learner).order_by("-last_activity_at", "-enrolled_at")}
    completions = {c.course_key: c for c in CourseCompletion.objects.filter(learner=learner).order_by("-completed_at")}
    active_keys = [key for key, e in enrollments.items() if e.status == Enrollment.Status.ACTIVE and key not in completions]
    keys = set(active_keys) | set(completions)
    if not keys:
        return Dashboard(active=[], completed=[])

    canonical: dict[UUID, CoursePage] = {}
    displayed: dict[UUID, CoursePage] = {}
    for page in CoursePage.objects.live().filter(translation_key__in=keys).select_related("locale").order_by("pk"):
        canonical.setdefault(page.translation_key, page)
        if page.locale.language_code == language_code:
            displayed[page.translation_key] = page
    outlines = course_outlines(courses=[canonical[key] for key in active_keys if key in canonical])
    done_by_course: dict[UUID, set[str]] = {}
    visited_by_course: dict[UUID, set[UUID]] = {}
    if active_keys:
        for course_key, block_id in BlockCompletion.objects.filter(
            learner=learner, course_key__in=active_keys
        ).values_list("course_key", "block_id"):
            done_by_course.setdefault(course_key, set()).add(block_id)
        for course_key, lesson_key in LessonVisit.objects.filter(
            learner=learner, course_key__in=active_keys
        ).values_list("course_key", "lesson_key"):
            visited_by_course.setdefault(course_key, set()).add(lesson_key)

    # Where "Continue" leads in each course, decided on the canonical copy
    # as on the course page (`course_progress_for`): lesson keys are shared
    # by every copy.
    resume_keys: dict[UUID, UUID | None] = {}
    finished: set[UUID] = set()
    for key in active_keys:
        if key not in canonical or not enrollments[key].last_lesson_key:
            continue
        course = canonical[key]
        outline = outlines[course.pk]
        done_ids, visited = done_by_course.get(key, set()), visited_by_course.get(key, set())
        locked_keys = _locked_module_keys(
            sequential=course.sequential, required_by_module=_required_by_module(outline), done_ids=done_ids
        )
        states = [
            (
                lesson.translation_key,
                _lesson_done(
                    blocks_done=[block.id in done_ids for block in lesson.required_blocks],
                    visited=lesson.translation_key in visited,
                ),
                module.translation_key in locked_keys,
            )
            for module in outline
            for lesson in module.lessons
        ]
        resume_keys[key] = _lesson_to_resume(states, enrollments[key].last_lesson_key)
        if states and all(done for _, done, _ in states):
            finished.add(key)
    lessons: dict[UUID, LessonPage] = {}
    wanted = [lesson_key for lesson_key in resume_keys.values() if lesson_key]
    if wanted:
        for lesson in LessonPage.objects.live().filter(translation_key__in=wanted).select_related("locale").defer("body").order_by("pk"):
            if lesson.translation_key not in lessons or lesson.locale.language_code == language_code:
                lessons[lesson.translation_key] = lesson

    active = []
    for key in active_keys:
        if key not in canonical:
            continue  # unpublished since: nothing to show or continue
        course = canonical[key]
        required = {b.id for m in outlines[course.pk] for lesson in m.lessons for b in lesson.required_blocks}
        enrollment = enrollments[key]
        # Not started yet (no lesson opened): the template links to the
        # course page instead, where "Start" leads to the first lesson.
        resume_key = resume_keys.get(key)
        active.append(
            DashboardCourse(
                course=displayed.get(key, course),
                course_key=key,
                enrollment=enrollment,
                required=len(required),
                done=len(required & done_by_course.get(key, set())),
                continue_page=lessons.get(resume_key) if resume_key else None,
                finished=key in finished,
            )
        )
    completed = [
        DashboardCourse(
            course=displayed.get(key, canonical[key]),
            course_key=key,
            enrollment=enrollments.get(key),
            required=0,
            done=0,
            completed_at=completion.completed_at,
        )
        for key, completion in completions.items()
        if key in canonical
    ]
    return Dashboard(active=active, completed=completed)
