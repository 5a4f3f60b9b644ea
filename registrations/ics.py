"""Calendar files (.ics, RFC 5545) for trainings: one VEVENT, times in UTC,
a stable UID per training so that a re-sent confirmation updates the
calendar entry instead of adding a second one. The public file (detail
page) never carries `online_details` (the meeting link is for confirmed
registrants); the one attached to a confirmation does."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .links import base_url, detail_url
from .models import Training


def uid(training: Training) -> str:
    host = base_url().split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "bridgeline"
    return f"training-{training.pk}@{host}"


def training_ics(training: Training, *, language: str, confirmed: bool = False, now: dt.datetime | None = None) -> bytes:
    now = now or timezone.now()
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", "-//Bridgeline//Trainings//EN")
        calendar.add("version", "2.0")
        calendar.add("method", "PUBLISH")
        event = Event()
        event.add("uid", uid(training))
        event.add("dtstamp", now.astimezone(dt.timezone.utc))
        event.add("dtstart", training.starts_at.astimezone(dt.timezone.utc))
        event.add("dtend", training.ends_at.astimezone(dt.timezone.utc))
        event.add("summary", training.title)
        url = detail_url(training, language=language)
        lines = [training.description.strip()] if training.description.strip() else []
        if confirmed and training.online_details.strip():
            lines.append(training.online_details.strip())
        lines.append(url)
        event.add("description", "\n\n".join(lines))
        event.add("url", url)
        if not training.is_online:
            event.add("location", ", ".join(part for part in (training.location, " ".join(training.address.split())) if part))
        else:
            event.add("location", _("Online"))
        event.add("sequence", int(training.updated_at.timestamp()) if training.updated_at else 0)
        calendar.add_component(event)
        return calendar.to_ical()


def ics_filename(training: Training) -> str:
    return f"training-{training.pk}.ics"
