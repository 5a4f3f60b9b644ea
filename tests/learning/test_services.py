"""The learner's services: each kind of evidence, idempotency, completion
sent once, withdrawal keeping history, and the sequential lock."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.h5p.models import H5PPackage
from learning import services
from learning.models import (
    BlockCompletion,
    CourseCompletion,
    Enrollment,
    LessonVisit,
    QuizAttempt,
    Reflection,
    XAPIStatement,
)
from learning.selectors import course_progress_for, lesson_is_locked
from learning.signals import course_completed
from tests.courses.test_pages import lessons_of, make_course, quiz_value
from tests.learning.conftest import (
    ACTIVITY,
    aimed,
    block_of,
    complete_lesson,
    correct_answers,
    make_learner,
    statement,
    wrong_answers,
    xapi_record,
)

pytestmark = pytest.mark.django_db


def evidence_counts(learner) -> dict:
    return {
        model.__name__: model.objects.filter(learner=learner).count()
        for model in (LessonVisit, QuizAttempt, XAPIStatement, Reflection, BlockCompletion, CourseCompletion)
    }


# --- Visits --------------------------------------------------------------------------------


def test_a_revisit_with_nothing_new_to_complete_does_not_rebuild_progress(enrolled, course, lessons):
    first = services.lesson_visit_record(learner=enrolled, lesson=lessons[0])
    again = services.lesson_visit_record(learner=enrolled, lesson=lessons[0])
    assert first is not None and first.done >= 1
    assert again is None  # only the visit's time and the continue point were written
    assert Enrollment.objects.get(learner=enrolled).last_lesson_key == lessons[0].translation_key


def test_a_reading_block_added_after_a_visit_completes_on_the_next_visit(enrolled, course, lessons):
    from wagtail.rich_text import RichText

    from courses.pages import LessonPage

    services.lesson_visit_record(learner=enrolled, lesson=lessons[0])
    lesson = LessonPage.objects.get(pk=lessons[0].pk)
    lesson.body.append(("text", {"text": RichText("<p>Added later.</p>"), "required": True}))
    lesson.save_revision().publish()
    lesson = LessonPage.objects.get(pk=lesson.pk)
    added = lesson.body[-1].id
    assert not BlockCompletion.objects.filter(learner=enrolled, block_id=added).exists()

    assert services.lesson_visit_record(learner=enrolled, lesson=lesson) is not None
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=added).exists()


def test_visit_completes_reading_blocks_and_sets_continue_point(enrolled, course, lessons):
    result = services.lesson_visit_record(learner=enrolled, lesson=lessons[0])
    again = services.lesson_visit_record(learner=enrolled, lesson=lessons[0])

    assert LessonVisit.objects.filter(learner=enrolled).count() == 1
    text_id = block_of(lessons[0], "text").id
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=text_id, kind="text").exists()
    enrollment = Enrollment.objects.get(learner=enrolled)
    assert enrollment.last_lesson_key == lessons[0].translation_key
    assert enrollment.last_activity_at is not None
    assert result.required == 8 and result.done == 1
    assert again is None  # nothing more to complete on viewing
    assert course_progress_for(learner=enrolled, course=course).done == 1


def test_a_lesson_read_again_soon_writes_nothing_and_later_refreshes_the_visit(enrolled, course, lessons):
    """Reloads and back-and-forth within VISIT_REFRESH write nothing; after
    it, or on another lesson, the visit time and the lesson to continue
    from are written again."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.lesson_visit_record(learner=enrolled, lesson=lessons[0])
    visit = LessonVisit.objects.get(learner=enrolled, lesson_key=lessons[0].translation_key)
    first_seen = visit.last_visited_at

    with CaptureQueriesContext(connection) as queries:
        assert services.lesson_visit_record(learner=enrolled, lesson=lessons[0]) is None
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT", "SAVEPOINT"))]
    assert LessonVisit.objects.get(pk=visit.pk).last_visited_at == first_seen

    # Another lesson becomes the one to continue from at once.
    services.lesson_visit_record(learner=enrolled, lesson=lessons[1])
    assert Enrollment.objects.get(learner=enrolled).last_lesson_key == lessons[1].translation_key
    services.lesson_visit_record(learner=enrolled, lesson=lessons[0])
    assert Enrollment.objects.get(learner=enrolled).last_lesson_key == lessons[0].translation_key

    # Past the refresh time the same lesson writes its visit again.
    long_ago = timezone.now() - services.VISIT_REFRESH - dt.timedelta(seconds=1)
    Enrollment.objects.filter(learner=enrolled).update(last_activity_at=long_ago)
    services.lesson_visit_record(learner=enrolled, lesson=lessons[0])
    assert Enrollment.objects.get(learner=enrolled).last_activity_at > long_ago
    assert LessonVisit.objects.get(pk=visit.pk).last_visited_at > first_seen


