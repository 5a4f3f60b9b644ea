"""Finding one's way through a course from a lesson: Previous and Next in
course order (across modules, a locked lesson shown but not linked), the
course outline beside the lesson (the current module's lessons with the
learner's state, the other modules folded), and "Continue", which opens the
first unfinished lesson, on the course page and on the dashboard."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from courses.pages import CoursePage, LessonPage
from learning import services
from learning.models import CourseCompletion
from tests.courses.test_pages import count_queries, lessons_of, locale, make_course, make_home, make_partner, quiz_value
from tests.learning.conftest import complete_lesson, make_learner
from tests.learning.test_views import _translate_course, logged_in

pytestmark = pytest.mark.django_db

# Reading completes the text on the visit; the quiz is left to do.
BODY = [("text", {"text": "<p>Read me.</p>", "required": True}), ("quiz", quiz_value())]


def build(*, modules: int = 2, lessons: int = 2, sequential: bool = False, home=None, partner=None, **fields) -> CoursePage:
    course = make_course(home=home, partner=partner, modules=modules, lessons=lessons, body=BODY)
    CoursePage.objects.filter(pk=course.pk).update(is_public=True, sequential=sequential, **fields)
    course = CoursePage.objects.get(pk=course.pk)
    course.save_revision().publish()  # a new outline generation, with the new flags
    return CoursePage.objects.get(pk=course.pk)


def enrol(learner, course: CoursePage):
    services.enrollment_create(learner=learner, course_key=course.translation_key)
    return learner


def outline_of(html: str) -> str:
    match = re.search(r'<nav class="course-outline" aria-label="Course outline">(.*?)</nav>', html, re.S)
    assert match, "no course outline on the page"
    return match.group(1)


def pager_of(html: str) -> str:
    match = re.search(r'<nav class="lesson-pager"[^>]*>(.*?)</nav>', html, re.S)
    assert match, "no pager on the page"
    return match.group(1)


def lesson_item(outline: str, title: str) -> str:
    """The outline's list item of the lesson called `title`."""
    match = re.search(r'<li class="outline-lesson"[^>]*>(?:(?!</li>).)*?' + re.escape(title) + r".*?</li>", outline, re.S)
    assert match, f"{title} is not in the outline"
    return match.group(0)


def continue_link(html: str, label: str) -> str | None:
    """The href of the link whose text starts with `label`."""
    match = re.search(r'<a class="button" href="([^"]+)">' + re.escape(label), html)
    return match.group(1) if match else None


# --- Previous and Next ---------------------------------------------------------------------


def test_next_goes_from_the_last_lesson_of_a_module_to_the_first_of_the_next():
    course = build()
    lessons = lessons_of(course)  # 1.1, 1.2 | 2.1, 2.2

    pager = pager_of(Client().get(lessons[1].url).content.decode())

    assert f'<a href="{lessons[2].url}" rel="next">Next: Lesson 2.1</a>' in pager
    assert f'<a href="{lessons[0].url}" rel="prev">Previous: Lesson 1.1</a>' in pager


def test_previous_goes_from_the_first_lesson_of_a_module_to_the_last_of_the_one_before():
    course = build()
    lessons = lessons_of(course)

    pager = pager_of(Client().get(lessons[2].url).content.decode())

    assert f'<a href="{lessons[1].url}" rel="prev">Previous: Lesson 1.2</a>' in pager
    assert f'<a href="{lessons[3].url}" rel="next">Next: Lesson 2.2</a>' in pager


def test_the_course_ends_and_starts_without_a_link():
    course = build()
    lessons = lessons_of(course)

    assert 'rel="prev"' not in pager_of(Client().get(lessons[0].url).content.decode())
    assert 'rel="next"' not in pager_of(Client().get(lessons[-1].url).content.decode())


def test_a_locked_next_lesson_is_shown_locked_not_linked():
    course = build(sequential=True)
    lessons = lessons_of(course)
    learner = enrol(make_learner(), course)
    client = logged_in(learner)

    html = client.get(lessons[1].url).content.decode()
    pager = pager_of(html)

    assert "Next: Lesson 2.1" in pager and 'data-locked="true"' in pager
    assert 'rel="next"' not in pager
    assert f'href="{lessons[2].url}"' not in html  # nor in the outline
    assert "Locked: opens when you have completed the previous modules." in pager

    # The module done, the next lesson opens: a link again.
    complete_lesson(learner, lessons[0])
    complete_lesson(learner, lessons[1])
    pager = pager_of(client.get(lessons[1].url).content.decode())
    assert f'<a href="{lessons[2].url}" rel="next">Next: Lesson 2.1</a>' in pager

    # Visitors who are not enrolled read every lesson: no lock shown to them.
    assert f'<a href="{lessons[2].url}" rel="next">' in pager_of(Client().get(lessons[1].url).content.decode())


