"""Demo learners with progress in the demo course.

`seed_learning` enrols learner1..3 of each demo partner in the demo course
(demo.courses.seed_courses must have run) and gives them different progress,
all through the learning services, as a learner clicking through would:

* learner1 has done everything a learner can do alone: every lesson opened,
  the quiz passed, every H5P activity done with full marks and both
  reflections written. The course is not *completed*: its face-to-face
  session needs attendance registered by a trainer, and the course asks for
  75 % live attendance.
* learner2 is halfway: the first module done and the first lesson of the
  second module opened (the course is sequential, so module two is open).
* learner3 has just started: the first lesson opened.

H5P results are the statements the content types send when everything is
right (`_h5p_statement`): True/False and Multiple Choice a top-level
`answered` with the question, the response and the full score; the
project's own check a `completed`. Their object id is the block's activity
IRI, the one the player gives the activity.

Idempotent: enrolments are reactivated, not duplicated; quiz submissions and
xAPI statements carry ids derived from the learner and block, so a second run
returns the stored ones; a reflection saved again with the same text changes
nothing.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from uuid import NAMESPACE_URL, uuid5

from django.db import transaction
from django.utils.html import strip_tags

from accounts.models import User
from courses.h5p.serving import activity_iri
from courses.pages import CoursePage
from courses.selectors import course_outline
from learning import services
from partners.models import Partner

from .courses import COURSE_SLUG
from .people import demo_email

REFLECTION_TEXT = "I will ask more open questions and listen to the grievance before I answer the slogan."
XAPI_VERBS = "http://adlnet.gov/expapi/verbs/"
CMI_INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
# What the demo learners "took" to answer an activity (xAPI duration).
DURATION = "PT24.5S"


def _demo_id(*parts) -> str:
    return str(uuid5(NAMESPACE_URL, "https://bridgeline.demo.example/" + "/".join(str(p) for p in parts)))


def _lessons(course: CoursePage):
    return [lesson.page for module in course_outline(course=course) for lesson in module.lessons]


def _text(value) -> str:
    """Plain text of an H5P text field (HTML, as the editor saves it)."""
    return html.unescape(strip_tags(value or "")).strip()


def _package_content(package) -> dict:
    """The stored content/content.json of `package` ({} when unreadable)."""
    try:
        content = json.loads(package.file_path("content/content.json").read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return {}
    return content if isinstance(content, dict) else {}


def _answered(content: dict, library: str) -> tuple[dict, str, int] | None:
    """(object definition, response, maximum score) of a fully right answer
    to a True/False or Multiple Choice question, as the official libraries
    report it (H5P.TrueFalse 1.6 and H5P.MultiChoice 1.14, addQuestionToXAPI
    and addResponseToXAPI); None for other content types."""
    definition = {"description": {"en-US": _text(content.get("question"))}, "type": CMI_INTERACTION}
    if library == "H5P.TrueFalse":
        correct = "true" if content.get("correct") == "true" else "false"
        return {**definition, "interactionType": "true-false", "correctResponsesPattern": [correct]}, correct, 1
    if library == "H5P.MultiChoice":
        answers = [a for a in content.get("answers") or [] if isinstance(a, dict)]
        right = [str(i) for i, answer in enumerate(answers) if answer.get("correct")]
        behaviour = content.get("behaviour") or {}
        single = behaviour.get("type") == "single" or (behaviour.get("type", "auto") == "auto" and len(right) == 1)
        maximum = 1 if single or behaviour.get("singlePoint") or not right else len(right)
        choices = [{"id": str(i), "description": {"en-US": _text(a.get("text"))}} for i, a in enumerate(answers)]
        # 1.14 always joins the right choices with "[,]", one pattern.
        pattern = ["[,]".join(right)]
        return (
            {**definition, "interactionType": "choice", "correctResponsesPattern": pattern, "choices": choices},
            "[,]".join(right),
            maximum,
        )
    return None


def _h5p_statement(*, learner: User, lesson, block) -> dict:
    """The statement the block's activity sends when the learner gets it all
    right, about the activity itself (the block's activity IRI): `answered`
    with the question, the response and the full score for True/False and
    Multiple Choice; `completed` with 1/1 for the project's own check (and
    any other type)."""
    package = block.value.get("package")
    library = getattr(package, "main_library", "")
    version = getattr(package, "main_library_version", "")
    content = _package_content(package) if package is not None else {}
    answered = _answered(content, library) if content else None
    verb, definition, response, maximum = "completed", {}, None, 1
    if answered is not None:
        verb = "answered"
        definition, response, maximum = answered
    name = (getattr(package, "metadata", None) or {}).get("title") or getattr(package, "title", "")
    result = {
        "score": {"min": 0, "max": maximum, "raw": maximum, "scaled": 1},
        "completion": True,
        "success": True,
        "duration": DURATION,
    }
    if response is not None:
        result["response"] = response
    return {
        "id": _demo_id("xapi", learner.pk, block.id),
        # H5P's anonymous actor (the server stores its own instead).
        "actor": {
            "objectType": "Agent",
            "account": {"name": _demo_id("actor", learner.pk), "homePage": "https://bridgeline.demo.example/"},
        },
        "verb": {"id": XAPI_VERBS + verb, "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": activity_iri(lesson_key=str(lesson.translation_key), block_id=block.id),
            "definition": {"name": {"en-US": name}, **definition},
        },
        "context": {
            "contextActivities": {
                "category": [{"id": f"http://h5p.org/libraries/{library}-{version}", "objectType": "Activity"}]
            }
        },
        "result": result,
    }


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
            statement = _h5p_statement(learner=learner, lesson=lesson, block=block)
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

