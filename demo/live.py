"""Demo live sessions, so that `make run` shows the schedule, the join pages
and an attendance report with data:

- per partner, an upcoming webinar for professionals about a week ahead,
  tied to the demo course and the partner's cohort, with the lobby on;
- for the Flemish partner (or the first), a small group with young people,
  trained by the trainer and the coordinator (two-staff rule);
- per partner, last week's webinar (ended), which learner1 and learner2
  attended, with attendance intervals (learner2 left early and came back).

Through the scheduling service for what a trainer would make; the past
session is written directly (the service refuses a start in the past).
Idempotent: sessions are found again by partner and title; an upcoming one
whose date has passed since an earlier run is moved a week ahead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from courses.pages import CoursePage
from learning.models import Cohort
from live import scheduling
from live.codes import join_code_generate
from live.joining import account_display_name
from live.models import AttendanceInterval, LiveSession, Participant
from partners.models import Membership, Partner, Role

UPCOMING_TITLES = {
    "en": "Live Q&A: spotting early signs of radicalisation",
    "fr": "Questions en direct : repérer les premiers signes de radicalisation",
    "nl": "Live vragenuur: vroege signalen van radicalisering herkennen",
}
YOUTH_TITLES = {
    "en": "Youth group: what is true online?",
    "fr": "Groupe de jeunes : qu'est-ce qui est vrai en ligne ?",
    "nl": "Jongerengroep: wat is waar online?",
}
TIME_ZONES = {"GB": "Europe/London", "FR": "Europe/Paris", "BE": "Europe/Brussels", "NL": "Europe/Amsterdam"}
YOUTH_PARTNER = "be-gent-preventie"

WEBINAR_TITLES = {
    "en": "Webinar: talking with young people about extremist content online",
    "fr": "Webinaire : parler avec les jeunes des contenus extrémistes en ligne",
    "nl": "Webinar: met jongeren praten over extremistische inhoud online",
}


def _at(days: int, hour: int, zone: str) -> dt.datetime:
    import zoneinfo

    local = timezone.now().astimezone(zoneinfo.ZoneInfo(zone)) + dt.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def _people(partner: Partner) -> dict[str, list]:
    people: dict[str, list] = {Role.TRAINER: [], Role.COORDINATOR: [], Role.LEARNER: []}
    for membership in Membership.objects.filter(partner=partner).select_related("user").order_by("user__email"):
        people[membership.role].append(membership.user)
    return people


def _upcoming(*, partner: Partner, title: str, trainers: list, days: int, hour: int, **values) -> LiveSession:
    zone = TIME_ZONES.get(partner.country, "Europe/Brussels")
    session = LiveSession.objects.filter(partner=partner, title=title).first()
    if session is None:
        return scheduling.session_create(
            created_by=trainers[0], trainers=trainers, invite=False, title=title, partner=partner,
            starts_at=_at(days, hour, zone), time_zone=zone, language=partner.default_language, **values,
        )
    if session.status == LiveSession.Status.ENDED or session.starts_at < timezone.now():
        LiveSession.objects.filter(pk=session.pk).update(
            starts_at=_at(days, hour, zone), status=LiveSession.Status.SCHEDULED, ended_at=None, locked=False
        )
        session.refresh_from_db()
    return session


def _past(*, partner: Partner, course: CoursePage | None, cohort: Cohort | None, trainer, learners: list) -> LiveSession:
    language = partner.default_language
    title = WEBINAR_TITLES.get(language, WEBINAR_TITLES["en"])
    session = LiveSession.objects.filter(partner=partner, title=title).first()
    if session is None:
        zone = TIME_ZONES.get(partner.country, "Europe/Brussels")
        starts_at = _at(-7, 15, zone)
        session = LiveSession.objects.create(
            title=title, partner=partner, starts_at=starts_at, duration_minutes=90, time_zone=zone, language=language,
            course_key=course.translation_key if course else None, cohort=cohort, capacity=100, lobby_enabled=True,
            certificate_min_percent=75, join_code=join_code_generate(), status=LiveSession.Status.ENDED,
            ended_at=starts_at + dt.timedelta(minutes=92), created_by=trainer,
        )
        session.trainers.set([trainer])
    staff, _ = Participant.objects.get_or_create(
        session=session, user=trainer,
        defaults={"display_name": account_display_name(trainer), "role": Participant.Role.STAFF, "status": Participant.Status.ADMITTED},
    )
    # (participant, [(minutes from the start, minutes from the start)])
    plan = [(staff, [(-5, 92)])]
    spans = [[(0, 90)], [(2, 40), (55, 90)], [(10, 25)]]
    for learner, learner_spans in zip(learners, spans):
        participant, _ = Participant.objects.get_or_create(
            session=session, user=learner,
            defaults={"display_name": account_display_name(learner), "role": Participant.Role.PROFESSIONAL,
                      "status": Participant.Status.ADMITTED},
        )
        plan.append((participant, learner_spans))
    for participant, participant_spans in plan:
        if participant.intervals.exists():
            continue
        for begin, end in participant_spans:
            AttendanceInterval.objects.create(
                session=session, participant=participant,
                started_at=session.starts_at + dt.timedelta(minutes=begin),
                last_seen_at=session.starts_at + dt.timedelta(minutes=end),
                ended_at=session.starts_at + dt.timedelta(minutes=end),
                closed_by=AttendanceInterval.ClosedBy.DISCONNECT if end < 90 else AttendanceInterval.ClosedBy.SESSION_END,
            )
    return session


@transaction.atomic
def seed_live(*, partners: Sequence[Partner]) -> list[LiveSession]:
    """Run after seed_people, seed_courses and seed_cohorts. Returns the sessions."""
    course = CoursePage.objects.live().order_by("pk").first()
    sessions = []
    youth_partner = next((p for p in partners if p.slug == YOUTH_PARTNER), partners[0] if partners else None)
    for partner in partners:
        people = _people(partner)
        trainers = people[Role.TRAINER] + people[Role.COORDINATOR]
        if not trainers:
            continue
        language = partner.default_language
        cohort = (
            Cohort.objects.filter(partner=partner, course_key=course.translation_key).order_by("pk").first()
            if course else None
        )
        sessions.append(_upcoming(
            partner=partner, title=UPCOMING_TITLES.get(language, UPCOMING_TITLES["en"]), trainers=trainers[:1],
            days=7, hour=17, duration_minutes=60, audience=LiveSession.Audience.PROFESSIONALS,
            course_key=course.translation_key if course else None, cohort=cohort, capacity=100, lobby_enabled=True,
            allow_guests=False, provider=LiveSession.Provider.WEBRTC, certificate_min_percent=75,
        ))
        if partner == youth_partner and len(trainers) >= 2:
            sessions.append(_upcoming(
                partner=partner, title=YOUTH_TITLES.get(language, YOUTH_TITLES["en"]), trainers=trainers[:2],
                days=3, hour=15, duration_minutes=45, audience=LiveSession.Audience.YOUNG_PEOPLE, capacity=15,
                lobby_enabled=True, consent_required=True, provider=LiveSession.Provider.WEBRTC,
            ))
        sessions.append(_past(partner=partner, course=course, cohort=cohort, trainer=trainers[0], learners=people[Role.LEARNER]))
    return sessions
