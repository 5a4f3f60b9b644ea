"""Invitations and reminders (live/tasks.py, scheduling.reminders_plan).
The suite's task backend runs tasks at once (ImmediateBackend), which cannot
run anything later: the planning of reminders is tested with django-tasks'
DummyBackend, which records each enqueued task with its `run_after`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import task_backends

from live import scheduling
from live.models import LiveSession
from live.tasks import session_invitations_send, session_reminder_send
from partners.models import Role
from tests.learning.trainer_fixtures import make_user, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world(learners=3)


@pytest.fixture
def dummy_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    yield backend
    backend.clear()


def _text(content) -> str:
    return content if isinstance(content, str) else content.decode()


def create(world, *, starts_in=dt.timedelta(days=3), **overrides):
    second = make_user(partner=world.partner, role=Role.TRAINER, name="Second Trainer")
    values = {
        "title": "Webinar: talking about grievances", "starts_at": timezone.now() + starts_in, "duration_minutes": 90,
        "time_zone": "Europe/Brussels", "language": "en", "audience": LiveSession.Audience.PROFESSIONALS,
        "partner": world.partner, "cohort": world.cohort, "capacity": 50, "lobby_enabled": True,
        "provider": LiveSession.Provider.WEBRTC, **overrides,
    }
    return scheduling.session_create(created_by=world.trainer, trainers=[world.trainer, second], **values)


def test_creating_a_session_invites_the_cohorts_learners_in_their_language(world, django_capture_on_commit_callbacks):
    world.learners[1].preferred_language = "fr"
    world.learners[1].save()
    with django_capture_on_commit_callbacks(execute=True):
        session = create(world)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in world.learners)
    by_address = {m.to[0]: m for m in mail.outbox}
    french = by_address[world.learners[1].email]
    assert '<html lang="fr">' in french.alternatives[0][0]
    english = by_address[world.learners[0].email]
    assert '<html lang="en">' in english.alternatives[0][0]
    assert session.title in english.subject
    assert session.join_code_display in english.body
    assert f"/en/live/j/{session.join_code}/" in english.body
    (name, content, mimetype) = english.attachments[0]
    assert name == f"live-session-{session.pk}.ics" and mimetype.startswith("text/calendar")
    assert "BEGIN:VEVENT" in (content if isinstance(content, str) else content.decode())


def test_a_youth_sessions_invitation_carries_no_code(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = create(world, audience=LiveSession.Audience.YOUNG_PEOPLE)
    assert mail.outbox
    for message in mail.outbox:
        for text in (message.body, message.alternatives[0][0], _text(message.attachments[0][1])):
            assert session.join_code not in text and session.join_code_display not in text


def test_withdrawn_learners_and_other_courses_are_not_invited(world):
    from learning.models import Enrollment
    from learning.services import enrollment_withdraw

    enrollment_withdraw(enrollment=Enrollment.objects.get(learner=world.learners[0]))
    session = create(world, cohort=None, course_key=world.course_key)
    mail.outbox.clear()
    assert session_invitations_send.call(session.pk) == 2
    assert world.learners[0].email not in [m.to[0] for m in mail.outbox]
    assert world.other_learner.email not in [m.to[0] for m in mail.outbox]


def test_reminders_are_planned_24_hours_and_1_hour_before(world, dummy_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = create(world)
    reminders = [r for r in dummy_tasks.results if r.task.name == session_reminder_send.name]
    assert sorted(r.task.run_after for r in reminders) == [
        session.starts_at - dt.timedelta(hours=24), session.starts_at - dt.timedelta(hours=1)
    ]
    assert {r.args[2] for r in reminders} == {24 * 60, 60}
    session.refresh_from_db()
    assert session.reminders_planned_for == session.starts_at
    assert [r.task.name for r in dummy_tasks.results].count(session_invitations_send.name) == 1


def test_a_session_soon_gets_only_the_reminders_still_ahead(world, dummy_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = create(world, starts_in=dt.timedelta(hours=3))
    reminders = [r for r in dummy_tasks.results if r.task.name == session_reminder_send.name]
    assert [r.task.run_after for r in reminders] == [session.starts_at - dt.timedelta(hours=1)]


def test_moving_a_session_plans_new_reminders_and_silences_the_old_ones(world, dummy_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = create(world)
    old_start = session.starts_at
    dummy_tasks.clear()
    new_start = old_start + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.session_update(session=session, trainers=list(session.trainers.all()), starts_at=new_start)
    reminders = [r for r in dummy_tasks.results if r.task.name == session_reminder_send.name]
    assert sorted(r.task.run_after for r in reminders) == [new_start - dt.timedelta(hours=24), new_start - dt.timedelta(hours=1)]
    # Renaming does not plan again.
    dummy_tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.session_update(session=session, trainers=list(session.trainers.all()), title="Renamed")
    assert dummy_tasks.results == []

    mail.outbox.clear()
    assert session_reminder_send.call(session.pk, old_start.isoformat(), 60) == 0
    assert mail.outbox == []
    assert session_reminder_send.call(session.pk, new_start.isoformat(), 60) == 3
    assert "starts in one hour" in mail.outbox[0].body


def test_a_reminder_of_an_ended_or_deleted_session_sends_nothing(world):
    session = create(world)
    mail.outbox.clear()
    LiveSession.objects.filter(pk=session.pk).update(status=LiveSession.Status.ENDED, ended_at=timezone.now())
    assert session_reminder_send.call(session.pk, session.starts_at.isoformat(), 60) == 0
    assert session_reminder_send.call(999999, session.starts_at.isoformat(), 60) == 0
    assert session_invitations_send.call(session.pk) == 0
    assert mail.outbox == []


def test_a_backend_that_cannot_defer_gets_no_reminders(world, django_capture_on_commit_callbacks):
    # The suite's ImmediateBackend: sending the reminders now would be wrong.
    with django_capture_on_commit_callbacks(execute=True):
        session = create(world)
    assert all("reminder" not in m.body for m in mail.outbox)
    assert len(mail.outbox) == 3  # the invitations only
    session.refresh_from_db()
    assert session.reminders_planned_for is None


def test_settling_an_ended_sessions_attendance_recomputes_its_learners(world, django_capture_on_commit_callbacks):
    from unittest import mock

    from live.signals import attendance_changed
    from live.tasks import session_attendance_settle
    from tests.live.conftest import make_live_session, make_participant

    session = make_live_session(partner=world.partner, cohort=world.cohort, status=LiveSession.Status.ENDED)
    for learner in world.learners:
        make_participant(session, role="professional", user=learner)
    make_participant(session, name="A guest")
    received = []
    attendance_changed.connect(receiver := lambda sender, session, user_ids, **kw: received.append(user_ids))
    try:
        with mock.patch("live.attendance_effects.progress_recompute") as recompute, django_capture_on_commit_callbacks(execute=True):
            assert session_attendance_settle.call(session.pk) == 3
    finally:
        attendance_changed.disconnect(receiver)
    assert recompute.call_count == 3
    assert received == [sorted(u.pk for u in world.learners)]
    assert session_attendance_settle.call(999999) == 0
