"""Site-specific allauth behaviour: the language a user reads the site in
follows them from sign-up to every later login, and a login lands on the
person's own dashboard."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import get_login_redirect_url
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import translation

from config.client_ip import client_ip

from . import services
from .selectors import landing_url_name, language_of


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        # New accounts keep the language they signed up in, so mails and the
        # interface stay in it after logging in again.
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language in dict(settings.LANGUAGES):
            user.preferred_language = language
        return super().save_user(request, user, form, commit=commit)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's per-address limits count the same client as ours
        # (TRUSTED_PROXY_COUNT), never an address the client wrote itself.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Where a login goes when no safe `next` was given (allauth checks
        `next` first, see post_login): the learner dashboard, or the cohorts
        of trainers and coordinators. Reversed in the user's language, not in
        the language of the login page they happened to use."""
        with translation.override(language_of(user=request.user)):
            return resolve_url(landing_url_name(user=request.user))

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # Logged in by confirming their address: the same landing as a login
        # (allauth's default would be LOGIN_REDIRECT_URL for everyone).
        return self.get_login_redirect_url(request)

    def post_login(
        self,
        request: HttpRequest,
        user,
        *,
        email_verification: str,
        signal_kwargs: dict[str, Any] | None,
        email: str | None,
        signup: bool,
        redirect_url: str | None,
    ) -> HttpResponse:
        """Every allauth login (password, then possibly TOTP or a recovery code)
        ends here: send the user on in their preferred language."""
        language = language_of(user=user)
        # allauth resolves `next` (validated against ALLOWED_HOSTS) or our
        # default; we only move a local, language-prefixed path to `language`.
        target = get_login_redirect_url(request, redirect_url, signup=signup)
        target = services.url_in_language(url=target, language=language)
        # The "successfully signed in" message is shown on the next page,
        # which is in `language`, so it is written in it too.
        translation.activate(language)
        response = super().post_login(
            request,
            user,
            email_verification=email_verification,
            signal_kwargs=signal_kwargs,
            email=email,
            signup=signup,
            redirect_url=target,
        )
        services.language_cookie_set(response=response, language=language)
        return response
