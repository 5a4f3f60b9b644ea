from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`. Never loaded by migrations; refused in
    production (settings.DEMO_DATA_ALLOWED)."""

    name = "demo"
    verbose_name = "Demo data"
