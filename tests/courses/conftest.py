"""Fixtures for the courses tests: every test gets its own empty H5P content
root, so "a refused upload leaves nothing behind" can be checked by listing
it."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import User


@pytest.fixture(autouse=True)
def h5p_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    root = tmp_path / "h5p"
    settings.H5P_CONTENT_ROOT = str(root)
    return root


@pytest.fixture
def editor(db) -> User:
    return User.objects.create_superuser(email="editor@example.org", password="correct-horse-battery-9")
