"""The join pages over HTTP: /live/join/ (type a code) and /live/j/<code>/
(the link), in every language; each refusal has its message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from live import joining
from live import room as room_services
from live.identity import session_key
from live.models import LiveSession, Participant
from partners.models import Role
from tests.live.conftest import make_live_partner, make_live_session, make_live_user, make_participant

pytestmark = pytest.mark.django_db
INVALID = "This code is not valid or the session is not open now."


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def link(session, language="en") -> str:
    with translation.override(language):
        return reverse("live:join_link", kwargs={"code": session.join_code})


def room(session, language="en") -> str:
    with translation.override(language):
        return reverse("live:room", kwargs={"session_id": session.pk})


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_code_page_renders_in_each_language(client, language):
    with translation.override(language):
        url = reverse("live:join")
    assert url.startswith(f"/{language}/live/")
    response = client.get(url)
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()


def test_a_typed_code_leads_to_the_link(client):
    session = make_live_session(allow_guests=True)
    typed = f"{session.join_code[:4].lower()}-{session.join_code[4:]}"
    response = client.post(reverse("live:join"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == link(session)


@pytest.mark.parametrize("typed", ["", "nonsense", "ZZZZ-ZZZZ"])
def test_wrong_codes_say_the_same_on_the_page(client, typed):
    response = client.post(reverse("live:join"), {"code": typed})
    assert response.status_code == 200
    assert INVALID in response.content.decode()


def test_an_expired_code_says_the_same(client):
    session = make_live_session(starts_at=timezone.now() - dt.timedelta(hours=6))
    response = client.get(link(session))
    assert INVALID in response.content.decode()
    response = client.post(reverse("live:join"), {"code": session.join_code})
    assert INVALID in response.content.decode()


def test_a_link_opened_before_the_room_opens_shows_when_and_spends_nothing(client):
    starts = (timezone.now() + dt.timedelta(days=2)).replace(hour=18, minute=30, second=0, microsecond=0)
    session = make_live_session(title="Evening webinar", allow_guests=True, starts_at=starts, time_zone="Europe/Brussels")
    opens = session.join_window()[0].astimezone(session.tz)
    with translation.override("en"):
        opens_text = formats.date_format(opens, "DATETIME_FORMAT")
    # More times than the budget of failed attempts.
    for _ in range(joining.JOIN_FAILURES_LIMIT + 1):
        response = client.get(link(session))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Evening webinar" in html and opens_text in html and "Europe/Brussels" in html
        assert INVALID not in html and 'name="display_name"' not in html
    # The typed code says the same, and spends nothing either.
    response = client.post(reverse("live:join"), {"code": session.join_code})
    assert response.status_code == 200 and "Evening webinar" in response.content.decode()
    # Once the room opens, the link works.
    LiveSession.objects.filter(pk=session.pk).update(starts_at=timezone.now())
    response = client.get(link(session))
    assert response.status_code == 200 and 'name="display_name"' in response.content.decode()
    # And a wrong code still has its whole budget.
    for n in range(joining.JOIN_FAILURES_LIMIT):
        response = client.post(reverse("live:join"), {"code": f"WRONG{n:03d}"})
        assert response.status_code == 200 and INVALID in response.content.decode()
    assert client.post(reverse("live:join"), {"code": "WRONG999"}).status_code == 429


def test_the_not_open_yet_page_waits_for_the_room_by_the_servers_clock(client):
    """What live/join_wait.js needs: when the room opens and the server's
    time now (never the visitor's clock), the link to go to, the start as
    a machine-readable time; the script only on this page."""
    session = make_live_session(title="Evening webinar", starts_at=timezone.now() + dt.timedelta(days=2))
    response = client.get(link(session))
    html = response.content.decode()
    opens = session.join_window()[0]
    section = html.split('id="join-not-open"')[1].split(">")[0]
    opens_attr = section.split('data-opens-at="')[1].split('"')[0]
    now_attr = section.split('data-server-now="')[1].split('"')[0]
    assert dt.datetime.fromisoformat(opens_attr) == opens
    assert abs(dt.datetime.fromisoformat(now_attr) - timezone.now()) < dt.timedelta(minutes=1)
    assert f'data-join-url="{link(session)}"' in section
    local = html.split('id="join-local-time"')[1].split("</p>")[0]
    start_attr = local.split('<time datetime="')[1].split('"')[0]
    assert dt.datetime.fromisoformat(start_attr) == session.starts_at
    assert 'src="/static/live/join_wait.js"' in html
    assert "join_wait.js" not in client.get(reverse("live:join")).content.decode()


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_not_open_yet_page_is_translated(client, language):
    session = make_live_session(title="Avondwebinar", starts_at=timezone.now() + dt.timedelta(days=2))
    response = client.get(link(session, language))
    html = response.content.decode()
    assert response.status_code == 200 and "Avondwebinar" in html
    with translation.override(language):
        assert str(joining.NOT_OPEN_MESSAGE) in html
        assert str(joining.NOT_OPEN_MESSAGE) != "This session is not open yet."


def test_a_flood_of_wrong_codes_is_stopped(client):
    session = make_live_session(allow_guests=True)
    for n in range(joining.JOIN_FAILURES_LIMIT):
        client.post(reverse("live:join"), {"code": f"WRONG{n:03d}"})
    response = client.post(reverse("live:join"), {"code": session.join_code})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    response = client.get(link(session))
    assert response.status_code == 429


def _spend_the_join_budget(client, **address):
    for n in range(joining.JOIN_FAILURES_LIMIT):
        client.post(reverse("live:join"), {"code": f"WRONG{n:03d}"}, **address)


def test_a_forged_forwarded_for_does_not_reset_the_budget(client, settings):
    # Straight to the server (no trusted proxy): the header is the client's own.
    settings.TRUSTED_PROXY_COUNT = 0
    session = make_live_session(allow_guests=True)
    _spend_the_join_budget(client, REMOTE_ADDR="203.0.113.7")
    for forged in ("1.2.3.4", "10.0.0.1, 1.2.3.4"):
        response = client.post(reverse("live:join"), {"code": session.join_code},
                               REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=forged)
        assert response.status_code == 429
        assert client.get(link(session), REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=forged).status_code == 429


def test_behind_one_proxy_a_prepended_forged_address_does_not_reset_the_budget(client, settings):
    # nginx (127.0.0.1) appends the peer it saw; the client prepends whatever it likes.
    settings.TRUSTED_PROXY_COUNT = 1
    session = make_live_session(allow_guests=True)
    _spend_the_join_budget(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for forged in ("1.2.3.4, 203.0.113.7", "1.2.3.4,5.6.7.8, 203.0.113.7"):
        response = client.post(reverse("live:join"), {"code": session.join_code},
                               REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forged)
        assert response.status_code == 429
    # Another client behind the same proxy keeps its own budget.
    response = client.post(reverse("live:join"), {"code": session.join_code},
                           REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert response.status_code == 302


def test_anonymous_visitors_of_a_professional_session_log_in_first(client):
    session = make_live_session()
    response = client.get(link(session))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert link(session).replace("/", "%2F") in response["Location"] or link(session) in response["Location"]


def test_a_professional_joins_with_the_account_into_the_room(client):
    session = make_live_session(lobby_enabled=True)
    user = make_live_user()
    client.force_login(user)
    response = client.get(link(session))
    assert response.status_code == 302 and response["Location"] == room(session)
    participant = Participant.objects.get(session=session, user=user)
    assert participant.status == Participant.Status.LOBBY
    assert client.session[session_key(session.pk)] == participant.pk
    # Again: the same participant.
    client.get(link(session))
    assert Participant.objects.filter(session=session).count() == 1


def test_staff_join_as_staff(client):
    session = make_live_session(lobby_enabled=True)
    trainer = make_live_user(partner=session.partner, role=Role.TRAINER)
    client.force_login(trainer)
    client.get(link(session))
    participant = Participant.objects.get(session=session, user=trainer)
    assert (participant.role, participant.status) == (Participant.Role.STAFF, Participant.Status.ADMITTED)


@pytest.mark.parametrize(("country", "age"), [("FR", 15), ("NL", 16), ("GB", 13)])
def test_a_youth_session_asks_a_first_name_and_consent_naming_the_countrys_age(client, country, age):
    session = make_live_session(
        partner=make_live_partner(country=country), audience=LiveSession.Audience.YOUNG_PEOPLE,
        lobby_enabled=True, consent_required=True,
    )
    response = client.get(link(session))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your first name" in html
    assert f"I am {age} or older, or a parent or guardian has agreed" in html
    assert 'name="email"' not in html and 'name="surname"' not in html

    response = client.post(link(session), {"display_name": "Lou Martin", "consent": "on"})
    assert response.status_code == 302 and response["Location"] == room(session)
    guest = Participant.objects.get(session=session)
    assert (guest.display_name, guest.role, guest.status, guest.user_id) == ("Lou", "guest", "lobby", None)
    assert guest.consent_given_at is not None


def test_missing_consent_is_refused_with_a_message(client):
    session = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE, lobby_enabled=True, consent_required=True)
    response = client.post(link(session), {"display_name": "Lou"})
    assert response.status_code == 200
    assert "Please confirm the consent statement to join." in response.content.decode()
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name."),
        ("x" * 41, "at most 40 characters"),
        ("Lou http://x.example", "without a web address"),
        ("Lou 0612345678", "without a phone number"),
        ("lou@example.org", "without an email address"),
    ],
)
def test_bad_guest_names_are_refused_on_the_form(client, name, message):
    session = make_live_session(allow_guests=True)
    response = client.post(link(session), {"display_name": name})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Participant.objects.exists()


def test_a_full_session_says_so(client):
    session = make_live_session(allow_guests=True, capacity=2)
    make_participant(session)
    make_participant(session)
    response = client.post(link(session), {"display_name": "Lou"})
    assert "This session is full." in response.content.decode()
    client.force_login(make_live_user())
    response = client.get(link(session))
    assert "This session is full." in response.content.decode()


def test_a_locked_room_says_so(client):
    session = make_live_session(allow_guests=True, locked=True)
    response = client.post(link(session), {"display_name": "Lou"})
    assert "The room is locked" in response.content.decode()
    assert not Participant.objects.exists()


def test_a_removed_guest_coming_back_is_told(client):
    session = make_live_session(allow_guests=True)
    client.post(link(session), {"display_name": "Lou"})
    Participant.objects.filter(session=session).update(status=Participant.Status.REMOVED)
    response = client.get(link(session))
    assert "removed you from this session" in response.content.decode()
    response = client.post(link(session), {"display_name": "Lou"})
    assert "removed you from this session" in response.content.decode()
    assert Participant.objects.filter(session=session).count() == 1


def test_after_a_removal_a_new_guest_waits_in_the_lobby(client):
    """The removed guest clears their cookies and picks another name: in a
    session without a lobby they would walk straight back in."""
    session = make_live_session(allow_guests=True, lobby_enabled=False)
    trainer = make_participant(session, role=Participant.Role.STAFF)
    client.post(link(session), {"display_name": "Lou"})
    lou = Participant.objects.get(session=session, display_name="Lou")
    assert lou.status == Participant.Status.ADMITTED
    room_services.participant_remove(actor_id=trainer.pk, participant_id=lou.pk)

    fresh = Client()  # cookies cleared
    response = fresh.get(link(session))
    assert "A trainer lets you in from the waiting room." in response.content.decode()
    response = fresh.post(link(session), {"display_name": "Lucie"})
    assert response.status_code == 302 and response["Location"] == room(session)
    assert Participant.objects.get(session=session, display_name="Lucie").status == Participant.Status.LOBBY


def test_a_returning_guest_goes_straight_back_to_the_room(client):
    session = make_live_session(allow_guests=True)
    client.post(link(session), {"display_name": "Lou"})
    response = client.get(link(session))
    assert response.status_code == 302 and response["Location"] == room(session)
    assert Participant.objects.filter(session=session).count() == 1


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_guest_page_renders_in_other_languages(client, language):
    session = make_live_session(allow_guests=True)
    response = client.get(link(session, language))
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