def test_visit_needs_an_active_enrolment(learner, lessons):
    with pytest.raises(services.EvidenceRejected) as error:
        services.lesson_visit_record(learner=learner, lesson=lessons[0])
    assert error.value.code == "not_enrolled"
    assert not LessonVisit.objects.exists()


# --- Quizzes -------------------------------------------------------------------------------


def test_quiz_attempt_marked_on_the_server(enrolled, lessons):
    lesson = lessons[0]
    quiz = block_of(lesson, "quiz")
    wrong = services.quiz_attempt_submit(
        learner=enrolled, lesson=lesson, block_id=quiz.id, answers=wrong_answers(lesson), submission_id=uuid.uuid4()
    )
    right = services.quiz_attempt_submit(
        learner=enrolled, lesson=lesson, block_id=quiz.id, answers=correct_answers(lesson), submission_id=uuid.uuid4()
    )

    assert (wrong.correct, wrong.total, wrong.passed, wrong.attempt_number) == (0, 2, False, 1)
    assert (right.correct, right.percent, right.passed, right.attempt_number) == (2, 100, True, 2)
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=quiz.id).exists()


def test_multiple_choice_needs_the_exact_set(enrolled, lessons):
    lesson = lessons[0]
    quiz = block_of(lesson, "quiz")
    answers = correct_answers(lesson)
    multiple = next(q for q in quiz.value["questions"].bound_blocks if q.value["kind"] == "multiple")
    answers[multiple.id] = answers[multiple.id][:1]  # one of the two correct answers only

    attempt = services.quiz_attempt_submit(
        learner=enrolled, lesson=lesson, block_id=quiz.id, answers=answers, submission_id=uuid.uuid4()
    )

    assert attempt.correct == 1 and attempt.percent == 50 and not attempt.passed


def test_same_submission_twice_is_one_attempt(enrolled, lessons):
    lesson = lessons[0]
    submission = uuid.uuid4()
    kwargs = dict(learner=enrolled, lesson=lesson, block_id=block_of(lesson, "quiz").id, answers=correct_answers(lesson))

    first = services.quiz_attempt_submit(**kwargs, submission_id=submission)
    second = services.quiz_attempt_submit(**kwargs, submission_id=submission)

    assert first.pk == second.pk
    assert QuizAttempt.objects.filter(learner=enrolled).count() == 1


@pytest.mark.parametrize(
    "spoil, code",
    [
        (lambda answers, lesson: {**answers, "no-such-question": []}, "unknown_question"),
        (lambda answers, lesson: {key: ["no-such-answer"] for key in answers}, "unknown_answer"),
        (lambda answers, lesson: _two_answers_to_single(answers, lesson), "invalid"),
        (lambda answers, lesson: {key: [] for key in answers}, "unanswered"),
        (lambda answers, lesson: ["not", "a", "dict"], "invalid"),
    ],
    ids=["unknown-question", "unknown-answer", "two-answers-single-choice", "nothing-answered", "not-a-mapping"],
)
def test_quiz_bad_input_is_rejected_and_stores_nothing(enrolled, lessons, spoil, code):
    lesson = lessons[0]
    before = evidence_counts(enrolled)
    with pytest.raises(services.EvidenceRejected) as error:
        services.quiz_attempt_submit(
            learner=enrolled, lesson=lesson, block_id=block_of(lesson, "quiz").id,
            answers=spoil(correct_answers(lesson), lesson), submission_id=uuid.uuid4(),
        )
    assert error.value.code == code
    assert str(error.value.message)
    assert evidence_counts(enrolled) == before


