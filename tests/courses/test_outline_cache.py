"""Course outlines are cached across requests (courses/selectors.py) and a
new generation starts whenever a course, module or lesson page changes:
every change an editor can make shows in the next request's outline, with no
query while nothing changed."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from courses.pages import LessonPage, ModulePage
from courses.selectors import OUTLINE_GENERATION_KEY, course_outline
from tests.courses.test_pages import add, make_course, make_home, make_partner

pytestmark = pytest.mark.django_db


def _titles(course) -> list[list[str]]:
    """The outline as a new request reads it (no per-request memo here:
    outside a request nothing is memoised, so this is the cache or the
    database)."""
    return [[lesson.title for lesson in module.lessons] for module in course_outline(course=course)]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_cached_outline_costs_no_query(django_assert_num_queries):
    course = make_course(modules=2, lessons=3)
    _titles(course)
    with django_assert_num_queries(0):
        assert _titles(course) == [["Lesson 1.1", "Lesson 1.2", "Lesson 1.3"], ["Lesson 2.1", "Lesson 2.2", "Lesson 2.3"]]


def test_publishing_a_new_lesson_shows_in_the_next_outline():
    course = make_course(modules=1, lessons=1)
    _titles(course)
    module = ModulePage.objects.child_of(course).get()
    add(module, LessonPage(title="Lesson 1.2", estimated_minutes=5))
    assert _titles(course) == [["Lesson 1.1", "Lesson 1.2"]]


def test_unpublishing_and_republishing_a_lesson():
    course = make_course(modules=1, lessons=2)
    _titles(course)
    lesson = LessonPage.objects.descendant_of(course).last()
    lesson.unpublish()
    assert _titles(course) == [["Lesson 1.1"]]
    lesson.save_revision().publish()
    assert _titles(course) == [["Lesson 1.1", "Lesson 1.2"]]


def test_a_published_title_change_and_a_draft_one():
    course = make_course(modules=1, lessons=1)
    _titles(course)
    lesson = LessonPage.objects.descendant_of(course).get()
    lesson.title = "Renamed draft"
    lesson.save_revision()  # a draft: learners still see the live title
    assert _titles(course) == [["Lesson 1.1"]]
    lesson.get_latest_revision().publish()
    assert _titles(course) == [["Renamed draft"]]


def test_moving_a_lesson_to_another_module_and_reordering():
    course = make_course(modules=2, lessons=2)
    _titles(course)
    first, second = ModulePage.objects.child_of(course).order_by("path")
    lesson = LessonPage.objects.child_of(first).order_by("path").first()
    lesson.move(second, pos="last-child")
    assert _titles(course) == [["Lesson 1.2"], ["Lesson 2.1", "Lesson 2.2", "Lesson 1.1"]]
    moved = LessonPage.objects.get(pk=lesson.pk)
    moved.move(LessonPage.objects.child_of(second).order_by("path").first(), pos="left")
    assert _titles(course) == [["Lesson 1.2"], ["Lesson 1.1", "Lesson 2.1", "Lesson 2.2"]]


def test_deleting_a_module_takes_its_lessons_out():
    course = make_course(modules=2, lessons=1)
    _titles(course)
    ModulePage.objects.child_of(course).order_by("path").first().delete()
    assert _titles(course) == [["Lesson 2.1"]]


def test_another_course_changing_does_not_serve_stale_data_for_this_one():
    home, partner = make_home(), make_partner()
    one = make_course(home=home, partner=partner, modules=1, lessons=1)
    two = make_course(home=home, partner=partner, modules=1, lessons=1)
    _titles(one), _titles(two)
    add(ModulePage.objects.child_of(two).get(), LessonPage(title="Only in two", estimated_minutes=5))
    assert _titles(one) == [["Lesson 1.1"]]
    assert _titles(two) == [["Lesson 1.1", "Only in two"]]


def test_a_lost_generation_never_brings_back_an_old_outline():
    """The generation key evicted (cache full, Redis restarted without the
    key): the new generation is a new number, so entries written under any
    earlier one are not read."""
    course = make_course(modules=1, lessons=1)
    _titles(course)
    old_generation = cache.get(OUTLINE_GENERATION_KEY)
    add(ModulePage.objects.child_of(course).get(), LessonPage(title="Lesson 1.2", estimated_minutes=5))
    cache.delete(OUTLINE_GENERATION_KEY)
    assert _titles(course) == [["Lesson 1.1", "Lesson 1.2"]]
    assert cache.get(OUTLINE_GENERATION_KEY) not in (None, 0, old_generation)


def test_the_lesson_page_costs_the_same_queries_for_any_course_size_and_learners(client):
    """An enrolled learner opening a lesson again (the common request):
    routing, their progress and the visit, the page. Constant in lessons
    and learners; the outline comes from the cache."""
    from accounts.models import User
    from learning.services import enrollment_create
    from tests.courses.test_pages import count_queries, lessons_of

    home, partner = make_home(), make_partner()
    body = [("text", {"text": "<p>Read me.</p>", "required": True})]
    small = make_course(home=home, partner=partner, modules=1, lessons=2, body=body)
    large = make_course(home=home, partner=partner, modules=5, lessons=10, body=body)
    learner = User.objects.create_user(email="learner@example.org", password="x" * 12)
    others = User.objects.bulk_create([User(email=f"other{n}@example.org") for n in range(30)])
    for course in (small, large):
        type(course).objects.filter(pk=course.pk).update(is_public=True)
        for person in (learner, *others):
            enrollment_create(learner=person, course_key=course.translation_key)
    client.force_login(learner)

    small_count = count_queries(client, lessons_of(small)[1].url)
    large_count = count_queries(client, lessons_of(large)[25].url)
    assert small_count == large_count
    assert large_count <= 20


# --- Which course a lesson belongs to (courses_at_path) --------------------------------


def test_the_course_of_a_lesson_is_kept_until_a_course_page_changes(django_assert_num_queries):
    from courses.selectors import course_at_path

    course = make_course(modules=1, lessons=1)
    lesson = LessonPage.objects.descendant_of(course).get()
    course_path = lesson.path[: -2 * LessonPage.steplen]
    assert course_at_path(course_path).pk == course.pk
    with django_assert_num_queries(0):
        assert course_at_path(course_path).title == course.title
    course.title = "Renamed course"
    course.save_revision().publish()
    assert course_at_path(course_path).title == "Renamed course"
    course.unpublish()
    # Unpublished, it is still the lesson's course (a preview), never a live copy.
    found = course_at_path(course_path)
    assert found.pk == course.pk and not found.live
