"""The safeguarding queue: reviewers see the open reports of their
partners' sessions with the kept context, and resolve them with a note."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from live.models import Report
from partners.models import Role
from tests.live.conftest import make_live_partner, make_live_session, make_live_user, make_participant

pytestmark = pytest.mark.django_db


def reviewer(partner, role=Role.COORDINATOR):
    user = make_live_user(partner=partner, role=role)
    user.user_permissions.add(Permission.objects.get(codename="review_safeguarding", content_type__app_label="live"))
    return user


def report_in(session, **fields):
    reporter = make_participant(session, name="Lou")
    values = {
        "session": session, "partner": session.partner, "session_title": session.title, "reporter": reporter,
        "reporter_name": "Lou", "reason": "He keeps asking where I live",
        "context": {
            "message": {"author": "Max", "text": "where do you live?", "id": 3},
            "before": [{"author": "Sam", "text": "hello all", "id": 1}],
            "after": [{"author": "Lou", "text": "not saying", "id": 4}],
            "target": {"id": 9, "name": "Max", "role": "guest"},
        },
        **fields,
    }
    return Report.objects.create(**values)


def test_the_queue_lists_open_reports_of_the_reviewers_partners_only(client):
    partner, other = make_live_partner(), make_live_partner()
    mine = report_in(make_live_session(partner=partner, title="Our group"))
    report_in(make_live_session(partner=other, title="Their group"))
    client.force_login(reviewer(partner))
    html = client.get(reverse("live:safeguarding_queue")).content.decode()
    assert "Our group" in html and "Their group" not in html
    detail = client.get(reverse("live:safeguarding_report", kwargs={"report_id": mine.pk})).content.decode()
    for text in ("where do you live?", "hello all", "not saying", "He keeps asking where I live", "Max"):
        assert text in detail


def test_superusers_see_every_partners_reports(client):
    report_in(make_live_session(title="Anywhere"))
    admin = make_live_user(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert "Anywhere" in client.get(reverse("live:safeguarding_queue")).content.decode()


def test_a_report_is_resolved_with_a_note_once(client):
    partner = make_live_partner()
    report = report_in(make_live_session(partner=partner))
    user = reviewer(partner)
    client.force_login(user)
    url = reverse("live:safeguarding_report", kwargs={"report_id": report.pk})
    response = client.post(url, {"resolution": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN

    response = client.post(url, {"resolution": "Spoke with the trainers; parent informed."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.handled_by, report.resolution) == (
        Report.Status.RESOLVED, user, "Spoke with the trainers; parent informed."
    )
    assert report.handled_at is not None
    # A second resolution does not overwrite the first.
    client.post(url, {"resolution": "Something else"})
    report.refresh_from_db()
    assert report.resolution == "Spoke with the trainers; parent informed."
    html = client.get(reverse("live:safeguarding_queue")).content.decode()
    assert "No open reports." in html


def test_the_context_is_shown_as_text_never_as_html(client):
    partner = make_live_partner()
    report = report_in(
        make_live_session(partner=partner),
        context={"message": {"author": "<b>Max</b>", "text": "<script>alert(1)</script>", "id": 1}, "before": [], "after": []},
    )
    client.force_login(reviewer(partner))
    html = client.get(reverse("live:safeguarding_report", kwargs={"report_id": report.pk})).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_queue_renders_in_each_language(client, language):
    from django.utils import translation

    partner = make_live_partner()
    report = report_in(make_live_session(partner=partner))
    client.force_login(reviewer(partner))
    with translation.override(language):
        urls = [reverse("live:safeguarding_queue"), reverse("live:safeguarding_report", kwargs={"report_id": report.pk})]
    for url in urls:
        assert url.startswith(f"/{language}/live/safeguarding/")
        response = client.get(url)
        assert response.status_code == 200 and f'lang="{language}"' in response.content.decode()
