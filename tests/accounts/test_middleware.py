"""RequireTwoFactorMiddleware: roles in settings.MFA_REQUIRED_ROLES must set
up TOTP before doing anything else."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.selectors import two_factor_required_for
from partners.services import membership_set

from .helpers import activate_totp, login, make_user, open_totp_setup, totp_code

pytestmark = pytest.mark.django_db

TOTP_SETUP = "/en/accounts/2fa/totp/activate/"


@pytest.fixture
def trainer(partner):
    user = make_user(email="trainer@example.org")
    membership_set(user=user, partner=partner, role="trainer")
    return user


@override_settings(MFA_REQUIRED_ROLES=["trainer", "coordinator", "staff"])
def test_trainer_without_totp_is_sent_to_setup_with_a_reason(client, trainer):
    login(client, email=trainer.email)
    response = client.get("/en/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == TOTP_SETUP
    page = client.get(TOTP_SETUP, follow=True)
    assert "requires two-factor authentication" in page.content.decode()


@override_settings(MFA_REQUIRED_ROLES=["trainer"])
@pytest.mark.parametrize(
    ("path", "setup"),
    [
        ("/en/", TOTP_SETUP),
        ("/django-admin/", TOTP_SETUP),
        ("/en/accounts/password/change/?x=1", TOTP_SETUP),
        ("/fr/accounts/profile/", "/fr/accounts/2fa/totp/activate/"),
    ],
)
def test_every_other_page_redirects(client, trainer, path, setup):
    login(client, email=trainer.email)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == setup


@override_settings(MFA_REQUIRED_ROLES=["trainer"])
def test_login_itself_lands_on_setup(client, trainer):
    response = login(client, email=trainer.email)
    assert response["Location"] == "/en/learning/trainer/cohorts/"
    assert client.get(response["Location"])["Location"] == TOTP_SETUP


@override_settings(MFA_REQUIRED_ROLES=["trainer"])
def test_what_stays_reachable_without_totp(client, trainer, settings):
    login(client, email=trainer.email)
    # Setting it up, including allauth's password check before it.
    assert open_totp_setup(client).status_code == 200
    assert client.get("/en/accounts/reauthenticate/").status_code == 200
    assert client.get("/en/accounts/2fa/").status_code == 200
    # Verifying or removing an email address (allauth needs all verified).
    assert client.get("/en/accounts/email/").status_code == 200
    # Switching language.
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/fr/accounts/2fa/totp/activate/"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/accounts/2fa/totp/activate/"
    # Logging out.
    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@override_settings(MFA_REQUIRED_ROLES=["trainer"])
def test_setting_up_totp_releases_the_user(client, trainer):
    login(client, email=trainer.email)
    open_totp_setup(client)
    secret = client.session["mfa.totp.secret"]
    response = client.post(TOTP_SETUP, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/en/accounts/profile/").status_code == 200


@override_settings(MFA_REQUIRED_ROLES=["trainer"])
def test_not_redirected_once_totp_exists(client, trainer):
    secret, _codes = activate_totp(trainer)
    login(client, email=trainer.email)
    client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.get("/en/accounts/profile/").status_code == 200


@override_settings(MFA_REQUIRED_ROLES=["trainer", "coordinator", "staff"])
def test_learners_are_not_redirected(client, partner):
    learner = make_user(email="learner@example.org")
    membership_set(user=learner, partner=partner, role="learner")
    login(client, email=learner.email)
    assert client.get("/en/accounts/profile/").status_code == 200


@override_settings(MFA_REQUIRED_ROLES=["staff"])
def test_staff_count_as_a_role(client):
    staff = make_user(email="staff@example.org", is_staff=True)
    login(client, email=staff.email)
    assert client.get("/en/accounts/profile/")["Location"] == TOTP_SETUP


@override_settings(MFA_REQUIRED_ROLES=[])
def test_nobody_is_redirected_when_no_role_requires_it(client, trainer):
    login(client, email=trainer.email)
    assert client.get("/en/accounts/profile/").status_code == 200


@override_settings(MFA_REQUIRED_ROLES=["trainer"])
def test_anonymous_users_are_untouched(client, trainer):
    assert client.get("/en/accounts/login/").status_code == 200


@override_settings(MFA_REQUIRED_ROLES=["coordinator"])
def test_selector_reads_roles_and_authenticators(trainer, partner):
    assert not two_factor_required_for(user=trainer)
    membership_set(user=trainer, partner=partner, role="coordinator")
    assert two_factor_required_for(user=trainer)
    activate_totp(trainer)
    assert not two_factor_required_for(user=trainer)


def _call_middleware(request):
    from django.http import HttpResponse

    from accounts.middleware import RequireTwoFactorMiddleware

    return RequireTwoFactorMiddleware(lambda request: HttpResponse("ok"))(request)


@override_settings(MFA_REQUIRED_ROLES=["trainer"])
def test_no_queries_for_anonymous_requests(rf, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/en/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert _call_middleware(request).status_code == 200


@override_settings(MFA_REQUIRED_ROLES=[])
def test_no_queries_when_no_role_requires_two_factor(rf, trainer, django_assert_num_queries):
    request = rf.get("/en/")
    request.user = trainer
    with django_assert_num_queries(0):
        assert _call_middleware(request).status_code == 200
