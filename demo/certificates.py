"""Demo certificates of every kind, so that `make run` shows downloads, the
verification page and the coordinators' view with real PDFs. Run after
seed_live: the live sessions are the evidence.

For each demo partner:

* **attendance**: last week's webinar (demo.live, certificate rule 75 %)
  is settled as a trainer ending it would settle it
  (live.attendance_effects.attendance_changed): learner1 (all of it) and
  learner2 (81 %) earn attendance certificates through the real rule;
* **programme**: the same settlement recomputes learner1's progress in the
  demo course, a blended course (75 % live attendance in its completion
  rule); with the face-to-face attendance demo.cohorts recorded, learner1
  completes it and the real rule issues a programme certificate;
* **completion**: learner2 gets a plain course-completion certificate of the
  demo course, issued directly through `certificate_issue` as demo data
  (there is no second, self-paced-only course in the demo to earn it from).

PDFs are rendered synchronously here (the worker may not run while seeding).
Idempotent: a second run finds every certificate and renders nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from accounts.models import User
from certificates.models import Certificate
from certificates.rendering import store_certificate_pdf
from certificates.rules import certificate_issue_for_attendance
from certificates.services import certificate_issue, certificate_issue_for_completion, certificate_language
from courses.pages import CoursePage
from learning.models import CourseCompletion
from learning.services import course_canonical
from partners.models import Partner

from .courses import COURSE_SLUG
from .people import demo_email


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
    from live.attendance_effects import attendance_changed
    from live.models import LiveSession, Participant

    page = CoursePage.objects.live().filter(slug=COURSE_SLUG).order_by("pk").first()
    course = course_canonical(course_key=page.translation_key) if page is not None else None
    certificates: list[Certificate] = []
    for partner in partners:
        sessions = LiveSession.objects.filter(partner=partner, status=LiveSession.Status.ENDED, certificate_min_percent__isnull=False)
        for session in sessions:
            participant_ids = list(Participant.objects.filter(session=session, user__isnull=False).values_list("pk", flat=True))
            # Progress and the programme certificate follow in this call;
            # the attendance rule runs on the signal, after commit.
            attendance_changed(session, participant_ids)
            for participant in Participant.objects.filter(pk__in=participant_ids).select_related("user"):
                certificate = certificate_issue_for_attendance(session=session, user=participant.user)
                if certificate is not None:
                    certificates.append(certificate)
        learner1 = User.objects.filter(email=demo_email("learner1", partner.country)).first()
        learner2 = User.objects.filter(email=demo_email("learner2", partner.country)).first()
        if course is not None and learner1 is not None:
            if CourseCompletion.objects.filter(learner=learner1, course_key=course.translation_key).exists():
                programme = certificate_issue_for_completion(learner=learner1, course_key=course.translation_key)
                if programme is not None:
                    certificates.append(programme)
        if course is not None and learner2 is not None:
            language = certificate_language(partner, learner2)
            completion, _ = certificate_issue(
                kind=Certificate.Kind.COMPLETION, holder=learner2, partner=partner,
                course_key=course.translation_key, title=_course_title(course, language),
                hours=course.estimated_hours, language=language,
            )
            certificates.append(completion)
    unique = list({certificate.pk: certificate for certificate in certificates}.values())
    for certificate in unique:
        if not certificate.pdf:
            store_certificate_pdf(certificate)
    return unique
