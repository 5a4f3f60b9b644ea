"""Attendance report, CSV and corrections (live/views.py,
live/attendance_effects.py); the learning recompute and the signal."""

from __future__ import annotations

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from live.attendance_effects import attendance_changed
from live.models import AttendanceCorrection, AttendanceInterval, Participant
from live.signals import attendance_changed as attendance_changed_signal
from tests.learning.trainer_fixtures import make_world
from tests.live.conftest import make_live_session, make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world(learners=2)


@pytest.fixture
def session(world):
    start = timezone.now() - dt.timedelta(hours=3)
    session = make_live_session(partner=world.partner, cohort=world.cohort, starts_at=start, duration_minutes=60)
    session.trainers.set([world.trainer])
    return session


def attend(participant, *spans):
    """Intervals as (minutes after the start, minutes after the start)."""
    start = participant.session.starts_at
    for begin, end in spans:
        AttendanceInterval.objects.create(
            session=participant.session, participant=participant,
            started_at=start + dt.timedelta(minutes=begin), last_seen_at=start + dt.timedelta(minutes=end),
            ended_at=start + dt.timedelta(minutes=end), closed_by="disconnect",
        )


def test_the_report_shows_minutes_percent_and_intervals(client, world, session):
    learner = make_participant(session, role=Participant.Role.PROFESSIONAL, user=world.learner)
    attend(learner, (-10, 20), (30, 45))  # 20 + 15 minutes within the schedule
    guest = make_participant(session, name="Lou")
    attend(guest, (0, 60))
    client.force_login(world.trainer)
    response = client.get(reverse("live:session_attendance", kwargs={"session_id": session.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<th scope=\"row\">Lou</th>" in html.replace("\n", "")
    assert "35.0" in html and "58.3%" in html and "100.0%" in html


def _rows(count, session):
    for n in range(count):
        participant = make_participant(session, name=f"Guest {n}")
        attend(participant, (0, 10), (20, 30))
        AttendanceCorrection.objects.create(participant=participant, minutes=30, reason="Connection trouble")


def test_the_report_costs_the_same_for_3_or_30_participants(client, world, session):
    client.force_login(world.trainer)
    url = reverse("live:session_attendance", kwargs={"session_id": session.pk})
    _rows(3, session)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _rows(27, session)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("Guest ") >= 30
    assert len(many) == len(few)
    csv_url = reverse("live:session_attendance_csv", kwargs={"session_id": session.pk})
    with CaptureQueriesContext(connection) as csv_many:
        client.get(csv_url)
    assert len(csv_many) <= len(few)


def test_the_csv_has_a_bom_and_guards_formulas(client, world, session):
    evil = make_participant(session, name="=HYPERLINK(\"http://x\")")
    attend(evil, (0, 30))
    make_participant(session, name="Zoë Ørsted")
    client.force_login(world.trainer)
    response = client.get(reverse("live:session_attendance_csv", kwargs={"session_id": session.pk}))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["Name", "Role", "Minutes present", "Percentage of the scheduled time"]
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://x\")" in names
    assert "Zoë Ørsted" in names
    evil_row = next(row for row in rows if row[0].startswith("'="))
    assert evil_row[2:4] == ["30.0", "50.0"] and evil_row[-1] == "1"


def test_a_correction_is_logged_recomputes_progress_and_signals(client, world, session, django_capture_on_commit_callbacks):
    learner = make_participant(session, role=Participant.Role.PROFESSIONAL, user=world.learner)
    client.force_login(world.trainer)
    received = []

    def receiver(sender, session, user_ids, **kwargs):
        received.append((session.pk, user_ids))

    attendance_changed_signal.connect(receiver)
    try:
        with mock.patch("live.attendance_effects.progress_recompute") as recompute, django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("live:attendance_correction", kwargs={"session_id": session.pk}),
                {"participant": learner.pk, "minutes": "50", "reason": "Joined by phone after a network failure"},
            )
    finally:
        attendance_changed_signal.disconnect(receiver)
    assert response.status_code == 302
    correction = AttendanceCorrection.objects.get()
    assert (correction.minutes, correction.corrected_by, correction.participant) == (50, world.trainer, learner)
    recompute.assert_called_once_with(learner=world.learner, course_key=world.course_key)
    assert received == [(session.pk, [world.learner.pk])]
    html = client.get(reverse("live:session_attendance", kwargs={"session_id": session.pk})).content.decode()
    assert "Joined by phone after a network failure" in html and "83.3%" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"minutes": "50", "reason": ""}, "This field is required."),
        ({"minutes": "50", "reason": "   "}, "This field is required."),
        ({"minutes": "61", "reason": "Too long"}, "less than or equal to 60"),
        ({"minutes": "-1", "reason": "Negative"}, "greater than or equal to 0"),
        ({"minutes": "lots", "reason": "Words"}, "Enter a whole number."),
    ],
)
def test_bad_corrections_are_refused(client, world, session, data, message):
    learner = make_participant(session, role=Participant.Role.PROFESSIONAL, user=world.learner)
    client.force_login(world.trainer)
    response = client.post(
        reverse("live:attendance_correction", kwargs={"session_id": session.pk}), {"participant": learner.pk, **data}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AttendanceCorrection.objects.exists()


def test_a_participant_of_another_session_cannot_be_corrected(client, world, session):
    other = make_participant(make_live_session(partner=world.partner), name="Elsewhere")
    client.force_login(world.trainer)
    response = client.post(
        reverse("live:attendance_correction", kwargs={"session_id": session.pk}),
        {"participant": other.pk, "minutes": "10", "reason": "x"},
    )
    assert response.status_code == 400
    assert not AttendanceCorrection.objects.exists()


def test_attendance_changed_recomputes_only_enrolled_learners(world, session, django_capture_on_commit_callbacks):
    enrolled = make_participant(session, role=Participant.Role.PROFESSIONAL, user=world.learner)
    outsider = make_participant(session, role=Participant.Role.PROFESSIONAL)
    guest = make_participant(session)
    with mock.patch("live.attendance_effects.progress_recompute") as recompute, django_capture_on_commit_callbacks(execute=True):
        user_ids = attendance_changed(session, [enrolled.pk, outsider.pk, guest.pk])
    assert user_ids == sorted([world.learner.pk, outsider.user_id])
    recompute.assert_called_once_with(learner=world.learner, course_key=world.course_key)
