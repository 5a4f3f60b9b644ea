"""Mail about live sessions: the invitation (with the calendar file) and the
reminders, each rendered in the recipient's language (plain text and HTML).
Called by the tasks in live/tasks.py, never from a request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from config.mail import render_subject, render_text

from .ics import ics_filename, session_ics
from .links import join_url
from .models import LiveSession


def _language(user) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return user.preferred_language if user.preferred_language in codes else settings.LANGUAGE_CODE


def session_mail(*, session: LiveSession, user, kind: str, minutes_before: int | None = None) -> EmailMultiAlternatives:
    """kind: "invitation" or "reminder"."""
    language = _language(user)
    with translation.override(language):
        context = {
            "session": session,
            "user": user,
            "join_url": None if session.is_youth else join_url(session, language=language),
            "local_start": session.starts_at.astimezone(session.tz),
            "minutes_before": minutes_before,
            "hours_before": (minutes_before or 0) // 60,
        }
        # Subject and text body are plain text (config/mail.py): a title with
        # "&" reads "&", not "&amp;". The HTML part escapes as any page.
        subject = render_subject(f"live/emails/{kind}_subject.txt", context)
        body = render_text(f"live/emails/{kind}.txt", context)
        html = render_to_string(f"live/emails/{kind}.html", context)
        message = EmailMultiAlternatives(
            subject=getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "") + subject,
            body=body,
            to=[user.email],
        )
        message.attach_alternative(html, "text/html")
        message.attach(ics_filename(session), session_ics(session, language=language), "text/calendar; charset=utf-8")
    return message
