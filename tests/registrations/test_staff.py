"""The organisers' side: every staff URL for every kind of visitor (as
pretix's test_permissions.py), the registration list and its CSV,
attendance (also as a course's face-to-face evidence), closing and
reopening, messaging all registrants."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from partners.models import Role
from registrations import urls
from registrations.models import OrganiserMessage, Registration
from registrations.services import registration_create

from .factories import QUESTIONS, make_partner, make_training, make_user

pytestmark = pytest.mark.django_db

STAFF_URLS = {
    # name -> scoped to one training?
    "manage_list": False,
    "manage_detail": True,
    "manage_export": True,
    "manage_attendance": True,
    "manage_status": True,
    "manage_message": True,
}


@pytest.fixture
def world():
    partner, other = make_partner("BE"), make_partner("FR", "fr")
    trainer = make_user(partner=partner, role=Role.TRAINER)
    people = {
        "trainer of the training": trainer,
        "another trainer of its partner": make_user(partner=partner, role=Role.TRAINER),
        "coordinator of its partner": make_user(partner=partner, role=Role.COORDINATOR),
        "staff": make_user(is_staff=True),
        "trainer of another partner": make_user(partner=other, role=Role.TRAINER),
        "coordinator of another partner": make_user(partner=other, role=Role.COORDINATOR),
        "learner of its partner": make_user(partner=partner),
        "learner with no partner": make_user(),
    }
    training = make_training(partner=partner, trainers=[trainer], title="Gent study day", questions=QUESTIONS)
    registrant = make_user(partner=partner, name="Pieter Claes")
    registration_create(training=training, user=registrant, answers={"organisation": "School"}, privacy_consent=True)
    return {"partner": partner, "training": training, "people": people, "registrant": registrant}


def test_every_staff_url_is_covered():
    assert {p.name for p in urls.urlpatterns if p.name.startswith("manage")} == set(STAFF_URLS)


@pytest.mark.parametrize("name", sorted(STAFF_URLS))
def test_permissions(client, world, name):
    scoped = STAFF_URLS[name]
    url = reverse(f"registrations:{name}", kwargs={"training_id": world["training"].pk} if scoped else {})
    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"], "anonymous"
    expected = {
        "trainer of the training": 200,
        "another trainer of its partner": 200,
        "coordinator of its partner": 200,
        "staff": 200,
        "trainer of another partner": 404 if scoped else 200,
        "coordinator of another partner": 404 if scoped else 200,
        "learner of its partner": 404,
        "learner with no partner": 404,
    }
    for who, status in expected.items():
        client.force_login(world["people"][who])
        response = client.get(url)
        assert response.status_code == status, who
        if status == 200 and not scoped and "another partner" in who:
            assert "Gent study day" not in response.content.decode(), who
        client.logout()


@pytest.mark.parametrize("name", ["manage_attendance", "manage_status", "manage_message"])
def test_posting_to_another_partners_training_is_404_and_changes_nothing(client, world, name):
    client.force_login(world["people"]["coordinator of another partner"])
    registration = Registration.objects.get()
    data = {f"r{registration.pk}": "present", "registration_open": "0", "subject": "Hi", "body": "Text"}
    response = client.post(reverse(f"registrations:{name}", kwargs={"training_id": world["training"].pk}), data)
    assert response.status_code == 404
    registration.refresh_from_db()
    world["training"].refresh_from_db()
    assert registration.attended is None
    assert world["training"].registration_open
    assert not OrganiserMessage.objects.exists()


def test_registration_list_shows_the_answers(client, world):
    client.force_login(world["people"]["trainer of the training"])
    html = client.get(reverse("registrations:manage_detail", kwargs={"training_id": world["training"].pk})).content.decode()
    assert "Pieter Claes" in html and "School" in html and "Organisation" in html
    assert "<caption>" in html and 'scope="col"' in html


def test_csv_export_has_a_bom_and_guards_formulas(client, world):
    hostile = make_user(name="=HYPERLINK(\"http://evil.example\")")
    registration_create(training=world["training"], user=hostile, answers={"organisation": "+cmd|' /C calc'!A0"}, privacy_consent=True)
    client.force_login(world["people"]["coordinator of its partner"])
    response = client.get(reverse("registrations:manage_export", kwargs={"training_id": world["training"].pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:5] == ["Name", "Email", "Status", "Registered", "Attended"]
    assert "Organisation" in rows[0]
    hostile_row = next(row for row in rows if hostile.email in row)
    assert hostile_row[0].startswith("'=")
    assert any(cell.startswith("'+cmd") for cell in hostile_row)


def test_close_and_reopen_registration(client, world):
    training = world["training"]
    client.force_login(world["people"]["trainer of the training"])
    url = reverse("registrations:manage_status", kwargs={"training_id": training.pk})
    assert client.get(url).status_code == 200
    training.refresh_from_db()
    assert training.registration_open  # a GET changes nothing
    assert client.post(url, {"registration_open": "0"}).status_code == 302
    training.refresh_from_db()
    assert not training.registration_open
    newcomer = make_user()
    client.force_login(newcomer)
    response = client.post(reverse("registrations:register", kwargs={"training_id": training.pk}), {"privacy_consent": "on"}, follow=True)
    assert "closed" in response.content.decode()
    client.force_login(world["people"]["trainer of the training"])
    client.post(url, {"registration_open": "1"})
    training.refresh_from_db()
    assert training.registration_open


def test_message_all_registrants_one_mail_each_logged(client, world, django_capture_on_commit_callbacks):
    training = world["training"]
    waiting_user = make_user(language="fr")
    training.capacity = 2
    training.save()
    registration_create(training=training, user=make_user(language="nl"), answers={"organisation": "X"}, privacy_consent=True)
    registration_create(training=training, user=waiting_user, answers={"organisation": "Y"}, privacy_consent=True)
    mail.outbox.clear()
    client.force_login(world["people"]["coordinator of its partner"])
    url = reverse("registrations:manage_message", kwargs={"training_id": training.pk})
    assert client.post(url, {"subject": "", "body": ""}).status_code == 200  # required fields
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"subject": "Room change", "body": "We meet in room 2."})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        r.user.email for r in Registration.objects.filter(training=training, status="confirmed")
    )
    assert all("We meet in room 2." in m.body and m.subject.endswith("Room change") for m in mail.outbox)
    assert all(m.reply_to == [world["partner"].contact_email] for m in mail.outbox)
    message = OrganiserMessage.objects.get()
    assert message.sent_count == 2 and message.sent_at is not None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"subject": "Waiting list too", "body": "Hello", "include_waiting": "on"})
    assert waiting_user.email in [m.to[0] for m in mail.outbox] and len(mail.outbox) == 3


def test_attendance_marks_confirmed_registrants_only(client, world):
    training = world["training"]
    registration = Registration.objects.get()
    other = registration_create(training=make_training(), user=make_user(), answers={}, privacy_consent=True)
    client.force_login(world["people"]["trainer of the training"])
    url = reverse("registrations:manage_attendance", kwargs={"training_id": training.pk})
    html = client.get(url).content.decode()
    assert "Pieter Claes" in html
    response = client.post(url, {f"r{registration.pk}": "present", f"r{other.pk}": "present"})
    assert response.status_code == 302
    registration.refresh_from_db()
    other.refresh_from_db()
    assert registration.attended is True and other.attended is None
    client.post(url, {f"r{registration.pk}": "absent"})
    registration.refresh_from_db()
    assert registration.attended is False
    assert registration.attendance_marked_by == world["people"]["trainer of the training"]


def test_the_service_refuses_marks_for_strangers(world):
    from django.core.exceptions import ValidationError

    from registrations.services import attendance_mark

    stranger = registration_create(training=make_training(), user=make_user(), answers={}, privacy_consent=True)
    with pytest.raises(ValidationError):
        attendance_mark(training=world["training"], marks={stranger.pk: True}, marked_by=None)


def test_admin_pages_render_and_raising_places_promotes(client, world, django_capture_on_commit_callbacks):
    from accounts.models import User

    training = world["training"]
    training.capacity = 1
    training.save()
    waiting = registration_create(training=training, user=make_user(), answers={"organisation": "Z"}, privacy_consent=True)
    admin = User.objects.create_superuser(email="root@example.org", password="x-9-long-enough")
    client.force_login(admin)
    assert client.get("/django-admin/registrations/training/").status_code == 200
    assert client.get("/django-admin/registrations/registration/").status_code == 200
    change = f"/django-admin/registrations/training/{training.pk}/change/"
    page = client.get(change)
    assert page.status_code == 200 and "Pieter Claes" in page.content.decode()
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["capacity"] = 2
    data["audience"] = '["teachers"]'
    data["questions"] = __import__("json").dumps(QUESTIONS)
    data["starts_at_0"], data["starts_at_1"] = training.starts_at.strftime("%Y-%m-%d"), training.starts_at.strftime("%H:%M:%S")
    data["ends_at_0"], data["ends_at_1"] = training.ends_at.strftime("%Y-%m-%d"), training.ends_at.strftime("%H:%M:%S")
    data.pop("starts_at", None), data.pop("ends_at", None)
    data["trainers"] = [u.pk for u in training.trainers.all()]
    data.update({"registrations-TOTAL_FORMS": "2", "registrations-INITIAL_FORMS": "2", "registrations-MIN_NUM_FORMS": "0", "registrations-MAX_NUM_FORMS": "1000"})
    for number, registration in enumerate(Registration.objects.filter(training=training).order_by("status", "created_at")):
        data[f"registrations-{number}-id"] = registration.pk
        data[f"registrations-{number}-training"] = training.pk
    data = {k: v for k, v in data.items() if v is not False}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    training.refresh_from_db()
    assert training.confirmed_count == 2


def test_a_confirmed_registrant_sees_the_live_session_join_link(client):
    from live.models import LiveSession

    training = make_training()
    session = LiveSession.objects.create(title="Webinar", starts_at=training.starts_at, partner=training.partner, join_code="WXYZ2345")
    Training = type(training)
    Training.objects.filter(pk=training.pk).update(live_session=session)
    user = make_user()
    client.force_login(user)
    detail = reverse("registrations:detail", kwargs={"training_id": training.pk})
    assert "WXYZ2345" not in client.get(detail).content.decode()
    registration_create(training=training, user=user, answers={}, privacy_consent=True)
    assert "WXYZ2345" in client.get(detail).content.decode()
