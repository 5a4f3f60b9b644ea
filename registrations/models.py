"""Trainings people register for, and their registrations.

- `Training`: one thing with limited places that professionals sign up for:
  a live session (webinar), an on-site day or a face-to-face session of a
  blended course, or a cohort of a course. It belongs to one partner (its
  country is the partner's). Optional links say what registering gives:
  `live_session` (access to that live session, see
  `registrations.selectors.has_confirmed_registration`), `cohort`
  (confirming enrols in the cohort's course) and, with a cohort,
  `session_block_id` (the face-to-face session block of the course whose
  attendance the trainers' on-site register records as evidence).
- `Registration`: one person's place (confirmed), place in the queue
  (waiting) or former place (cancelled). Rows are never deleted by the
  platform: the list is the partner's record of who came.
- `OrganiserMessage`: a message sent to all registrants, kept as a log.

Capacity is a database rule, not a Python one: `confirmed_count` is only
ever changed by conditional UPDATEs in `registrations.services` (in the
same transaction as the registration row they account for), and the
CheckConstraint `confirmed_count <= capacity` makes any over-booking an
IntegrityError whatever code path tries it. A partial unique index allows
one active (confirmed or waiting) registration per person and training.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.pages import validate_audience

from .questions import validate_questions

USER = settings.AUTH_USER_MODEL

TIME_ZONE_CHOICES = [
    (name, name) for name in ("Europe/London", "Europe/Paris", "Europe/Brussels", "Europe/Amsterdam", "UTC")
]


class Training(models.Model):
    class Kind(models.TextChoices):
        LIVE_SESSION = "live_session", _("Webinar or live session")
        ON_SITE = "on_site", _("On-site day or face-to-face session")
        COHORT = "cohort", _("Course cohort")

    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        ON_SITE = "on_site", _("On site")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en", db_index=True)
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="trainings"
    )
    # Codes of the course vocabulary (courses.pages.Audience): registrations
    # are for professionals, so this says which professions it is written for.
    audience = models.JSONField(_("audience"), default=list, blank=True, validators=[validate_audience])
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.ONLINE)
    location = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    online_details = models.TextField(
        _("how to join"), blank=True, help_text=_("Shown to confirmed registrants only (for example the meeting link).")
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(_("organiser's time zone"), max_length=40, choices=TIME_ZONE_CHOICES, default="Europe/Brussels")
    capacity = models.PositiveIntegerField(_("places"))
    # Changed only by conditional UPDATEs in registrations.services.
    confirmed_count = models.PositiveIntegerField(_("confirmed registrations"), default=0, editable=False)
    is_published = models.BooleanField(_("published"), default=True, help_text=_("Shown on the public listing."))
    registration_open = models.BooleanField(_("registration open"), default=True)
    registration_closes_at = models.DateTimeField(_("registration closes at"), null=True, blank=True)
    live_session = models.OneToOneField(
        "live.LiveSession", verbose_name=_("live session"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="training",
    )
    cohort = models.ForeignKey(
        "learning.Cohort", verbose_name=_("cohort"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="trainings",
    )
    session_lesson_key = models.UUIDField(_("lesson of the face-to-face session"), null=True, blank=True)
    session_block_id = models.CharField(_("face-to-face session block"), max_length=64, blank=True)
    questions = models.JSONField(
        _("registration questions"), default=list, blank=True, validators=[validate_questions],
        help_text=_("What registration asks besides the consent (see the README for the format)."),
    )
    trainers = models.ManyToManyField(USER, verbose_name=_("trainers"), related_name="trainings_trained", blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(confirmed_count__lte=F("capacity")), name="training_not_overbooked"),
            models.CheckConstraint(condition=Q(capacity__gte=1) & Q(capacity__lte=10000), name="training_capacity_range"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="training_ends_after_start"),
        ]
        indexes = [models.Index(fields=["is_published", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # `confirmed_count` is written only by the conditional UPDATEs of
        # registrations.services: saving an instance loaded earlier (the
        # admin, a script) must never write back a stale count.
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields if not field.primary_key and field.name != "confirmed_count"
            ]
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors: dict[str, list] = {}
        if self.pk is not None and self.capacity is not None:
            confirmed = Training.objects.filter(pk=self.pk).values_list("confirmed_count", flat=True).first() or 0
            if self.capacity < confirmed:
                errors.setdefault("capacity", []).append(
                    _("%(count)d registrations are confirmed: cancel some before lowering the places below that.")
                    % {"count": confirmed}
                )
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors.setdefault("ends_at", []).append(_("A training ends after it starts."))
        if self.format == self.Format.ON_SITE and not (self.location or self.address):
            errors.setdefault("location", []).append(_("Give the venue or the address of an on-site training."))
        if self.live_session_id and self.partner_id and self.live_session.partner_id != self.partner_id:
            errors.setdefault("live_session", []).append(_("This live session belongs to another partner."))
        if self.cohort_id and self.partner_id and self.cohort.partner_id != self.partner_id:
            errors.setdefault("cohort", []).append(_("This cohort belongs to another partner."))
        if self.session_block_id and not self.cohort_id:
            errors.setdefault("session_block_id", []).append(
                _("A face-to-face session block needs the cohort whose attendance it records.")
            )
        if self.session_block_id and self.cohort_id:
            from learning.trainer_selectors import session_block_in

            if session_block_in(
                course_key=self.cohort.course_key, block_id=self.session_block_id, lesson_key=self.session_lesson_key
            ) is None:
                errors.setdefault("session_block_id", []).append(
                    _("This is not a face-to-face session of the cohort's course.")
                )
        if errors:
            raise ValidationError(errors)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_starts_at(self) -> dt.datetime:
        return self.starts_at.astimezone(self.tz)

    @property
    def local_ends_at(self) -> dt.datetime:
        return self.ends_at.astimezone(self.tz)

    @property
    def is_online(self) -> bool:
        return self.format == self.Format.ONLINE

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

    def is_past(self, now: dt.datetime | None = None) -> bool:
        return self.starts_at <= (now or timezone.now())

    def accepts_registrations(self, now: dt.datetime | None = None) -> bool:
        """Open for new registrations (confirmed or waiting) now."""
        now = now or timezone.now()
        if not self.registration_open or not self.is_published or self.is_past(now):
            return False
        return self.registration_closes_at is None or now < self.registration_closes_at


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.CONFIRMED, Status.WAITING)

    training = models.ForeignKey(Training, verbose_name=_("training"), on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(USER, verbose_name=_("person"), on_delete=models.CASCADE, related_name="training_registrations")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    privacy_consent_at = models.DateTimeField(_("privacy statement accepted"))
    language = models.CharField(_("language for mail"), max_length=8, choices=settings.LANGUAGES, default="en")
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_marked_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("registered"), default=timezone.now, db_index=True)
    promoted_at = models.DateTimeField(_("promoted from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # The start the reminders were planned for (registrations.services).
    reminders_planned_for = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["training", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["training", "user"],
                condition=Q(status__in=["confirmed", "waiting"]),
                name="registration_one_active_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "waiting", "cancelled"]), name="registration_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False), name="registration_cancelled_has_time"
            ),
        ]
        indexes = [models.Index(fields=["training", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.training}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class OrganiserMessage(models.Model):
    """A message from the organisers to every active registrant of a
    training; sent by a task, one mail per registrant (the log)."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    include_waiting = models.BooleanField(_("also to the waiting list"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("message to registrants")
        verbose_name_plural = _("messages to registrants")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject
