"""Staff manage people and their memberships in the Django admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from partners.models import Membership
from partners.services import membership_set

from .helpers import PASSWORD, login, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def admin_client(client):
    superuser = make_user(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return client


@pytest.fixture
def membership(user, partner):
    return membership_set(user=user, partner=partner, role="trainer")


def test_admin_pages_open(admin_client, user, partner, membership):
    for path in [
        "/django-admin/accounts/user/",
        "/django-admin/accounts/user/add/",
        f"/django-admin/accounts/user/{user.pk}/change/",
        f"/django-admin/accounts/user/{user.pk}/password/",
        "/django-admin/partners/partner/",
        "/django-admin/partners/partner/add/",
        f"/django-admin/partners/partner/{partner.pk}/change/",
        "/django-admin/partners/membership/",
        "/django-admin/partners/membership/add/",
        f"/django-admin/partners/membership/{membership.pk}/change/",
    ]:
        assert admin_client.get(path).status_code == 200, path


def test_user_list_can_be_searched_and_filtered(admin_client, membership):
    response = admin_client.get("/django-admin/accounts/user/?q=ana&memberships__role=trainer")
    assert response.status_code == 200
    assert "ana@example.org" in response.content.decode()


def test_create_user_through_add_form(admin_client):
    response = admin_client.post(
        "/django-admin/accounts/user/add/",
        {
            "email": "New.Person@Example.org",
            "first_name": "New",
            "last_name": "Person",
            "preferred_language": "fr",
            "usable_password": "true",
            "password1": "a-Strong-passphrase-1",
            "password2": "a-Strong-passphrase-1",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(email="new.person@example.org")
    assert (created.first_name, created.last_name, created.full_name) == ("New", "Person", "New Person")
    assert created.preferred_language == "fr"
    assert created.check_password("a-Strong-passphrase-1")
    # Django continues to the change page, where memberships are given.
    assert response["Location"] == f"/django-admin/accounts/user/{created.pk}/change/"


def test_create_user_without_password(admin_client):
    # The person sets a password through "forgot password" later.
    response = admin_client.post(
        "/django-admin/accounts/user/add/",
        {"email": "nopass@example.org", "preferred_language": "en", "usable_password": "false"},
    )
    assert response.status_code == 302
    assert not User.objects.get(email="nopass@example.org").has_usable_password()


def test_add_form_refuses_existing_email_in_other_case(admin_client, user):
    response = admin_client.post(
        "/django-admin/accounts/user/add/",
        {
            "email": user.email.upper(),
            "preferred_language": "en",
            "usable_password": "true",
            "password1": "a-Strong-passphrase-1",
            "password2": "a-Strong-passphrase-1",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact=user.email).count() == 1


def test_membership_given_on_user_change_page(admin_client, user, partner):
    data = {
        "email": user.email,
        "first_name": "Ana",
        "last_name": "Peeters",
        "preferred_language": "en",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-partner": str(partner.pk),
        "memberships-0-role": "coordinator",
    }
    response = admin_client.post(f"/django-admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Membership.objects.get(user=user, partner=partner).role == "coordinator"
    user.refresh_from_db()
    assert user.full_name == "Ana Peeters"


def test_admin_refuses_a_name_with_control_characters(admin_client, user):
    data = {
        "email": user.email, "first_name": "Ana\u202e", "last_name": "Peeters", "preferred_language": "en",
        "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(f"/django-admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 200
    assert "first_name" in response.context["adminform"].form.errors


@pytest.mark.parametrize(
    ("field", "term", "expected"),
    [
        # MembershipAdmin's user autocomplete needs UserAdmin.search_fields.
        ("user", "ana", "ana@example.org"),
        # The membership inline on the user page autocompletes partners.
        ("partner", "kennis", "Kennisplatform"),
    ],
)
def test_autocompletes(admin_client, user, partner, field, term, expected):
    response = admin_client.get(
        "/django-admin/autocomplete/",
        {"app_label": "partners", "model_name": "membership", "field_name": field, "term": term},
    )
    assert response.status_code == 200
    assert [expected in result["text"] for result in response.json()["results"]] == [True]


def test_admin_is_closed_to_non_staff(client, user):
    client.force_login(user)
    response = client.get("/django-admin/accounts/user/")
    assert response.status_code == 302


@pytest.mark.parametrize("method", ["get", "post"])
def test_admin_login_goes_through_allauth(client, method):
    # Otherwise a staff member's password alone would open the admin,
    # bypassing two-factor authentication and the login rate limits.
    superuser = make_user(email="root@example.org", is_staff=True, is_superuser=True)
    data = {"username": superuser.email, "password": PASSWORD} if method == "post" else None
    response = getattr(client, method)("/django-admin/login/?next=/django-admin/", data)
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=%2Fdjango-admin%2F"
    assert "_auth_user_id" not in client.session


def test_staff_reach_admin_after_allauth_login(client):
    superuser = make_user(email="root@example.org", is_staff=True, is_superuser=True)
    response = login(client, email=superuser.email, next="/django-admin/")
    assert response["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200
