"""Fixtures for the accounts tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import User
from partners.models import Partner

from .helpers import make_user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate-limit counters and used TOTP codes in the cache
    (local memory in tests): one test's attempts must not limit the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tolerant_totp(settings):
    # Accept the neighbouring 30 s window too, so a test that computes a code
    # just before a window boundary does not fail by bad luck.
    settings.MFA_TOTP_TOLERANCE = 1


@pytest.fixture
def user(db) -> User:
    return make_user()


@pytest.fixture
def partner(db) -> Partner:
    return Partner.objects.create(name="Kennisplatform", slug="kennisplatform", country="NL", default_language="nl")
