"""Progress and dashboard questions run a fixed number of queries however
large the course or however many enrolments (counted, as the courses app
does for its outlines)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from learning import services
from learning.selectors import course_progress_for, dashboard_for
from tests.courses.test_pages import lessons_of, make_course, make_home, make_partner, quiz_value
from tests.learning.conftest import complete_lesson, make_learner

pytestmark = pytest.mark.django_db

SMALL_BODY = [("text", {"text": "<p>Read me.</p>", "required": True}), ("quiz", quiz_value())]


def public_course(*, home, partner, modules, lessons):
    course = make_course(home=home, partner=partner, modules=modules, lessons=lessons, body=SMALL_BODY)
    course.is_public = True
    course.save_revision().publish()
    return course


def test_course_progress_queries_do_not_grow_with_lessons(django_assert_max_num_queries):
    home, partner = make_home(), make_partner()
    small = public_course(home=home, partner=partner, modules=1, lessons=2)
    large = public_course(home=home, partner=partner, modules=4, lessons=5)
    learner = make_learner()
    for course in (small, large):
        services.enrollment_create(learner=learner, course_key=course.translation_key)
        services.lesson_visit_record(learner=learner, lesson=lessons_of(course)[0])

    with CaptureQueriesContext(connection) as small_queries:
        small_progress = course_progress_for(learner=learner, course=small)
    with django_assert_max_num_queries(len(small_queries)):
        large_progress = course_progress_for(learner=learner, course=large)

    assert len(small_queries) <= 8
    assert sum(len(m.lessons) for m in large_progress.modules) == 20
    assert small_progress.done == 1 and large_progress.done == 1
    assert large_progress.required == 40 and large_progress.percent == 2


def test_dashboard_queries_do_not_grow_with_enrolments(django_assert_max_num_queries):
    home, partner = make_home(), make_partner()
    courses = [public_course(home=home, partner=partner, modules=1, lessons=2) for _ in range(10)]
    one, ten = make_learner(), make_learner()
    services.enrollment_create(learner=one, course_key=courses[0].translation_key)
    services.lesson_visit_record(learner=one, lesson=lessons_of(courses[0])[0])
    for course in courses:
        services.enrollment_create(learner=ten, course_key=course.translation_key)
        services.lesson_visit_record(learner=ten, lesson=lessons_of(course)[0])
    complete_lesson(ten, lessons_of(courses[0])[0])
    complete_lesson(ten, lessons_of(courses[0])[1])

    with CaptureQueriesContext(connection) as one_queries:
        dashboard_one = dashboard_for(learner=one)
    with django_assert_max_num_queries(len(one_queries)):
        dashboard_ten = dashboard_for(learner=ten)

    assert len(dashboard_one.active) == 1
    assert len(dashboard_ten.active) == 9 and len(dashboard_ten.completed) == 1
    assert all(item.continue_page is not None for item in dashboard_ten.active)

    # And the page itself.
    def page_queries(user) -> int:
        client = Client()
        client.force_login(user)
        client.get("/en/learning/dashboard/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/learning/dashboard/").status_code == 200
        return len(queries)

    assert page_queries(ten) <= page_queries(one)


def test_lesson_and_course_pages_run_as_many_queries_for_10_as_for_500_lessons(client):
    home, partner = make_home(), make_partner()
    small = public_course(home=home, partner=partner, modules=2, lessons=5)
    large = public_course(home=home, partner=partner, modules=10, lessons=50)
    learner = make_learner()
    client.force_login(learner)

    def count(url: str, marker: str) -> int:
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert marker in response.content.decode()  # the learner's progress is on the page
        return len(captured)

    def queries(course) -> tuple[int, int]:
        services.enrollment_create(learner=learner, course_key=course.translation_key)
        return count(lessons_of(course)[1].url, "Course progress:"), count(course.url, "course-progress-bar")

    assert len(lessons_of(small)) == 10 and len(lessons_of(large)) == 500
    assert queries(small) == queries(large)
