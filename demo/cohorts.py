"""Demo cohorts: one run of the demo course per partner, "Spring 2027 —
<city>", trained by the partner's trainer, with its three learners enrolled.
Made through the trainer-side services, so the demo shows what a trainer
would have made. Idempotent: a second run finds the cohorts by partner,
course and name and enrols nobody twice."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction

from courses.pages import CoursePage
from courses.selectors import course_outline
from learning.cohorts import cohort_create, cohort_enrol_learners, session_attendance_register
from learning.models import Cohort
from partners.models import Membership, Partner, Role

# The demo partners' cities (demo/people.py); another partner is named by its slug.
CITIES = {
    "gb-london-prevent": "London",
    "fr-lille-prevention": "Lille",
    "be-gent-preventie": "Gent",
    "nl-rotterdam-weerbaar": "Rotterdam",
}
STARTS_ON = datetime.date(2027, 3, 1)
ENDS_ON = datetime.date(2027, 6, 30)


def cohort_name(partner: Partner) -> str:
    return f"Spring 2027 — {CITIES.get(partner.slug, partner.name)}"


@transaction.atomic
def seed_cohorts(*, partners: Sequence[Partner]) -> list[Cohort]:
    """Run after seed_people and seed_courses. Returns the cohorts."""
    course = CoursePage.objects.live().order_by("pk").first()
    if course is None:
        raise ValueError("seed_cohorts needs the demo course (run seed_courses first).")
    cohorts = []
    for partner in partners:
        people = Membership.objects.filter(partner=partner).select_related("user").order_by("pk")
        trainer = next((m.user for m in people if m.role == Role.TRAINER), None)
        if trainer is None:
            continue
        cohort = Cohort.objects.filter(partner=partner, course_key=course.translation_key, name=cohort_name(partner)).first()
        if cohort is None:
            cohort = cohort_create(
                created_by=trainer, course_key=course.translation_key, partner=partner, name=cohort_name(partner),
                starts_on=STARTS_ON, ends_on=ENDS_ON, trainers=[trainer],
            )
        cohort_enrol_learners(
            cohort=cohort, emails=[m.user.email for m in people if m.role == Role.LEARNER], enrolled_by=trainer
        )
        # learner1 of each partner, who did every lesson (demo.learning), also
        # attended the face-to-face sessions: the trainer registers it, and
        # the course is complete for them.
        first_learner = next((m.user for m in people if m.role == Role.LEARNER and m.user.email.startswith("learner1.")), None)
        if first_learner is not None:
            for lesson_key, block_id in _session_blocks(course):
                session_attendance_register(
                    registered_by=trainer, cohort=cohort, lesson_key=lesson_key, block_id=block_id,
                    present_learner_ids={first_learner.pk},
                )
        cohorts.append(cohort)
    return cohorts


def _session_blocks(course: CoursePage) -> list[tuple]:
    return [
        (lesson.translation_key, block.id)
        for module in course_outline(course=course)
        for lesson in module.lessons
        for block in lesson.required_blocks
        if block.kind == "session"
    ]
