"""Registering for a live session gives access to it: the live app's join
page asks this check (registered in RegistrationsConfig.ready) before a
professional first joins a session whose training takes registrations."""

from __future__ import annotations

from django.utils.translation import gettext as _

from live.joining import JoinRefused

from .selectors import has_confirmed_registration, live_session_requires_registration


def require_registration(*, session, user) -> None:
    if live_session_requires_registration(session) and not has_confirmed_registration(user, session):
        raise JoinRefused(
            _("This session is for registered participants: please register on the training's page first."),
            code="not_registered",
        )
