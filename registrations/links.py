"""Links to registration pages for mail and calendar files, and the signed
cancel link.

The cancel link carries the registration id signed with Django's
TimestampSigner under its own salt, so a token minted for another purpose
(or edited by hand) never verifies. It is a credential for one thing only:
it opens a confirmation page whose POST cancels; a GET never changes
anything (mail scanners follow links). The signature is checked again on
the POST.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse
from django.utils import translation

from live.links import base_url

CANCEL_SALT = "registrations.cancel-link"
# Long enough for any training planned a year ahead; cancelling after the
# start is refused anyway.
CANCEL_MAX_AGE = 60 * 60 * 24 * 400


def cancel_token(registration) -> str:
    return signing.TimestampSigner(salt=CANCEL_SALT).sign(str(registration.pk))


def registration_id_from_token(token: str) -> int:
    """The registration id the token was minted for; BadSignature (or
    SignatureExpired) for anything else."""
    value = signing.TimestampSigner(salt=CANCEL_SALT).unsign(token, max_age=CANCEL_MAX_AGE)
    try:
        return int(value)
    except ValueError:  # pragma: no cover - only our own ids are signed
        raise signing.BadSignature("not a registration id") from None


def cancel_url(registration, *, language: str) -> str:
    with translation.override(language):
        return base_url() + reverse("registrations:cancel_link", kwargs={"token": cancel_token(registration)})


def detail_url(training, *, language: str) -> str:
    with translation.override(language):
        return base_url() + reverse("registrations:detail", kwargs={"training_id": training.pk})


def dashboard_url(*, language: str) -> str:
    with translation.override(language):
        return base_url() + reverse("registrations:mine")
