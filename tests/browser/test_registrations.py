"""Registration through the real server and a real browser, in French and
in Dutch: a professional opens a training, logs in from it and lands back
on the registration form, registers, receives the confirmation (with its
calendar file), opens the cancel link from the mail, confirms, and the
place is free again. And axe on the listing and detail pages."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import LANGUAGES

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
# Demo people (demo/people.py) whose interface language is French / Dutch.
PEOPLE = {"fr": ("learner2.fr@demo.example", "FR"), "nl": ("learner2.be@demo.example", "BE")}


def _training(*, country: str, language: str, title: str):
    from partners.models import Partner
    from registrations.models import Training

    partner = Partner.objects.get(country=country)
    starts = (timezone.now() + dt.timedelta(days=9)).replace(minute=0, second=0, microsecond=0)
    training = Training(
        partner=partner, kind=Training.Kind.ON_SITE, title=title, description="Une journée / Een dag.",
        language=language, format=Training.Format.ON_SITE, location="Salle 2", address=partner.address,
        starts_at=starts, ends_at=starts + dt.timedelta(hours=6), time_zone="Europe/Brussels", capacity=12,
        audience=["teachers"],
        questions=[{"key": "organisation", "label": {"fr": "Organisme", "nl": "Organisatie", "en": "Organisation"},
                    "kind": "text", "required": True, "max_length": 80}],
    )
    training.full_clean()
    training.save()
    return training


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_register_receive_the_mail_and_cancel_from_its_link(page, asgi_live_server, demo_people, language):
    from demo.people import DEMO_PASSWORD
    from registrations.models import Registration

    email, country = PEOPLE[language]
    training = _training(country=country, language=language, title=f"Journée d'étude {language}")

    page.goto(f"/{language}/trainings/")
    page.locator("main a", has_text=training.title).click()
    expect(page).to_have_url(re.compile(rf"/{language}/trainings/{training.pk}/$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    # Anonymous: log in from the training, and land back on its form.
    page.locator("main a[href*='/accounts/login/?next=']").click()
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form").filter(has=page.locator("input[name=password]")).locator("[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/{language}/trainings/{training.pk}/register/$"))

    label = {"fr": "Organisme", "nl": "Organisatie"}[language]
    page.get_by_label(label).fill("Collège / Basisschool De Linde")
    page.locator("input[name=privacy_consent]").check()
    page.locator("main form.registration-form [type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/{language}/trainings/{training.pk}/registered/$"))
    expect(page.locator("main [role=status]")).to_contain_text(training.title)
    registration = Registration.objects.get(training=training, user__email=email)
    assert registration.status == "confirmed" and registration.language == language

    mail = asgi_live_server.outbox.latest(to=email)
    assert training.title in str(mail["Subject"])
    attachments = [part.get_filename() for part in mail.iter_attachments()]
    assert f"training-{training.pk}.ics" in attachments
    links = [link for link in asgi_live_server.outbox.links(mail) if f"/{language}/trainings/cancel/" in link]
    assert links, asgi_live_server.outbox.text(mail)
    # Mail links carry the site's public address; open the same path here.
    parts = urlsplit(links[0])
    page.goto(parts.path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    registration.refresh_from_db()
    assert registration.status == "confirmed"  # opening the link changes nothing
    page.locator("main form [type=submit]").click()
    expect(page.locator("main [role=status]")).to_contain_text(training.title)
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    training.refresh_from_db()
    assert training.confirmed_count == 0
    cancelled = asgi_live_server.outbox.latest(to=email)
    assert cancelled["Subject"] != mail["Subject"]


def test_a_tampered_cancel_link_shows_a_clear_page(page, asgi_live_server, demo_people):
    response = page.goto("/fr/trainings/cancel/12:abc:def/")
    assert response is not None and response.status == 400
    expect(page.locator("main h1")).to_be_visible()


def test_listing_and_detail_pass_axe_in_every_language(page, asgi_live_server, demo_site):
    from demo.registrations import seed_registrations
    from partners.models import Partner

    trainings = seed_registrations(partners=list(Partner.objects.all()))
    axe = Axe()
    problems = []
    for language in LANGUAGES:
        for url in (f"/{language}/trainings/", f"/{language}/trainings/?date_from=2030-02-01&date_to=2030-01-01",
                    f"/{language}/trainings/{trainings[1].pk}/"):
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            violations = [v for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS]
            if violations:
                problems.append(f"{url}: " + "; ".join(f"{v['id']} {[n['target'] for n in v['nodes'][:3]]}" for v in violations))
    assert not problems, "\n".join(problems)
