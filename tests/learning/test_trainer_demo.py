"""demo/cohorts.py: one cohort of the demo course per demo partner, made
through the trainer services, and nothing made twice on a second run."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from courses.pages import CoursePage
from demo.cohorts import seed_cohorts
from demo.courses import seed_courses
from demo.people import demo_email, seed_people
from learning.models import Cohort, Enrollment
from tests.courses.test_pages import locale, make_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.H5P_CONTENT_ROOT = str(tmp_path / "h5p")
    home = make_home()
    for code in ("fr", "nl"):
        home.copy_for_translation(locale(code)).save_revision().publish()
    partners = seed_people()
    seed_courses(partners=partners)
    return partners


def test_seed_cohorts_once_per_partner(partners):
    cohorts = seed_cohorts(partners=partners)
    again = seed_cohorts(partners=partners)

    course = CoursePage.objects.live().order_by("pk").first()
    assert [c.pk for c in again] == [c.pk for c in cohorts]
    assert Cohort.objects.count() == 4
    assert {c.name for c in cohorts} == {
        "Spring 2027 — London", "Spring 2027 — Lille", "Spring 2027 — Gent", "Spring 2027 — Rotterdam"
    }
    for cohort in cohorts:
        country = cohort.partner.country
        assert cohort.course_key == course.translation_key
        assert [t.email for t in cohort.trainers.all()] == [demo_email("trainer", country)]
        learners = set(
            Enrollment.objects.filter(cohort=cohort, status=Enrollment.Status.ACTIVE).values_list("learner__email", flat=True)
        )
        assert learners == {demo_email(f"learner{n}", country) for n in (1, 2, 3)}
    assert Enrollment.objects.count() == 12


def test_demo_trainer_sees_the_course_title_in_their_language(client, partners):
    seed_cohorts(partners=partners)
    from accounts.models import User

    client.force_login(User.objects.get(email=demo_email("trainer", "FR")))
    with translation.override("fr"):
        list_url = reverse("learning:trainer_cohort_list")
    html = client.get(list_url).content.decode()

    french = CoursePage.objects.live().filter(locale__language_code="fr").first()
    assert french is not None and french.title in html
    assert "Spring 2027 — Lille" in html and "Spring 2027 — Gent" not in html


def test_demo_first_learners_complete_the_course_with_their_registered_attendance(partners):
    """learner1 of each partner did every lesson (demo.learning), the
    cohort's trainer registers their face-to-face attendance, and they
    attended last week's webinar (demo.live; the course is blended): once
    that session is settled the demo has a completed course, recorded once."""
    from demo.learning import seed_learning
    from demo.live import seed_live
    from learning.models import CourseCompletion, SessionAttendance
    from live.attendance_effects import attendance_changed
    from live.models import LiveSession

    seed_learning(partners=partners)
    seed_cohorts(partners=partners)
    seed_cohorts(partners=partners)
    assert not CourseCompletion.objects.exists()  # the live part is missing
    seed_live(partners=partners)
    for session in LiveSession.objects.filter(status=LiveSession.Status.ENDED):
        attendance_changed(session, session.participants.values_list("pk", flat=True))

    completed = set(CourseCompletion.objects.values_list("learner__email", flat=True))
    assert completed == {demo_email("learner1", country) for country in ("GB", "FR", "BE", "NL")}
    present = set(SessionAttendance.objects.filter(present=True).values_list("learner__email", flat=True))
    assert present == completed
