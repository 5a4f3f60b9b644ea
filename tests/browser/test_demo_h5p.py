"""The demo's real H5P packages (demo/h5p/true-false, demo/h5p/multiple-choice)
in Chromium: the official libraries accept the content we wrote, draw it in
the sandboxed player frame, and answering it right completes a required
block, as the statements demo.learning seeds pretend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_h5p_real import (
    ACTIVITY_TITLE,
    CHECK,
    PASS_THRESHOLD,
    ROOTS,
    RealLesson,
    assert_completed,
    open_player,
    progress_percent,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_lesson(asgi_live_server, settings):
    """One demo package in a published course with one lesson holding it as
    a required H5P block, and an enrolled learner."""
    from accounts.models import User
    from courses.h5p.services import h5p_package_create
    from demo.courses import h5p_archive
    from learning.services import enrollment_create
    from tests.courses.test_pages import lessons_of, make_course

    settings.H5P_CONTENT_ROOT = str(Path(asgi_live_server.server.media_root) / "h5p")

    def make(demo) -> RealLesson:
        package = h5p_package_create(uploaded_file=h5p_archive(demo), title=demo.title)
        block = {"title": ACTIVITY_TITLE, "package": package, "pass_threshold": PASS_THRESHOLD, "required": True}
        course = make_course(body=[("h5p", block)])
        type(course).objects.filter(pk=course.pk).update(is_public=True)
        lesson = lessons_of(course)[0]
        learner = User.objects.create_user(email="learner@example.org", password="correct-horse-battery-9")
        enrollment_create(learner=learner, course_key=course.translation_key)
        return RealLesson(lesson=lesson, block=lesson.body[0], learner=learner)

    return make


def test_the_demo_true_false_plays_and_completes_its_block(page, context, asgi_live_server, demo_lesson):
    from demo.courses import TRUE_FALSE

    real = demo_lesson(TRUE_FALSE)
    player = open_player(page, context, asgi_live_server, real, root=ROOTS["H5P.TrueFalse"])
    player.frame.get_by_text("Strong religious practice is in itself a sign of radicalisation.").wait_for()
    before = progress_percent(page)

    player.frame.get_by_role("radio", name="False").click()
    player.frame.locator(CHECK).click()

    assert_completed(player, real, percent_before=before, results=player.wait_until_saved())
    player.frame.get_by_text("praying, fasting or dressing").wait_for()  # our feedback on a right answer


def test_the_demo_multiple_choice_plays_and_completes_its_block(page, context, asgi_live_server, demo_lesson):
    from demo.courses import MULTIPLE_CHOICE

    real = demo_lesson(MULTIPLE_CHOICE)
    player = open_player(page, context, asgi_live_server, real, root=ROOTS["H5P.MultiChoice"])
    before = progress_percent(page)

    for text in (
        "Stay in contact with them whenever it is safe to do so",
        "Keep offering the activities and support you offered before",
        "Tell your contact point if you notice new changes",
    ):
        player.frame.locator(".h5p-answer", has_text=text).click()
    player.frame.locator(CHECK).click()

    results = player.wait_until_saved()
    assert_completed(player, real, percent_before=before, results=results)
    top_level = [d["statement"] for d in results["xapi"] if d["statement"]["object"]["id"] == real.activity_iri]
    assert top_level[-1]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert top_level[-1]["result"]["score"] == {"min": 0, "max": 3, "raw": 3, "scaled": 1}