def _two_answers_to_single(answers, lesson):
    quiz = block_of(lesson, "quiz")
    single = next(q for q in quiz.value["questions"].bound_blocks if q.value["kind"] == "single")
    return {**answers, single.id: [a.id for a in single.value["answers"].bound_blocks][:2]}


def test_attempts_run_out(enrolled, lessons):
    lesson = lessons[0]
    quiz = block_of(lesson, "quiz")
    assert quiz.value["attempts_allowed"] == 3
    for _ in range(3):
        services.quiz_attempt_submit(
            learner=enrolled, lesson=lesson, block_id=quiz.id, answers=wrong_answers(lesson), submission_id=uuid.uuid4()
        )
    with pytest.raises(services.EvidenceRejected) as error:
        services.quiz_attempt_submit(
            learner=enrolled, lesson=lesson, block_id=quiz.id, answers=correct_answers(lesson), submission_id=uuid.uuid4()
        )
    assert error.value.code == "no_attempts_left"
    assert QuizAttempt.objects.filter(learner=enrolled).count() == 3


def test_quiz_block_must_be_a_quiz_of_the_lesson(enrolled, lessons):
    lesson = lessons[0]
    for block_id, code in [("nope", "unknown_activity"), (block_of(lesson, "h5p").id, "wrong_block_kind")]:
        with pytest.raises(services.EvidenceRejected) as error:
            services.quiz_attempt_submit(
                learner=enrolled, lesson=lesson, block_id=block_id, answers=correct_answers(lesson), submission_id=uuid.uuid4()
            )
        assert error.value.code == code
    assert not QuizAttempt.objects.exists()


# --- xAPI -----------------------------------------------------------------------------------


def test_xapi_statement_counts_when_passed_and_is_stored_once(enrolled, lessons):
    lesson = lessons[0]
    h5p = block_of(lesson, "h5p")
    data = statement(raw=9, maximum=10)

    record, created = xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=data)
    again, created_again = xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=dict(data))

    assert created and not created_again and again.pk == record.pk
    assert XAPIStatement.objects.filter(learner=enrolled).count() == 1
    assert record.counts and record.score_raw == 9 and record.score_max == 10 and record.success is True
    assert record.score_share == Decimal("0.9") and record.sub_content_id == ""
    stored = {key: value for key, value in record.raw.items() if key != "actor"}
    assert stored == {key: value for key, value in aimed(data, lesson, h5p.id).items() if key != "actor"}
    assert record.package_id == h5p.value["package"].pk
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=h5p.id).exists()


def test_xapi_statement_with_its_own_id_dedups_on_it(enrolled, lessons):
    lesson = lessons[0]
    h5p = block_of(lesson, "h5p")
    statement_id = str(uuid.uuid4())
    xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=statement(id=statement_id))
    record, created = xapi_record(
        learner=enrolled, lesson=lesson, block_id=h5p.id, statement=statement(id=statement_id, timestamp="later")
    )
    assert not created and str(record.statement_id) == statement_id


def test_xapi_statement_without_id_is_the_same_after_a_reload(enrolled, lessons):
    """H5P invents a new actor on every page load: the same result sent again
    from a reloaded page is still one statement."""
    lesson = lessons[0]
    h5p = block_of(lesson, "h5p")
    first, _ = xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=statement(actor={"name": "a1"}))
    second, created = xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=statement(actor={"name": "b2"}))
    assert not created and second.pk == first.pk


