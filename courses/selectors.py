"""Questions about courses, for the course templates and the learning app.

Every function here runs a fixed number of queries whatever the number of
modules, lessons or blocks (tests/courses/test_pages.py counts them): the
outline is two queries, and a lesson's blocks are read from the page's JSON
(`StreamValue.raw_data`) without resolving images, documents or packages.

Evidence keys: the learning app records progress on (course
translation_key, lesson translation_key, block id); `BlockRef.id` is that
block id and is the same in every translation (see courses/blocks.py).
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from uuid import UUID

from django.core.cache import cache
from django.db.models import Q, prefetch_related_objects
from wagtail.blocks import StreamValue
from wagtail.models import Page

from config.cache_generations import generation, generation_bump
from config.request_memo import memo_get, memo_set, memoised

from .blocks import LessonStreamBlock
from .pages import CourseIndexPage, CoursePage, LessonPage, ModulePage

_KINDS = frozenset(LessonStreamBlock.base_blocks)

# A request reads each course's outline once (config/request_memo.py).


@dataclass(frozen=True)
class BlockRef:
    """A required block of a lesson: its stable id and its kind (the
    StreamField block name: text, image, video, resource, h5p, quiz,
    reflection, session)."""

    id: str
    kind: str
    # The H5P package an "h5p" block plays (its primary key as stored in the
    # page's JSON), so that completion can tell the packages that complete
    # on viewing without resolving the block.
    package_id: int | None = None


@dataclass
class LessonOutline:
    page: LessonPage
    required_blocks: list[BlockRef] = field(default_factory=list)

    @property
    def translation_key(self) -> UUID:
        return self.page.translation_key

    @property
    def title(self) -> str:
        return self.page.title


@dataclass
class ModuleOutline:
    page: ModulePage
    lessons: list[LessonOutline] = field(default_factory=list)

    @property
    def translation_key(self) -> UUID:
        return self.page.translation_key

    @property
    def title(self) -> str:
        return self.page.title

    @property
    def estimated_minutes(self) -> int:
        return sum(lesson.page.estimated_minutes for lesson in self.lessons)


def courses_in(*, index: CourseIndexPage) -> list[CoursePage]:
    """The live courses under a course index, in tree order (one query)."""
    return list(CoursePage.objects.live().child_of(index).select_related("partner").order_by("path"))


def trainers_of(*, course: CoursePage) -> list:
    """The course's trainers (users) in the editor's order (one query)."""
    return [row.user for row in course.trainers.select_related("user").order_by("sort_order")]


def course_outline(*, course: CoursePage) -> list[ModuleOutline]:
    """The live modules of `course`, in tree order, each with its live
    lessons and their required blocks. Two queries (none when already read
    in this request).

    A lesson under an unpublished module is left out: it is not part of the
    course learners see, so it cannot be required for completion.
    """
    return course_outlines(courses=[course])[course.pk]


def course_outlines(*, courses: list[CoursePage]) -> dict[int, list[ModuleOutline]]:
    """`course_outline` for several courses at once: {course pk: outline}.
    Read once per request (the memo), from the cache while no course page
    changed (see `outline_cache_clear`), else from the database: two queries
    for all the courses not found (the dashboard asks for every course a
    learner takes)."""
    courses = [course for course in courses if course is not None]
    known = {course.pk: memo_get(("outline", course.pk)) for course in courses}
    missing = [course for course in courses if known[course.pk] is None]
    if missing:
        keys = _outline_cache_keys([course.pk for course in missing])
        in_process = {key: _process_outlines[key] for key in keys.values() if key in _process_outlines}
        cached = {**in_process, **cache.get_many([key for key in keys.values() if key not in in_process])}
        for course in list(missing):
            outline = cached.get(keys[course.pk])
            if outline is not None:
                known[course.pk] = outline
                memo_set(("outline", course.pk), outline)
                _process_outlines[keys[course.pk]] = outline
                missing.remove(course)
    if missing:
        read = _read_outlines(missing)
        cache.set_many({keys[pk]: outline for pk, outline in read.items()}, OUTLINE_CACHE_SECONDS)
        for pk, outline in read.items():
            memo_set(("outline", pk), outline)
            _process_outlines[keys[pk]] = outline
            known[pk] = outline
    return known


# --- Outline cache ------------------------------------------------------------------
# Course outlines change only when a course, module or lesson page is saved,
# published, unpublished, moved or deleted; `outline_cache_clear` (connected
# to those signals in courses/apps.py) then starts a new generation, and the
# entries of the old one are never read again. The generation lives in the
# same cache as the entries, so every process sharing the cache (Redis in
# production, a file cache in `make run`) sees a change at once, and reads
# it on each request before its in-process copies.
OUTLINE_GENERATION_KEY = "courses:outline:generation"
OUTLINE_CACHE_SECONDS = 24 * 60 * 60


def _outline_generation() -> int:
    return generation(OUTLINE_GENERATION_KEY)


# Each process also keeps the current generation's outlines as objects:
# reading 200 lessons back from the shared cache (unpickling their pages)
# costs about 20 ms a request, the generation check a fraction of one.
# Outlines are shared between requests and never changed once built.
# The course pages found at a path (`courses_at_path`) are kept the same way.
_process_outlines: dict[str, list] = {}
_process_generation: list[int] = [0]


def _outline_cache_keys(pks: list[int]) -> dict[int, str]:
    current = _outline_generation()
    if _process_generation[0] != current:
        _process_outlines.clear()
        _process_generation[0] = current
    return {pk: f"courses:outline:{current}:{pk}" for pk in pks}


def courses_at_path(course_path: str) -> list[CoursePage]:
    """The course page at `course_path` (any state) and the live copies of
    that course in every language, in creation order (the first live one is
    the canonical copy progress is measured on). One query, then none in
    this process until a course page changes (the outline generation): every
    lesson request asks which course the lesson belongs to. The pages are
    shared between requests and must not be changed."""
    current = _outline_generation()
    if _process_generation[0] != current:
        _process_outlines.clear()
        _process_generation[0] = current
    key = f"courses-at:{current}:{course_path}"
    rows = _process_outlines.get(key)
    if rows is None:
        same_course = CoursePage.objects.filter(path=course_path).values("translation_key")
        rows = list(
            CoursePage.objects.filter(Q(path=course_path) | Q(live=True, translation_key__in=same_course)).order_by("pk")
        )
        _process_outlines[key] = rows
    return rows


def course_at_path(course_path: str) -> CoursePage | None:
    return next((row for row in courses_at_path(course_path) if row.path == course_path), None)


def outline_cache_clear(**kwargs) -> None:
    """Start a new outline generation (a signal receiver: any arguments)."""
    generation_bump(OUTLINE_GENERATION_KEY)


def _read_outlines(courses: list[CoursePage]) -> dict[int, list[ModuleOutline]]:
    module_filter = functools.reduce(operator.or_, (Q(path__startswith=c.path, depth=c.depth + 1) for c in courses))
    lesson_filter = functools.reduce(operator.or_, (Q(path__startswith=c.path, depth=c.depth + 2) for c in courses))
    by_path = {course.path: course.pk for course in courses}
    result: dict[int, list[ModuleOutline]] = {course.pk: [] for course in courses}
    modules: dict[str, ModuleOutline] = {}
    for module in ModulePage.objects.live().filter(module_filter).order_by("path"):
        outline = ModuleOutline(page=module)
        modules[module.path] = outline
        result[by_path[module.path[: -Page.steplen]]].append(outline)
    if modules:
        for lesson in LessonPage.objects.live().filter(lesson_filter).order_by("path"):
            module = modules.get(lesson.path[: -Page.steplen])
            if module is not None:
                module.lessons.append(LessonOutline(page=lesson, required_blocks=required_blocks_for(lesson)))
    return result


def required_blocks_for(lesson: LessonPage) -> list[BlockRef]:
    """The blocks of `lesson` that must be completed, in page order. No queries.

    Read from the stored JSON: a block saved before `required` existed, or
    built in code without it, counts as required (the block's default).
    Blocks of a kind that no longer exists in LessonStreamBlock are ignored.
    """
    refs = []
    for item in _raw_blocks(lesson.body):
        kind = item.get("type")
        value = item.get("value")
        if kind not in _KINDS or not item.get("id"):
            continue
        if isinstance(value, dict) and not value.get("required", True):
            continue
        package_id = value.get("package") if kind == "h5p" and isinstance(value, dict) else None
        refs.append(
            BlockRef(id=str(item["id"]), kind=kind, package_id=package_id if isinstance(package_id, int) else None)
        )
    return refs


def lesson_block(*, lesson: LessonPage, block_id: str):
    """The bound block (`.id`, `.block_type`, `.value`) of `lesson` with
    this id, or None: how the learning app reads a quiz's answers or an H5P
    activity's threshold when it marks an attempt."""
    for child in lesson.body:
        if child.id == block_id:
            return child
    return None


def module_context(*, module: ModulePage) -> dict:
    """What a module page shows: its course and its live lessons (two queries)."""
    course = CoursePage.objects.filter(path=module.path[: -Page.steplen]).first()
    lessons = list(LessonPage.objects.live().child_of(module).defer("body").order_by("path"))
    return {"course": course, "lessons": lessons}


def lesson_context(*, lesson: LessonPage) -> dict:
    """What a lesson page shows around its blocks: the module and course
    (breadcrumbs), the course outline (the lesson page's side navigation),
    the previous and next lessons in course order (across modules), and the
    lesson's images with their renditions prefetched. A fixed number of
    queries for any number of blocks; chooser blocks (images, documents, H5P
    packages) are loaded in one query per kind by Wagtail itself.
    """
    module_path = lesson.path[: -Page.steplen]
    course_path = module_path[: -Page.steplen]
    # The same memo key as learning.selectors.course_of: read once per request.
    course = memoised(("course_of", lesson.pk), lambda: course_at_path(course_path))
    # From the (cached) outline: no query while the course is unchanged.
    outline = course_outline(course=course) if course is not None else []
    current_module = next((entry for entry in outline if entry.page.path == module_path), None)
    if current_module is not None:
        module = current_module.page
        previous_lesson, next_lesson = _neighbours([entry.page for m in outline for entry in m.lessons], lesson)
    else:
        # Not in the live outline (a preview, an unpublished module): the
        # module's live lessons only, and no outline.
        outline = []
        module = Page.objects.filter(path=module_path).first()
        siblings = list(
            Page.objects.live()
            .filter(path__startswith=module_path, depth=lesson.depth)
            .order_by("path")
            .only("id", "title", "path", "url_path", "depth", "locale_id", "translation_key")
        )
        previous_lesson, next_lesson = _neighbours(siblings, lesson)

    images = [
        child.value["image"]
        for child in lesson.body
        if child.block_type == "image" and child.value.get("image") is not None
    ]
    if images:
        prefetch_related_objects(images, "renditions")
    return {
        "module": module,
        "course": course,
        "outline": outline,
        "outline_module": current_module,
        "previous_lesson": previous_lesson,
        "next_lesson": next_lesson,
        "required_block_ids": {ref.id for ref in required_blocks_for(lesson)},
    }


def _neighbours(pages: list[Page], lesson: LessonPage) -> tuple[Page | None, Page | None]:
    """The pages before and after `lesson` in `pages`, or (None, None)
    when it is not among them (a draft lesson's preview)."""
    position = next((i for i, page in enumerate(pages) if page.pk == lesson.pk), None)
    if position is None:
        return None, None
    return (pages[position - 1] if position > 0 else None, pages[position + 1] if position + 1 < len(pages) else None)


def session_blocks_of(lesson: LessonPage) -> list[tuple[str, object]]:
    """The face-to-face session blocks of `lesson` as (block id, value), in
    page order. Read from the stored JSON: only these blocks are converted,
    not the whole body (a trainer's grid lists them for 200 lessons)."""
    block = LessonStreamBlock.base_blocks["session"]
    return [
        (str(item["id"]), block.to_python(item.get("value") or {}))
        for item in _raw_blocks(lesson.body)
        if item.get("type") == "session" and item.get("id")
    ]


def _raw_blocks(stream: StreamValue):
    raw = stream.raw_data if isinstance(stream, StreamValue) else (stream or [])
    return [item for item in raw if isinstance(item, dict)]
