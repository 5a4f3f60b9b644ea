"""The public and the registrant's pages: listing (filters, languages, flat
query count), detail, calendar file, the register flow, my registrations,
cancelling from the dashboard and from the signed mail link, and every
rejection (twice, past, closed, someone else's, tampered link, too long)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from registrations.links import cancel_token
from registrations.models import Registration
from registrations.services import registration_create

from .factories import QUESTIONS, make_partner, make_training, make_user

pytestmark = pytest.mark.django_db


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(f"registrations:{name}", kwargs=kwargs)


# --- Listing -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_listing_and_detail_render_in_every_language(client, language):
    training = make_training(title="Dialogue days")
    response = client.get(url("list", language))
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
    assert "Dialogue days" in response.content.decode()
    detail = client.get(url("detail", language, training_id=training.pk))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Europe/Brussels" in html  # the organiser's zone is named
    assert f'datetime="{training.starts_at.astimezone(dt.UTC).isoformat()}"'.replace("+00:00", "+00:00") in html or "datetime=" in html
    assert "10 places left" in html or language != "en"


def test_detail_shows_the_time_in_the_organisers_zone(client):
    starts = dt.datetime(2030, 5, 6, 8, 30, tzinfo=dt.UTC)  # 09:30 in London, 10:30 in Brussels
    training = make_training(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), time_zone="Europe/London")
    html = client.get(url("detail", training_id=training.pk)).content.decode()
    assert "9:30" in html and "Europe/London" in html
    assert 'datetime="2030-05-06T08:30:00+00:00"' in html


def test_listing_hides_past_and_unpublished_trainings(client):
    make_training(title="Upcoming one")
    make_training(title="Draft one", is_published=False)
    make_training(title="Old one", starts_in=dt.timedelta(days=-3))
    html = client.get(url("list")).content.decode()
    assert "Upcoming one" in html
    assert "Draft one" not in html and "Old one" not in html


def test_listing_filters(client):
    fr = make_partner("FR", "fr")
    nl = make_partner("NL", "nl")
    make_training(title="Webinaire Lille", partner=fr, language="fr", audience=["teachers"])
    make_training(title="Studiedag Rotterdam", partner=nl, language="nl", format="on_site", location="Stadhuis",
                  audience=["police"], starts_in=dt.timedelta(days=40))

    def titles(**params):
        html = client.get(url("list"), params).content.decode()
        return {title for title in ("Webinaire Lille", "Studiedag Rotterdam") if title in html}

    assert titles() == {"Webinaire Lille", "Studiedag Rotterdam"}
    assert titles(language="fr") == {"Webinaire Lille"}
    assert titles(country="NL") == {"Studiedag Rotterdam"}
    assert titles(partner=fr.pk) == {"Webinaire Lille"}
    assert titles(audience="police") == {"Studiedag Rotterdam"}
    assert titles(format="online") == {"Webinaire Lille"}
    soon = (timezone.now() + dt.timedelta(days=20)).date().isoformat()
    assert titles(date_from=soon) == {"Studiedag Rotterdam"}
    assert titles(date_to=soon) == {"Webinaire Lille"}


def test_an_inverted_date_range_is_a_form_error(client):
    make_training(title="Still listed")
    response = client.get(url("list"), {"date_from": "2030-06-01", "date_to": "2030-05-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The end of the period is before its start." in html
    assert "Still listed" in html  # the broken filter is dropped, not the listing


def test_an_unknown_filter_value_is_a_form_error_not_a_crash(client):
    response = client.get(url("list"), {"audience": "astronauts", "partner": "999999", "date_from": "not-a-date"})
    assert response.status_code == 200


def _queries_for_listing(client, count: int, partner) -> int:
    for _ in range(count):
        make_training(partner=partner)
    # Counted on the second request: the first may fill site-wide caches
    # (whether any page is private, cms/privacy.py).
    assert client.get(url("list")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("list")).status_code == 200
    return len(queries)


def test_listing_query_count_does_not_grow(client):
    partners = [make_partner("BE"), make_partner("FR", "fr")]
    few = _queries_for_listing(client, 5, partners[0])
    many = _queries_for_listing(client, 45, partners[1])  # 50 in all, page of 20
    assert few == many


def test_calendar_file(client):
    training = make_training(title="Study day", online_details="Secret meeting link https://meet.example/abc")
    response = client.get(url("calendar", training_id=training.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:Study day" in body
    assert f"UID:training-{training.pk}@bridgeline.example" in body
    assert "meet.example" not in body  # the joining details are for registrants only


def test_unpublished_training_page_is_404(client):
    training = make_training(is_published=False)
    assert client.get(url("detail", training_id=training.pk)).status_code == 404
    assert client.get(url("calendar", training_id=training.pk)).status_code == 404


# --- Registering ----------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in_and_back(client):
    training = make_training()
    html = client.get(url("detail", training_id=training.pk)).content.decode()
    register = url("register", training_id=training.pk)
    assert "next=" + register in html
    response = client.get(register)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"] and "next=" in response["Location"]


def test_two_clicks_register_confirm_mail_with_calendar_in_the_users_language(client, django_capture_on_commit_callbacks):
    training = make_training(title="Dialogue day", questions=QUESTIONS, online_details="https://meet.example/x")
    user = make_user(language="fr", name="Léa Moreau")
    client.force_login(user)
    detail = client.get(url("detail", "fr", training_id=training.pk)).content.decode()
    assert url("register", "fr", training_id=training.pk) in detail
    form = client.get(url("register", "fr", training_id=training.pk))
    html = form.content.decode()
    assert "Organisme" in html and "Éducation" in html  # labels in the page's language
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("register", "fr", training_id=training.pk),
            {"q_organisation": "Collège Jean Moulin", "q_sector": "education", "q_vegetarian": "on", "privacy_consent": "on"},
        )
    assert response.status_code == 302
    assert response["Location"] == url("registered", "fr", training_id=training.pk)
    registration = Registration.objects.get(user=user)
    assert registration.status == "confirmed"
    assert registration.answers == {"organisation": "Collège Jean Moulin", "sector": "education", "vegetarian": True}
    assert registration.language == "fr" and registration.privacy_consent_at is not None
    assert client.get(response["Location"]).status_code == 200
    [message] = mail.outbox
    assert message.to == [user.email]
    assert "Inscription confirmée" in message.subject or "Dialogue day" in message.subject
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    assert "meet.example" in content.decode() if isinstance(content, bytes) else content
    html_part = message.alternatives[0][0]
    assert "/fr/trainings/cancel/" in message.body and "/fr/trainings/cancel/" in html_part
    # The detail page now shows the registration, with the joining details.
    detail = client.get(url("detail", "fr", training_id=training.pk)).content.decode()
    assert "meet.example/x" in detail


def test_the_form_asks_only_the_configured_questions(client):
    training = make_training(questions=[])
    client.force_login(make_user())
    html = client.get(url("register", training_id=training.pk)).content.decode()
    assert len(re.findall(r'<input type="checkbox"', html)) == 1  # the consent only
    assert 'name="q_' not in html


def test_registration_without_consent_is_refused(client):
    training = make_training()
    client.force_login(make_user())
    response = client.post(url("register", training_id=training.pk), {})
    assert response.status_code == 200
    assert "consent" in response.content.decode()
    assert not Registration.objects.exists()


def test_registering_twice_keeps_one_registration(client):
    training = make_training()
    user = make_user()
    client.force_login(user)
    client.post(url("register", training_id=training.pk), {"privacy_consent": "on"})
    response = client.post(url("register", training_id=training.pk), {"privacy_consent": "on"}, follow=True)
    assert "already registered" in response.content.decode()
    assert Registration.objects.filter(user=user).count() == 1
    training.refresh_from_db()
    assert training.confirmed_count == 1


def test_registering_for_a_past_training_is_refused(client):
    training = make_training(starts_in=dt.timedelta(hours=-1))
    client.force_login(make_user())
    response = client.post(url("register", training_id=training.pk), {"privacy_consent": "on"}, follow=True)
    assert "already started" in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("closing", [{"registration_open": False}, {"registration_closes_at": "past"}])
def test_registering_for_a_closed_training_is_refused(client, closing):
    if closing.get("registration_closes_at") == "past":
        closing = {"registration_closes_at": timezone.now() - dt.timedelta(minutes=1)}
    training = make_training(**closing)
    client.force_login(make_user())
    response = client.post(url("register", training_id=training.pk), {"privacy_consent": "on"}, follow=True)
    assert "Registration for this training is closed." in response.content.decode()
    assert not Registration.objects.exists()
    assert "closed" in client.get(url("detail", training_id=training.pk)).content.decode()


def test_an_answer_that_is_too_long_is_refused(client):
    training = make_training(questions=QUESTIONS)
    client.force_login(make_user())
    response = client.post(
        url("register", training_id=training.pk), {"q_organisation": "x" * 51, "privacy_consent": "on"}
    )
    assert response.status_code == 200
    assert "at most 50 characters" in response.content.decode().lower()
    assert not Registration.objects.exists()


def test_the_service_refuses_a_too_long_answer_and_an_unknown_choice_whatever_the_form():
    from django.core.exceptions import ValidationError

    training = make_training(questions=QUESTIONS)
    user = make_user()
    with pytest.raises(ValidationError) as error:
        registration_create(training=training, user=user, answers={"organisation": "x" * 51}, privacy_consent=True)
    assert "organisation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        registration_create(training=training, user=user, answers={"organisation": "A", "sector": "army"}, privacy_consent=True)
    assert "sector" in error.value.message_dict
    registration = registration_create(training=training, user=user, answers={"organisation": "A", "extra": "dropped"}, privacy_consent=True)
    assert "extra" not in registration.answers


def test_a_full_training_puts_people_on_the_waiting_list(client, django_capture_on_commit_callbacks):
    training = make_training(capacity=1)
    registration_create(training=training, user=make_user(), answers={}, privacy_consent=True)
    user = make_user()
    client.force_login(user)
    assert "Join the waiting list" in client.get(url("detail", training_id=training.pk)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("register", training_id=training.pk), {"privacy_consent": "on"}, follow=True)
    assert "number 1 on the waiting list" in response.content.decode()
    assert Registration.objects.get(user=user).status == "waiting"
    assert "waiting list" in mail.outbox[-1].subject


# --- My registrations and cancelling ---------------------------------------------------------------


def test_my_registrations_and_the_dashboard_panel(client):
    training = make_training(title="Webinar on polarisation")
    user = make_user()
    registration_create(training=training, user=user, answers={}, privacy_consent=True)
    client.force_login(user)
    html = client.get(url("mine")).content.decode()
    assert "Webinar on polarisation" in html
    assert url("cancel", registration_id=Registration.objects.get().pk) in html
    from tests.registrations.test_views import _dashboard_html

    assert "Webinar on polarisation" in _dashboard_html(client)


def _dashboard_html(client) -> str:
    from django.template import Context, Template
    from django.test import RequestFactory

    # The panel the learner dashboard includes (one include line there).
    request = RequestFactory().get("/")
    request.user = client.session and __import__("accounts.models", fromlist=["User"]).User.objects.get(
        pk=client.session["_auth_user_id"]
    )
    return Template('{% include "registrations/includes/dashboard.html" %}').render(Context({"request": request}))


def test_cancelling_from_the_dashboard_needs_a_post_and_promotes_the_next_person(client, django_capture_on_commit_callbacks):
    training = make_training(capacity=1)
    first, second = make_user(), make_user(language="nl")
    mine = registration_create(training=training, user=first, answers={}, privacy_consent=True)
    waiting = registration_create(training=training, user=second, answers={}, privacy_consent=True)
    client.force_login(first)
    page = client.get(url("cancel", registration_id=mine.pk))
    assert page.status_code == 200
    mine.refresh_from_db()
    assert mine.status == "confirmed"  # a GET changes nothing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("cancel", registration_id=mine.pk))
    assert response.status_code == 302
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert mine.status == "cancelled" and waiting.status == "confirmed"
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert "cancelled" in subjects[first.email]
    assert second.email in subjects  # told in Dutch (catalogue pending), with the calendar file
    promoted = next(m for m in mail.outbox if m.to == [second.email])
    assert promoted.attachments


def test_cancelling_someone_elses_registration_is_404(client):
    training = make_training()
    owner, other = make_user(), make_user()
    registration = registration_create(training=training, user=owner, answers={}, privacy_consent=True)
    client.force_login(other)
    assert client.get(url("cancel", registration_id=registration.pk)).status_code == 404
    assert client.post(url("cancel", registration_id=registration.pk)).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_the_mail_link_shows_a_confirmation_page_and_only_a_post_cancels(client):
    training = make_training()
    registration = registration_create(training=training, user=make_user(), answers={}, privacy_consent=True)
    link = url("cancel_link", token=cancel_token(registration))
    assert client.get(link).status_code == 200  # no login needed: the link is the credential
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    response = client.post(link)
    assert response.status_code == 200
    assert "is cancelled" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    # Again: nothing more happens.
    assert "already cancelled" in client.get(link).content.decode()
    assert client.post(link).status_code == 200


@pytest.mark.parametrize("tamper", ["last_char", "other_id", "garbage", "other_salt"])
def test_a_tampered_cancel_link_is_400_and_changes_nothing(client, tamper):
    from django.core import signing

    training = make_training()
    registration = registration_create(training=training, user=make_user(), answers={}, privacy_consent=True)
    other = registration_create(training=training, user=make_user(), answers={}, privacy_consent=True)
    token = cancel_token(registration)
    tokens = {
        "last_char": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "other_id": f"{other.pk}:" + token.split(":", 1)[1],
        "garbage": "not-a-token",
        "other_salt": signing.TimestampSigner(salt="something-else").sign(str(registration.pk)),
    }
    response = client.post(url("cancel_link", token=tokens[tamper]))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert Registration.objects.filter(status="confirmed").count() == 2


def test_cancelling_after_the_start_is_refused():
    from registrations.services import RegistrationRefused, registration_cancel

    training = make_training()
    registration = registration_create(training=training, user=make_user(), answers={}, privacy_consent=True)
    with pytest.raises(RegistrationRefused) as error:
        registration_cancel(registration=registration, now=training.starts_at + dt.timedelta(minutes=1))
    assert error.value.code == "past"
