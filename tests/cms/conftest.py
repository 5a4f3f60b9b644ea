import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Documents written by tests go to a throwaway folder, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
