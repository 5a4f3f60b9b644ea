"""Calendar files (.ics, RFC 5545): one VEVENT per file, times in UTC, a
stable UID so that a re-sent invitation updates the calendar entry instead
of adding a second one. `calendar_file` is the one builder (registrations
uses it too); `session_ics` fills it for a live session.

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


def site_uid(name: str) -> str:
    """A UID that is stable for `name` on this site."""
    host = base_url().split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "bridgeline"
    return f"{name}@{host}"


def calendar_file(
    *,
    product: str,
    uid: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    summary: str,
    description_lines: list[str],
    url: str | None,
    location: str | None = None,
    updated_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", f"-//Bridgeline//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(dt.timezone.utc))
    event.add("dtstart", starts_at.astimezone(dt.timezone.utc))
    event.add("dtend", ends_at.astimezone(dt.timezone.utc))
    event.add("summary", summary)
    event.add("description", "\n\n".join(line for line in description_lines if line))
    if url:
        event.add("url", url)
    if location:
        event.add("location", location)
    # A later edit must win in calendars that already hold the event.
    event.add("sequence", int(updated_at.timestamp()) if updated_at else 0)
    calendar.add_component(event)
    return calendar.to_ical()


def uid(session: LiveSession) -> str:
    return site_uid(f"live-session-{session.pk}")


def session_ics(session: LiveSession, *, language: str, for_staff: bool = False, now: dt.datetime | None = None) -> bytes:
    """The calendar file of `session` in `language`. `for_staff` links to
    the staff page of the session instead of the join link when there is no
    join link to give (young people's sessions)."""
    with translation.override(language):
        lines = [session.description.strip()]
        if session.is_youth:
            url = detail_url(session, language=language) if for_staff else None
            lines.append(_("The trainers give the join code to the young people at the start of the session."))
        else:
            url = join_url(session, language=language)
            lines.append(_("Join: %(url)s") % {"url": url})
            lines.append(_("Join code: %(code)s") % {"code": session.join_code_display})
        return calendar_file(
            product="Live sessions", uid=uid(session), starts_at=session.starts_at, ends_at=session.ends_at,
            summary=session.title, description_lines=lines, url=url, updated_at=session.updated_at, now=now,
        )


def ics_filename(session: LiveSession) -> str:
    return f"live-session-{session.pk}.ics"
