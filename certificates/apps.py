from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certify: certificates issued from completion and attendance, their
    PDFs, verification and partner-country tracking."""

    name = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from learning.signals import course_completed
        from live.signals import attendance_changed

        # The Open Badges signer registers itself in services.after_issue_hooks.
        from . import credentials  # noqa: F401
        from .receivers import issue_on_course_completed
        from .rules import issue_on_attendance_changed

        self._connect_tracking_cache()
        course_completed.connect(issue_on_course_completed, dispatch_uid="certificates.issue_on_course_completed")
        attendance_changed.connect(issue_on_attendance_changed, dispatch_uid="certificates.issue_on_attendance_changed")

    @staticmethod
    def _connect_tracking_cache() -> None:
        """What the dashboards count changed: a new tracking generation."""
        from django.db.models.signals import post_delete, post_save

        from learning.models import Cohort, CourseCompletion, Enrollment
        from partners.models import Membership, Partner

        from .models import Certificate
        from .tracking import tracking_cache_clear

        for model in (Certificate, Enrollment, CourseCompletion, Membership, Cohort, Partner):
            name = model.__name__
            post_save.connect(tracking_cache_clear, sender=model, dispatch_uid=f"tracking-save-{name}")
            post_delete.connect(tracking_cache_clear, sender=model, dispatch_uid=f"tracking-delete-{name}")
