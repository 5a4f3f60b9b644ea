"""Calendar files (.ics, RFC 5545) for live sessions: one VEVENT per
session, times in UTC, a stable UID so that a re-sent invitation updates the
calendar entry instead of adding a second one.

The join code of a session with young people never goes into a calendar
file (calendars are shared, synced and forwarded): those files carry the
session's page for staff instead, and the trainers hand out the code.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .links import base_url, detail_url, join_url
from .models import LiveSession


def uid(session: LiveSession) -> str:
    host = base_url().split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "bridgeline"
    return f"live-session-{session.pk}@{host}"


def session_ics(session: LiveSession, *, language: str, for_staff: bool = False, now: dt.datetime | None = None) -> bytes:
    """The calendar file of `session` in `language`. `for_staff` links to
    the staff page of the session instead of the join link when there is no
    join link to give (young people's sessions)."""
    now = now or timezone.now()
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", "-//Bridgeline//Live sessions//EN")
        calendar.add("version", "2.0")
        calendar.add("method", "PUBLISH")
        event = Event()
        event.add("uid", uid(session))
        event.add("dtstamp", now.astimezone(dt.timezone.utc))
        event.add("dtstart", session.starts_at.astimezone(dt.timezone.utc))
        event.add("dtend", session.ends_at.astimezone(dt.timezone.utc))
        event.add("summary", session.title)
        lines = [session.description.strip()] if session.description.strip() else []
        if session.is_youth:
            url = detail_url(session, language=language) if for_staff else None
            lines.append(_("The trainers give the join code to the young people at the start of the session."))
        else:
            url = join_url(session, language=language)
            lines.append(_("Join: %(url)s") % {"url": url})
            lines.append(_("Join code: %(code)s") % {"code": session.join_code_display})
        event.add("description", "\n\n".join(lines))
        if url:
            event.add("url", url)
        event.add("sequence", int(session.updated_at.timestamp()) if session.updated_at else 0)
        calendar.add_component(event)
        return calendar.to_ical()


def ics_filename(session: LiveSession) -> str:
    return f"live-session-{session.pk}.ics"
