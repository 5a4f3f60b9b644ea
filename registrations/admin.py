"""Django admin: staff create and edit trainings here (the organisers' own
pages manage registrations, not the training itself). Registrations are
read-only: their status only changes through registrations.services, so the
place count and the waiting list stay right. Saving a training with more
places fills them from the waiting list; moving its start plans the
reminders again."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from . import services
from .models import OrganiserMessage, Registration, Training


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = ["user", "status", "created_at", "promoted_at", "cancelled_at", "attended"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["status", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "partner", "starts_at", "capacity", "confirmed_count", "waiting", "registration_open", "is_published"]
    list_filter = ["kind", "format", "language", "partner__country", "partner", "registration_open", "is_published"]
    search_fields = ["title", "partner__name"]
    date_hierarchy = "starts_at"
    readonly_fields = ["confirmed_count", "waiting", "created_at", "updated_at"]
    autocomplete_fields = []
    filter_horizontal = ["trainers"]
    raw_id_fields = ["live_session", "cohort"]
    inlines = [RegistrationInline]
    fieldsets = [
        (None, {"fields": ["kind", "title", "description", "language", "partner", "audience", "trainers"]}),
        (_("When and where"), {"fields": ["starts_at", "ends_at", "time_zone", "format", "location", "address", "online_details"]}),
        (_("Registration"), {"fields": ["capacity", "confirmed_count", "waiting", "is_published", "registration_open", "registration_closes_at", "questions"]}),
        (_("What registering gives"), {"fields": ["live_session", "cohort", "session_lesson_key", "session_block_id"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partner").annotate(
            waiting_total=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING))
        )

    @admin.display(description=_("waiting"))
    def waiting(self, obj):
        return getattr(obj, "waiting_total", None) if obj.pk else 0

    def save_model(self, request, obj, form, change):
        moved = change and "starts_at" in form.changed_data
        more_places = change and "capacity" in form.changed_data
        super().save_model(request, obj, form, change)
        if more_places:
            transaction.on_commit(lambda: services.waiting_list_promote(training=obj))
        if moved:
            transaction.on_commit(lambda: services.training_reminders_replan(training=obj))


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "training", "status", "created_at", "promoted_at", "cancelled_at", "attended"]
    list_filter = ["status", "training__partner", "training"]
    search_fields = ["user__email", "user__full_name", "training__title"]
    list_select_related = ["user", "training"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrganiserMessage)
class OrganiserMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "training", "sender", "created_at", "sent_at", "sent_count"]
    list_select_related = ["training", "sender"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
