"""Questions the trainers' pages ask: which cohorts a user may follow, how
far each learner of a cohort has got, who attended a face-to-face session.

The partner scope lives in one place, `cohorts_visible_to`: every trainer
view fetches its cohort through it (`get_object_or_404(cohorts_visible_to(
user=...), pk=...)`), so another partner's cohort is a 404, never a 403
(tests/learning/test_trainer_permissions.py walks every trainer URL).

What trainers never see here: the text of a learner's reflections (only
that the block is completed) and learners of other partners.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import translation

from accounts.models import User
from courses.pages import CoursePage, LessonPage, ModulePage
from courses.selectors import ModuleOutline, course_outline, lesson_block, session_blocks_of
from partners.models import Partner, Role
from partners.selectors import partners_for, roles_of

from .models import BlockCompletion, Cohort, CourseCompletion, Enrollment, SessionAttendance
from .services import course_canonical

TRAINER_ROLES = (Role.TRAINER, Role.COORDINATOR)


# --- Scope ---------------------------------------------------------------------------


def cohorts_visible_to(*, user) -> QuerySet[Cohort]:
    """The cohorts `user` may follow: those they train, every cohort of a
    partner they coordinate, and all of them for staff. The one choke point
    of the trainer side."""
    if not getattr(user, "is_authenticated", False):
        return Cohort.objects.none()
    if user.is_staff:
        return Cohort.objects.all()
    coordinated = partners_for(user=user, roles=[Role.COORDINATOR])
    return Cohort.objects.filter(Q(trainers=user) | Q(partner__in=coordinated)).distinct()


def is_trainer_side_user(*, user) -> bool:
    """Whether the trainer pages exist for `user` at all (others get 404)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or bool(roles_of(user=user) & set(TRAINER_ROLES))


def partners_for_cohort_creation(*, user) -> QuerySet[Partner]:
    """Partners `user` may create a cohort for: where they train or coordinate."""
    if getattr(user, "is_authenticated", False) and user.is_staff:
        return Partner.objects.filter(is_active=True)
    return partners_for(user=user, roles=TRAINER_ROLES).filter(is_active=True)


def courses_for_cohort_creation(*, user) -> list[CoursePage]:
    """The courses `user` may run a cohort of: those owned by a partner they
    train or coordinate for, and the public ones. One canonical copy per
    course (the first created), titled in the active language. Two queries."""
    courses = CoursePage.objects.live().order_by("pk")
    if not (getattr(user, "is_authenticated", False) and user.is_staff):
        courses = courses.filter(Q(is_public=True) | Q(partner__in=partners_for(user=user, roles=TRAINER_ROLES)))
    canonical: dict[UUID, CoursePage] = {}
    for course in courses.only("pk", "title", "translation_key", "partner_id", "is_public"):
        canonical.setdefault(course.translation_key, course)
    titles = course_titles(course_keys=list(canonical))
    for key, course in canonical.items():
        course.display_title = titles.get(key, course.title)
    return sorted(canonical.values(), key=lambda course: course.display_title.casefold())


def course_may_be_run_by(*, user, course: CoursePage) -> bool:
    if user.is_staff or course.is_public:
        return True
    return partners_for(user=user, roles=TRAINER_ROLES).filter(pk=course.partner_id).exists()


# --- Titles in the reader's language -------------------------------------------------


def _localised_titles(model, keys) -> dict[UUID, str]:
    """translation_key -> title of the live copy in the active language,
    else of the first copy created. One query."""
    keys = list(keys)
    if not keys:
        return {}
    language = translation.get_language() or "en"
    rows = (
        model.objects.live()
        .filter(translation_key__in=keys)
        .order_by("pk")
        .values_list("translation_key", "title", "locale__language_code")
    )
    titles: dict[UUID, str] = {}
    localised: dict[UUID, str] = {}
    for key, title, code in rows:
        titles.setdefault(key, title)
        if code == language:
            localised.setdefault(key, title)
    return {**titles, **localised}


def course_titles(*, course_keys) -> dict[UUID, str]:
    return _localised_titles(CoursePage, course_keys)


# --- Cohort list -------------------------------------------------------------------


