"""The join services (live/joining.py): finding a session by code, who joins
how, display names, capacity, lock, removal, idempotence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from live import joining
from live.identity import session_key
from live.models import LiveSession, Participant
from partners.models import Role
from tests.live.conftest import make_live_partner, make_live_session, make_live_user, make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def store() -> SessionStore:
    return SessionStore()


# --- Codes -------------------------------------------------------------------------


def test_a_typed_code_is_forgiven_case_dashes_and_lookalikes():
    session = make_live_session()
    code = session.join_code
    typed = f" {code[:4].lower()}-{code[4:]} ".replace("0", "o").replace("1", "l")
    assert joining.session_for_code(typed, address="1.2.3.4") == session


@pytest.mark.parametrize("text", ["", "ABC", "ABCD-EFGH-IJKL", "!!!!????", None, 12345678, "x" * 100])
def test_malformed_codes_get_the_one_message(text):
    with pytest.raises(joining.JoinRefused) as refused:
        joining.session_for_code(text, address="1.2.3.4")
    assert refused.value.code == "invalid"
    assert str(refused.value.message) == "This code is not valid or the session is not open now."


def test_expired_ended_and_unknown_codes_all_say_the_same():
    now = timezone.now()
    expired = make_live_session(starts_at=now - dt.timedelta(hours=5))
    ended = make_live_session(status=LiveSession.Status.ENDED, ended_at=now)
    messages = set()
    for code in [expired.join_code, ended.join_code, "ZZZZZZZZ"]:
        with pytest.raises(joining.JoinRefused) as refused:
            joining.session_for_code(code, address="1.2.3.4", now=now)
        messages.add(str(refused.value.message))
    assert messages == {"This code is not valid or the session is not open now."}


def test_a_valid_code_before_its_window_says_when_it_opens_and_spends_nothing():
    """Opening the link early is not a failed attempt: nobody locks their
    own address out by trying the link before the room opens."""
    now = timezone.now()
    future = make_live_session(title="Evening webinar", starts_at=now + dt.timedelta(days=2))
    address = "10.0.0.9"
    for _ in range(joining.JOIN_FAILURES_LIMIT + 1):
        with pytest.raises(joining.JoinRefused) as refused:
            joining.session_for_code(future.join_code, address=address, now=now)
        assert refused.value.code == "not_open"
        assert refused.value.session == future
        assert refused.value.opens_at == future.join_window()[0]
    assert not joining.join_blocked(address)
    # Once the window opens, the same code works.
    assert joining.session_for_code(future.join_code, address=address, now=future.join_window()[0]) == future
    # Wrong codes still have their whole budget, no more.
    for _ in range(joining.JOIN_FAILURES_LIMIT):
        assert not joining.join_blocked(address)
        with pytest.raises(joining.JoinRefused) as refused:
            joining.session_for_code("WRONG000", address=address, now=now)
        assert refused.value.code == "invalid"
    assert joining.join_blocked(address)


def test_failed_lookups_are_rate_limited_per_address_and_good_codes_spend_nothing(settings):
    session = make_live_session()
    for _ in range(50):  # a whole class behind one school address
        joining.session_for_code(session.join_code, address="10.0.0.1")
    for _ in range(joining.JOIN_FAILURES_LIMIT):
        with pytest.raises(joining.JoinRefused):
            joining.session_for_code("WRONG000", address="10.0.0.2")
    with pytest.raises(joining.JoinRefused) as refused:
        joining.session_for_code(session.join_code, address="10.0.0.2")
    assert refused.value.code == "rate_limited"
    # Another address is not affected.
    assert joining.session_for_code(session.join_code, address="10.0.0.3") == session


# --- Display names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "first_only", "expected"),
    [
        ("  Zoë   Ørsted ", False, "Zoë Ørsted"),
        ("Zoë Ørsted-Müller", True, "Zoë"),
        ("Amir\u202e", False, "Amir"),
        ("Jan 2", False, "Jan 2"),
    ],
)
def test_display_names_are_cleaned(typed, first_only, expected):
    assert joining.display_name_clean(typed, first_name_only=first_only) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        (None, "required"),
        ("x" * 41, "too_long"),
        ("Sam https://evil.example", "contact"),
        ("see www.example", "contact"),
        ("sam.example.com", "contact"),
        ("sam@example.org", "contact"),
        ("Sam @sam", "contact"),
        ("Sam 0612345678", "contact"),
        ("Sam +44 20 7946 0000", "contact"),
    ],
)
def test_bad_display_names_are_refused(typed, code):
    with pytest.raises(ValidationError) as error:
        joining.display_name_clean(typed, first_name_only=False)
    assert error.value.code == code


def test_a_young_persons_long_full_name_keeps_only_the_first_name():
    assert joining.display_name_clean("Alexandra " + "x" * 60, first_name_only=True) == "Alexandra"


# --- Who joins how ------------------------------------------------------------------


def test_ways_of_joining():
    partner = make_live_partner()
    trainer = make_live_user(partner=partner, role=Role.TRAINER)
    learner = make_live_user(partner=partner)
    anonymous = type("Anon", (), {"is_authenticated": False})()
    pro = make_live_session(partner=partner)
    pro_guests = make_live_session(partner=partner, allow_guests=True)
    youth = make_live_session(partner=partner, audience=LiveSession.Audience.YOUNG_PEOPLE)
    assert joining.join_way(pro, trainer) == joining.Way.STAFF
    assert joining.join_way(pro, learner) == joining.Way.PROFESSIONAL
    assert joining.join_way(pro, anonymous) == joining.Way.LOGIN
    assert joining.join_way(pro_guests, anonymous) == joining.Way.GUEST
    assert joining.join_way(youth, anonymous) == joining.Way.GUEST
    # A logged-in adult who is not staff joins a youth session as a guest (no account linked).
    assert joining.join_way(youth, learner) == joining.Way.GUEST
    assert joining.join_way(youth, trainer) == joining.Way.STAFF


def test_staff_are_admitted_at_once_and_professionals_wait_in_the_lobby():
    session = make_live_session(lobby_enabled=True)
    trainer = make_live_user(partner=session.partner, role=Role.TRAINER)
    learner = make_live_user(partner=session.partner)
    staff_store, pro_store = store(), store()
    staff = joining.participant_join_account(session=session, user=trainer, django_session=staff_store)
    pro = joining.participant_join_account(session=session, user=learner, django_session=pro_store)
    assert (staff.role, staff.status) == (Participant.Role.STAFF, Participant.Status.ADMITTED)
    assert (pro.role, pro.status) == (Participant.Role.PROFESSIONAL, Participant.Status.LOBBY)
    assert staff_store[session_key(session.pk)] == staff.pk
    assert pro_store[session_key(session.pk)] == pro.pk


def test_without_a_lobby_professionals_are_admitted():
    session = make_live_session(lobby_enabled=False)
    pro = joining.participant_join_account(session=session, user=make_live_user(), django_session=store())
    assert pro.status == Participant.Status.ADMITTED


def test_joining_again_reuses_the_participant():
    session = make_live_session()
    user = make_live_user()
    first = joining.participant_join_account(session=session, user=user, django_session=store())
    second = joining.participant_join_account(session=session, user=user, django_session=store())
    assert first.pk == second.pk
    assert Participant.objects.filter(session=session).count() == 1

    guest_store = store()
    youth = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE, lobby_enabled=True)
    one = joining.participant_join_guest(session=youth, django_session=guest_store, display_name="Sam", consent=False)
    two = joining.participant_join_guest(session=youth, django_session=guest_store, display_name="Other", consent=False)
    assert one.pk == two.pk
    assert two.display_name == "Sam"


def test_a_guest_is_never_linked_to_an_account():
    youth = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE, lobby_enabled=True)
    adult = make_live_user()
    guest = joining.participant_join_guest(session=youth, django_session=store(), display_name="Sam", consent=False, user=adult)
    assert guest.user_id is None
    assert (guest.role, guest.status) == (Participant.Role.GUEST, Participant.Status.LOBBY)


def test_guests_are_refused_where_the_session_is_for_registered_participants():
    with pytest.raises(joining.JoinRefused) as refused:
        joining.participant_join_guest(session=make_live_session(), django_session=store(), display_name="Sam", consent=True)
    assert refused.value.code == "forbidden"


def test_consent_is_required_when_the_session_asks_and_recorded():
    youth = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE, lobby_enabled=True, consent_required=True)
    with pytest.raises(joining.JoinRefused) as refused:
        joining.participant_join_guest(session=youth, django_session=store(), display_name="Sam", consent=False)
    assert refused.value.code == "consent"
    assert not Participant.objects.exists()
    guest = joining.participant_join_guest(session=youth, django_session=store(), display_name="Sam", consent=True)
    assert guest.consent_given_at is not None


@pytest.mark.parametrize(("country", "age"), [("GB", 13), ("BE", 13), ("FR", 15), ("NL", 16)])
def test_consent_age_follows_the_partners_country(country, age):
    session = make_live_session(partner=make_live_partner(country=country))
    assert joining.consent_age(session) == age


def test_a_full_session_refuses_newcomers_but_not_staff_or_those_already_in():
    session = make_live_session(capacity=2, allow_guests=True)
    inside = make_participant(session, role=Participant.Role.PROFESSIONAL)
    make_participant(session, status=Participant.Status.LOBBY)
    make_participant(session, status=Participant.Status.REMOVED)  # does not take a place
    with pytest.raises(joining.JoinRefused) as refused:
        joining.participant_join_account(session=session, user=make_live_user(), django_session=store())
    assert refused.value.code == "full"
    assert "full" in str(refused.value.message)
    with pytest.raises(joining.JoinRefused):
        joining.participant_join_guest(session=session, django_session=store(), display_name="Sam", consent=False)
    again = joining.participant_join_account(session=session, user=inside.user, django_session=store())
    assert again.pk == inside.pk
    trainer = make_live_user(partner=session.partner, role=Role.TRAINER)
    assert joining.participant_join_account(session=session, user=trainer, django_session=store()).is_staff


def test_a_locked_room_refuses_newcomers_but_not_staff_or_the_admitted():
    session = make_live_session(locked=True, allow_guests=True)
    admitted = make_participant(session, role=Participant.Role.PROFESSIONAL)
    waiting = make_participant(session, role=Participant.Role.PROFESSIONAL, status=Participant.Status.LOBBY)
    for join in (
        lambda: joining.participant_join_account(session=session, user=make_live_user(), django_session=store()),
        lambda: joining.participant_join_guest(session=session, django_session=store(), display_name="Sam", consent=False),
        lambda: joining.participant_join_account(session=session, user=waiting.user, django_session=store()),
    ):
        with pytest.raises(joining.JoinRefused) as refused:
            join()
        assert refused.value.code == "locked"
    assert joining.participant_join_account(session=session, user=admitted.user, django_session=store()).pk == admitted.pk
    trainer = make_live_user(partner=session.partner, role=Role.TRAINER)
    assert joining.participant_join_account(session=session, user=trainer, django_session=store()).is_staff


def test_an_ended_session_refuses_everyone():
    session = make_live_session(status=LiveSession.Status.ENDED, ended_at=timezone.now())
    trainer = make_live_user(partner=session.partner, role=Role.TRAINER)
    with pytest.raises(joining.JoinRefused):
        joining.participant_join_account(session=session, user=trainer, django_session=store())


def test_a_removed_participant_cannot_rejoin():
    session = make_live_session(allow_guests=True)
    removed = make_participant(session, role=Participant.Role.PROFESSIONAL, status=Participant.Status.REMOVED)
    with pytest.raises(joining.JoinRefused) as refused:
        joining.participant_join_account(session=session, user=removed.user, django_session=store())
    assert refused.value.code == "removed"
    assert "removed you" in str(refused.value.message)

    guest_store = store()
    guest = joining.participant_join_guest(session=session, django_session=guest_store, display_name="Sam", consent=False)
    Participant.objects.filter(pk=guest.pk).update(status=Participant.Status.REMOVED)
    with pytest.raises(joining.JoinRefused) as refused:
        joining.participant_join_guest(session=session, django_session=guest_store, display_name="Sam", consent=False)
    assert refused.value.code == "removed"
    with pytest.raises(joining.JoinRefused):
        joining.participant_remembered(session=session, django_session=guest_store, user=None)
