"""The learner's pages and endpoints: enrolment, lesson visits through the
page-serving hook, quiz and reflection forms, the xAPI endpoint, the
dashboard, privacy between people, and languages."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Page

from courses.pages import CoursePage, LessonPage
from learning import services
from learning.models import Cohort, Enrollment, LessonVisit, QuizAttempt, Reflection, XAPIStatement
from partners.models import Role
from tests.courses.test_pages import lessons_of, locale, make_course, publish
from tests.learning.conftest import aimed, block_of, complete_lesson, correct_answers, full_body, make_learner, statement

pytestmark = pytest.mark.django_db

SECRET = "I worry that I judge too quickly — private note 7731."


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def xapi_post(client, lesson, block_id, data, **extra):
    body = json.dumps({"block_id": block_id, "lesson_key": str(lesson.translation_key), "statement": aimed(data, lesson, block_id)})
    return client.post(reverse("learning:xapi"), body, content_type="application/json", **extra)


def nothing_stored():
    return not (XAPIStatement.objects.exists() or QuizAttempt.objects.exists() or Reflection.objects.exists())


# --- Enrolment ------------------------------------------------------------------------------


def test_self_enrol_and_leave(learner, course):
    client = logged_in(learner)
    response = client.post(reverse("learning:enroll", args=[course.translation_key]))
    assert response.status_code == 302 and response.url == course.url
    assert Enrollment.objects.get(learner=learner).status == Enrollment.Status.ACTIVE

    response = client.post(reverse("learning:unenroll", args=[course.translation_key]))
    assert response.status_code == 302
    assert Enrollment.objects.get(learner=learner).status == Enrollment.Status.WITHDRAWN
    assert "Enrol again" in client.get(course.url).content.decode()


def test_enrol_needs_login_and_post(learner, course):
    url = reverse("learning:enroll", args=[course.translation_key])
    response = Client().post(url)
    assert response.status_code == 302 and "login" in response.url
    assert logged_in(learner).get(url).status_code == 405
    assert not Enrollment.objects.exists()


def test_course_closed_to_self_enrolment_is_a_404(learner, course):
    course.is_public = False
    course.save_revision().publish()
    client = logged_in(learner)

    assert client.post(reverse("learning:enroll", args=[course.translation_key])).status_code == 404
    assert client.post(reverse("learning:enroll", args=[uuid.uuid4()])).status_code == 404
    assert client.post(reverse("learning:unenroll", args=[course.translation_key])).status_code == 404
    assert not Enrollment.objects.exists()
    assert "enrolled by their trainer" in client.get(course.url).content.decode()


def test_cohort_learner_may_come_back_to_a_closed_course(learner, course):
    course.is_public = False
    course.save_revision().publish()
    cohort = Cohort.objects.create(
        course_key=course.translation_key, partner=course.partner, name="Spring", starts_on=datetime.date(2026, 3, 1)
    )
    enrollment = services.enrollment_create(learner=learner, course_key=course.translation_key, cohort=cohort)
    services.enrollment_withdraw(enrollment=enrollment)

    response = logged_in(learner).post(reverse("learning:enroll", args=[course.translation_key]))

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE and enrollment.cohort == cohort


# --- Lesson pages ------------------------------------------------------------------------------


def test_opening_a_lesson_records_the_visit_for_enrolled_learners_only(enrolled, lessons):
    outsider = make_learner()
    assert logged_in(outsider).get(lessons[0].url).status_code == 200
    assert Client().get(lessons[0].url).status_code == 200
    assert not LessonVisit.objects.exists()

    html = logged_in(enrolled).get(lessons[0].url).content.decode()

    assert LessonVisit.objects.filter(learner=enrolled, lesson_key=lessons[0].translation_key).exists()
    assert 'data-done="true"' in html  # the text block is done by the visit
    assert f'action="{reverse("learning:quiz", args=[lessons[0].translation_key, block_of(lessons[0], "quiz").id])}"' in html
    assert 'name="submission_id"' in html
    assert f'action="{reverse("learning:reflection", args=[lessons[0].translation_key, block_of(lessons[0], "reflection").id])}"' in html


def test_a_lesson_with_every_kind_of_activity_read_again_is_at_most_20_queries(enrolled, lessons):
    """Text, quiz, H5P and reflection: routing, session, the learner's
    progress, the blocks' state, the header and the footer (issue #14's
    ceiling; the course-size and learner-count independence is in
    tests/courses/test_outline_cache.py)."""
    from tests.courses.test_pages import count_queries

    client = logged_in(enrolled)
    assert count_queries(client, lessons[1].url) <= 20


def test_locked_lesson_sends_the_learner_back_to_the_course(package, learner):
    course = make_course(modules=2, lessons=1, body=full_body(package))
    course.is_public = True
    course.sequential = True
    course.save_revision().publish()
    first, second = lessons_of(course)
    services.enrollment_create(learner=learner, course_key=course.translation_key)
    client = logged_in(learner)

    response = client.get(second.url)
    assert response.status_code == 302 and response.url == course.url
    assert not LessonVisit.objects.filter(lesson_key=second.translation_key).exists()
    html = client.get(course.url).content.decode()
    assert "This module opens when you have completed the previous modules." in html
    assert "Opens when you have completed the previous modules." in html

    complete_lesson(learner, first)
    assert client.get(second.url).status_code == 200


def test_quiz_form_posts_marks_and_shows_feedback(enrolled, lessons):
    lesson = lessons[0]
    quiz = block_of(lesson, "quiz")
    client = logged_in(enrolled)
    data = {"submission_id": str(uuid.uuid4())}
    for question_id, answer_ids in correct_answers(lesson).items():
        data[f"question-{question_id}"] = answer_ids

    url = reverse("learning:quiz", args=[lesson.translation_key, quiz.id])
    response = client.post(url, data)
    again = client.post(url, data)  # a double click: the same attempt

    assert response.status_code == 302 and response.url.endswith(f"#block-{quiz.id}")
    assert again.status_code == 302
    assert QuizAttempt.objects.filter(learner=enrolled).count() == 1
    html = client.get(lesson.url).content.decode()
    assert "Your last attempt: 2 of 2 right (100%)." in html
    assert "2 attempts left." in html
    assert 'aria-live="polite"' in html
    assert "Yes." in html  # the chosen answer's feedback


@pytest.mark.parametrize("field, value, code", [
    ("question-nope", "x", "unknown_question"),
    (None, "nope", "unknown_answer"),
])
def test_quiz_bad_input_is_a_400_page(enrolled, lessons, field, value, code):
    lesson = lessons[0]
    quiz = block_of(lesson, "quiz")
    first_question = quiz.value["questions"].bound_blocks[0].id
    data = {"submission_id": str(uuid.uuid4()), field or f"question-{first_question}": value}

    response = logged_in(enrolled).post(reverse("learning:quiz", args=[lesson.translation_key, quiz.id]), data)

    assert response.status_code == 400
    assert f'data-error-code="{code}"' in response.content.decode()
    assert nothing_stored()


def test_quiz_needs_login_and_enrolment(learner, lessons):
    lesson = lessons[0]
    url = reverse("learning:quiz", args=[lesson.translation_key, block_of(lesson, "quiz").id])
    data = {"submission_id": str(uuid.uuid4())}
    data.update({f"question-{q}": a for q, a in correct_answers(lesson).items()})

    anonymous = Client().post(url, data)
    outsider = logged_in(learner).post(url, data)

    assert anonymous.status_code == 302 and "login" in anonymous.url
    assert outsider.status_code == 400 and 'data-error-code="not_enrolled"' in outsider.content.decode()
    assert logged_in(learner).post(reverse("learning:quiz", args=[uuid.uuid4(), "x"]), data).status_code == 404
    assert nothing_stored()


def test_reflection_is_saved_and_private(enrolled, course, lessons):
    lesson = lessons[0]
    block_id = block_of(lesson, "reflection").id
    client = logged_in(enrolled)

    response = client.post(reverse("learning:reflection", args=[lesson.translation_key, block_id]), {"answer": SECRET})

    assert response.status_code == 302
    assert Reflection.objects.get(learner=enrolled).text == SECRET
    assert SECRET in client.get(lesson.url).content.decode()

    other = make_learner()
    services.enrollment_create(learner=other, course_key=course.translation_key)
    trainer = make_learner(role=Role.TRAINER, partner=course.partner)
    coordinator = make_learner(role=Role.COORDINATOR, partner=course.partner)
    for person in (other, trainer, coordinator):
        viewer = logged_in(person)
        for url in (lesson.url, course.url, lessons[1].url, reverse("learning:dashboard")):
            page = viewer.get(url, follow=True)
            assert page.status_code == 200
            assert SECRET not in page.content.decode()
    staff = make_learner()
    staff.is_staff = staff.is_superuser = True
    staff.save()
    admin = logged_in(staff)
    reflection = Reflection.objects.get()
    change = admin.get(reverse("admin:learning_reflection_change", args=[reflection.pk]))
    listing = admin.get(reverse("admin:learning_reflection_changelist"))
    assert change.status_code == 200 and listing.status_code == 200
    assert SECRET not in change.content.decode() and SECRET not in listing.content.decode()


def test_empty_reflection_is_a_400(enrolled, lessons):
    lesson = lessons[0]
    response = logged_in(enrolled).post(
        reverse("learning:reflection", args=[lesson.translation_key, block_of(lesson, "reflection").id]), {"answer": "  "}
    )
    assert response.status_code == 400 and 'data-error-code="empty"' in response.content.decode()
    assert nothing_stored()


# --- xAPI endpoint ------------------------------------------------------------------------------


def test_xapi_created_then_duplicate(enrolled, lessons):
    lesson = lessons[0]
    client = logged_in(enrolled)
    block_id = block_of(lesson, "h5p").id

    first = xapi_post(client, lesson, block_id, statement())
    second = xapi_post(client, lesson, block_id, statement())

    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["counts"] is True and first.json()["block_completed"] is True
    assert first.json()["statement_id"] == second.json()["statement_id"]
    assert XAPIStatement.objects.count() == 1


def test_xapi_stores_under_the_session_learner_whatever_the_actor(enrolled, lessons):
    other = make_learner()
    lesson = lessons[0]
    data = statement(actor={"mbox": f"mailto:{other.email}", "name": other.full_name})

    response = xapi_post(logged_in(enrolled), lesson, block_of(lesson, "h5p").id, data)

    assert response.status_code == 201
    assert XAPIStatement.objects.get().learner == enrolled
    assert not XAPIStatement.objects.filter(learner=other).exists()


@pytest.mark.parametrize(
    "score, code",
    [
        ({"raw": 11, "max": 10}, "invalid_score"),
        ({"raw": -1, "max": 10, "min": 0}, "invalid_score"),
        ({"raw": 1, "max": 1, "scaled": 2}, "invalid_score"),
    ],
    ids=["above-max", "below-min", "scaled"],
)
def test_xapi_impossible_scores(enrolled, lessons, score, code):
    lesson = lessons[0]
    data = statement()
    data["result"]["score"] = score
    response = xapi_post(logged_in(enrolled), lesson, block_of(lesson, "h5p").id, data)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code and response.json()["error"]["detail"]
    assert nothing_stored()


def test_xapi_answer_carries_the_progress_the_lesson_page_shows(enrolled, lessons):
    lesson = lessons[0]
    client = logged_in(enrolled)
    client.get(lesson.url)  # the reading block is done on opening
    before = client.get(lesson.url).content.decode()

    response = xapi_post(client, lesson, block_of(lesson, "h5p").id, statement(verb="answered"))

    answer = response.json()
    assert response.status_code == 201 and answer["counts"] and answer["block_completed"]
    progress = answer["progress"]
    assert progress["required"] > progress["done"] > 0 and progress["completed"] is False
    assert progress["text"] == f"Course progress: {progress['percent']}%"
    assert progress["text"] not in before  # it moved
    assert progress["text"] in client.get(lesson.url).content.decode()  # what a reload would show


def test_xapi_progress_text_is_in_the_pages_language(enrolled, lessons):
    lesson = lessons[0]
    body = json.dumps({"block_id": block_of(lesson, "h5p").id, "lesson_key": str(lesson.translation_key),
                       "statement": aimed(statement(verb="answered"), lesson, block_of(lesson, "h5p").id)})
    response = logged_in(enrolled).post("/fr/learning/xapi/", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["progress"]["text"].startswith("Progression dans le cours")


def test_xapi_statement_about_another_activity_is_a_400(enrolled, lessons):
    lesson = lessons[0]
    data = statement(object={"id": "https://h5p.example/content/1", "objectType": "Activity"})
    response = xapi_post(logged_in(enrolled), lesson, block_of(lesson, "h5p").id, data)
    assert response.status_code == 400 and response.json()["error"]["code"] == "wrong_activity"
    assert nothing_stored()


def test_xapi_deeply_nested_bodies_are_a_400(enrolled, lessons):
    """Nesting is capped at the edge: 25 levels inside a statement is refused
    with too_deep, and 100,000 levels (which would exhaust the parser's
    stack) is malformed; neither is a 500 and nothing is stored."""
    lesson = lessons[0]
    client = logged_in(enrolled)
    block_id = block_of(lesson, "h5p").id
    nested = {}
    for _ in range(25):
        nested = {"a": nested}
    deep = xapi_post(client, lesson, block_id, statement(context={"extensions": nested}))
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "too_deep"

    abyss = "[" * 30_000 + "]" * 30_000  # under the 64 KiB cap
    body = '{"block_id": "%s", "lesson_key": "%s", "statement": %s}' % (block_id, lesson.translation_key, abyss)
    response = client.post(reverse("learning:xapi"), body, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] in ("malformed", "too_deep")
    assert nothing_stored()


@pytest.mark.parametrize("text", [r"nul\u0000", r"\ud800"], ids=["nul", "lone-surrogate"])
def test_xapi_text_the_database_cannot_store_is_a_400(enrolled, lessons, text):
    """Valid JSON that PostgreSQL refuses (NUL, lone surrogates) is refused
    at the edge, not a 500 when the statement is saved."""
    lesson = lessons[0]
    block_id = block_of(lesson, "h5p").id
    data = aimed(statement(), lesson, block_id)
    body = json.dumps({"block_id": block_id, "lesson_key": str(lesson.translation_key), "statement": data})
    body = body.replace('verbs/completed"}', 'verbs/completed", "display": {"en-US": "%s"}}' % text)
    assert text in body  # as a JSON escape: valid JSON
    response = logged_in(enrolled).post(reverse("learning:xapi"), body, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed"
    assert nothing_stored()


def test_xapi_activities_the_learner_may_not_use(enrolled, lessons):
    lesson = lessons[0]
    client = logged_in(enrolled)
    cases = [
        (client, lesson, "no-such-block", "unknown_activity"),
        (client, lesson, block_of(lesson, "quiz").id, "wrong_block_kind"),
        (logged_in(make_learner()), lesson, block_of(lesson, "h5p").id, "not_enrolled"),
    ]
    for who, page, block_id, code in cases:
        response = xapi_post(who, page, block_id, statement())
        assert response.status_code == 400 and response.json()["error"]["code"] == code, code
    unknown = client.post(
        reverse("learning:xapi"),
        json.dumps({"block_id": "x", "lesson_key": str(uuid.uuid4()), "statement": statement()}),
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_activity"
    assert nothing_stored()


def test_xapi_locked_lesson(package, learner):
    course = make_course(modules=2, lessons=1, body=full_body(package))
    course.is_public = True
    course.sequential = True
    course.save_revision().publish()
    second = lessons_of(course)[1]
    services.enrollment_create(learner=learner, course_key=course.translation_key)

    response = xapi_post(logged_in(learner), second, block_of(second, "h5p").id, statement())

    assert response.status_code == 400 and response.json()["error"]["code"] == "locked"
    assert nothing_stored()


def test_xapi_transport_rules(enrolled, lessons):
    lesson = lessons[0]
    client = logged_in(enrolled)
    url = reverse("learning:xapi")
    block_id = block_of(lesson, "h5p").id

    anonymous = xapi_post(Client(), lesson, block_id, statement())
    assert anonymous.status_code == 403 and anonymous.json()["error"]["code"] == "not_authenticated"

    form = client.post(url, {"block_id": block_id})
    assert form.status_code == 415 and form.json()["error"]["code"] == "unsupported_media_type"

    huge = statement(padding="x" * (64 * 1024))
    too_large = xapi_post(client, lesson, block_id, huge)
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "too_large"

    for body in ("{not json", "[1, 2]", '{"block_id": 3}', json.dumps({"block_id": "x", "lesson_key": "nope", "statement": {}}), '{"a": NaN}'):
        malformed = client.post(url, body, content_type="application/json")
        assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "malformed", body

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(enrolled)
    assert xapi_post(strict, lesson, block_id, statement()).status_code == 403
    assert nothing_stored()


def test_xapi_with_csrf_token_passes_the_strict_client(enrolled, lessons):
    lesson = lessons[0]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(enrolled)
    strict.get(lesson.url)  # the lesson page sets the CSRF cookie (its forms carry the token)
    token = strict.cookies["csrftoken"].value

    response = xapi_post(strict, lesson, block_of(lesson, "h5p").id, statement(), HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 201


# --- Dashboard --------------------------------------------------------------------------------


def test_dashboard_shows_my_courses_only(enrolled, course, lessons):
    complete_lesson(enrolled, lessons[0])
    other = make_learner()

    mine = logged_in(enrolled).get(reverse("learning:dashboard")).content.decode()
    theirs = logged_in(other).get(reverse("learning:dashboard")).content.decode()

    assert course.title in mine
    assert '<progress max="100" value="50"' in mine
    # Continue where I left off: the lesson I opened last is done, so the
    # first unfinished one (tests/learning/test_lesson_navigation.py).
    assert f'href="{lessons[1].url}"' in mine
    assert course.title not in theirs
    assert "You are not taking any course at the moment." in theirs
    anonymous = Client().get(reverse("learning:dashboard"))
    assert anonymous.status_code == 302 and "login" in anonymous.url


def test_dashboard_lists_completed_courses_with_dates(enrolled, course, lessons):
    for lesson in lessons:
        complete_lesson(enrolled, lesson)

    html = logged_in(enrolled).get(reverse("learning:dashboard")).content.decode()

    assert "Completed courses" in html
    completed = html.split('id="completed-heading"')[1]
    assert course.title in completed and "Completed on" in completed


# --- Languages ----------------------------------------------------------------------------------


def _translate_course(course: CoursePage, code: str) -> None:
    home = course.get_parent().get_parent().specific
    if home.get_translation_or_none(locale(code)) is None:
        publish(home.copy_for_translation(locale(code)))
    for lesson in lessons_of(course):
        lesson.copy_for_translation(locale(code), copy_parents=True)
    for page in Page.objects.filter(locale=locale(code), live=False).order_by("depth"):
        publish(page.specific)


@pytest.mark.parametrize("code", ["en", "fr", "nl"])
def test_pages_render_in_each_language(enrolled, course, lessons, code):
    if code != "en":
        _translate_course(course, code)
    complete_lesson(enrolled, lessons[0])
    client = logged_in(enrolled)
    copy = CoursePage.objects.get(translation_key=course.translation_key, locale=locale(code))

    course_page = client.get(copy.url)
    dashboard = client.get(f"/{code}/learning/dashboard/")

    assert course_page.status_code == 200 and dashboard.status_code == 200
    for response in (course_page, dashboard):
        html = response.content.decode()
        assert f'<html lang="{code}">' in html
        assert '<progress' in html and 'value="50"' in html
    assert f'href="{copy.url}"' in dashboard.content.decode()  # the course in the learner's language
    lesson_copy = LessonPage.objects.get(translation_key=lessons[1].translation_key, locale=locale(code))
    assert client.get(lesson_copy.url).status_code == 200
    assert LessonVisit.objects.filter(learner=enrolled, lesson_key=lessons[1].translation_key).exists()
