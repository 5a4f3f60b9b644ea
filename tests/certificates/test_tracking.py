"""The coordinators' dashboard and the staff overview: what each panel
counts, the filter and its rejections, and a query count that does not grow
with the number of certificates."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate
from certificates.services import certificate_reissue
from certificates.tracking import (
    TrackingFilters,
    TrackingScope,
    certificate_summary,
    certificates_per_course_month,
    learner_summary,
    live_summary,
)
from learning.models import Cohort, CourseCompletion, Enrollment
from partners.models import Role

from .conftest import issue, make_partner, make_user

pytestmark = pytest.mark.django_db


def dashboard_url(partner, language="en"):
    return f"/{language}/certificates/partners/{partner.slug}/"


def issued_on(certificate, day: datetime.date) -> Certificate:
    Certificate.objects.filter(pk=certificate.pk).update(issued_on=day)
    certificate.refresh_from_db()
    return certificate


@pytest.fixture
def coordinator(partner):
    return make_user(name="Katrien", partner=partner, role=Role.COORDINATOR)


@pytest.fixture
def course_key():
    return uuid4()


@pytest.fixture
def cohort(partner, course_key):
    return Cohort.objects.create(partner=partner, course_key=course_key, name="Gent spring", starts_on=datetime.date(2026, 3, 1))


def enrol(learner, course_key, *, cohort=None, completed=False):
    enrollment = Enrollment.objects.create(learner=learner, course_key=course_key, cohort=cohort)
    if completed:
        CourseCompletion.objects.create(learner=learner, course_key=course_key)
    return enrollment


# --- Panels --------------------------------------------------------------------------


def test_learner_summary_counts_the_partners_learners_and_cohorts_only(partner, course_key, cohort):
    other = make_partner("NL")
    own = make_user(partner=partner)
    in_cohort = make_user()  # no membership: counted through the cohort
    elsewhere = make_user(partner=other)
    enrol(own, course_key, completed=True)
    enrol(in_cohort, course_key, cohort=cohort)
    enrol(elsewhere, course_key, completed=True)
    withdrawn = enrol(make_user(partner=partner), course_key)
    Enrollment.objects.filter(pk=withdrawn.pk).update(status=Enrollment.Status.WITHDRAWN)

    counts = learner_summary(scope=TrackingScope(partner=partner))
    assert list(counts) == ["BE"]
    assert (counts["BE"].enrolled, counts["BE"].in_progress, counts["BE"].completed) == (2, 1, 1)

    everyone = learner_summary(scope=TrackingScope(partner=None))
    assert everyone["NL"].enrolled == 1 and everyone["NL"].completed == 1


def test_certificate_summary_by_kind_with_attendance_hours_and_no_superseded(partner, holder):
    issue(holder, partner, hours="6.5")
    webinar = issue(holder, partner, kind=Certificate.Kind.ATTENDANCE, hours="1.5", title="Webinar")
    certificate_reissue(certificate=webinar, holder_name="Zoë V.", by=None)
    issue(make_user(partner=partner), partner, kind=Certificate.Kind.ATTENDANCE, hours="2", title="Webinar")

    counts = certificate_summary(scope=TrackingScope(partner=partner))["BE"]
    # The reissue replaces the webinar certificate: counted once.
    assert (counts.issued, counts.completion, counts.attendance) == (3, 1, 2)
    assert counts.attendance_hours == 3.5


def test_live_panel_says_when_no_session_was_held(partner, coordinator, client):
    summary = live_summary(scope=TrackingScope(partner=partner))
    assert summary.sessions_held == 0 and summary.by_country == {}
    client.force_login(coordinator)
    assert b'data-figure="live-none"' in client.get(dashboard_url(partner)).content


def _held_session(partner, *, attendees, days_ago=2, cohort=None, course_key=None):
    """A 60-minute session `days_ago` with attendees [(minutes, role)]."""
    from datetime import timedelta

    from django.utils import timezone

    from live.models import AttendanceInterval, Participant
    from tests.live.conftest import make_live_session

    session = make_live_session(
        partner=partner, starts_at=timezone.now() - timedelta(days=days_ago), duration_minutes=60,
        cohort=cohort, course_key=course_key,
    )
    for index, (minutes, role) in enumerate(attendees):
        participant = Participant.objects.create(
            session=session, display_name=f"P{index}", role=role, status=Participant.Status.ADMITTED,
        )
        AttendanceInterval.objects.create(
            session=session, participant=participant, started_at=session.starts_at - timedelta(minutes=10),
            last_seen_at=session.starts_at + timedelta(minutes=minutes),
            ended_at=session.starts_at + timedelta(minutes=minutes),
        )
    return session


def test_live_panel_counts_sessions_held_and_participants_hours(partner, coordinator, client, cohort):
    from live.models import AttendanceCorrection, Participant

    guest, staff = Participant.Role.GUEST, Participant.Role.STAFF
    # 30 + 60 (clipped from 70 at the scheduled end) participant minutes; staff not counted.
    first = _held_session(partner, attendees=[(30, guest), (70, guest), (60, staff)], cohort=cohort)
    _held_session(partner, attendees=[(60, guest)], days_ago=40)
    _held_session(make_partner("NL"), attendees=[(60, guest)])  # another partner's
    summary = live_summary(scope=TrackingScope(partner=partner))
    assert summary.sessions_held == 2
    assert summary.attendance_hours == Decimal("2.50")
    # A trainer's correction replaces the measured minutes.
    AttendanceCorrection.objects.create(participant=first.participants.get(display_name="P0"), minutes=60, reason="Camera off")
    assert live_summary(scope=TrackingScope(partner=partner)).attendance_hours == Decimal("3.00")
    recent = TrackingScope(partner=partner, filters=TrackingFilters(date_from=datetime.date.today() - datetime.timedelta(days=7)))
    assert live_summary(scope=recent).sessions_held == 1
    assert live_summary(scope=TrackingScope(partner=partner, filters=TrackingFilters(cohort=cohort))).sessions_held == 1
    overview_scope = live_summary(scope=TrackingScope(partner=None))
    assert overview_scope.by_country[partner.country][0] == 2 and overview_scope.by_country["NL"][0] == 1
    client.force_login(coordinator)
    content = client.get(dashboard_url(partner)).content.decode()
    assert 'data-figure="sessions">2<' in content and 'data-figure="live-none"' not in content


def test_live_panel_queries_do_not_grow_with_sessions(partner):
    from live.models import Participant

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            live_summary(scope=TrackingScope(partner=partner))
        return len(captured)

    _held_session(partner, attendees=[(30, Participant.Role.GUEST)])
    few = queries()
    for _ in range(6):
        _held_session(partner, attendees=[(30, Participant.Role.GUEST)] * 4)
    assert queries() == few


def test_per_course_and_month_series(partner, holder):
    first, second = uuid4(), uuid4()
    issued_on(issue(holder, partner, course_key=first, title="Course A"), datetime.date(2026, 1, 5))
    issued_on(issue(make_user(partner=partner), partner, course_key=first, title="Course A"), datetime.date(2026, 1, 20))
    issued_on(issue(holder, partner, course_key=second, title="Course B"), datetime.date(2026, 3, 2))
    issued_on(issue(holder, partner, kind=Certificate.Kind.ATTENDANCE, course_key=None, title="Webinar"), datetime.date(2026, 3, 9))

    series = certificates_per_course_month(scope=TrackingScope(partner=partner))
    assert series.months == [datetime.date(2026, 1, 1), datetime.date(2026, 3, 1)]
    assert series.series == {"Course A": [2, 0], "Course B": [0, 1], "Webinar": [0, 1]}
    assert series.totals == [2, 1, 1]
    assert [total for _month, _counts, total in series.rows] == [2, 2]


def test_filters_narrow_every_panel(partner, holder, course_key, cohort):
    member = make_user(partner=partner)
    enrol(member, course_key, cohort=cohort, completed=True)
    issued_on(issue(member, partner, course_key=course_key, title="In cohort"), datetime.date(2026, 4, 2))
    issued_on(issue(holder, partner, title="Other course"), datetime.date(2026, 4, 3))
    issued_on(issue(holder, partner, course_key=course_key, title="In cohort"), datetime.date(2025, 4, 3))

    def issued(**filters):
        return certificate_summary(scope=TrackingScope(partner=partner, filters=TrackingFilters(**filters))).get("BE")

    assert issued().issued == 3
    assert issued(course_key=course_key).issued == 2
    assert issued(cohort=cohort).issued == 1  # only the cohort's learner
    assert issued(date_from=datetime.date(2026, 1, 1)).issued == 2
    assert issued(date_from=datetime.date(2026, 4, 3), date_to=datetime.date(2026, 4, 3)).issued == 1
    assert issued(date_to=datetime.date(2020, 1, 1)) is None


# --- The dashboard page ----------------------------------------------------------------


def test_dashboard_shows_panels_chart_data_and_table(client, partner, holder, coordinator):
    issued_on(issue(holder, partner, title="Radicalisation basics"), datetime.date(2026, 2, 14))
    client.force_login(coordinator)
    response = client.get(dashboard_url(partner))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="issued">1<' in html
    assert '<canvas id="per-course-chart"' in html and 'role="img"' in html and "aria-label=" in html
    assert '<caption id="per-course-caption">' in html and '<th scope="col">Radicalisation basics</th>' in html
    data = json.loads(html.split('<script id="per-course-data" type="application/json">')[1].split("</script>")[0])
    assert data == {"labels": ["February 2026"], "datasets": [{"label": "Radicalisation basics", "data": [1]}]}
    # No inline script: every <script> has a src or is JSON data.
    for tag in html.split("<script")[1:]:
        assert 'src="' in tag.split(">")[0] or 'type="application/json"' in tag.split(">")[0]
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html
    assert 'src="/static/certificates/tracking.js"' in html


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_dashboard_in_every_language(client, partner, coordinator, language):
    client.force_login(coordinator)
    response = client.get(dashboard_url(partner, language))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


def test_every_filter_field_has_a_label(client, partner, coordinator):
    client.force_login(coordinator)
    html = client.get(dashboard_url(partner)).content.decode()
    for name in ("course", "cohort", "date_from", "date_to"):
        assert f'<label for="id_{name}">' in html


def test_dashboard_filter_applies(client, partner, holder, coordinator, course_key, cohort):
    issue(holder, partner, course_key=course_key, title="Chosen")
    issue(holder, partner, title="Not chosen")
    client.force_login(coordinator)
    response = client.get(dashboard_url(partner), {"course": str(course_key)})
    assert response.status_code == 200
    assert 'data-figure="issued">1<' in response.content.decode()
    # The ZIP form carries the filter on.
    assert f'name="course" value="{course_key}"' in response.content.decode()


BAD_FILTERS = {
    "inverted dates": ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to", "The end date is before the start date."),
    "malformed date": ({"date_from": "2026-13-45"}, "date_from", "Enter a valid date."),
    "text as date": ({"date_to": "yesterday"}, "date_to", "Enter a valid date."),
    "unknown course": ({"course": str(uuid4())}, "course", "Select a valid choice."),
    "not a course key": ({"course": "'; drop table"}, "course", "Select a valid choice."),
    "unknown cohort": ({"cohort": "999999"}, "cohort", "Select a valid choice."),
    "cohort not a number": ({"cohort": "abc"}, "cohort", "Select a valid choice."),
}


@pytest.mark.parametrize("query, field, message", BAD_FILTERS.values(), ids=BAD_FILTERS.keys())
def test_bad_filters_are_form_errors_and_run_no_data_query(client, partner, coordinator, monkeypatch, query, field, message):
    from certificates import views_tracking

    def no_query(**kwargs):
        raise AssertionError("a data query ran for an invalid filter")

    monkeypatch.setattr(views_tracking, "dashboard", no_query)
    client.force_login(coordinator)
    response = client.get(dashboard_url(partner), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert message in html
    assert f'href="#id_{field}"' in html
    assert "per-course-chart" not in html


def test_another_partners_cohort_is_an_unknown_cohort(client, partner, coordinator):
    foreign = Cohort.objects.create(partner=make_partner("NL"), course_key=uuid4(), name="Utrecht", starts_on=datetime.date(2026, 1, 1))
    client.force_login(coordinator)
    response = client.get(dashboard_url(partner), {"cohort": foreign.pk})
    assert response.status_code == 400
    assert "Utrecht" not in response.content.decode()


def test_cohort_of_another_course_than_chosen_is_refused(client, partner, coordinator, cohort, holder):
    other_course = uuid4()
    issue(holder, partner, course_key=other_course, title="Other")
    client.force_login(coordinator)
    response = client.get(dashboard_url(partner), {"cohort": cohort.pk, "course": str(other_course)})
    assert response.status_code == 400
    assert "This cohort runs another course than the one chosen." in response.content.decode()


def _many_certificates(partner, count: int) -> None:
    """`count` certificates over three courses and several months, plus
    enrolments, completions and a cohort."""
    courses = [uuid4() for _ in range(3)]
    Cohort.objects.create(partner=partner, course_key=courses[0], name="A cohort", starts_on=datetime.date(2026, 1, 1))
    for number in range(count):
        learner = make_user(partner=partner)
        course = courses[number % 3]
        enrol(learner, course, completed=number % 2 == 0)
        kind = Certificate.Kind.ATTENDANCE if number % 5 == 0 else Certificate.Kind.COMPLETION
        certificate = issue(learner, partner, kind=kind, course_key=course, title=f"Course {number % 3}")
        issued_on(certificate, datetime.date(2025, 1 + number % 12, 1 + number % 27))


def _queries(client, url, **query) -> int:
    # The second request: the first may fill site-wide caches (whether any
    # page is private, cms/privacy.py) that later requests read.
    client.get(url, query)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


def test_dashboard_queries_do_not_grow_with_certificates(client, coordinator, partner):
    """3 against 30 certificates, across courses and months, filtered or not."""
    small = make_partner("FR", language="fr")
    small_coordinator = make_user(partner=small, role=Role.COORDINATOR)
    _many_certificates(small, 3)
    _many_certificates(partner, 30)
    client.force_login(small_coordinator)
    few = _queries(client, dashboard_url(small))
    few_filtered = _queries(client, dashboard_url(small), date_from="2025-01-01", date_to="2025-12-31")
    client.force_login(coordinator)
    many = _queries(client, dashboard_url(partner))
    many_filtered = _queries(client, dashboard_url(partner), date_from="2025-01-01", date_to="2025-12-31")
    assert few == many
    assert few_filtered == many_filtered


def test_overview_queries_do_not_grow_with_certificates(client, partner):
    staff = make_user(is_staff=True)
    client.force_login(staff)
    _many_certificates(partner, 3)
    few = _queries(client, "/en/certificates/overview/")
    _many_certificates(make_partner("NL"), 30)
    many = _queries(client, "/en/certificates/overview/")
    assert few == many


# --- Staff overview --------------------------------------------------------------------


def test_staff_overview_shows_every_country_side_by_side(client, partner, holder):
    dutch = make_partner("NL")
    issue(holder, partner)
    issue(make_user(partner=dutch), dutch)
    issue(make_user(partner=dutch), dutch)
    client.force_login(make_user(is_staff=True))
    response = client.get("/en/certificates/overview/")
    assert response.status_code == 200
    html = response.content.decode()
    for country in ("GB", "FR", "BE", "NL"):
        assert f'<th scope="col" data-country="{country}">' in html
    assert '<td data-country="BE" data-figure="issued">1</td>' in html
    assert '<td data-country="NL" data-figure="issued">2</td>' in html
    assert '<td data-country="GB" data-figure="issued">0</td>' in html
    assert "per-country-chart" in html


def test_staff_overview_rejects_bad_filters(client):
    client.force_login(make_user(is_staff=True))
    response = client.get("/en/certificates/overview/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()


# --- Ways in -------------------------------------------------------------------------------


def test_partner_list_sends_a_coordinator_of_one_partner_to_its_dashboard(client, partner, coordinator):
    client.force_login(coordinator)
    response = client.get("/en/certificates/partners/")
    assert response.status_code == 302 and response["Location"] == dashboard_url(partner)


def test_partner_list_for_staff_lists_partners_and_the_overview(client, partner):
    client.force_login(make_user(is_staff=True))
    html = client.get("/en/certificates/partners/").content.decode()
    assert dashboard_url(partner) in html and "/en/certificates/overview/" in html


def test_my_certificates_links_coordinators_to_tracking(client, partner, coordinator, holder):
    client.force_login(coordinator)
    assert "/en/certificates/partners/" in client.get("/en/certificates/mine/").content.decode()
    client.force_login(holder)
    assert "/en/certificates/partners/" not in client.get("/en/certificates/mine/").content.decode()


def test_exports_are_listed_read_only_in_the_admin(client, partner, coordinator):
    from certificates.models import CertificateExport

    CertificateExport.objects.create(owner=coordinator, partner=partner, total=3)
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get("/django-admin/certificates/certificateexport/")
    assert listing.status_code == 200 and partner.name in listing.content.decode()
    assert client.get("/django-admin/certificates/certificateexport/add/").status_code == 403


def test_two_courses_with_one_title_stay_two_series(partner, holder):
    issue(holder, partner, course_key=uuid4(), title="Introduction")
    issue(holder, partner, course_key=uuid4(), title="Introduction")
    series = certificates_per_course_month(scope=TrackingScope(partner=partner))
    assert sorted(series.series) == ["Introduction", "Introduction (2)"]
    assert series.totals == [1, 1]
