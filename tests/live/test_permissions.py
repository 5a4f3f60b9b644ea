"""Every staff URL of the live pages, every kind of visitor (as pretix's
test_permissions.py): the session's trainers, its partner's coordinator and
programme staff get the page; a trainer or coordinator of another partner
and a learner get 404 (nothing tells them the session exists); anonymous
visitors are sent to the login page. A new view in live/urls_manage.py joins
URLS below, and test_every_url_is_covered fails until it does."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from live import urls_manage
from live.models import Participant, Report
from tests.learning.trainer_fixtures import make_world
from tests.live.conftest import make_live_session, make_participant

pytestmark = pytest.mark.django_db

PUBLIC = {"join", "join_link"}


def _session(world) -> dict:
    return {"session_id": world.live_session.pk}


# name -> (kwargs builder, scoped to the session's partner?)
URLS = {
    "session_list": (lambda world: {}, False),
    "session_create": (lambda world: {}, False),
    "session_detail": (_session, True),
    "session_edit": (_session, True),
    "session_enter": (_session, True),
    "session_calendar": (_session, True),
    "session_invite": (_session, True),
    "session_attendance": (_session, True),
    "session_attendance_csv": (_session, True),
    "attendance_correction": (_session, True),
    "safeguarding_queue": (lambda world: {}, False),
    "safeguarding_report": (lambda world: {"report_id": world.report.pk}, True),
}
SAFEGUARDING = {"safeguarding_queue", "safeguarding_report"}


@pytest.fixture
def world():
    world = make_world(learners=1)
    session = make_live_session(partner=world.partner, cohort=world.cohort, title="Secret webinar")
    session.trainers.set([world.trainer])
    guest = make_participant(session, name="Lou")
    world.live_session = session
    world.report = Report.objects.create(
        session=session, partner=world.partner, session_title=session.title, reporter=guest, reporter_name="Lou",
        reason="Something worrying", context={},
    )
    review = Permission.objects.get(codename="review_safeguarding", content_type__app_label="live")
    for user in (world.trainer, world.coordinator, world.other_trainer, world.other_coordinator):
        user.user_permissions.add(review)
    world.staff.is_superuser = True
    world.staff.save()
    return world


def test_every_url_is_covered():
    assert {pattern.name for pattern in urls_manage.urlpatterns} == set(URLS) | PUBLIC


@pytest.mark.parametrize("name", sorted(URLS))
def test_permissions(client, world, name):
    kwargs, scoped = URLS[name]
    url = reverse(f"live:{name}", kwargs=kwargs(world) or None)

    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"], "anonymous"

    expected = {
        "trainer of the session": (world.trainer, 200),
        "coordinator of its partner": (world.coordinator, 200),
        "programme staff": (world.staff, 200),
        "trainer of another partner": (world.other_trainer, 404 if scoped else 200),
        "coordinator of another partner": (world.other_coordinator, 404 if scoped else 200),
        "learner of the cohort": (world.learner, 200 if name == "session_calendar" else 404),
        "learner of another partner": (world.other_learner, 404),
    }
    for who, (user, status) in expected.items():
        client.force_login(user)
        response = client.get(url)
        if name == "session_enter" and status == 200:
            # Staff are let into the room (as staff participants).
            assert response.status_code == 302 and response["Location"].endswith("/room/"), who
            client.logout()
            continue
        assert response.status_code == status, who
        if status == 200 and not scoped and user in (world.other_trainer, world.other_coordinator):
            html = response.content.decode()
            assert "Secret webinar" not in html, who
            assert not re.search(rf"{re.escape(world.partner.name)}\b", html), who
        client.logout()


def test_a_learner_not_enrolled_gets_404_for_the_calendar(client, world):
    client.force_login(world.other_learner)
    response = client.get(reverse("live:session_calendar", kwargs={"session_id": world.live_session.pk}))
    assert response.status_code == 404


def test_without_the_safeguarding_permission_the_queue_does_not_exist(client, world):
    world.trainer.user_permissions.clear()
    client.force_login(world.trainer)
    assert client.get(reverse("live:safeguarding_queue")).status_code == 404
    assert client.get(reverse("live:safeguarding_report", kwargs={"report_id": world.report.pk})).status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("session_edit", {"title": "Hijacked"}),
        ("session_invite", {}),
        ("attendance_correction", {"minutes": "1", "reason": "x"}),
        ("safeguarding_report", {"resolution": "closed by someone else"}),
    ],
)
def test_posting_to_another_partners_session_is_404_and_changes_nothing(client, world, name, data):
    kwargs, _scoped = URLS[name]
    participant = Participant.objects.get(session=world.live_session)
    client.force_login(world.other_coordinator)
    response = client.post(reverse(f"live:{name}", kwargs=kwargs(world)), {**data, "participant": participant.pk})
    assert response.status_code == 404
    world.live_session.refresh_from_db()
    world.report.refresh_from_db()
    assert world.live_session.title == "Secret webinar"
    assert world.report.status == Report.Status.OPEN
    assert not participant.corrections.exists()
