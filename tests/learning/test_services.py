"""The learner's services: each kind of evidence, idempotency, completion
sent once, withdrawal keeping history, and the sequential lock."""

from __future__ import annotations

import uuid

import pytest

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
from tests.learning.conftest import block_of, complete_lesson, correct_answers, make_learner, statement, wrong_answers

pytestmark = pytest.mark.django_db


def evidence_counts(learner) -> dict:
    return {
        model.__name__: model.objects.filter(learner=learner).count()
        for model in (LessonVisit, QuizAttempt, XAPIStatement, Reflection, BlockCompletion, CourseCompletion)
    }


# --- Visits --------------------------------------------------------------------------------


def test_visit_completes_reading_blocks_and_sets_continue_point(enrolled, course, lessons):
    result = services.lesson_visit_record(learner=enrolled, lesson=lessons[0])
    again = services.lesson_visit_record(learner=enrolled, lesson=lessons[0])

    assert LessonVisit.objects.filter(learner=enrolled).count() == 1
    text_id = block_of(lessons[0], "text").id
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=text_id, kind="text").exists()
    enrollment = Enrollment.objects.get(learner=enrolled)
    assert enrollment.last_lesson_key == lessons[0].translation_key
    assert enrollment.last_activity_at is not None
    assert result.required == 8 and result.done == 1 and again.done == 1


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

    record, created = services.evidence_xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=data)
    again, created_again = services.evidence_xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=dict(data))

    assert created and not created_again and again.pk == record.pk
    assert XAPIStatement.objects.filter(learner=enrolled).count() == 1
    assert record.counts and record.score_raw == 9 and record.score_max == 10 and record.success is True
    assert record.raw == data and record.package_id == h5p.value["package"].pk
    assert BlockCompletion.objects.filter(learner=enrolled, block_id=h5p.id).exists()


def test_xapi_statement_with_its_own_id_dedups_on_it(enrolled, lessons):
    lesson = lessons[0]
    h5p = block_of(lesson, "h5p")
    statement_id = str(uuid.uuid4())
    services.evidence_xapi_record(learner=enrolled, lesson=lesson, block_id=h5p.id, statement=statement(id=statement_id))
    record, created = services.evidence_xapi_record(
        learner=enrolled, lesson=lesson, block_id=h5p.id, statement=statement(id=statement_id, timestamp="later")
    )
    assert not created and str(record.statement_id) == statement_id


@pytest.mark.parametrize(
    "data, counts",
    [
        (statement(raw=7, maximum=10), False),  # below the 0.8 threshold
        (statement(verb="attempted"), False),
        (statement(verb="passed"), True),
        ({**statement(), "result": {"completion": True}}, False),  # no score
        (statement(object={"id": "https://h5p.example/content/1?subContentId=abc"}), False),
        (statement(context={"contextActivities": {"parent": [{"id": "https://h5p.example/content/1"}]}}), False),
    ],
    ids=["below-threshold", "other-verb", "passed", "no-score", "sub-content-id", "sub-content-parent"],
)
def test_what_counts(enrolled, lessons, data, counts):
    lesson = lessons[0]
    record, created = services.evidence_xapi_record(
        learner=enrolled, lesson=lesson, block_id=block_of(lesson, "h5p").id, statement=data
    )
    assert created and record.counts is counts
    assert BlockCompletion.objects.filter(learner=enrolled, kind="h5p").exists() is counts


def test_actor_is_ignored(enrolled, lessons):
    other = make_learner()
    lesson = lessons[0]
    data = statement(actor={"account": {"name": str(other.pk), "homePage": "https://bridgeline.example"}, "mbox": f"mailto:{other.email}"})

    record, _ = services.evidence_xapi_record(learner=enrolled, lesson=lesson, block_id=block_of(lesson, "h5p").id, statement=data)

    assert record.learner_id == enrolled.pk
    assert not XAPIStatement.objects.filter(learner=other).exists()


@pytest.mark.parametrize(
    "score",
    [
        {"raw": 11, "max": 10},
        {"raw": -1, "max": 10},
        {"raw": 0, "max": 0},
        {"raw": 5, "max": 10, "scaled": 1.5},
        {"raw": 5, "max": 10, "scaled": -0.1},
        {"raw": 5, "max": 10, "min": 6},
        {"raw": "5", "max": 10},
        {"raw": True, "max": 1},
        {"max": 10},
        {"raw": 999, "max": 1},
        "high",
    ],
    ids=["above-max", "negative", "max-zero", "scaled-above-1", "scaled-negative", "below-min", "string", "bool",
         "no-raw", "999-of-1", "not-an-object"],
)
def test_impossible_scores_are_rejected(enrolled, lessons, score):
    lesson = lessons[0]
    data = statement()
    data["result"] = {"score": score}
    before = evidence_counts(enrolled)
    with pytest.raises(services.EvidenceRejected) as error:
        services.evidence_xapi_record(learner=enrolled, lesson=lesson, block_id=block_of(lesson, "h5p").id, statement=data)
    assert error.value.code == "invalid_score"
    assert evidence_counts(enrolled) == before


@pytest.mark.parametrize(
    "data",
    [None, [], {"verb": {"id": 3}, "object": {"id": "x"}}, {"verb": {"id": "x"}}, {"verb": "completed", "object": {"id": "x"}}],
    ids=["none", "list", "verb-not-string", "no-object", "verb-not-object"],
)
def test_unreadable_statements_are_rejected(enrolled, lessons, data):
    with pytest.raises(services.EvidenceRejected) as error:
        services.evidence_xapi_record(learner=enrolled, lesson=lessons[0], block_id=block_of(lessons[0], "h5p").id, statement=data)
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
            services.evidence_xapi_record(learner=user, lesson=page, block_id=block_id, statement=statement())
        assert error.value.code == code
    assert not XAPIStatement.objects.exists()


def test_xapi_on_an_unpublished_lesson_is_rejected(enrolled, lessons):
    lesson = lessons[0]
    lesson.unpublish()
    lesson.refresh_from_db()
    with pytest.raises(services.EvidenceRejected) as error:
        services.evidence_xapi_record(learner=enrolled, lesson=lesson, block_id=block_of(lesson, "h5p").id, statement=statement())
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
        services.evidence_xapi_record(learner=learner, lesson=second, block_id=block_of(second, "h5p").id, statement=statement())
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
