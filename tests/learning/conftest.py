"""Fixtures for the learner-side tests: a course whose lessons hold the
blocks under test, learners, and helpers to read block, question and answer
ids (the evidence keys) back from the saved pages. Course trees come from
tests/courses/test_pages.py's builders."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

import pytest

from accounts.models import User
from courses.h5p.serving import activity_iri
from courses.pages import CoursePage, LessonPage
from learning import services
from partners.models import Membership
from tests.courses.test_pages import lessons_of, make_course, make_package, quiz_value

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_roots(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.H5P_CONTENT_ROOT = str(tmp_path / "h5p")


def make_learner(*, role: str | None = None, partner=None, name: str = "") -> User:
    number = next(_counter)
    user = User.objects.create_user(
        email=f"learner-side-{number}@example.org", password="x-9-long-enough", full_name=name or f"Learner {number}"
    )
    if role and partner is not None:
        Membership.objects.create(user=user, partner=partner, role=role)
    return user


def h5p_value(package, threshold: str = "0.8") -> dict:
    return {"title": "Spot the signs", "package": package, "pass_threshold": Decimal(threshold), "required": True}


def full_body(package) -> list:
    """text (read), quiz, h5p and reflection: everything a learner completes alone."""
    return [
        ("text", {"text": "<p>Radicalisation is a process.</p>", "required": True}),
        ("quiz", quiz_value(questions=2)),
        ("h5p", h5p_value(package)),
        ("reflection", {"prompt": "What would help a young person talk to you?", "required": True}),
    ]


def block_of(lesson: LessonPage, kind: str):
    return next(block for block in lesson.body if block.block_type == kind)


def correct_answers(lesson: LessonPage) -> dict[str, list[str]]:
    quiz = block_of(lesson, "quiz")
    return {
        q.id: [a.id for a in q.value["answers"].bound_blocks if a.value["correct"]]
        for q in quiz.value["questions"].bound_blocks
    }


def wrong_answers(lesson: LessonPage) -> dict[str, list[str]]:
    quiz = block_of(lesson, "quiz")
    return {
        q.id: [next(a.id for a in q.value["answers"].bound_blocks if not a.value["correct"])]
        for q in quiz.value["questions"].bound_blocks
    }


# Stands for the block's own activity IRI in statements built before the
# lesson is known (parametrised cases); `aimed` puts the real IRI in.
ACTIVITY = "urn:test:activity"


def statement(*, raw=1, maximum=1, verb="completed", part=None, **extra) -> dict:
    """A statement as h5p-standalone sends it: about the block's activity, or
    about its part `part` (a subContentId)."""
    data = {
        "actor": {"name": "Someone", "mbox": "mailto:someone@example.org"},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        "object": {"id": ACTIVITY + (f"?subContentId={part}" if part else ""), "objectType": "Activity"},
        "result": {"score": {"raw": raw, "max": maximum, "min": 0}, "completion": True, "success": True},
    }
    data.update(extra)
    return data


def aimed(data, lesson: LessonPage, block_id: str):
    """`data` with the ACTIVITY placeholder replaced by the block's activity
    IRI, as the player gives it (courses.h5p.serving.activity_iri)."""
    if not isinstance(data, dict):
        return data
    iri = activity_iri(lesson_key=str(lesson.translation_key), block_id=str(block_id))
    return json.loads(json.dumps(data).replace(ACTIVITY, iri))


def xapi_record(*, learner, lesson: LessonPage, block_id: str, statement: dict):
    return services.evidence_xapi_record(
        learner=learner, lesson=lesson, block_id=block_id, statement=aimed(statement, lesson, block_id)
    )


def complete_lesson(learner, lesson: LessonPage) -> None:
    """Every learner-completable block of a `full_body` lesson, through the services."""
    import uuid

    services.lesson_visit_record(learner=learner, lesson=lesson)
    kinds = {block.block_type for block in lesson.body}
    if "quiz" in kinds:
        services.quiz_attempt_submit(
            learner=learner, lesson=lesson, block_id=block_of(lesson, "quiz").id,
            answers=correct_answers(lesson), submission_id=uuid.uuid4(),
        )
    if "h5p" in kinds:
        xapi_record(learner=learner, lesson=lesson, block_id=block_of(lesson, "h5p").id, statement=statement())
    if "reflection" in kinds:
        services.reflection_save(learner=learner, lesson=lesson, block_id=block_of(lesson, "reflection").id, text="My thoughts.")


@pytest.fixture
def package(db):
    return make_package()


@pytest.fixture
def course(package) -> CoursePage:
    course = make_course(modules=2, lessons=1, body=full_body(package))
    course.is_public = True
    course.save_revision().publish()
    return CoursePage.objects.get(pk=course.pk)


@pytest.fixture
def lessons(course) -> list[LessonPage]:
    return lessons_of(course)


@pytest.fixture
def learner(db) -> User:
    return make_learner()


@pytest.fixture
def enrolled(learner, course) -> User:
    services.enrollment_create(learner=learner, course_key=course.translation_key)
    return learner
