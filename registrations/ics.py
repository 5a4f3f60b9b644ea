"""Calendar files (.ics, RFC 5545) for trainings: one VEVENT, times in UTC,
a stable UID per training so that a re-sent confirmation updates the
calendar entry instead of adding a second one. The public file (detail
page) never carries `online_details` (the meeting link is for confirmed
registrants); the one attached to a confirmation does."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from live.ics import calendar_file, site_uid

from .links import detail_url
from .models import Training


def uid(training: Training) -> str:
    return site_uid(f"training-{training.pk}")


def training_ics(training: Training, *, language: str, confirmed: bool = False, now: dt.datetime | None = None) -> bytes:
    with translation.override(language):
        url = detail_url(training, language=language)
        lines = [training.description.strip()]
        if confirmed:
            lines.append(training.online_details.strip())
        lines.append(url)
        if training.is_online:
            location = _("Online")
        else:
            location = ", ".join(part for part in (training.location, " ".join(training.address.split())) if part)
        return calendar_file(
            product="Trainings", uid=uid(training), starts_at=training.starts_at, ends_at=training.ends_at,
            summary=training.title, description_lines=lines, url=url, location=location,
            updated_at=training.updated_at, now=now,
        )


def ics_filename(training: Training) -> str:
    return f"training-{training.pk}.ics"
