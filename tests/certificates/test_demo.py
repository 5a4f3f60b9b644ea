"""The demo's certificates (demo/certificates.py): every kind, through the
real rules where the demo has the evidence, idempotent, with PDFs."""

import pytest

from certificates.models import Certificate
from demo.certificates import seed_certificates
from demo.live import seed_live
from demo.people import seed_people

pytestmark = pytest.mark.django_db


def test_without_the_demo_course_the_webinar_gives_attendance_certificates(django_capture_on_commit_callbacks):
    partners = seed_people()
    seed_live(partners=partners)
    with django_capture_on_commit_callbacks(execute=True):
        first = seed_certificates(partners=partners)
    # learner1 (whole webinar) and learner2 (81 %) of each partner; learner3 (17 %) none.
    assert len(first) == 8
    assert {c.kind for c in first} == {Certificate.Kind.ATTENDANCE}
    assert {c.holder.email.split(".")[0] for c in first} == {"learner1", "learner2"}
    assert all(certificate.pdf and certificate.session_id for certificate in first)
    assert {certificate.language for certificate in first} == {"en", "fr", "nl"}
    with django_capture_on_commit_callbacks(execute=True):
        again = seed_certificates(partners=partners)
    assert sorted(c.pk for c in again) == sorted(c.pk for c in first)
    assert Certificate.objects.count() == 8


def test_with_the_demo_course_every_kind_is_issued(settings, tmp_path, django_capture_on_commit_callbacks):
    from demo.cms import seed_cms
    from demo.cohorts import seed_cohorts
    from demo.courses import seed_courses
    from demo.learning import seed_learning

    settings.H5P_CONTENT_ROOT = str(tmp_path / "h5p")
    partners = seed_people()
    seed_cms(partners=partners)
    course = seed_courses(partners=partners)
    seed_learning(partners=partners)
    with django_capture_on_commit_callbacks(execute=True):
        seed_cohorts(partners=partners)
    seed_live(partners=partners)
    with django_capture_on_commit_callbacks(execute=True):
        seed_certificates(partners=partners)
    kinds = {kind: set(Certificate.objects.filter(kind=kind).values_list("country", flat=True)) for kind in Certificate.Kind.values}
    assert kinds == {kind: {"GB", "FR", "BE", "NL"} for kind in Certificate.Kind.values}
    programmes = Certificate.objects.filter(kind=Certificate.Kind.PROGRAMME)
    assert all(c.course_key == course.translation_key and c.holder.email.startswith("learner1.") for c in programmes)
    count = Certificate.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        seed_certificates(partners=partners)
    assert Certificate.objects.count() == count
