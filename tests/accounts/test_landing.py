"""Where people land after logging in: their own dashboard, or where a safe
`next` said (accounts.adapters.AccountAdapter.get_login_redirect_url)."""

from __future__ import annotations

import pytest

from accounts.selectors import landing_url_name
from partners.services import membership_set

from .helpers import login, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (None, "/en/learning/dashboard/"),
        ("learner", "/en/learning/dashboard/"),
        ("trainer", "/en/learning/trainer/cohorts/"),
        ("coordinator", "/en/learning/trainer/cohorts/"),
    ],
)
def test_login_lands_on_the_dashboard_of_the_role(client, partner, role, landing):
    user = make_user(email="person@example.org")
    if role:
        membership_set(user=user, partner=partner, role=role)
    response = login(client, email=user.email)
    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.get(landing).status_code == 200


def test_staff_land_on_the_cohorts(client):
    staff = make_user(email="staff@example.org", is_staff=True)
    assert landing_url_name(user=staff) == "learning:trainer_cohort_list"
    assert login(client, email=staff.email)["Location"] == "/en/learning/trainer/cohorts/"


def test_landing_is_in_the_users_language(client, partner):
    user = make_user(email="formatrice@example.org", language="fr")
    membership_set(user=user, partner=partner, role="trainer")
    assert login(client, email=user.email, lang="nl")["Location"] == "/fr/learning/trainer/cohorts/"


def test_a_safe_next_wins_over_the_landing(client, partner):
    user = make_user(email="trainer@example.org")
    membership_set(user=user, partner=partner, role="trainer")
    response = login(client, email=user.email, next="/en/certificates/mine/")
    assert response["Location"] == "/en/certificates/mine/"


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/"])
def test_an_unsafe_next_falls_back_to_the_landing(client, partner, evil):
    user = make_user(email="trainer@example.org")
    membership_set(user=user, partner=partner, role="trainer")
    assert login(client, email=user.email, next=evil)["Location"] == "/en/learning/trainer/cohorts/"
