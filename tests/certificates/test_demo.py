import pytest

from certificates.models import Certificate
from demo.certificates import seed_certificates
from demo.people import seed_people

pytestmark = pytest.mark.django_db


def test_seed_certificates_is_idempotent_and_renders_pdfs():
    partners = seed_people()
    first = seed_certificates(partners=partners)
    # Without the demo course only the webinar certificates exist.
    assert len(first) == 4
    assert all(certificate.pdf for certificate in first)
    assert {certificate.language for certificate in first} == {"en", "fr", "nl"}
    again = seed_certificates(partners=partners)
    assert [c.pk for c in again] == [c.pk for c in first]
    assert Certificate.objects.count() == 4
    assert {c.holder.email.split(".")[0] for c in first} == {"learner1"}


def test_seed_certificates_with_the_demo_course(settings, tmp_path):
    from demo.cms import seed_cms
    from demo.courses import seed_courses

    settings.H5P_CONTENT_ROOT = str(tmp_path / "h5p")
    partners = seed_people()
    seed_cms(partners=partners)
    course = seed_courses(partners=partners)
    certificates = seed_certificates(partners=partners)
    completions = [c for c in certificates if c.kind == Certificate.Kind.COMPLETION]
    assert len(completions) == 4
    assert all(c.course_key == course.translation_key and c.hours == course.estimated_hours for c in completions)
    assert {c.country: c.language for c in completions} == {"GB": "en", "FR": "fr", "BE": "nl", "NL": "nl"}
    seed_certificates(partners=partners)
    assert Certificate.objects.count() == 8
