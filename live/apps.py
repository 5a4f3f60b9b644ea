from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("Live sessions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Word-list cache receivers, in every process (the admin saves entries).
        # live -> learning, one way: learning asks its registered providers
        # for a learner's live attendance in a course (learning/services.py).
        from learning.services import live_attendance_providers

        from . import wordlist  # noqa: F401
        from .attendance import course_attendance_percent

        if course_attendance_percent not in live_attendance_providers:
            live_attendance_providers.append(course_attendance_percent)