@pytest.mark.parametrize(
    "data, counts",
    [
        (statement(raw=7, maximum=10), False),  # below the 0.8 threshold
        (statement(raw=8, maximum=10), True),  # exactly the threshold
        (statement(verb="answered"), True),  # H5P.Question types
        (statement(verb="answered", raw=0, maximum=1), False),
        (statement(verb="failed", raw=9, maximum=10), True),  # the block's threshold decides
        (statement(verb="failed", raw=1, maximum=10), False),
        (statement(verb="attempted"), False),
        (statement(verb="interacted"), False),
        (statement(verb="passed"), True),
        ({**statement(verb="passed"), "result": {"completion": True, "success": True}}, True),  # Essay
        ({**statement(verb="failed"), "result": {"completion": True, "success": False}}, False),
        ({**statement(), "result": {"completion": True}}, False),  # completed without a score
        (statement(verb="answered", raw=None, maximum=None, result={"score": {"scaled": 0.9}}), True),
        (statement(verb="answered", result={"score": {"raw": 0, "max": 0, "min": 0}}), False),  # nothing to score
        (statement(part="abc"), False),  # a part the package does not score
    ],
    ids=["below-threshold", "at-threshold", "answered", "answered-wrong", "failed-above", "failed-below",
         "attempted", "interacted", "passed", "passed-without-score", "failed-without-score", "no-score",
         "scaled-only", "max-zero", "unknown-part"],
)
def test_what_counts(enrolled, lessons, data, counts):
    lesson = lessons[0]
    record, created = xapi_record(learner=enrolled, lesson=lesson, block_id=block_of(lesson, "h5p").id, statement=data)
    assert created and record.counts is counts
    assert BlockCompletion.objects.filter(learner=enrolled, kind="h5p").exists() is counts


def test_negative_scores_are_accepted_and_count_as_nothing(enrolled, lessons):
    """xAPI allows negative scores (min <= raw <= max): a penalty below zero
    is a share of 0, stored, never a 400."""
    lesson = lessons[0]
    data = statement(verb="answered", result={"score": {"raw": -2, "min": -5, "max": 10, "scaled": -0.2}})
    record, created = xapi_record(learner=enrolled, lesson=lesson, block_id=block_of(lesson, "h5p").id, statement=data)
    assert created and record.score_raw == -2 and record.score_share == 0 and not record.counts


def test_a_lower_re_answer_never_removes_a_completion(enrolled, lessons):
    lesson = lessons[0]
    h5p = block_of(lesson, "h5p")
    xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=statement(verb="answered", raw=1, maximum=1))
    lower, created = xapi_record(
        learner=enrolled, lesson=lesson, block_id=h5p.id, statement=statement(verb="answered", raw=0, maximum=1)
    )
    services.progress_recompute(learner=enrolled, course_key=lesson.get_parent().get_parent().translation_key)
    assert created and not lower.counts
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=h5p.id).exists()


def test_the_statement_must_be_about_the_blocks_own_activity(enrolled, lessons):
    """Another block's activity, another lesson's, or a made-up id: refused,
    nothing stored (the README promised this check)."""
    lesson, other = lessons[0], lessons[1]
    h5p, other_h5p = block_of(lesson, "h5p"), block_of(other, "h5p")
    from courses.h5p.serving import activity_iri

    for object_id in [
        activity_iri(lesson_key=str(other.translation_key), block_id=other_h5p.id),
        activity_iri(lesson_key=str(lesson.translation_key), block_id=other_h5p.id),
        activity_iri(lesson_key=str(lesson.translation_key), block_id=h5p.id) + "x",
        activity_iri(lesson_key=str(lesson.translation_key), block_id=h5p.id) + "?subContentId=",
        activity_iri(lesson_key=str(lesson.translation_key), block_id=h5p.id) + "?subContentId=a b",
        "https://h5p.example/content/1",
    ]:
        data = statement(object={"id": object_id, "objectType": "Activity"})
        with pytest.raises(services.EvidenceRejected) as error:
            services.evidence_xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=data)
        assert error.value.code == "wrong_activity", object_id
    assert not XAPIStatement.objects.exists()


