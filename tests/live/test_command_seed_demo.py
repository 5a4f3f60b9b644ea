"""The live part of `seed_demo` (demo/live.py): upcoming webinars, a youth
group with two trainers, last week's webinar with attendance; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from demo.live import seed_live
from demo.people import seed_people
from live.attendance import minutes_by_participant
from live.models import AttendanceInterval, LiveSession, Participant

pytestmark = pytest.mark.django_db


def test_seed_live_is_idempotent_and_gives_reports_data():
    partners = seed_people()
    first = seed_live(partners=partners)
    counts = (LiveSession.objects.count(), Participant.objects.count(), AttendanceInterval.objects.count())
    assert counts[0] == 9  # per partner an upcoming and a past webinar, plus one youth group
    again = seed_live(partners=partners)
    assert [s.pk for s in again] == [s.pk for s in first]
    assert (LiveSession.objects.count(), Participant.objects.count(), AttendanceInterval.objects.count()) == counts

    youth = LiveSession.objects.get(audience=LiveSession.Audience.YOUNG_PEOPLE)
    assert youth.partner.slug == "be-gent-preventie"
    assert youth.trainers.count() == 2 and youth.lobby_enabled and youth.starts_at > timezone.now()

    upcoming = LiveSession.objects.filter(status=LiveSession.Status.SCHEDULED, audience="professionals")
    assert upcoming.count() == 4 and all(s.starts_at > timezone.now() for s in upcoming)

    past = LiveSession.objects.filter(status=LiveSession.Status.ENDED)
    assert past.count() == 4
    report = minutes_by_participant(past.get(partner__country="FR"))
    assert sorted(row["minutes"] for row in report.values()) == [15.0, 73.0, 90.0, 90.0]


def test_an_upcoming_demo_session_that_has_passed_moves_ahead():
    partners = seed_people()
    seed_live(partners=partners)
    session = LiveSession.objects.filter(status=LiveSession.Status.SCHEDULED).first()
    LiveSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(days=30))
    seed_live(partners=partners)
    session.refresh_from_db()
    assert session.starts_at > timezone.now()
