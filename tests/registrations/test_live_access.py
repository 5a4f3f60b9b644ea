"""Registering for a live session gives access to it: when a published
training takes registrations for a session, a professional joins it only
with a confirmed registration; staff always can."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore

from live.joining import JoinRefused, participant_join_account
from live.models import LiveSession, Participant
from partners.models import Role
from registrations.models import Registration
from registrations.services import registration_create
from tests.live.conftest import make_live_session

from .factories import make_partner, make_training, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked():
    partner = make_partner()
    session = make_live_session(partner=partner, audience=LiveSession.Audience.PROFESSIONALS)
    training = make_training(partner=partner, capacity=1, live_session=session)
    return partner, session, training


def test_an_unregistered_professional_is_refused_and_no_participant_is_created(linked):
    partner, session, _training = linked
    learner = make_user(partner=partner)
    with pytest.raises(JoinRefused) as refused:
        participant_join_account(session=session, user=learner, django_session=SessionStore())
    assert refused.value.code == "not_registered"
    assert not Participant.objects.filter(session=session).exists()


def test_a_confirmed_registration_opens_the_session_and_a_waiting_one_does_not(linked):
    partner, session, training = linked
    first, second = make_user(partner=partner), make_user(partner=partner)
    assert registration_create(training=training, user=first, answers={}, privacy_consent=True).status == Registration.Status.CONFIRMED
    assert registration_create(training=training, user=second, answers={}, privacy_consent=True).status == Registration.Status.WAITING
    participant = participant_join_account(session=session, user=first, django_session=SessionStore())
    assert participant.role == Participant.Role.PROFESSIONAL
    with pytest.raises(JoinRefused):
        participant_join_account(session=session, user=second, django_session=SessionStore())


def test_staff_of_the_session_join_without_registering(linked):
    partner, session, _training = linked
    trainer = make_user(partner=partner, role=Role.TRAINER)
    participant = participant_join_account(session=session, user=trainer, django_session=SessionStore())
    assert participant.role == Participant.Role.STAFF


def test_a_session_without_a_training_needs_no_registration():
    partner = make_partner()
    session = make_live_session(partner=partner)
    learner = make_user(partner=partner)
    assert participant_join_account(session=session, user=learner, django_session=SessionStore()).pk