def test_the_server_writes_the_actor(enrolled, lessons, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://learn.example.org"
    other = make_learner()
    lesson = lessons[0]
    data = statement(actor={"account": {"name": str(other.pk), "homePage": "https://bridgeline.example"}, "mbox": f"mailto:{other.email}"})

    record, _ = xapi_record(learner=enrolled, lesson=lesson, block_id=block_of(lesson, "h5p").id, statement=data)

    assert record.learner_id == enrolled.pk
    assert not XAPIStatement.objects.filter(learner=other).exists()
    assert record.raw["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://learn.example.org/", "name": str(enrolled.pk)},
    }
    assert other.email not in json.dumps(record.raw)


def test_a_container_completes_by_the_share_of_its_scored_parts(enrolled, lessons, package):
    """Course Presentation without a summary slide sends no result of its
    own: its questions' best shares, unanswered ones as 0, decide."""
    H5PPackage.objects.filter(pk=package.pk).update(reports_score=False, scored_parts=["q1", "q2", "q3", "q4", "q5"])
    lesson = lessons[0]
    h5p = block_of(lesson, "h5p")  # threshold 0.8

    def answer(part, raw, maximum=1):
        record, created = xapi_record(
            learner=enrolled, lesson=lesson, block_id=h5p.id,
            statement=statement(verb="answered", raw=raw, maximum=maximum, part=part, id=str(uuid.uuid4())),
        )
        assert created and record.sub_content_id == part
        return record.counts

    assert [answer("q1", 1), answer("q2", 1), answer("q3", 1)] == [False, False, False]  # 0.6
    assert answer("q4", 0) is False  # still 0.6
    assert answer("not-a-part", 1) is False  # a question inside a part, or a forged one: no weight
    assert answer("q4", 1, 2) is False  # 0.7
    assert not BlockCompletion.objects.filter(learner=enrolled, block_id=h5p.id).exists()
    assert answer("q5", 1) is True  # (1 + 1 + 1 + 0.5 + 1) / 5 = 0.9
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=h5p.id).exists()
    assert answer("q1", 0) is True  # a worse re-answer: the best one (1) stays, so the share is still 0.9
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=h5p.id).exists()


def test_a_set_with_its_own_result_completes_by_it_not_by_its_parts(enrolled, lessons, package):
    """Question Set reports its own `completed` after Finish: answering its
    questions one by one does not complete the block before that."""
    H5PPackage.objects.filter(pk=package.pk).update(reports_score=True, scored_parts=["q1", "q2"])
    lesson = lessons[0]
    h5p = block_of(lesson, "h5p")
    for part in ("q1", "q2"):
        record, _ = xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=statement(verb="answered", part=part))
        assert not record.counts
    assert not BlockCompletion.objects.filter(learner=enrolled, block_id=h5p.id).exists()
    record, _ = xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=statement(raw=2, maximum=2))
    assert record.counts
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=h5p.id).exists()


def test_a_package_with_nothing_scored_completes_when_the_lesson_is_opened(enrolled, lessons, package):
    """Dialog Cards, Accordion: nothing to pass, so opening the lesson is
    the evidence, as for reading."""
    H5PPackage.objects.filter(pk=package.pk).update(reports_score=False, scored_parts=[])
    lesson = lessons[0]
    h5p = block_of(lesson, "h5p")
    services.lesson_visit_record(learner=enrolled, lesson=lesson)
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=h5p.id, kind="h5p").exists()
    assert not BlockCompletion.objects.filter(learner=enrolled, block_id=block_of(lessons[1], "h5p").id).exists()


def test_a_scored_package_does_not_complete_when_the_lesson_is_opened(enrolled, lessons):
    lesson = lessons[0]
    services.lesson_visit_record(learner=enrolled, lesson=lesson)
    assert not BlockCompletion.objects.filter(learner=enrolled, block_id=block_of(lesson, "h5p").id).exists()


