"""Small builders for the registration tests: partners, people, trainings.
Each test builds the minimum it needs (no demo data)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from accounts.models import User
from partners.models import Membership, Partner, Role
from registrations.models import Training

_counter = itertools.count(1)
PASSWORD = "x-9-long-enough"


def make_partner(country: str = "BE", language: str = "nl") -> Partner:
    number = next(_counter)
    return Partner.objects.create(
        name=f"Partner {number}", slug=f"reg-partner-{number}", country=country, default_language=language,
        contact_email=f"contact{number}@partner.example",
    )


def make_user(*, partner: Partner | None = None, role: str = Role.LEARNER, name: str = "", language: str = "en", **extra) -> User:
    number = next(_counter)
    user = User.objects.create_user(
        email=f"reg-{role}{number}@example.org", password=PASSWORD, full_name=name or f"{role.title()} {number}",
        preferred_language=language, **extra,
    )
    if partner is not None:
        Membership.objects.create(user=user, partner=partner, role=role)
    return user


def make_training(*, partner: Partner | None = None, capacity: int = 10, starts_in: dt.timedelta = dt.timedelta(days=10),
                  hours: int = 3, trainers=(), **values) -> Training:
    partner = partner or make_partner()
    starts_at = (timezone.now() + starts_in).replace(microsecond=0)
    defaults = {
        "kind": Training.Kind.LIVE_SESSION, "title": f"Training {next(_counter)}", "description": "What it is about.",
        "language": "en", "format": Training.Format.ONLINE, "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(hours=hours), "time_zone": "Europe/Brussels", "capacity": capacity,
        "audience": ["teachers", "youth_workers"],
    }
    defaults.update(values)
    training = Training(partner=partner, **defaults)
    training.full_clean()
    training.save()
    if trainers:
        training.trainers.set(trainers)
    return training


QUESTIONS = [
    {"key": "organisation", "label": {"en": "Organisation", "fr": "Organisme", "nl": "Organisatie"}, "kind": "text",
     "required": True, "max_length": 50},
    {"key": "sector", "label": "Sector", "kind": "choice", "required": False,
     "choices": [{"value": "education", "label": {"en": "Education", "fr": "Éducation", "nl": "Onderwijs"}},
                 {"value": "police", "label": "Police"}]},
    {"key": "vegetarian", "label": "Vegetarian meal", "kind": "checkbox"},
]
