"""Django admin for live sessions. Sessions are best scheduled on the
trainers' pages (live/views.py); the admin applies the same rules
(scheduling.session_validate) and draws the join code the same way.
Participants, attendance corrections and the room's history are read-only
here: they are records of what happened, written by the server."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import join_code_generate
from .models import AttendanceCorrection, LiveSeries, LiveSession, Participant, Report, WordListEntry
from .scheduling import EDITABLE_FIELDS, session_validate


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = ["display_name", "role", "status", "muted", "consent_given_at", "created_at", "removed_at"]
    readonly_fields = fields


class LiveSessionAdminForm(forms.ModelForm):
    stream_url = forms.URLField(
        label=_("external stream link"), required=False, assume_scheme="https",
        help_text=_("Required when there is no video in the room."),
    )

    class Meta:
        model = LiveSession
        exclude = ["join_code", "spotlight_question"]

    def clean(self):
        data = super().clean()
        values = {field: data.get(field) for field in EDITABLE_FIELDS if field in data}
        try:
            session_validate(
                values=values, trainers=list(data.get("trainers") or []),
                starts_at_changed=not self.instance.pk or "starts_at" in self.changed_data, now=timezone.now(),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(LiveSeries)
class LiveSeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "partner", "certificate_min_percent", "created_at"]
    list_filter = ["partner"]
    search_fields = ["title"]


@admin.register(LiveSession)
class LiveSessionAdmin(admin.ModelAdmin):
    form = LiveSessionAdminForm
    list_display = ["title", "starts_at", "audience", "partner", "provider", "status", "join_code_display"]
    list_filter = ["status", "audience", "provider", "partner"]
    search_fields = ["title", "join_code"]
    list_select_related = ["partner"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["trainers"]
    readonly_fields = ["join_code_display", "status", "ended_at", "locked", "chat_muted", "created_by", "created_at", "updated_at"]
    exclude = ["join_code", "spotlight_question"]
    inlines = [ParticipantInline]

    @admin.display(description=_("join code"), ordering="join_code")
    def join_code_display(self, obj: LiveSession) -> str:
        return obj.join_code_display if obj.join_code else "—"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.created_by = request.user
        for _attempt in range(10):
            obj.join_code = join_code_generate()
            try:
                with transaction.atomic():
                    super().save_model(request, obj, form, change)
                return
            except IntegrityError:
                if not LiveSession.objects.filter(join_code=obj.join_code).exists():
                    raise
                obj.pk = None
        raise RuntimeError("could not draw a free join code")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports are reviewed in the safeguarding queue; here they can be
    looked up. Only the resolution is editable; the rest is the record."""

    list_display = ["session_title", "partner", "reporter_name", "status", "created_at", "handled_by"]
    list_filter = ["status", "partner"]
    search_fields = ["session_title", "reason", "reporter_name"]
    list_select_related = ["partner", "handled_by"]
    readonly_fields = [
        "session", "partner", "session_title", "reporter", "reporter_name", "message", "target", "reason", "context",
        "handled_by", "handled_at", "created_at",
    ]

    def get_queryset(self, request):
        reports = super().get_queryset(request)
        if request.user.is_superuser:
            return reports
        from partners.models import Membership

        return reports.filter(partner__in=Membership.objects.filter(user=request.user).values("partner_id"))

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.status == Report.Status.RESOLVED:
            obj.handled_by = request.user
            obj.handled_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(WordListEntry)
class WordListEntryAdmin(admin.ModelAdmin):
    list_display = ["term", "language", "is_active", "created_at"]
    list_filter = ["language", "is_active"]
    search_fields = ["term"]


@admin.register(AttendanceCorrection)
class AttendanceCorrectionAdmin(admin.ModelAdmin):
    """The log of trainers' corrections: read-only (a correction is
    corrected by another one, on the attendance page)."""

    list_display = ["participant", "session_title", "minutes", "reason", "corrected_by", "created_at"]
    list_select_related = ["participant__session", "corrected_by"]
    search_fields = ["participant__display_name", "participant__session__title", "reason"]

    @admin.display(description=_("session"))
    def session_title(self, obj: AttendanceCorrection) -> str:
        return obj.participant.session.title

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
