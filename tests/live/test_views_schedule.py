"""The trainers' schedule over HTTP: list, form (time zones, errors),
detail, calendar file, invitations; every page in en, fr and nl."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from live.models import LiveSession
from partners.models import Role
from tests.learning.trainer_fixtures import make_user, make_world
from tests.live.conftest import make_live_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world(learners=2)
    world.second_trainer = make_user(partner=world.partner, role=Role.TRAINER, name="Bram Second")
    return world


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(f"live:{name}", kwargs=kwargs or None)


def form_data(world, **overrides) -> dict:
    start = (timezone.now() + dt.timedelta(days=10)).astimezone(zoneinfo.ZoneInfo("Europe/London"))
    data = {
        "title": "Webinar: talking about grievances",
        "description": "For teachers and youth workers.",
        "starts_at_local": start.strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "Europe/London",
        "duration_minutes": "90",
        "language": "en",
        "audience": "professionals",
        "partner": str(world.partner.pk),
        "trainers": [str(world.trainer.pk)],
        "course_key": str(world.course_key),
        "cohort": str(world.cohort.pk),
        "capacity": "80",
        "lobby_enabled": "on",
        "provider": "webrtc",
        "stream_url": "",
        "certificate_min_percent": "75",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_trainer_schedules_a_session_in_their_time_zone(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.trainer)
    data = form_data(world, starts_at_local="2030-07-01T18:30", time_zone="Europe/London")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("session_create"), data)
    session = LiveSession.objects.get()
    assert response.status_code == 302 and response["Location"] == url("session_detail", session_id=session.pk)
    assert session.starts_at == dt.datetime(2030, 7, 1, 17, 30, tzinfo=dt.UTC)  # BST = UTC+1
    assert session.time_zone == "Europe/London"
    assert session.course_key == world.course_key and session.cohort == world.cohort
    assert list(session.trainers.all()) == [world.trainer]
    assert session.created_by == world.trainer
    assert len(mail.outbox) == 2  # the cohort's learners are invited
    detail = client.get(response["Location"]).content.decode()
    assert session.join_code_display in detail
    assert url("session_enter", session_id=session.pk) in detail
    response = client.get(url("session_enter", session_id=session.pk))
    assert response["Location"] == url("room", session_id=session.pk)
    assert session.participants.get().role == "staff"
    assert url("session_calendar", session_id=session.pk) in detail


def test_the_form_shows_the_start_back_in_the_sessions_time_zone(client, world):
    session = make_live_session(
        partner=world.partner, starts_at=dt.datetime(2030, 1, 15, 9, 0, tzinfo=dt.UTC), time_zone="Europe/Paris"
    )
    session.trainers.set([world.trainer])
    client.force_login(world.trainer)
    html = client.get(url("session_edit", session_id=session.pk)).content.decode()
    assert 'value="2030-01-15T10:00"' in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at_local": "2020-01-01T10:00"}, "The start must be in the future."),
        ({"starts_at_local": "2030-03-31T02:30", "time_zone": "Europe/Brussels"}, "does not exist in that time zone"),
        ({"starts_at_local": "not a date"}, "Enter a valid date/time."),
        ({"duration_minutes": "0"}, "greater than or equal to 5"),
        ({"duration_minutes": "-60"}, "greater than or equal to 5"),
        ({"duration_minutes": "601"}, "less than or equal to 600"),
        ({"duration_minutes": "an hour"}, "Enter a whole number."),
        ({"capacity": "1"}, "greater than or equal to 2"),
        ({"capacity": "5000"}, "less than or equal to 1000"),
        ({"provider": "none", "stream_url": ""}, "link of the external stream"),
        ({"stream_url": "javascript:alert(1)", "provider": "none"}, "Enter a valid URL."),
        ({"audience": "young_people", "lobby_enabled": None, "trainers": None}, "always use the lobby"),
        ({"audience": "young_people"}, "at least two trainers (two-staff rule)"),
        ({"trainers": []}, "This field is required."),
        ({"certificate_min_percent": "120"}, "less than or equal to 100"),
    ],
)
def test_bad_input_is_refused_with_clear_form_errors(client, world, overrides, message):
    if overrides.get("trainers", "") is None:
        overrides["trainers"] = [str(world.trainer.pk)]
    client.force_login(world.trainer)
    response = client.post(url("session_create"), form_data(world, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LiveSession.objects.exists()


def test_a_youth_session_with_two_trainers_is_saved(client, world):
    client.force_login(world.trainer)
    data = form_data(world, audience="young_people", trainers=[str(world.trainer.pk), str(world.second_trainer.pk)],
                     course_key="", cohort="")
    response = client.post(url("session_create"), data)
    assert response.status_code == 302
    session = LiveSession.objects.get()
    assert session.is_youth and session.lobby_enabled and session.trainers.count() == 2


def test_the_form_offers_only_the_users_partners_trainers_and_cohorts(client, world):
    client.force_login(world.other_trainer)
    html = client.get(url("session_create")).content.decode()
    assert world.partner.name not in html
    assert world.trainer.full_name not in html
    assert world.cohort.name not in html
    response = client.post(url("session_create"), form_data(world))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not LiveSession.objects.exists()


def test_editing_saves_and_moving_reschedules(client, world):
    session = make_live_session(partner=world.partner, starts_at=timezone.now() + dt.timedelta(days=2))
    session.trainers.set([world.trainer])
    client.force_login(world.coordinator)
    data = form_data(world, title="Renamed", starts_at_local="2031-05-05T10:00", time_zone="Europe/Amsterdam")
    response = client.post(url("session_edit", session_id=session.pk), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Renamed"
    assert session.starts_at == dt.datetime(2031, 5, 5, 8, 0, tzinfo=dt.UTC)


def _list_sessions(world, start: int, count: int) -> None:
    for n in range(start, start + count):
        s = make_live_session(partner=world.partner, title=f"Upcoming {n}", starts_at=timezone.now() + dt.timedelta(days=n + 1))
        s.trainers.set([world.trainer, world.second_trainer])
        make_live_session(partner=world.partner, title=f"Past {n}", starts_at=timezone.now() - dt.timedelta(days=n + 1))


def test_the_list_splits_upcoming_and_past_with_constant_queries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.trainer)
    _list_sessions(world, 0, 1)
    client.get(url("session_list"))  # warm per-process caches (site root, menus)
    with CaptureQueriesContext(connection) as few:
        client.get(url("session_list"))
    _list_sessions(world, 1, 9)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("session_list"))
    assert len(many) == len(few)
    html = response.content.decode()
    assert html.index("Upcoming 0") < html.index("Past 0")
    assert html.index("Upcoming 0") < html.index("Upcoming 9")


def test_invite_resends_the_invitations(client, world, django_capture_on_commit_callbacks):
    session = make_live_session(partner=world.partner, cohort=world.cohort, starts_at=timezone.now() + dt.timedelta(days=2))
    client.force_login(world.trainer)
    assert "2 learners" in client.get(url("session_invite", session_id=session.pk)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("session_invite", session_id=session.pk))
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in world.learners)


def test_an_ended_session_sends_no_invitations(client, world, django_capture_on_commit_callbacks):
    session = make_live_session(partner=world.partner, cohort=world.cohort, status=LiveSession.Status.ENDED)
    client.force_login(world.trainer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("session_invite", session_id=session.pk))
    assert mail.outbox == []


def test_learners_download_the_calendar_of_their_sessions_only(client, world):
    mine = make_live_session(partner=world.partner, cohort=world.cohort)
    of_course = make_live_session(partner=world.partner, course_key=world.course_key)
    other = make_live_session(partner=world.partner)
    client.force_login(world.learner)
    for session in (mine, of_course):
        response = client.get(url("session_calendar", session_id=session.pk))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
        assert b"BEGIN:VEVENT" in response.content
    assert client.get(url("session_calendar", session_id=other.pk)).status_code == 404
    client.force_login(world.other_learner)
    assert client.get(url("session_calendar", session_id=mine.pk)).status_code == 404


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_staff_pages_render_in_each_language(client, world, language):
    session = make_live_session(partner=world.partner, cohort=world.cohort)
    session.trainers.set([world.trainer])
    client.force_login(world.trainer)
    for name, kwargs in [
        ("session_list", {}), ("session_create", {}), ("session_detail", {"session_id": session.pk}),
        ("session_edit", {"session_id": session.pk}), ("session_invite", {"session_id": session.pk}),
        ("session_attendance", {"session_id": session.pk}), ("attendance_correction", {"session_id": session.pk}),
    ]:
        address = url(name, language, **kwargs)
        assert address.startswith(f"/{language}/live/")
        response = client.get(address)
        assert response.status_code == 200, name
        assert f'lang="{language}"' in response.content.decode(), name


def test_staff_cannot_enter_an_ended_sessions_room(client, world):
    session = make_live_session(partner=world.partner, status=LiveSession.Status.ENDED)
    client.force_login(world.trainer)
    response = client.get(url("session_enter", session_id=session.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("session_detail", session_id=session.pk)
    assert "This session has ended." in response.content.decode()
    assert not session.participants.exists()
