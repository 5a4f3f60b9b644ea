from decimal import Decimal

import pytest

from certificates.models import Certificate
from learning.models import CourseCompletion
from learning.signals import course_completed
from partners.models import Role
from tests.courses.test_pages import make_course

from .conftest import make_partner, make_user

pytestmark = pytest.mark.django_db


def complete(learner, course):
    completion = CourseCompletion.objects.create(learner=learner, course_key=course.translation_key)
    course_completed.send(sender=CourseCompletion, learner=learner, course_key=course.translation_key, completion=completion)


@pytest.fixture
def course_partner():
    return make_partner("GB", language="en", name="London Prevention Training Hub")


def make_certified_course(partner, *, enabled=True):
    course = make_course(partner=partner)
    course.certificate_enabled = enabled
    course.estimated_hours = Decimal("6.5")
    course.save_revision().publish()
    return course


def test_completion_of_a_certifying_course_issues_a_certificate(course_partner):
    course = make_certified_course(course_partner)
    own_partner = make_partner("FR", language="fr")
    learner = make_user(name="Léa Moreau", partner=own_partner, role=Role.LEARNER)
    complete(learner, course)
    certificate = Certificate.objects.get(holder=learner)
    assert certificate.kind == Certificate.Kind.COMPLETION
    assert certificate.course_key == course.translation_key
    assert certificate.hours == Decimal("6.5")
    assert certificate.partner == own_partner  # the learner's organisation, not the course owner
    assert (certificate.country, certificate.language) == ("FR", "fr")
    assert certificate.title == course.title  # no French copy of the course: the source title


def test_without_membership_the_course_partner_counts(course_partner):
    course = make_certified_course(course_partner)
    learner = make_user(name="Priya Shah")
    complete(learner, course)
    certificate = Certificate.objects.get(holder=learner)
    assert certificate.partner == course_partner
    assert certificate.language == "en"


def test_no_certificate_when_the_course_gives_none(course_partner):
    course = make_certified_course(course_partner, enabled=False)
    learner = make_user(name="Priya Shah", partner=course_partner)
    complete(learner, course)
    assert not Certificate.objects.exists()


def test_a_repeated_signal_issues_once(course_partner):
    course = make_certified_course(course_partner)
    learner = make_user(name="Priya Shah", partner=course_partner)
    complete(learner, course)
    course_completed.send(sender=CourseCompletion, learner=learner, course_key=course.translation_key, completion=None)
    assert Certificate.objects.filter(holder=learner).count() == 1