@pytest.mark.parametrize(
    "score",
    [
        {"raw": 11, "max": 10},
        {"raw": -1, "max": 10, "min": 0},
        {"raw": 5, "max": 10, "scaled": 1.5},
        {"raw": 5, "max": 10, "scaled": -1.5},
        {"raw": 5, "max": 10, "min": 6},
        {"raw": 5, "max": 4, "min": 6},
        {"raw": "5", "max": 10},
        {"raw": True, "max": 1},
        {"max": 10},
        {"raw": 999, "max": 1},
        {"raw": 1e300, "max": 1e301},
        "high",
    ],
    ids=["above-max", "below-min-zero", "scaled-above-1", "scaled-below-minus-1", "below-min", "min-above-max",
         "string", "bool", "no-raw", "999-of-1", "huge", "not-an-object"],
)
def test_impossible_scores_are_rejected(enrolled, lessons, score):
    lesson = lessons[0]
    data = statement()
    data["result"] = {"score": score}
    before = evidence_counts(enrolled)
    with pytest.raises(services.EvidenceRejected) as error:
        xapi_record(learner=enrolled, lesson=lesson, block_id=block_of(lesson, "h5p").id, statement=data)
    assert error.value.code == "invalid_score"
    assert evidence_counts(enrolled) == before


@pytest.mark.parametrize(
    "data",
    [None, [], {"verb": {"id": 3}, "object": {"id": "x"}}, {"verb": {"id": "x"}}, {"verb": "completed", "object": {"id": "x"}}],
    ids=["none", "list", "verb-not-string", "no-object", "verb-not-object"],
)
def test_unreadable_statements_are_rejected(enrolled, lessons, data):
    with pytest.raises(services.EvidenceRejected) as error:
        xapi_record(learner=enrolled, lesson=lessons[0], block_id=block_of(lessons[0], "h5p").id, statement=data)
    assert error.value.code == "invalid_statement"
    assert not XAPIStatement.objects.exists()


def test_xapi_activity_must_be_an_h5p_block_the_learner_may_use(enrolled, learner, course, lessons):
    lesson = lessons[0]
    cases = [
        (enrolled, lesson, "no-such-block", "unknown_activity"),
        (enrolled, lesson, block_of(lesson, "quiz").id, "wrong_block_kind"),
        (make_learner(), lesson, block_of(lesson, "h5p").id, "not_enrolled"),
    ]
    for user, page, block_id, code in cases:
        with pytest.raises(services.EvidenceRejected) as error:
            xapi_record(learner=user, lesson=page, block_id=block_id, statement=statement())
        assert error.value.code == code
    assert not XAPIStatement.objects.exists()


def test_xapi_on_an_unpublished_lesson_is_rejected(enrolled, lessons):
    lesson = lessons[0]
    lesson.unpublish()
    lesson.refresh_from_db()
    with pytest.raises(services.EvidenceRejected) as error:
        xapi_record(learner=enrolled, lesson=lesson, block_id=block_of(lesson, "h5p").id, statement=statement())
    assert error.value.code == "unknown_activity"
    assert not XAPIStatement.objects.exists()


# --- Reflections ------------------------------------------------------------------------------


def test_reflection_saved_replaced_and_idempotent(enrolled, lessons):
    lesson = lessons[0]
    block_id = block_of(lesson, "reflection").id
    services.reflection_save(learner=enrolled, lesson=lesson, block_id=block_id, text="  First thoughts.  ")
    services.reflection_save(learner=enrolled, lesson=lesson, block_id=block_id, text="Second thoughts.")
    services.reflection_save(learner=enrolled, lesson=lesson, block_id=block_id, text="Second thoughts.")

    assert list(Reflection.objects.filter(learner=enrolled).values_list("text", flat=True)) == ["Second thoughts."]
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=block_id).exists()


@pytest.mark.parametrize("text, code", [("", "empty"), ("   ", "empty"), ("x" * 10_001, "too_long")])
def test_reflection_rejects_empty_and_too_long(enrolled, lessons, text, code):
    lesson = lessons[0]
    with pytest.raises(services.EvidenceRejected) as error:
        services.reflection_save(learner=enrolled, lesson=lesson, block_id=block_of(lesson, "reflection").id, text=text)
    assert error.value.code == code
    assert not Reflection.objects.exists()


