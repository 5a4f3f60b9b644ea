"""Send users whose role requires two-factor authentication to set it up
before anything else (settings.MFA_REQUIRED_ROLES)."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from partners.selectors import roles_of

# Paths a user without TOTP may still reach: setting it up, logging out,
# switching language, and static assets.
_ALLOWED_URL_NAMES = ("mfa_activate_totp", "mfa_index", "account_logout", "mfa_generate_recovery_codes", "mfa_view_recovery_codes")
_ALLOWED_PREFIXES = ("/static/", "/media/", "/i18n/", "/healthz")


def requires_two_factor(user) -> bool:
    required = set(settings.MFA_REQUIRED_ROLES)
    if not required or not user.is_authenticated:
        return False
    if not required & roles_of(user=user):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(_ALLOWED_PREFIXES) or not settings.MFA_REQUIRED_ROLES:
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and requires_two_factor(user):
            allowed = {reverse(name) for name in _ALLOWED_URL_NAMES}
            if request.path not in allowed:
                return redirect("mfa_activate_totp")
        return self.get_response(request)
