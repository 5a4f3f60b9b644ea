"""Mail to registrants, each in the registration's language (plain text and
HTML): confirmed (with the .ics), waiting list, promoted (with the .ics),
cancelled, reminder, and messages from the organisers. Built by the tasks
in registrations/tasks.py, never in a request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from config.mail import render_subject, render_text

from .ics import ics_filename, training_ics
from .links import cancel_url, dashboard_url, detail_url
from .models import OrganiserMessage, Registration

KINDS = ("confirmed", "waiting", "promoted", "cancelled", "reminder")
WITH_CALENDAR = ("confirmed", "promoted")


def mail_language(registration: Registration) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return registration.language if registration.language in codes else settings.LANGUAGE_CODE


def _build(*, template: str, context: dict, to: str) -> EmailMultiAlternatives:
    # Subject and text body are plain text (config/mail.py); the HTML part escapes.
    subject = render_subject(f"registrations/emails/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "") + subject,
        body=render_text(f"registrations/emails/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"registrations/emails/{template}.html", context), "text/html")
    return message


def _context(registration: Registration, language: str) -> dict:
    training = registration.training
    return {
        "registration": registration,
        "training": training,
        "user": registration.user,
        "local_start": training.local_starts_at,
        "local_end": training.local_ends_at,
        "detail_url": detail_url(training, language=language),
        "cancel_url": cancel_url(registration, language=language) if registration.is_active else None,
        "dashboard_url": dashboard_url(language=language),
    }


def registration_mail(*, registration: Registration, kind: str, minutes_before: int | None = None) -> EmailMultiAlternatives:
    if kind not in KINDS:
        raise ValueError(kind)
    language = mail_language(registration)
    # Times are written in the organiser's zone (named in the text).
    with translation.override(language), timezone.override(registration.training.tz):
        context = _context(registration, language)
        context.update({"kind": kind, "minutes_before": minutes_before, "hours_before": (minutes_before or 0) // 60})
        message = _build(template=kind, context=context, to=registration.user.email)
        if kind in WITH_CALENDAR:
            message.attach(
                ics_filename(registration.training),
                training_ics(registration.training, language=language, confirmed=True),
                "text/calendar; charset=utf-8",
            )
    return message


def organiser_mail(*, message: OrganiserMessage, registration: Registration) -> EmailMultiAlternatives:
    """The organisers' words as they wrote them, in a frame (greeting, what
    it is about, how to cancel) in the registrant's language."""
    language = mail_language(registration)
    with translation.override(language), timezone.override(registration.training.tz):
        context = _context(registration, language)
        context["message"] = message
        mail = _build(template="message", context=context, to=registration.user.email)
        if message.training.partner.contact_email:
            mail.reply_to = [message.training.partner.contact_email]
    return mail
