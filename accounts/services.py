"""Changes to accounts and the language plumbing around them.

Views, the allauth adapter and the middleware stay thin and call these.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseBase
from django.urls import translate_url
from django.utils import translation

from .models import User
from .names import FAMILY_NAME_REQUIRED, GIVEN_NAME_REQUIRED, person_name_normalise
from .signals import names_changed


@transaction.atomic
def profile_update(*, user: User, first_name: str, last_name: str, preferred_language: str) -> User:
    """Save what a user may change about themselves on the profile page:
    their given and family name (both required) and their language."""
    # As stored: a ModelForm has already copied its input onto `user`.
    before = User.objects.filter(pk=user.pk).values_list("first_name", "last_name").first()
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.preferred_language = preferred_language
    # Email and password are changed through allauth only (verification,
    # notifications, reauthentication); never here. The model's validators
    # refuse control characters before spaces are tidied below.
    user.full_clean(exclude=["password"])
    missing = {
        field: ValidationError(message, code="required")
        for field, message in (("first_name", GIVEN_NAME_REQUIRED), ("last_name", FAMILY_NAME_REQUIRED))
        if not getattr(user, field)
    }
    if missing:
        raise ValidationError(missing)
    user.first_name = person_name_normalise(user.first_name)
    user.last_name = person_name_normalise(user.last_name)
    user.save(update_fields=["first_name", "last_name", "preferred_language"])
    if (user.first_name, user.last_name) != tuple(before or ()):
        names_changed.send(sender=User, user=user)
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
