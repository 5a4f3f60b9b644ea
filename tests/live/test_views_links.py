"""Where people find live sessions: the learner's dashboard lists their
upcoming sessions; the trainers' cohort list links to the schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from live.models import LiveSession
from tests.learning.trainer_fixtures import make_world
from tests.live.conftest import make_live_session

pytestmark = pytest.mark.django_db


def test_the_dashboard_lists_the_learners_upcoming_sessions_only(client):
    world = make_world(learners=1)
    soon = timezone.now() + dt.timedelta(days=2)
    make_live_session(partner=world.partner, cohort=world.cohort, title="Our webinar", starts_at=soon)
    youth = make_live_session(partner=world.partner, course_key=world.course_key, title="Youth group", starts_at=soon,
                              audience=LiveSession.Audience.YOUNG_PEOPLE, lobby_enabled=True)
    make_live_session(partner=world.partner, cohort=world.cohort, title="Old webinar",
                      starts_at=timezone.now() - dt.timedelta(days=2))
    make_live_session(partner=world.other_partner, title="Someone else's webinar", starts_at=soon)
    client.force_login(world.learner)
    html = client.get(reverse("learning:dashboard")).content.decode()
    assert "Upcoming live sessions" in html
    assert "Our webinar" in html and "Youth group" in html
    assert "Old webinar" not in html and "Someone else" not in html
    assert youth.join_code not in html  # never a youth session's code outside the trainers' page


def test_the_dashboard_says_when_nothing_is_planned(client):
    world = make_world(learners=1)
    client.force_login(world.other_learner)
    assert "No live session is planned for your courses." in client.get(reverse("learning:dashboard")).content.decode()


def test_the_cohort_list_links_to_the_live_sessions(client):
    world = make_world(learners=1)
    client.force_login(world.trainer)
    html = client.get(reverse("learning:trainer_cohort_list")).content.decode()
    assert reverse("live:session_list") in html
