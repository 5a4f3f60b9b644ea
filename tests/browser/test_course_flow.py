"""A learner takes a whole (small) course in the browser, on the real server:
enrols, reads a lesson, completes the project's own H5P activity in the
sandboxed player by clicking it, passes a quiz, and is marked complete. The
course page and the quiz lesson pass axe-core (no serious or critical
violations) on the way."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from wagtail.rich_text import RichText

from tests.browser.test_h5p_player import log_in

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
ACTIVITY = "Spot the signs"


@pytest.fixture
def small_course(asgi_live_server, settings):
    from accounts.models import User
    from courses.h5p.services import h5p_package_create
    from courses.models import LessonPage
    from tests.courses.h5p_builder import build_h5p
    from tests.courses.test_pages import add, make_course

    settings.H5P_CONTENT_ROOT = str(Path(asgi_live_server.server.media_root) / "h5p")
    package = h5p_package_create(uploaded_file=io.BytesIO(build_h5p()), title=ACTIVITY)
    course = make_course(lessons=0)
    type(course).objects.filter(pk=course.pk).update(is_public=True, sequential=True)
    module = course.get_children().specific().get()
    quiz = {
        "title": "Check your understanding",
        "pass_mark_percent": 100,
        "attempts_allowed": 3,
        "required": True,
        "questions": [
            {
                "kind": "single",
                "prompt": "A pupil suddenly repeats slogans from one online channel. What do you do first?",
                "answers": [
                    {"text": "Open a conversation and listen", "correct": True, "feedback": "Yes: start by listening."},
                    {"text": "Report the pupil to the police at once", "correct": False, "feedback": "Not first."},
                ],
            }
        ],
    }
    lessons = [
        ("Reading the signs", [("text", {"text": RichText("<p>Signals are not proof.</p>"), "required": True})]),
        ("Try it", [("h5p", {"title": ACTIVITY, "package": package, "pass_threshold": Decimal("0.8"), "required": True})]),
        ("Check yourself", [("quiz", quiz)]),
    ]
    for title, body in lessons:
        add(module, LessonPage(title=title, intro="", estimated_minutes=10, body=body))
    learner = User.objects.create_user(email="amina@example.org", password="correct-horse-battery-9", full_name="Amina Haddad")
    return course, learner


def _axe_problems(page) -> list[str]:
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    return [f"{page.url} [{v['impact']}] {v['id']}: {json.dumps([n['target'] for n in v['nodes'][:3]])}" for v in violations]


def test_a_learner_takes_a_course_from_enrolment_to_completion(page, context, asgi_live_server, small_course):
    from learning.models import CourseCompletion, QuizAttempt, XAPIStatement

    course, learner = small_course
    log_in(context, asgi_live_server, learner)
    problems: list[str] = []

    page.goto(course.url)
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.locator("#course-progress-bar")).to_have_attribute("value", "0")
    problems += _axe_problems(page)

    # Sequential course: the first lesson is where to start; reading it completes it.
    page.get_by_role("link", name="Start: Reading the signs").click()
    expect(page.locator("h1")).to_have_text("Reading the signs")

    # The H5P activity, played in the sandboxed frame from the content origin.
    page.goto(course.url)
    page.get_by_role("link", name="Continue: Try it").click()
    frame = page.frame_locator(f'iframe[title="{ACTIVITY}"]')
    frame.locator(".h5p-bridgeline-check__button").click()
    expect(page.get_by_text("Your result has been saved.")).to_be_visible()
    assert XAPIStatement.objects.filter(learner=learner, counts=True).count() == 1

    # The quiz: marked on the server, feedback announced on the lesson page.
    page.goto(course.url)
    page.get_by_role("link", name="Continue: Check yourself").click()
    problems += _axe_problems(page)
    page.get_by_label("Open a conversation and listen").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Yes: start by listening.")).to_be_visible()
    assert QuizAttempt.objects.get(learner=learner).passed

    # Complete: recorded once, shown on the course page and the dashboard.
    page.goto(course.url)
    expect(page.locator("#course-progress-bar")).to_have_attribute("value", "100")
    expect(page.locator(".learning-progress")).to_contain_text("Completed on")
    assert CourseCompletion.objects.filter(learner=learner, course_key=course.translation_key).count() == 1
    page.goto(f"{asgi_live_server.url}/en/learning/dashboard/")
    expect(page.locator("#completed-heading + *")).to_contain_text(course.title)
    assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)


def test_the_course_outline_beside_a_lesson_and_folded_on_small_screens(page, context, asgi_live_server, small_course):
    """Wide screens: the outline sits beside the lesson, open, its button
    hidden. Below 48em: folded behind the "Course outline" button, which
    the keyboard opens. No serious or critical axe violation either way."""
    from learning.services import enrollment_create
    from tests.courses.test_pages import lessons_of

    course, learner = small_course
    enrollment_create(learner=learner, course_key=course.translation_key)
    first, second, _ = lessons_of(course)
    log_in(context, asgi_live_server, learner)
    problems: list[str] = []

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(first.url)
    outline = page.get_by_role("navigation", name="Course outline")
    expect(outline.get_by_role("link", name="Try it (Not started)")).to_be_visible()
    expect(outline.locator("summary")).to_be_hidden()
    expect(outline.locator('a[aria-current="page"]')).to_have_text("Reading the signs (Done)")  # read on opening
    beside = outline.bounding_box()["x"] + outline.bounding_box()["width"] <= page.locator("article.lesson").bounding_box()["x"]
    assert beside, "the outline is not beside the lesson"
    problems += _axe_problems(page)

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(second.url)
    toggle = outline.locator("summary")
    expect(toggle).to_be_visible()
    expect(outline.get_by_role("link", name="Reading the signs (Done)")).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(outline.get_by_role("link", name="Reading the signs (Done)")).to_be_visible()
    problems += _axe_problems(page)
    assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)
