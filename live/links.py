"""Absolute links to live pages, for mail, calendar files and the command.
The site's public address is WAGTAILADMIN_BASE_URL (the one base URL the
settings already carry)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .models import LiveSession


def base_url() -> str:
    return (getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def absolute(path: str) -> str:
    return base_url() + path


def join_url(session: LiveSession, *, language: str | None = None) -> str:
    with translation.override(language or session.language):
        return absolute(reverse("live:join_link", kwargs={"code": session.join_code}))


def detail_url(session: LiveSession, *, language: str | None = None) -> str:
    with translation.override(language or session.language):
        return absolute(reverse("live:session_detail", kwargs={"session_id": session.pk}))

