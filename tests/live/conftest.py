"""Builders for live-session tests, shared by every test module in
tests/live/. Plain functions (not fixtures) so that they work the same in
database tests and in tests against the real server (`asgi_live_server`):

- `make_live_partner`, `make_live_user(partner=, role=)`
- `make_live_session(partner=, **fields)`: joinable now, professionals,
  WebRTC, lobby off unless asked
- `make_participant(session, role=, status=, user=, name=)`
- `live_cookie(participant)`: the `Cookie` header of a browser that joined
  as this participant (logged in for an account participant)
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from live.codes import join_code_generate
from live.identity import remember_participant
from live.models import LiveSession, Participant
from partners.models import Membership, Partner, Role

_numbers = itertools.count(1)


def make_live_partner(country: str = "BE", language: str = "nl") -> Partner:
    n = next(_numbers)
    return Partner.objects.create(name=f"Live partner {n}", slug=f"live-partner-{n}", country=country, default_language=language)


def make_live_user(*, partner: Partner | None = None, role: str = Role.LEARNER, name: str = "", language: str = "en", **extra) -> User:
    n = next(_numbers)
    user = User.objects.create_user(
        email=f"live-user-{n}@example.org", password="x-9-long-enough", full_name=name or f"User {n}",
        preferred_language=language, **extra,
    )
    if partner is not None:
        Membership.objects.create(user=user, partner=partner, role=role)
    return user


def make_live_session(*, partner: Partner | None = None, **fields) -> LiveSession:
    values = {
        "title": f"Session {next(_numbers)}",
        "starts_at": timezone.now() - dt.timedelta(minutes=5),
        "duration_minutes": 60,
        "language": "en",
        "lobby_enabled": False,
        "join_code": join_code_generate(),
        **fields,
    }
    return LiveSession.objects.create(partner=partner or make_live_partner(), **values)


def make_participant(
    session: LiveSession,
    *,
    role: str = Participant.Role.GUEST,
    status: str = Participant.Status.ADMITTED,
    user: User | None = None,
    name: str = "",
    **fields,
) -> Participant:
    if user is None and role != Participant.Role.GUEST:
        user = make_live_user(partner=session.partner, role=Role.TRAINER if role == Participant.Role.STAFF else Role.LEARNER)
    participant = Participant.objects.create(
        session=session, user=user, role=role, status=status,
        display_name=name or (user.full_name if user else f"Guest {next(_numbers)}"), **fields,
    )
    if participant.channel_name:
        # Connected: its socket, as `live.room.socket_admission` records it.
        from live.models import Connection

        Connection.objects.create(
            participant=participant, channel_name=participant.channel_name,
            last_seen_at=participant.last_seen_at or timezone.now(),
        )
    return participant


def live_cookie(participant: Participant) -> str:
    """A saved Django session naming `participant` (and logged in as its
    user), as the join page leaves it."""
    from importlib import import_module

    from django.test import Client

    if participant.user_id is not None:
        client = Client()
        client.force_login(participant.user)
        store = client.session
    else:
        store = import_module(settings.SESSION_ENGINE).SessionStore()
    remember_participant(store, participant)
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


@pytest.fixture
def live_ws_server(asgi_live_server):
    """`asgi_live_server` for websocket tests: after the test, waits until
    the server has handled every socket's close (it writes to the database
    then), so that emptying the tables for the next test does not race it."""
    yield asgi_live_server
    from tests.support.live_ws import eventually

    eventually(lambda: not Participant.objects.exclude(channel_name="").exists(), timeout=15)
