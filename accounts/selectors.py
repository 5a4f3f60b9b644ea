"""Questions about accounts: who must use two-factor authentication, which
language a user reads the site in."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings

from partners.selectors import roles_of

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
