"""Someone who signs up (rather than logs in) on the way to a registration
lands back on the registration form once they confirm their address in the
same browser; a confirmation link opened in another browser only confirms."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from .factories import make_training

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-123"


def _confirm_path() -> str:
    link = re.search(r"https?://\S+/confirm-email/\S+", mail.outbox[-1].body).group(0)
    return "/" + link.split("/", 3)[3]


def test_signing_up_on_the_way_to_a_registration_comes_back_to_it(client):
    training = make_training()
    register = reverse("registrations:register", kwargs={"training_id": training.pk})
    response = client.get(register)
    assert response.status_code == 302 and "next=" in response["Location"]
    login_page = client.get(response["Location"]).content.decode()
    signup = re.search(r'href="([^"]*/accounts/signup/\?next=[^"]+)"', login_page).group(1).replace("&amp;", "&")
    response = client.post(signup, {"first_name": "Lou", "last_name": "Martin", "email": "new@example.org",
                                    "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    assert not client.session.get("_auth_user_id")
    response = client.post(_confirm_path())
    assert response.status_code == 302
    assert response["Location"] == register
    assert client.get(register).status_code == 200  # the registration form, logged in


def test_a_confirmation_link_opened_in_another_browser_only_confirms(client):
    client.post("/en/accounts/signup/", {"first_name": "Lou", "last_name": "Martin", "email": "other@example.org",
                                         "password1": PASSWORD, "password2": PASSWORD})
    elsewhere = Client()
    response = elsewhere.post(_confirm_path())
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="other@example.org").verified
    assert not elsewhere.session.get("_auth_user_id")