def test_a_lesson_outside_the_live_outline_keeps_its_modules_pager_and_no_outline():
    """Its module unpublished (or a preview): the module's live lessons,
    read from the database, and no course outline."""
    from courses.pages import ModulePage
    from courses.selectors import lesson_context

    course = build(modules=2, lessons=3)
    lessons = lessons_of(course)
    ModulePage.objects.child_of(course).order_by("path").last().unpublish()
    lesson = LessonPage.objects.get(pk=lessons[4].pk)  # 2.2, still live itself

    context = lesson_context(lesson=lesson)

    assert context["outline"] == [] and context["outline_module"] is None
    assert context["module"].title == "Module 2"
    assert context["previous_lesson"].pk == lessons[3].pk and context["next_lesson"].pk == lessons[5].pk
    response = Client().get(lesson.url)  # served while the lesson is live
    html = response.content.decode()
    assert 'class="course-outline"' not in html and 'rel="next"' in html


def test_an_edited_lesson_previews_with_its_outline():
    from django.test import RequestFactory

    course = build()
    lesson = LessonPage.objects.get(pk=lessons_of(course)[1].pk)
    lesson.title = "Lesson 1.2, revised"
    request = RequestFactory().get("/")
    request.user = make_learner()

    response = lesson.make_preview_request(request)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Lesson 1.2, revised" in html and 'aria-current="page"' in html


# --- The course outline --------------------------------------------------------------------


def test_the_outline_expands_the_current_module_with_the_learners_states():
    course = build(modules=3, lessons=3)
    lessons = lessons_of(course)  # 1.1 1.2 1.3 | 2.1 2.2 2.3 | 3.1 3.2 3.3
    learner = enrol(make_learner(), course)
    complete_lesson(learner, lessons[0])
    complete_lesson(learner, lessons[3])

    outline = outline_of(logged_in(learner).get(lessons[1].url).content.decode())

    # The current lesson: in progress (read, quiz to do), marked as the current page.
    current = lesson_item(outline, "Lesson 1.2")
    assert f'<a href="{lessons[1].url}" aria-current="page">' in current
    assert 'data-state="in_progress"' in current and "(In progress)" in current
    done = lesson_item(outline, "Lesson 1.1")
    assert 'data-state="done"' in done and "(Done)" in done and "aria-current" not in done
    assert "(Not started)" in lesson_item(outline, "Lesson 1.3")
    assert outline.count("aria-current") == 1
    # State as text for screen readers, the icon hidden from them.
    assert '<span class="outline-icon" aria-hidden="true"></span>' in current
    assert '<span class="visually-hidden"> (In progress)</span>' in current

    # The other modules: folded to their title and count, no lesson listed.
    assert outline.count('<li class="outline-lesson"') == 3
    for lesson in lessons[3:]:
        assert lesson.url not in outline
    assert "1 of 3 lessons done" in outline  # module 1 and module 2
    assert outline.count("1 of 3 lessons done") == 2 and "0 of 3 lessons done" in outline
    assert outline.count('<li class="outline-module') == 3
    assert outline.count('<li class="outline-module outline-module-current">') == 1
    assert "<summary>Course outline</summary>" in outline


def test_the_outline_shows_locked_modules():
    course = build(sequential=True)
    lessons = lessons_of(course)
    learner = enrol(make_learner(), course)

    outline = outline_of(logged_in(learner).get(lessons[0].url).content.decode())

    module_two = outline.split("Module 2", 1)[1]
    assert "Locked" in module_two.split("</li>", 1)[0]
    assert "0 of 2 lessons done" in outline


def test_visitors_see_the_outline_without_states():
    course = build()
    lessons = lessons_of(course)
    outsider = make_learner()

    for client in (Client(), logged_in(outsider)):
        outline = outline_of(client.get(lessons[2].url).content.decode())
        assert f'<a href="{lessons[2].url}" aria-current="page">Lesson 2.1</a>' in outline
        assert f'<a href="{lessons[3].url}">Lesson 2.2</a>' in outline
        assert "data-state" not in outline and "visually-hidden" not in outline
        assert "lessons done" not in outline
        assert lessons[0].url not in outline  # module 1 folded


def test_a_long_course_lists_its_modules_and_the_current_modules_lessons_only():
    course = build(modules=10, lessons=20)
    lessons = lessons_of(course)
    learner = enrol(make_learner(), course)

    outline = outline_of(logged_in(learner).get(lessons[45].url).content.decode())

    assert outline.count('<li class="outline-module') == 10
    assert outline.count('<li class="outline-lesson"') == 20
    assert "Lesson 3.6" in outline and "Lesson 2.20" not in outline and "Lesson 4.1" not in outline


