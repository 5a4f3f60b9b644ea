"""The dashboards' panels kept in the cache by generation: a second visit
asks PostgreSQL for no aggregate, and every change a panel counts is seen on
the next visit (certificates, enrolments, completions, memberships,
cohorts, course titles), including a page computed while a change was being
committed."""

from __future__ import annotations

import datetime
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate
from certificates.services import certificate_revoke
from certificates.tracking import TRACKING_GENERATION_KEY, tracking_cache_clear
from config.cache_generations import generation
from courses.selectors import outline_cache_clear
from learning.models import Cohort, CourseCompletion, Enrollment
from learning.services import enrollment_withdraw
from partners.models import Membership, Role

from .conftest import issue, make_partner, make_user

pytestmark = pytest.mark.django_db


def dashboard_url(partner, language="en"):
    return f"/{language}/certificates/partners/{partner.slug}/"


@pytest.fixture
def coordinator(partner):
    return make_user(name="Katrien", partner=partner, role=Role.COORDINATOR)


def _aggregates(captured) -> list[str]:
    """The panels' own queries: aggregates over certificates or enrolments."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if "COUNT(" in q["sql"] and ("certificates_certificate" in q["sql"] or "learning_enrollment" in q["sql"])
    ]


def _visit(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, captured


def test_second_visit_asks_no_aggregate_and_shows_the_same(client, partner, holder, coordinator):
    issue(holder, partner, title="Radicalisation basics")
    client.force_login(coordinator)
    first, first_queries = _visit(client, dashboard_url(partner))
    second, second_queries = _visit(client, dashboard_url(partner))
    assert len(_aggregates(first_queries)) >= 3
    assert _aggregates(second_queries) == []
    assert len(second_queries) < len(first_queries)
    assert second.context["certificates"].issued == first.context["certificates"].issued == 1
    assert second.context["per_course"].series == first.context["per_course"].series


def test_the_live_panel_is_asked_on_every_visit(client, partner, coordinator):
    client.force_login(coordinator)
    _visit(client, dashboard_url(partner))
    _response, captured = _visit(client, dashboard_url(partner))
    assert any("live_livesession" in q["sql"] for q in captured.captured_queries)


def test_each_language_and_filter_has_its_own_entry(client, partner, holder, coordinator):
    issue(holder, partner, title="Radicalisation basics")
    client.force_login(coordinator)
    _visit(client, dashboard_url(partner))
    _response, french = _visit(client, dashboard_url(partner, "fr"))
    assert _aggregates(french)
    filtered, captured = _visit(client, dashboard_url(partner) + "?date_from=2000-01-01&date_to=2000-12-31")
    assert _aggregates(captured)
    assert filtered.context["certificates"].issued == 0


def _enrol(partner, holder):
    Enrollment.objects.create(learner=make_user(partner=partner), course_key=uuid4())


def _move_to_another_partners_cohort(partner, holder):
    enrollment = Enrollment.objects.get(learner=holder)
    enrollment.cohort = Cohort.objects.create(
        partner=make_partner("FR", language="fr"), course_key=enrollment.course_key, name="Lille",
        starts_on=datetime.date(2026, 3, 1),
    )
    enrollment.save(update_fields=["cohort"])


CHANGES = {
    "a certificate issued": lambda partner, holder: issue(holder, partner, title="Second course"),
    "a certificate revoked": lambda partner, holder: certificate_revoke(
        certificate=Certificate.objects.get(holder=holder), reason="Issued by mistake", by=None
    ),
    "a certificate deleted": lambda partner, holder: Certificate.objects.filter(holder=holder).delete(),
    "a learner enrolled": _enrol,
    "an enrolment withdrawn": lambda partner, holder: enrollment_withdraw(enrollment=Enrollment.objects.get(learner=holder)),
    "a course completed": lambda partner, holder: CourseCompletion.objects.create(
        learner=holder, course_key=Enrollment.objects.get(learner=holder).course_key
    ),
    "a learner's membership removed": lambda partner, holder: Membership.objects.filter(user=holder).delete(),
    "the enrolment moved to another partner's cohort": _move_to_another_partners_cohort,
}


def _figures(response) -> tuple:
    learners, certificates = response.context["learners"], response.context["certificates"]
    return (learners.enrolled, learners.completed, certificates.issued, certificates.revoked,
            response.context["per_course"].series)


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_counted_change_is_seen_on_the_next_visit(client, partner, holder, coordinator, change):
    course_key = uuid4()
    Enrollment.objects.create(learner=holder, course_key=course_key)
    issue(holder, partner, course_key=course_key, title="Radicalisation basics")
    client.force_login(coordinator)
    before, _ = _visit(client, dashboard_url(partner))
    _visit(client, dashboard_url(partner))  # now from the cache
    CHANGES[change](partner, holder)
    after, captured = _visit(client, dashboard_url(partner))
    assert _aggregates(captured), "the change must start a new generation"
    assert _figures(after) != _figures(before)


def test_reading_a_lesson_starts_no_new_generation(partner, holder):
    enrollment = Enrollment.objects.create(learner=holder, course_key=uuid4())
    current = generation(TRACKING_GENERATION_KEY)
    enrollment.last_lesson_key = uuid4()
    enrollment.save(update_fields=["last_lesson_key", "last_activity_at"])
    assert generation(TRACKING_GENERATION_KEY) == current
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.save(update_fields=["status", "withdrawn_at"])
    assert generation(TRACKING_GENERATION_KEY) != current


def test_a_published_course_title_is_read_again(client, partner, holder, coordinator):
    issue(holder, partner, title="Radicalisation basics")
    client.force_login(coordinator)
    _visit(client, dashboard_url(partner))
    _visit(client, dashboard_url(partner))
    outline_cache_clear()
    _response, captured = _visit(client, dashboard_url(partner))
    assert _aggregates(captured)


def test_a_page_computed_before_the_change_was_committed_is_not_kept(
    client, partner, holder, coordinator, django_capture_on_commit_callbacks
):
    """Another request that read the old data between a change's first bump
    and its commit stored its page under the new generation; the bump on
    commit leaves that entry behind."""
    issue(holder, partner, title="Radicalisation basics")
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        tracking_cache_clear(sender=Certificate)  # the change's first bump, inside its transaction
    stale, _ = _visit(client, dashboard_url(partner))  # the other request, before the commit
    # The change becomes visible with the commit (written here without signals).
    Certificate.objects.filter(holder=holder).update(status=Certificate.Status.REVOKED)
    for callback in on_commit:
        callback()
    fresh, captured = _visit(client, dashboard_url(partner))
    assert _aggregates(captured)
    assert (stale.context["certificates"].revoked, fresh.context["certificates"].revoked) == (0, 1)
