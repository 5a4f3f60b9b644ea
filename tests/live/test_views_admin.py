"""The live admin: pages load, the scheduling rules apply, the join code is
drawn, and the records of what happened are read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from live.models import AttendanceCorrection, LiveSession, Report, WordListEntry
from partners.models import Role
from tests.live.conftest import make_live_partner, make_live_session, make_live_user, make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_live_user(is_staff=True, is_superuser=True))
    return client


def test_every_live_admin_page_loads(admin_client):
    session = make_live_session()
    participant = make_participant(session, name="Lou")
    AttendanceCorrection.objects.create(participant=participant, minutes=5, reason="x")
    Report.objects.create(session=session, partner=session.partner, session_title=session.title, reporter_name="Lou")
    WordListEntry.objects.create(language="en", term="example")
    for model in ("livesession", "report", "wordlistentry", "attendancecorrection"):
        assert admin_client.get(reverse(f"admin:live_{model}_changelist")).status_code == 200, model
    assert admin_client.get(reverse("admin:live_livesession_change", args=[session.pk])).status_code == 200
    assert admin_client.get(reverse("admin:live_livesession_add")).status_code == 200
    assert admin_client.get(reverse("admin:live_attendancecorrection_add")).status_code == 403
    assert admin_client.get(reverse("admin:live_report_add")).status_code == 403


def _add_data(partner, trainers, **overrides):
    start = timezone.localtime(timezone.now() + dt.timedelta(days=2))
    data = {
        "title": "Admin session", "description": "", "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"), "duration_minutes": "60", "time_zone": "Europe/Brussels",
        "language": "en", "audience": "young_people", "partner": str(partner.pk),
        "trainers": [str(t.pk) for t in trainers], "capacity": "12", "lobby_enabled": "on", "provider": "webrtc",
        "stream_url": "", "certificate_min_percent": "",
        "participants-TOTAL_FORMS": "0", "participants-INITIAL_FORMS": "0",
        "participants-MIN_NUM_FORMS": "0", "participants-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_the_admin_applies_the_two_staff_rule_and_draws_a_code(admin_client):
    partner = make_live_partner()
    trainers = [make_live_user(partner=partner, role=Role.TRAINER) for _ in range(2)]
    response = admin_client.post(reverse("admin:live_livesession_add"), _add_data(partner, trainers[:1]))
    assert response.status_code == 200
    assert "two-staff rule" in response.content.decode()
    assert not LiveSession.objects.exists()
    response = admin_client.post(reverse("admin:live_livesession_add"), _add_data(partner, trainers))
    assert response.status_code == 302, response.content.decode()[:3000]
    session = LiveSession.objects.get()
    assert len(session.join_code) == 8 and session.trainers.count() == 2
