"""Send users whose role requires two-factor authentication to set it up
before anything else (settings.MFA_REQUIRED_ROLES)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .selectors import two_factor_required_for

# Views a user without TOTP may still reach. Matched by view name (with
# namespace, so a same-named view elsewhere does not slip through), so they
# work under every language prefix.
ALLOWED_URL_NAMES = frozenset(
    {
        # Setting TOTP up, and the recovery codes allauth creates with it.
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        # allauth asks for the password again before adding an authenticator
        # if the login is not recent.
        "account_reauthenticate",
        "mfa_reauthenticate",
        # allauth refuses TOTP while an email address is unverified; the user
        # must be able to verify or remove it.
        "account_email",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_logout",
    }
)
# Not views of ours: language switching, assets, health checks.
ALLOWED_PREFIXES = ("/static/", "/media/", "/i18n/", "/healthz")


class RequireTwoFactorMiddleware:
    """Must come after AuthenticationMiddleware, MessageMiddleware and
    LocaleMiddleware (the redirect and its message use the request language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_set_up_two_factor(request):
            messages.warning(
                request,
                _(
                    "Your role on Bridgeline requires two-factor authentication. "
                    "Please set up an authenticator app before you continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_set_up_two_factor(self, request: HttpRequest) -> bool:
        # Cheap checks first: the setting is empty in development and most
        # requests are anonymous, so no query is made for them.
        if not settings.MFA_REQUIRED_ROLES:
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path_info.startswith(ALLOWED_PREFIXES):
            return False
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            view_name = None
        if view_name in ALLOWED_URL_NAMES:
            return False
        return two_factor_required_for(user=user)
