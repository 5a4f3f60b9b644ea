from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for `make run`. Never loaded by migrations; refused in
    production (settings.DEMO_DATA_ALLOWED)."""

    name = "demo"
    verbose_name = _("Demo data")
