"""Scheduling service (live/scheduling.py): the rules, the join code, and
what is queued after commit (invitations, reminders)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from live import scheduling
from live.codes import ALPHABET, LENGTH
from live.models import LiveSession
from partners.models import Role
from tests.live.conftest import make_live_partner, make_live_session, make_live_user

pytestmark = pytest.mark.django_db


def values(partner, **overrides) -> dict:
    return {
        "title": "Talking about grievances",
        "description": "",
        "starts_at": timezone.now() + dt.timedelta(days=3),
        "duration_minutes": 60,
        "time_zone": "Europe/Brussels",
        "language": "en",
        "audience": LiveSession.Audience.PROFESSIONALS,
        "partner": partner,
        "capacity": 50,
        "lobby_enabled": True,
        "provider": LiveSession.Provider.WEBRTC,
        **overrides,
    }


@pytest.fixture
def partner():
    return make_live_partner()


@pytest.fixture
def trainers(partner):
    return [make_live_user(partner=partner, role=Role.TRAINER, name=f"Trainer {n}") for n in range(2)]


def test_a_session_gets_a_join_code_and_its_trainers(partner, trainers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = scheduling.session_create(created_by=trainers[0], trainers=trainers[:1], **values(partner))
    assert len(session.join_code) == LENGTH and set(session.join_code) <= set(ALPHABET)
    assert list(session.trainers.all()) == trainers[:1]
    assert session.created_by == trainers[0]


def test_a_join_code_collision_draws_again(partner, trainers):
    taken = make_live_session(partner=partner)
    codes = iter([taken.join_code, "ABCDEFGH"])
    with mock.patch("live.scheduling._new_join_code", side_effect=lambda: next(codes)):
        session = scheduling.session_create(created_by=trainers[0], trainers=trainers[:1], invite=False, **values(partner))
    assert session.join_code == "ABCDEFGH"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"starts_at": timezone.now() - dt.timedelta(minutes=1)}, "starts_at", "The start must be in the future."),
        ({"duration_minutes": 4}, "duration_minutes", "between 5 and 600"),
        ({"duration_minutes": 601}, "duration_minutes", "between 5 and 600"),
        ({"duration_minutes": -30}, "duration_minutes", "between 5 and 600"),
        ({"capacity": 1}, "capacity", "between 2 and 1,000"),
        ({"capacity": 1001}, "capacity", "between 2 and 1,000"),
        ({"certificate_min_percent": 101}, "certificate_min_percent", "between 1 and 100"),
        ({"provider": LiveSession.Provider.NONE, "stream_url": ""}, "stream_url", "link of the external stream"),
        ({"audience": LiveSession.Audience.YOUNG_PEOPLE, "lobby_enabled": False}, "lobby_enabled", "always use the lobby"),
    ],
)
def test_rules_are_refused_with_clear_messages(partner, trainers, overrides, field, message):
    with pytest.raises(ValidationError) as error:
        scheduling.session_create(created_by=trainers[0], trainers=trainers, **values(partner, **overrides))
    assert message in " ".join(error.value.message_dict[field])
    assert not LiveSession.objects.exists()


def test_a_youth_session_needs_two_trainers(partner, trainers):
    youth = values(partner, audience=LiveSession.Audience.YOUNG_PEOPLE)
    with pytest.raises(ValidationError) as error:
        scheduling.session_create(created_by=trainers[0], trainers=trainers[:1], **youth)
    assert "at least two trainers (two-staff rule)" in error.value.message_dict["trainers"][0]
    session = scheduling.session_create(created_by=trainers[0], trainers=trainers, **youth)
    assert session.trainers.count() == 2


def test_trainers_come_from_the_sessions_partner(partner, trainers):
    outsider = make_live_user(partner=make_live_partner(), role=Role.TRAINER, name="Out Sider")
    learner = make_live_user(partner=partner, role=Role.LEARNER, name="Lee Learner")
    with pytest.raises(ValidationError) as error:
        scheduling.session_create(created_by=trainers[0], trainers=[trainers[0], outsider, learner], **values(partner))
    assert "Out Sider, Lee Learner cannot train this session" in error.value.message_dict["trainers"][0]
    with pytest.raises(ValidationError) as error:
        scheduling.session_create(created_by=trainers[0], trainers=[], **values(partner))
    assert "trainers" in error.value.message_dict


def test_editing_a_running_session_is_allowed_but_not_moving_it_into_the_past(partner, trainers):
    session = make_live_session(partner=partner, starts_at=timezone.now() - dt.timedelta(minutes=10))
    session.trainers.set(trainers)
    # Running: changing the title keeps the start (in the past) and is fine.
    scheduling.session_update(session=session, trainers=trainers, title="Renamed")
    session.refresh_from_db()
    assert session.title == "Renamed"
    with pytest.raises(ValidationError):
        scheduling.session_update(session=session, trainers=trainers, starts_at=timezone.now() - dt.timedelta(hours=1))


def test_an_ended_session_cannot_be_changed(partner, trainers):
    session = make_live_session(partner=partner, status=LiveSession.Status.ENDED, ended_at=timezone.now())
    with pytest.raises(ValidationError):
        scheduling.session_update(session=session, trainers=trainers, title="Renamed")


def test_nothing_is_queued_when_the_transaction_rolls_back(partner, trainers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(ValidationError):
            scheduling.session_create(
                created_by=trainers[0], trainers=trainers, **values(partner, capacity=0)
            )
    assert callbacks == []
    assert mail.outbox == []
