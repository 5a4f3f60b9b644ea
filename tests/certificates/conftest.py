"""Fixtures for the certificate tests: partners per country, people with
roles, and certificates issued through the service (never built by hand, so
the tests exercise the same rules as production)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from uuid import uuid4

import pytest

from accounts.models import User
from certificates.models import Certificate
from certificates.services import certificate_issue
from partners.models import Membership, Partner, Role

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _certificate_storage(settings, tmp_path, monkeypatch):
    """PDFs and ZIP exports go to a per-test folder, never to
    var/certificates. The fields' storage was resolved when the model
    classes were built, so it is replaced on the fields themselves, not
    through settings."""
    from django.core.files.storage import FileSystemStorage

    from certificates.models import CertificateExport

    settings.MEDIA_ROOT = str(tmp_path / "media")
    storage = FileSystemStorage(location=tmp_path / "certificates")
    monkeypatch.setattr(Certificate._meta.get_field("pdf"), "storage", storage)
    monkeypatch.setattr(CertificateExport._meta.get_field("file"), "storage", storage)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_partner(country: str = "BE", *, language: str = "nl", name: str | None = None) -> Partner:
    number = next(_counter)
    return Partner.objects.create(
        name=name or f"Partner {number}", slug=f"cert-partner-{number}", country=country, default_language=language
    )


def make_user(
    *, name: str | None = None, partner: Partner | None = None, role: str = Role.LEARNER, language: str = "en", **extra
) -> User:
    """A user with a name ("Learner <n>" unless given; name="" for an account
    from before names were asked)."""
    number = next(_counter)
    user = User.objects.create_user(
        email=f"cert-user-{number}@example.org", password="x-9-long-enough",
        full_name=f"Learner {number}" if name is None else name, preferred_language=language, **extra,
    )
    if partner is not None:
        Membership.objects.create(user=user, partner=partner, role=role)
    return user


def issue(holder, partner, *, kind=Certificate.Kind.COMPLETION, course_key=None, title="Recognising radicalisation",
          hours="6.5", **extra) -> Certificate:
    certificate, _created = certificate_issue(
        kind=kind, holder=holder, partner=partner, course_key=course_key or uuid4(), title=title,
        hours=Decimal(hours), **extra,
    )
    return certificate


@pytest.fixture
def partner(db) -> Partner:
    return make_partner("BE", name="Preventiecentrum Gent")


@pytest.fixture
def holder(partner) -> User:
    return make_user(name="Zoë Vandenbroucke-Ç", partner=partner, language="nl")


@pytest.fixture
def certificate(holder, partner) -> Certificate:
    return issue(holder, partner)
