"""Changes to accounts and the language plumbing around them.

Views, the allauth adapter and the middleware stay thin and call these.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseBase
from django.urls import translate_url
from django.utils import translation

from .models import User


@transaction.atomic
def profile_update(*, user: User, full_name: str, preferred_language: str) -> User:
    """Save what a user may change about themselves on the profile page."""
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    # Email and password are changed through allauth only (verification,
    # notifications, reauthentication); never here.
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "preferred_language"])
    return user


def url_in_language(*, url: str, language: str) -> str:
    """`url` under the `language` prefix, if it is one of our language-prefixed
    paths in another language; anything else is returned unchanged.

    Only local paths are rewritten. Absolute URLs (even to this host) are left
    as they are: deciding whether a redirect target is safe is allauth's job
    (it validates `next` against ALLOWED_HOSTS) and this function must never
    be able to turn an unsafe target into a different one.
    """
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return url
    current = translation.get_language_from_path(parts.path)
    if not current or current == language:
        return url
    # translate_url resolves the path with the *active* language's prefix, so
    # the path's own language must be active while it does.
    with translation.override(current):
        return translate_url(url, language)


def language_cookie_set(*, response: HttpResponseBase, language: str) -> None:
    """Remember the language in the cookie Django's LocaleMiddleware reads, so
    unprefixed URLs (/, /i18n/...) also open in it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
