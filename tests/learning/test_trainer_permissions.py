"""Every trainer URL, every kind of visitor (as pretix's
test_permissions.py): the cohort's trainer and its partner's coordinator
get the page; a trainer or coordinator of another partner and a learner get
404 (not 403: nothing tells them the cohort exists); anonymous visitors are
sent to the login page. A new trainer view joins URLS below, and
test_every_trainer_url_is_covered fails until it does."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from learning import urls_trainer
from tests.learning.trainer_fixtures import World, world  # noqa: F401

pytestmark = pytest.mark.django_db


def _cohort(world: World) -> dict:
    return {"cohort_id": world.cohort.pk}


def _session(world: World) -> dict:
    lesson_key, block_id = world.session(0)
    return {"cohort_id": world.cohort.pk, "lesson_key": lesson_key, "block_id": block_id}


# name -> (kwargs builder, scoped to the cohort?)
URLS = {
    "trainer_cohort_list": (lambda world: {}, False),
    "trainer_cohort_create": (lambda world: {}, False),
    "trainer_cohort_detail": (_cohort, True),
    "trainer_cohort_export": (_cohort, True),
    "trainer_cohort_enrol": (_cohort, True),
    "trainer_cohort_unenrol": (lambda world: {**_cohort(world), "learner_id": world.learner.pk}, True),
    "trainer_session_attendance": (_session, True),
}


def test_every_trainer_url_is_covered():
    assert {pattern.name for pattern in urls_trainer.urlpatterns} == set(URLS)


@pytest.mark.parametrize("name", sorted(URLS))
def test_permissions(client, world, name):
    kwargs, scoped = URLS[name]
    url = reverse(f"learning:{name}", kwargs=kwargs(world))

    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"], "anonymous"

    expected = {
        "trainer of the cohort": (world.trainer, 200),
        "coordinator of its partner": (world.coordinator, 200),
        "staff": (world.staff, 200),
        "trainer of another partner": (world.other_trainer, 404 if scoped else 200),
        "coordinator of another partner": (world.other_coordinator, 404 if scoped else 200),
        "learner of the cohort": (world.learner, 404),
        "learner of another partner": (world.other_learner, 404),
    }
    for who, (user, status) in expected.items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, who
        if status == 200 and not scoped and user in (world.other_trainer, world.other_coordinator):
            # Their list and form show nothing of the other partner.
            html = response.content.decode()
            assert world.cohort.name not in html, who
            assert not re.search(rf"{re.escape(world.partner.name)}\b", html), who
        client.logout()


@pytest.mark.parametrize("name", ["trainer_cohort_enrol", "trainer_cohort_unenrol", "trainer_session_attendance"])
def test_posting_to_another_partners_cohort_is_404_and_changes_nothing(client, world, name):
    from learning.models import Enrollment, SessionAttendance

    kwargs, _ = URLS[name]
    client.force_login(world.other_coordinator)
    data = {"emails": world.learner.email, "present": [world.learner.pk]}

    response = client.post(reverse(f"learning:{name}", kwargs=kwargs(world)), data)

    assert response.status_code == 404
    assert Enrollment.objects.get(learner=world.learner).status == Enrollment.Status.ACTIVE
    assert not SessionAttendance.objects.exists()