def test_the_outline_and_pager_add_no_query():
    """Progress is read once for the page and the outline is cached: the
    lesson page costs the same for 2 lessons as for 50, in one module or
    across ten, and stays within its ceiling."""
    home, partner = make_home(), make_partner()
    small = build(modules=1, lessons=2, home=home, partner=partner)
    large = build(modules=5, lessons=10, home=home, partner=partner)
    learner = make_learner()
    for course in (small, large):
        enrol(learner, course)
        complete_lesson(learner, lessons_of(course)[0])
    client = logged_in(learner)

    small_count = count_queries(client, lessons_of(small)[1].url)
    large_count = count_queries(client, lessons_of(large)[19].url)  # last lesson of module 2

    assert small_count == large_count <= 20


# --- Continue ------------------------------------------------------------------------------


def test_continue_opens_the_first_unfinished_lesson_when_the_last_one_is_done():
    course = build()
    lessons = lessons_of(course)
    learner = enrol(make_learner(), course)
    client = logged_in(learner)
    complete_lesson(learner, lessons[0])  # the last lesson opened, now done

    assert continue_link(client.get(course.url).content.decode(), "Continue: Lesson 1.2") == lessons[1].url
    dashboard = client.get(reverse("learning:dashboard")).content.decode()
    assert continue_link(dashboard, "Continue where you left off: Lesson 1.2") == lessons[1].url

    # The last lesson opened is unfinished: Continue goes back to it.
    client.get(lessons[2].url)
    assert continue_link(client.get(course.url).content.decode(), "Continue: Lesson 2.1") == lessons[2].url
    dashboard = client.get(reverse("learning:dashboard")).content.decode()
    assert continue_link(dashboard, "Continue where you left off: Lesson 2.1") == lessons[2].url

    # Done too: the first unfinished lesson in course order, earlier in the course.
    complete_lesson(learner, lessons[2])
    assert continue_link(client.get(course.url).content.decode(), "Continue: Lesson 1.2") == lessons[1].url
    dashboard = client.get(reverse("learning:dashboard")).content.decode()
    assert continue_link(dashboard, "Continue where you left off: Lesson 1.2") == lessons[1].url


def test_continue_never_opens_a_locked_lesson():
    course = build(sequential=True)
    lessons = lessons_of(course)
    learner = enrol(make_learner(), course)
    complete_lesson(learner, lessons[1])  # module 1's second lesson: module 2 stays locked

    client = logged_in(learner)
    assert continue_link(client.get(course.url).content.decode(), "Continue: Lesson 1.1") == lessons[0].url
    dashboard = client.get(reverse("learning:dashboard")).content.decode()
    assert continue_link(dashboard, "Continue where you left off: Lesson 1.1") == lessons[0].url


def test_every_lesson_done_says_so_instead_of_continue():
    # Completion waits for live attendance: the course stays on the
    # learner's active list with every lesson done.
    course = build(completion_min_live_attendance_percent=50)
    lessons = lessons_of(course)
    learner = enrol(make_learner(), course)
    for lesson in lessons:
        complete_lesson(learner, lesson)
    assert not CourseCompletion.objects.exists()
    client = logged_in(learner)

    page = client.get(course.url).content.decode()
    assert "You have completed every lesson of this course." in page
    assert "Continue:" not in page
    dashboard = client.get(reverse("learning:dashboard")).content.decode()
    mine = dashboard.split('id="active-heading"')[1].split('id="completed-heading"')[0]
    assert "You have completed every lesson of this course." in mine
    assert f'<a href="{course.url}">Go to the course page</a>' in mine
    assert "Continue where you left off" not in mine and "Start the course" not in mine


def test_a_completed_course_says_so_on_its_page():
    course = build()
    lessons = lessons_of(course)
    learner = enrol(make_learner(), course)
    for lesson in lessons:
        complete_lesson(learner, lesson)
    assert CourseCompletion.objects.filter(learner=learner).exists()

    page = logged_in(learner).get(course.url).content.decode()

    assert "Completed on" in page and "You have completed every lesson of this course." in page
    assert "Continue:" not in page


# --- Languages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, outline_label, state, pager",
    [
        ("en", "Course outline", "(In progress)", "Next: Lesson 2.1"),
        ("fr", "Plan du cours", "(En cours)", "Suivant\u00a0: Lesson 2.1"),
        ("nl", "Cursusoverzicht", "(Bezig)", "Volgende: Lesson 2.1"),
    ],
)
def test_the_lesson_page_with_its_outline_in_each_language(code, outline_label, state, pager):
    course = build()
    if code != "en":
        _translate_course(course, code)
    learner = enrol(make_learner(), course)
    lesson = LessonPage.objects.get(translation_key=lessons_of(course)[1].translation_key, locale=locale(code))

    response = logged_in(learner).get(lesson.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{code}">' in html
    assert f'<nav class="course-outline" aria-label="{outline_label}">' in html
    assert f"<summary>{outline_label}</summary>" in html
    assert state in html and pager in html
    assert "aria-current=\"page\"" in html
