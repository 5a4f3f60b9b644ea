"""demo.learning.seed_learning: three levels of progress, through the
services, and nothing created twice on a second run."""

from __future__ import annotations

import pytest

from demo.cms import seed_cms
from demo.courses import seed_courses
from demo.learning import seed_learning
from demo.people import demo_email, seed_people
from learning.models import Enrollment, LessonVisit, QuizAttempt, Reflection, XAPIStatement
from learning.selectors import course_progress_for

pytestmark = pytest.mark.django_db


def _counts():
    return {m.__name__: m.objects.count() for m in (Enrollment, LessonVisit, QuizAttempt, Reflection, XAPIStatement)}


def test_seed_learning_is_idempotent_and_varied():
    partners = seed_people()
    seed_cms(partners=partners)
    seed_courses(partners=partners)

    course = seed_learning(partners=partners)
    first = _counts()
    seed_learning(partners=partners)

    assert _counts() == first
    assert first["Enrollment"] == 3 * len(partners)
    from accounts.models import User

    percents = [
        course_progress_for(learner=User.objects.get(email=demo_email(local, "BE")), course=course).percent
        for local in ("learner1", "learner2", "learner3")
    ]
    assert percents[0] > percents[1] > percents[2] > 0
    assert XAPIStatement.objects.filter(counts=True).count() == 2 * len(partners)
