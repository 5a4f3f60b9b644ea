"""Fixtures for the trainer-side tests (tests/learning/test_trainer_*.py):
two partners, a course owned by the first, and one cohort of it with its
trainer, a coordinator and learners. Imported by the test modules (the
package's conftest.py belongs to the learner side).

Course shape: `modules` modules of one lesson each; every lesson has three
required blocks: a text (completed by a visit), a face-to-face session
(completed by registered attendance) and a reflection (completed by
writing it; its text is private to the learner).
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

import pytest

from accounts.models import User
from courses.pages import CoursePage, LessonPage
from courses.selectors import course_outline
from learning import services
from learning.cohorts import cohort_create, cohort_enrol_learners
from learning.models import Cohort, LessonVisit, Reflection
from partners.models import Membership, Partner, Role
from tests.courses.test_pages import make_course, make_home, make_partner

_counter = itertools.count(1)
PASSWORD = "x-9-long-enough"


def lesson_body(n: int = 1) -> list:
    return [
        ("text", {"text": f"<p>Reading {n}.</p>", "required": True}),
        (
            "session",
            {
                "title": f"Practising conversations {n}",
                "starts_at": datetime.datetime(2027, 3, 12, 9, 30, tzinfo=datetime.UTC),
                "duration_minutes": 180,
                "place": "Maison des associations, Lille",
                "trainer_name": "Claire Dubois",
                "trainer_email": "",
                "required": True,
            },
        ),
        ("reflection", {"prompt": "What would help a young person talk to you?", "required": True}),
    ]


def make_user(*, partner: Partner | None = None, role: str = Role.LEARNER, name: str = "", **extra) -> User:
    number = next(_counter)
    user = User.objects.create_user(
        email=f"{role}{number}@example.org", password=PASSWORD, full_name=name or f"{role.title()} {number}", **extra
    )
    if partner is not None:
        Membership.objects.create(user=user, partner=partner, role=role)
    return user


def blocks_of(lesson: LessonPage) -> dict[str, str]:
    """kind -> block id of the lesson's (one of each) blocks."""
    return {child.block_type: str(child.id) for child in lesson.body}


@dataclass
class World:
    partner: Partner
    other_partner: Partner
    course: CoursePage
    lessons: list[LessonPage]
    cohort: Cohort
    trainer: User
    coordinator: User
    other_trainer: User
    other_coordinator: User
    learner: User  # enrolled in the cohort
    other_learner: User  # a member of the other partner
    staff: User
    learners: list[User] = field(default_factory=list)

    @property
    def home(self):
        return self.course.get_parent().get_parent()

    @property
    def course_key(self):
        return self.course.translation_key

    def session(self, index: int = 0) -> tuple:
        """(lesson_key, block_id) of the session in lesson `index`."""
        lesson = self.lessons[index]
        return lesson.translation_key, blocks_of(lesson)["session"]


def make_world(*, modules: int = 2, learners: int = 1, public: bool = False, home=None) -> World:
    """Pass the `home` of an earlier world to build a second one beside it
    (make_home replaces the site's root and so deletes the earlier tree)."""
    partner = make_partner("BE")
    other = make_partner("FR")
    course = make_course(home=home or make_home(), partner=partner, modules=modules, lessons=1, body=lesson_body())
    if public:
        CoursePage.objects.filter(pk=course.pk).update(is_public=True)
        course.refresh_from_db()
    lessons = list(LessonPage.objects.descendant_of(course).order_by("path"))
    trainer = make_user(partner=partner, role=Role.TRAINER, name="Anna Peeters")
    cohort = cohort_create(
        created_by=trainer, course_key=course.translation_key, partner=partner, name="Spring 2027 — Gent",
        starts_on=datetime.date(2027, 3, 1), ends_on=datetime.date(2027, 6, 30),
    )
    people = [make_user(partner=partner, name=f"Learner {n:02d}") for n in range(learners)]
    cohort_enrol_learners(cohort=cohort, emails=[person.email for person in people], enrolled_by=trainer)
    return World(
        partner=partner,
        other_partner=other,
        course=course,
        lessons=lessons,
        cohort=cohort,
        trainer=trainer,
        coordinator=make_user(partner=partner, role=Role.COORDINATOR),
        other_trainer=make_user(partner=other, role=Role.TRAINER),
        other_coordinator=make_user(partner=other, role=Role.COORDINATOR),
        learner=people[0] if people else make_user(partner=partner),
        other_learner=make_user(partner=other),
        staff=make_user(is_staff=True),
        learners=people,
    )


def visit(*, learner: User, lesson: LessonPage) -> None:
    """The learner opens a lesson: through the learner side's service when it
    exists, else the evidence row itself and a recompute."""
    record = getattr(services, "lesson_visit_record", None)
    if record is not None:
        record(learner=learner, lesson=lesson)
        return
    course_key = lesson.get_parent().get_parent().translation_key
    LessonVisit.objects.get_or_create(learner=learner, lesson_key=lesson.translation_key, defaults={"course_key": course_key})
    services.progress_recompute(learner=learner, course_key=course_key)


def reflect(*, learner: User, lesson: LessonPage, text: str) -> None:
    """The learner writes a reflection (the learner side's service when it exists)."""
    block_id = blocks_of(lesson)["reflection"]
    record = getattr(services, "reflection_save", None)
    if record is not None:
        record(learner=learner, lesson=lesson, block_id=block_id, text=text)
        return
    course_key = lesson.get_parent().get_parent().translation_key
    Reflection.objects.update_or_create(
        learner=learner, block_id=block_id,
        defaults={"course_key": course_key, "lesson_key": lesson.translation_key, "text": text},
    )
    services.progress_recompute(learner=learner, course_key=course_key)


def outline_of(course: CoursePage):
    return course_outline(course=course)


@pytest.fixture
def world(db) -> World:
    return make_world()
