"""Reviewing safeguarding reports (the queue at /live/safeguarding/). The
reports themselves are made in the room (live/room.py: report_create); the
reviewer's scope is live.selectors.reports_visible_to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Report


@transaction.atomic
def report_resolve(*, report: Report, resolution: str, handled_by) -> Report:
    """Close an open report with what was done. Resolving twice is refused
    (the first reviewer's note stands)."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": [_("Say what was done about this report.")]})
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != Report.Status.OPEN:
        raise ValidationError(_("This report was already resolved."), code="resolved")
    report.status = Report.Status.RESOLVED
    report.handled_by = handled_by
    report.handled_at = timezone.now()
    report.resolution = resolution
    report.save(update_fields=["status", "handled_by", "handled_at", "resolution"])
    return report
