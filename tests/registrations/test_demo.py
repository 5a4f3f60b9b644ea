import pytest

from demo.people import seed_people
from demo.registrations import seed_registrations
from registrations.models import Registration, Training

pytestmark = pytest.mark.django_db


def test_seed_registrations_without_the_course_is_idempotent():
    partners = seed_people()
    first = seed_registrations(partners=partners)
    assert len(first) == 8  # webinar + train-the-trainer day per partner (no cohort yet)
    assert {t.language for t in first} == {"en", "fr", "nl"}
    day = Training.objects.get(partner__country="FR", kind="on_site")
    assert day.confirmed_count == 2 and day.questions
    assert Registration.objects.filter(training=day, status="waiting").count() == 1
    again = seed_registrations(partners=partners)
    assert [t.pk for t in again] == [t.pk for t in first]
    assert Registration.objects.count() == 12


def test_seed_registrations_with_the_demo_cohort_links_its_face_to_face_session(settings, tmp_path):
    from demo.cms import seed_cms
    from demo.cohorts import seed_cohorts
    from demo.courses import seed_courses

    settings.H5P_CONTENT_ROOT = str(tmp_path / "h5p")
    partners = seed_people()
    seed_cms(partners=partners)
    seed_courses(partners=partners)
    seed_cohorts(partners=partners)
    trainings = seed_registrations(partners=partners)
    sessions = [t for t in trainings if t.cohort_id]
    assert len(sessions) == 4 and all(t.session_block_id for t in sessions)
    seed_registrations(partners=partners)
    assert Training.objects.count() == 12
