"""Questions about accounts: who must use two-factor authentication, which
language a user reads the site in, where a user lands after logging in."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse

from partners.selectors import Role, roles_of

from .models import User


def two_factor_required_for(*, user: User) -> bool:
    """True if `user` holds a role listed in settings.MFA_REQUIRED_ROLES but
    has no authenticator app yet.

    Only TOTP counts: recovery codes alone are not a second factor (allauth
    only creates them together with TOTP anyway).
    """
    required = set(settings.MFA_REQUIRED_ROLES)
    if not required or not getattr(user, "is_authenticated", False):
        return False
    if not required & roles_of(user=user):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def language_of(*, user: User) -> str:
    """The user's interface language, falling back to the site default when the
    stored value is no longer offered (a language removed from LANGUAGES)."""
    language = getattr(user, "preferred_language", "") or ""
    if language in dict(settings.LANGUAGES):
        return language
    return settings.LANGUAGE_CODE


# Who works on the trainer side: the roles whose home is their cohorts
# (learning.trainer_selectors.is_trainer_side_user decides the same).
_TRAINER_SIDE_ROLES = frozenset({Role.TRAINER, Role.COORDINATOR, "staff"})


def landing_url_name(*, user: User) -> str:
    """The URL name of the page a user lands on after logging in, when no
    `next` says otherwise: trainers, coordinators and staff their cohorts,
    everyone else the learner dashboard."""
    if roles_of(user=user) & _TRAINER_SIDE_ROLES:
        return "learning:trainer_cohort_list"
    return "learning:dashboard"


def name_request_url(*, next_url: str) -> str:
    """Where someone who has not given their name yet is asked for it (the
    profile page, in the active language), coming back to `next_url` after."""
    return f"{reverse('accounts:profile')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