def test_reflection_of_exactly_the_limit_is_kept(enrolled, lessons):
    lesson = lessons[0]
    services.reflection_save(learner=enrolled, lesson=lesson, block_id=block_of(lesson, "reflection").id, text="x" * 10_000)
    assert len(Reflection.objects.get().text) == 10_000


# --- Completion, withdrawal, re-enrolment --------------------------------------------------------


def test_completion_recorded_and_signalled_once(enrolled, course, lessons, django_capture_on_commit_callbacks):
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    course_completed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for lesson in lessons:
                complete_lesson(enrolled, lesson)
            first = services.progress_recompute(learner=enrolled, course_key=course.translation_key)
            second = services.progress_recompute(learner=enrolled, course_key=course.translation_key)
    finally:
        course_completed.disconnect(receiver)

    assert first.completed and second.completed and not second.newly_completed
    assert CourseCompletion.objects.filter(learner=enrolled).count() == 1
    assert len(received) == 1
    assert received[0]["learner"] == enrolled and received[0]["course_key"] == course.translation_key


def test_withdraw_keeps_evidence_and_re_enrol_reactivates(enrolled, course, lessons):
    complete_lesson(enrolled, lessons[0])
    before = evidence_counts(enrolled)
    enrollment = Enrollment.objects.get(learner=enrolled)

    services.enrollment_withdraw(enrollment=enrollment)
    assert evidence_counts(enrolled) == before
    with pytest.raises(services.EvidenceRejected):
        services.lesson_visit_record(learner=enrolled, lesson=lessons[1])

    again = services.enrollment_create(learner=enrolled, course_key=course.translation_key)
    assert again.pk == enrollment.pk and again.status == Enrollment.Status.ACTIVE and again.withdrawn_at is None
    assert course_progress_for(learner=enrolled, course=course).done == before["BlockCompletion"]


# --- Sequential courses -------------------------------------------------------------------------


def test_sequential_course_locks_later_modules_until_earlier_ones_are_complete(package, learner):
    from tests.learning.conftest import full_body

    course = make_course(modules=3, lessons=1, body=full_body(package))
    course.is_public = True
    course.sequential = True
    course.save_revision().publish()
    first, second, third = lessons_of(course)
    services.enrollment_create(learner=learner, course_key=course.translation_key)

    assert not lesson_is_locked(learner=learner, lesson=first)
    assert lesson_is_locked(learner=learner, lesson=second) and lesson_is_locked(learner=learner, lesson=third)
    with pytest.raises(services.EvidenceRejected) as error:
        xapi_record(learner=learner, lesson=second, block_id=block_of(second, "h5p").id, statement=statement())
    assert error.value.code == "locked"
    for kind_call in (
        lambda: services.lesson_visit_record(learner=learner, lesson=second),
        lambda: services.reflection_save(learner=learner, lesson=second, block_id=block_of(second, "reflection").id, text="x"),
        lambda: services.quiz_attempt_submit(
            learner=learner, lesson=second, block_id=block_of(second, "quiz").id,
            answers=correct_answers(second), submission_id=uuid.uuid4(),
        ),
    ):
        with pytest.raises(services.EvidenceRejected):
            kind_call()
    assert not XAPIStatement.objects.exists() and not Reflection.objects.exists() and not QuizAttempt.objects.exists()

    complete_lesson(learner, first)

    assert not lesson_is_locked(learner=learner, lesson=second)
    assert lesson_is_locked(learner=learner, lesson=third)
    progress = course_progress_for(learner=learner, course=course)
    assert [m.locked for m in progress.modules] == [False, False, True]
    assert progress.next_lesson.page.pk == second.pk


def test_non_sequential_course_locks_nothing(enrolled, lessons):
    assert not any(lesson_is_locked(learner=enrolled, lesson=lesson) for lesson in lessons)


def test_quiz_value_fixture_has_distinct_ids_per_lesson(lessons):
    ids = [block_of(lesson, "quiz").id for lesson in lessons]
    assert len(set(ids)) == len(ids)
    assert quiz_value()["attempts_allowed"] == 3
