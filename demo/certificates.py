"""Demo certificates, so that `make run` shows downloads, the verification
page and the coordinators' view with real PDFs.

For each demo partner, learner1 gets:

* a COMPLETION certificate of the demo course. learner1 has done everything
  a learner can do alone (demo.learning), but the course also needs
  face-to-face attendance and 75 % live attendance, so normally no
  CourseCompletion exists: the certificate is then issued directly through
  `certificate_issue` as demo data, with the same facts the completion
  receiver would use. If a CourseCompletion does exist (a trainer recorded
  attendance), the real rule issues it instead.
* an ATTENDANCE certificate for a named demo webinar. Live sessions do not
  exist yet, so it has neither course nor session; the database's
  one-valid-per-subject constraints do not apply to it, and idempotency comes
  from `certificate_issue` matching holder, kind and title.

PDFs are rendered synchronously here (the worker may not run while seeding).
Idempotent: a second run finds every certificate and renders nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from accounts.models import User
from certificates.models import Certificate
from certificates.rendering import store_certificate_pdf
from certificates.services import certificate_issue, certificate_issue_for_completion, certificate_language
from courses.pages import CoursePage
from learning.models import CourseCompletion
from learning.services import course_canonical
from partners.models import Partner

from .courses import COURSE_SLUG
from .people import demo_email

WEBINAR_TITLES = {
    "en": "Webinar: talking with young people about extremist content online",
    "fr": "Webinaire : parler avec les jeunes des contenus extrémistes en ligne",
    "nl": "Webinar: met jongeren praten over extremistische inhoud online",
}
WEBINAR_HOURS = Decimal("1.5")


def _course_title(course: CoursePage, language: str) -> str:
    translated = (
        CoursePage.objects.live()
        .filter(translation_key=course.translation_key, locale__language_code=language)
        .order_by("pk")
        .first()
    )
    return (translated or course).title


def seed_certificates(*, partners: Sequence[Partner]) -> list[Certificate]:
    """Issue (or find) the demo certificates and make sure each has its PDF."""
    page = CoursePage.objects.live().filter(slug=COURSE_SLUG).order_by("pk").first()
    course = course_canonical(course_key=page.translation_key) if page is not None else None
    certificates: list[Certificate] = []
    for partner in partners:
        learner = User.objects.filter(email=demo_email("learner1", partner.country)).first()
        if learner is None:
            continue
        language = certificate_language(partner, learner)
        if course is not None:
            certificate = None
            if CourseCompletion.objects.filter(learner=learner, course_key=course.translation_key).exists():
                certificate = certificate_issue_for_completion(learner=learner, course_key=course.translation_key)
            if certificate is None:
                certificate, _ = certificate_issue(
                    kind=Certificate.Kind.COMPLETION, holder=learner, partner=partner,
                    course_key=course.translation_key, title=_course_title(course, language),
                    hours=course.estimated_hours, language=language,
                )
            certificates.append(certificate)
        webinar, _ = certificate_issue(
            kind=Certificate.Kind.ATTENDANCE, holder=learner, partner=partner,
            title=WEBINAR_TITLES[language], hours=WEBINAR_HOURS, language=language,
        )
        certificates.append(webinar)
    for certificate in certificates:
        if not certificate.pdf:
            store_certificate_pdf(certificate)
    return certificates
