from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # registrations -> live, one way: live asks its registered checks.
        from live.joining import account_join_checks

        from .live_access import require_registration

        if require_registration not in account_join_checks:
            account_join_checks.append(require_registration)
