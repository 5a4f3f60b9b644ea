"""Certificates: what a holder earned, as printed and as verified.

A certificate copies, at issue time, everything it prints (holder name,
course title, partner, country, language, hours), so that later edits to a
course or a profile never change a document already handed out; a corrected
certificate is a reissue (the old one becomes superseded). The verification
code is the public handle; nothing else identifies a certificate publicly.

One valid certificate per holder and subject (course or live session) and
kind: enforced by partial unique constraints, so concurrent issuing cannot
create two.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.models import Country

from .storage import certificate_storage


class Certificate(models.Model):
    class Kind(models.TextChoices):
        COMPLETION = "completion", _("Course completion")
        ATTENDANCE = "attendance", _("Attendance")
        PROGRAMME = "programme", _("Programme")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Public handle: 16 characters of Crockford base32 (80 bits), stored
    # without separators, shown as XXXX-XXXX-XXXX-XXXX.
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("holder"), on_delete=models.SET_NULL, null=True, related_name="certificates"
    )
    holder_name = models.CharField(_("name as printed"), max_length=200)
    partner = models.ForeignKey("partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="certificates")
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    # The subject: a course (its translation key) or a live session (id, once
    # the live app exists); `title` is the subject's name as printed.
    course_key = models.UUIDField(_("course"), null=True, blank=True, db_index=True)
    session_id = models.PositiveBigIntegerField(_("live session"), null=True, blank=True)
    series_id = models.PositiveBigIntegerField(_("live session series"), null=True, blank=True)
    title = models.CharField(_("title as printed"), max_length=300)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, default=0)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALID)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("superseded by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The stored PDF (private storage, see certificates.storage); rendered
    # once in the background, streamed on download.
    pdf = models.FileField(_("PDF"), upload_to="pdf/", blank=True, storage=certificate_storage)
    # The signed Open Badges 3.0 credential (JSON with its proof).
    credential = models.JSONField(_("signed credential"), null=True, blank=True)
    # When the holder was told by mail that the certificate is ready (once,
    # after its PDF was first stored: certificates.tasks).
    holder_notified_at = models.DateTimeField(_("holder notified"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "kind", "course_key"],
                condition=Q(status="valid") & Q(course_key__isnull=False),
                name="certificate_one_valid_per_course",
            ),
            models.UniqueConstraint(
                fields=["holder", "kind", "session_id"],
                condition=Q(status="valid") & Q(session_id__isnull=False),
                name="certificate_one_valid_per_session",
            ),
            models.UniqueConstraint(
                fields=["holder", "kind", "series_id"],
                condition=Q(status="valid") & Q(series_id__isnull=False),
                name="certificate_one_valid_per_series",
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="certificate_hours_not_negative"),
        ]
        indexes = [
            models.Index(fields=["partner", "issued_on"]),
            models.Index(fields=["country", "issued_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} — {self.title} ({self.display_code})"

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class CertificateExport(models.Model):
    """A ZIP of the stored PDFs of one partner's certificates matching a
    dashboard filter, built in the background (certificates.tasks) and
    downloaded by the person who asked for it.

    Owned by its requester and scoped to one partner: the export's pages look
    it up by owner (staff: any owner) and partner, so another person's export
    id is a 404. The ZIP holds stored PDFs only, never renders one: a
    certificate whose PDF is missing is counted in `skipped`.

    CERTIFICATES_EXPORT_RETENTION_DAYS after it is ready, the housekeeper
    (certificates.housekeeping) deletes the ZIP and marks the export
    expired; the row stays, so that its page can say what happened."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    # Not a counter: an export's address should not let anyone guess the next one.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="certificate_exports"
    )
    # The dashboard filter as submitted (course key, cohort id, ISO dates),
    # applied again by the task so the ZIP matches what the coordinator saw.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("certificates"), default=0)
    done = models.PositiveIntegerField(_("processed"), default=0)
    added = models.PositiveIntegerField(_("in the ZIP"), default=0)
    skipped = models.PositiveIntegerField(_("skipped (no stored PDF)"), default=0)
    file = models.FileField(_("ZIP file"), upload_to="exports/", blank=True, storage=certificate_storage)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate export")
        verbose_name_plural = _("certificate exports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "partner", "created_at"])]

    def __str__(self) -> str:
        return f"{self.partner} — {self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def expires_at(self) -> datetime.datetime | None:
        """When the housekeeper deletes the ZIP (None until it is ready)."""
        if self.finished_at is None or self.status not in (self.Status.DONE, self.Status.EXPIRED):
            return None
        return self.finished_at + datetime.timedelta(days=settings.CERTIFICATES_EXPORT_RETENTION_DAYS)

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.EXPIRED):
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
