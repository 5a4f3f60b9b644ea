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

        course_completed.connect(issue_on_course_completed, dispatch_uid="certificates.issue_on_course_completed")
        attendance_changed.connect(issue_on_attendance_changed, dispatch_uid="certificates.issue_on_attendance_changed")