def cohort_list_for(*, user) -> list[Cohort]:
    """The visible cohorts with their partner, trainers, course title (active
    language) and counts of active learners and of those who completed.
    A fixed number of queries for any number of cohorts."""
    active = Q(enrollments__status=Enrollment.Status.ACTIVE)
    completed = (
        CourseCompletion.objects.filter(
            course_key=OuterRef("course_key"),
            learner__enrollments__cohort=OuterRef("pk"),
            learner__enrollments__status=Enrollment.Status.ACTIVE,
        )
        .order_by()
        .values("course_key")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cohorts = list(
        Cohort.objects.filter(pk__in=cohorts_visible_to(user=user).values("pk"))
        .select_related("partner")
        .prefetch_related("trainers")
        .annotate(
            learner_count=Count("enrollments", filter=active),
            completed_count=Coalesce(Subquery(completed, output_field=IntegerField()), Value(0)),
        )
        .order_by("-starts_on", "name", "pk")
    )
    titles = course_titles(course_keys={cohort.course_key for cohort in cohorts})
    for cohort in cohorts:
        cohort.course_title = titles.get(cohort.course_key, "")
    return cohorts


def cohort_learners(*, cohort: Cohort, search: str | None = None) -> QuerySet[User]:
    """The cohort's active learners, by name then email."""
    learners = User.objects.filter(
        enrollments__cohort=cohort,
        enrollments__course_key=cohort.course_key,
        enrollments__status=Enrollment.Status.ACTIVE,
    )
    if search:
        learners = learners.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    return learners.order_by("full_name", "email")


# --- Progress grid -----------------------------------------------------------------


@dataclass
class GridColumn:
    """A module of the course: the key progress is counted on, its title in
    the active language, and how many required blocks it has."""

    key: UUID
    title: str
    required: int


@dataclass
class GridCell:
    done: int
    required: int

    @property
    def percent(self) -> int:
        return 100 if not self.required else int(self.done * 100 / self.required)


@dataclass
class GridRow:
    learner: User
    cells: list[GridCell]
    done: int
    required: int
    completed_at: datetime | None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def percent(self) -> int:
        return 100 if not self.required else int(self.done * 100 / self.required)


@dataclass
class SessionRef:
    """A face-to-face session block of the course, for the attendance links."""

    lesson_key: UUID
    lesson_title: str
    block_id: str
    title: str
    starts_at: datetime | None
    place: str


@dataclass
class CohortGrid:
    course: CoursePage | None
    course_title: str
    modules: list[GridColumn]  # every module (the filter's choices)
    columns: list[GridColumn]  # the modules shown
    rows: list[GridRow]
    sessions: list[SessionRef] = field(default_factory=list)


def _module_titles(keys) -> dict[UUID, str]:
    return _localised_titles(ModulePage, keys)


def _sessions_in(outline: list[ModuleOutline]) -> list[SessionRef]:
    sessions = []
    for module in outline:
        for lesson in module.lessons:
            for block_id, value in session_blocks_of(lesson.page):
                sessions.append(
                    SessionRef(
                        lesson_key=lesson.translation_key,
                        lesson_title=lesson.title,
                        block_id=block_id,
                        title=value.get("title", ""),
                        starts_at=value.get("starts_at"),
                        place=value.get("place", ""),
                    )
                )
    return sessions


def cohort_grid(
    *, cohort: Cohort, module_filter: UUID | None = None, search: str | None = None, learners: list | None = None
) -> CohortGrid:
    """Learners (rows) × modules (columns): the share of each module's
    required blocks the learner has completed, and course completion.

    A fixed number of queries whatever the number of learners or modules:
    the canonical course (1), its outline (2), module titles (1), learners
    (1), block completions counted per learner and module (1) and course
    completions (1). Completions are counted only for blocks the course
    requires now, so a block removed since the last recompute does not
    count twice.
    """
    course = course_canonical(course_key=cohort.course_key)
    outline = course_outline(course=course) if course is not None else []
    titles = _module_titles([module.translation_key for module in outline])
    course_title = course_titles(course_keys=[cohort.course_key]).get(cohort.course_key, "")

    module_lessons: list[list[UUID]] = []
    required_ids: set[str] = set()
    modules: list[GridColumn] = []
    for module in outline:
        block_ids = {block.id for lesson in module.lessons for block in lesson.required_blocks}
        required_ids |= block_ids
        modules.append(GridColumn(key=module.translation_key, title=titles.get(module.translation_key, module.title),
                                  required=len(block_ids)))
        module_lessons.append([lesson.translation_key for lesson in module.lessons])
    shown = [i for i, column in enumerate(modules) if module_filter is None or column.key == module_filter]

    if learners is None:  # one page of learners may be given (the grid view paginates)
        learners = list(cohort_learners(cohort=cohort, search=search))
    learner_ids = [learner.pk for learner in learners]
    done: dict[int, list[int]] = defaultdict(lambda: [0] * len(modules))
    if learner_ids and required_ids:
        # Counted in the database, one row per learner with a count per
        # module (each a filtered COUNT over the module's lessons): a
        # 500-learner cohort of a 200-lesson course would otherwise ship
        # ~50,000 rows to Python, and a CASE over 200 lessons is evaluated
        # lesson by lesson for every completion.
        per_module = {
            f"module_{index}": Count("pk", filter=Q(lesson_key__in=keys))
            for index, keys in enumerate(module_lessons)
            if keys
        }
        counts = (
            BlockCompletion.objects.filter(
                course_key=cohort.course_key, learner_id__in=learner_ids, block_id__in=required_ids
            )
            .order_by()
            .values("learner_id")
            .annotate(**per_module)
        )
        for row in counts:
            done[row["learner_id"]] = [row.get(f"module_{index}", 0) for index in range(len(modules))]
    completed_at = dict(
        CourseCompletion.objects.filter(course_key=cohort.course_key, learner_id__in=learner_ids).values_list(
            "learner_id", "completed_at"
        )
    ) if learner_ids else {}

    total_required = sum(column.required for column in modules)
    rows = []
    for learner in learners:
        per_module = done[learner.pk]
        rows.append(
            GridRow(
                learner=learner,
                cells=[GridCell(done=per_module[i], required=modules[i].required) for i in shown],
                done=sum(per_module),
                required=total_required,
                completed_at=completed_at.get(learner.pk),
            )
        )
    return CohortGrid(
        course=course,
        course_title=course_title,
        modules=modules,
        columns=[modules[i] for i in shown],
        rows=rows,
        sessions=_sessions_in(outline),
    )


# --- Face-to-face attendance ---------------------------------------------------------


@dataclass
class AttendanceRow:
    learner: User
    present: bool | None  # None: not registered yet
    registered_at: datetime | None


@dataclass
class AttendanceSheet:
    lesson: LessonPage
    lesson_key: UUID
    block_id: str
    session: dict  # the block's value: title, starts_at, duration_minutes, place, trainer_name
    rows: list[AttendanceRow]

    @property
    def present_ids(self) -> set[int]:
        return {row.learner.pk for row in self.rows if row.present}


def session_block_in(*, course_key: UUID, block_id: str, lesson_key: UUID | None = None):
    """(lesson outline, bound block) of the face-to-face session with this id
    in the course's live lessons (in the lesson `lesson_key` when given), or
    None when there is no such session block. Three queries."""
    course = course_canonical(course_key=course_key)
    if course is None:
        return None
    for module in course_outline(course=course):
        for lesson in module.lessons:
            if lesson_key is not None and str(lesson.translation_key) != str(lesson_key):
                continue
            block = lesson_block(lesson=lesson.page, block_id=str(block_id))
            if block is not None:
                return (lesson, block) if block.block_type == "session" else None
    return None


def cohort_attendance_sheet(*, cohort: Cohort, block_id: str, lesson_key: UUID | None = None) -> AttendanceSheet | None:
    """Every active learner of the cohort with what is registered for this
    face-to-face session (present, absent or nothing yet); None when the
    block is not a session of the cohort's course. Fixed queries."""
    found = session_block_in(course_key=cohort.course_key, block_id=block_id, lesson_key=lesson_key)
    if found is None:
        return None
    lesson, block = found
    learners = list(cohort_learners(cohort=cohort))
    registered = {
        row.learner_id: row
        for row in SessionAttendance.objects.filter(block_id=block_id, learner_id__in=[learner.pk for learner in learners])
    }
    rows = [
        AttendanceRow(
            learner=learner,
            present=registered[learner.pk].present if learner.pk in registered else None,
            registered_at=registered[learner.pk].registered_at if learner.pk in registered else None,
        )
        for learner in learners
    ]
    return AttendanceSheet(
        lesson=lesson.page, lesson_key=lesson.translation_key, block_id=str(block_id), session=dict(block.value), rows=rows
    )
