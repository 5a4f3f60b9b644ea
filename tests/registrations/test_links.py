"""What registering gives: enrolment in a cohort's course, access to a
linked live session (the selector live's join page asks), the face-to-face
session evidence of a blended course, and reminders that re-check before
mailing. Also the validation of the organiser's questions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from learning.models import Enrollment, SessionAttendance
from registrations import selectors, services
from registrations.models import Registration, Training
from registrations.questions import validate_questions
from registrations.services import registration_cancel, registration_create
from tests.learning.trainer_fixtures import make_world

from .factories import QUESTIONS, make_training, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.H5P_CONTENT_ROOT = str(tmp_path / "h5p")


def test_confirming_a_cohort_training_enrols_in_the_course_and_waiting_does_not():
    world = make_world(learners=1)
    training = make_training(partner=world.partner, kind=Training.Kind.COHORT, cohort=world.cohort, capacity=1)
    first, second = make_user(partner=world.partner), make_user(partner=world.partner)
    registration_create(training=training, user=first, answers={}, privacy_consent=True)
    registration_create(training=training, user=second, answers={}, privacy_consent=True)
    enrolment = Enrollment.objects.get(learner=first)
    assert enrolment.cohort == world.cohort and enrolment.course_key == world.cohort.course_key
    assert not Enrollment.objects.filter(learner=second).exists()
    registration_cancel(registration=Registration.objects.get(user=first))
    assert Enrollment.objects.get(learner=second).cohort == world.cohort  # promoted, so enrolled


def test_a_face_to_face_session_marked_on_site_becomes_course_evidence(client):
    world = make_world(learners=2)
    lesson_key, block_id = world.session(0)
    training = make_training(
        partner=world.partner, kind=Training.Kind.ON_SITE, format=Training.Format.ON_SITE, location="Gent",
        cohort=world.cohort, session_lesson_key=lesson_key, session_block_id=block_id, trainers=[world.trainer],
    )
    newcomer = make_user(partner=world.partner)
    registered = registration_create(training=training, user=newcomer, answers={}, privacy_consent=True)
    already = registration_create(training=training, user=world.learners[0], answers={}, privacy_consent=True)
    # Another cohort learner, registered earlier by the cohort's own register.
    SessionAttendance.objects.create(
        learner=world.learners[1], course_key=world.course_key, lesson_key=lesson_key, block_id=block_id, present=True
    )
    outcome = services.attendance_mark(
        training=training, marks={registered.pk: True, already.pk: False}, marked_by=world.trainer
    )
    assert outcome.evidence_recorded
    assert SessionAttendance.objects.get(learner=newcomer, block_id=block_id).present is True
    assert SessionAttendance.objects.get(learner=world.learners[0], block_id=block_id).present is False
    assert SessionAttendance.objects.get(learner=world.learners[1], block_id=block_id).present is True  # kept


def test_a_session_block_must_belong_to_the_cohorts_course():
    world = make_world(learners=0)
    with pytest.raises(ValidationError) as error:
        make_training(partner=world.partner, cohort=world.cohort, session_block_id="not-a-block")
    assert "session_block_id" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_training(partner=world.other_partner, cohort=world.cohort)
    assert "cohort" in error.value.message_dict


def test_registering_for_a_live_session_gives_access_to_it():
    from live.models import LiveSession

    training = make_training()
    session = LiveSession.objects.create(
        title="Webinar", starts_at=training.starts_at, partner=training.partner, join_code="ABCD2345",
    )
    Training.objects.filter(pk=training.pk).update(live_session=session)
    user, other = make_user(), make_user()
    assert selectors.live_session_requires_registration(session)
    assert not selectors.has_confirmed_registration(user, session)
    registration = registration_create(training=training, user=user, answers={}, privacy_consent=True)
    assert selectors.has_confirmed_registration(user, session)
    assert not selectors.has_confirmed_registration(other, session)
    registration_cancel(registration=registration)
    assert not selectors.has_confirmed_registration(user, session)


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
@pytest.mark.parametrize(
    "training_format, offsets",
    [(Training.Format.ONLINE, [24 * 60, 60]), (Training.Format.ON_SITE, [48 * 60])],
)
def test_reminders_are_planned_24h_and_1h_online_2_days_on_site(training_format, offsets):
    from django_tasks import default_task_backend

    default_task_backend.clear()
    extra = {"location": "Lille"} if training_format == Training.Format.ON_SITE else {}
    training = make_training(format=training_format, **extra)
    registration = registration_create(training=training, user=make_user(), answers={}, privacy_consent=True)
    planned = services.reminders_plan(registration_id=registration.pk)
    assert sorted(planned) == sorted(training.starts_at - dt.timedelta(minutes=m) for m in offsets)
    reminders = [r for r in default_task_backend.results if r.task.name == "registration_reminder_send"]
    assert sorted(r.args[2] for r in reminders) == sorted(offsets)
    assert all(r.task.run_after is not None for r in reminders)


def test_a_reminder_is_sent_only_while_confirmed_and_the_start_unchanged():
    from registrations.tasks import registration_reminder_send

    training = make_training()
    registration = registration_create(training=training, user=make_user(language="nl"), answers={}, privacy_consent=True)
    planned = training.starts_at.isoformat()
    mail.outbox.clear()
    assert registration_reminder_send.call(registration.pk, planned, 60) is True
    assert len(mail.outbox) == 1
    Training.objects.filter(pk=training.pk).update(starts_at=training.starts_at + dt.timedelta(hours=2), ends_at=training.ends_at + dt.timedelta(hours=2))
    assert registration_reminder_send.call(registration.pk, planned, 60) is False  # moved
    registration_cancel(registration=registration)
    training.refresh_from_db()
    assert registration_reminder_send.call(registration.pk, training.starts_at.isoformat(), 60) is False  # cancelled
    assert len(mail.outbox) == 1


def test_a_mail_about_a_status_that_has_changed_is_not_sent():
    from registrations.tasks import registration_mail_send

    training = make_training()
    registration = registration_create(training=training, user=make_user(), answers={}, privacy_consent=True)
    registration_cancel(registration=registration)
    mail.outbox.clear()
    assert registration_mail_send.call(registration.pk, "confirmed", "confirmed") is False
    assert mail.outbox == []


def test_mail_is_written_in_the_registrants_language_and_the_organisers_zone():
    from registrations.emails import registration_mail

    starts = (timezone.now() + dt.timedelta(days=30)).replace(hour=8, minute=0, second=0, microsecond=0, tzinfo=dt.UTC)
    training = make_training(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), time_zone="Europe/London", title="L'école & nous")
    registration = registration_create(training=training, user=make_user(language="fr"), answers={}, privacy_consent=True)
    message = registration_mail(registration=registration, kind="confirmed")
    assert "Europe/London" in message.body
    local = starts.astimezone(training.tz)
    assert f"{local.hour}:00" in message.body or f"{local.hour:02d}:00" in message.body
    assert "/fr/trainings/" in message.body
    assert "L'école & nous" in message.subject and "L'école & nous" in message.body  # text, not HTML-escaped
    assert "L&#x27;école &amp; nous" in message.alternatives[0][0]


@pytest.mark.parametrize("kind", ["confirmed", "waiting", "promoted", "cancelled", "reminder", "message"])
def test_every_subject_is_plain_text_on_one_line(kind):
    """Subjects are text (config/mail.py): `&`, `<` and quotes as typed,
    never HTML-escaped, and never more than one line."""
    from registrations.emails import organiser_mail, registration_mail
    from registrations.models import OrganiserMessage

    title = 'Q&A <day>: "grievances" & l\'école'
    training = make_training(title=title)
    registration = registration_create(training=training, user=make_user(), answers={}, privacy_consent=True)
    if kind == "message":
        note = OrganiserMessage(training=training, subject=f"About {title}\nsecond line", body="Hello & welcome")
        message = organiser_mail(message=note, registration=registration)
        assert message.subject.endswith(f"About {title} second line")
    else:
        message = registration_mail(registration=registration, kind=kind, minutes_before=60)
        assert title in message.subject
    assert "&amp;" not in message.subject and "&lt;" not in message.subject and "&quot;" not in message.subject
    assert "&#x27;" not in message.subject and "\n" not in message.subject
    assert "&amp;" not in message.body


@pytest.mark.parametrize(
    "questions",
    [
        "not a list",
        [{"key": "Bad Key", "label": "X", "kind": "text"}],
        [{"key": "a", "label": "X", "kind": "text"}, {"key": "a", "label": "Y", "kind": "text"}],
        [{"key": "a", "label": "", "kind": "text"}],
        [{"key": "a", "label": {"de": "X"}, "kind": "text"}],
        [{"key": "a", "label": "X", "kind": "essay"}],
        [{"key": "a", "label": "X", "kind": "text", "max_length": 0}],
        [{"key": "a", "label": "X", "kind": "text", "max_length": 100000}],
        [{"key": "a", "label": "X", "kind": "checkbox", "max_length": 10}],
        [{"key": "a", "label": "X", "kind": "choice"}],
        [{"key": "a", "label": "X", "kind": "choice", "choices": [{"value": "v", "label": "V"}, {"value": "v", "label": "W"}]}],
        [{"key": "a", "label": "X", "kind": "text", "choices": []}],
        [{"key": "a", "label": "X", "kind": "text", "required": "yes"}],
        [{"key": "a", "label": "X", "kind": "text", "colour": "red"}],
        [{"key": "privacy_consent", "label": "X", "kind": "checkbox"}],
        [{"key": f"q{n}", "label": "X", "kind": "text"} for n in range(21)],
    ],
)
def test_a_broken_question_configuration_is_refused(questions):
    with pytest.raises(ValidationError):
        validate_questions(questions)


def test_a_good_question_configuration_is_accepted():
    validate_questions(QUESTIONS)
    validate_questions([])
