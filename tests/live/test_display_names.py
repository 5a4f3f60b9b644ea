"""What the others in a room see of someone who joins with an account:
"Marie D.", never the email address (live.joining.account_display_name);
the session's trainers see the full name on their own attendance pages."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from accounts.models import User
from accounts.services import profile_update
from live import joining, room
from live.models import Connection, Participant
from partners.models import Membership, Role
from tests.live.conftest import make_live_session, make_participant

pytestmark = pytest.mark.django_db


def _user(email: str = "ux.learner@example.org", **names) -> User:
    return User.objects.create_user(email=email, password="x-9-long-enough", **names)


@pytest.mark.parametrize(
    ("names", "shown"),
    [
        ({"first_name": "Marie", "last_name": "Dubois"}, "Marie D."),
        ({"first_name": "Noor", "last_name": "van den Berg"}, "Noor V."),
        ({"first_name": "Gerard", "last_name": "'t Hooft"}, "Gerard T."),
        ({"first_name": "Zoë", "last_name": "Ørsted-Müller"}, "Zoë Ø."),
        # Accounts from before the two fields: their one-field name, split.
        ({"full_name": "Léa Moreau"}, "Léa M."),
        ({"full_name": "Madonna"}, "Madonna"),
        # No name (or one typed as an address, before names were checked).
        ({}, "Participant"),
        ({"full_name": "ux.learner@example.org"}, "Participant"),
        ({"full_name": "Marie dubois@example.org"}, "Participant"),
    ],
)
def test_account_display_name(names, shown):
    assert joining.account_display_name(_user(**names)) == shown


def test_account_display_name_fits_the_room_and_is_translated():
    long = joining.account_display_name(_user(first_name="A" * 80, last_name="Berg"))
    assert len(long) <= joining.DISPLAY_NAME_MAX and long.endswith(" B.")
    with translation.override("nl"):
        assert joining.account_display_name(_user(email="x@example.org")) == "Deelnemer"


def test_the_room_never_shows_an_email_address():
    session = make_live_session()
    nameless = _user()
    named = _user("marie.dubois@example.org", first_name="Marie", last_name="Dubois")
    for user in (nameless, named):
        Membership.objects.create(user=user, partner=session.partner, role=Role.LEARNER)
    joined = [joining.participant_join_account(session=session, user=user, django_session=SessionStore()) for user in (nameless, named)]
    assert [p.display_name for p in joined] == ["Participant", "Marie D."]
    for n, participant in enumerate(joined):  # connected, as the socket's admission records it
        Participant.objects.filter(pk=participant.pk).update(channel_name=f"c{n}")
        Connection.objects.create(participant=participant, channel_name=f"c{n}", last_seen_at=timezone.now())
        participant.refresh_from_db()
    staff = make_participant(session, role=Participant.Role.STAFF, channel_name="s")
    room.chat_send(actor_id=joined[0].pk, text="hello", client_id="m1")

    for viewer in (staff, joined[1]):
        welcome = json.dumps(room.welcome(viewer), default=str)
        assert "@" not in welcome
        assert {p["name"] for p in room.welcome(viewer)["state"]["participants"]} >= {"Participant", "Marie D."}


def test_joining_again_shows_a_name_given_since():
    session = make_live_session()
    user = _user()
    first = joining.participant_join_account(session=session, user=user, django_session=SessionStore())
    assert first.display_name == "Participant"
    profile_update(user=user, first_name="Marie", last_name="Dubois", preferred_language="en")
    again = joining.participant_join_account(session=session, user=user, django_session=SessionStore())
    assert again.pk == first.pk and again.display_name == "Marie D."


def test_old_participants_shown_by_their_email_are_renamed():
    session = make_live_session()
    named = _user("marie.dubois@example.org", first_name="Marie", last_name="Dubois")
    nameless = _user()
    old = [
        make_participant(session, role=Participant.Role.PROFESSIONAL, user=named, name=named.email),
        make_participant(session, role=Participant.Role.PROFESSIONAL, user=nameless, name=nameless.email),
        make_participant(session, name="Lou"),
    ]
    migration = importlib.import_module("live.migrations.0005_participant_names_without_email")
    migration.names_without_email(apps, None)
    assert [Participant.objects.get(pk=p.pk).display_name for p in old] == ["Marie D.", "Participant", "Lou"]


def test_trainers_see_full_names_on_the_attendance_pages_but_no_address(client):
    session = make_live_session()
    trainer = _user("trainer@example.org", first_name="Sven", last_name="Bakker")
    Membership.objects.create(user=trainer, partner=session.partner, role=Role.TRAINER)
    session.trainers.set([trainer])
    named = _user("marie.dubois@example.org", first_name="Marie", last_name="Dubois")
    make_participant(session, role=Participant.Role.PROFESSIONAL, user=named, name="Marie D.")
    make_participant(session, role=Participant.Role.PROFESSIONAL, user=_user(), name="Participant")
    client.force_login(trainer)
    for name in ("live:session_attendance", "live:session_attendance_csv", "live:attendance_correction"):
        content = client.get(reverse(name, kwargs={"session_id": session.pk})).content.decode("utf-8-sig")
        assert "Marie Dubois" in content
        assert "ux.learner" not in content and "marie.dubois@" not in content
