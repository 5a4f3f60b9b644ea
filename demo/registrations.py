"""Demo trainings people can register for, three per partner, in the
partner's language:

- a webinar (online, 40 places), linked to the partner's next scheduled
  demo live session when demo/live.py has made one (registering then gives
  access to it);
- a train-the-trainer day on site with two places and the organiser's
  questions (organisation, sector, dietary needs): learner1 and learner2
  hold the places and learner3 is on the waiting list, so the demo shows
  the waiting list and the promotion when someone cancels;
- the face-to-face session of the demo course for the partner's demo
  cohort: confirming enrols in the course, and the trainer's on-site
  attendance register completes the course's session block.

Dates are relative to the day of seeding (always upcoming). Idempotent:
trainings are found by partner and title, registrations are made through
the service only for people without an active one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from learning.models import Cohort
from partners.models import Membership, Partner, Role
from registrations.models import Registration, Training
from registrations.services import registration_create

from .cohorts import CITIES, _session_blocks

TIME_ZONES = {"GB": "Europe/London", "FR": "Europe/Paris", "BE": "Europe/Brussels", "NL": "Europe/Amsterdam"}

TEXTS = {
    "en": {
        "webinar": ("Webinar: talking with young people about polarisation",
                    "A 90-minute webinar for professionals: recognising early signs and opening the conversation."),
        "day": ("Train-the-trainer day", "A full day on site to prepare trainers to run the programme's sessions."),
        "session": ("Face-to-face session of the course", "The course's face-to-face session, for the cohort's learners."),
        "organisation": "Organisation", "sector": "Sector", "diet": "Dietary needs",
        "education": "Education", "youth": "Youth work", "police": "Police", "social": "Social work",
    },
    "fr": {
        "webinar": ("Webinaire : parler de polarisation avec les jeunes",
                    "Un webinaire de 90 minutes pour les professionnels : repérer les premiers signes et engager la conversation."),
        "day": ("Journée de formation de formateurs", "Une journée sur place pour préparer les formateurs à animer les sessions du programme."),
        "session": ("Séance en présentiel du cours", "La séance en présentiel du cours, pour les participants de la cohorte."),
        "organisation": "Organisme", "sector": "Secteur", "diet": "Régime alimentaire",
        "education": "Éducation", "youth": "Animation jeunesse", "police": "Police", "social": "Travail social",
    },
    "nl": {
        "webinar": ("Webinar: met jongeren praten over polarisatie",
                    "Een webinar van 90 minuten voor professionals: vroege signalen herkennen en het gesprek aangaan."),
        "day": ("Train-de-trainerdag", "Een volledige dag ter plaatse om trainers voor te bereiden op de sessies van het programma."),
        "session": ("Contactmoment van de cursus", "Het fysieke contactmoment van de cursus, voor de deelnemers van de groep."),
        "organisation": "Organisatie", "sector": "Sector", "diet": "Dieetwensen",
        "education": "Onderwijs", "youth": "Jeugdwerk", "police": "Politie", "social": "Maatschappelijk werk",
    },
}


def _questions(texts: dict) -> list[dict]:
    return [
        {"key": "organisation", "label": texts["organisation"], "kind": "text", "required": True, "max_length": 120},
        {"key": "sector", "label": texts["sector"], "kind": "choice", "required": True,
         "choices": [{"value": code, "label": texts[code]} for code in ("education", "youth", "police", "social")]},
        {"key": "diet", "label": texts["diet"], "kind": "text", "max_length": 200},
    ]


def _at(day: dt.date, hour: int, minute: int, zone: str) -> dt.datetime:
    import zoneinfo

    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone))


def _upsert(*, partner: Partner, title: str, trainers, **values) -> Training:
    training = Training.objects.filter(partner=partner, title=title).first() or Training(partner=partner, title=title)
    for name, value in values.items():
        setattr(training, name, value)
    training.full_clean()
    training.save()
    training.trainers.set(trainers)
    return training


def _register(training: Training, users, answers: dict) -> None:
    for user in users:
        if not Registration.objects.filter(training=training, user=user, status__in=Registration.ACTIVE).exists():
            registration_create(training=training, user=user, answers=answers, privacy_consent=True)


@transaction.atomic
def seed_registrations(*, partners: Sequence[Partner]) -> list[Training]:
    """Run after seed_cohorts (and after the live demo, if any)."""
    from live.models import LiveSession

    today = timezone.localdate()
    trainings = []
    for partner in partners:
        language = partner.default_language if partner.default_language in TEXTS else "en"
        texts = TEXTS[language]
        zone = TIME_ZONES.get(partner.country, "Europe/Brussels")
        city = CITIES.get(partner.slug, partner.name)
        people = list(Membership.objects.filter(partner=partner).select_related("user").order_by("user__email"))
        trainers = [m.user for m in people if m.role == Role.TRAINER]
        learners = [m.user for m in people if m.role == Role.LEARNER]

        webinar_day = today + dt.timedelta(days=14)
        live_session = (
            LiveSession.objects.filter(
                partner=partner, status=LiveSession.Status.SCHEDULED, audience=LiveSession.Audience.PROFESSIONALS,
                starts_at__gt=timezone.now(),
            ).filter(training__isnull=True).order_by("starts_at").first()
            or LiveSession.objects.filter(training__partner=partner, training__title=texts["webinar"][0]).first()
        )
        starts = live_session.starts_at if live_session else _at(webinar_day, 14, 0, zone)
        minutes = live_session.duration_minutes if live_session else 90
        webinar = _upsert(
            partner=partner, title=texts["webinar"][0], trainers=trainers, kind=Training.Kind.LIVE_SESSION,
            description=texts["webinar"][1], language=language, audience=["teachers", "youth_workers", "social_workers"],
            format=Training.Format.ONLINE, starts_at=starts, ends_at=starts + dt.timedelta(minutes=minutes),
            time_zone=zone, capacity=40, live_session=live_session,
        )
        day = today + dt.timedelta(days=30)
        ttt = _upsert(
            partner=partner, title=texts["day"][0], trainers=trainers, kind=Training.Kind.ON_SITE,
            description=texts["day"][1], language=language, audience=["teachers", "youth_workers", "police"],
            format=Training.Format.ON_SITE, location=f"{partner.name}, {city}", address=partner.address,
            starts_at=_at(day, 9, 30, zone), ends_at=_at(day, 16, 30, zone), time_zone=zone,
            capacity=2,
            questions=_questions(texts),
        )
        _register(ttt, learners[:3], {"organisation": partner.name, "sector": "education", "diet": ""})
        trainings += [webinar, ttt]

        cohort = Cohort.objects.filter(partner=partner, name__endswith=city).order_by("pk").first()
        if cohort is not None:
            from learning.services import course_canonical

            course = course_canonical(course_key=cohort.course_key)
            blocks = _session_blocks(course) if course is not None else []
            if blocks:
                lesson_key, block_id = blocks[0]
                session_day = today + dt.timedelta(days=45)
                session = _upsert(
                    partner=partner, title=texts["session"][0], trainers=trainers, kind=Training.Kind.ON_SITE,
                    description=texts["session"][1], language=language, audience=["teachers", "youth_workers"],
                    format=Training.Format.ON_SITE, location=f"{partner.name}, {city}", address=partner.address,
                    starts_at=_at(session_day, 13, 30, zone), ends_at=_at(session_day, 16, 30, zone), time_zone=zone,
                    capacity=20, cohort=cohort, session_lesson_key=lesson_key, session_block_id=str(block_id),
                )
                _register(session, learners[:1], {})
                trainings.append(session)
    return trainings
