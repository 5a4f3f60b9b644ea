import pytest


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://bridgeline.example"
