"""Mail to a certificate's holder when it is ready: in their interface
language, plain text and HTML, with the links to download it and to the
public verification page. Built by certificates.tasks, never in a request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from config.mail import render_subject, render_text

from .codes import code_display
from .models import Certificate
from .selectors import verification_url


def _language(certificate: Certificate) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    preferred = getattr(certificate.holder, "preferred_language", "")
    if preferred in codes:
        return preferred
    return certificate.language if certificate.language in codes else settings.LANGUAGE_CODE


def certificate_issued_mail(*, certificate: Certificate) -> EmailMultiAlternatives:
    """"Your certificate is ready", to the holder's address."""
    language = _language(certificate)
    with translation.override(language):
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        context = {
            "certificate": certificate,
            "name": certificate.holder_name,
            "code": code_display(certificate.code),
            "mine_url": base + reverse("certificates:mine"),
            "verify_url": verification_url(certificate),
        }
        message = EmailMultiAlternatives(
            subject=getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
            + render_subject("certificates/emails/issued_subject.txt", context),
            body=render_text("certificates/emails/issued.txt", context),
            to=[certificate.holder.email],
        )
        message.attach_alternative(render_to_string("certificates/emails/issued.html", context), "text/html")
    return message
