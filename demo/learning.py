"""Demo learners with progress in the demo course.

`seed_learning` enrols learner1..3 of each demo partner in the demo course
(demo.courses.seed_courses must have run) and gives them different progress,
all through the learning services, as a learner clicking through would:

* learner1 has done everything a learner can do alone: every lesson opened,
  the quiz passed, the H5P activity completed with full marks and both
  reflections written. The course is not *completed*: its face-to-face
  session needs attendance registered by a trainer, and the course asks for
  75 % live attendance.
* learner2 is halfway: the first module done and the first lesson of the
  second module opened (the course is sequential, so module two is open).
* learner3 has just started: the first lesson opened.

Idempotent: enrolments are reactivated, not duplicated; quiz submissions and
xAPI statements carry ids derived from the learner and block, so a second run
returns the stored ones; a reflection saved again with the same text changes
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import NAMESPACE_URL, uuid5

from django.db import transaction

from accounts.models import User
from courses.pages import CoursePage
from courses.selectors import course_outline
from learning import services
from partners.models import Partner

from .courses import COURSE_SLUG
from .people import demo_email

REFLECTION_TEXT = "I will ask more open questions and listen to the grievance before I answer the slogan."


def _demo_id(*parts) -> str:
    return str(uuid5(NAMESPACE_URL, "https://bridgeline.demo.example/" + "/".join(str(p) for p in parts)))


def _lessons(course: CoursePage):
    return [lesson.page for module in course_outline(course=course) for lesson in module.lessons]


def _work_through(*, learner: User, lesson) -> None:
    """Open the lesson and do every block a learner completes alone."""
    services.lesson_visit_record(learner=learner, lesson=lesson)
    for block in lesson.body:
        if block.block_type == "quiz":
            answers = {
                question.id: [a.id for a in question.value["answers"].bound_blocks if a.value.get("correct")]
                for question in block.value["questions"].bound_blocks
            }
            services.quiz_attempt_submit(
                learner=learner, lesson=lesson, block_id=block.id, answers=answers,
                submission_id=_demo_id("quiz", learner.pk, block.id),
            )
        elif block.block_type == "h5p":
            package = block.value.get("package")
            statement = {
                "id": _demo_id("xapi", learner.pk, block.id),
                "actor": {"objectType": "Agent", "name": learner.full_name},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
                "object": {"objectType": "Activity", "id": f"https://bridgeline.demo.example/h5p/{getattr(package, 'pk', 0)}"},
                "result": {"score": {"min": 0, "raw": 1, "max": 1, "scaled": 1}, "completion": True, "success": True},
            }
            services.evidence_xapi_record(learner=learner, lesson=lesson, block_id=block.id, statement=statement)
        elif block.block_type == "reflection":
            services.reflection_save(learner=learner, lesson=lesson, block_id=block.id, text=REFLECTION_TEXT)


@transaction.atomic
def seed_learning(*, partners: Sequence[Partner]) -> CoursePage | None:
    """Enrol the demo learners with varied progress; returns the course (None
    when the demo course has not been seeded)."""
    course = CoursePage.objects.live().filter(slug=COURSE_SLUG).order_by("pk").first()
    if course is None:
        return None
    course = services.course_canonical(course_key=course.translation_key)
    lessons = _lessons(course)
    modules = course_outline(course=course)
    first_module = [lesson.page for lesson in modules[0].lessons] if modules else []
    second_module_start = [modules[1].lessons[0].page] if len(modules) > 1 and modules[1].lessons else []
    plans = {
        "learner1": lambda learner: [_work_through(learner=learner, lesson=lesson) for lesson in lessons],
        "learner2": lambda learner: [_work_through(learner=learner, lesson=lesson) for lesson in first_module]
        + [services.lesson_visit_record(learner=learner, lesson=lesson) for lesson in second_module_start],
        "learner3": lambda learner: [services.lesson_visit_record(learner=learner, lesson=lesson) for lesson in lessons[:1]],
    }
    for partner in partners:
        for local, plan in plans.items():
            learner = User.objects.filter(email=demo_email(local, partner.country)).first()
            if learner is None:
                continue
            services.enrollment_create(learner=learner, course_key=course.translation_key)
            plan(learner)
    return course

